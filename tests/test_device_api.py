"""Devices as in torch: ndgrad.device, device= on creation, .to/.cuda/.cpu, ndgrad.cuda, printing.

The CUDA tests are skipped (reported as skipped) without a CUDA device; the CPU-only tests
check what a CPU-only torch answers, and are skipped where a GPU (or the stand-in) is present.
"""

from __future__ import annotations

import copy
import io
import pickle

import numpy as np
import pytest

import ndgrad
from ndgrad import _backend

CUDA = ndgrad.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="no CUDA device")
cpu_only = pytest.mark.skipif(CUDA, reason="a CUDA device is present")
DEV = ndgrad.device("cuda", 0)


# ------------------------------------------------------------------ without a GPU
@cpu_only
def test_cuda_is_not_available_without_a_gpu() -> None:
    assert ndgrad.cuda.is_available() is False
    assert ndgrad.cuda.device_count() == 0
    ndgrad.cuda.manual_seed_all(0)  # silently skipped, as in torch


@cpu_only
@pytest.mark.parametrize(
    "call",
    [
        lambda: ndgrad.ones(2).cuda(),
        lambda: ndgrad.ones(2).to("cuda"),
        lambda: ndgrad.ones(2, device="cuda"),
        lambda: ndgrad.zeros(2).to(device=ndgrad.device("cuda")),
        lambda: ndgrad.randn(2, device="cuda:0"),
        lambda: ndgrad.nn.Linear(2, 2).cuda(),
        ndgrad.cuda.synchronize,
        ndgrad.cuda.current_device,
    ],
)
def test_asking_for_cuda_without_it_is_torchs_error(call) -> None:
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        call()


@cpu_only
def test_cupy_is_not_imported_for_cpu_work() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ndgrad; x = ndgrad.ones(3, requires_grad=True); (x * 2).sum().backward();"
        "ndgrad.cuda.is_available(); print('cupy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_device_objects() -> None:
    assert ndgrad.device("cuda:1") == ndgrad.device("cuda", 1)
    assert str(ndgrad.device("cuda", 0)) == "cuda:0"
    assert repr(ndgrad.device("cuda")) == "device(type='cuda')"
    assert ndgrad.ones(2).device == ndgrad.device("cpu")
    assert ndgrad.ones(2).is_cuda is False
    assert ndgrad.ones(2).get_device() == -1


# ------------------------------------------------------------------ with a GPU
@needs_cuda
@pytest.mark.parametrize(
    "make",
    [
        lambda d: ndgrad.tensor([1.0, 2.0], device=d),
        lambda d: ndgrad.zeros(2, 3, device=d),
        lambda d: ndgrad.ones(2, device=d),
        lambda d: ndgrad.empty(4, device=d),
        lambda d: ndgrad.full((2,), 3.0, device=d),
        lambda d: ndgrad.eye(3, device=d),
        lambda d: ndgrad.arange(5, device=d),
        lambda d: ndgrad.linspace(0, 1, 5, device=d),
        lambda d: ndgrad.randn(3, device=d),
        lambda d: ndgrad.rand(3, device=d),
        lambda d: ndgrad.randint(0, 5, (3,), device=d),
        lambda d: ndgrad.randperm(4, device=d),
        lambda d: ndgrad.normal(0.0, 1.0, (3,), device=d),
        lambda d: ndgrad.as_tensor([1, 2], device=d),
    ],
)
@pytest.mark.parametrize("where", ["cuda", "cuda:0", DEV])
def test_creation_on_cuda(make, where) -> None:
    t = make(where)
    assert t.device == DEV and t.is_cuda and t.get_device() == 0
    assert type(t._data) is not np.ndarray


