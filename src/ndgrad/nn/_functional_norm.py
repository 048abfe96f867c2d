"""torch.nn.functional normalisation layers and scaled dot-product attention."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import ndgrad
from ndgrad import Tensor

from ._functional_conv import avg_pool2d, avg_pool3d, pad

__all__ = [
    "batch_norm",
    "layer_norm",
    "group_norm",
    "instance_norm",
    "local_response_norm",
    "rms_norm",
    "scaled_dot_product_attention",
]


def _channel_shape(x: Tensor) -> list[int]:
    return [1, x.shape[1]] + [1] * (x.dim() - 2)


def _check_numel(name: str, t: Tensor | None, c: int) -> None:
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None, shape: Any) -> Tensor:
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _update_running(running: Tensor | None, stat: Tensor, momentum: float) -> None:
    if running is not None:
        with ndgrad.no_grad():
            running.mul_(1 - momentum).add_(stat.detach().reshape(running.shape) * momentum)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise each channel (dim 1) by batch statistics or, in eval, the running ones."""
    if momentum is None:
        raise TypeError(
            "batch_norm(): argument 'momentum' (position 7) must be float, not NoneType"
        )
    c = input.shape[1] if input.dim() > 1 else 0
    _check_numel("running_mean", running_mean, c)
    _check_numel("running_var", running_var, c)
    _check_numel("weight", weight, c)
    _check_numel("bias", bias, c)
    shape = _channel_shape(input)
    if not training:
        if running_mean is None or running_var is None:
            name = "running_mean" if running_mean is None else "running_var"
            raise RuntimeError(f"{name} must be defined in evaluation mode")
        # Eval: one scale and one shift per channel, then two full-size ops.
        scale = (running_var + eps).rsqrt()
        if weight is not None:
            scale = scale * weight
        shift = -running_mean * scale
        if bias is not None:
            shift = shift + bias
        return input * scale.reshape(shape) + shift.reshape(shape)
    n = input.numel() // max(c, 1)
    if n <= 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {input.shape}"
        )
    dims = [0] + list(range(2, input.dim()))
    var, mean = ndgrad.var_mean(input, dims, correction=0, keepdim=True)
    _update_running(running_mean, mean, momentum)
    _update_running(running_var, var * (n / (n - 1)), momentum)
    scale = (var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight.reshape(shape)
    y = (input - mean) * scale
    return y + bias.reshape(shape) if bias is not None else y


def _normalized_dims(input: Tensor, normalized_shape: Any, sep: str, fn: str) -> list[int]:
    if not isinstance(normalized_shape, (list, tuple, ndgrad.Size)):
        raise TypeError(
            f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
            f"{type(normalized_shape).__name__}"
        )
    ns = list(normalized_shape)
    k = len(ns)
    if k == 0 or input.dim() < k or list(input.shape[input.dim() - k :]) != ns:
        expect = ", ".join(map(str, ns))
        raise RuntimeError(
            f"Given normalized_shape={ns}, expected input with shape [*{sep}{expect}], but got "
            f"input of size{list(input.shape)}"
        )
    return list(range(input.dim() - k, input.dim()))


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift."""
    dims = _normalized_dims(input, normalized_shape, ", ", "layer_norm")
    ns = list(input.shape[dims[0] :])
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != ns:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {ns}"
            )
    var, mean = ndgrad.var_mean(input, dims, correction=0, keepdim=True)
    y = (input - mean) * (var + eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y + bias if bias is not None else y


def rms_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Scale by the reciprocal root-mean-square over the trailing dims (no centring)."""
    dims = _normalized_dims(input, normalized_shape, "", "rms_norm")
    if eps is None:
        eps = ndgrad.finfo(input.dtype).eps
    y = input * (input.square().mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise over groups of channels (and all spatial positions) per sample."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    x = input.reshape(n, num_groups, -1)
    var, mean = ndgrad.var_mean(x, -1, correction=0, keepdim=True)
    y = ((x - mean) * (var + eps).rsqrt()).reshape(input.shape)
    return _affine(y, weight, bias, _channel_shape(input))


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise each (sample, channel) plane over its spatial positions."""
    shape = _channel_shape(input)
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    spatial = math.prod(input.shape[2:]) if input.dim() > 2 else 1
    if spatial <= 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {input.shape}"
        )
    dims = list(range(2, input.dim()))
    var, mean = ndgrad.var_mean(input, dims, correction=0, keepdim=True)
    _update_running(running_mean, mean.mean(0), momentum)
    _update_running(running_var, (var * (spatial / (spatial - 1))).mean(0), momentum)
    y = (input - mean) * (var + eps).rsqrt()
    return _affine(y, weight, bias, shape)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Divide by a power of the mean square over ``size`` neighbouring channels."""
    nd = input.dim()
    if nd < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {nd} "
            "dimensions)"
        )
    if input.numel() == 0:
        return input
    # Channels become a spatial dim so that the window mean is an average pool.
    sq = input.square().unsqueeze(1)
    if nd == 3:
        sq = pad(sq, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(sq, (size, 1), stride=1).squeeze(1)
    else:
        sq = sq.reshape(input.shape[0], 1, input.shape[1], input.shape[2], -1)
        sq = pad(sq, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(sq, (size, 1, 1), stride=1).squeeze(1).reshape(input.shape)
    return input / (div * alpha + k).pow(beta)


def _type_name(t: Tensor) -> str:
    name = str(t.dtype).split(".")[-1]
    return {"float32": "float", "float64": "double", "int64": "long int", "bool": "bool"}.get(
        name, name
    )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(q @ k^T * scale + mask) @ v; fully masked rows give zeros (as torch)."""
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_type_name(query)} key.dtype: {_type_name(key)} and value.dtype: "
            f"{_type_name(value)} instead."
        )
    if attn_mask is not None and attn_mask.dtype not in (ndgrad.bool, query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_type_name(attn_mask)} and  query.dtype: {_type_name(query)} "
            "instead."
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError(
            "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
            "is_causal=True"
        )
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        key = key.repeat_interleave(query.shape[-3] // key.shape[-3], -3)
        value = value.repeat_interleave(query.shape[-3] // value.shape[-3], -3)
    s = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query.matmul(key.transpose(-2, -1)) * s
    keep = None
    if is_causal:
        size = (query.shape[-2], key.shape[-2])
        keep = ndgrad.ones(size, dtype=ndgrad.bool, device=query.device).tril()
    elif attn_mask is not None and attn_mask.dtype == ndgrad.bool:
        keep = attn_mask
    elif attn_mask is not None:
        scores = scores + attn_mask
    if keep is not None:
        scores = scores.masked_fill(keep.logical_not(), -math.inf)
    attn = _safe_softmax(scores)
    if dropout_p > 0.0:
        mask = ndgrad.rand(attn.shape, dtype=attn.dtype, device=attn.device) >= dropout_p
        attn = attn * mask / (1.0 - dropout_p)
    return attn.matmul(value)


def _safe_softmax(x: Tensor) -> Tensor:
    """Softmax over the last dim that maps rows of all -inf to zeros, not NaN."""
    top = x.amax(-1, keepdim=True).detach()
    top = top.masked_fill(top.isinf(), 0.0)
    e = (x - top).exp()
    total = e.sum(-1, keepdim=True)
    return e / total.masked_fill(total == 0, 1.0)
