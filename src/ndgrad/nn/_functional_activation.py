"""torch.nn.functional activations, softmax family, dropout, embedding and distances."""

from __future__ import annotations

import math
import warnings
from typing import Any

import ndgrad
from ndgrad import Tensor

from ..ops import reduction as R
from ..ops._registry import apply1
from ..ops._util import norm_dim

__all__ = [
    "linear",
    "bilinear",
    "relu",
    "relu_",
    "relu6",
    "leaky_relu",
    "leaky_relu_",
    "rrelu",
    "rrelu_",
    "elu",
    "elu_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "gelu",
    "silu",
    "mish",
    "softplus",
    "softsign",
    "hardtanh",
    "hardtanh_",
    "hardsigmoid",
    "hardswish",
    "sigmoid",
    "tanh",
    "logsigmoid",
    "tanhshrink",
    "softshrink",
    "hardshrink",
    "threshold",
    "threshold_",
    "prelu",
    "softmax",
    "log_softmax",
    "softmin",
    "glu",
    "normalize",
    "dropout",
    "alpha_dropout",
    "feature_alpha_dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "embedding",
    "one_hot",
    "cosine_similarity",
    "pairwise_distance",
    "pdist",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------- helpers
def _need_float(x: Tensor, kernel: str) -> None:
    if not x.is_floating_point():
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{x.dtype.scalar_name}'")


def _source(input: Tensor, inplace: bool) -> Tensor:
    """What an in-place variant computes from: a clone when a graph records it, so the
    values its backward saved survive the write into ``input``."""
    if inplace and input.requires_grad and ndgrad.is_grad_enabled():
        return input.clone()
    return input


def _finish(input: Tensor, out: Tensor, inplace: bool) -> Tensor:
    """Write ``out`` into ``input`` for the ``inplace=True`` variants (autograd via copy_)."""
    if not inplace:
        return out
    return input.copy_(out)


# ---------------------------------------------------------------- linear maps
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``."""
    if bias is not None and input.dim() == 2 and weight.dim() == 2:
        return ndgrad.addmm(bias, input, weight.t())  # one node, as torch's
    out = ndgrad.matmul(input, weight.t())
    return out if bias is None else out + bias


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = x1[..., i] W[o, i, j] x2[..., j] + b[o]``."""
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} "
            f"but expected {weight.shape[1]}"
        )
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} "
            f"but expected {weight.shape[2]}"
        )
    # Contract x1 with W first (one matmul), then the batched dot with x2.
    o, i, j = weight.shape
    left = ndgrad.matmul(input1, weight.permute(1, 0, 2).reshape(i, o * j))
    left = left.reshape(*left.shape[:-1], o, j)
    out = (left * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


# ---------------------------------------------------------------- pointwise activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else ndgrad.relu(input)


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    # Nested where, not clamp: torch's gradient is zero at the two bounds themselves.
    inner = ndgrad.where(input >= max_val, max_val, input)
    return _finish(input, ndgrad.where(input <= min_val, min_val, inner), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    _need_float(input, "leaky_relu_cpu")
    return _finish(input, ndgrad.where(input > 0, input, input * negative_slope), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def _rrelu(
    input: Tensor, lower: float, upper: float, training: bool, inplace: bool, generator: Any
) -> Tensor:
    """rrelu with torch.rrelu's ``generator`` for the slopes."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    _need_float(input, "rrelu_with_noise_out_cpu")
    x = _source(input, inplace)
    # One double draw per element <= 0, in order, as torch draws them: seeded slopes match.
    with ndgrad.no_grad():
        slopes = ndgrad.ones_like(x)
        hit = x <= 0
        drawn = ndgrad.empty(int(hit.sum()), dtype=ndgrad.float64, device=x.device)
        slopes[hit] = drawn.uniform_(lower, upper, generator=generator).to(x.dtype)
    return _finish(input, x * slopes, inplace)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Leaky ReLU whose negative slopes are drawn from U(lower, upper) while training (their
    mean otherwise)."""
    return _rrelu(input, lower, upper, training, inplace, None)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    return _rrelu(input, lower, upper, training, True, None)


def _neg_expm1(x: Tensor, scale: float) -> Tensor:
    # exp of the clamped input: the unused branch of where never overflows to inf * 0 = nan.
    neg = x.clamp(max=0)
    return ndgrad.expm1(neg * scale if scale != 1.0 else neg)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    _need_float(input, "elu_cpu")
    x = _source(input, inplace)
    out = ndgrad.where(x > 0, x, _neg_expm1(x, 1.0) * alpha)
    return _finish(input, out, inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    _need_float(input, "elu_cpu")
    x = _source(input, inplace)
    neg = _neg_expm1(x, 1.0) * (_SELU_ALPHA * _SELU_SCALE)
    out = ndgrad.where(x > 0, x * _SELU_SCALE, neg)
    return _finish(input, out, inplace)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    _need_float(input, "elu_cpu")
    x = _source(input, inplace)
    out = ndgrad.where(x > 0, x, _neg_expm1(x, 1.0 / alpha) * alpha)
    return _finish(input, out, inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _need_float(input, "GeluKernelImpl")
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * 0.5 * (ndgrad.tanh(inner) + 1.0)
    return input * 0.5 * (ndgrad.erf(input * (1.0 / math.sqrt(2.0))) + 1.0)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    _need_float(input, "silu_cpu")
    x = _source(input, inplace)
    return _finish(input, x * ndgrad.sigmoid(x), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    _need_float(input, "softplus_cpu")
    scaled = input * beta if beta != 1.0 else input
    # Above the threshold softplus is the identity; clamping keeps exp finite there.
    soft = ndgrad.log1p(ndgrad.exp(scaled.clamp(max=threshold)))
    if beta != 1.0:
        soft = soft / beta
    return ndgrad.where(scaled > threshold, input, soft)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    _need_float(input, "mish_cpu")
    x = _source(input, inplace)
    return _finish(input, x * ndgrad.tanh(softplus(x)), inplace)


def softsign(input: Tensor) -> Tensor:
    return input / (input.abs() + 1)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    _need_float(input, "hardsigmoid_cpu")
    return _finish(input, hardtanh(input + 3.0, 0.0, 6.0) / 6.0, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    _need_float(input, "hardswish_cpu")
    # Piecewise with where so the gradient at exactly -3 and 3 is torch's (0 and 1).
    src = _source(input, inplace)
    middle = src * (src + 3.0) / 6.0
    out = ndgrad.where(src <= -3.0, 0.0, ndgrad.where(src < 3.0, middle, src))
    return _finish(input, out, inplace)


def sigmoid(input: Tensor) -> Tensor:
    return ndgrad.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return ndgrad.tanh(input)


def logsigmoid(input: Tensor) -> Tensor:
    _need_float(input, "log_sigmoid_cpu")
    # log(sigmoid(x)) from whichever side keeps exp's argument non-positive.
    neg = input.clamp(max=0)
    pos = input.clamp(min=0)
    left = neg - ndgrad.log1p(ndgrad.exp(neg))
    right = -ndgrad.log1p(ndgrad.exp(-pos))
    return ndgrad.where(input < 0, left, right)


def tanhshrink(input: Tensor) -> Tensor:
    return input - ndgrad.tanh(input)


def _check_lambd(input: Tensor, lambd: float) -> None:
    if lambd < 0:
        name = input.dtype.scalar_name
        raise RuntimeError(
            f"lambda must be in range [0, 3.40282e+38] for input dtype {name}, but found {lambd:g}"
        )


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    _check_lambd(input, lambd)
    inner = ndgrad.where(input < -lambd, input + lambd, 0.0)
    return ndgrad.where(input > lambd, input - lambd, inner)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    _need_float(input, "hardshrink_cpu")
    return ndgrad.where((input > lambd) | (input < -lambd), input, 0.0)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    return _finish(input, ndgrad.where(input > threshold, input, value), inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _finish(input, ndgrad.where(input > threshold, input, value), True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    if input.dim() == 0:
        raise RuntimeError("Not allow zero-dim input tensor.")
    channels = input.shape[1] if input.dim() >= 2 else 1
    n = weight.numel()
    if n != 1 and n != channels:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{n} and channel size = {channels}."
        )
    if n != 1:
        weight = weight.reshape(n, *([1] * (input.dim() - 2)))
    return ndgrad.where(input > 0, input, input * weight)


# ---------------------------------------------------------------- softmax family
def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _prepare(input: Tensor, dim: int | None, dtype: object, name: str, level: int) -> tuple:
    if dim is None:
        dim = _softmax_dim(name, input.dim(), level + 1)
    if dtype is not None:
        input = input.to(dtype)
    elif not input.is_floating_point():
        raise NotImplementedError(
            f"\"{name}_lastdim_kernel_impl\" not implemented for '{input.dtype.scalar_name}'"
        )
    return input, dim


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: object = None
) -> Tensor:
    input, dim = _prepare(input, dim, dtype, "log_softmax", _stacklevel)
    return apply1(R.LOG_SOFTMAX, input, {"dim": _dim(dim, input)})


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: object = None
) -> Tensor:
    input, dim = _prepare(input, dim, dtype, "softmax", _stacklevel)
    return apply1(R.SOFTMAX, input, {"dim": _dim(dim, input)})


def _dim(dim: int, input: Tensor) -> int | None:
    """``dim`` of ``input`` as a non-negative index; None for a 0-dim tensor (whose dims -1
    and 0 name the tensor as a whole)."""
    ndim = input._data.ndim
    dim = norm_dim(dim, ndim)
    return dim if ndim else None


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: object = None
) -> Tensor:
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim + input.dim() if dim < 0 else dim
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    a, b = input.split(size // 2, dim)
    return a * ndgrad.sigmoid(b)


def normalize(
    input: Tensor,
    p: float = 2.0,
    dim: int = 1,
    eps: float = 1e-12,
    out: Tensor | None = None,
) -> Tensor:
    denom = ndgrad.linalg.vector_norm(input, p, dim, keepdim=True).clamp_min(eps)
    result = input / denom.expand_as(input)
    if out is not None:
        with ndgrad.no_grad():
            out.copy_(result)
        return out
    return result


# ---------------------------------------------------------------- dropout
def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input: Tensor, shape: tuple[int, ...], p: float) -> Tensor:
    """Bernoulli(1 - p) draws of ``shape`` in ``input``'s dtype, drawn as torch draws them
    (so a seeded dropout mask is the same as torch's)."""
    with ndgrad.no_grad():
        return ndgrad.empty(*shape, dtype=input.dtype, device=input.device).bernoulli_(1 - p)


def _apply_mask(input: Tensor, mask: Tensor, inplace: bool) -> Tensor:
    return input.mul_(mask) if inplace else input * mask


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return _apply_mask(input, ndgrad.zeros_like(input), inplace)
    mask = _keep_mask(input, tuple(input.shape), p).div_(1 - p)
    return _apply_mask(input, mask, inplace)


def _feature_dropout(input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
    # One draw per (batch, channel): the mask broadcasts over the trailing feature dims.
    if not training or p == 0.0:
        return input
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    if p == 1.0:
        zeros = ndgrad.zeros(*shape, dtype=input.dtype, device=input.device)
        return _apply_mask(input, zeros, inplace)
    return _apply_mask(input, _keep_mask(input, shape, p).div_(1 - p), inplace)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs)."
        )
    if ndim == 2:
        out = _feature_dropout(input.unsqueeze(0), p, training, inplace)
        return input if inplace else out.squeeze(0)
    return _feature_dropout(input, p, training, inplace)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _feature_dropout(input, p, training, inplace)


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    if ndim == 4:
        out = _feature_dropout(input.unsqueeze(0), p, training, inplace)
        return input if inplace else out.squeeze(0)
    return _feature_dropout(input, p, training, inplace)


def _alpha_dropout(
    input: Tensor, p: float, training: bool, inplace: bool, shape: tuple[int, ...]
) -> Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return _apply_mask(input, ndgrad.zeros_like(input), inplace)
    # Dropped units go to SELU's negative saturation; a, b restore zero mean, unit variance.
    sat = -_SELU_ALPHA * _SELU_SCALE
    a = 1.0 / math.sqrt((sat * sat * p + 1.0) * (1.0 - p))
    keep = _keep_mask(input, shape, p)
    shift = (1.0 - keep) * (sat * a) - sat * a * p
    scale = keep * a
    if inplace:
        return input.mul_(scale).add_(shift)
    return input * scale + shift


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    return _alpha_dropout(input, p, training, inplace, tuple(input.shape))


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return _alpha_dropout(input, p, training, inplace, shape)


# ---------------------------------------------------------------- embeddings, one-hot
def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by ``input``; ``sparse`` is accepted, gradients stay dense."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.shape[0] + padding_idx
    if input.dtype not in (ndgrad.int64, ndgrad.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got ndgrad.{input.dtype.scalar_name}Tensor instead "
            "(while checking arguments for embedding)"
        )
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    out = weight[input]
    if padding_idx is not None:
        # Same values; the padding row simply gets no gradient.
        out = ndgrad.where((input == padding_idx).unsqueeze(-1), out.detach(), out)
    if scale_grad_by_freq:
        counts = out.new_zeros(weight.shape[0])
        flat = input.reshape(-1)
        counts = counts.index_add(0, flat, out.new_ones(flat.shape[0]))
        freq = counts[input].unsqueeze(-1)
        # Values unchanged (out - out.detach() is 0); the gradient is divided by the count.
        out = out.detach() + (out - out.detach()) / freq
    return out


def _renorm_rows(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale, in place, the rows ``input`` uses whose norm exceeds ``max_norm``."""
    with ndgrad.no_grad():
        rows = ndgrad.unique(input.reshape(-1))
        picked = weight[rows]
        norms = ndgrad.linalg.vector_norm(picked, norm_type, 1, keepdim=True)
        scale = ndgrad.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = picked * scale


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    if tensor.dtype != ndgrad.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(tensor.max().item()) + 1
    if tensor.numel() > 0:
        if int(tensor.min().item()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(tensor.max().item()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return (tensor.unsqueeze(-1) == ndgrad.arange(num_classes, device=tensor.device)).long()


# ---------------------------------------------------------------- distances
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    x1, x2 = ndgrad.broadcast_tensors(x1, x2)
    # Normalise each side before the dot product: no overflow from multiplying two norms.
    n1 = ndgrad.linalg.vector_norm(x1, 2, dim, keepdim=True).clamp_min(eps)
    n2 = ndgrad.linalg.vector_norm(x2, 2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    diff = x1 - x2 + eps
    if diff.dim() == 0:
        return ndgrad.linalg.vector_norm(diff, p)
    return ndgrad.linalg.vector_norm(diff, p, -1, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm distance between every pair of rows i < j of a 2-d input, in
    row-major order of the pairs."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    first, second = ndgrad.triu_indices(n, n, 1, device=input.device)
    return ndgrad.linalg.vector_norm(input[first] - input[second], p, -1)
