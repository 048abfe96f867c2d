"""torch's top-level spellings of nn.functional ops (torch.softmax, torch.dropout, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._tensor import Tensor
from .nn import functional as F
from .nn._functional_activation import _rrelu
from .nn.functional import (
    avg_pool1d,
    conv1d,
    conv2d,
    cosine_similarity,
    hardshrink,
    pairwise_distance,
    pdist,
    pixel_shuffle,
)

__all__ = [
    "softmax",
    "log_softmax",
    "dropout",
    "selu",
    "celu",
    "rrelu",
    "threshold",
    "hardshrink",
    "pixel_shuffle",
    "conv1d",
    "conv2d",
    "max_pool2d",
    "avg_pool1d",
    "batch_norm",
    "layer_norm",
    "group_norm",
    "instance_norm",
    "embedding",
    "cosine_similarity",
    "pairwise_distance",
    "pdist",
]


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    return F.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    return F.log_softmax(input, dim, dtype=dtype)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return F.dropout(input, p, train)


def selu(input: Tensor) -> Tensor:
    return F.selu(input)


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    return F.celu(input, alpha)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    return _rrelu(input, lower, upper, training, False, generator)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    return F.threshold(input, threshold, value)


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    return F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


# The normalisations take their arguments in ATen's order; cudnn_enabled means nothing here.
def batch_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
    cudnn_enable: bool = True,
) -> Tensor:
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
    cudnn_enabled: bool = True,
) -> Tensor:
    return F.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(
    input: Tensor,
    weight: Tensor | None,
    bias: Tensor | None,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    return F.instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """F.embedding with weight first; a negative ``padding_idx`` means no padding row."""
    pad = padding_idx if padding_idx >= 0 else None
    return F.embedding(indices, weight, pad, None, 2.0, scale_grad_by_freq, sparse)
