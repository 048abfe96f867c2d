"""torch's top-level functions that ndgrad once lacked, and their Tensor methods.

Each case is one lambda of the library ``L`` run through ndgrad and torch on the same inputs:
values, dtypes, shapes and the gradients of a weighted sum of the outputs. The compositions
are also checked by finite differences in float64, and bad input raises torch's errors
(EXPECTED holds torch 2.13's, so those checks run without torch too).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

NAMES = (
    "softmax log_softmax dropout selu celu rrelu threshold hardshrink pixel_shuffle conv1d "
    "conv2d max_pool2d avg_pool1d batch_norm layer_norm group_norm instance_norm embedding "
    "cosine_similarity pairwise_distance pdist detach is_complex is_nonzero typename "
    "set_num_threads get_num_threads use_deterministic_algorithms "
    "are_deterministic_algorithms_enabled adjoint row_stack hsplit vsplit dsplit logaddexp "
    "xlogy diff logspace tril_indices triu_indices diagflat block_diag cov corrcoef aminmax "
    "dist logcumsumexp sinc isin"
).split()
METHODS = (
    "type_as where storage_offset is_nonzero hardshrink adjoint hsplit vsplit dsplit logaddexp "
    "logaddexp2 xlogy xlogy_ diff diagflat cov corrcoef aminmax dist logcumsumexp sinc sinc_"
).split()


def _array(seed: int, *shape: int, lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(lo, hi, shape)


A34 = _array(1, 3, 4)
B34 = _array(2, 3, 4)
B4 = _array(3, 4)
POS34 = _array(4, 3, 4, lo=0.2, hi=3.0)
WITH_ZERO = np.array([[0.0, 0.5, -1.5, 2.0], [0.1, -0.25, 0.0, 3.0]])
SPECIAL_X = np.array([-np.inf, np.inf, np.inf, 1.0, -np.inf, np.nan, 2.0])
SPECIAL_Y = np.array([-np.inf, np.inf, 3.0, -np.inf, 1.0, 0.0, 2.0])
XLOGY_X = np.array([0.0, 0.0, 0.0, 1.5, 2.0, 0.0])
XLOGY_Y = np.array([0.0, np.nan, -1.0, 0.0, 3.0, np.inf])
INDICES = np.array([[0, 2], [4, 2]])
INTS = np.arange(6)
FLAGS = np.array([True, False, False, True])


def _running(L: Any, x: Any) -> Any:
    return L.zeros(3, dtype=x.dtype), L.ones(3, dtype=x.dtype)


def _seeded(fn: Any) -> Any:
    """``fn`` after seeding the library: random masks and slopes are drawn as torch draws."""

    def run(L: Any, *xs: Any) -> Any:
        L.manual_seed(0)
        return fn(L, *xs)

    return run


def _cov_weighted(L: Any, x: Any, a: Any) -> Any:
    f = L.tensor([1, 2, 1, 3], dtype=L.int64)
    return L.cov(x, correction=2, fweights=f, aweights=a.abs() + 0.1)


# name: (lambda(L, *inputs), input arrays, differentiable). Float inputs require grad.
CASES: dict[str, tuple[Any, tuple[np.ndarray, ...], bool]] = {
    "softmax": (lambda L, x: L.softmax(x, 1), (A34,), True),
    "softmax_dtype": (lambda L, x: L.softmax(x, 0, L.float32), (A34,), True),
    "log_softmax": (lambda L, x: L.log_softmax(x, -1), (A34,), True),
    "dropout_eval": (lambda L, x: L.dropout(x, 0.3, False), (A34,), True),
    "dropout_train": (_seeded(lambda L, x: L.dropout(x, 0.3, True)), (A34,), True),
    "selu": (lambda L, x: L.selu(x), (A34,), True),
    "celu": (lambda L, x: L.celu(x, 0.5), (A34,), True),
    "rrelu_eval": (lambda L, x: L.rrelu(x, 0.1, 0.3), (A34,), True),
    "rrelu_train": (_seeded(lambda L, x: L.rrelu(x, training=True)), (A34,), True),
    "rrelu_functional": (
        _seeded(lambda L, x: L.nn.functional.rrelu(x * 1, training=True, inplace=True)),
        (A34,),
        True,
    ),
    "rrelu_module": (_seeded(lambda L, x: L.nn.RReLU(0.2, 0.4)(x)), (A34,), True),
    "threshold": (lambda L, x: L.threshold(x, 0.1, -1.0), (A34,), True),
    "threshold_int": (lambda L, x: L.threshold(x, 2, 9), (INTS,), False),
    "hardshrink": (lambda L, x: L.hardshrink(x, 0.7) + x.hardshrink(), (A34,), True),
    "pixel_shuffle": (lambda L, x: L.pixel_shuffle(x, 2), (_array(5, 1, 8, 2, 3),), True),
    "conv1d": (
        lambda L, x, w, b: L.conv1d(x, w, b, 1, 1),
        (_array(6, 2, 3, 7), _array(7, 4, 3, 3), _array(8, 4)),
        True,
    ),
    "conv2d": (
        lambda L, x, w: L.conv2d(x, w, None, 2, 1),
        (_array(9, 1, 2, 5, 5), _array(10, 3, 2, 3, 3)),
        True,
    ),
    "max_pool2d": (lambda L, x: L.max_pool2d(x, 2), (_array(11, 1, 2, 6, 6),), True),
    "max_pool2d_stride": (lambda L, x: L.max_pool2d(x, 3, 2, 1), (_array(12, 2, 5, 5),), True),
    "avg_pool1d": (lambda L, x: L.avg_pool1d(x, 3, 2, 1), (_array(13, 1, 2, 7),), True),
    "batch_norm_train": (
        lambda L, x, w, b: L.batch_norm(x, w, b, *_running(L, x), True, 0.1, 1e-5, False),
        (_array(14, 4, 3), _array(15, 3), _array(16, 3)),
        True,
    ),
    "batch_norm_eval": (
        lambda L, x: L.batch_norm(x, None, None, *_running(L, x), False, 0.1, 1e-5, True),
        (_array(17, 4, 3, 2),),
        True,
    ),
    "layer_norm": (
        lambda L, x, w, b: L.layer_norm(x, [4], w, b),
        (_array(18, 2, 3, 4), _array(19, 4), _array(20, 4)),
        True,
    ),
    "group_norm": (
        lambda L, x, w, b: L.group_norm(x, 2, w, b, 1e-3),
        (_array(21, 2, 4, 3), _array(22, 4), _array(23, 4)),
        True,
    ),
    "instance_norm": (
        lambda L, x: L.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
        (_array(24, 2, 3, 5),),
        True,
    ),
    "embedding": (lambda L, w, i: L.embedding(w, i), (_array(25, 5, 3), INDICES), True),
    "embedding_padding": (lambda L, w, i: L.embedding(w, i, 2), (_array(25, 5, 3), INDICES), True),
    "cosine_similarity": (lambda L, x, y: L.cosine_similarity(x, y), (A34, B34), True),
    "pairwise_distance": (lambda L, x, y: L.pairwise_distance(x, y, 3.0), (A34, B4), True),
    "pdist": (lambda L, x: L.pdist(x), (_array(26, 5, 3),), True),
    "pdist_p1": (lambda L, x: L.pdist(x, 1), (_array(27, 4, 3),), True),
    "pdist_inf": (lambda L, x: L.nn.functional.pdist(x, float("inf")), (_array(28, 4, 3),), True),
    "pdist_one_row": (lambda L, x: L.pdist(x), (_array(29, 1, 3),), True),
    "detach": (lambda L, x: L.detach(x) * 2, (A34,), True),
    "adjoint": (lambda L, x: L.adjoint(x) * x.adjoint(), (_array(30, 2, 3, 4),), True),
    "row_stack": (lambda L, x, y: L.row_stack((x, y)), (B4, A34), True),
    "hsplit": (lambda L, x: L.hsplit(x, 2), (A34,), True),
    "hsplit_indices": (lambda L, x: x.hsplit([1, 3]), (A34,), True),
    "hsplit_1d": (lambda L, x: L.hsplit(x, 3), (_array(31, 6),), True),
    "vsplit": (lambda L, x: L.vsplit(x, [1]) + x.vsplit(3), (A34,), True),
    "dsplit": (lambda L, x: L.dsplit(x, 2) + x.dsplit([3]), (_array(32, 2, 2, 4),), True),
    "logaddexp": (lambda L, x, y: L.logaddexp(x, y) + x.logaddexp(y * 50), (A34, B4), True),
    "logaddexp_ties": (lambda L, x: L.logaddexp(x, x), (A34,), True),
    "logaddexp_special": (lambda L, x, y: L.logaddexp(x, y), (SPECIAL_X, SPECIAL_Y), False),
    "logaddexp_promotes": (lambda L, x, y: L.logaddexp(x.float(), y.double()), (A34, B34), False),
    "logaddexp_half": (lambda L, x, y: L.logaddexp(x.half(), y.half()), (A34, B34), False),
    "logaddexp_int_0d": (lambda L, x: L.logaddexp(L.tensor(1), x), (A34,), True),
    "logaddexp2": (lambda L, x, y: L.logaddexp2(x, y) + x.logaddexp2(y * 50), (A34, B4), True),
    "logaddexp2_special": (lambda L, x, y: L.logaddexp2(x, y), (SPECIAL_X, SPECIAL_Y), False),
    "xlogy": (lambda L, x, y: L.xlogy(x, y) + x.xlogy(y), (A34, POS34), True),
    "xlogy_zero_x": (lambda L, x, y: L.xlogy(x * 0, y), (A34, POS34), True),
    "xlogy_special": (lambda L, x, y: L.xlogy(x, y), (XLOGY_X, XLOGY_Y), False),
    "xlogy_number_first": (lambda L, y: L.xlogy(2, y), (POS34,), True),
    "xlogy_number_second": (lambda L, x: L.xlogy(x, 2.5), (A34,), True),
    "xlogy_ints": (lambda L, i: L.xlogy(i, i), (INTS,), False),
    "xlogy_bool_number": (lambda L, i: L.xlogy(True, i), (INTS,), False),
    "xlogy_0d_weak": (
        lambda L, x, y: L.xlogy(x.sum(), y.to(L.float32)),
        (A34, POS34),
        True,
    ),
    "xlogy_inplace": (lambda L, x, y: (x * 1).xlogy_(y), (A34, POS34), True),
    "sinc": (lambda L, x: L.sinc(x), (WITH_ZERO,), True),
    "sinc_method": (lambda L, x: x.sinc() + (x * 1).sinc_(), (A34,), True),
    "sinc_ints": (lambda L, i: L.sinc(i), (INTS,), False),
    "sinc_bool": (lambda L, f: L.sinc(f), (FLAGS,), False),
    "diff": (lambda L, x: L.diff(x), (A34,), True),
    "diff_order_dim": (lambda L, x: x.diff(2, 0), (_array(33, 4, 3),), True),
    "diff_prepend_append": (
        lambda L, x, p, a: L.diff(x, 1, 1, p, a),
        (A34, _array(34, 3, 2), _array(35, 3, 1)),
        True,
    ),
    "diff_long_order": (lambda L, x: L.diff(x, 7), (A34,), True),
    "diff_order_0": (lambda L, x: L.diff(x, 0) * 2, (A34,), True),
    "diff_bool": (lambda L, f: L.diff(f), (FLAGS,), False),
    "diff_ints_prepend_float": (
        lambda L, i: L.diff(i, prepend=L.tensor([1.5])),
        (INTS,),
        False,
    ),
    "logspace": (lambda L: L.logspace(0, 2, 5), (), False),
    "logspace_base_dtype": (lambda L: L.logspace(1, -1, 4, 2, dtype=L.float64), (), False),
    "logspace_int": (lambda L: L.logspace(0, 3, 4, dtype=L.int64), (), False),
    "logspace_one": (lambda L: L.logspace(-1.5, 2, 1), (), False),
    "tril_indices": (lambda L: L.tril_indices(4, 3, 1), (), False),
    "triu_indices": (lambda L: L.triu_indices(3, 5, -1, dtype=L.int32), (), False),
    "triu_indices_empty": (lambda L: L.triu_indices(0, 0), (), False),
    "diagflat": (lambda L, x: L.diagflat(x, 1) + x.diagflat(-1)[1:, :-1].sum(), (A34,), True),
    "diagflat_0d": (lambda L, x: L.diagflat(x.sum()), (A34,), True),
    "block_diag": (
        lambda L, x, y, z: L.block_diag(x, y, z.sum()),
        (_array(36, 2, 3), B4, A34),
        True,
    ),
    "block_diag_mixed": (
        lambda L, x: L.block_diag(L.zeros(0, 2, dtype=L.int32), x, L.tensor([[1, 2]])),
        (A34,),
        True,
    ),
    "block_diag_none": (lambda L: L.block_diag(), (), False),
    "cov": (lambda L, x: L.cov(x), (_array(37, 3, 5),), True),
    "cov_1d": (lambda L, x: x.cov(correction=0), (_array(38, 6),), True),
    "cov_weighted": (_cov_weighted, (A34, _array(39, 4)), True),
    "cov_ints": (lambda L, i: L.cov(i), (INTS,), False),
    "corrcoef": (lambda L, x: L.corrcoef(x) + x.corrcoef(), (_array(40, 3, 5),), True),
    "corrcoef_1d": (lambda L, x: L.corrcoef(x), (_array(41, 5),), True),
    "aminmax": (lambda L, x: L.aminmax(x), (A34,), True),
    "aminmax_dim": (lambda L, x: x.aminmax(dim=1, keepdim=True), (A34,), True),
    "aminmax_keepdim": (lambda L, x: L.aminmax(x, keepdim=True), (A34,), True),
    "aminmax_ints": (lambda L, i: L.aminmax(i, dim=0), (INTS,), False),
    "aminmax_0d": (lambda L, x: L.aminmax(x.sum(), dim=0), (A34,), True),
    "dist": (lambda L, x, y: L.dist(x, y), (A34, B4), True),
    "dist_p": (lambda L, x, y: x.dist(y, 3) + L.dist(x, y, 0.5), (A34, B34), True),
    "dist_promotes": (lambda L, x, y: L.dist(x.float(), y), (A34, B34), True),
    "logcumsumexp": (lambda L, x: L.logcumsumexp(x, 1), (A34,), True),
    "logcumsumexp_method": (lambda L, x: x.logcumsumexp(-2), (A34,), True),
    "logcumsumexp_wide": (lambda L, x: L.logcumsumexp(x * 400, 1), (A34,), True),
    "logcumsumexp_special": (lambda L, x: L.logcumsumexp(x, 0), (SPECIAL_X,), False),
    "logcumsumexp_0d": (lambda L, x: L.logcumsumexp(x.sum(), 0), (A34,), True),
    "isin": (lambda L, i: L.isin(i, L.tensor([1, 3, 9])), (INTS,), False),
    "isin_number": (lambda L, i: L.isin(i, 3, invert=True), (INTS,), False),
    "isin_number_first": (lambda L, i: L.isin(3, i), (INTS,), False),
    "isin_weak_float": (lambda L, x: L.isin(x.float(), float(x[0, 0])), (A34,), False),
    "isin_mixed": (lambda L, i: L.isin(i, L.tensor([1.0, 3.5])), (INTS,), False),
    "type_as": (lambda L, x, i: x.type_as(i), (A34, INTS), False),
    "where_method": (lambda L, x, y: x.where(x > 0, y), (A34, B4), True),
    "where_method_number": (lambda L, i: i.where(i > 2, 0), (INTS,), False),
}
# By the narrowest float the case computes in (its outputs' element size).
TOL = {
    2: {"rtol": 2e-3, "atol": 1e-3},
    4: {"rtol": 1e-5, "atol": 1e-6},
    8: {"rtol": 1e-10, "atol": 1e-12},
}


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _weights(t: Any, lib: Any, k: int) -> Any:
    w = np.random.default_rng(100 + k).uniform(-1, 1, tuple(t.shape))
    return lib.tensor(w, dtype=t.dtype)


def _run(lib: Any, case: str, dtype: str) -> tuple[list[Any], list[Any]]:
    """The outputs, and the inputs' gradients of a weighted sum of them."""
    fn, arrays, differentiable = CASES[case]
    xs = [
        lib.tensor(a.astype(dtype), requires_grad=differentiable)
        if a.dtype.kind == "f"
        else lib.tensor(a)
        for a in arrays
    ]
    outs = _outputs(fn(lib, *xs))
    terms = [(o * _weights(o, lib, k)).sum() for k, o in enumerate(outs) if o.requires_grad]
    if terms:
        sum(terms).backward()
    return outs, [x.grad for x in xs]


