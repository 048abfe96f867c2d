"""Forward-mode AD: every op in the table against finite differences and reverse mode."""

import numpy as np
import pytest

import ndgrad
import ndgrad.autograd.forward_ad as fwAD
from op_db import OPS, OpInfo, make_inputs

LOW_PRECISION = {"to_dtype"}  # casts through float32 and back
CASES = [(info, i) for info in OPS for i in range(len(info.samples))]
IDS = [f"{info.name}-{i}" for info, i in CASES]


def _f(info, lib, arrays):
    return info.fn(lib, *[lib.tensor(a) for a in arrays])


@pytest.mark.parametrize(("info", "sample"), CASES, ids=IDS)
def test_jvp_matches_finite_differences(info: OpInfo, sample: int) -> None:
    xs = make_inputs(info, info.samples[sample], np.float64, seed=7)
    rng = np.random.default_rng(8)
    ts = [rng.normal(size=x.shape) for x in xs]
    with fwAD.dual_level():
        duals = [fwAD.make_dual(ndgrad.tensor(x), ndgrad.tensor(t)) for x, t in zip(xs, ts)]
        out = info.fn(ndgrad, *duals)
        tangent = fwAD.unpack_dual(out).tangent
    # Ops that compute in lower precision than float64 get a coarser difference.
    exact = out.dtype is ndgrad.float64 and info.name not in LOW_PRECISION
    eps = 1e-6 if exact else 1e-2
    plus = _f(info, ndgrad, [x + eps * t for x, t in zip(xs, ts)]).numpy()
    minus = _f(info, ndgrad, [x - eps * t for x, t in zip(xs, ts)]).numpy()
    expected = (plus - minus) / (2 * eps)
    assert tangent is not None
    tol = 1e-5 if exact else 1e-2
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=tol, atol=tol)


def test_jvp_equals_reverse_mode_jacobian_product():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3,))
    t = rng.normal(size=(3,))
    w = ndgrad.tensor(rng.normal(size=(3, 3)))

    def f(v):
        return (w @ v).tanh() * v.exp()

    with fwAD.dual_level():
        jt = fwAD.unpack_dual(f(fwAD.make_dual(ndgrad.tensor(x), ndgrad.tensor(t)))).tangent
    xr = ndgrad.tensor(x, requires_grad=True)
    out = f(xr)
    rows = [ndgrad.autograd.grad(out[i], xr, retain_graph=True)[0].numpy() for i in range(3)]
    np.testing.assert_allclose(jt.numpy(), np.stack(rows) @ t, rtol=1e-12)


def test_api_errors_and_levels():
    x = ndgrad.ones(2)
    with pytest.raises(RuntimeError, match="without an active forward AD level"):
        fwAD.make_dual(x, x)
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="different size than that of the original Tensor"):
            fwAD.make_dual(x, ndgrad.ones(3))
        d = fwAD.make_dual(x, ndgrad.ones(2))
        assert fwAD.unpack_dual(d * 2).tangent.tolist() == [2.0, 2.0]
    # Outside the level the tangent is gone.
    assert fwAD.unpack_dual(d).tangent is None


def test_custom_function_jvp():
    class Square(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.x = x
            return x * x

        @staticmethod
        def backward(ctx, g):
            return 2 * ctx.x * g

        @staticmethod
        def jvp(ctx, t):
            return 2 * ctx.x * t

    with fwAD.dual_level():
        d = fwAD.make_dual(ndgrad.tensor([3.0]), ndgrad.tensor([1.0]))
        assert fwAD.unpack_dual(Square.apply(d)).tangent.tolist() == [6.0]


def test_matches_torch_forward_ad():
    torch = pytest.importorskip("torch")
    import torch.autograd.forward_ad as tfw

    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(4,)), rng.normal(size=(4,))
    outs = []
    for lib, fw in ((ndgrad, fwAD), (torch, tfw)):
        with fw.dual_level():
            d = fw.make_dual(lib.tensor(x), lib.tensor(t))
            y = (d.sin() * d).sum() / d.exp().sum()
            outs.append(fw.unpack_dual(y).tangent.item())
    assert outs[0] == pytest.approx(outs[1], rel=1e-12)
