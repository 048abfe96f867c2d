"""The op table on a CUDA device: forward, backward and double backward equal the CPU's.

Skipped (reported as skipped) without a CUDA device; NDGRAD_FAKE_GPU=1 runs them on a NumPy
stand-in for CuPy (tests/fake_gpu.py), which catches host/device mix-ups on any machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from op_db import OPS, OpInfo, make_inputs

pytestmark = pytest.mark.skipif(not ndgrad.cuda.is_available(), reason="no CUDA device")

CASES = [(info, shapes) for info in OPS for shapes in info.samples]
IDS = [case_id for info in OPS for case_id in info.ids()]
SMOOTH = [(info, shapes) for info, shapes in CASES if info.smooth]
SMOOTH_IDS = [case_id for info in OPS if info.smooth for case_id in info.ids()]
TOLERANCE = {"float32": {"rtol": 2e-5, "atol": 1e-6}, "float64": {"rtol": 1e-10, "atol": 1e-12}}
SECOND_ORDER = {"float32": {"rtol": 1e-3, "atol": 1e-3}}

_MAKERS = {
    "tensor",
    "as_tensor",
    "zeros",
    "ones",
    "full",
    "empty",
    "eye",
    "arange",
    "linspace",
    "randn",
    "rand",
    "randint",
}


class OnDevice:
    """``ndgrad`` with its creation functions making tensors on ``device``."""

    def __init__(self, device: str) -> None:
        self.device = device

    def __getattr__(self, name: str) -> Any:
        attr = getattr(ndgrad, name)
        if name in _MAKERS:
            return lambda *a, **k: attr(*a, **{"device": self.device, **k})
        return attr


def _weights(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


def _host(t: Any) -> np.ndarray | None:
    return None if t is None else t.detach().cpu().numpy()


def _run(lib: Any, info: OpInfo, arrays: list[np.ndarray], device: str) -> dict[str, Any]:
    """Forward, backward of a weighted sum, and (when smooth) the gradient of the gradients."""
    xs = [ndgrad.tensor(a, device=device, requires_grad=True) for a in arrays]
    out = info.fn(lib, *xs)
    w = ndgrad.tensor(_weights(tuple(out.shape), out._data.dtype, 2), device=device)
    grads = ndgrad.autograd.grad((out * w).sum(), xs, create_graph=info.smooth, allow_unused=True)
    result = {"out": out, "grads": grads, "seconds": None}
    terms = [g.sum() * (i + 1) for i, g in enumerate(grads) if g is not None and g.requires_grad]
    if info.smooth and terms:
        result["seconds"] = ndgrad.autograd.grad(sum(terms), xs, allow_unused=True)
    return result


def _same(cpu: Any, dev: Any, tol: dict[str, float], what: str) -> None:
    assert (cpu is None) == (dev is None), what
    if cpu is None:
        return
    assert dev.device == ndgrad.device("cuda", 0), what
    assert dev.dtype == cpu.dtype, what
    np.testing.assert_allclose(_host(dev), _host(cpu), err_msg=what, **tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("info, shapes", CASES, ids=IDS)
def test_op_on_cuda_matches_cpu(info: OpInfo, shapes: Any, dtype: str) -> None:
    arrays = make_inputs(info, shapes, dtype, seed=1)
    tol = TOLERANCE[dtype]
    cpu = _run(ndgrad, info, arrays, "cpu")
    dev = _run(OnDevice("cuda"), info, arrays, "cuda")
    _same(cpu["out"], dev["out"], tol, "output")
    assert dev["out"].grad_fn.name() == cpu["out"].grad_fn.name()
    for i, (c, d) in enumerate(zip(cpu["grads"], dev["grads"])):
        _same(c, d, tol, f"gradient of input {i}")
    if cpu["seconds"] is not None:
        # cuSOLVER and LAPACK round differently; second derivatives of decompositions amplify
        # that past float32's first-order tolerance.
        tol2 = SECOND_ORDER.get(dtype, tol)
        for i, (c, d) in enumerate(zip(cpu["seconds"], dev["seconds"])):
            _same(c, d, tol2, f"second-order gradient of input {i}")


@pytest.mark.parametrize("info, shapes", SMOOTH[::7], ids=SMOOTH_IDS[::7])
def test_gradcheck_on_cuda(info: OpInfo, shapes: Any) -> None:
    arrays = make_inputs(info, shapes, np.float64, seed=0)
    xs = tuple(ndgrad.tensor(a, device="cuda", requires_grad=True) for a in arrays)
    lib = OnDevice("cuda")
    assert ndgrad.autograd.gradcheck(lambda *a: info.fn(lib, *a), xs) is True
