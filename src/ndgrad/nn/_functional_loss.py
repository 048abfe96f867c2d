"""torch.nn.functional losses: regression, classification, ranking and embedding losses."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import ndgrad
from ndgrad import Tensor
from ndgrad.autograd import Function

from .. import _backend as B
from .._tensor import make
from ..ops import _math as m
from ..ops._registry import apply1, defop
from ._functional_activation import log_softmax, logsigmoid, pairwise_distance

__all__ = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "margin_ranking_loss",
    "soft_margin_loss",
    "hinge_embedding_loss",
    "cosine_embedding_loss",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "triplet_margin_loss",
]


# ---------------------------------------------------------------- reduction helpers
def _legacy(size_average: bool | None, reduce: bool | None) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        out = "mean"
    elif reduce:
        out = "sum"
    else:
        out = "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{out}' instead.",
        stacklevel=3,
    )
    return out


def _mode(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction to use, from the legacy flags when given; validated like torch."""
    if size_average is not None or reduce is not None:
        return _legacy(size_average, reduce)
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=3,
        )
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def _weighted(loss: Tensor, input: Tensor, weight: Tensor, reduction: str, by_weight: bool):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum() if by_weight else loss.mean()


def _need_float(input: Tensor, kernel: str) -> None:
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{input.dtype.scalar_name}'")


