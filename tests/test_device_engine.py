"""Autograd beyond single ops on a CUDA device: the engine, functional transforms, custom
Functions, checks and debugging tools, serialization and printing.

Each test runs the same code on the CPU and on "cuda" and compares: every result and
gradient must live on cuda:0 and equal the CPU's. Skipped without a CUDA device;
NDGRAD_FAKE_GPU=1 runs them on a NumPy stand-in for CuPy (tests/fake_gpu.py).
"""

from __future__ import annotations

import copy
import io
import json
import pickle
import re
import warnings
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
import ndgrad.autograd.forward_ad as fwAD
from ndgrad import func as F
from ndgrad.autograd import functional as AF

pytestmark = pytest.mark.skipif(not ndgrad.cuda.is_available(), reason="no CUDA device")

CUDA = ndgrad.device("cuda", 0)
CPU = ndgrad.device("cpu")
RNG = np.random.default_rng(0)
X3 = RNG.uniform(0.5, 1.5, 3)
A33 = RNG.uniform(-1, 1, (3, 3))


def _host(t: ndgrad.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def _same(cpu: Any, dev: Any, where: str = "result") -> None:
    """``dev`` (a result computed on cuda) has ``cpu``'s structure and values, on cuda."""
    if isinstance(cpu, ndgrad.Tensor):
        assert isinstance(dev, ndgrad.Tensor), where
        assert cpu.device == CPU, where
        assert dev.device == CUDA, f"{where} is on {dev.device}"
        assert dev.dtype == cpu.dtype, where
        assert dev.shape == cpu.shape, where
        np.testing.assert_allclose(_host(dev), _host(cpu), rtol=1e-6, atol=1e-9, err_msg=where)
    elif isinstance(cpu, (tuple, list)):
        assert type(dev) is type(cpu) and len(dev) == len(cpu), where
        for i, (c, d) in enumerate(zip(cpu, dev)):
            _same(c, d, f"{where}[{i}]")
    elif isinstance(cpu, dict):
        assert dev.keys() == cpu.keys(), where
        for k in cpu:
            _same(cpu[k], dev[k], f"{where}[{k!r}]")
    else:
        assert dev == cpu, where


def _compare(fn: Callable[[str], Any]) -> Any:
    """Run ``fn(device)`` on the CPU and on cuda; the results must agree. Returns cuda's."""
    cpu, dev = fn("cpu"), fn("cuda")
    _same(cpu, dev)
    return dev


def _t(a: Any, device: str, rg: bool = False, dtype: Any = ndgrad.float64) -> ndgrad.Tensor:
    return ndgrad.tensor(a, dtype=dtype, device=device, requires_grad=rg)


# --------------------------------------------------------------------------------- backward


def test_scalar_backward_and_grad():
    def run(dev):
        x = _t(X3, dev, True)
        (x.exp() * x).sum().backward()
        (g,) = ndgrad.autograd.grad((x.sin() ** 2).sum(), x)
        return x.grad, g

    _compare(run)


def test_backward_with_a_cuda_gradient():
    def run(dev):
        x = _t(X3, dev, True)
        y = x * x
        y.backward(_t([1.0, 2.0, 3.0], dev))
        return x.grad

    _compare(run)


def test_backward_gradient_on_another_device_is_torchs_error():
    x = _t(X3, "cuda", True)
    with pytest.raises(
        RuntimeError, match="invalid gradient at index 0 - expected device cuda:0 "
    ):
        (x * 2).backward(ndgrad.ones(3, dtype=ndgrad.float64))
    with pytest.raises(RuntimeError, match="expected device cuda:0 but got cpu"):
        ndgrad.autograd.grad(x * 2, x, ndgrad.ones(3, dtype=ndgrad.float64))
    y = _t(X3, "cpu", True)
    with pytest.raises(RuntimeError, match="expected device cpu but got cuda:0"):
        (y * 2).backward(ndgrad.ones(3, dtype=ndgrad.float64, device="cuda"))
    # A 0-dim gradient is moved, as in torch.
    (x.sum() * 2).backward(ndgrad.tensor(1.0, dtype=ndgrad.float64))
    assert x.grad.device == CUDA and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_retain_graph_accumulation_and_zeroing():
    def run(dev):
        a = _t([3.0], dev, True)
        b = a * 2
        b.backward(retain_graph=True)
        first = a.grad.clone()
        b.backward()
        second = a.grad.clone()
        a.grad.data.zero_()
        zeroed = a.grad.clone()
        (a**3).backward()
        third = a.grad.clone()
        a.grad.zero_()
        (a**2).sum().backward()
        return first, second, zeroed, third, a.grad

    out = _compare(run)
    assert [t.item() for t in out] == pytest.approx([2.0, 4.0, 0.0, 27.0, 6.0], rel=1e-14)


def test_grad_reference_sees_accumulation_in_place():
    x = _t(X3, "cuda", True)
    (x * 2).sum().backward()
    held = x.grad
    (x * 3).sum().backward()
    assert held is x.grad and held.device == CUDA and held.tolist() == [5.0] * 3


def test_backward_inputs_and_create_graph():
    def run(dev):
        x = _t(X3, dev, True)
        w = _t(A33, dev, True)
        loss = (w @ x).pow(2).sum()
        loss.backward(inputs=[x])
        assert w.grad is None
        gx = x.grad.clone()
        (g,) = ndgrad.autograd.grad((x**3).sum(), x, create_graph=True)
        (h,) = ndgrad.autograd.grad(g.sum(), x, create_graph=True)
        (h3,) = ndgrad.autograd.grad(h.sum(), x)
        y = x.detach().requires_grad_()
        (y**4).sum().backward(create_graph=True)
        first = y.grad
        assert first.requires_grad
        y.grad = None
        first.sum().backward()
        return gx, g, h, h3, first, y.grad

    _compare(run)


def test_retain_grad_on_non_leaves():
    def run(dev):
        x = _t(X3, dev, True)
        y = x * 2
        y.retain_grad()
        z = y.exp()
        z.retain_grad()
        (z * x).sum().backward()
        return y.grad, z.grad, x.grad

    _compare(run)


def test_tensor_hooks_and_post_accumulate_hooks():
    def run(dev):
        x = _t(X3, dev, True)
        seen: list[Any] = []
        x.register_hook(lambda g: g * 10)
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        y = x * x
        y.register_hook(lambda g: seen.append(g.clone()))
        y.sum().backward()
        return x.grad, seen

    dev = _compare(run)
    assert all(t.device == CUDA for t in dev[1])


def test_node_hooks():
    def run(dev):
        x = _t(X3, dev, True)
        y = x.sin()
        seen: list[Any] = []
        y.grad_fn.register_prehook(lambda gs: (gs[0] * 2,))
        y.grad_fn.register_hook(lambda gi, go: seen.extend([gi[0].clone(), go[0].clone()]))
        y.sum().backward()
        return x.grad, seen

    _compare(run)


def test_jacobian_row_by_row_as_the_lesson_does():
    def run(dev):
        x = _t(X3, dev, True)
        k = _t(A33, dev)
        y = k @ x
        jac = ndgrad.zeros(3, 3, dtype=ndgrad.float64, device=dev)
        for i in range(3):
            g = ndgrad.zeros(3, dtype=ndgrad.float64, device=dev)
            g[i] = 1
            (row,) = ndgrad.autograd.grad(y, x, g, retain_graph=True)
            jac[i] = row
        assert ndgrad.allclose(jac, k)
        return jac

    _compare(run)


def test_index_assignment_into_a_cuda_tensor_joins_the_graph():
    def run(dev):
        m = _t([[2.0, 3.0]], dev, True)
        n = ndgrad.zeros(1, 2, dtype=ndgrad.float64, device=dev)
        n[0, 0] = m[0, 0] ** 2
        n[0, 1] = m[0, 1] ** 3
        n.backward(ndgrad.ones_like(n))
        return n, m.grad

    out = _compare(run)
    assert out[1].tolist() == [[4.0, 27.0]]


def test_float32_leaf_gets_a_float32_gradient():
    def run(dev):
        x = ndgrad.tensor(X3, dtype=ndgrad.float32, device=dev, requires_grad=True)
        (x.double() ** 2).sum().backward()
        return x.grad

    _compare(run)


# ----------------------------------------------------------------------- functional API


def _f(x, y):
    return (x.sin() * y).sum() + (x * x * y).sum()


def _g(x):
    return x.exp() * x.sum()


def _detached(o: Any) -> Any:
    if isinstance(o, ndgrad.Tensor):
        return o.detach()
    return type(o)(_detached(p) for p in o)


def test_functional_jacobian_hessian():
    def run(dev):
        x, y = _t(X3, dev), _t(X3[::-1].copy(), dev)
        out = [
            AF.jacobian(_g, x),
            AF.jacobian(_g, x, vectorize=True),
            AF.jacobian(_g, x, vectorize=True, strategy="forward-mode"),
            AF.jacobian(_g, x, create_graph=True),
            AF.jacobian(_g, x, vectorize=True, create_graph=True),
            AF.jacobian(lambda x, y: x * y, (x, y), strict=True),
            AF.hessian(_f, (x, y)),
            AF.hessian(lambda x: _f(x, y), x, vectorize=True),
            AF.hessian(lambda x: _f(x, y), x, create_graph=True, strict=True),
            AF.jacobian(lambda x: x[:2] * 0 + 1, x),  # independent of x: zeros
        ]
        return [_detached(o) for o in out]

    _compare(run)


def test_functional_vjp_jvp_hvp_vhp():
    def run(dev):
        x, y = _t(X3, dev), _t(X3[::-1].copy(), dev)
        v = _t([1.0, -2.0, 0.5], dev)
        return [
            AF.vjp(_g, x, v),
            AF.jvp(_g, x, v),
            AF.hvp(lambda x: _f(x, y), x, v),
            AF.vhp(lambda x: _f(x, y), x, v),
            AF.vjp(lambda x, y: _f(x, y), (x, y)),
        ]

    _compare(run)


# ------------------------------------------------------------------------------ forward AD


def test_forward_ad_dual_numbers():
    def run(dev):
        x = _t(X3, dev)
        t = _t([1.0, 0.0, 2.0], dev)
        w = _t(A33, dev)
        with fwAD.dual_level():
            d = fwAD.make_dual(x, t)
            y = (w @ d.sin()).exp() * d
            z = y.clone()
            z[1] = d[0] * 3  # an in-place write carries its tangent
            p, tan = fwAD.unpack_dual(y)
            _, ztan = fwAD.unpack_dual(z)
            assert fwAD.unpack_dual(w * 2).tangent is None
        return p, tan, ztan

    _compare(run)


# --------------------------------------------------------------------------- custom Function


class _Cube(ndgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return x**3 * k

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False)
        return g * 3 * x**2 * ctx.k, None


class _Twice(ndgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    @ndgrad.autograd.function.once_differentiable
    def backward(ctx, g):
        return g * 2


class _Split(ndgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(True)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, ga, gb):
        assert ga is not None and gb is not None  # materialized zeros for the unused output
        return ga * 2 + gb * 3


class _Lin(ndgrad.autograd.Function):
    @staticmethod
    def forward(x, w):
        return w @ x

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)
        ctx.inputs = inputs

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return w.mT @ g, g[:, None] * x[None, :]

    @staticmethod
    def jvp(ctx, tx, tw):
        x, w = ctx.inputs
        return w @ tx + tw @ x


def test_custom_functions():
    def run(dev):
        x = _t(X3, dev, True)
        y = _Cube.apply(x, 2.0)
        (gx,) = ndgrad.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = ndgrad.autograd.grad(gx.sum(), x)
        z = x.detach().clone().requires_grad_()
        w = z * 1
        _Twice.apply(w)
        w.sum().backward()
        a, _ = _Split.apply(x)
        (gs,) = ndgrad.autograd.grad(a.sum(), x)
        m = _t(A33, dev, True)
        out = _Lin.apply(x, m)
        out.sum().backward()
        with fwAD.dual_level():
            d = fwAD.make_dual(x.detach(), _t([1.0, 0.0, 0.0], dev))
            tan = fwAD.unpack_dual(_Lin.apply(d, m.detach())).tangent
        return y, gx, gg, w, z.grad, gs, out, x.grad, m.grad, tan

    _compare(run)


def test_custom_function_gradient_on_another_device_is_torchs_error():
    class ToHost(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.cpu() * 2

    x = _t(X3, "cuda", True)
    with pytest.raises(
        RuntimeError,
        match="Function ToHostBackward returned an invalid gradient at index 0 - expected "
        "device cuda:0 but got cpu",
    ):
        ToHost.apply(x).sum().backward()
    (ToHost.apply(x.sum()) * 1).backward()  # a 0-dim gradient is moved
    assert x.grad.device == CUDA and x.grad.tolist() == [2.0] * 3


def test_once_differentiable_refuses_double_backward():
    x = _t(X3, "cuda", True)
    w = x * 1
    _Twice.apply(w)
    (g,) = ndgrad.autograd.grad(w.sum(), x, create_graph=True)
    assert g.device == CUDA
    with pytest.raises(RuntimeError):
        g.sum().backward()


# ------------------------------------------------------------------------------- gradcheck


def test_gradcheck_and_gradgradcheck_on_cuda():
    x = _t(X3, "cuda", True)
    y = _t(A33, "cuda", True)
    assert ndgrad.autograd.gradcheck(lambda x, y: (y @ x.sin()).exp(), (x, y))
    assert ndgrad.autograd.gradgradcheck(lambda x, y: (y @ x.sin()).exp(), (x, y))
    assert ndgrad.autograd.gradcheck(_Cube.apply, (x, 2.0))
    assert ndgrad.autograd.gradcheck(lambda x: x * 2, (x,), fast_mode=True)
    assert ndgrad.autograd.gradgradcheck(
        lambda x, y: y @ x.exp(), (x, y), gen_non_contig_grad_outputs=True
    )
    g = _t([1.0, 2.0, 3.0], "cuda", True)
    assert ndgrad.autograd.gradgradcheck(lambda x: x.sin() * 2, (x,), (g,))
    assert x.device == CUDA and x.grad is None

    class Wrong(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    assert not ndgrad.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ndgrad.autograd.gradcheck(Wrong.apply, (x,))


# ------------------------------------------------------------------------------- anomaly


def test_detect_anomaly_nan_check_on_cuda():
    x = _t([0.0, 1.0], "cuda", True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ndgrad.autograd.detect_anomaly():
            y = x.sqrt() * 0
            with pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan values"):
                y.sum().backward()
        with ndgrad.autograd.detect_anomaly():
            z = (x + 1).log()
            z.sum().backward()
    assert x.grad.device == CUDA
    np.testing.assert_allclose(_host(x.grad), [1.0, 0.5])


def test_doctor_explain_and_viz_with_cuda_tensors():
    x = _t([0.0, 4.0], "cuda", True)
    report = ndgrad.autograd.doctor(
        lambda: ndgrad.where(x > 0, x.sqrt(), ndgrad.zeros(2, device="cuda")).sum().backward()
    )
    assert "sqrt at 0" in str(report)
    w = _t([0.5, 1.5], "cuda", True)

    def step():
        (w * w).sum().backward()

    w.grad = ndgrad.ones(2, dtype=ndgrad.float64, device="cuda")
    report = ndgrad.autograd.doctor(step, {"w": w})
    assert "was not zeroed" in str(report)

    def explained(dev):
        a = _t([2.0], dev, True)
        b = _t(A33, dev, True)
        out = (a * 3).exp().sum() + (b * a).sum()
        e = ndgrad.autograd.explain(out, {"a": a, "b": b}, print_result=False)
        return str(e), e.gradients

    _compare(explained)

    def drawn(dev):
        a = _t([2.0, 3.0], dev, True)
        out = (a.exp() * a).sum()
        texts = ndgrad.viz.dot(out), ndgrad.viz.text(out), ndgrad.viz.draw(out).svg
        return tuple(re.sub(r"\bn\d+", "n", t) for t in texts)  # node names are ids

    _compare(drawn)


# ----------------------------------------------------------------------- saved tensor hooks


def test_saved_tensors_hooks_can_offload_to_the_cpu():
    def run(dev):
        packed: list[str] = []

        def pack(t):
            packed.append(str(t.device))
            return (t.device, t.cpu())

        def unpack(p):
            return p[1].to(p[0])

        x = _t(X3, dev, True)
        with ndgrad.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = (x.sin() * x).exp()
        (g,) = ndgrad.autograd.grad(y.sum(), x, create_graph=True)
        (h,) = ndgrad.autograd.grad(g.sum(), x)
        assert packed and set(packed) == {dev if dev == "cpu" else "cuda:0"}
        return g, h

    _compare(run)


# ----------------------------------------------------------------------------- func


def test_func_transforms():
    def run(dev):
        x = _t(X3, dev)
        w = _t(A33, dev)

        def f(x):
            return (w @ x.sin()).exp().sum()

        def h(x):
            return w @ x**2

        out, vjp_fn = F.vjp(h, x)
        return [
            F.grad(f)(x),
            F.grad_and_value(f)(x),
            out,
            vjp_fn(_t([1.0, 2.0, 3.0], dev)),
            F.jvp(h, (x,), (_t([1.0, 0.0, 0.0], dev),)),
            F.jacrev(h)(x),
            F.jacfwd(h)(x),
            F.hessian(f)(x),
            F.vmap(h)(w),
            F.vmap(F.grad(f))(w),
            F.vmap(lambda r, s: (r * s).sum(), in_dims=(0, None))(w, x),
        ]

    _compare(run)


def test_vmap_randomness_on_cuda():
    x = ndgrad.zeros(4, 3, device="cuda")

    def noisy(r):
        return r + ndgrad.randn(3, device="cuda")

    with pytest.raises(RuntimeError, match="randomness error mode"):
        F.vmap(noisy)(x)
    same = F.vmap(noisy, randomness="same")(x)
    different = F.vmap(noisy, randomness="different")(x)
    assert same.device == CUDA and different.device == CUDA
    assert (same == same[0]).all() and not (different == different[0]).all()
    dropped = F.vmap(lambda r: ndgrad.nn.functional.dropout(r + 1, 0.5), randomness="same")(x)
    assert (dropped == dropped[0]).all()


# --------------------------------------------------------------------------- serialization


def _state(dev: str) -> OrderedDict:
    net = ndgrad.nn.Linear(3, 2, dtype=ndgrad.float64)
    with ndgrad.no_grad():
        net.weight.copy_(ndgrad.tensor(A33[:2], dtype=ndgrad.float64))
        net.bias.fill_(0.5)
    return net.to(dev).state_dict()


@pytest.mark.parametrize("fmt", ["ndgrad", "torch"])
def test_save_and_load_cuda_tensors(fmt):
    x = ndgrad.arange(6.0, device="cuda").reshape(2, 3)
    p = ndgrad.nn.Parameter(_t(X3, "cuda"))
    obj = {"x": x, "p": p, "sd": _state("cuda"), "i": ndgrad.arange(3, device="cuda")}
    buf = io.BytesIO()
    ndgrad.save(obj, buf, format=fmt)

    def load(ml: Any = None) -> Any:
        buf.seek(0)
        return ndgrad.load(buf, map_location=ml)

    back = load()
    _same(obj["x"].cpu(), back["x"])
    _same(obj["i"].cpu(), back["i"])
    assert isinstance(back["p"], ndgrad.nn.Parameter) and back["p"].device == CUDA
    _same({k: v.cpu() for k, v in obj["sd"].items()}, back["sd"])
    for ml in ("cpu", CPU, {"cuda:0": "cpu"}, lambda t, loc: t):
        moved = load(ml)
        assert moved["x"].device == CPU and moved["sd"]["weight"].device == CPU, ml
        assert moved["x"].tolist() == x.tolist()
    seen = []
    assert load(lambda t, loc: seen.append(loc))["x"].device == CUDA
    assert set(seen) == {"cuda:0"}
    cpu_buf = io.BytesIO()
    ndgrad.save({"c": ndgrad.ones(2)}, cpu_buf, format=fmt)
    for ml in ("cuda", "cuda:0", CUDA, {"cpu": "cuda:0"}, lambda t, loc: t.cuda()):
        cpu_buf.seek(0)
        assert ndgrad.load(cpu_buf, map_location=ml)["c"].device == CUDA, ml
    cpu_buf.seek(0)
    assert ndgrad.load(cpu_buf, map_location={"cuda:0": "cpu"})["c"].device == CPU


def test_torch_format_records_the_cuda_location_for_torch():
    torch = pytest.importorskip("torch")
    buf = io.BytesIO()
    ndgrad.save({"w": _t(A33, "cuda"), "sd": _state("cuda")}, buf, format="torch")
    buf.seek(0)
    seen = []

    def where(storage, loc):
        seen.append(loc)
        return storage

    out = torch.load(buf, map_location=where, weights_only=True)
    assert set(seen) == {"cuda:0"}
    np.testing.assert_array_equal(out["w"].numpy(), A33)
    buf.seek(0)
    out = torch.load(buf, map_location="cpu", weights_only=True)
    assert out["w"].device.type == "cpu" and out["sd"]["bias"].tolist() == [0.5, 0.5]
    if not torch.cuda.is_available():
        buf.seek(0)
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA"):
            torch.load(buf, weights_only=True)


def test_loading_cuda_tensors_without_cuda_is_torchs_error(monkeypatch):
    buf = io.BytesIO()
    ndgrad.save({"x": _t(X3, "cuda")}, buf)
    from ndgrad import _backend

    monkeypatch.setattr(_backend, "cuda_available", lambda: False)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        ndgrad.load(buf)
    buf.seek(0)
    assert ndgrad.load(buf, map_location="cpu")["x"].device == CPU


def test_saved_device_is_checked_on_load():
    buf = io.BytesIO()
    ndgrad.save({"x": _t(X3, "cuda")}, buf)
    with zipfile.ZipFile(buf) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members["ndgrad/manifest.json"])
    assert manifest["tensors"][0]["device"] == "cuda:0"
    for bad in ("gpu", 0, "cuda:x"):
        manifest["tensors"][0]["device"] = bad
        members["ndgrad/manifest.json"] = json.dumps(manifest).encode()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        out.seek(0)
        with pytest.raises(ValueError, match="tensor entry 0 has an invalid device"):
            ndgrad.load(out)


def test_pickle_and_deepcopy_keep_the_device():
    x = _t(X3, "cuda", True)
    (x * 2).sum().backward()
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        _same(x.detach().cpu(), y.detach())
        assert y.requires_grad and y is not x
    assert copy.deepcopy(x).grad.device == CUDA
    net = ndgrad.nn.Linear(3, 2).to("cuda")
    clone = copy.deepcopy(net)
    assert clone.weight.device == CUDA and isinstance(clone.weight, ndgrad.nn.Parameter)
    assert pickle.loads(pickle.dumps(_state("cuda")))["weight"].device == CUDA


# ---------------------------------------------------------------------------- printing


@pytest.mark.parametrize(
    "make, text",
    [
        (lambda d: ndgrad.tensor([1.0, 2.0], device=d), "tensor([1., 2.], device='cuda:0')"),
        (lambda d: ndgrad.tensor(3, device=d), "tensor(3, device='cuda:0')"),
        (
            lambda d: ndgrad.tensor([1, 2], dtype=ndgrad.int32, device=d),
            "tensor([1, 2], device='cuda:0', dtype=torch.int32)",
        ),
        (lambda d: ndgrad.zeros(0, device=d), "tensor([], device='cuda:0')"),
        (lambda d: ndgrad.zeros(0, 3, device=d), "tensor([], device='cuda:0', size=(0, 3))"),
        (
            lambda d: ndgrad.zeros(2, 0, dtype=ndgrad.int64, device=d),
            "tensor([], device='cuda:0', size=(2, 0), dtype=torch.int64)",
        ),
        (
            lambda d: ndgrad.ones(2, requires_grad=True, device=d),
            "tensor([1., 1.], device='cuda:0', requires_grad=True)",
        ),
        (
            lambda d: ndgrad.ones(2, requires_grad=True, device=d) * 2,
            "tensor([2., 2.], device='cuda:0', grad_fn=<MulBackward0>)",
        ),
        (
            lambda d: ndgrad.arange(2000.0, device=d),
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
            "        1.9990e+03], device='cuda:0')",
        ),
        (
            lambda d: ndgrad.arange(3000, device=d).reshape(3, 1000),
            "tensor([[   0,    1,    2,  ...,  997,  998,  999],\n"
            "        [1000, 1001, 1002,  ..., 1997, 1998, 1999],\n"
            "        [2000, 2001, 2002,  ..., 2997, 2998, 2999]], device='cuda:0')",
        ),
    ],
)
def test_repr_of_cuda_tensors_matches_torch(make, text):
    assert repr(make("cuda")) == text.replace("torch.", "ndgrad.")


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"edgeitems": 1, "threshold": 4},
        {"edgeitems": 0, "threshold": 4},
        {"precision": 2, "threshold": 10},
        {"profile": "full"},
    ],
)
def test_repr_of_cuda_tensors_is_the_cpu_layout_plus_the_device(options):
    ndgrad.set_printoptions(**options)
    try:
        for shape in [(40, 40), (3, 500), (1001,), (2, 3, 400), (4, 300), (7,), (2, 3, 4)]:
            for scale in (1.0, 1e6):
                cpu = ndgrad.tensor(RNG.normal(size=shape) * scale, dtype=ndgrad.float32)
                text, want = repr(cpu.cuda()), repr(cpu)
                body = want.rsplit("]", 1)[0] + "]"
                assert text.startswith(body), (shape, options)
                assert text[len(body) :].lstrip(",\n ").startswith("device='cuda:0'")
    finally:
        ndgrad.set_printoptions(profile="default")


# ------------------------------------------------------------------------- numpy()


def test_numpy_of_cuda_tensors():
    x = _t(X3, "cuda", True)
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        x.numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        x.detach().numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0"):
        np.asarray(x.detach())
    forced = x.numpy(force=True)
    assert type(forced) is np.ndarray and forced.tolist() == X3.tolist()
    forced[0] = 100.0  # a host copy: the cuda tensor keeps its values
    assert x[0].item() == X3[0]
    assert x.detach().cpu().numpy().tolist() == X3.tolist()
    c = ndgrad.ones(2, requires_grad=True)
    with ndgrad.no_grad():
        assert c.numpy().tolist() == [1.0, 1.0]  # torch checks requires_grad only in grad mode
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        c.numpy()
