"""nn.functional activations, softmax family, dropout, embedding, distances: values vs torch."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as NF

RNG = np.random.default_rng(0)
SHAPES = [(), (7,), (3, 5), (2, 3, 4)]
# Piecewise functions are checked at their kinks too: torch's gradient there is a convention.
KINKS = np.array([0.0, -3.0, 3.0, -1.0, 1.0, 0.5, -0.5, 6.0, 25.0, -25.0, 1.5, 0.3])


def sample(shape: tuple[int, ...], low: float = -4.0, high: float = 4.0) -> np.ndarray:
    # A 0-d ndarray, not np.float64: ndgrad.tensor(float, dtype=float64) rounds via float32.
    x = np.array(RNG.uniform(low, high, shape))
    if x.size >= 4:
        flat = x.reshape(-1)
        k = min(flat.size // 2, KINKS.size)
        flat[:k] = KINKS[:k]
    return x


def run(lib: Any, fn: Any, arrays: list[np.ndarray], dtype: str) -> tuple[Any, list[Any]]:
    """Forward and backward with a fixed cotangent; values and grads as float64 arrays."""
    xs = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True) for a in arrays]
    out = fn(lib, *xs)
    gen = np.random.default_rng(1).uniform(0.5, 1.5, tuple(out.shape))
    out.backward(lib.tensor(gen, dtype=out.dtype))
    grads = [None if x.grad is None else x.grad.detach().numpy().astype(np.float64) for x in xs]
    return out.detach().numpy().astype(np.float64), grads


def compare(fn: Any, arrays: list[np.ndarray], dtype: str, tol: float | None = None) -> None:
    torch = pytest.importorskip("torch")
    tol = tol or (2e-5 if dtype == "float32" else 1e-10)
    want, want_g = run(torch, fn, arrays, dtype)
    got, got_g = run(ndgrad, fn, arrays, dtype)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    for a, b in zip(got_g, want_g):
        if b is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def F(lib: Any) -> Any:
    return lib.nn.functional


UNARY = {
    "relu": lambda L, x: F(L).relu(x),
    "relu6": lambda L, x: F(L).relu6(x),
    "leaky_relu": lambda L, x: F(L).leaky_relu(x),
    "leaky_relu_0.2": lambda L, x: F(L).leaky_relu(x, 0.2),
    "elu": lambda L, x: F(L).elu(x),
    "elu_0.5": lambda L, x: F(L).elu(x, alpha=0.5),
    "selu": lambda L, x: F(L).selu(x),
    "celu": lambda L, x: F(L).celu(x, 1.5),
    "gelu": lambda L, x: F(L).gelu(x),
    "gelu_tanh": lambda L, x: F(L).gelu(x, approximate="tanh"),
    "silu": lambda L, x: F(L).silu(x),
    "mish": lambda L, x: F(L).mish(x),
    "softplus": lambda L, x: F(L).softplus(x),
    "softplus_beta": lambda L, x: F(L).softplus(x, beta=2.0, threshold=5.0),
    "softsign": lambda L, x: F(L).softsign(x),
    "hardtanh": lambda L, x: F(L).hardtanh(x),
    "hardtanh_range": lambda L, x: F(L).hardtanh(x, -0.5, 1.5),
    "hardsigmoid": lambda L, x: F(L).hardsigmoid(x),
    "hardswish": lambda L, x: F(L).hardswish(x),
    "sigmoid": lambda L, x: F(L).sigmoid(x),
    "tanh": lambda L, x: F(L).tanh(x),
    "logsigmoid": lambda L, x: F(L).logsigmoid(x),
    "tanhshrink": lambda L, x: F(L).tanhshrink(x),
    "softshrink": lambda L, x: F(L).softshrink(x),
    "softshrink_1": lambda L, x: F(L).softshrink(x, 1.0),
    "hardshrink": lambda L, x: F(L).hardshrink(x),
    "hardshrink_1": lambda L, x: F(L).hardshrink(x, 1.0),
    "threshold": lambda L, x: F(L).threshold(x, 0.5, -2.0),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(UNARY))
def test_pointwise_vs_torch(name: str, shape: tuple[int, ...], dtype: str) -> None:
    # torch's float64 hardsigmoid backward multiplies by a float32 1/6.
    tol = 1e-7 if name == "hardsigmoid" and dtype == "float64" else None
    compare(UNARY[name], [sample(shape)], dtype, tol)


INPLACE = {
    "relu": lambda L, x: F(L).relu(x * 1, inplace=True),
    "relu6": lambda L, x: F(L).relu6(x * 1, inplace=True),
    "leaky_relu": lambda L, x: F(L).leaky_relu(x * 1, 0.1, inplace=True),
    "elu": lambda L, x: F(L).elu(x * 1, inplace=True),
    "selu": lambda L, x: F(L).selu(x * 1, inplace=True),
    "celu": lambda L, x: F(L).celu(x * 1, inplace=True),
    "hardtanh": lambda L, x: F(L).hardtanh(x * 1, inplace=True),
    "silu": lambda L, x: F(L).silu(x * 1, inplace=True),
    "mish": lambda L, x: F(L).mish(x * 1, inplace=True),
    "hardsigmoid": lambda L, x: F(L).hardsigmoid(x * 1, inplace=True),
    "hardswish": lambda L, x: F(L).hardswish(x * 1, inplace=True),
    "threshold": lambda L, x: F(L).threshold(x * 1, 0.1, 20.0, inplace=True),
    "relu_": lambda L, x: F(L).relu_(x * 1),
    "elu_": lambda L, x: F(L).elu_(x * 1),
    "leaky_relu_": lambda L, x: F(L).leaky_relu_(x * 1),
    "hardtanh_": lambda L, x: F(L).hardtanh_(x * 1),
    "threshold_": lambda L, x: F(L).threshold_(x * 1, 0.1, 20.0),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_vs_torch(name: str) -> None:
    compare(INPLACE[name], [sample((3, 5))], "float64", 1e-7 if name == "hardsigmoid" else None)


def test_inplace_writes_into_input() -> None:
    x = ndgrad.tensor([-1.0, 2.0, -3.0])
    out = NF.relu(x, inplace=True)
    assert out is x
    assert x.tolist() == [0.0, 2.0, 0.0]
    y = ndgrad.tensor([-1.0, 2.0])
    assert NF.leaky_relu(y, 0.5, inplace=True) is y
    assert y.tolist() == [-0.5, 2.0]
    z = ndgrad.tensor([-2.0, 0.5, 3.0])
    NF.hardtanh(z, inplace=True)
    assert z.tolist() == [-1.0, 0.5, 1.0]


def test_inplace_on_leaf_raises() -> None:
    x = ndgrad.tensor([1.0, -1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        NF.elu(x, inplace=True)


def test_fixed_values() -> None:
    x = ndgrad.tensor([-2.0, 0.0, 1.0])
    np.testing.assert_allclose(NF.relu6(ndgrad.tensor([-1.0, 3.0, 7.0])).numpy(), [0, 3, 6])
    np.testing.assert_allclose(NF.elu(x).numpy(), [math.expm1(-2.0), 0.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(
        NF.softplus(x).numpy(),
        [math.log1p(math.exp(-2)), math.log(2), math.log1p(math.e)],
        rtol=1e-6,
    )
    np.testing.assert_allclose(NF.hardswish(x).numpy(), [-1 / 3, 0, 2 / 3], rtol=1e-6)
    np.testing.assert_allclose(NF.softshrink(x, 0.5).numpy(), [-1.5, 0.0, 0.5])
    np.testing.assert_allclose(NF.gelu(ndgrad.tensor([1.0])).numpy(), [0.8413447], rtol=1e-6)
    np.testing.assert_allclose(
        NF.softmax(ndgrad.tensor([0.0, math.log(3.0)]), 0).numpy(), [0.25, 0.75], rtol=1e-6
    )


def test_extremes_stay_finite() -> None:
    for dtype in (ndgrad.float32, ndgrad.float64):
        x = ndgrad.tensor([-1000.0, -90.0, 0.0, 90.0, 1000.0], dtype=dtype, requires_grad=True)
        for fn in (NF.elu, NF.selu, NF.celu, NF.softplus, NF.mish, NF.logsigmoid, NF.silu):
            x.grad = None
            out = fn(x)
            out.sum().backward()
            assert np.isfinite(x.grad.numpy()).all(), fn.__name__
        ls = NF.log_softmax(ndgrad.tensor([[1000.0, 0.0, -1000.0]], dtype=dtype), 1)
        np.testing.assert_allclose(ls.numpy(), [[0.0, -1000.0, -2000.0]])


def test_float_only_kernels() -> None:
    torch = pytest.importorskip("torch")
    for name in ("gelu", "elu", "leaky_relu", "softplus", "hardsigmoid"):
        with pytest.raises(NotImplementedError) as want:
            getattr(torch.nn.functional, name)(torch.tensor([1, 2]))
        with pytest.raises(NotImplementedError) as got:
            getattr(NF, name)(ndgrad.tensor([1, 2]))
        assert str(got.value) == str(want.value)


def test_activation_errors() -> None:
    x = ndgrad.randn(3, 4)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        NF.hardtanh(x, 2.0, 1.0)
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh."):
        NF.gelu(x, approximate="foo")
    with pytest.raises(RuntimeError, match=r"lambda must be in range \[0, 3.40282e\+38\]"):
        NF.softshrink(x, -1.0)
    with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
        NF.celu(x, 0.0)


# ---------------------------------------------------------------- prelu, glu, linear
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "shape,wshape",
    [((3, 4), (4,)), ((3, 4), (1,)), ((2, 3, 5), (3,)), ((2, 3, 2, 2), (3,)), ((6,), (1,))],
    ids=str,
)
def test_prelu_vs_torch(shape: tuple, wshape: tuple, dtype: str) -> None:
    w = RNG.uniform(-0.5, 0.5, wshape)
    compare(lambda L, x, w: F(L).prelu(x, w), [sample(shape), w], dtype)


def test_prelu_errors() -> None:
    with pytest.raises(RuntimeError, match="Found parameter numbers = 2 and channel size = 3."):
        NF.prelu(ndgrad.randn(4, 3), ndgrad.tensor([0.1, 0.2]))
    with pytest.raises(RuntimeError, match="Not allow zero-dim input tensor."):
        NF.prelu(ndgrad.tensor(1.0), ndgrad.tensor([0.1]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,dim", [((4, 6), -1), ((4, 6), 0), ((2, 4, 3), 1)], ids=str)
def test_glu_vs_torch(shape: tuple, dim: int, dtype: str) -> None:
    compare(lambda L, x: F(L).glu(x, dim), [sample(shape)], dtype)


def test_glu_errors() -> None:
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is"):
        NF.glu(ndgrad.randn(4, 3))
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        NF.glu(ndgrad.tensor(1.0))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("xshape", [(5,), (4, 5), (2, 3, 5)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_vs_torch(xshape: tuple, bias: bool, dtype: str) -> None:
    arrays = [sample(xshape), RNG.standard_normal((3, 5))]
    if bias:
        arrays.append(RNG.standard_normal(3))
    compare(lambda L, *a: F(L).linear(*a), arrays, dtype, 1e-4 if dtype == "float32" else None)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("lead", [(), (4,), (2, 3)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_vs_torch(lead: tuple, bias: bool, dtype: str) -> None:
    arrays = [
        RNG.standard_normal(lead + (3,)),
        RNG.standard_normal(lead + (4,)),
        RNG.standard_normal((5, 3, 4)),
    ]
    if bias:
        arrays.append(RNG.standard_normal(5))
    compare(lambda L, *a: F(L).bilinear(*a), arrays, dtype, 1e-4 if dtype == "float32" else None)


def test_bilinear_error() -> None:
    with pytest.raises(RuntimeError, match="input2 size does not match weight size: got 4 but"):
        NF.bilinear(ndgrad.randn(2, 3), ndgrad.randn(2, 4), ndgrad.randn(5, 3, 3))


# ---------------------------------------------------------------- softmax family
SOFT = {
    "softmax": lambda L, x, d: F(L).softmax(x, d),
    "log_softmax": lambda L, x, d: F(L).log_softmax(x, d),
    "softmin": lambda L, x, d: F(L).softmin(x, d),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "shape,dim",
    [((7,), 0), ((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1), ((2, 3, 4), 1), ((), 0)],
    ids=str,
)
@pytest.mark.parametrize("name", list(SOFT))
def test_softmax_vs_torch(name: str, shape: tuple, dim: int, dtype: str) -> None:
    fn = SOFT[name]
    compare(lambda L, x: fn(L, x * 10, dim), [sample(shape)], dtype)


def test_softmax_dtype_argument() -> None:
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 4)).astype(np.float32)
    for name in ("softmax", "log_softmax", "softmin"):
        got = getattr(NF, name)(ndgrad.tensor(a), 1, dtype=ndgrad.float64)
        want = getattr(torch.nn.functional, name)(torch.tensor(a), 1, dtype=torch.float64)
        assert got.dtype == ndgrad.float64
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    got = NF.softmax(ndgrad.tensor([1, 2]), 0, dtype=ndgrad.float32)
    assert got.dtype == ndgrad.float32


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (2, 3, 4, 5)], ids=str)
def test_softmax_implicit_dim(shape: tuple) -> None:
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal(shape)
    for name in ("softmax", "log_softmax", "softmin"):
        with warnings.catch_warnings(record=True) as got_w:
            warnings.simplefilter("always")
            got = getattr(NF, name)(ndgrad.tensor(a))
        with warnings.catch_warnings(record=True) as want_w:
            warnings.simplefilter("always")
            want = getattr(torch.nn.functional, name)(torch.tensor(a))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
        assert [str(w.message) for w in got_w] == [str(w.message) for w in want_w]
        assert got_w[0].filename == __file__


def test_softmax_errors() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(IndexError) as want:
        torch.nn.functional.softmax(torch.randn(4, 3), 2)
    with pytest.raises(IndexError) as got:
        NF.softmax(ndgrad.randn(4, 3), 2)
    assert str(got.value) == str(want.value)
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        NF.softmax(ndgrad.tensor([1, 2]), 0)


# ---------------------------------------------------------------- normalize and distances
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "p,dim", [(2.0, 1), (1.0, 1), (3.0, 0), (2.0, -1), (math.inf, 1)], ids=str
)
def test_normalize_vs_torch(p: float, dim: int, dtype: str) -> None:
    a = sample((4, 5))
    a[1] = 0.0
    compare(lambda L, x: F(L).normalize(x, p, dim), [a], dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "s1,s2,dim",
    [((4, 5), (4, 5), 1), ((4, 5), (1, 5), 1), ((2, 3, 4), (2, 3, 4), -1), ((5,), (5,), 0)],
    ids=str,
)
def test_cosine_similarity_vs_torch(s1: tuple, s2: tuple, dim: int, dtype: str) -> None:
    compare(lambda L, a, b: F(L).cosine_similarity(a, b, dim), [sample(s1), sample(s2)], dtype)


def test_cosine_similarity_zero_vector() -> None:
    a = np.zeros((2, 3))
    a[1] = [1.0, 2.0, 3.0]
    compare(lambda L, x, y: F(L).cosine_similarity(x, y), [a, sample((2, 3))], "float64")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("s1,s2", [((4, 5), (4, 5)), ((4, 5), (5,)), ((5,), (5,))], ids=str)
def test_pairwise_distance_vs_torch(
    s1: tuple, s2: tuple, p: float, keepdim: bool, dtype: str
) -> None:
    def fn(L: Any, a: Any, b: Any) -> Any:
        return F(L).pairwise_distance(a, b, p, keepdim=keepdim)

    compare(fn, [sample(s1), sample(s2)], dtype)


# ---------------------------------------------------------------- dropout
def test_dropout_statistics_and_grad() -> None:
    ndgrad.manual_seed(0)
    x = ndgrad.ones(200, 100, requires_grad=True)
    out = NF.dropout(x, 0.3)
    vals = out.detach().numpy()
    assert np.all((vals == 0) | np.isclose(vals, 1 / 0.7))
    assert abs((vals == 0).mean() - 0.3) < 0.02
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), vals)


def test_dropout_modes() -> None:
    x = ndgrad.randn(4, 5)
    assert NF.dropout(x, 0.5, training=False) is x
    assert NF.dropout(x, 0.0) is x
    assert not NF.dropout(x, 1.0).numpy().any()
    y = x.clone()
    assert NF.dropout(y, 0.5, inplace=True) is y
    kept = y.numpy() != 0
    np.testing.assert_allclose(y.numpy()[kept], 2 * x.numpy()[kept], rtol=1e-6)
    for fn in (NF.dropout, NF.dropout1d, NF.dropout2d, NF.alpha_dropout):
        with pytest.raises(
            ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"
        ):
            fn(ndgrad.randn(2, 3, 4), 1.5)


def test_feature_dropout_zeroes_whole_channels() -> None:
    ndgrad.manual_seed(1)
    x = ndgrad.ones(8, 6, 5, 5)
    out = NF.dropout2d(x, 0.5).numpy()
    per_channel = out.reshape(8, 6, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0 < (per_channel == 0).all(-1).sum() < 48
    out1 = NF.dropout1d(ndgrad.ones(6, 10), 0.5).numpy()
    assert np.all((out1 == 0).all(-1) | (out1 == 2).all(-1))
    with pytest.raises(
        RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input."
    ):
        NF.dropout1d(ndgrad.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="dropout2d: Received a 3D input"):
        NF.dropout2d(ndgrad.ones(2, 3, 4))
    with pytest.warns(UserWarning, match="dropout2d: Received a 2-D input to dropout2d"):
        NF.dropout2d(ndgrad.ones(2, 3))


def test_alpha_dropout_keeps_moments() -> None:
    ndgrad.manual_seed(2)
    x = ndgrad.randn(400, 500, dtype=ndgrad.float64)
    assert NF.alpha_dropout(x, 0.2) is x  # training defaults to False
    out = NF.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1.0) < 0.02
    sat = -1.7580993408473766
    a = 1.0 / math.sqrt((sat * sat * 0.2 + 1.0) * 0.8)
    dropped = np.isclose(out, a * sat - sat * a * 0.2 + 0.0 * out)
    assert abs(dropped.mean() - 0.2) < 0.01


# ---------------------------------------------------------------- embedding, one_hot
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("scale", [False, True])
def test_embedding_vs_torch(padding_idx: int | None, scale: bool, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    idx = np.array([[0, 2, 4, 2], [1, 1, 2, 4]])
    w = RNG.standard_normal((5, 3))
    results = []
    for lib in (torch, ndgrad):
        weight = lib.tensor(w, dtype=getattr(lib, dtype), requires_grad=True)
        out = F(lib).embedding(lib.tensor(idx), weight, padding_idx, scale_grad_by_freq=scale)
        g = lib.tensor(
            np.random.default_rng(3).uniform(0.5, 1.5, tuple(out.shape)), dtype=out.dtype
        )
        out.backward(g)
        results.append((out.detach().numpy(), weight.grad.numpy()))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_embedding_max_norm_vs_torch() -> None:
    torch = pytest.importorskip("torch")
    w = RNG.standard_normal((6, 4)) * 3
    idx = np.array([0, 3, 3, 5])
    outs = []
    for lib in (torch, ndgrad):
        weight = lib.tensor(w, requires_grad=True)
        out = F(lib).embedding(lib.tensor(idx), weight, max_norm=1.5, norm_type=2.0)
        out.sum().backward()
        outs.append((out.detach().numpy(), weight.detach().numpy(), weight.grad.numpy()))
    for got, want in zip(outs[1], outs[0]):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_embedding_errors() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as want:
        torch.nn.functional.embedding(torch.tensor([1.0]), torch.randn(3, 2))
    with pytest.raises(RuntimeError) as got:
        NF.embedding(ndgrad.tensor([1.0]), ndgrad.randn(3, 2))
    assert str(got.value) == str(want.value).replace("torch.", "ndgrad.")
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        NF.embedding(ndgrad.tensor([1]), ndgrad.randn(3, 2), padding_idx=3)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        NF.embedding(ndgrad.tensor([1]), ndgrad.randn(3, 2), padding_idx=-4)
    out = NF.embedding(ndgrad.tensor([1], dtype=ndgrad.int32), ndgrad.eye(3))
    assert out.tolist() == [[0.0, 1.0, 0.0]]


def test_one_hot() -> None:
    out = NF.one_hot(ndgrad.tensor([[0, 2], [1, 0]]))
    assert out.dtype == ndgrad.int64
    assert out.tolist() == [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [1, 0, 0]]]
    assert NF.one_hot(ndgrad.tensor([1]), 4).tolist() == [[0, 1, 0, 0]]
    assert tuple(NF.one_hot(ndgrad.tensor([], dtype=ndgrad.int64), 4).shape) == (0, 4)
    cases = [
        (lambda: NF.one_hot(ndgrad.tensor([1.0])), "one_hot is only applicable to index tensor"),
        (lambda: NF.one_hot(ndgrad.tensor([1, 5]), 3), "Class values must be smaller than"),
        (lambda: NF.one_hot(ndgrad.tensor([-1, 1])), "Class values must be non-negative."),
        (lambda: NF.one_hot(ndgrad.tensor([], dtype=ndgrad.int64)), "Can not infer total"),
    ]
    for fn, msg in cases:
        with pytest.raises(RuntimeError, match=msg):
            fn()


def test_double_backward_through_softmax_and_gelu() -> None:
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 4))
    res = []
    for lib in (torch, ndgrad):
        x = lib.tensor(a, requires_grad=True)
        y = (F(lib).log_softmax(x, 1) * F(lib).gelu(x)).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        res.append(gg.numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-10)
