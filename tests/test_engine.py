"""The backward engine: graph shapes, accumulation, freeing, errors, memory, hooks."""

import gc
import sys
import weakref

import numpy as np
import pytest

import ndgrad as torch
from ndgrad.autograd import grad


def test_deep_chain_at_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x = torch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.tolist() == [1.0]
    del y
    gc.collect()


def test_deep_graph_teardown_does_not_recurse():
    x = torch.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(200_000):
        y = y + 0.0
    del y  # dropping a 200k-node graph must not overflow the C stack


def test_diamond_sums_both_paths():
    x = torch.tensor([3.0], requires_grad=True)
    a = x * 2
    b = x**2
    (a * b).backward()  # d(2x * x^2)/dx = 6x^2
    assert x.grad.item() == pytest.approx(54.0)


def test_fan_out_and_reuse():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = (y + y * y + y.sin()).sum()
    z.backward()
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), e + 2 * e * e + np.cos(e) * e, rtol=1e-5)


def test_accumulation_and_zeroing():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_later_backward_accumulates_into_the_held_grad():
    x = torch.tensor([1.0], requires_grad=True)
    (x * 2).backward()
    held = x.grad
    (x * 2).backward()
    # torch adds in place: a reference to .grad sees the new sum.
    assert held is x.grad
    assert held.tolist() == [4.0]


def test_first_grad_does_not_alias_the_given_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    g = torch.tensor([1.0, 1.0])
    (x + 0).backward(g)
    g[0] = 100.0
    assert x.grad.tolist() == [1.0, 1.0]


def test_second_backward_raises_and_retain_allows():
    x = torch.tensor([2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 8.0
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_implicit_grad_only_for_scalars():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        (x * 2).backward()


def test_backward_on_tensor_without_grad_fn():
    with pytest.raises(
        RuntimeError,
        match="element 0 of tensors does not require grad and does not have a grad_fn",
    ):
        torch.tensor([1.0, 2.0]).sum().backward()


def test_gradient_shape_mismatch():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: grad_output\[0\] has a shape of"):
        (x * 2).backward(torch.ones(3))


def test_broadcast_gradients_sum_to_input_shapes():
    a = torch.ones(3, 1, requires_grad=True)
    b = torch.ones(4, requires_grad=True)
    c = torch.tensor(2.0, requires_grad=True)
    (a * b * c).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[8.0]] * 3
    assert b.grad.tolist() == [6.0] * 4
    assert c.grad.item() == 12.0


def test_mixed_dtype_gradients_keep_input_dtype():
    a = torch.ones(2, dtype=torch.float32, requires_grad=True)
    b = torch.ones(2, dtype=torch.float64, requires_grad=True)
    out = a * b
    assert out.dtype is torch.float64
    out.sum().backward()
    assert a.grad.dtype is torch.float32 and b.grad.dtype is torch.float64


def test_graph_is_freed_without_cycle_collector():
    gc.disable()
    try:
        x = torch.ones(3, requires_grad=True)
        y = (x * 2).exp().sum()
        node_ref = weakref.ref(y.grad_fn)
        inner_ref = weakref.ref(y.grad_fn.next_functions[0][0])
        out_ref = weakref.ref(y)
        del y
        assert node_ref() is None and inner_ref() is None and out_ref() is None
    finally:
        gc.enable()


def test_graph_freed_after_backward_without_cycle_collector():
    gc.disable()
    try:
        x = torch.ones(3, requires_grad=True)
        n = torch.zeros(3)
        n[0] = x[0] * 2
        y = (n * x).sum()
        y.backward()
        ref = weakref.ref(y.grad_fn)
        n_ref = weakref.ref(n)
        del y, n
        assert ref() is None and n_ref() is None
    finally:
        gc.enable()


def test_retain_grad_on_non_leaf():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    assert y.retains_grad
    assert y.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_non_leaf_grad_is_none_without_retain():
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 3
    y.backward()
    assert y.grad is None


def test_tensor_hook_replaces_gradient_and_can_be_removed():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    handle = y.register_hook(lambda g: g * 10)
    y.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [20.0, 20.0]
    handle.remove()
    x.grad = None
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_leaf_hook():
    x = torch.tensor([1.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.item()))
    (x * 5).backward()
    assert seen == [5.0] and x.grad.item() == 5.0


def test_autograd_grad_leaves_dot_grad_alone():
    x = torch.tensor([2.0], requires_grad=True)
    y = x**3
    (g,) = grad(y, x)
    assert g.item() == 12.0 and x.grad is None


def test_autograd_grad_of_non_leaf_and_unused():
    x = torch.tensor([2.0], requires_grad=True)
    u = torch.tensor([1.0], requires_grad=True)
    h = x * 3
    y = h**2
    gh, gu = grad(y, (h, u), allow_unused=True)
    assert gh.item() == 12.0 and gu is None
    y2 = (x * 3) ** 2
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        grad(y2, (x, u))


def test_second_and_third_order():
    x = torch.tensor([1.5], requires_grad=True)
    y = x**4
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1, x, create_graph=True)
    (g3,) = grad(g2, x)
    assert g1.item() == pytest.approx(4 * 1.5**3)
    assert g2.item() == pytest.approx(12 * 1.5**2)
    assert g3.item() == pytest.approx(24 * 1.5)


