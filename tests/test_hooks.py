"""Hooks: tensor, post-accumulate, node pre/post hooks, saved-tensor hooks, checkpointing."""

import numpy as np
import pytest

import ndgrad as torch
from ndgrad.autograd.graph import saved_tensors_hooks
from ndgrad.utils.checkpoint import checkpoint


def test_post_accumulate_grad_hook_sees_the_accumulated_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    handle.remove()
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0], [6.0, 6.0]]
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 1).register_post_accumulate_grad_hook(lambda t: None)


def test_node_prehook_replaces_gradient_and_posthook_sees_both():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.sum()
    calls = []
    y.grad_fn.register_prehook(lambda g: g * 10)
    y.grad_fn.register_hook(lambda gin, gout: calls.append((gin[0].tolist(), gout[0].tolist())))
    z.backward()
    assert x.grad.tolist() == [20.0, 20.0]
    assert calls == [([20.0, 20.0], [10.0, 10.0])]


def test_saved_tensors_hooks_pack_and_unpack():
    packed = []

    def pack(t):
        packed.append(t.shape)
        return t.detach().numpy().copy()  # e.g. offload to host memory

    def unpack(a):
        return torch.from_numpy(a)

    x = torch.tensor([0.5, 1.5], requires_grad=True)
    with saved_tensors_hooks(pack, unpack):
        y = (x * x).sin()
    assert len(packed) == 3  # x, x for mul; the product for sin
    y.sum().backward()
    v = np.array([0.5, 1.5])
    np.testing.assert_allclose(x.grad.numpy(), np.cos(v * v) * 2 * v, rtol=1e-6)


def test_saved_tensors_hooks_with_double_backward():
    x = torch.tensor([0.7], requires_grad=True, dtype=torch.float64)
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        y = x.sin() * x
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    (gg,) = torch.autograd.grad(g, x)
    assert gg.item() == pytest.approx(-0.7 * np.sin(0.7) + 2 * np.cos(0.7))


def _block(w):
    def f(x):
        return ((x @ w).tanh() @ w).sin().sum(0)

    return f


def test_checkpoint_gives_same_gradients_and_saves_less():
    rng = np.random.default_rng(0)
    xs, ws = rng.normal(size=(8, 4)), rng.normal(size=(4, 4))
    results = []
    counts = []
    for use_ckpt in (False, True):
        x = torch.tensor(xs, requires_grad=True)
        w = torch.tensor(ws, requires_grad=True)
        n = []
        with saved_tensors_hooks(lambda t, n=n: n.append(1) or t, lambda t: t):
            f = _block(w)
            out = checkpoint(f, x, use_reentrant=False) if use_ckpt else f(x)
        counts.append(len(n))
        (out * out).sum().backward()
        results.append((out.tolist(), x.grad.numpy(), w.grad.numpy()))
    assert counts[1] < counts[0] and counts[1] == 0
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-12)


def test_checkpoint_matches_torch():
    real = pytest.importorskip("torch")
    import torch.utils.checkpoint  # noqa: F401

    rng = np.random.default_rng(1)
    xs, ws = rng.normal(size=(5, 3)), rng.normal(size=(3, 3))
    grads = []
    for lib, ck in ((torch, checkpoint), (real, real.utils.checkpoint.checkpoint)):
        x = lib.tensor(xs, requires_grad=True)
        w = lib.tensor(ws, requires_grad=True)
        out = ck(_block(w), x, use_reentrant=False)
        out.sum().backward()
        grads.append((x.grad.numpy(), w.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-10)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-10)
