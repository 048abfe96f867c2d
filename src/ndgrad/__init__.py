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
    logspace,
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
    tril_indices,
    triu_indices,
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
from ._settings import (
    are_deterministic_algorithms_enabled,
    get_num_threads,
    is_deterministic_algorithms_warn_only_enabled,
    set_num_threads,
    use_deterministic_algorithms,
)
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


def is_complex(input: Tensor) -> bool:
    return input.is_complex()


def is_nonzero(input: Tensor) -> bool:
    if not isinstance(input, Tensor):
        raise TypeError(
            "is_nonzero(): argument 'input' (position 1) must be Tensor, not "
            + type(input).__name__
        )
    return input.is_nonzero()


def detach(input: Tensor) -> Tensor:
    return input.detach()


def typename(obj: object) -> str:
    """A tensor's legacy type name ("ndgrad.FloatTensor"), else the dotted name of ``obj``
    (a class or function) or of its type."""
    if isinstance(obj, Tensor):
        return obj.type()
    named = obj if hasattr(obj, "__qualname__") or hasattr(obj, "__name__") else type(obj)
    module = getattr(named, "__module__", "") or ""
    name = getattr(named, "__qualname__", None) or named.__name__
    return name if module in ("", "builtins") else f"{module}.{name}"


# Subpackages built on the public API above (they import names from ndgrad itself).
from . import backends, compiler, cuda, func, jit, nn, optim, utils, viz  # noqa: E402
from ._toplevel_nn import *  # noqa: E402