def test_backward_create_graph_then_grad_of_grad():
    x = torch.tensor([0.3], requires_grad=True)
    y = x.sin() * x
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    (gg,) = grad(g, x)
    v = 0.3
    assert gg.item() == pytest.approx(-v * np.sin(v) + 2 * np.cos(v), rel=1e-6)


def test_backward_inputs_only_accumulates_there():
    a = torch.tensor([1.0], requires_grad=True)
    b = torch.tensor([2.0], requires_grad=True)
    (a * b).backward(inputs=[a])
    assert a.grad.item() == 2.0 and b.grad is None


def test_grad_runs_only_the_nodes_on_a_path_to_its_inputs():
    # With respect to every leaf, every node runs; with respect to one leaf or an interior
    # tensor, a node on no path to them does not (its hook stays silent), as in torch.
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    ran = []
    ea = a.exp()
    ea.register_hook(lambda g: ran.append("a"))
    mid = b * 2
    mid.register_hook(lambda g: ran.append("mid"))
    top = mid.sin()
    top.register_hook(lambda g: ran.append("top"))
    y = (ea * top).sum()
    ga, gb = grad(y, (a, b), retain_graph=True)
    np.testing.assert_allclose(ga.numpy(), np.exp([1.0, 2.0]) * np.sin([6.0, 8.0]), rtol=1e-6)
    np.testing.assert_allclose(gb.numpy(), np.exp([1.0, 2.0]) * np.cos([6.0, 8.0]) * 2, rtol=1e-5)
    assert sorted(ran) == ["a", "mid", "top"]
    ran.clear()
    grad(y, (a,), retain_graph=True)
    assert ran == ["a"]
    ran.clear()
    (gt,) = grad(y, (top,))
    np.testing.assert_allclose(gt.numpy(), np.exp([1.0, 2.0]), rtol=1e-6)
    assert ran == ["top"]


def test_saved_tensor_modified_in_place_is_detected():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_saved_output_modified_in_place_is_detected():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0 instead"):
        y.sum().backward()


def test_in_place_on_leaf_requiring_grad():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0].zero_()
    with torch.no_grad():
        x.add_(1)  # updates like SGD's are allowed without grad
    assert x.tolist() == [2.0, 2.0]


def test_in_place_through_a_view_reaches_the_base():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[1:].mul_(x[1:])  # y = [x0, x1^2, x2^2]
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 4.0, 6.0]
    assert y.grad_fn.name() == "CopySlices"


def test_in_place_arithmetic_records_history():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y *= x
    y += 1
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_setitem_with_advanced_index():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    t = torch.zeros(4)
    t[torch.tensor([0, 3])] = x * x
    t.sum().backward()
    assert t.tolist() == [1.0, 0.0, 0.0, 4.0]
    assert x.grad.tolist() == [2.0, 4.0]


def test_repeated_indices_accumulate():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_next_functions_and_names():
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2 + 1
    assert y.grad_fn.name() == "AddBackward0"
    mul, _ = y.grad_fn.next_functions[0]
    assert mul.name() == "MulBackward0"
    acc = mul.next_functions[0][0]
    assert acc.name() == "AccumulateGrad" and acc.variable is x
    assert mul.next_functions[1] == (None, 0)


def test_no_grad_records_nothing():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_user_arrays_are_not_modified():
    a = np.array([1.0, 2.0])
    t = torch.tensor(a, requires_grad=True)
    (t * t).sum().backward()
    t.data.mul_(3)
    assert a.tolist() == [1.0, 2.0]
    g = torch.tensor([1.0, 1.0])
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(g)
    (x * 2).backward(g)
    assert g.tolist() == [1.0, 1.0]


def test_leaves_never_share_gradient_memory():
    # ADD hands the same gradient array to both inputs: each leaf must own its .grad.
    x = torch.ones(3, requires_grad=True)
    y = torch.ones(3, requires_grad=True)
    ((x + y) * 2).sum().backward()
    x.grad.add_(1)
    assert y.grad.tolist() == [2.0, 2.0, 2.0]
    g = torch.ones(3)
    a = torch.ones(3, requires_grad=True)
    b = torch.ones(3, requires_grad=True)
    (a + b).backward(g)
    a.grad.mul_(5)
    assert g.tolist() == [1.0, 1.0, 1.0] and b.grad.tolist() == [1.0, 1.0, 1.0]


def test_transposed_gradient_is_kept_without_a_copy_and_accumulates():
    w = torch.randn(4, 3, requires_grad=True)
    x = torch.randn(5, 3)
    (x @ w.t()).sum().backward()
    first = w.grad.numpy().copy()
    (x @ w.t()).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * first, rtol=1e-6)
    np.testing.assert_allclose(first, np.tile(x.numpy().sum(0), (4, 1)), rtol=1e-5)
