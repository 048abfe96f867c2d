"""Custom autograd.Function: forward/backward, setup_context, ctx features, double backward."""

import gc
import weakref

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import Function, grad, gradcheck, gradgradcheck, once_differentiable


def _lib_functions(lib):
    """The same Function definitions for ndgrad and torch, to compare them."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2

    class ExpOut(lib.autograd.Function):
        # Saves its own output, as torch's docs example does.
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class Scale(lib.autograd.Function):
        # setup_context form, a non-tensor argument, and two outputs.
        @staticmethod
        def forward(x, w, k):
            return x * w * k, (x + w).sin()

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, w, k = inputs
            ctx.save_for_backward(x, w)
            ctx.k = k

        @staticmethod
        def backward(ctx, g1, g2):
            x, w = ctx.saved_tensors
            c = (x + w).cos() * g2
            return g1 * w * ctx.k + c, g1 * x * ctx.k + c, None

    return Cube, ExpOut, Scale


def test_forward_backward_and_node_name():
    Cube, _, _ = _lib_functions(ndgrad)
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"
    assert y.tolist() == [1.0, 8.0]
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_gradcheck_and_double_backward():
    Cube, ExpOut, Scale = _lib_functions(ndgrad)
    rng = np.random.default_rng(0)
    x = ndgrad.tensor(rng.uniform(-1, 1, (3,)), requires_grad=True)
    w = ndgrad.tensor(rng.uniform(-1, 1, (3,)), requires_grad=True)
    for f, args in [
        (Cube.apply, (x,)),
        (ExpOut.apply, (x,)),
        (lambda a, b: Scale.apply(a, b, 2.0), (x, w)),
    ]:
        assert gradcheck(f, args)
        assert gradgradcheck(f, args)


def test_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    xs, ws = rng.uniform(-1, 1, (4,)), rng.uniform(-1, 1, (4,))
    results = []
    for lib in (ndgrad, torch):
        Cube, ExpOut, Scale = _lib_functions(lib)
        x = lib.tensor(xs, requires_grad=True)
        w = lib.tensor(ws, requires_grad=True)
        a, b = Scale.apply(x, w, 3.0)
        out = (Cube.apply(a) + ExpOut.apply(b)).sum()
        gx, gw = lib.autograd.grad(out, (x, w), create_graph=True)
        (ggx,) = lib.autograd.grad(gx.sum() + gw.sum(), x)
        results.append([out.item(), gx.tolist(), gw.tolist(), ggx.tolist()])
    nd, th = results
    np.testing.assert_allclose(nd[0], th[0], rtol=1e-12)
    for a, b in zip(nd[1:], th[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_needs_input_grad_and_non_tensor_args():
    seen = {}

    class F(Function):
        @staticmethod
        def forward(ctx, x, y, n):
            seen["needs"] = ctx.needs_input_grad
            return x * y * n

        @staticmethod
        def backward(ctx, g):
            return g, None, None

    x = ndgrad.ones(2, requires_grad=True)
    F.apply(x, ndgrad.ones(2), 3).sum().backward()
    assert seen["needs"] == (True, False, False)
    assert x.grad.tolist() == [1.0, 1.0]


def test_mark_non_differentiable_and_materialize_grads():
    class SortIdx(Function):
        @staticmethod
        def forward(ctx, x):
            idx = ndgrad.tensor(np.argsort(x.detach().numpy()))
            ctx.mark_non_differentiable(idx)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            assert g_idx is not None and g_idx.tolist() == [0, 0, 0]  # materialized zeros
            return g * 2

    x = ndgrad.tensor([3.0, 1.0, 2.0], requires_grad=True)
    y, idx = SortIdx.apply(x)
    assert not idx.requires_grad and y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]

    class NoMat(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            assert g2 is None
            return g1

    x = ndgrad.ones(2, requires_grad=True)
    a, _ = NoMat.apply(x)
    a.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_mark_dirty_in_place():
    class AddOne(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    b = a * 2
    v = b._version
    c = AddOne.apply(b)
    assert c is b and b._version > v and b.tolist() == [3.0, 5.0]
    assert b.grad_fn.name() == "AddOneBackward"
    (b * b).sum().backward()
    assert a.grad.tolist() == [12.0, 20.0]


def test_saved_tensor_modified_in_place_raises():
    Cube, _, _ = _lib_functions(ndgrad)
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = Cube.apply(h)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_second_backward_needs_retain_graph():
    Cube, _, _ = _lib_functions(ndgrad)
    x = ndgrad.tensor([1.0], requires_grad=True)
    y = Cube.apply(x)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 6.0
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_wrong_number_and_shape_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return ndgrad.ones(3)

    x = ndgrad.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"returned an incorrect number of gradients \(expected 2, got 1\)"
    ):
        Bad.apply(x, x).sum().backward()
    with pytest.raises(RuntimeError, match="returned an invalid gradient at index 0"):
        BadShape.apply(x).backward()


def test_once_differentiable_runs_without_graph():
    class Sq(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert not ndgrad.is_grad_enabled()
            return 2 * x * g

    x = ndgrad.tensor([3.0], requires_grad=True)
    (g,) = grad(Sq.apply(x), x, create_graph=True)
    assert g.item() == 6.0 and not g.requires_grad


def test_no_grad_and_no_inputs_needing_grad_record_nothing():
    Cube, _, _ = _lib_functions(ndgrad)
    x = ndgrad.ones(2, requires_grad=True)
    with ndgrad.no_grad():
        assert Cube.apply(x).grad_fn is None
    assert Cube.apply(ndgrad.ones(2)).grad_fn is None


def test_saved_output_makes_no_reference_cycle():
    _, ExpOut, _ = _lib_functions(ndgrad)
    gc.disable()
    try:
        x = ndgrad.ones(2, requires_grad=True)
        y = ExpOut.apply(x)
        ref = weakref.ref(y.grad_fn)
        del y
        assert ref() is None
    finally:
        gc.enable()


def test_legacy_instance_forward_is_rejected():
    class Old(Function):
        def forward(self, x):
            return x

    with pytest.raises(RuntimeError, match="Legacy autograd function with non-static forward"):
        Old()(ndgrad.ones(1))
