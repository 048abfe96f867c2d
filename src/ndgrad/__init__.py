"""ndgrad: PyTorch's tensor and autograd API on NumPy. ``import ndgrad as torch``."""

import warnings as _warnings

from . import _dtype, linalg, return_types
from ._compile import compile
from ._creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device
from ._dtype import (
    can_cast,
    complex64,
    complex128,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from ._printing import get_printoptions, set_printoptions
from ._random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from ._serialization import load, save
from ._tensor import Size, Tensor
from .autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops.elementwise import *
from .ops.indexing import *  # after elementwise: its where() adds where(cond)
from .ops.joining import *
from .ops.linalg import *
from .ops.reduction import *
from .ops.selection import *
from .ops.shape import *

bool = _dtype.bool_
float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = complex64
cdouble = complex128

__version__ = "0.1.0"

# torch computes log(0), 0/0 and the like silently; so do our ops. The filter matches only
# warnings NumPy raises from ndgrad's own modules, never from the user's NumPy code.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ndgrad(\.|$)")


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    return input.numel()


# Subpackages built on the public API above (they import names from ndgrad itself).
from . import backends, compiler, cuda, func, jit, nn, optim, utils, viz  # noqa: E402
