"""nn.functional losses: values and gradients vs torch, reductions, legacy flags, errors."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as NF

RNG = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]


def F(lib: Any) -> Any:
    return lib.nn.functional


def run(lib: Any, fn: Any, arrays: list[Any], dtype: str, grad: list[bool]) -> tuple:
    """Forward + backward with a fixed cotangent. Integer arrays stay integer."""
    xs = []
    for a, g in zip(arrays, grad):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            xs.append(lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=g))
        elif isinstance(a, np.ndarray):
            xs.append(lib.tensor(a))
        else:
            xs.append(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(lib, *xs)
    cot = np.random.default_rng(1).uniform(0.5, 1.5, tuple(out.shape))
    out.backward(lib.tensor(cot, dtype=out.dtype))
    grads = [x.grad.numpy().astype(np.float64) for x, g in zip(xs, grad) if g]
    return out.detach().numpy().astype(np.float64), out.dtype, grads


def compare(
    fn: Any,
    arrays: list[Any],
    dtype: str,
    grad: list[bool] | None = None,
    tol: float | None = None,
) -> None:
    torch = pytest.importorskip("torch")
    if grad is None:
        grad = [isinstance(a, np.ndarray) and a.dtype.kind == "f" for a in arrays]
    tol = tol or (3e-5 if dtype == "float32" else 1e-10)
    want, want_dt, want_g = run(torch, fn, arrays, dtype, grad)
    got, got_dt, got_g = run(ndgrad, fn, arrays, dtype, grad)
    assert str(got_dt).split(".")[-1] == str(want_dt).split(".")[-1]
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    assert len(got_g) == len(want_g)
    for a, b in zip(got_g, want_g):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def randn(*shape: int) -> np.ndarray:
    return np.asarray(RNG.standard_normal(shape))


# ---------------------------------------------------------------- cross entropy / nll
CE_SHAPES = [((5, 4), (5,)), ((3, 4, 6), (3, 6)), ((2, 3, 4, 5), (2, 4, 5)), ((4,), ())]


def class_targets(inp: tuple, tgt: tuple, ignore: bool) -> np.ndarray:
    classes = inp[1] if len(inp) > 1 else inp[0]
    t = np.asarray(RNG.integers(0, classes, tgt))
    if ignore and t.size > 1:
        t.reshape(-1)[::3] = -100 if ignore is True else ignore
    return t


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", CE_SHAPES, ids=str)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_indices_vs_torch(
    shapes: tuple, reduction: str, dtype: str, weighted: bool, ignore: bool, smoothing: float
) -> None:
    inp, tgt = shapes
    if ignore and not tgt:
        pytest.skip("a 0-d target is either all ignored or not")
    classes = inp[1] if len(inp) > 1 else inp[0]
    arrays = [randn(*inp) * 3, class_targets(inp, tgt, ignore)]
    if weighted:
        arrays.append(RNG.uniform(0.2, 2.0, classes))

    def fn(L: Any, x: Any, t: Any, w: Any = None) -> Any:
        return F(L).cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing)

    compare(fn, arrays, dtype, [True, False, False][: len(arrays)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", [((5, 4), None), ((2, 3, 4), None), ((4,), None)], ids=str)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probs_vs_torch(
    shapes: tuple, reduction: str, dtype: str, weighted: bool, smoothing: float
) -> None:
    inp, _ = shapes
    dim = 1 if len(inp) > 1 else 0
    probs = np.exp(randn(*inp))
    probs = probs / probs.sum(dim, keepdims=True)
    arrays = [randn(*inp), probs]
    if weighted:
        arrays.append(RNG.uniform(0.2, 2.0, inp[dim]))

    def fn(L: Any, x: Any, t: Any, w: Any = None) -> Any:
        return F(L).cross_entropy(x, t, weight=w, reduction=reduction, label_smoothing=smoothing)

    compare(fn, arrays, dtype, [True, True, False][: len(arrays)])


def test_cross_entropy_ignore_index_value() -> None:
    for ignore in (0, 2, -1):
        t = np.array([0, 2, 1, 2, 3])

        def fn(L: Any, x: Any, t: Any, ig: int = ignore) -> Any:
            return F(L).cross_entropy(x, t, ignore_index=ig, label_smoothing=0.1)

        compare(fn, [randn(5, 4), t], "float64", [True, False])


def test_cross_entropy_all_ignored_is_nan() -> None:
    out = NF.cross_entropy(ndgrad.randn(3, 4), ndgrad.tensor([-100, -100, -100]))
    assert math.isnan(out.item())
    out = NF.nll_loss(ndgrad.randn(3, 4), ndgrad.tensor([-100, -100, -100]), reduction="sum")
    assert out.item() == 0.0


def test_cross_entropy_fixed_values() -> None:
    x = ndgrad.tensor([[0.0, 0.0], [math.log(3.0), 0.0]], requires_grad=True)
    loss = NF.cross_entropy(x, ndgrad.tensor([0, 0]))
    np.testing.assert_allclose(loss.item(), (math.log(2) + math.log(4 / 3)) / 2, rtol=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [[-0.25, 0.25], [-0.125, 0.125]], rtol=1e-6)


def test_cross_entropy_stable_for_huge_logits() -> None:
    for dtype in (ndgrad.float32, ndgrad.float64):
        x = ndgrad.tensor([[1e4, -1e4, 0.0], [-1e30, 1e30, 5.0]], dtype=dtype, requires_grad=True)
        loss = NF.cross_entropy(x, ndgrad.tensor([0, 0]), reduction="none")
        np.testing.assert_allclose(loss.detach().numpy(), [0.0, 2e30], rtol=1e-6)
        loss.sum().backward()
        assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", CE_SHAPES, ids=str)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_vs_torch(shapes: tuple, reduction: str, dtype: str, weighted: bool) -> None:
    inp, tgt = shapes
    classes = inp[1] if len(inp) > 1 else inp[0]
    arrays = [randn(*inp), class_targets(inp, tgt, bool(tgt))]
    if weighted:
        arrays.append(RNG.uniform(0.2, 2.0, classes))

    def fn(L: Any, x: Any, t: Any, w: Any = None) -> Any:
        return F(L).nll_loss(
            F(L).log_softmax(x, 1 if x.dim() > 1 else 0), t, weight=w, reduction=reduction
        )

    compare(fn, arrays, dtype, [True, False, False][: len(arrays)])


def test_nll_loss_uint8_target() -> None:
    compare(
        lambda L, x: F(L).nll_loss(x, L.tensor([0, 2, 1], dtype=L.uint8)), [randn(3, 4)], "float64"
    )


TARGET_ERRORS = [
    ("cross_entropy", (4, 3), np.array([0, 1, 2, 5])),
    ("cross_entropy", (4, 3), np.array([0, 1, 2, -3])),
    ("cross_entropy", (4, 3), np.array([0, 1, 2])),
    ("cross_entropy", (4, 3), np.array([0.0, 1.0, 2.0, 1.0])),
    ("cross_entropy", (4, 3), np.array([0, 1, 2, 1], dtype=np.int32)),
    ("cross_entropy", (4, 3), np.zeros((4, 4))),
    ("cross_entropy", (4, 3), np.zeros((4, 3), dtype=np.int64)),
    ("cross_entropy", (2, 3, 4), np.zeros((2, 5), dtype=np.int64)),
    ("nll_loss", (4, 3), np.array([0, 1, 2])),
    ("nll_loss", (4, 3), np.array([0, 1, 2, 7])),
    ("nll_loss", (2, 3, 4, 5), np.zeros((2, 4, 4), dtype=np.int64)),
    ("nll_loss", (2, 3, 4, 5), np.zeros((2, 4, 5))),
    ("nll_loss", (2, 3), np.zeros(2)),
    ("nll_loss", (), np.array(1)),
]


@pytest.mark.parametrize(
    "name,shape,target", TARGET_ERRORS, ids=lambda v: str(getattr(v, "shape", v))
)
def test_target_errors_match_torch(name: str, shape: tuple, target: np.ndarray) -> None:
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal(shape)
    with pytest.raises(Exception) as want:
        getattr(torch.nn.functional, name)(
            torch.tensor(x, dtype=torch.float32), torch.tensor(target)
        )
    with pytest.raises(Exception) as got:
        getattr(NF, name)(ndgrad.tensor(x, dtype=ndgrad.float32), ndgrad.tensor(target))
    assert type(got.value) is type(want.value)
    assert str(got.value) == str(want.value)


def test_weight_and_option_errors() -> None:
    torch = pytest.importorskip("torch")
    cases = [
        lambda L: F(L).cross_entropy(L.randn(4, 3), L.tensor([0, 1, 2, 1]), weight=L.ones(4)),
        lambda L: F(L).nll_loss(L.randn(2, 3, 4), L.zeros(2, 4).long(), weight=L.ones(4)),
        lambda L: F(L).cross_entropy(L.randn(4, 3), L.tensor([0, 1, 2, 1]), reduction="foo"),
        lambda L: F(L).cross_entropy(L.randn(4, 3), L.tensor([0, 1, 2, 1]), label_smoothing=1.5),
        lambda L: F(L).mse_loss(L.randn(4, 3), L.randn(4, 3), reduction="foo"),
        lambda L: F(L).mse_loss(L.randn(4, 3), L.randn(4, 3), weight=L.ones(3)),
        lambda L: F(L).l1_loss(L.randn(4, 3), L.randn(4, 3), weight=L.ones(3)),
        lambda L: F(L).huber_loss(L.randn(4, 3), L.randn(4, 3), weight=L.ones(3)),
        lambda L: F(L).huber_loss(L.randn(3), L.randn(3), delta=0.0),
        lambda L: F(L).smooth_l1_loss(L.randn(3), L.randn(3), beta=-1.0),
        lambda L: F(L).binary_cross_entropy(L.rand(4), L.rand(5)),
        lambda L: F(L).binary_cross_entropy(L.rand(4) + 1, L.rand(4)),
        lambda L: F(L).binary_cross_entropy_with_logits(L.rand(4), L.rand(4, 1)),
        lambda L: F(L).gaussian_nll_loss(L.randn(4, 3), L.randn(4, 3), L.ones(4, 2)),
        lambda L: F(L).gaussian_nll_loss(L.randn(4, 3), L.randn(4, 3), -1.0),
        lambda L: F(L).gaussian_nll_loss(L.randn(4, 3), L.randn(4, 3), L.ones(4), reduction="x"),
        lambda L: F(L).margin_ranking_loss(L.randn(3), L.randn(3), L.ones(3, 1)),
        lambda L: F(L).triplet_margin_loss(L.randn(3, 2), L.randn(2), L.randn(3, 2)),
        lambda L: F(L).mse_loss(L.randn(4, 3), L.randn(5, 3)),
        lambda L: F(L).mse_loss(L.tensor([1, 2]), L.tensor([1, 2])),
    ]
    for case in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as want:
                case(torch)
            with pytest.raises(Exception) as got:
                case(ndgrad)
        assert type(got.value) is type(want.value), str(want.value)
        assert str(got.value) == str(want.value).replace("torch.", "ndgrad.")


# ---------------------------------------------------------------- pointwise losses
POINTWISE = {
    "mse": lambda L, x, y, r: F(L).mse_loss(x, y, reduction=r),
    "l1": lambda L, x, y, r: F(L).l1_loss(x, y, reduction=r),
    "smooth_l1": lambda L, x, y, r: F(L).smooth_l1_loss(x, y, reduction=r),
    "smooth_l1_beta": lambda L, x, y, r: F(L).smooth_l1_loss(x, y, reduction=r, beta=0.5),
    "smooth_l1_beta0": lambda L, x, y, r: F(L).smooth_l1_loss(x, y, reduction=r, beta=0.0),
    "huber": lambda L, x, y, r: F(L).huber_loss(x, y, reduction=r),
    "huber_delta": lambda L, x, y, r: F(L).huber_loss(x, y, reduction=r, delta=2.0),
    "soft_margin": lambda L, x, y, r: F(L).soft_margin_loss(x, L.sign(y), reduction=r),
    "bce_logits": lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(
        x * 10, L.sigmoid(y), reduction=r
    ),
    "bce_logits_pos": lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(
        x, L.sigmoid(y), reduction=r, pos_weight=L.full(x.shape[-1:], 2.5, dtype=x.dtype)
    ),
    "bce_logits_w": lambda L, x, y, r: F(L).binary_cross_entropy_with_logits(
        x, L.sigmoid(y), L.sigmoid(y) + 0.5, reduction=r
    ),
    "bce": lambda L, x, y, r: F(L).binary_cross_entropy(L.sigmoid(x), L.sigmoid(y), reduction=r),
    "bce_w": lambda L, x, y, r: F(L).binary_cross_entropy(
        L.sigmoid(x), L.sigmoid(y), weight=L.sigmoid(y) * 2, reduction=r
    ),
    "kl": lambda L, x, y, r: F(L).kl_div(
        F(L).log_softmax(x, -1), F(L).softmax(y, -1), reduction=r
    ),
    "kl_log": lambda L, x, y, r: F(L).kl_div(
        x, F(L).log_softmax(y, -1), reduction=r, log_target=True
    ),
    "hinge": lambda L, x, y, r: F(L).hinge_embedding_loss(x, L.sign(y), reduction=r),
    "hinge_m": lambda L, x, y, r: F(L).hinge_embedding_loss(x, L.sign(y), 0.5, reduction=r),
    "poisson": lambda L, x, y, r: F(L).poisson_nll_loss(x, y.abs() * 3, reduction=r),
    "poisson_full": lambda L, x, y, r: F(L).poisson_nll_loss(
        x.abs(), (y.abs() * 3).round(), log_input=False, full=True, reduction=r
    ),
    "gaussian": lambda L, x, y, r: F(L).gaussian_nll_loss(x, y, (x * y).abs() + 0.1, reduction=r),
    "gaussian_full": lambda L, x, y, r: F(L).gaussian_nll_loss(
        x, y, (x[..., :1] * 2).abs(), full=True, reduction=r
    ),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6,), (3, 5), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("name", list(POINTWISE))
def test_pointwise_losses_vs_torch(name: str, shape: tuple, reduction: str, dtype: str) -> None:
    fn = POINTWISE[name]
    x, y = randn(*shape), randn(*shape)
    if name.startswith(("smooth", "huber")):
        x.reshape(-1)[:2] = y.reshape(-1)[:2] + [1.0, -0.5]  # at beta / delta boundaries
    # torch refuses gradients for these targets/weights; sign() targets have none to give.
    target_grad = name not in NO_TARGET_GRAD
    compare(lambda L, a, b: fn(L, a, b, reduction), [x, y], dtype, [True, target_grad])


NO_TARGET_GRAD = {"soft_margin", "bce_logits_w", "bce_w", "hinge", "hinge_m"}


@pytest.mark.parametrize("name", ["mse", "l1", "huber"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_regression_vs_torch(name: str, reduction: str) -> None:
    fn = {"mse": "mse_loss", "l1": "l1_loss", "huber": "huber_loss"}[name]
    arrays = [randn(3, 4), randn(3, 4), RNG.uniform(0.1, 2.0, (3, 4))]
    compare(
        lambda L, x, y, w: getattr(F(L), fn)(x, y, reduction=reduction, weight=w),
        arrays,
        "float64",
    )


def test_bce_saturated_input_has_finite_grad() -> None:
    compare(
        lambda L, x, y: F(L).binary_cross_entropy(x, y),
        [np.array([0.0, 1.0, 1.0, 0.0, 0.5]), np.array([0.0, 1.0, 0.0, 1.0, 0.2])],
        "float64",
        [True, False],
        tol=1e-7,
    )


def test_bce_logits_extreme() -> None:
    x = ndgrad.tensor([-1e4, 1e4, 0.0], requires_grad=True)
    loss = NF.binary_cross_entropy_with_logits(x, ndgrad.tensor([1.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [1e4, 1e4, math.log(2)], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-1.0, 1.0, -0.5])


def test_broadcast_target_warns() -> None:
    torch = pytest.importorskip("torch")
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        with pytest.warns(UserWarning) as got:
            out = getattr(NF, name)(ndgrad.ones(3, 4), ndgrad.zeros(4))
        with pytest.warns(UserWarning) as want:
            ref = getattr(torch.nn.functional, name)(torch.ones(3, 4), torch.zeros(4))
        assert str(got[0].message) == str(want[0].message).replace("torch.", "ndgrad.")
        assert got[0].filename == __file__
        np.testing.assert_allclose(out.item(), ref.item())


def test_legacy_size_average_reduce() -> None:
    torch = pytest.importorskip("torch")
    x, y = randn(3, 4), randn(3, 4)
    t = np.array([0, 3, 1])
    for sa, red in [(None, False), (False, None), (True, True), (False, True), (True, False)]:
        for name, args in [
            ("mse_loss", (x, y)),
            ("nll_loss", (x, t)),
            ("cross_entropy", (x, t)),
            ("kl_div", (x, np.abs(y))),
            ("soft_margin_loss", (x, np.sign(y))),
        ]:
            with pytest.warns(UserWarning) as got:
                a = getattr(NF, name)(*map(ndgrad.tensor, args), size_average=sa, reduce=red)
            with pytest.warns(UserWarning) as want:
                b = getattr(torch.nn.functional, name)(
                    *map(torch.tensor, args), size_average=sa, reduce=red
                )
            assert str(got[0].message) == str(want[0].message)
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_kl_div_reductions() -> None:
    x, y = np.log(RNG.uniform(0.1, 1, (4, 5))), RNG.uniform(0, 1, (4, 5))
    y[0, 0] = 0.0
    for reduction in ("batchmean", "sum", "none"):
        compare(
            lambda L, a, b, r=reduction: F(L).kl_div(a, b, reduction=r),
            [x, y],
            "float64",
            [True, False],
        )
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        NF.kl_div(ndgrad.tensor(x), ndgrad.tensor(y))


# ---------------------------------------------------------------- pair and triplet losses
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_vs_torch(reduction: str, dtype: str) -> None:
    y = np.sign(randn(7))

    def fn(L: Any, a: Any, b: Any, t: Any) -> Any:
        return F(L).margin_ranking_loss(a, b, t, margin=0.3, reduction=reduction)

    compare(fn, [randn(7), randn(7), y], dtype, [True, True, False])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (4,)], ids=str)
def test_cosine_embedding_vs_torch(shape: tuple, reduction: str, dtype: str) -> None:
    y = np.sign(randn(*shape[:-1])) if len(shape) > 1 else np.array(-1.0)

    def fn(L: Any, a: Any, b: Any, t: Any) -> Any:
        return F(L).cosine_embedding_loss(a, b, t, margin=0.1, reduction=reduction)

    compare(fn, [randn(*shape), randn(*shape), y], dtype, [True, True, False])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,swap", [(2.0, False), (1.0, True), (3.0, False), (2.0, True)])
@pytest.mark.parametrize("shape", [(6, 4), (4,)], ids=str)
def test_triplet_margin_vs_torch(
    shape: tuple, p: float, swap: bool, reduction: str, dtype: str
) -> None:
    def fn(L: Any, a: Any, b: Any, c: Any) -> Any:
        return F(L).triplet_margin_loss(a, b, c, margin=2.0, p=p, swap=swap, reduction=reduction)

    compare(fn, [randn(*shape), randn(*shape), randn(*shape)], dtype)


def test_losses_fixed_values() -> None:
    x = ndgrad.tensor([1.0, 2.0, 4.0])
    y = ndgrad.tensor([1.0, 0.0, 1.0])
    assert NF.mse_loss(x, y).item() == pytest.approx(13 / 3)
    assert NF.l1_loss(x, y, reduction="sum").item() == pytest.approx(5.0)
    assert NF.smooth_l1_loss(x, y).item() == pytest.approx((0 + 1.5 + 2.5) / 3)
    assert NF.huber_loss(x, y, delta=2.0).item() == pytest.approx((0 + 2 + 4) / 3)
    p = ndgrad.tensor([0.5, 0.25])
    t = ndgrad.tensor([1.0, 0.0])
    want = (math.log(2) - math.log(0.75)) / 2
    assert NF.binary_cross_entropy(p, t).item() == pytest.approx(want, rel=1e-6)
    assert NF.nll_loss(ndgrad.tensor([[-1.0, -2.0]]), ndgrad.tensor([1])).item() == 2.0
