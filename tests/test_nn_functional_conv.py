"""nn.functional convolution, pooling, padding, resampling and im2col against torch."""

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck

DTYPES = ["float32", "float64"]


def _check(fn, *arrays, dtype="float64", atol=None, indices=False):
    """Run fn(lib, F, *tensors) in torch and ndgrad; compare outputs and input gradients."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    rng = np.random.default_rng(0)
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
    ts = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ns = [ndgrad.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    to, no = fn(torch, TF, *ts), fn(ndgrad, F, *ns)
    if indices:
        np.testing.assert_array_equal(no[1].numpy(), to[1].numpy())
        assert no[1].dtype == ndgrad.int64
        to, no = to[0], no[0]
    tol = atol if atol is not None else (1e-5 if dtype == "float32" else 1e-10)
    assert tuple(no.shape) == tuple(to.shape)
    assert str(no.dtype) == str(to.dtype).replace("torch", "ndgrad")
    _close(no, to, tol)
    go = rng.standard_normal(tuple(to.shape)).astype(dtype)
    to.backward(torch.tensor(go))
    no.backward(ndgrad.tensor(go))
    for t, n in zip(ts, ns):
        if t.grad is not None:
            _close(n.grad, t.grad, tol)


def _close(got, expected, tol):
    # float32 sums of many terms: the error scales with the magnitudes involved.
    want = expected.detach().numpy()
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=tol, atol=tol * scale)


def _raises_like(fn):
    """fn(lib, F) raises the same exception type and message in torch and ndgrad."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    with pytest.raises(Exception) as expected:
        fn(torch, TF)
    with pytest.raises(expected.type) as got:
        fn(ndgrad, F)
    assert str(got.value) == str(expected.value).replace("torch.", "ndgrad.")


def _rand(*shape):
    return np.random.default_rng(sum(shape) + len(shape)).standard_normal(shape)


# ------------------------------------------------------------------ fixed values
def test_conv2d_fixed_values():
    x = ndgrad.arange(16.0).reshape(1, 1, 4, 4)
    w = ndgrad.ones(1, 1, 2, 2)
    y = F.conv2d(x, w, ndgrad.tensor([1.0]), stride=2)
    assert y.tolist() == [[[[11.0, 19.0], [43.0, 51.0]]]]
    y = F.conv2d(x, w, padding=1)
    assert y.shape == (1, 1, 5, 5) and y[0, 0, 0].tolist() == [0.0, 1.0, 3.0, 5.0, 3.0]


def test_conv_weight_grad_fixed():
    x = ndgrad.arange(9.0).reshape(1, 1, 9)
    w = ndgrad.tensor([[[1.0, -1.0]]], requires_grad=True)
    F.conv1d(x, w, dilation=3).sum().backward()
    assert w.grad.tolist() == [[[15.0, 33.0]]]


def test_conv_transpose_fixed_values():
    x = ndgrad.tensor([[[1.0, 2.0]]])
    w = ndgrad.tensor([[[1.0, 10.0, 100.0]]])
    assert F.conv_transpose1d(x, w, stride=2).tolist() == [[[1.0, 10.0, 102.0, 20.0, 200.0]]]


def test_pool_fixed_values():
    x = ndgrad.arange(16.0).reshape(1, 1, 4, 4)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert out.tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert idx.tolist() == [[[[5, 7], [13, 15]]]]
    assert F.avg_pool2d(x, 2).tolist() == [[[[2.5, 4.5], [10.5, 12.5]]]]
    assert F.adaptive_avg_pool2d(x, 1).item() == 7.5
    assert F.adaptive_max_pool2d(x, (1, 2)).tolist() == [[[[13.0, 15.0]]]]


