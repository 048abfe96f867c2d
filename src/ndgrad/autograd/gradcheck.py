"""gradcheck and gradgradcheck: analytical gradients against central finite differences."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _backend as B
from .. import autograd
from .._random import stream
from .._tensor import Tensor, make

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]

Fn = Callable[..., Any]
Jac = list[list[np.ndarray]]  # [input][output], each (input numel, output numel) in float64


class GradcheckError(RuntimeError):
    """A gradient check failed; the message says which one and shows both values."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    if isinstance(x, tuple):
        return x
    return tuple(x) if isinstance(x, list) else (x,)


def _needs_grad(xs: tuple[Any, ...]) -> list[int]:
    return [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]


def _unsupported(**flags: bool) -> None:
    for name, value in flags.items():
        if value:
            raise NotImplementedError(f"gradcheck: {name}=True is not supported by ndgrad yet")


def _check_inputs(inputs: tuple[Any, ...]) -> list[int]:
    diff = _needs_grad(inputs)
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )
    for i in diff:
        x = inputs[i]._data
        _unsupported(complex_inputs=x.dtype.kind == "c")
        if x.dtype != np.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or "
                "complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                stacklevel=3,
            )
        if any(st == 0 and n > 1 for st, n in zip(x.strides, x.shape)):
            raise RuntimeError(
                f"The {i}th input has a dimension with stride 0. gradcheck only supports inputs "
                "that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck."
            )
    return diff


def _evaluate(func: Fn, inputs: tuple[Any, ...], pos: list[int]) -> list[Any]:
    # Flat float64 copies: an output may be a view of the input being perturbed.
    outs = _as_tuple(func(*inputs))
    return [B.to_numpy(outs[k]._data).astype(np.float64).ravel() for k in pos]


def _numerical(func: Fn, inputs: tuple[Any, ...], pos: list[int], eps: float) -> Jac:
    """Outputs ``pos`` differentiated by moving one input element at a time, in place."""
    sizes = [out.size for out in _evaluate(func, inputs, pos)]
    jac = []
    for i in _needs_grad(inputs):
        arr = inputs[i]._data
        jac_i = [np.zeros((arr.size, n)) for n in sizes]
        for r in range(arr.size):
            at = np.unravel_index(r, arr.shape)
            orig = arr[at].copy()  # a GPU library gives a 0-dim view, not a scalar
            try:
                arr[at] = orig - eps
                lo = _evaluate(func, inputs, pos)
                arr[at] = orig + eps
                hi = _evaluate(func, inputs, pos)
            finally:
                arr[at] = orig
            for jac_ik, h, low in zip(jac_i, hi, lo):
                jac_ik[r] = (h - low) / (2 * eps)
        jac.append(jac_i)
    return jac


def _vjp(out: Tensor, xs: list[Tensor], v: Any, dtypes: bool) -> list[np.ndarray]:
    grads = autograd.grad(out, xs, make(v), retain_graph=True, allow_unused=True)
    rows = []
    for g, x in zip(grads, xs):
        if g is not None and g.shape != x.shape:
            raise GradcheckError("Analytical gradient has incorrect size")
        if g is not None and dtypes and g.dtype != x.dtype:
            raise GradcheckError("Gradient has dtype mismatch")
        row = np.zeros(x.numel()) if g is None else B.to_numpy(g._data).astype(np.float64)
        rows.append(row.ravel())
    return rows


def _analytical(
    outs: tuple[Tensor, ...], xs: list[Tensor], nondet_tol: float, dtypes: bool
) -> Jac:
    """Row by row: one backward per output element, run twice to catch nondeterminism."""
    jac = [[np.zeros((x.numel(), o.numel())) for o in outs] for x in xs]
    for k, o in enumerate(outs):
        for c in range(o.numel()):
            v = B.xp(o._data).zeros(o._data.shape, o._data.dtype)
            v.reshape(-1)[c] = 1
            rows = _vjp(o, xs, v, dtypes)
            again = _vjp(o, xs, v, dtypes)
            if any(np.abs(a - b).max(initial=0.0) > nondet_tol for a, b in zip(rows, again)):
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                    f"{nondet_tol}."
                )
            for jac_i, row in zip(jac, rows):
                jac_i[k][:, c] = row
    return jac