# ---------------------------------------------------------------- regression
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    _warn_size(input, target)
    reduction = _mode(size_average, reduce, reduction)
    _need_float(input, "mse_cpu")
    diff = input - target
    loss = diff * diff
    if weight is not None:
        return _weighted(loss, input, weight, reduction, True)
    return _reduce(loss, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    _warn_size(input, target)
    reduction = _mode(size_average, reduce, reduction)
    loss = (input - target).abs()
    if weight is not None:
        return _weighted(loss, input, weight, reduction, True)
    return _reduce(loss, reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    _warn_size(input, target)
    reduction = _mode(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    diff = input - target
    size = diff.abs()
    if beta == 0.0:
        return _reduce(size, reduction)
    loss = ndgrad.where(size < beta, diff * diff * (0.5 / beta), size - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    diff = input - target
    size = diff.abs()
    loss = ndgrad.where(size < delta, diff * diff * 0.5, (size - 0.5 * delta) * delta)
    if weight is not None:
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(
                f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'."
            )
        return _weighted(loss, input, weight, reduction, False)
    return _reduce(loss, _mode(None, None, reduction))


# ---------------------------------------------------------------- class-index losses
def _check_targets(input: Tensor, target: Tensor, weight: Tensor | None, name: str) -> None:
    """torch's checks on (input, class-index target, weight) for nll_loss / cross_entropy."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() <= 2 and target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.dim() >= 2 and input.shape[0] != target.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0]})."
        )
    if input.dim() > 2:
        want = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != want:
            if name == "cross_entropy":
                raise RuntimeError(f"Expected target size {list(want)}, got {list(target.shape)}")
            raise RuntimeError(
                f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}"
            )
    if target.dtype not in (ndgrad.int64, ndgrad.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {target.dtype.scalar_name}"
        )
    classes = input.shape[1] if input.dim() >= 2 else input.shape[0]
    if weight is not None and weight.numel() != classes:
        if input.dim() > 2:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )


def _class_weights(
    input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int
) -> tuple[Any, Any]:
    """The targets made safe to gather with (0 where ignored) and each element's class
    weight (0 where ignored), as arrays: torch takes no gradient for ``weight``."""
    t = target._data.astype(np.int64, copy=False)
    classes = input.shape[1]
    keep = t != ignore_index
    bad = keep & ((t < 0) | (t >= classes))
    if bool(bad.any()):
        raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
    safe = B.xp(t).where(keep, t, 0)
    dtype = input._data.dtype
    w = keep.astype(dtype) if weight is None else (weight._data[safe] * keep).astype(dtype)
    return safe, w


def _rows(a: Any, classes: int) -> Any:
    """(N, C, *d) as (N * prod(d), C): one row of classes per element."""
    return a if a.ndim == 2 else B.xp(a).moveaxis(a, 1, -1).reshape(-1, classes)


def _nll_fwd(x: Any, target: Any, w: Any, reduction: str, shape: Any) -> Any:
    """-x[n, target[n, ...], ...] * w[n, ...], reduced."""
    t = target.reshape(-1)
    picked = _rows(x, shape[1])[B.xp(x).arange(t.size), t].reshape(target.shape)
    per = -picked * w
    if reduction == "none":
        return per
    total = per.sum()
    return total if reduction == "sum" else total / w.sum()


def _nll_vjp(g: Any, x: Any, out: Any, target: Any, w: Any, reduction: str, shape: Any) -> Any:
    # Linear in x: -w (over the total weight, for a mean) at each target, times g.
    if reduction == "mean":
        total = w.sum()
        w = w / B.xp(w).where(total == 0, 1, total)  # all ignored: zeros, as torch
    t = target.reshape(-1)
    classes = shape[1]
    z = B.zeros(w, (t.size, classes))
    z[B.xp(w).arange(t.size), t] = -w.reshape(-1)
    if len(shape) > 2:
        z = B.xp(z).moveaxis(z.reshape((shape[0],) + tuple(shape[2:]) + (classes,)), -1, 1)
    return m.const(g, z) * (m.unsqueeze(g, 1) if reduction == "none" else g)


NLL = defop("NllLossBackward0", _nll_fwd, _nll_vjp)


def _nll(logp: Tensor, safe: Any, w: Any, reduction: str, single: bool) -> Tensor:
    """nll_loss of (N, C, *) log-probabilities: one node, as torch's."""
    kw = {"target": safe, "w": w, "reduction": reduction, "shape": logp._data.shape}
    out = apply1(NLL, logp, kw)
    return out.squeeze(0) if single and reduction == "none" else out


def _as_batch(input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, bool]:
    # An unbatched (C,) input with a 0-d target runs as a batch of one.
    if input.dim() == 1:
        return input.unsqueeze(0), target.reshape(1), True
    return input, target, False


def _nll_reduce(per: Tensor, w: Tensor, reduction: str, single: bool) -> Tensor:
    if reduction == "none":
        return per.squeeze(0) if single else per
    if reduction == "sum":
        return per.sum()
    return per.sum() / w.sum()


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    _check_targets(input, target, weight, "nll_loss")
    input, target, single = _as_batch(input, target)
    safe, w = _class_weights(input, target, weight, ignore_index)
    return _nll(input, safe, w, reduction, single)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}"
        )
    if input.dim() >= 1 and tuple(input.shape) == tuple(target.shape):
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    _check_targets(input, target, weight, "cross_entropy")
    input, target, single = _as_batch(input, target)
    classes = input.shape[1]
    # As torch: log_softmax, then nll_loss (two nodes).
    logp = log_softmax(input, 1)
    safe, w = _class_weights(input, target, weight, ignore_index)
    nll = _nll(logp, safe, w, reduction, single)
    if label_smoothing == 0.0:
        return nll
    # -sum_c weight_c log p_c, masked where the target is ignored.
    keep = target != ignore_index
    if weight is not None:
        logp = logp * weight.reshape((classes,) + (1,) * (input.dim() - 2))
    smooth = -logp.sum(1) * keep
    smooth = _nll_reduce(smooth, make(w), reduction, single)
    return nll * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)


def _cross_entropy_probs(
    input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, smoothing: float
) -> Tensor:
    if not target.is_floating_point():
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{target.dtype.scalar_name}"
        )
    dim = 1 if input.dim() >= 2 else 0
    classes = input.shape[dim]
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )
    if smoothing > 0.0:
        target = target * (1.0 - smoothing) + smoothing / classes
    logp = log_softmax(input, dim)
    prod = logp * target
    if weight is not None:
        prod = prod * weight.reshape((classes,) + (1,) * (input.dim() - dim - 1))
    return _reduce(-prod.sum(dim), reduction)


