"""torch.nn.functional convolution, pooling, padding, resampling and im2col ops."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

import ndgrad
from ndgrad import Tensor
from ndgrad import _backend as B
from ndgrad._tensor import make
from ndgrad.autograd import Function

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "pad",
    "interpolate",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    "unfold",
    "fold",
    "pixel_shuffle",
    "pixel_unshuffle",
]

Geo = tuple[tuple[int, ...], tuple[tuple[int, int], ...], tuple[int, ...], int]


# ------------------------------------------------------------------ array kernels
# Written with NumPy's functions, which a GPU array takes over: the kernels run on the
# device of their data. New arrays are made in the data's namespace (B.xp).
def _arr(t: Tensor) -> Any:
    return t._data


def _on(arr: Any, t: Tensor) -> Tensor:
    """A tensor of the host array ``arr`` (small index or weight data) on ``t``'s device."""
    return make(B.asarray(arr, t._data))


def _pad_np(x: np.ndarray, pads: tuple[tuple[int, int], ...], value: Any = 0) -> np.ndarray:
    """Pad the trailing spatial dims of ``x`` (N, C, *S) by non-negative (lo, hi) pairs."""
    if not any(lo or hi for lo, hi in pads):
        return x
    spatial = x.shape[2:]
    shape = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(spatial, pads))
    out = B.xp(x).full(shape, value, x.dtype)
    inner = tuple(slice(lo, lo + n) for n, (lo, _) in zip(spatial, pads))
    out[(slice(None), slice(None)) + inner] = x
    return out


def _windows_np(xp: np.ndarray, ks: tuple[int, ...], geo: Geo, osize: tuple[int, ...]) -> Any:
    """Read-only view (N, C, *K, *O) of every window of the padded ``xp``."""
    stride, _, dil, _ = geo
    for n, k, s, d, o in zip(xp.shape[2:], ks, stride, dil, osize):
        if (o - 1) * s + (k - 1) * d >= n:
            raise RuntimeError("internal error: windows overrun the padded input")
    if type(xp) is np.ndarray:
        sp = xp.strides[2:]
        strides = xp.strides[:2] + tuple(a * d for a, d in zip(sp, dil))
        strides += tuple(a * s for a, s in zip(sp, stride))
        return as_strided(xp, xp.shape[:2] + ks + osize, strides, writeable=False)
    # A GPU array: as_strided does not dispatch to its library, sliding_window_view does
    # (it costs a few microseconds more, hence NumPy's own path above).
    nd = len(ks)
    eff = tuple(d * (k - 1) + 1 for k, d in zip(ks, dil))
    win = sliding_window_view(xp, eff, axis=tuple(range(2, 2 + nd)))
    pos = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(osize, stride))
    taps = tuple(slice(None, None, d) for d in dil)
    win = win[(slice(None), slice(None)) + pos + taps]
    return win.transpose((0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd)))


def _im2col_np(
    x: np.ndarray, ks: tuple[int, ...], geo: Geo, osize: tuple[int, ...], ones: bool = False
) -> Any:
    """Windows copied into the matmul layout (N, G, Cg*K, P); ``ones`` adds a last row of
    ones to each group's columns, which carries a bias through the matmul."""
    win = _windows_np(_pad_np(x, geo[1]), ks, geo, osize)
    n, groups = x.shape[0], geo[3]
    cg = x.shape[1] // groups
    cgk, p = cg * math.prod(ks), math.prod(osize)
    if not ones:
        return win.reshape(n, groups, cgk, p)
    cols = B.xp(x).empty((n, groups, cgk + 1, p), x.dtype)
    split = (n, groups, cg) + win.shape[2:]
    B.view_reshape(cols[:, :, :cgk], split)[...] = win.reshape(split)
    cols[:, :, cgk] = 1
    return cols


def _col2im_np(cols: np.ndarray, xshape: tuple[int, ...], geo: Geo) -> np.ndarray:
    """Sum (N, C, *K, *O) window values back into an (N, C, *S) input (adjoint of windows)."""
    stride, pads, dil, _ = geo
    nd = len(stride)
    ks, osize = cols.shape[2 : 2 + nd], cols.shape[2 + nd :]
    padded = xshape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(xshape[2:], pads))
    z = B.xp(cols).zeros(padded, cols.dtype)
    head = (slice(None), slice(None))
    # One strided add per kernel offset: the work per offset is a whole-array NumPy op.
    for k in np.ndindex(*ks):
        window = tuple(
            slice(i * d, i * d + s * (o - 1) + 1, s) for i, d, s, o in zip(k, dil, stride, osize)
        )
        z[head + window] += cols[head + k]
    return z[head + tuple(slice(lo, lo + n) for n, (lo, _) in zip(xshape[2:], pads))]