def _same(n: Any, t: Any, tol: dict[str, float], what: str) -> None:
    assert tuple(n.shape) == tuple(t.shape), what
    assert str(n.dtype) == str(t.dtype).replace("torch.", "ndgrad."), what
    got = n.detach().numpy()
    np.testing.assert_allclose(got, t.detach().numpy(), equal_nan=True, err_msg=what, **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch(case: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's and ours alike: adjoint of 0-d, cov's dof
        t_outs, t_grads = _run(torch, case, dtype)
        n_outs, n_grads = _run(ndgrad, case, dtype)
    assert len(n_outs) == len(t_outs)
    floats = [t.element_size() for t in t_outs if t.is_floating_point()]
    tol = TOL[min(floats, default=8 if dtype == "float64" else 4)]
    for k, (n, t) in enumerate(zip(n_outs, t_outs)):
        _same(n, t, tol, f"output {k}")
    for k, (n, t) in enumerate(zip(n_grads, t_grads)):
        assert (n is None) == (t is None), f"gradient of input {k}"
        if t is not None:
            _same(n, t, tol, f"gradient of input {k}")


# ----------------------------------------------------------- finite differences
def _f64(*arrays: np.ndarray) -> list[Any]:
    return [ndgrad.tensor(a, dtype=ndgrad.float64, requires_grad=True) for a in arrays]


GRADCHECK = {
    "logaddexp": (lambda x, y: ndgrad.logaddexp(x, y), (A34, B4)),
    "logaddexp2": (lambda x, y: ndgrad.logaddexp2(x, y * 3), (A34, B34)),
    "xlogy": (lambda x, y: ndgrad.xlogy(x, y), (A34, POS34)),
    "sinc": (lambda x: ndgrad.sinc(x), (A34,)),
    "diff": (lambda x, p: ndgrad.diff(x, 2, 0, prepend=p), (A34, _array(42, 2, 4))),
    "cov": (
        lambda x, a: ndgrad.cov(x, aweights=a.abs() + 0.1),
        (_array(43, 3, 5), _array(44, 5)),
    ),
    "corrcoef": (lambda x: ndgrad.corrcoef(x), (_array(45, 3, 5),)),
    "dist": (lambda x, y: ndgrad.dist(x, y, 3), (A34, B4)),
    "logcumsumexp": (lambda x: ndgrad.logcumsumexp(x, 1), (A34,)),
    "logcumsumexp_wide": (lambda x: ndgrad.logcumsumexp(x * 100, 0), (A34,)),
    "block_diag": (lambda x, y: ndgrad.block_diag(x, y), (A34, B4)),
    "diagflat": (lambda x: ndgrad.diagflat(x, -2), (A34,)),
    "pdist": (lambda x: ndgrad.pdist(x), (_array(46, 4, 3),)),
    "aminmax": (lambda x: ndgrad.aminmax(x, dim=0), (A34,)),
    "adjoint": (lambda x: ndgrad.adjoint(x), (A34,)),
    "hsplit": (lambda x: ndgrad.hsplit(x, [1]), (A34,)),
    "rrelu_train": (lambda x: _seeded(lambda L, y: L.rrelu(y, training=True))(ndgrad, x), (A34,)),
}
SECOND_ORDER = ("logaddexp", "xlogy", "sinc", "cov", "corrcoef", "logcumsumexp", "dist")


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name: str) -> None:
    fn, arrays = GRADCHECK[name]
    assert gradcheck(fn, _f64(*arrays))


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_gradgradcheck(name: str) -> None:
    fn, arrays = GRADCHECK[name]
    assert gradgradcheck(fn, _f64(*arrays))


# ------------------------------------------------------------------- the names
def test_every_name_exists() -> None:
    assert [n for n in NAMES if not callable(getattr(ndgrad, n, None))] == []
    assert [n for n in METHODS if not callable(getattr(ndgrad.Tensor, n, None))] == []


def test_names_are_torchs() -> None:
    torch = pytest.importorskip("torch")
    assert [n for n in NAMES if not hasattr(torch, n)] == []
    assert [n for n in METHODS if not hasattr(torch.Tensor, n)] == []


def test_known_values_without_torch() -> None:
    assert ndgrad.tril_indices(3, 3).tolist() == [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    assert ndgrad.triu_indices(2, 3, 1).tolist() == [[0, 0, 1], [1, 2, 2]]
    np.testing.assert_allclose(ndgrad.logspace(0, 2, 3).numpy(), [1.0, 10.0, 100.0])
    big = ndgrad.logcumsumexp(ndgrad.tensor([-1000.0, 0.0, 1000.0]), 0)
    np.testing.assert_allclose(big.numpy(), [-1000.0, np.log1p(np.exp(-1000.0)), 1000.0])
    zero_times = ndgrad.xlogy(ndgrad.tensor([0.0, 0.0]), ndgrad.tensor([0.0, np.nan]))
    assert zero_times.isnan().tolist() == [False, True]
    assert ndgrad.sinc(ndgrad.tensor([0.0])).item() == 1.0
    assert ndgrad.block_diag().shape == (1, 0)


def test_predicates_and_names() -> None:
    x = ndgrad.ones(2, 3, requires_grad=True)
    assert not ndgrad.detach(x).requires_grad
    assert not ndgrad.is_complex(x) and ndgrad.is_complex(ndgrad.tensor([1j]))
    assert ndgrad.is_nonzero(ndgrad.tensor([[0.5]])) and not ndgrad.tensor(0).is_nonzero()
    assert ndgrad.typename(x) == "ndgrad.FloatTensor"
    assert ndgrad.typename(ndgrad.tensor([1])) == "ndgrad.LongTensor"
    assert ndgrad.typename(1) == "int"
    assert ndgrad.typename(ndgrad.nn.Linear) == "ndgrad.nn.modules.linear.Linear"
    assert ndgrad.typename(ndgrad.nn.Linear(1, 1)) == "ndgrad.nn.modules.linear.Linear"


def test_typename_vs_torch() -> None:
    torch = pytest.importorskip("torch")
    for make in (lambda L: L.zeros(2, dtype=L.int32), lambda L: 2.5, lambda L: L.nn.ReLU()):
        assert ndgrad.typename(make(ndgrad)) == torch.typename(make(torch)).replace(
            "torch.", "ndgrad."
        )


def test_storage_offset_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    views = (
        lambda x: x,
        lambda x: x[1:],
        lambda x: x.t()[2:],
        lambda x: x[2, 1:],
        lambda x: x.detach()[1:, 3:],
        lambda x: x.view(-1)[5:],
    )
    offsets = [view(ndgrad.zeros(4, 6)).storage_offset() for view in views]
    assert offsets == [view(torch.zeros(4, 6)).storage_offset() for view in views]


def test_type_as_follows_the_others_type() -> None:
    x = ndgrad.tensor([1.7, -2.2])
    assert x.type_as(ndgrad.tensor([1])).tolist() == [1, -2]
    assert x.type_as(x) is x


def test_num_threads_recorded_without_threadpoolctl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # its import now fails
    before = ndgrad.get_num_threads()
    assert before >= 1
    try:
        ndgrad.set_num_threads(3)
        assert ndgrad.get_num_threads() == 3
    finally:
        ndgrad.set_num_threads(before)


def test_num_threads_limit_blas_through_threadpoolctl() -> None:
    tpc = pytest.importorskip("threadpoolctl")
    before = ndgrad.get_num_threads()
    with tpc.threadpool_limits(limits=None):  # gives the pools their sizes back on exit
        try:
            ndgrad.set_num_threads(1)
            assert ndgrad.get_num_threads() == 1
            blas = [p["num_threads"] for p in tpc.threadpool_info() if p["user_api"] == "blas"]
            assert blas and set(blas) == {1}
        finally:
            ndgrad.set_num_threads(before)


def test_deterministic_flags_round_trip() -> None:
    assert not ndgrad.are_deterministic_algorithms_enabled()
    try:
        ndgrad.use_deterministic_algorithms(True, warn_only=True)
        assert ndgrad.are_deterministic_algorithms_enabled()
        assert ndgrad.is_deterministic_algorithms_warn_only_enabled()
    finally:
        ndgrad.use_deterministic_algorithms(False)
    assert not ndgrad.are_deterministic_algorithms_enabled()
    assert not ndgrad.is_deterministic_algorithms_warn_only_enabled()


def test_adjoint_is_a_view() -> None:
    x = ndgrad.zeros(2, 3)
    x.adjoint()[1, 0] = 5.0
    assert x[0, 1].item() == 5.0


def test_rrelu_train_slopes_lie_in_bounds() -> None:
    x = -ndgrad.rand(1000, dtype=ndgrad.float64) - 0.5
    slopes = ndgrad.rrelu(x, 0.2, 0.3, training=True) / x
    assert 0.2 <= slopes.min().item() and slopes.max().item() <= 0.3
    gen = ndgrad.Generator().manual_seed(5)
    a = ndgrad.rrelu(x, training=True, generator=gen)
    gen.manual_seed(5)
    assert ndgrad.equal(a, ndgrad.rrelu(x, training=True, generator=gen))


def test_cov_warns_when_degrees_of_freedom_run_out() -> None:
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        c = ndgrad.cov(ndgrad.ones(2, 1))
    assert c.isnan().all()


# ---------------------------------------------------------------------- errors
def _lib_x(L: Any) -> Any:
    return L.arange(24.0).reshape(4, 6)


ERRORS = {
    "dropout_p": lambda L: L.dropout(_lib_x(L), 1.5, True),
    "softmax_int": lambda L: L.softmax(L.arange(6), 0),
    "rrelu_bounds": lambda L: L.rrelu(_lib_x(L), 0.5, 0.2),
    "rrelu_int_train": lambda L: L.rrelu(L.tensor([-1, 2]), training=True),
    "rrelu_int_eval": lambda L: L.rrelu(L.tensor([-1, 2])),
    "hardshrink_int": lambda L: L.hardshrink(L.arange(6)),
    "selu_int": lambda L: L.selu(L.arange(6)),
    "layer_norm_int_shape": lambda L: L.layer_norm(_lib_x(L), 6),
    "pdist_3d": lambda L: L.pdist(L.ones(2, 3, 4)),
    "pdist_int": lambda L: L.pdist(L.ones(2, 3, dtype=L.int64)),
    "pdist_negative_p": lambda L: L.pdist(_lib_x(L), -1),
    "is_nonzero_empty": lambda L: L.is_nonzero(L.tensor([])),
    "is_nonzero_many": lambda L: L.is_nonzero(L.tensor([1, 2])),
    "is_nonzero_number": lambda L: L.is_nonzero(3),
    "set_num_threads_zero": lambda L: L.set_num_threads(0),
    "set_num_threads_float": lambda L: L.set_num_threads(1.5),
    "deterministic_int": lambda L: L.use_deterministic_algorithms(1),
    "deterministic_warn_only": lambda L: L.use_deterministic_algorithms(True, warn_only=1),
    "adjoint_1d": lambda L: L.adjoint(L.ones(3)),
    "hsplit_0d": lambda L: L.hsplit(L.tensor(1.0), 2),
    "hsplit_uneven": lambda L: L.hsplit(_lib_x(L), 4),
    "hsplit_zero": lambda L: L.hsplit(_lib_x(L), 0),
    "vsplit_1d": lambda L: L.vsplit(L.ones(6), 2),
    "vsplit_uneven": lambda L: L.ones(4, 6).vsplit(3),
    "dsplit_2d": lambda L: L.dsplit(_lib_x(L), 2),
    "logaddexp_int": lambda L: L.logaddexp(L.arange(3), L.arange(3)),
    "logaddexp_number": lambda L: L.logaddexp(_lib_x(L), 2.0),
    "logaddexp_number_first": lambda L: L.logaddexp(2.0, _lib_x(L)),
    "logaddexp_broadcast": lambda L: L.logaddexp(L.ones(2, 3), L.ones(4)),
    "xlogy_numbers": lambda L: L.xlogy(2, 3),
    "diff_0d": lambda L: L.diff(L.tensor(1.0)),
    "diff_negative_order": lambda L: L.diff(L.ones(3), -1),
    "diff_prepend_dims": lambda L: L.diff(L.ones(3), prepend=L.ones(1, 1)),
    "diff_append_shape": lambda L: L.diff(_lib_x(L), dim=0, append=L.zeros(1, 5)),
    "diff_dim": lambda L: L.diff(L.ones(3), dim=2),
    "logspace_negative_steps": lambda L: L.logspace(0, 2, -1),
    "tril_indices_row": lambda L: L.tril_indices(-1, 3),
    "triu_indices_col": lambda L: L.triu_indices(3, -2),
    "tril_indices_float": lambda L: L.tril_indices(3, 3, dtype=L.float32),
    "triu_indices_int16": lambda L: L.triu_indices(3, 3, dtype=L.int16),
    "block_diag_3d": lambda L: L.block_diag(L.ones(2), L.ones(2, 2, 2)),
    "block_diag_list": lambda L: L.block_diag(L.ones(2), [1]),
    "cov_3d": lambda L: L.cov(L.ones(2, 2, 2)),
    "cov_bool": lambda L: L.cov(L.tensor([True, False])),
    "cov_fweights_float": lambda L: L.cov(_lib_x(L), fweights=L.ones(6)),
    "cov_fweights_numel": lambda L: L.cov(_lib_x(L), fweights=L.ones(5, dtype=L.int64)),
    "cov_fweights_2d": lambda L: L.cov(_lib_x(L), fweights=L.ones(1, 6, dtype=L.int64)),
    "cov_fweights_negative": lambda L: L.cov(_lib_x(L), fweights=-L.ones(6, dtype=L.int64)),
    "cov_aweights_int": lambda L: L.cov(_lib_x(L), aweights=L.ones(6, dtype=L.int64)),
    "cov_aweights_negative": lambda L: L.cov(_lib_x(L), aweights=-L.ones(6)),
    "corrcoef_3d": lambda L: L.corrcoef(L.ones(3, 3, 3)),
    "aminmax_empty": lambda L: L.aminmax(L.tensor([])),
    "aminmax_empty_dim": lambda L: L.aminmax(L.zeros(0, 3), dim=0),
    "dist_int": lambda L: L.dist(L.arange(3), L.arange(3)),
    "dist_number": lambda L: L.dist(_lib_x(L), 1.0),
    "logcumsumexp_int": lambda L: L.logcumsumexp(L.arange(3), 0),
    "logcumsumexp_dim": lambda L: L.logcumsumexp(_lib_x(L), 2),
    "isin_numbers": lambda L: L.isin(3, 4),
    "isin_list": lambda L: L.isin(_lib_x(L), [1.0]),
    "isin_bool": lambda L: L.isin(L.tensor([1, 2]), L.tensor([True])),
}
EXPECTED = {
    "dropout_p": (RuntimeError, "dropout probability has to be between 0 and 1, but got 1.5"),
    "softmax_int": (
        NotImplementedError,
        "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'",
    ),
    "rrelu_bounds": (RuntimeError, "Lower bound should be less than or equal to the upper bound"),
    "rrelu_int_train": (
        NotImplementedError,
        "\"rrelu_with_noise_out_cpu\" not implemented for 'Long'",
    ),
    "rrelu_int_eval": (NotImplementedError, "\"leaky_relu_cpu\" not implemented for 'Long'"),
    "hardshrink_int": (NotImplementedError, "\"hardshrink_cpu\" not implemented for 'Long'"),
    "selu_int": (NotImplementedError, "\"elu_cpu\" not implemented for 'Long'"),
    "layer_norm_int_shape": (
        TypeError,
        "layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not int",
    ),
    "pdist_3d": (RuntimeError, "pdist only supports 2D tensors, got: 3D"),
    "pdist_int": (RuntimeError, "pdist only supports floating-point dtypes"),
    "pdist_negative_p": (RuntimeError, "pdist only supports non-negative p values"),
    "is_nonzero_empty": (RuntimeError, "Boolean value of Tensor with no values is ambiguous"),
    "is_nonzero_many": (
        RuntimeError,
        "Boolean value of Tensor with more than one value is ambiguous",
    ),
    "is_nonzero_number": (
        TypeError,
        "is_nonzero(): argument 'input' (position 1) must be Tensor, not int",
    ),
    "set_num_threads_zero": (RuntimeError, "set_num_threads expects a positive integer"),
    "set_num_threads_float": (RuntimeError, "set_num_threads expects an int, but got float"),
    "deterministic_int": (
        TypeError,
        "_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not int",
    ),
    "deterministic_warn_only": (
        TypeError,
        "_set_deterministic_algorithms(): argument 'warn_only' must be bool, not int",
    ),
    "adjoint_1d": (
        RuntimeError,
        "tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor.",
    ),
    "hsplit_0d": (
        RuntimeError,
        "ndgrad.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 "
        "dimensions!",
    ),
    "hsplit_uneven": (
        RuntimeError,
        "ndgrad.hsplit attempted to split along dimension 1, but the size of the dimension 6 "
        "is not divisible by the split_size 4!",
    ),
    "hsplit_zero": (
        RuntimeError,
        "ndgrad.hsplit attempted to split along dimension 1, but the size of the dimension 6 "
        "is not divisible by the split_size 0!",
    ),
    "vsplit_1d": (
        RuntimeError,
        "ndgrad.vsplit requires a tensor with at least 2 dimension, but got a tensor with 1 "
        "dimensions!",
    ),
    "vsplit_uneven": (
        RuntimeError,
        "ndgrad.vsplit attempted to split along dimension 0, but the size of the dimension 4 "
        "is not divisible by the split_size 3!",
    ),
    "dsplit_2d": (
        RuntimeError,
        "ndgrad.dsplit requires a tensor with at least 3 dimension, but got a tensor with 2 "
        "dimensions!",
    ),
    "logaddexp_int": (NotImplementedError, "\"logaddexp_cpu\" not implemented for 'Long'"),
    "logaddexp_number": (
        TypeError,
        "logaddexp(): argument 'other' (position 2) must be Tensor, not float",
    ),
    "logaddexp_number_first": (
        TypeError,
        "logaddexp(): argument 'input' (position 1) must be Tensor, not float",
    ),
    "logaddexp_broadcast": (
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
        "dimension 1",
    ),
    "xlogy_numbers": (
        TypeError,
        "xlogy() received an invalid combination of arguments - got (int, int), but expected "
        "one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n * (Number self, "
        "Tensor other, *, Tensor out = None)\n * (Tensor input, Number other, *, Tensor out = "
        "None)\n",
    ),
    "diff_0d": (RuntimeError, "diff expects input to be at least one-dimensional"),
    "diff_negative_order": (RuntimeError, "order must be non-negative but got -1"),
    "diff_prepend_dims": (
        RuntimeError,
        "diff expects prepend or append to be the same dimension as input",
    ),
    "diff_append_shape": (
        RuntimeError,
        "diff expects the shape of tensor to prepend or append to match that of input except "
        "along the differencing dimension; input.size(1) = 6, but got tensor.size(1) = 5",
    ),
    "diff_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-1, 0], but got 2)",
    ),
    "logspace_negative_steps": (RuntimeError, "number of steps must be non-negative"),
    "tril_indices_row": (RuntimeError, "row must be non-negative, got-1"),
    "triu_indices_col": (RuntimeError, "col must be non-negative, got-2"),
    "tril_indices_float": (NotImplementedError, "\"tril_indices\" not implemented for 'Float'"),
    "triu_indices_int16": (NotImplementedError, "\"triu_indices\" not implemented for 'Short'"),
    "block_diag_3d": (
        RuntimeError,
        "ndgrad.block_diag: Input tensors must have 2 or fewer dimensions. Input 1 has 3 "
        "dimensions",
    ),
    "block_diag_list": (TypeError, "expected Tensor as element 1 in argument 0, but got list"),
    "cov_3d": (
        RuntimeError,
        "cov(): expected input to have two or fewer dimensions but got an input with 3 dimensions",
    ),
    "cov_bool": (RuntimeError, "cov(): bool dtype is not supported for input"),
    "cov_fweights_float": (
        RuntimeError,
        "cov(): expected fweights to have integral dtype but got fweights with Float dtype",
    ),
    "cov_fweights_numel": (
        RuntimeError,
        "cov(): expected fweights to have the same numel as there are observations in the "
        "input but got 5 != 6",
    ),
    "cov_fweights_2d": (
        RuntimeError,
        "cov(): expected fweights to have one or fewer dimensions but got fweights with 2 "
        "dimensions",
    ),
    "cov_fweights_negative": (RuntimeError, "cov(): fweights cannot be negative"),
    "cov_aweights_int": (
        RuntimeError,
        "cov(): expected aweights to have floating point dtype but got aweights with Long dtype",
    ),
    "cov_aweights_negative": (RuntimeError, "cov(): aweights cannot be negative"),
    "corrcoef_3d": (
        RuntimeError,
        "corrcoef(): expected input to have two or fewer dimensions but got an input with 3 "
        "dimensions",
    ),
    "aminmax_empty": (
        RuntimeError,
        "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
        "identity.",
    ),
    "aminmax_empty_dim": (IndexError, "aminmax: Expected reduction dim 0 to have non-zero size."),
    "dist_int": (
        RuntimeError,
        "norm(): input dtype should be either floating point or complex. Got Long instead.",
    ),
    "dist_number": (TypeError, "dist(): argument 'other' (position 2) must be Tensor, not float"),
    "logcumsumexp_int": (
        NotImplementedError,
        "\"logcumsumexp_out_cpu\" not implemented for 'Long'",
    ),
    "logcumsumexp_dim": (
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "isin_numbers": (
        TypeError,
        "isin() received an invalid combination of arguments - got (int, int), but expected "
        "one of:\n * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, "
        "bool invert = False, Tensor out = None)\n * (Number element, Tensor test_elements, *, "
        "bool assume_unique = False, bool invert = False, Tensor out = None)\n * (Tensor "
        "elements, Number test_element, *, bool assume_unique = False, bool invert = False, "
        "Tensor out = None)\n",
    ),
    "isin_list": (
        TypeError,
        "isin() received an invalid combination of arguments - got (Tensor, list), but "
        "expected one of:\n * (Tensor elements, Tensor test_elements, *, bool assume_unique = "
        "False, bool invert = False, Tensor out = None)\n * (Number element, Tensor "
        "test_elements, *, bool assume_unique = False, bool invert = False, Tensor out = "
        "None)\n * (Tensor elements, Number test_element, *, bool assume_unique = False, bool "
        "invert = False, Tensor out = None)\n",
    ),
    "isin_bool": (RuntimeError, "Unsupported input type encountered for isin(): Bool"),
}


def _raised(fn: Any, lib: Any) -> BaseException:
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.value


def _from_torch(text: str) -> str:
    return text.replace("torch.", "ndgrad.")


def test_every_error_case_has_an_expectation() -> None:
    assert set(ERRORS) == set(EXPECTED)


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error(case: str) -> None:
    exc_type, text = EXPECTED[case]
    got = _raised(ERRORS[case], ndgrad)
    assert type(got) is exc_type
    assert str(got) == text


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_expected_error_is_torchs(case: str) -> None:
    torch = pytest.importorskip("torch")
    want = _raised(ERRORS[case], torch)
    assert (type(want), _from_torch(str(want))) == EXPECTED[case]