# ---------------------------------------------------------------- binary losses
class _BinaryCrossEntropy(Function):
    # A Function: torch's backward, (x - t) / max(x (1 - x), 1e-12), stays finite when a
    # saturated sigmoid hands in exactly 0 or 1, where the composed log's VJP gives 0/0.
    @staticmethod
    def forward(ctx, x: Tensor, t: Tensor) -> Tensor:
        ctx.save_for_backward(x, t)
        log_x = ndgrad.log(x).clamp(min=-100.0)
        log_1mx = ndgrad.log1p(-x).clamp(min=-100.0)
        return -(t * log_x + (1.0 - t) * log_1mx)

    @staticmethod
    def backward(ctx, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = ctx.saved_tensors
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - t) / (x * (1.0 - x)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            log_x = ndgrad.log(x).clamp(min=-100.0)
            log_1mx = ndgrad.log1p(-x).clamp(min=-100.0)
            gt = g * (log_1mx - log_x)
        return gx, gt


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if bool(((input < 0) | (input > 1)).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    # (1 - t) x - log(sigmoid(x)), with logsigmoid's stable two-sided form.
    neg_log_sig = -logsigmoid(input)
    if pos_weight is not None:
        neg_log_sig = neg_log_sig * ((pos_weight - 1.0) * target + 1.0)
    loss = (1.0 - target) * input + neg_log_sig
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=2,
        )
    if reduction == "batchmean":
        inner = "sum"
    else:
        inner = _mode(None, None, reduction)
    if log_target:
        loss = ndgrad.exp(target) * (target - input)
    else:
        # xlogy(t, t): 0 where t == 0; log's argument is kept finite for the gradient.
        safe = ndgrad.where(target > 0, target, 1.0)
        loss = target * ndgrad.log(safe) - target * input
    out = _reduce(loss, inner)
    if reduction == "batchmean" and input.dim() != 0:
        out = out / input.shape[0]
    return out


# ---------------------------------------------------------------- margin and embedding losses
def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    loss = (-target * (input1 - input2) + margin).clamp_min(0)
    return _reduce(loss, reduction)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    # log(1 + exp(-y x)) = -logsigmoid(y x), without overflow.
    return _reduce(-logsigmoid(input * target), reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    below = (margin - input).clamp_min(0)
    loss = ndgrad.where(target != 1, below, 0.0) + ndgrad.where(target != -1, input, 0.0)
    return _reduce(loss, reduction)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    dim = input1.dim() - 1
    eps = 1e-12
    dot = (input1 * input2).sum(dim)
    mag = ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    cos = dot / ndgrad.sqrt(mag)
    pos = ndgrad.where(target == 1, 1.0 - cos, 0.0)
    neg = ndgrad.where(target == -1, (cos - margin).clamp_min(0), 0.0)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    a, pos, neg = anchor.dim(), positive.dim(), negative.dim()
    if not a == pos == neg:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a}D, positive {pos}D, and negative {neg}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ndgrad.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp_min(0), reduction)


# ---------------------------------------------------------------- likelihood losses
def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _mode(size_average, reduce, reduction)
    if log_input:
        loss = ndgrad.exp(input) - target * input
    else:
        loss = input - target * ndgrad.log(input + eps)
    if full:
        # Stirling's term for log(target!), counted only where target > 1.
        safe = ndgrad.where(target > 1, target, 1.0)
        stirling = safe * ndgrad.log(safe) - safe + 0.5 * ndgrad.log(safe * (2 * math.pi))
        loss = loss + ndgrad.where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ndgrad.ones_like(input) * var
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() != var.dim() or (
            sum(v for i, v in zip(input.shape, var.shape) if i != v) != 1
        ):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # Clamped values, but the gradient passes to var unchanged (torch clamps under no_grad).
    var = var + (var.clamp(min=eps) - var).detach()
    diff = input - target
    loss = (ndgrad.log(var) + diff * diff / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
