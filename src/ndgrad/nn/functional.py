"""ndgrad.nn.functional: torch.nn.functional, gathered from its family modules."""

from ._functional_activation import *
from ._functional_conv import *
from ._functional_loss import *
from ._functional_norm import *
