"""ndgrad.nn: modules, layers, losses, initialisation and functional ops, as torch.nn."""

from . import functional, init, utils
from .modules import *
from .parameter import Buffer, Parameter