@needs_cuda
def test_like_functions_follow_the_input_device() -> None:
    x = ndgrad.randn(2, 3, device="cuda")
    for fn in (ndgrad.zeros_like, ndgrad.ones_like, ndgrad.empty_like, ndgrad.rand_like):
        assert fn(x).device == DEV
    assert ndgrad.full_like(x, 2.0).device == DEV
    assert ndgrad.zeros_like(x, device="cpu").device.type == "cpu"
    for method in (x.new_zeros, x.new_ones, x.new_empty):
        assert method(2).device == DEV
    assert x.new_tensor([1.0]).device == DEV
    assert x.new_full((2,), 1.0).device == DEV


@needs_cuda
def test_moves_between_devices() -> None:
    x = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    for y in (x.cuda(), x.to("cuda"), x.to(DEV), x.cuda(0), x.to(device="cuda"), x.to(0)):
        assert y.device == DEV
        np.testing.assert_array_equal(y.cpu().numpy(), x.numpy())
    y = x.cuda()
    assert y.cuda() is y and y.to("cuda") is y
    assert x.cpu() is x
    assert x.to(y).device == DEV
    z = x.to("cuda", ndgrad.float64)
    assert z.device == DEV and z.dtype == ndgrad.float64
    w = ndgrad.ones(2, dtype=ndgrad.float64, device="cuda")
    assert x.to(w).dtype == ndgrad.float64 and x.to(w).device == DEV
    # The copy does not share memory: writing one leaves the other.
    y.add_(1)
    assert x[0, 0].item() == 1.0


@needs_cuda
def test_a_move_is_differentiable() -> None:
    x = ndgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.cuda()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.device.type == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    a = ndgrad.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    b = a.cpu()
    (b**3).sum().backward()
    assert a.grad.device == DEV
    np.testing.assert_allclose(a.grad.cpu().numpy(), [3.0, 12.0])


@needs_cuda
def test_mixed_devices_raise_torchs_error() -> None:
    a = ndgrad.ones(3, device="cuda")
    b = ndgrad.ones(3)
    msg = "Expected all tensors to be on the same device, but found at least two devices, "
    for call in (lambda: a + b, lambda: b * a, lambda: ndgrad.cat([a, b]), lambda: a @ b):
        with pytest.raises(RuntimeError, match=msg + "cuda:0 and cpu!"):
            call()


@needs_cuda
def test_a_cpu_0dim_tensor_joins_a_cuda_op_as_a_number() -> None:
    a = ndgrad.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    s = ndgrad.tensor(3.0, requires_grad=True)
    y = a * s
    assert y.device == DEV
    y.sum().backward()
    assert s.grad.device.type == "cpu" and s.grad.item() == 3.0
    np.testing.assert_allclose(a.grad.cpu().numpy(), [3.0, 3.0])


@needs_cuda
def test_printing_shows_the_device() -> None:
    x = ndgrad.tensor([1.0, 2.0], device="cuda")
    assert repr(x) == "tensor([1., 2.], device='cuda:0')"
    y = ndgrad.tensor([1, 2], dtype=ndgrad.int32, device="cuda")
    assert repr(y) == "tensor([1, 2], device='cuda:0', dtype=ndgrad.int32)"
    z = ndgrad.tensor([1.0], device="cuda", requires_grad=True)
    assert repr(z) == "tensor([1.], device='cuda:0', requires_grad=True)"
    assert repr(z * 2) == "tensor([2.], device='cuda:0', grad_fn=<MulBackward0>)"
    assert repr(ndgrad.zeros(0, 2, device="cuda")) == ("tensor([], device='cuda:0', size=(0, 2))")


@needs_cuda
def test_conversions_to_the_host() -> None:
    x = ndgrad.tensor([1.5, 2.5], device="cuda")
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        x.numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        np.asarray(x)
    assert x.tolist() == [1.5, 2.5]
    assert x[0].item() == 1.5 and float(x[1]) == 2.5 and bool(x[0])
    np.testing.assert_array_equal(x.numpy(force=True), [1.5, 2.5])
    assert x.data_ptr() != 0