def _conv_np(x: np.ndarray, w: np.ndarray, b: Any, geo: Geo, osize: tuple[int, ...]) -> np.ndarray:
    groups = geo[3]
    cols = _im2col_np(x, w.shape[2:], geo, osize, ones=b is not None)
    wm = w.reshape(groups, w.shape[0] // groups, -1)
    if b is not None:
        # The bias as one more weight column against the ones row of cols: no pass of its own.
        wm = np.concatenate((wm, b.reshape(groups, -1, 1)), axis=2)
    out = np.matmul(wm[0], cols[:, 0]) if groups == 1 else np.matmul(wm, cols)
    return out.reshape((x.shape[0], w.shape[0]) + osize)


def _conv_input_grad_np(g: np.ndarray, w: np.ndarray, geo: Geo, xshape: Any) -> np.ndarray:
    n, o = g.shape[:2]
    groups = geo[3]
    wm = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)
    cols = np.matmul(wm, g.reshape(n, groups, o // groups, math.prod(g.shape[2:])))
    return _col2im_np(cols.reshape(xshape[:2] + w.shape[2:] + g.shape[2:]), xshape, geo)


def _conv_weight_grad_np(x: np.ndarray, g: np.ndarray, geo: Geo, wshape: Any, bias: bool) -> Any:
    """The weight's gradient; with ``bias``, also the bias's, from the ones row of the columns
    (the sum of g over batch and positions comes out of the same product)."""
    n, o = g.shape[:2]
    groups = geo[3]
    cols = _im2col_np(x, tuple(wshape[2:]), geo, g.shape[2:], ones=bias)
    # N products with a transposed operand (BLAS takes it as is), then a small sum: measured
    # faster than copying both operands into one (N*P)-long product.
    gm = g.reshape(n, groups, o // groups, math.prod(g.shape[2:]))
    if groups == 1:
        dw = np.matmul(gm[:, 0], cols[:, 0].transpose(0, 2, 1)).sum(0)
    else:
        dw = np.matmul(gm, cols.transpose(0, 1, 3, 2)).sum(0)
    if not bias:
        return dw.reshape(wshape)
    return dw[..., :-1].reshape(wshape), B.xp(dw).ascontiguousarray(dw[..., -1]).reshape(o)


def _with_bias(out: Any, b: Tensor | None) -> Tensor:
    if b is not None:
        out += _arr(b).reshape((-1,) + (1,) * (out.ndim - 2))
    return make(out)


def _bias_grad(g: Tensor) -> Tensor:
    return g.sum([0] + list(range(2, g.dim())))


# ----------------------------------------- convolution as three mutually adjoint Functions
# Fused Functions (im2col + one batched matmul) instead of composing views: one node per
# conv, and each backward is another of the three, so higher-order gradients still work.
class _Conv(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, w: Tensor, b: Any, geo: Geo, osize: Any) -> Tensor:
        ctx.save_for_backward(x, w)
        ctx.geo = geo
        return make(_conv_np(_arr(x), _arr(w), None if b is None else _arr(b), geo, osize))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Any, ...]:
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        dx = _ConvInputGrad.apply(g, w, None, ctx.geo, tuple(x.shape)) if nx else None
        if nw and nb:
            dw, db = _ConvWeightGrad.apply(x, g, ctx.geo, tuple(w.shape), True)
        else:
            dw = _ConvWeightGrad.apply(x, g, ctx.geo, tuple(w.shape), False) if nw else None
            db = _bias_grad(g) if nb else None
        return dx, dw, db, None, None


class _ConvInputGrad(Function):
    """The adjoint of convolution in its input: the transposed convolution."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, w: Tensor, b: Any, geo: Geo, xshape: Any) -> Tensor:
        ctx.save_for_backward(g, w)
        ctx.geo = geo
        return _with_bias(_conv_input_grad_np(_arr(g), _arr(w), geo, xshape), b)

    @staticmethod
    def backward(ctx: Any, h: Tensor) -> tuple[Any, ...]:
        g, w = ctx.saved_tensors
        ng, nw, nb = ctx.needs_input_grad[:3]
        dg = _Conv.apply(h, w, None, ctx.geo, tuple(g.shape[2:])) if ng else None
        dw = _ConvWeightGrad.apply(h, g, ctx.geo, tuple(w.shape), False) if nw else None
        return dg, dw, _bias_grad(h) if nb else None, None, None


class _ConvWeightGrad(Function):
    """The weight's gradient and, with ``bias``, the bias's: (x, g) -> dw or (dw, db)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, g: Tensor, geo: Geo, wshape: Any, bias: bool) -> Any:
        ctx.save_for_backward(x, g)
        ctx.geo = geo
        out = _conv_weight_grad_np(_arr(x), _arr(g), geo, wshape, bias)
        return (make(out[0]), make(out[1])) if bias else make(out)

    @staticmethod
    def backward(ctx: Any, k: Tensor, kb: Tensor | None = None) -> tuple[Any, ...]:
        x, g = ctx.saved_tensors
        nx, ng = ctx.needs_input_grad[:2]
        dx = _ConvInputGrad.apply(g, k, None, ctx.geo, tuple(x.shape)) if nx else None
        dg = _Conv.apply(x, k, kb, ctx.geo, tuple(g.shape[2:])) if ng else None
        return dx, dg, None, None, None


class _Im2Col(Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, geo: Geo, ks: Any, osize: Any) -> Tensor:
        ctx.geo, ctx.xshape, ctx.ks = geo, tuple(x.shape), ks
        cols = _im2col_np(_arr(x), ks, geo, osize)
        return make(cols.reshape(x.shape[0], cols.shape[2], cols.shape[3]))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Any, ...]:
        return _Col2Im.apply(g, ctx.geo, ctx.xshape, ctx.ks), None, None, None


