"""torch.autograd.functional: vjp, jvp, jacobian, hessian, hvp and vhp, built on autograd.grad."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import _backend as B
from .. import autograd
from .._creation import zeros_like
from .._tensor import Tensor, make
from ..ops.joining import stack
from .engine import graph_walk, run_backward
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

_Tensors = Tensor | tuple[Tensor, ...]
_Grads = tuple[Tensor | None, ...]

_STRATEGY_HINT = (
    'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function '
    'has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, '
    'prefer to use "reverse-mode".'
)

# What strict mode says when a gradient came back as None, by the pass that produced it.
_UNUSED = {
    "back": "The output of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}

# What strict mode says when a tensor that should carry history does not require grad.
_NO_HISTORY = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
    "outputs must be computed in a differentiable manner from the input when running in "
    "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of "
    "the user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
    "function with respect to input {i} is independent of the input. This is not allowed in "
    "strict mode. You should ensure that your function is twice differentiable and that the "
    "jacobian depends on the inputs (this would be violated by a linear function for "
    "example).",
}


# ------------------------------------------------------------------ helpers


def _func() -> Any:
    from .. import func  # imported late: ndgrad.func builds on this package

    return func


def _tupled(x: Any, what: str, fn: str) -> tuple[bool, tuple[Tensor, ...]]:
    """Whether ``x`` was a tuple, and ``x`` as a tuple of Tensors."""
    is_tuple = isinstance(x, tuple)
    xs = x if is_tuple else (x,)
    for i, el in enumerate(xs):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {what}"
            raise TypeError(
                f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but "
                f"{where} has type {type(el)}."
            )
    return is_tuple, xs


def _untuple(res: tuple[Any, ...], is_tuple: bool) -> Any:
    return res if is_tuple else res[0]


def _untuple2(res: tuple[tuple[Any, ...], ...], outer: bool, inner: bool) -> Any:
    """Undo the tupling of a nested ``res[output][input]`` result."""
    if not inner:
        res = tuple(row[0] for row in res)
    return res if outer else res[0]


def _fresh(xs: tuple[Tensor, ...], create_graph: bool, need_graph: bool) -> tuple[Tensor, ...]:
    """New Tensor objects standing for ``xs``.

    Always new objects, so gradients are taken with respect to them and not to the same
    tensors that ``func`` may also capture from its enclosing scope.
    """
    res = []
    for x in xs:
        if create_graph and x.requires_grad:
            res.append(x.view_as(x))  # differentiable, so higher orders reach the caller's x
        else:
            res.append(x.detach().requires_grad_(need_graph))
    return tuple(res)


def _finish(res: tuple[Any, ...], create_graph: bool) -> tuple[Any, ...]:
    """Detach (nested tuples of) results unless the caller asked for a graph."""
    if create_graph:
        return res
    return tuple(r.detach() if isinstance(r, Tensor) else _finish(r, False) for r in res)


def _check_v(v: tuple[Tensor, ...], ref: tuple[Tensor, ...], ref_is_tuple: bool) -> None:
    if len(v) != len(ref):
        if ref_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(ref)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el, want) in enumerate(zip(v, ref)):
        if el.size() != want.size():
            prefix = f"Entry {i} in " if ref_is_tuple else ""
            raise RuntimeError(
                f"{prefix}v has invalid size: should be {want.size()} but got {el.size()}."
            )


def _require_history(xs: _Grads, kind: str, strict: bool) -> None:
    """In strict mode, fail on an entry that is None or does not require grad."""
    if not strict:
        return
    for i, x in enumerate(xs):
        if x is None:
            raise RuntimeError(_UNUSED["back"].format(i=i))
        if not x.requires_grad:
            raise RuntimeError(_NO_HISTORY[kind].format(i=i))


def _grads(
    outputs: _Grads,
    inputs: tuple[Tensor, ...],
    grad_outputs: tuple[Tensor, ...] | None = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> _Grads:
    """autograd.grad that skips outputs without history and returns None for unused inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    outs = []
    gs = []
    for out, g in zip(outputs, grad_outputs):
        if out is not None and out.requires_grad:
            outs.append(out)
            gs.append(g)
    if not outs:
        return (None,) * len(inputs)
    return autograd.grad(
        outs,
        inputs,
        gs,
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _zeros_for_unused(
    grads: _Grads, refs: tuple[Tensor, ...], strict: bool, create_graph: bool, stage: str
) -> tuple[Tensor, ...]:
    """Replace a None gradient by zeros shaped like its ``refs`` entry (an error if strict)."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_UNUSED[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if stage.startswith("double") else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode when create_graph=True."
            )
        res.append(g)
    return tuple(res)


def _v_or_none(
    v: Any, ref: tuple[Tensor, ...], ref_is_tuple: bool, create_graph: bool, fn: str, msg: str
) -> tuple[Tensor, ...] | None:
    """The checked ``v`` as a tuple; None is allowed only when ``ref`` is one element."""
    if v is None:
        if len(ref) != 1 or ref[0].numel() != 1:
            raise RuntimeError(msg)
        return None
    _, v = _tupled(v, "v", fn)
    v = _fresh(v, create_graph, need_graph=False)
    _check_v(v, ref, ref_is_tuple)
    return v


_V_NONE_INPUT = (
    "The vector v can only be None if the input to the user-provided function is a single "
    "Tensor with a single element."
)


def _scalar_output(
    func: Callable[..., Any], xs: tuple[Tensor, ...], strict: bool, fn: str
) -> tuple[Tensor, ...]:
    """Call ``func`` and check that it returned one single-element Tensor."""
    is_tuple, outputs = _tupled(func(*xs), "outputs of the user-provided function", fn)
    _require_history(outputs, "outputs", strict)
    if is_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn} should contain a single element"
        )
    return outputs


# ------------------------------------------------------------------ products


def vjp(
    func: Callable[..., Any],
    inputs: _Tensors,
    v: _Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``func(*inputs)`` and the product of ``v`` with its Jacobian (one backward pass)."""
    with enable_grad():
        is_inputs_tuple, inputs = _tupled(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        out = func(*inputs)
        is_outputs_tuple, outputs = _tupled(out, "outputs of the user-provided function", "vjp")
        _require_history(outputs, "outputs", strict)
        v = _v_or_none(
            v,
            outputs,
            is_outputs_tuple,
            create_graph,
            "vjp",
            "The vector v can only be None if the user-provided function returns a single "
            "Tensor with a single element.",
        )
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(outputs, inputs, v, create_graph=create_graph)
        res = _zeros_for_unused(grads, inputs, strict, create_graph, "back")
    outputs = _finish(outputs, create_graph)
    res = _finish(res, create_graph)
    return _untuple(outputs, is_outputs_tuple), _untuple(res, is_inputs_tuple)


def jvp(
    func: Callable[..., Any],
    inputs: _Tensors,
    v: _Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``func(*inputs)`` and its Jacobian times ``v``, by the double-backward trick.

    The vjp ``u -> J^T u`` is linear in ``u``; differentiating it with respect to ``u``
    (a dummy that requires grad) in the direction ``v`` gives ``J v``.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _tupled(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _v_or_none(v, inputs, is_inputs_tuple, create_graph, "jvp", _V_NONE_INPUT)
        out = func(*inputs)
        is_outputs_tuple, outputs = _tupled(out, "outputs of the user-provided function", "jvp")
        _require_history(outputs, "outputs", strict)
        # Any finite value works for u: the second pass does not see it (linearity).
        u = tuple(zeros_like(y, requires_grad=True) for y in outputs)
        grad_inputs = _grads(outputs, inputs, u, create_graph=True)
        _require_history(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(grad_inputs, u, v, create_graph=create_graph)
        res = _zeros_for_unused(grads, outputs, strict, create_graph, "back_trick")
    outputs = _finish(outputs, create_graph)
    res = _finish(res, create_graph)
    return _untuple(outputs, is_outputs_tuple), _untuple(res, is_outputs_tuple)


def vhp(
    func: Callable[..., Any],
    inputs: _Tensors,
    v: _Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``func(*inputs)`` (a scalar) and ``v`` times its Hessian."""
    with enable_grad():
        is_inputs_tuple, inputs = _tupled(inputs, "inputs", "vhp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _v_or_none(v, inputs, is_inputs_tuple, create_graph, "vhp", _V_NONE_INPUT)
        outputs = _scalar_output(func, inputs, strict, "vhp")
        jac = _grads(outputs, inputs, create_graph=True)
        _require_history(jac, "jacobian", strict)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(jac, inputs, v, create_graph=create_graph)
        res = _zeros_for_unused(grads, inputs, strict, create_graph, "double_back")
    outputs = _finish(outputs, create_graph)
    res = _finish(res, create_graph)
    return outputs[0], _untuple(res, is_inputs_tuple)


def hvp(
    func: Callable[..., Any],
    inputs: _Tensors,
    v: _Tensors | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``func(*inputs)`` (a scalar) and its Hessian times ``v``, by the double-backward trick."""
    with enable_grad():
        is_inputs_tuple, inputs = _tupled(inputs, "inputs", "hvp")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        v = _v_or_none(v, inputs, is_inputs_tuple, create_graph, "hvp", _V_NONE_INPUT)
        outputs = _scalar_output(func, inputs, strict, "hvp")
        jac = _grads(outputs, inputs, create_graph=True)
        _require_history(jac, "jacobian", strict)
        u = tuple(zeros_like(x, requires_grad=True) for x in inputs)
        double_back = _grads(jac, inputs, u, create_graph=True)
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grads(double_back, u, v, create_graph=create_graph)
        res = _zeros_for_unused(grads, inputs, strict, create_graph, "double_back_trick")
    outputs = _finish(outputs, create_graph)
    res = _finish(res, create_graph)
    return outputs[0], _untuple(res, is_inputs_tuple)


# ------------------------------------------------------------------ matrices


def _forward_mode(inputs: Any, create_graph: bool, strict: bool, vectorize: bool) -> None:
    """Raise torch's errors for the combinations forward mode does not support."""
    if create_graph:
        raise NotImplementedError(
            "torch.autograd.functional.jacobian: `create_graph=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`create_graph=False` or `strategy="reverse-mode"`.'
        )
    if strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and "
            '`strategy="forward-mode"` are not supported together (yet). Please either set '
            '`strict=False` or `strategy="reverse-mode"`.'
        )
    _tupled(inputs, "inputs", "jacobian")
    if not vectorize:
        # torch's message, missing space included.
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
            "only implemented for `vectorize=True`."
        )


def _by_transform(
    transform: Callable[..., Any], func: Callable[..., Any], inputs: tuple[Tensor, ...]
) -> tuple[bool, tuple[tuple[Tensor, ...], ...]]:
    """Whether ``func`` returned a tuple, and its Jacobian ``[output][input]`` by ``transform``
    (ndgrad.func's jacfwd or jacrev, which batch over vmap's fast path when they can)."""
    is_tuple = [False]

    def checked(*xs: Tensor) -> Any:
        out = func(*xs)
        is_tuple[0], _ = _tupled(out, "outputs of the user-provided function", "jacobian")
        return out

    jac = transform(checked, argnums=tuple(range(len(inputs))))(*[x.detach() for x in inputs])
    rows = jac if is_tuple[0] else (jac,)
    return is_tuple[0], tuple(tuple(j.detach() for j in row) for row in rows)


def _jacobian_of(
    out: Tensor, i: int, inputs: tuple[Tensor, ...], create_graph: bool, strict: bool
) -> tuple[Tensor, ...]:
    """The Jacobians of output ``i`` with respect to each input: one backward per element,
    seeded with the element's one-hot gradient (what a backward from ``out.reshape(-1)[j]``
    hands the rest of the graph), straight to the engine: the checks hold for every row."""
    rows: tuple[list[Tensor], ...] = tuple([] for _ in inputs)
    flat = out.reshape(-1)
    shapes = [x._data.shape for x in inputs]
    walk = graph_walk([flat], inputs) if flat.requires_grad else None
    for j in range(out.numel()):
        vj: _Grads = (None,) * len(inputs)
        if flat.requires_grad:
            seed = B.zeros(flat._data, flat._data.shape)
            seed[j] = 1
            vj = tuple(
                None if g is None else g if g._data.shape == shape else g.reshape(shape)
                for g, shape in zip(
                    run_backward([flat], [make(seed)], True, create_graph, inputs, False, walk),
                    shapes,
                )
            )
        for k, (g, x) in enumerate(zip(vj, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of input "
                        f"{k}. This is not allowed in strict mode."
                    )
                g = zeros_like(x)
            elif strict and create_graph and not g.requires_grad:
                # torch names the output index here, not the input's; so do we.
                raise RuntimeError(
                    f"The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode when create_graph=True."
                )
            rows[k].append(g)
    return tuple(stack(r, 0).view(out.shape + x.shape) for r, x in zip(rows, inputs))


def _jacobian_vectorized(
    outputs: tuple[Tensor, ...], inputs: tuple[Tensor, ...], create_graph: bool
) -> tuple[tuple[Tensor, ...], ...]:
    """What ``vectorize=True`` gives in torch, computed one row at a time.

    torch sends a batch of one-hot gradients, one per element of all outputs together, through
    a single vmapped backward pass. The ops here have no batching rules, so each one-hot
    gradient takes its own pass; like torch's, each pass differentiates all outputs at once,
    so an input that any output uses gets blocks with history (zero where unused).
    """
    flat = tuple(y.reshape(-1) for y in outputs)
    numels = [y.numel() for y in outputs]
    rows: tuple[list[Tensor | None], ...] = tuple([] for _ in inputs)
    for i, n in enumerate(numels):
        for j in range(n):
            onehot = tuple(zeros_like(y) for y in flat)
            onehot[i][j] = 1
            vj = _grads(flat, inputs, onehot, create_graph=create_graph, retain_graph=True)
            for k, g in enumerate(vj):
                rows[k].append(g)
    total = sum(numels)
    per_input = []
    for x, xrows in zip(inputs, rows):
        if not xrows or xrows[0] is None:  # unused by every output: None in every row
            block = zeros_like(x).expand((total, *x.shape))
        else:
            block = stack(xrows, 0)
        parts = block.split(numels, 0)
        per_input.append(tuple(p.reshape(y.shape + x.shape) for p, y in zip(parts, outputs)))
    return tuple(zip(*per_input))


def jacobian(
    func: Callable[..., Any],
    inputs: _Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``; ``[i][j]`` has shape ``out_i.shape + in_j.shape``.

    ``vectorize=True`` and ``strategy="forward-mode"`` use ndgrad.func's jacrev and jacfwd,
    which run ``func`` once on a batch of copies when every op has a batching rule. With
    ``create_graph=True``, ``vectorize=True`` takes one backward pass per row instead.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(_STRATEGY_HINT)
    if strategy == "forward-mode":
        _forward_mode(inputs, create_graph, strict, vectorize)
        is_inputs_tuple, inputs = _tupled(inputs, "inputs", "jacobian")
        is_outputs_tuple, res = _by_transform(_func().jacfwd, func, inputs)
        return _untuple2(res, is_outputs_tuple, is_inputs_tuple)
    if vectorize and not create_graph and not strict:
        is_inputs_tuple, inputs = _tupled(inputs, "inputs", "jacobian")
        is_outputs_tuple, res = _by_transform(_func().jacrev, func, inputs)
        return _untuple2(res, is_outputs_tuple, is_inputs_tuple)
    with enable_grad():
        is_inputs_tuple, inputs = _tupled(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, need_graph=True)
        out = func(*inputs)
        is_outputs_tuple, outputs = _tupled(
            out, "outputs of the user-provided function", "jacobian"
        )
        _require_history(outputs, "outputs", strict)
        if vectorize:
            if strict:
                raise RuntimeError(
                    "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                    "not supported together. Please either set `strict=False` or "
                    "`vectorize=False`."
                )
            res = _jacobian_vectorized(outputs, inputs, create_graph)
        else:
            res = tuple(
                _jacobian_of(y, i, inputs, create_graph, strict) for i, y in enumerate(outputs)
            )
        res = _finish(res, create_graph)
    return _untuple2(res, is_outputs_tuple, is_inputs_tuple)


def hessian(
    func: Callable[..., Any],
    inputs: _Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of the scalar ``func`` at ``inputs``: the Jacobian of its gradient."""
    is_inputs_tuple, inputs = _tupled(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs: Tensor) -> Tensor:
        return _scalar_output(func, xs, strict, "hessian")[0].squeeze()

    if outer_jacobian_strategy == "forward-mode":
        # Forward over reverse: jacfwd of jacrev keeps the tangents the inner pass needs.
        _forward_mode(inputs, create_graph, strict, vectorize)
        fn = _func()
        nums = tuple(range(len(inputs)))
        h = fn.jacfwd(fn.jacrev(scalar_func, argnums=nums), argnums=nums)(
            *[x.detach() for x in inputs]
        )
        res = tuple(tuple(b.detach() for b in row) for row in h)
        return _untuple2(res, is_inputs_tuple, is_inputs_tuple)

    def grad_func(*xs: Tensor) -> tuple[Tensor, ...]:
        g = jacobian(scalar_func, xs, create_graph=True)
        _require_history(g, "jacobian", strict)
        return g

    res = jacobian(
        grad_func,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _untuple2(res, is_inputs_tuple, is_inputs_tuple)
