"""nn.init: statistics of each initialiser with fixed seeds, in-place behaviour and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ndgrad
import ndgrad.nn as nn
from ndgrad.nn import init


def _p(*shape):
    return nn.Parameter(ndgrad.empty(*shape))


def _np(t):
    return t.detach().numpy()


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    cases = [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None)]
    cases += [("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]
    for name, param in cases:
        assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)
    for name, param in [("swish", None), ("leaky_relu", True), ("leaky_relu", "x")]:
        with pytest.raises(ValueError) as te:
            torch.nn.init.calculate_gain(name, param)
        with pytest.raises(ValueError) as ne:
            init.calculate_gain(name, param)
        assert str(ne.value) == str(te.value)


def test_in_place_no_grad_returns_tensor():
    w = _p(20, 30)
    for fn in (
        init.uniform_,
        init.normal_,
        init.trunc_normal_,
        init.xavier_uniform_,
        init.xavier_normal_,
        init.kaiming_uniform_,
        init.kaiming_normal_,
        init.orthogonal_,
        init.ones_,
        init.zeros_,
        init.eye_,
    ):
        out = fn(w)
        assert out is w and w.requires_grad and w.is_leaf and w.grad_fn is None
        assert w.dtype == ndgrad.float32
    assert init.constant_(w, 0.5) is w and float(w.mean()) == 0.5


def test_generator_makes_draws_reproducible():
    g1, g2 = ndgrad.Generator().manual_seed(7), ndgrad.Generator().manual_seed(7)
    a = init.kaiming_normal_(_p(5, 4), generator=g1)
    b = init.kaiming_normal_(_p(5, 4), generator=g2)
    assert ndgrad.equal(a, b)
    ndgrad.manual_seed(3)
    c = init.uniform_(_p(10))
    ndgrad.manual_seed(3)
    assert ndgrad.equal(c, init.uniform_(_p(10)))


def test_uniform_and_normal_statistics():
    ndgrad.manual_seed(0)
    u = _np(init.uniform_(_p(200, 200), -2.0, 3.0))
    assert u.min() >= -2.0 and u.max() <= 3.0
    assert abs(u.mean() - 0.5) < 0.03 and abs(u.std() - 5 / math.sqrt(12)) < 0.02
    n = _np(init.normal_(_p(200, 200), 1.5, 0.5))
    assert abs(n.mean() - 1.5) < 0.01 and abs(n.std() - 0.5) < 0.01


def test_trunc_normal_statistics():
    ndgrad.manual_seed(0)
    t = _np(init.trunc_normal_(_p(300, 300), mean=0.0, std=1.0, a=-1.0, b=2.0))
    assert t.min() >= -1.0 and t.max() <= 2.0
    # Mean and std of N(0,1) truncated to [-1, 2].
    from math import erf, exp, pi, sqrt

    def phi(x):
        return exp(-x * x / 2) / sqrt(2 * pi)

    def cdf(x):
        return 0.5 * (1 + erf(x / sqrt(2)))

    z = cdf(2) - cdf(-1)
    mean = (phi(-1) - phi(2)) / z
    var = 1 + (-1 * phi(-1) - 2 * phi(2)) / z - mean**2
    assert abs(t.mean() - mean) < 0.01 and abs(t.std() - sqrt(var)) < 0.01


def test_xavier_and_kaiming_statistics():
    ndgrad.manual_seed(0)
    fan_in, fan_out = 300, 200
    w = _np(init.xavier_uniform_(_p(fan_out, fan_in), gain=2.0))
    a = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(w).max() <= a and abs(w.std() - a / math.sqrt(3)) < 0.01 * a
    w = _np(init.xavier_normal_(_p(fan_out, fan_in)))
    assert abs(w.std() - math.sqrt(2 / (fan_in + fan_out))) < 0.002
    w = _np(init.kaiming_uniform_(_p(fan_out, fan_in), a=math.sqrt(5)))
    bound = 1 / math.sqrt(fan_in)  # gain sqrt(2/6) * sqrt(3/fan_in)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    w = _np(init.kaiming_normal_(_p(fan_out, fan_in), mode="fan_out", nonlinearity="relu"))
    assert abs(w.std() - math.sqrt(2 / fan_out)) < 0.003
    conv = _np(init.kaiming_normal_(_p(64, 16, 3, 3)))
    assert abs(conv.std() - math.sqrt(2 / (16 * 9))) < 0.003


def test_orthogonal():
    ndgrad.manual_seed(0)
    for shape in [(6, 4), (4, 6), (3, 2, 2)]:
        w = _np(init.orthogonal_(_p(*shape), gain=2.0)).reshape(shape[0], -1)
        if w.shape[0] >= w.shape[1]:
            np.testing.assert_allclose(w.T @ w, 4 * np.eye(w.shape[1]), atol=1e-5)
        else:
            np.testing.assert_allclose(w @ w.T, 4 * np.eye(w.shape[0]), atol=1e-5)


def test_eye_dirac_sparse():
    assert init.eye_(_p(2, 3)).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    torch = pytest.importorskip("torch")
    for shape, groups in [((4, 2, 3), 1), ((4, 2, 3, 3), 2), ((6, 3, 1, 3, 2), 3)]:
        ours = _np(init.dirac_(_p(*shape), groups))
        theirs = torch.nn.init.dirac_(torch.empty(shape), groups).numpy()
        np.testing.assert_array_equal(ours, theirs)
    ndgrad.manual_seed(0)
    s = _np(init.sparse_(_p(10, 40), sparsity=0.3, std=0.5))
    assert ((s == 0).sum(0) == 3).all()
    assert abs(s[s != 0].std() - 0.5) < 0.1


def test_dirac_conv_is_identity():
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = ndgrad.randn(2, 3, 5, 5)
    out = conv(x)
    np.testing.assert_allclose(_np(out), _np(x), atol=1e-6)


def test_errors_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda i, e: i.xavier_uniform_(e(3))),
        (lambda i, e: i.kaiming_uniform_(e(3, 3), mode="fan_avg")),
        (lambda i, e: i.eye_(e(3, 3, 3))),
        (lambda i, e: i.dirac_(e(3, 3))),
        (lambda i, e: i.dirac_(e(3, 3, 3), groups=2)),
        (lambda i, e: i.orthogonal_(e(3))),
        (lambda i, e: i.sparse_(e(3, 3, 3), 0.1)),
    ]
    for f in cases:
        with pytest.raises(Exception) as te:
            f(torch.nn.init, torch.empty)
        with pytest.raises(type(te.value)) as ne:
            f(init, ndgrad.empty)
        assert str(ne.value) == str(te.value)


def test_zero_element_kaiming_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ndgrad.empty(0, 3))