class _Col2Im(Function):
    @staticmethod
    def forward(ctx: Any, cols: Tensor, geo: Geo, xshape: Any, ks: Any) -> Tensor:
        stride, pads, dil, _ = geo
        padded = [n + lo + hi for n, (lo, hi) in zip(xshape[2:], pads)]
        osize = tuple(
            (p - d * (k - 1) - 1) // s + 1 for p, k, s, d in zip(padded, ks, stride, dil)
        )
        ctx.geo, ctx.ks, ctx.osize = geo, ks, osize
        c = _arr(cols).reshape(tuple(xshape[:2]) + ks + osize)
        z = _col2im_np(c, xshape, geo)
        return make(B.xp(z).ascontiguousarray(z))

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Any, ...]:
        return _Im2Col.apply(g, ctx.geo, ctx.ks, ctx.osize), None, None, None


# ------------------------------------------------------------------ argument handling
def _tuple(v: Any, n: int, name: str) -> tuple[int, ...]:
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return (int(v[0]),) * n
        if len(v) != n:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {n} values to "
                f"match the convolution dimensions, but got {name}={list(v)}"
            )
        return tuple(int(a) for a in v)
    return (int(v),) * n


def _scalar_name(t: Tensor) -> str:
    """torch's ScalarType name: Long, Int, Byte, Bool, ..."""
    names = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte"}
    name = str(t.dtype).split(".")[-1]
    return names.get(name, name.capitalize())


def _type_name(t: Tensor) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        str(t.dtype).split(".")[-1], str(t.dtype).split(".")[-1]
    )


def _batched(name: str, x: Tensor, nd: int) -> tuple[Tensor, bool]:
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {list(x.shape)}"
        )
    return (x.unsqueeze(0), True) if x.dim() == nd + 1 else (x, False)


def _check_conv(
    x: Tensor, w: Tensor, bias: Any, groups: int, stride: Any, dil: Any, channels: int
) -> None:
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dil):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
            f"0, but got weight of size [{list(w.shape)}] instead"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"Input type ({x.type()}) and weight type ({w.type()}) should be the same or input "
            "should be a MKLDNN tensor and weight is a dense tensor"
        )
    if bias is not None:
        if bias.dim() != 1 or bias.shape[0] != channels:
            raise RuntimeError(
                f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                f"{channels} elements, but got bias of size {list(bias.shape)} instead"
            )
        if bias.dtype != x.dtype:
            raise RuntimeError(
                f"Input type ({_type_name(x)}) and bias type ({_type_name(bias)}) should be the "
                "same"
            )


