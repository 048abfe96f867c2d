"""ndgrad.nn.modules: the layers."""

from .activation import *
from .activation import __all__ as _activation_all
from .container import *
from .container import __all__ as _container_all
from .conv import *
from .conv import __all__ as _conv_all
from .dropout import *
from .dropout import __all__ as _dropout_all
from .linear import *
from .linear import __all__ as _linear_all
from .loss import *
from .loss import __all__ as _loss_all
from .module import *
from .module import __all__ as _module_all
from .normalization import *
from .normalization import __all__ as _normalization_all
from .padding import *
from .padding import __all__ as _padding_all
from .pooling import *
from .pooling import __all__ as _pooling_all
from .rnn import *
from .rnn import __all__ as _rnn_all
from .sparse import *
from .sparse import __all__ as _sparse_all
from .transformer import *
from .transformer import __all__ as _transformer_all

__all__ = (
    _module_all
    + _container_all
    + _linear_all
    + _conv_all
    + _pooling_all
    + _padding_all
    + _normalization_all
    + _dropout_all
    + _activation_all
    + _sparse_all
    + _rnn_all
    + _transformer_all
    + _loss_all
)