def test_pad_fixed_values():
    x = ndgrad.tensor([[[1.0, 2.0, 3.0]]])
    assert F.pad(x, (2, 1), value=9.0).tolist() == [[[9.0, 9.0, 1.0, 2.0, 3.0, 9.0]]]
    assert F.pad(x, (2, 1), mode="reflect").tolist() == [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    assert F.pad(x, (2, 1), mode="replicate").tolist() == [[[1.0, 1.0, 1.0, 2.0, 3.0, 3.0]]]
    assert F.pad(x, (2, 1), mode="circular").tolist() == [[[2.0, 3.0, 1.0, 2.0, 3.0, 1.0]]]
    assert F.pad(x, (-1, 0)).tolist() == [[[2.0, 3.0]]]


def test_interpolate_fixed_values():
    x = ndgrad.tensor([[[0.0, 1.0, 2.0]]])
    assert F.interpolate(x, scale_factor=2).tolist() == [[[0.0, 0.0, 1.0, 1.0, 2.0, 2.0]]]
    y = F.interpolate(x, size=5, mode="linear", align_corners=True)
    assert y.tolist() == [[[0.0, 0.5, 1.0, 1.5, 2.0]]]


def test_fold_unfold_fixed_values():
    x = ndgrad.arange(9.0).reshape(1, 1, 3, 3)
    cols = F.unfold(x, 2)
    assert cols.shape == (1, 4, 4) and cols[0, :, 0].tolist() == [0.0, 1.0, 3.0, 4.0]
    # Each pixel's count of covering windows: fold(unfold(ones)).
    counts = F.fold(F.unfold(ndgrad.ones(1, 1, 3, 3), 2), (3, 3), 2)
    assert counts.tolist() == [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]


def test_pixel_shuffle_roundtrip():
    x = ndgrad.arange(32.0).reshape(2, 4, 2, 2)
    y = F.pixel_shuffle(x, 2)
    assert y.shape == (2, 1, 4, 4) and y[0, 0, 0].tolist() == [0.0, 4.0, 1.0, 5.0]
    assert F.pixel_unshuffle(y, 2).equal(x)


# --------------------------------------------------------- higher-order gradients
def _leaf(*shape):
    return ndgrad.tensor(_rand(*shape), requires_grad=True)


def test_conv_double_backward():
    x, w, b = _leaf(2, 4, 6, 5), _leaf(6, 2, 3, 2), _leaf(6)

    def conv(x, w, b):
        return F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)

    assert gradcheck(conv, (x, w, b))
    assert gradgradcheck(conv, (x, w, b))
    wt = _leaf(4, 3, 3, 2)

    def conv_t(x, w, b):
        return F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2)

    assert gradcheck(conv_t, (x, wt, b))
    assert gradgradcheck(conv_t, (x, wt, b))


def test_fold_unfold_pool_double_backward():
    x = _leaf(2, 3, 6, 5)

    def roundtrip(x):
        cols = F.unfold(x, (2, 3), padding=1, stride=(2, 1))
        return F.fold(cols, (6, 5), (2, 3), padding=1, stride=(2, 1))

    assert gradgradcheck(roundtrip, (x,))
    assert gradgradcheck(lambda x: F.max_pool2d(x, 3, 2, 1), (x,))
    assert gradgradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), (x,))
    assert gradgradcheck(lambda x: F.interpolate(x, scale_factor=1.5, mode="bicubic"), (x,))