def _conv(
    name: str,
    nd: int,
    input: Tensor,
    weight: Tensor,
    bias: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> Tensor:
    x, unbatched = _batched(name, input, nd)
    kd = weight.dim() - 2
    stride, dil = _tuple(stride, kd, "stride"), _tuple(dilation, kd, "dilation")
    ks = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * kd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dil, ks)]
            pads = tuple((t // 2, t - t // 2) for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = _tuple(padding, kd, "padding")
        if any(a < 0 for a in p):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((a, a) for a in p)
    _check_conv(x, weight, bias, groups, stride, dil, weight.shape[0])
    if x.shape[1] != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got "
            f"{x.shape[1]} channels instead"
        )
    padded = [n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads)]
    eff = [d * (k - 1) + 1 for d, k in zip(dil, ks)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
            "actual input size"
        )
    osize = tuple((p - e) // s + 1 for p, e, s in zip(padded, eff, stride))
    out = _Conv.apply(x, weight, bias, (stride, pads, dil, groups), osize)
    return out.squeeze(0) if unbatched else out


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation over (N, C, L) or (C, L) input."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation over (N, C, H, W) or (C, H, W) input."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """3-D cross-correlation over (N, C, D, H, W) or (C, D, H, W) input."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(
    name: str,
    nd: int,
    input: Tensor,
    weight: Tensor,
    bias: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    groups: int,
    dilation: Any,
) -> Tensor:
    x, unbatched = _batched(name, input, nd)
    kd = weight.dim() - 2
    stride, dil = _tuple(stride, kd, "stride"), _tuple(dilation, kd, "dilation")
    pad, opad = _tuple(padding, kd, "padding"), _tuple(output_padding, kd, "output_padding")
    if any(a < 0 for a in pad):
        raise RuntimeError("negative padding is not supported")
    _check_conv(x, weight, bias, groups, stride, dil, weight.shape[1] * groups)
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.shape[0]} channels, but got {x.shape[1]} "
            "channels instead"
        )
    if any(o >= s and o >= d for o, s, d in zip(opad, stride, dil)):
        axes = ["height", "width"] if kd == 2 else ["depth", "height", "width"][-kd:]
        parts = [f"output_padding_{a}: {o}" for a, o in zip(axes, opad)]
        parts += [f"stride_{a}: {s}" for a, s in zip(axes, stride)]
        parts += [f"dilation_{a}: {d}" for a, d in zip(axes, dil)]
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            + " ".join(parts)
        )
    ks = weight.shape[2:]
    osize = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + o + 1
        for n, s, p, d, k, o in zip(x.shape[2:], stride, pad, dil, ks, opad)
    )
    if any(o <= 0 for o in osize):
        raise RuntimeError(
            f"Given input size per channel: {list(x.shape[2:])}. Calculated "
            f"output size per channel: {list(osize)}. Output size is too small"
        )
    xshape = (x.shape[0], weight.shape[1] * groups) + osize
    geo = (stride, tuple((p, p) for p in pad), dil, groups)
    out = _ConvInputGrad.apply(x, weight, bias, geo, xshape)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """1-D transposed convolution (the input-gradient of conv1d)."""
    return _conv_transpose(
        "conv_transpose1d",
        1,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """2-D transposed convolution (the input-gradient of conv2d)."""
    return _conv_transpose(
        "conv_transpose2d",
        2,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """3-D transposed convolution (the input-gradient of conv3d)."""
    return _conv_transpose(
        "conv_transpose3d",
        3,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


# ------------------------------------------------------------------------ pooling
def _pool_input(name: str, x: Tensor, nd: int) -> tuple[Tensor, bool]:
    if x.dim() not in (nd + 1, nd + 2):
        if name == "max_pool1d":
            msg = (
                "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
                f"size for input, but got:{list(x.shape)}"
            )
        elif nd == 1:
            msg = (
                f"Expected 2 to 3 dimensions, but got {x.dim()}-dimensional tensor for "
                f"argument #1 'self' (while checking arguments for {name})"
            )
        elif name.startswith("max"):
            msg = f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input"
        else:
            msg = (
                f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim batch "
                f"size for input, but got:{list(x.shape)}"
            )
        raise RuntimeError(msg)
    return (x.unsqueeze(0), True) if x.dim() == nd + 1 else (x, False)


def _pool_geometry(
    name: str,
    x: Tensor,
    nd: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple[Any, ...]:
    """Kernel, stride, padding, dilation and output size of a pooling window."""
    k = _tuple(kernel_size, nd, "kernel_size")
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else None
    s = s or _tuple(stride, nd, "stride")
    p, d = _tuple(padding, nd, "padding"), _tuple(dilation, nd, "dilation")
    if any(a <= 0 for a in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got {k}")
    if any(a == 0 for a in s):
        raise RuntimeError("stride should not be zero")
    osize = []
    for n, ki, si, pi, di in zip(x.shape[2:], k, s, p, d):
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got "
                f"pad={pi}, kernel_size={ki} and dilation={di}"
            )
        span = n + 2 * pi - di * (ki - 1) - 1 + (si - 1 if ceil_mode else 0)
        o = span // si + 1
        if ceil_mode and (o - 1) * si >= n + pi:
            o -= 1
        osize.append(o)
    if any(o <= 0 for o in osize):
        _too_small(name, x, k, p, osize)
    # Right padding that makes every window, ceil_mode's last ones included, fit in memory.
    pads = tuple(
        (pi, max(0, (o - 1) * si + di * (ki - 1) + 1 - n - pi))
        for n, ki, si, pi, di, o in zip(x.shape[2:], k, s, p, d, osize)
    )
    return k, s, p, d, pads, tuple(osize)


def _too_small(name: str, x: Tensor, k: Any, p: Any, osize: Any) -> None:
    if name == "max_pool1d":
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {osize[0]}")
    if name == "avg_pool3d" and any(n + 2 * a < b for n, a, b in zip(x.shape[2:], p, k)):
        t, h, w = x.shape[2:]
        raise RuntimeError(
            f"input image (T: {t} H: {h} W: {w}) smaller than kernel size "
            f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})"
        )
    # torch runs 1-D pooling as 2-D with a unit height, and reports it so.
    unit = [1] if len(osize) == 1 else []
    sizes = "x".join(map(str, [x.shape[1], *unit, *x.shape[2:]]))
    outs = "x".join(map(str, [x.shape[1], *unit, *osize]))
    raise RuntimeError(
        f"Given input size: ({sizes}). Calculated output size: ({outs}). Output size is too small"
    )


def _flat_index(x: Tensor, pos: list[Any]) -> Tensor:
    """Row-major offsets in the spatial dims of ``x`` from per-dim positions."""
    flat = 0
    for a, n in zip(pos, x.shape[2:]):
        flat = flat * n + np.clip(a, 0, n - 1)
    return make(flat.astype(np.int64, copy=False))


def _gather_max(x: Tensor, idx: Tensor, osize: Any, return_indices: bool, unbatched: bool) -> Any:
    # Indices come from NumPy; the values are a gather, so autograd (any order) is the core's.
    n, c = x.shape[:2]
    out = x.flatten(2).gather(2, idx.reshape(n, c, math.prod(osize)))
    out = out.reshape((n, c) + tuple(osize))
    idx = idx.reshape(out.shape)
    if unbatched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


# ------------------------------ max pooling over disjoint windows (stride == kernel size)
def _corners(a: Any, k: tuple[int, ...], osize: tuple[int, ...]) -> list[Any]:
    """The views of ``a`` holding one offset of every window, in kernel (row-major) order."""
    lead = (slice(None),) * (a.ndim - len(k))
    return [
        a[lead + tuple(slice(j, j + o * ki, ki) for j, o, ki in zip(kk, osize, k))]
        for kk in np.ndindex(*k)
    ]


class _PickCorners(Function):
    """x -> its value at the chosen offset (``arg``) of every window; ``best`` holds them."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, best: Any, arg: Any, k: Any) -> Tensor:
        ctx.arg, ctx.k, ctx.xshape = arg, k, tuple(x.shape)
        return make(best)

    @staticmethod
    def backward(ctx: Any, g: Tensor) -> tuple[Any, ...]:
        return _PlaceCorners.apply(g, ctx.arg, ctx.k, ctx.xshape), None, None, None


class _PlaceCorners(Function):
    """g -> zeros of the input's shape with g at the chosen offset of every window."""

    @staticmethod
    def forward(ctx: Any, g: Tensor, arg: Any, k: Any, xshape: Any) -> Tensor:
        ctx.arg, ctx.k = arg, k
        gd = _arr(g)
        osize = gd.shape[-len(k) :]
        if all(o * ki == n for o, ki, n in zip(osize, k, xshape[2:])):
            z = B.xp(gd).empty(xshape, gd.dtype)  # the offsets' views cover every element
        else:
            z = B.zeros(gd, xshape)
        for j, view in enumerate(_corners(z, k, osize)):
            np.multiply(gd, arg == j, out=view)
        return make(z)

    @staticmethod
    def backward(ctx: Any, h: Tensor) -> tuple[Any, ...]:
        hd = _arr(h)
        osize = ctx.arg.shape[-len(ctx.k) :]
        picked = B.zeros(hd, ctx.arg.shape)
        for j, view in enumerate(_corners(hd, ctx.k, osize)):
            np.copyto(picked, view, where=ctx.arg == j)
        return _PickCorners.apply(h, picked, ctx.arg, ctx.k), None, None, None


def _first_max(planes: Any, best: Any) -> Any:
    """The offset of each window's first maximum (torch's pick on ties), as small integers."""
    arg = B.zeros(best, best.shape, np.min_scalar_type(len(planes) - 1))
    # first = b0 * (1 + b1 * (1 + ...)), bj telling that offset j is below the max: a few
    # passes over one-byte arrays instead of a masked write per offset.
    for j in range(len(planes) - 2, -1, -1):
        arg += 1
        arg *= planes[j] != best
    return arg


def _disjoint_max(x: Tensor, k: Any, osize: Any, return_indices: bool, unbatched: bool) -> Any:
    """Max pooling whose windows tile the input: the max over the kernel's offsets (the
    first offset on ties, the last NaN, as torch's scan), and a backward that writes each
    offset's view once, instead of a gather and its scatter over flat indices."""
    xd = _arr(x)
    n, c = xd.shape[:2]
    nd = len(k)
    # Each offset's values made contiguous, (K, N, C, *O), by one copy: the passes that
    # follow run several times faster than over strided views of x.
    tiled = xd[(slice(None), slice(None)) + tuple(slice(0, o * ki) for o, ki in zip(osize, k))]
    split = tiled.reshape((n, c) + tuple(d for pair in zip(osize, k) for d in pair))
    order = tuple(range(3, 2 + 2 * nd, 2)) + (0, 1) + tuple(range(2, 2 + 2 * nd, 2))
    planes = split.transpose(order).reshape((math.prod(k), n, c) + tuple(osize))
    best = planes.max(0)
    arg = _first_max(planes, best)
    if best.dtype.kind in "fc" and bool(np.isnan(best).any()):
        # torch's scan takes every NaN it meets: the last one wins.
        for j in range(len(planes)):
            np.copyto(arg, j, where=np.isnan(planes[j]))
    out = _PickCorners.apply(x, best, arg, tuple(k))
    idx = None
    if return_indices:
        nd = len(k)
        plane = x.shape[2:]
        flat = B.zeros(arg, arg.shape, np.int64)
        for i in range(nd):
            shape = [-1 if j == i else 1 for j in range(nd)]
            pos = B.xp(arg).arange(osize[i]).reshape(shape) * k[i]
            pos = pos + arg // math.prod(k[i + 1 :]) % k[i]
            flat = flat * plane[i] + pos
        idx = make(flat)
    if unbatched:
        out = out.squeeze(0)
        idx = None if idx is None else idx.squeeze(0)
    return (out, idx) if return_indices else out


def _lowest(dtype: Any) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _max_pool(
    name: str,
    nd: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    x, unbatched = _pool_input(name, input, nd)
    k, s, p, d, pads, osize = _pool_geometry(
        name, x, nd, kernel_size, stride, padding, dilation, ceil_mode
    )
    if tuple(s) == tuple(k) and not any(p) and all(di == 1 for di in d):
        return _disjoint_max(x, k, osize, return_indices, unbatched)
    xd = _arr(x)
    xp = B.xp(xd)
    win = _windows_np(_pad_np(xd, pads, _lowest(xd.dtype)), k, (s, pads, d, 1), osize)
    # A running max over kernel offsets, each pass one whole-array op; like torch, a NaN wins.
    head = (slice(None), slice(None))
    best = arg = None
    for j, kk in enumerate(np.ndindex(*k)):
        v = win[head + kk]
        if best is None:
            best, arg = v.copy(), xp.zeros(v.shape, np.int64)
            continue
        upd = v > best
        if xd.dtype.kind == "f":
            upd |= np.isnan(v)
        np.copyto(best, v, where=upd)
        np.copyto(arg, j, where=upd)
    # Row-major offsets are linear in position: window origin plus kernel offset.
    mult = [math.prod(x.shape[3 + i :]) for i in range(nd)]
    koff = sum(xp.indices(k).reshape(nd, -1)[i] * d[i] * mult[i] for i in range(nd))
    base = sum(
        ((xp.arange(o) * s[i] - p[i]) * mult[i]).reshape([-1 if j == i else 1 for j in range(nd)])
        for i, o in enumerate(osize)
    )
    flat = np.clip(base + koff[arg], 0, math.prod(x.shape[2:]) - 1)
    return _gather_max(x, make(flat), osize, return_indices, unbatched)


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over sliding 1-D windows; ``return_indices`` also gives each maximum's position."""
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over sliding 2-D windows; indices are flat offsets into each H*W plane."""
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over sliding 3-D windows."""
    return _max_pool(
        "max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool1d_with_indices(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = True,
) -> Any:
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = True,
) -> Any:
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(
    name: str,
    nd: int,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Any,
) -> Tensor:
    x, unbatched = _pool_input(name, input, nd)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    k, s, p, _, pads, osize = _pool_geometry(
        name, x, nd, kernel_size, stride, padding, 1, ceil_mode
    )
    n, c = x.shape[:2]
    # Window sums are a one-channel convolution with a ones kernel: the fast conv path.
    ones = ndgrad.ones((1, 1) + k, dtype=x.dtype, device=x.device)
    geo = (s, pads, (1,) * nd, 1)
    sums = _Conv.apply(x.reshape((n * c, 1) + tuple(x.shape[2:])), ones, None, geo, osize)
    sums = sums.reshape((n, c) + osize)
    if divisor_override is not None:
        out = sums / divisor_override
    else:
        counts = []
        for size, ki, si, pi, o in zip(x.shape[2:], k, s, p, osize):
            start = np.arange(o) * si - pi
            end = np.minimum(start + ki, size + pi)
            if count_include_pad:
                counts.append(end - start)
            else:
                counts.append(np.minimum(end, size) - np.maximum(start, 0))
        div = counts[0]
        for cnt in counts[1:]:
            div = np.multiply.outer(div, cnt)
        if np.all(div == div.flat[0]):
            out = sums / int(div.flat[0])
        else:
            out = sums / _on(div.astype(_arr(sums).dtype), sums)
    return out.squeeze(0) if unbatched else out


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over sliding 1-D windows."""
    return _avg_pool(
        "avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over sliding 2-D windows."""
    return _avg_pool(
        "avg_pool2d",
        2,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def avg_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over sliding 3-D windows."""
    return _avg_pool(
        "avg_pool3d",
        3,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def lp_pool1d(
    input: Tensor, norm_type: float, kernel_size: int, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """Power-average pooling: (sum of x**p over each window) ** (1/p)."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kernel_size).pow(1.0 / norm_type)


def lp_pool2d(
    input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False
) -> Tensor:
    """Power-average pooling over 2-D windows."""
    kh, kw = _tuple(kernel_size, 2, "kernel_size")
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def _bins(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """Adaptive pooling's bins: [floor(i*n/o), ceil((i+1)*n/o)) for each output i."""
    i = np.arange(o)
    return (i * n) // o, ((i + 1) * n + o - 1) // o


def _adaptive_input(name: str, x: Tensor, nd: int, output_size: Any) -> tuple[Any, ...]:
    if x.dim() not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(
                f"Expected 2 to 3 dimensions, but got {x.dim()}-dimensional tensor for "
                f"argument #1 'self' (while checking arguments for {name})"
            )
        sep = ":" if name.startswith("adaptive_max") else ""
        raise RuntimeError(
            f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{sep} {list(x.shape)}"
        )
    for i in range(1 if x.dim() == nd + 2 else 0, x.dim()):
        if x.shape[i] == 0:
            raise RuntimeError(
                f"{name}(): Expected input to have non-zero size for non-batch dimensions, "
                f"but input has sizes {list(x.shape)} with dimension {i} being empty"
            )
    unbatched = x.dim() == nd + 1
    x = x.unsqueeze(0) if unbatched else x
    sizes = output_size if isinstance(output_size, (list, tuple)) else (output_size,) * nd
    if len(sizes) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    osize = tuple(n if o is None else int(o) for n, o in zip(x.shape[2:], sizes))
    return x, unbatched, osize


def _adaptive_avg(name: str, nd: int, input: Tensor, output_size: Any) -> Tensor:
    x, unbatched, osize = _adaptive_input(name, input, nd, output_size)
    dt = _arr(x).dtype
    # Bins are rectangles, so the mean is separable: one averaging matrix per spatial dim.
    for axis, (n, o) in enumerate(zip(x.shape[2:], osize)):
        if n == o:
            continue
        start, end = _bins(n, o)
        j = np.arange(n)
        a = ((j >= start[:, None]) & (j < end[:, None])) / (end - start)[:, None]
        x = _apply_matrix(x, _on(a.astype(dt), x), 2 + axis)
    return x.squeeze(0) if unbatched else x


def _apply_matrix(x: Tensor, a: Tensor, dim: int) -> Tensor:
    """Contract dim ``dim`` of ``x`` with the rows of ``a`` (out, in)."""
    if dim == x.dim() - 1:
        return x.matmul(a.t())
    if dim == x.dim() - 2:
        return a.matmul(x)
    return a.matmul(x.transpose(dim, -2)).transpose(dim, -2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over ``output_size`` near-equal bins of the last dim."""
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over an ``output_size`` grid of near-equal bins."""
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over an ``output_size`` grid of near-equal 3-D bins."""
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


def _adaptive_max(name: str, nd: int, input: Tensor, output_size: Any, ret: bool) -> Any:
    x, unbatched, osize = _adaptive_input(name, input, nd, output_size)
    xd = _arr(x)
    xp = B.xp(xd)
    # Each bin padded to the widest by repeating its last element: a max is unchanged.
    index, widths = [], []
    for axis, (n, o) in enumerate(zip(x.shape[2:], osize)):
        start, end = _bins(n, o)
        width = int((end - start).max())
        idx = np.minimum(start[:, None] + np.arange(width), end[:, None] - 1)
        shape = [1] * (2 * nd)
        shape[2 * axis], shape[2 * axis + 1] = o, width
        index.append(B.asarray(idx.reshape(shape), xd))
        widths.append(width)
    win = xd[(slice(None), slice(None)) + tuple(index)]  # (N, C, O1, K1, O2, K2, ...)
    order = [0, 1] + [2 + 2 * i for i in range(nd)] + [3 + 2 * i for i in range(nd)]
    n, c = xd.shape[:2]
    arg = win.transpose(order).reshape(n, c, math.prod(osize), math.prod(widths)).argmax(-1)
    offs = np.unravel_index(arg, widths)
    grid = xp.indices(osize).reshape(nd, -1)
    pos = [idx.reshape(idx.shape[2 * i], -1)[grid[i], offs[i]] for i, idx in enumerate(index)]
    return _gather_max(x, _flat_index(x, pos), osize, ret, unbatched)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over ``output_size`` near-equal bins of the last dim."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over an ``output_size`` grid of near-equal bins."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(
    input: Tensor, output_size: Any, return_indices: bool = True
) -> Any:
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(
    input: Tensor, output_size: Any, return_indices: bool = True
) -> Any:
    return adaptive_max_pool2d(input, output_size, True)


# ------------------------------------------------------------------------ padding
def _pad_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1) if n > 1 else 1
        i = np.abs(i) % period
        return np.where(i >= n, period - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    # circular crops first, then wraps within what is left (as torch)
    m = n + min(lo, 0) + min(hi, 0)
    return max(-lo, 0) + (np.arange(-max(lo, 0), m + max(hi, 0)) % m)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad (or crop, for negative amounts) trailing dims; ``pad`` lists the last dim first."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input.dim()
    if len(pad) > 2 * nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {nd}"
        )
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]
    if mode == "constant":
        return _pad_constant(input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pairs)
    if k > 3 or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    out = input
    for i, (lo, hi) in enumerate(pairs):
        dim = nd - 1 - i
        n = input.shape[dim]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input "
                f"{list(input.shape)}"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if lo or hi:
            out = out.index_select(dim, _on(_pad_index(n, lo, hi, mode), input))
    return out


def _pad_constant(x: Tensor, pairs: list[tuple[int, int]], value: Any) -> Tensor:
    nd = x.dim()
    shape = list(x.shape)
    src = [slice(None)] * nd
    dst = [slice(None)] * nd
    for i, (lo, hi) in enumerate(pairs):
        dim = nd - 1 - i
        n = shape[dim]
        size = n + lo + hi
        if size < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        shape[dim] = size
        src[dim] = slice(max(-lo, 0), n - max(-hi, 0))
        dst[dim] = slice(max(lo, 0), max(lo, 0) + max(n - max(-lo, 0) - max(-hi, 0), 0))
    if all(lo >= 0 and hi >= 0 for lo, hi in pairs) and not any(lo or hi for lo, hi in pairs):
        return x.clone()
    out = ndgrad.full(shape, value, dtype=x.dtype, device=x.device)
    out[tuple(dst)] = x[tuple(src)]
    return out


# --------------------------------------------------------------------- resampling
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


def _resample_matrix(n: int, o: int, scale: Any, mode: str, align: bool, dt: Any) -> np.ndarray:
    """The (o, n) matrix that resamples one dim, computed in the input's float precision."""
    dst = np.arange(o, dtype=dt)
    if align:
        ratio = dt.type((n - 1) / (o - 1)) if o > 1 else dt.type(0)
    else:
        ratio = dt.type(1.0 / scale) if scale is not None else dt.type(n) / dt.type(o)
    a = np.zeros((o, n), dt)
    rows = np.arange(o)
    if mode == "bicubic":
        src = ratio * dst if align else ratio * (dst + dt.type(0.5)) - dt.type(0.5)
        i0 = np.floor(src)
        t = src - i0
        for tap, w in enumerate(_cubic_weights(t, dt)):
            np.add.at(a, (rows, np.clip(i0.astype(np.int64) - 1 + tap, 0, n - 1)), w)
        return a
    src = ratio * dst if align else np.maximum(ratio * (dst + dt.type(0.5)) - dt.type(0.5), 0)
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < n - 1)
    lam = np.clip(src - i0, 0, 1).astype(dt)
    a[rows, i0] = 1 - lam
    a[rows, i1] += lam
    return a


def _cubic_weights(t: np.ndarray, dt: Any) -> list[np.ndarray]:
    A = dt.type(-0.75)

    def near(x: np.ndarray) -> np.ndarray:
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    one = dt.type(1)
    return [far(t + one), near(t), near(one - t), far(2 * one - t)]


def _nearest_index(n: int, o: int, scale: Any, exact: bool) -> np.ndarray:
    f32 = np.float32
    ratio = f32(1.0 / scale) if scale is not None else f32(n) / f32(o)
    dst = np.arange(o, dtype=f32) + (f32(0.5) if exact else f32(0))
    return np.minimum(np.floor(dst * ratio).astype(np.int64), n - 1)


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims to ``size`` or by ``scale_factor`` (nearest, linear, cubic, area)."""
    nd = input.dim() - 2
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = list(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format."
                )
            osize = [int(s) for s in size]
        else:
            osize = [int(size)] * nd
        scales: list[Any] = [None] * nd
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * nd
        osize = [math.floor(n * s) for n, s in zip(spatial, scales)]
        if recompute_scale_factor:
            scales = [None] * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode in _LINEAR and nd != _LINEAR[mode]:
        raise NotImplementedError(
            f"Got {input.dim()}D input, but {mode} mode needs {_LINEAR[mode] + 2}D input"
        )
    if nd not in (1, 2, 3) or mode not in ("nearest", "nearest-exact", "area", *_LINEAR):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            f"the modes: {_MODES} (got {mode})"
        )
    if not mode.startswith("nearest") and not input.is_floating_point():
        kind = {"area": "adaptive_avg_pool2d", "linear": "compute_indices_weights_linear"}
        raise NotImplementedError(
            f"\"{kind.get(mode, f'upsample_{mode}')}\" not implemented for '{_scalar_name(input)}'"
        )
    if mode == "area":
        return _adaptive_avg(f"adaptive_avg_pool{nd}d", nd, input, tuple(osize))
    x = input
    dt = _arr(input).dtype
    for axis, (n, o, sc) in enumerate(zip(spatial, osize, scales)):
        if mode.startswith("nearest"):
            if n == o and (sc is None or sc == 1):
                continue
            idx = _nearest_index(n, o, sc, mode == "nearest-exact")
            x = x.index_select(2 + axis, _on(idx, input))
        else:
            a = _resample_matrix(n, o, sc, mode, bool(align_corners), dt)
            x = _apply_matrix(x, _on(a, input), 2 + axis)
    return x


def upsample(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Deprecated alias of ``interpolate``."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` "
        "instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ------------------------------------------------------------------ im2col / col2im
def _fold_geo(kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple[Any, ...]:
    ks = _tuple(kernel_size, 2, "kernel_size")
    d, p, s = (
        _tuple(a, 2, n)
        for a, n in ((dilation, "dilation"), (padding, "padding"), (stride, "stride"))
    )
    return ks, (s, ((p[0], p[0]), (p[1], p[1])), d, 1), d, p, s


def unfold(
    input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """im2col: every sliding block of (N, C, H, W) as a column of (N, C*kh*kw, L)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)"
        )
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    ks, geo, d, p, s = _fold_geo(kernel_size, dilation, padding, stride)
    osize = tuple(
        (n + 2 * pi - di * (k - 1) - 1) // si + 1
        for n, k, pi, di, si in zip(x.shape[2:], ks, p, d, s)
    )
    if any(o < 1 for o in osize):
        raise RuntimeError(
            f"Given input with spatial size {tuple(x.shape[2:])}, kernel_size={ks}, "
            f"dilation={d}, padding={p}, calculated shape of the array of sliding blocks as "
            f"{osize}, but its components must be at least one."
        )
    out = _Im2Col.apply(x, geo, ks, osize)
    return out.squeeze(0) if unbatched else out


def fold(
    input: Tensor,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """col2im: sum (N, C*kh*kw, L) blocks into an (N, C, H, W) image (adjoint of unfold)."""
    if input.dim() not in (2, 3) or any(n == 0 for n in input.shape[-2:]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    unbatched = input.dim() == 2
    x = input.unsqueeze(0) if unbatched else input
    size = _tuple(output_size, 2, "output_size")
    ks, geo, d, p, s = _fold_geo(kernel_size, dilation, padding, stride)
    kk = ks[0] * ks[1]
    if x.shape[1] % kk:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size={ks}."
        )
    blocks = [
        (n + 2 * pi - di * (k - 1) - 1) // si + 1 for n, k, pi, di, si in zip(size, ks, p, d, s)
    ]
    if blocks[0] * blocks[1] != x.shape[2]:
        raise RuntimeError(
            f"Given output_size={size}, kernel_size={ks}, dilation={d}, padding={p}, "
            f"stride={s}, expected size of input's dimension 2 to match the calculated number "
            f"of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
            f"input.size(2)={x.shape[2]}."
        )
    xshape = (x.shape[0], x.shape[1] // kk) + size
    out = _Col2Im.apply(x, geo, xshape, ks)
    return out.squeeze(0) if unbatched else out


# ------------------------------------------------------------------ pixel shuffle
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    b = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of ``pixel_shuffle``."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    *batch, c, h, w = input.shape
    if h % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={h} is not divisible by {r}"
        )
    if w % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={w} is not divisible by {r}"
        )
    b = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return x.reshape(*batch, c * r * r, h // r, w // r)