def _check_zero_grads(outs: tuple[Tensor, ...], xs: list[Tensor], undefined: bool) -> None:
    """Zero output gradients must give zero input gradients, of the inputs' dtype and shape.

    ndgrad has no undefined gradients, so torch's check that any one output may lack its
    gradient becomes a backward from each output alone.
    """
    groups = [outs] + ([(o,) for o in outs] if undefined and len(outs) > 1 else [])
    for group in groups:
        zeros = [make(np.zeros_like(o._data)) for o in group]
        grads = autograd.grad(group, xs, zeros, retain_graph=True, allow_unused=True)
        for g, x in zip(grads, xs):
            if g is None:
                continue
            if (g._data != 0).any():
                raise GradcheckError("backward not multiplied by grad_output")
            if g.dtype != x.dtype:
                raise GradcheckError("grad is incorrect type")
            if g.shape != x.shape:
                raise GradcheckError("grad is incorrect size")


def gradcheck(
    func: Fn,
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against central finite differences.

    ``fast_mode`` compares the whole Jacobians too: slower than torch's, never weaker.
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    _unsupported(
        check_forward_ad=check_forward_ad,
        check_batched_grad=check_batched_grad,
        check_batched_forward_grad=check_batched_forward_grad,
        masked=bool(masked),
    )
    inputs = _as_tuple(inputs)
    diff = _check_inputs(inputs)
    try:
        func_out = _as_tuple(func(*inputs))
        pos = _needs_grad(func_out)
        outs = tuple(func_out[k] for k in pos)
        _unsupported(complex_outputs=any(o.is_complex() for o in outs))
        if not outs:
            floats = [
                k
                for k, o in enumerate(func_out)
                if isinstance(o, Tensor) and o.is_floating_point()
            ]
            if any(n.any() for n_i in _numerical(func, inputs, floats, eps) for n in n_i):
                raise GradcheckError("Numerical gradient for function expected to be zero")
            return True
        xs = [inputs[i] for i in diff]
        analytical = _analytical(outs, xs, nondet_tol, check_grad_dtypes)
        numerical = _numerical(func, inputs, pos, eps)
        for i, (a_i, n_i) in enumerate(zip(analytical, numerical)):
            for k, (a, n) in enumerate(zip(a_i, n_i)):
                if not np.allclose(a, n, rtol=rtol, atol=atol):
                    raise GradcheckError(
                        f"Jacobian mismatch for output {k:d} with respect to input {i:d},\n"
                        f"numerical:{make(n)}\nanalytical:{make(a)}\n"
                    )
        _check_zero_grads(outs, xs, check_undefined_grad)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(
    func: Fn,
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """gradcheck of the map (inputs, grad_outputs) -> gradients of ``func`` (create_graph)."""
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    _unsupported(check_fwd_over_rev=check_fwd_over_rev, check_batched_grad=check_batched_grad)
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        out = _as_tuple(func(*inputs))
        grad_outputs = tuple(
            _random_like(out[k], gen_non_contig_grad_outputs) for k in _needs_grad(out)
        )
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff = _needs_grad(inputs)

    def first_order(*args: Any) -> tuple[Tensor, ...]:
        out = _as_tuple(func(*args[:n_in]))
        outs = [out[k] for k in _needs_grad(out)]
        xs = [args[i] for i in diff]
        grads = autograd.grad(outs, xs, args[n_in:], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_order,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        fast_mode=fast_mode,
        masked=masked,
    )


def _random_like(out: Tensor, noncontiguous: bool) -> Tensor:
    """Uniform in [-1, 1) from the default generator, as torch draws its grad_outputs."""
    shape = out._data.shape
    dtype = out._data.dtype if out._data.dtype.kind == "f" else np.float64
    if noncontiguous and out.numel() > 1:
        wide = stream(None).uniform(-1, 1, shape[:-1] + (2 * shape[-1],))
        return make(B.asarray(wide.astype(dtype), out._data)[..., ::2], None, True)
    return make(B.asarray(stream(None).uniform(-1, 1, shape).astype(dtype), out._data), None, True)