# ------------------------------------------------------------------ vs torch
CONV_CASES = [
    ((2, 3, 8, 8), (4, 3, 3, 3), {}),
    ((2, 4, 9, 7), (6, 2, 3, 2), dict(stride=2, padding=(1, 2), dilation=(2, 1), groups=2)),
    ((2, 4, 9, 7), (4, 1, 4, 2), dict(padding="same", dilation=2, groups=4)),
    ((2, 4, 9, 7), (5, 4, 2, 3), dict(padding="valid", stride=(3, 1))),
    ((2, 3, 11), (5, 3, 3), dict(stride=3, padding=2)),
    ((3, 11), (6, 3, 4), dict(padding="same", dilation=3)),
    ((2, 2, 5, 6, 7), (4, 2, 2, 3, 2), dict(stride=(1, 2, 1), padding=1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xs,ws,kw", CONV_CASES)
def test_conv_vs_torch(xs, ws, kw, dtype):
    name = {2: "conv1d", 3: "conv1d", 4: "conv2d", 5: "conv3d"}[len(xs)]
    _check(
        lambda lib, f, x, w, b: getattr(f, name)(x, w, b, **kw),
        _rand(*xs),
        _rand(*ws),
        _rand(ws[0]),
        dtype=dtype,
    )


CONV_T_CASES = [
    ((2, 3, 5, 4), (3, 2, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    (
        (2, 6, 5, 4),
        (6, 2, 3, 2),
        dict(stride=(2, 3), padding=(1, 0), output_padding=(0, 2), groups=3, dilation=(1, 2)),
    ),  # fmt: skip
    ((2, 3, 10), (3, 4, 3), dict(stride=3, padding=2, output_padding=1, dilation=2)),
    ((3, 5, 4), (3, 2, 3, 3), dict(output_padding=1, dilation=2)),
    ((1, 2, 3, 4, 3), (2, 2, 2, 3, 2), dict(stride=2, padding=(0, 1, 0))),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("xs,ws,kw", CONV_T_CASES)
def test_conv_transpose_vs_torch(xs, ws, kw, dtype):
    nd = len(ws) - 2
    name = f"conv_transpose{nd}d"
    groups = kw.get("groups", 1)
    _check(
        lambda lib, f, x, w, b: getattr(f, name)(x, w, b, **kw),
        _rand(*xs),
        _rand(*ws),
        _rand(ws[1] * groups),
        dtype=dtype,
    )


POOL_CASES = [
    lambda lib, f, x: f.max_pool2d(x, 3, 2, 1, return_indices=True),
    lambda lib, f, x: f.max_pool2d(x, (3, 2), (2, 3), 1, (2, 1), True, True),
    lambda lib, f, x: f.max_pool2d(x[0], 2, return_indices=True),
    lambda lib, f, x: f.max_pool1d(x.flatten(2), 3, 2, 1, ceil_mode=True, return_indices=True),
    lambda lib, f, x: f.max_pool3d(x[None], (2, 2, 3), 1, return_indices=True),
    lambda lib, f, x: f.adaptive_max_pool2d(x, (4, 5), return_indices=True),
    lambda lib, f, x: f.adaptive_max_pool2d(x, (12, 11), return_indices=True),
    lambda lib, f, x: f.adaptive_max_pool1d(x[:, :, 0], 4, return_indices=True),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", range(len(POOL_CASES)))
def test_max_pool_vs_torch(case, dtype):
    _check(POOL_CASES[case], _rand(2, 3, 9, 8), dtype=dtype, indices=True)


AVG_CASES = [
    lambda lib, f, x: f.avg_pool2d(x, 3, 2, 1),
    lambda lib, f, x: f.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
    lambda lib, f, x: f.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
    lambda lib, f, x: f.avg_pool2d(x, (2, 3), 1, (1, 0), divisor_override=5),
    lambda lib, f, x: f.avg_pool2d(x[0], 2),
    lambda lib, f, x: f.avg_pool1d(x[:, :, 1], 4, 3, 2, ceil_mode=True, count_include_pad=False),
    lambda lib, f, x: f.avg_pool3d(x[None], 2, (1, 2, 1), 1),
    lambda lib, f, x: f.lp_pool2d(x.abs() + 0.1, 2, 3, 2),
    lambda lib, f, x: f.lp_pool1d(x[:, :, 0].abs() + 0.1, 3, 3),
    lambda lib, f, x: f.adaptive_avg_pool2d(x, (4, 5)),
    lambda lib, f, x: f.adaptive_avg_pool2d(x, (None, 3)),
    lambda lib, f, x: f.adaptive_avg_pool2d(x, 1),
    lambda lib, f, x: f.adaptive_avg_pool1d(x[:, :, 0], 7),
    lambda lib, f, x: f.adaptive_avg_pool3d(x[None], (2, 3, 4)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", range(len(AVG_CASES)))
def test_avg_pool_vs_torch(case, dtype):
    _check(AVG_CASES[case], _rand(2, 3, 9, 8), dtype=dtype)


PAD_CASES = [
    ((2, 1, 3, 0), "constant", None),
    ((-2, 1, 3, -1), "constant", 2.5),
    ((1, 1, 1, 1, 1, 1), "constant", None),
    ((2, 1, 3, 0), "reflect", None),
    ((2, 1, 3, 0), "replicate", None),
    ((2, 1, 3, 0), "circular", None),
    ((-2, 1), "circular", None),
    ((2, -1), "reflect", None),
    ((3, 2), "replicate", None),
    ((1, 2, 1, 0, 2, 1), "replicate", None),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pads,mode,value", PAD_CASES)
def test_pad_vs_torch(pads, mode, value, dtype):
    x = _rand(2, 3, 5, 6) if len(pads) > 2 or mode == "constant" else _rand(2, 3, 5)
    _check(lambda lib, f, x: f.pad(x, pads, mode=mode, value=value), x, dtype=dtype)


INTERP_CASES = [
    (2, dict(size=(5, 13), mode="nearest")),
    (2, dict(scale_factor=1.7, mode="nearest")),
    (2, dict(scale_factor=(0.5, 2.5), mode="nearest-exact")),
    (2, dict(size=(5, 13), mode="bilinear")),
    (2, dict(size=(5, 13), mode="bilinear", align_corners=True)),
    (2, dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True)),
    (2, dict(scale_factor=(0.6, 2.0), mode="bilinear")),
    (2, dict(size=(11, 3), mode="bicubic")),
    (2, dict(size=(11, 3), mode="bicubic", align_corners=True)),
    (2, dict(size=(4, 6), mode="area")),
    (1, dict(size=17, mode="linear")),
    (1, dict(scale_factor=0.4, mode="linear", align_corners=True)),
    (1, dict(scale_factor=3, mode="nearest")),
    (3, dict(size=(3, 4, 5), mode="trilinear")),
    (3, dict(scale_factor=1.5, mode="nearest")),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nd,kw", INTERP_CASES)
def test_interpolate_vs_torch(nd, kw, dtype):
    shape = {1: (2, 3, 7), 2: (2, 3, 6, 5), 3: (1, 2, 4, 3, 5)}[nd]
    _check(lambda lib, f, x: f.interpolate(x, **kw), _rand(*shape), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unfold_fold_pixel_shuffle_vs_torch(dtype):
    x = _rand(2, 3, 9, 8)
    _check(lambda lib, f, x: f.unfold(x, (2, 3), (2, 1), 1, (2, 1)), x, dtype=dtype)
    _check(lambda lib, f, x: f.unfold(x[0], 3, stride=2), x, dtype=dtype)
    cols = _rand(2, 12, 32)
    _check(lambda lib, f, c: f.fold(c, (6, 7), 2, 1, 1, (2, 1)), cols, dtype=dtype)
    _check(lambda lib, f, c: f.fold(c[0], (5, 5), 2, 2, 0, 1), _rand(2, 12, 9), dtype=dtype)
    _check(lambda lib, f, x: f.pixel_shuffle(x, 2), _rand(2, 8, 3, 4), dtype=dtype)
    _check(lambda lib, f, x: f.pixel_unshuffle(x, 2), _rand(3, 4, 6), dtype=dtype)


def test_conv_mnist_shape_vs_torch():
    # The benchmark shape: 1 -> 16 channels, 3x3, pad 1, batch 32.
    _check(
        lambda lib, f, x, w, b: lib.relu(f.conv2d(x, w, b, padding=1)),
        _rand(32, 1, 28, 28),
        _rand(16, 1, 3, 3),
        _rand(16),
        dtype="float32",
    )


# ------------------------------------------------------------------ errors
ERRORS = [
    lambda lib, f: f.conv2d(lib.randn(2, 3), lib.randn(4, 3, 3, 3)),
    lambda lib, f: f.conv2d(lib.randn(2, 4, 8, 8), lib.randn(16, 3, 3, 3)),
    lambda lib, f: f.conv2d(lib.randn(4, 8, 8), lib.randn(16, 3, 3, 3)),
    lambda lib, f: f.conv2d(lib.randn(2, 4, 8, 8), lib.randn(6, 2, 3, 3), groups=4),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 2, 2), lib.randn(4, 3, 3, 3)),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 5, 5), lib.randn(4, 3, 3, 3), dilation=3),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), lib.randn(5)),
    lambda lib, f: f.conv2d(
        lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), padding="same", stride=2
    ),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), padding="foo"),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), padding=-1),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), stride=0),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), dilation=0),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), groups=0),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3).double()),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), lib.randn(4).double()),
    lambda lib, f: f.conv2d(lib.randn(2, 3, 8, 8), lib.randn(4, 3, 3, 3), stride=(1, 1, 1)),
    lambda lib, f: f.conv1d(lib.randn(2, 3, 4, 4), lib.randn(4, 3, 3)),
    lambda lib, f: f.conv_transpose2d(lib.randn(2, 4, 8, 8), lib.randn(3, 2, 3, 3)),
    lambda lib, f: f.conv_transpose2d(
        lib.randn(2, 3, 8, 8), lib.randn(3, 2, 3, 3), output_padding=1
    ),  # fmt: skip
    lambda lib, f: f.conv_transpose2d(lib.randn(2, 3, 8, 8), lib.randn(3, 2, 3, 3), groups=2),
    lambda lib, f: f.conv_transpose2d(lib.randn(3, 8), lib.randn(3, 2, 3, 3)),
    lambda lib, f: f.max_pool2d(lib.randn(1, 1, 8, 8), 3, padding=2),
    lambda lib, f: f.max_pool2d(lib.randn(8, 8), 3),
    lambda lib, f: f.max_pool2d(lib.randn(1, 1, 2, 2), 3),
    lambda lib, f: f.max_pool2d(lib.randn(1, 1, 8, 8), 3, stride=0),
    lambda lib, f: f.max_pool1d(lib.randn(8), 3),
    lambda lib, f: f.max_pool1d(lib.randn(1, 1, 2), 3),
    lambda lib, f: f.max_pool3d(lib.randn(1, 1, 2, 2, 2), 3),
    lambda lib, f: f.avg_pool3d(lib.randn(1, 1, 2, 2, 2), 3),
    lambda lib, f: f.avg_pool2d(lib.randn(1, 1, 8, 8), 3, padding=2),
    lambda lib, f: f.avg_pool2d(lib.randn(8, 8, 8, 8, 8), 3),
    lambda lib, f: f.avg_pool2d(lib.randn(1, 1, 2, 2), 3),
    lambda lib, f: f.avg_pool2d(lib.randn(1, 1, 8, 8), 3, divisor_override=0),
    lambda lib, f: f.avg_pool1d(lib.randn(8), 3),
    lambda lib, f: f.avg_pool1d(lib.randn(1, 1, 2), 3),
    lambda lib, f: f.adaptive_avg_pool2d(lib.randn(8), 3),
    lambda lib, f: f.adaptive_avg_pool2d(lib.randn(1, 1, 0, 4), 3),
    lambda lib, f: f.adaptive_max_pool2d(lib.randn(8), 3),
    lambda lib, f: f.adaptive_avg_pool1d(lib.randn(8), 3),
    lambda lib, f: f.interpolate(lib.randn(1, 1, 4, 4), size=3, scale_factor=2),
    lambda lib, f: f.interpolate(lib.randn(1, 1, 4, 4)),
    lambda lib, f: f.interpolate(lib.randn(1, 1, 4, 4), size=3, align_corners=True),
    lambda lib, f: f.interpolate(lib.randn(1, 1, 4), size=3, mode="bilinear"),
    lambda lib, f: f.interpolate(lib.randn(1, 1, 4, 4), size=3, mode="linear"),
    lambda lib, f: f.interpolate(lib.randn(1, 1, 4, 4), size=3, mode="foo"),
    lambda lib, f: f.interpolate(lib.randn(1, 1, 4, 4), size=(3, 3, 3)),
    lambda lib, f: f.interpolate(lib.randn(1, 1, 4, 4), scale_factor=(2.0, 2.0, 2.0)),
    lambda lib, f: f.interpolate(lib.randn(4, 4), size=3),
    lambda lib, f: f.interpolate(lib.arange(4).view(1, 1, 4), size=6, mode="linear"),
    lambda lib, f: f.interpolate(lib.arange(4).view(1, 1, 2, 2), size=6, mode="area"),
    lambda lib, f: f.pad(lib.randn(2, 3), (1,)),
    lambda lib, f: f.pad(lib.randn(2, 3), (1, 1, 1, 1, 1, 1)),
    lambda lib, f: f.pad(lib.randn(1, 1, 3), (3, 3), mode="reflect"),
    lambda lib, f: f.pad(lib.randn(1, 1, 3), (4, 4), mode="circular"),
    lambda lib, f: f.pad(lib.randn(3), (1, 1), mode="reflect"),
    lambda lib, f: f.pad(lib.randn(2, 3, 4, 5, 6), (1, 1), mode="reflect"),
    lambda lib, f: f.pad(lib.randn(1, 1, 3), (1, 1), mode="foo"),
    lambda lib, f: f.pad(lib.randn(1, 1, 3), (1, 1), mode="reflect", value=1.0),
    lambda lib, f: f.pad(lib.randn(1, 1, 3), (-2, -2)),
    lambda lib, f: f.unfold(lib.randn(1, 1, 3, 3), 4),
    lambda lib, f: f.fold(lib.randn(3), (4, 4), 2),
    lambda lib, f: f.fold(lib.randn(1, 5, 9), (4, 4), 2),
    lambda lib, f: f.fold(lib.randn(1, 4, 8), (4, 4), 2),
    lambda lib, f: f.pixel_shuffle(lib.randn(1, 5, 2, 2), 2),
    lambda lib, f: f.pixel_shuffle(lib.randn(5, 2), 2),
    lambda lib, f: f.pixel_unshuffle(lib.randn(1, 1, 3, 3), 2),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_like_torch(case):
    _raises_like(ERRORS[case])