@needs_cuda
def test_pickle_and_deepcopy_keep_the_device() -> None:
    x = ndgrad.tensor([1.0, 2.0], device="cuda", requires_grad=True)
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert y.device == DEV and y.requires_grad
        np.testing.assert_array_equal(y.detach().cpu().numpy(), [1.0, 2.0])


@needs_cuda
def test_save_on_cuda_loads_on_cpu() -> None:
    x = ndgrad.arange(6.0, device="cuda").reshape(2, 3)
    buf = io.BytesIO()
    ndgrad.save({"x": x}, buf)
    buf.seek(0)
    loaded = ndgrad.load(buf, map_location="cpu")["x"]
    assert loaded.device.type == "cpu"
    np.testing.assert_array_equal(loaded.numpy(), np.arange(6.0).reshape(2, 3))


@needs_cuda
def test_the_cuda_module() -> None:
    assert ndgrad.cuda.is_available() and ndgrad.cuda.device_count() >= 1
    assert ndgrad.cuda.current_device() == 0
    assert isinstance(ndgrad.cuda.get_device_name(), str)
    assert isinstance(ndgrad.cuda.get_device_name(0), str)
    ndgrad.cuda.synchronize()
    assert ndgrad.cuda.memory_allocated() >= 0
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        ndgrad.ones(1, device=f"cuda:{ndgrad.cuda.device_count()}")


@needs_cuda
def test_cuda_seeding_is_reproducible() -> None:
    ndgrad.cuda.manual_seed_all(3)
    a = ndgrad.randn(5, device="cuda")
    ndgrad.cuda.manual_seed(3)
    b = ndgrad.randn(5, device="cuda")
    ndgrad.manual_seed(3)  # seeds every device, as torch's does
    c = ndgrad.randn(5, device="cuda")
    np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    np.testing.assert_array_equal(a.cpu().numpy(), c.cpu().numpy())
    g = ndgrad.Generator(device="cuda").manual_seed(3)
    d = ndgrad.randn(5, device="cuda", generator=g)
    np.testing.assert_array_equal(a.cpu().numpy(), d.cpu().numpy())


@needs_cuda
def test_legacy_cuda_types() -> None:
    x = ndgrad.cuda.FloatTensor([1.0, 2.0])
    assert x.device == DEV and x.dtype == ndgrad.float32
    assert isinstance(x, ndgrad.cuda.FloatTensor)
    assert not isinstance(x, ndgrad.FloatTensor)
    assert not isinstance(x.cpu(), ndgrad.cuda.FloatTensor)
    assert x.type() == "ndgrad.cuda.FloatTensor"
    assert ndgrad.ones(2).type("torch.cuda.DoubleTensor").device == DEV


@needs_cuda
def test_the_array_module_is_chosen_in_one_place() -> None:
    x = ndgrad.ones(2, device="cuda")
    assert _backend.xp(x._data) is not np
    assert _backend.xp(ndgrad.ones(2)._data) is np


@needs_cuda
def test_a_grad_on_another_device_is_refused() -> None:
    x = ndgrad.ones(2, device="cuda", requires_grad=True)
    with pytest.raises(RuntimeError, match="with device type 'cpu' to a tensor with device type"):
        x.grad = ndgrad.ones(2)
    x.grad = ndgrad.ones(2, device="cuda")
    assert x.grad.device == DEV


@needs_cuda
def test_inplace_random_fills_draw_from_the_cuda_generator() -> None:
    ndgrad.manual_seed(5)
    a = ndgrad.empty(6, device="cuda").normal_()
    ndgrad.manual_seed(5)
    ndgrad.randn(3)  # the CPU stream moves on; the CUDA one does not
    b = ndgrad.empty(6, device="cuda").normal_()
    assert a.device == DEV
    np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    p = ndgrad.full((4,), 0.5, device="cuda")
    draws = ndgrad.empty(4, device="cuda").bernoulli_(p)
    assert draws.device == DEV and set(draws.cpu().tolist()) <= {0.0, 1.0}