def test_empty_batch_and_strided_input():
    w = ndgrad.tensor(_rand(4, 3, 3, 3), requires_grad=True)
    x = ndgrad.zeros(0, 3, 5, 5, dtype=ndgrad.float64, requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    assert y.shape == (0, 4, 5, 5)
    y.sum().backward()
    assert w.grad.abs().sum().item() == 0.0 and x.grad.shape == (0, 3, 5, 5)
    assert F.max_pool2d(ndgrad.zeros(0, 3, 4, 4), 2).shape == (0, 3, 2, 2)
    assert F.adaptive_max_pool2d(ndgrad.zeros(0, 3, 4, 4), 2).shape == (0, 3, 2, 2)
    # A transposed (non-contiguous) input gives the same result as its contiguous copy.
    base = ndgrad.tensor(_rand(2, 3, 6, 5))
    xt = base.transpose(2, 3)
    assert F.conv2d(xt, w).allclose(F.conv2d(xt.contiguous(), w))


def test_max_pool_nan_and_integers_like_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    a = _rand(1, 2, 4, 6)
    a[0, 0, 1, 1] = a[0, 1, 2, 4] = a[0, 1, 2, 5] = np.nan
    to, ti = TF.max_pool2d(torch.tensor(a), 2, return_indices=True)
    no, ni = F.max_pool2d(ndgrad.tensor(a), 2, return_indices=True)
    np.testing.assert_array_equal(no.numpy(), to.numpy())
    np.testing.assert_array_equal(ni.numpy(), ti.numpy())
    b = np.arange(24).reshape(1, 1, 4, 6) % 7
    to = TF.max_pool2d(torch.tensor(b), 3, 2, 1)
    no = F.max_pool2d(ndgrad.tensor(b), 3, 2, 1)
    assert no.dtype == ndgrad.int64 and no.tolist() == to.tolist()


# Windows that tile the input (stride == kernel size) take a path of their own.
DISJOINT = [
    lambda f, x: f.max_pool2d(x, 2),
    lambda f, x: f.max_pool2d(x, (2, 3), return_indices=True)[0],
    lambda f, x: f.max_pool1d(x.flatten(2), 4),
    lambda f, x: f.max_pool3d(x[None], (1, 2, 2)),
    lambda f, x: f.max_pool2d(f.relu(x), 2),  # ReLU's zeros: ties within a window
]


@pytest.mark.parametrize("case", DISJOINT)
def test_disjoint_max_pool_gradients(case):
    x = _leaf(2, 3, 6, 5)
    assert gradcheck(lambda x: case(F, x), (x,))
    assert gradgradcheck(lambda x: case(F, x), (x,))


@pytest.mark.parametrize("case", DISJOINT)
def test_disjoint_max_pool_vs_torch(case):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    a = np.round(_rand(2, 3, 6, 5), 1)  # repeated values: ties pick the first offset
    n, t = ndgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    no, to = case(F, n), case(TF, t)
    w = np.random.default_rng(4).uniform(-1, 1, tuple(to.shape))
    (no * ndgrad.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(no.detach().numpy(), to.detach().numpy())
    np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    _, ni = F.max_pool2d(ndgrad.tensor(a), 2, return_indices=True)
    _, ti = TF.max_pool2d(torch.tensor(a), 2, return_indices=True)
    np.testing.assert_array_equal(ni.numpy(), ti.numpy())


def test_disjoint_max_pool_nan_integers_and_many_offsets_like_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    a = np.round(_rand(2, 2, 6, 8), 1)
    a[0, 0, 1, 1] = a[0, 1, 2, 4] = a[0, 1, 3, 5] = a[1, 0, 5, 7] = np.nan
    cases = [
        (a, lambda f, x: f.max_pool2d(x, 2, return_indices=True)),
        (a, lambda f, x: f.max_pool2d(x, (3, 2), return_indices=True)),
        # 18 * 16 offsets: more than a byte can number
        (_rand(1, 2, 19, 33), lambda f, x: f.max_pool2d(x, (18, 16), return_indices=True)),
    ]
    for arr, fn in cases:
        n, t = ndgrad.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
        (no, ni), (to, ti) = fn(F, n), fn(TF, t)
        np.testing.assert_array_equal(no.detach().numpy(), to.detach().numpy())
        np.testing.assert_array_equal(ni.numpy(), ti.numpy())
        w = np.random.default_rng(5).uniform(-1, 1, tuple(to.shape))
        (no * ndgrad.tensor(w)).sum().backward()
        (to * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(n.grad.numpy(), t.grad.numpy())
    b = np.arange(48).reshape(1, 2, 4, 6) % 7
    for dtype in (np.int64, np.uint8):
        no, ni = F.max_pool2d(ndgrad.tensor(b.astype(dtype)), 2, return_indices=True)
        to, ti = TF.max_pool2d(torch.tensor(b.astype(dtype)), 2, return_indices=True)
        assert str(no.dtype) == str(to.dtype).replace("torch", "ndgrad")
        assert no.tolist() == to.tolist() and ni.tolist() == ti.tolist()


def test_conv_parameter_gradients_alone_and_together():
    # Weight and bias gradients come out of one product when both are wanted.
    x = ndgrad.tensor(_rand(2, 4, 6, 5))
    w, b = _leaf(6, 2, 3, 2), _leaf(6)
    wc, bc = w.detach(), b.detach()

    def conv(w, b):
        return F.conv2d(x, w, b, padding=(1, 0), stride=(1, 2), groups=2)

    assert gradcheck(conv, (w, b))
    assert gradgradcheck(conv, (w, b))
    assert gradgradcheck(lambda w: conv(w, bc), (w,))
    assert gradgradcheck(lambda b: conv(wc, b), (b,))


def test_conv_bias_gradient_double_backward_vs_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    arrays = _rand(2, 3, 6, 5), _rand(4, 3, 3, 3), _rand(4)

    def run(lib, f):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in arrays)
        y = f.conv2d(x, w, b, padding=1)
        _, gb = lib.autograd.grad((y * y).sum(), (w, b), create_graph=True)
        (gb * lib.tensor(arrays[2])).sum().backward()  # only the bias gradient's own gradient
        return x.grad.detach().numpy(), w.grad.detach().numpy(), b.grad.detach().numpy()

    for got, expected in zip(run(ndgrad, F), run(torch, TF)):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)


def test_cnn_block_matches_torch_in_float32():
    # conv -> relu -> 2x2 max pool -> linear, as the cnn benchmark, gradients included.
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    rng = np.random.default_rng(7)
    arrays = [
        rng.uniform(-1, 1, s).astype(np.float32)
        for s in ((4, 1, 12, 12), (8, 1, 3, 3), (8,), (10, 8 * 36), (10,))
    ]

    def run(lib, f):
        x, w, b, wl, bl = (lib.tensor(a, requires_grad=True) for a in arrays)
        h = f.max_pool2d(f.relu(f.conv2d(x, w, b, padding=1)), 2)
        f.linear(h.flatten(1), wl, bl).square().sum().backward()
        return [h.detach().numpy()] + [t.grad.numpy() for t in (x, w, b, wl, bl)]

    for got, expected in zip(run(ndgrad, F), run(torch, TF)):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
