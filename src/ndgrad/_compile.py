"""ndgrad.compile: run a function once while recording every array operation, then replay
the recording as straight-line NumPy on new inputs of the same shapes and dtypes.

Tracing swaps the array inside every live tensor for a ``Traced`` wrapper, which NumPy hands
each ufunc, function and method call (``__array_ufunc__``, ``__array_function__``); the
wrapper runs the call and appends it to the tape. Forward ops, the backward pass, optimizer
updates and in-place writes are all recorded alike, since all of them end in NumPy calls.

The replay is generated Python: one line per recorded call, each writing into the array the
trace produced (``out=``), so buffers are reused, ``.grad`` and optimizer state keep their
arrays, and views and shapes cost nothing after the first run. A Python value read from a
tensor while tracing (``bool``, ``float``, ``item``) becomes a guard: the replay recomputes
it and raises if it changed, since control flow that depended on it may have changed too.
"""

from __future__ import annotations

import builtins
import functools
import gc
import inspect
import itertools
import operator
import traceback
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from . import _backend as B
from ._tensor import Tensor, make

__all__ = ["compile", "trace", "CompiledFunction", "TraceError", "is_compiling", "watch"]

_PACKAGE = str(Path(__file__).resolve().parent)


class TraceError(RuntimeError):
    """A compiled function cannot be replayed for these inputs."""


# ------------------------------------------------------------------------------- the tape
class _Tape:
    """The calls of one trace. Values are the trace's own ndarrays: inputs are swapped for
    the call's arrays at replay; every other array is a buffer the replay writes again."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, ...]] = []
        self.inputs: dict[int, int] = {}  # id(ndarray) -> argument position
        self.dynamic: set[int] = set()  # ids of inputs and of views of inputs
        self.pre: set[int] = set()  # arrays of the tensors that existed before the trace
        self.scratch: set[int] = set()  # NumPy arrays made during the trace, off the tape
        self.written: set[int] = set()  # scratch arrays already given a reset
        self.keep: list[Any] = []  # every array the tape names, kept alive
        self.grads: list[tuple[Tensor, Tensor]] = []  # (leaf, its .grad) set by the trace
        # Python values the trace depends on (see watch): (read, value), checked per replay.
        self.watched: list[tuple[Callable[[], Any], Any]] = []
        self.draws = 0
        self.redraws = 0
        self.closed = False

    def note(self, arr: np.ndarray) -> np.ndarray:
        self.keep.append(arr)
        return arr


# Functions and methods that write into their first argument and return nothing.
_IN_PLACE = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis}
_IN_PLACE_METHODS = {"fill", "sort", "put", "partition", "itemset", "setfield", "resize"}


class Traced(NDArrayOperatorsMixin):
    """An ndarray whose every use is recorded on the tape."""

    __slots__ = ("_a", "_tape")

    def __init__(self, a: np.ndarray, tape: _Tape) -> None:
        self._a = a
        self._tape = tape

    # ------------------------------------------------------------- NumPy dispatch
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError("a traced array cannot become a NumPy array implicitly")

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        return _record(self._tape, fn, inputs, kwargs, kind="ufunc" if method != "at" else "at")

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return _record(self._tape, func, args, kwargs, "at" if func in _IN_PLACE else "call")

    # ------------------------------------------------------- attributes and methods
    def __getattr__(self, name: str) -> Any:
        if name in ("__array_interface__", "__array_struct__"):
            raise AttributeError(name)  # NumPy must not read the memory behind the tape
        attr = getattr(self._a, name)
        if name in ("T", "mT", "real", "imag"):
            return _record(self._tape, operator.attrgetter(name), (self,), {})
        if not callable(attr):
            return attr
        method = getattr(np.ndarray, name)
        kind = "at" if name in _IN_PLACE_METHODS else "call"
        return lambda *a, **k: _record(self._tape, method, (self, *a), k, kind)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "shape":  # a view reshaped in place
            _reshape_in_place(self, value)
        else:
            object.__setattr__(self, name, value)

    def __getitem__(self, key: Any) -> Any:
        return _record(self._tape, operator.getitem, (self, key), {})

    def __setitem__(self, key: Any, value: Any) -> None:
        _record(self._tape, operator.setitem, (self, key, value), {}, kind="at")

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Any:
        return (self[i] for i in range(len(self._a)))

    # ----------------------------------------------- Python values: guards
    def __bool__(self) -> bool:
        return _guard(self, bool)

    def __float__(self) -> float:
        return _guard(self, float)

    def __int__(self) -> int:
        return _guard(self, int)

    def __complex__(self) -> complex:
        return _guard(self, complex)

    def __index__(self) -> int:
        return _guard(self, operator.index)

    def item(self, *args: Any) -> Any:
        return _guard(self, lambda a: a.item(*args))

    def tolist(self) -> Any:
        return _guard(self, np.ndarray.tolist)

    def __repr__(self) -> str:
        return f"Traced({self._a!r})"


def _arrays(x: Any, tape: _Tape, found: list[np.ndarray]) -> Any:
    """``x`` with Traced unwrapped (their arrays collected in ``found``), recursively."""
    if isinstance(x, Traced):
        found.append(x._a)
        return x._a
    if isinstance(x, np.ndarray):
        _plain(tape, x)
        found.append(x)
        return x
    if isinstance(x, (list, tuple)):
        return type(x)(_arrays(v, tape, found) for v in x)
    if isinstance(x, dict):
        return {k: _arrays(v, tape, found) for k, v in x.items()}
    return x


def _plain(tape: _Tape, x: np.ndarray) -> None:
    """A NumPy array met while tracing: the replay reads it as it is then (a constant); one
    made during the trace is reset to its first value before the replay writes into it."""
    if id(x) not in tape.pre and id(x) not in tape.scratch:
        tape.scratch.add(id(tape.note(x)))


def _wrap(x: Any, tape: _Tape) -> Any:
    if isinstance(x, np.ndarray):
        return Traced(x, tape)
    if isinstance(x, np.generic):
        return Traced(np.asarray(x), tape)
    if isinstance(x, tuple):
        return (
            type(x)(*(_wrap(v, tape) for v in x))
            if hasattr(x, "_fields")
            else tuple(_wrap(v, tape) for v in x)
        )
    if isinstance(x, list):
        return [_wrap(v, tape) for v in x]
    return x


def _record(tape: _Tape, fn: Any, args: Any, kwargs: dict[str, Any], kind: str = "call") -> Any:
    """Run ``fn`` on the unwrapped arguments and, while tracing, append the call to the tape.

    Entries: ("at", fn, args, kwargs) replays as it is (writes into given arrays);
    (kind, fn, args, kwargs, results, views, multi) makes new arrays (views where views[i];
    multi when fn returned a tuple).
    """
    found: list[np.ndarray] = []
    a = _arrays(tuple(args), tape, found)
    k = _arrays(kwargs, tape, found)
    if tape.closed:
        return fn(*a, **k)
    out = k.get("out")
    if kind == "at" or out is not None:
        targets = found[:1] if out is None else [o for o in _flat([out]) if o is not None]
        for t in targets:
            if id(t) in tape.scratch and id(t) not in tape.written:
                tape.entries.append(("init", t, t.copy()))
                tape.written.add(id(t))
        result = fn(*a, **k)
        tape.entries.append(("at", fn, a, k))
        return _wrap(result, tape)
    result = fn(*a, **k)
    results = result if isinstance(result, (tuple, list)) else (result,)
    arrays = [np.asarray(r) if isinstance(r, np.generic) else r for r in results]
    if not arrays or any(not isinstance(r, np.ndarray) for r in arrays):
        return result  # facts about the arrays: shapes, dtypes, counts
    views = []
    for r in arrays:
        tape.note(r)
        view = any(np.may_share_memory(r, x) for x in found)
        views.append(view)
        if view and any(id(x) in tape.dynamic and np.may_share_memory(r, x) for x in found):
            tape.dynamic.add(id(r))
    multi = isinstance(result, (tuple, list))
    tape.entries.append((kind, fn, a, k, tuple(arrays), tuple(views), multi))
    wrapped = [Traced(r, tape) for r in arrays]
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return type(result)(*wrapped)
    if isinstance(result, (tuple, list)):
        return type(result)(wrapped)
    return wrapped[0]


def _reshape_in_place(t: Traced, shape: Any) -> None:
    tape = t._tape
    new = t._a.reshape(shape)
    if new.size and not np.may_share_memory(new, t._a):
        raise AttributeError("incompatible shape for a view")
    tape.entries.append(("call", np.reshape, (t._a, shape), {}, (tape.note(new),), (True,), False))
    if id(t._a) in tape.dynamic:
        tape.dynamic.add(id(new))
    object.__setattr__(t, "_a", new)


def _where_from() -> str:
    """The first frame outside ndgrad: where the user's code read the value."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not frame.filename.startswith(_PACKAGE):
            return f"{frame.filename}:{frame.lineno}"
    return "inside ndgrad"


def _guard(t: Traced, convert: Callable[[Any], Any]) -> Any:
    value = convert(t._a)
    tape = t._tape
    if not tape.closed:
        tape.entries.append(("guard", convert, t._a, value, _where_from()))
    return value


def _tracing() -> _TraceLib | None:
    lib = B._gpu
    return lib if type(lib) is _TraceLib else None


def is_compiling() -> bool:
    """Whether ndgrad.compile is tracing the code that asks (``torch.compiler.is_compiling``)."""
    return _tracing() is not None


def watch(read: Callable[[], Any]) -> None:
    """A Python value the code being traced depends on, such as a learning rate or a module's
    training flag: the replay runs only while ``read()`` still gives the same value, and the
    function is traced again when it changes. (Nothing while not tracing.)"""
    lib = _tracing()
    if lib is not None:
        lib.tape.watched.append((read, read()))


# ------------------------------------------------------------------ the tracer's backend
class _TraceLib(B.GPU):
    """What _backend asks of an array library, answered for traced CPU arrays."""

    kind = "trace"

    def __init__(self, tape: _Tape) -> None:
        self.tape = tape
        self.xp = _Namespace(tape)
        self.ndarray = Traced

    def count(self) -> int:
        return 0

    def index(self, arr: Any) -> int:
        return 0

    def to_host(self, arr: Any) -> np.ndarray:
        return _guard(arr, np.array)

    def from_host(self, arr: Any, index: int) -> Any:
        return self.created(np.array(arr))

    def move(self, arr: Any, index: int) -> Any:
        return arr.copy()

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        np.add.at(target, index, values)

    def as_strided(self, arr: Any, shape: Any, strides: Any) -> Any:
        # NumPy's as_strided does not dispatch to array wrappers: recorded here.
        return _record(self.tape, np.lib.stride_tricks.as_strided, (arr, shape, strides), {})

    def checked_linalg(self) -> Any:
        return nullcontext()

    def ptr(self, arr: Any) -> int:
        return arr._a.ctypes.data

    def created(self, arr: np.ndarray, redraw: Any = None) -> Traced:
        """A creation function's array: the replay makes its values again."""
        tape = self.tape
        tape.note(arr)
        if redraw is not None:
            tape.redraws += 1
            tape.entries.append(("redraw", redraw, arr))
        else:
            tape.entries.append(("init", arr, arr.copy()))
        return Traced(arr, tape)

    def drew(self) -> None:
        self.tape.draws += 1

    def seeded(self) -> None:
        raise TraceError(
            "ndgrad.compile: the function seeds a random generator, which a replay would not "
            "do again; seed outside the compiled function"
        )


class _Namespace:
    """``xp`` for traced arrays: NumPy's creation functions, recorded as constants."""

    ndarray = Traced

    def __init__(self, tape: _Tape) -> None:
        self._tape = tape

    def __getattr__(self, name: str) -> Any:
        attr = getattr(np, name)
        if not callable(attr) or isinstance(attr, type):
            return attr

        def make_array(*a: Any, **k: Any) -> Any:
            found: list[np.ndarray] = []
            if any(isinstance(v, Traced) for v in itertools.chain(a, k.values())):
                return _record(self._tape, attr, a, k)
            result = attr(*_arrays(a, self._tape, found), **_arrays(k, self._tape, found))
            if not isinstance(result, np.ndarray):
                return result
            self._tape.note(result)
            self._tape.entries.append(("init", result, result.copy()))
            return Traced(result, self._tape)

        return make_array

    def asarray(self, a: Any, dtype: Any = None) -> Any:
        if isinstance(a, Traced):
            return a if dtype is None else a.astype(dtype, copy=False)
        return self.__getattr__("array")(a, dtype)


# ------------------------------------------------------------------------------ tracing
def _live_tensors() -> list[Tensor]:
    """Every tensor alive (a scan of the collector's objects, once per trace: a type test
    per object, not isinstance, which would ask lazy proxies for their __class__)."""
    kinds = {Tensor}
    todo = [Tensor]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in kinds:
                kinds.add(sub)
                todo.append(sub)
    # Tensors that hold no array of their own (vmap's BatchedTensor) are left alone.
    kinds = {k for k in kinds if not isinstance(getattr(k, "_data", None), property)}
    return [o for o in gc.get_objects() if type(o) in kinds]


def _run_traced(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    tape = _Tape()
    lib = _TraceLib(tape)
    swapped = []
    for t in _live_tensors():
        a = t._data
        if type(a) is not np.ndarray:
            if B.is_array(a):
                raise NotImplementedError("ndgrad.compile traces CPU tensors only")
            continue
        tape.pre.add(id(tape.note(a)))
        swapped.append(t)
    tensors = [a for a in _flat([args, kwargs]) if isinstance(a, Tensor)]
    for i, t in enumerate(tensors):
        tape.inputs[id(t._data)] = i
        tape.dynamic.add(id(t._data))
    wrappers: dict[int, Traced] = {}
    for t in swapped:
        a = t._data
        w = wrappers.get(id(a))
        if w is None:
            w = wrappers[id(a)] = Traced(a, tape)
        t._data = w
    before = B._gpu, B._gpu_tried
    B.use_gpu(lib)
    try:
        out = fn(*args, **kwargs)
    finally:
        B._gpu, B._gpu_tried = before
        tape.closed = True
        live = _live_tensors()
        for t in live:
            if type(t._data) is Traced:
                t._data = t._data._a
    if tape.draws > tape.redraws:
        raise TraceError(
            "ndgrad.compile: the function draws random numbers other than through rand, randn, "
            "randint, randperm or normal (dropout, for one); run it without compile"
        )
    # .grad tensors the trace set: the replay refills their arrays; they are put back
    # where a caller cleared them between calls (zero_grad outside the function).
    made = {id(a) for a in tape.keep} - tape.pre
    tape.grads = [
        (t, t._grad)
        for t in live
        if getattr(t, "_grad", None) is not None and id(t._grad._data) in made
    ]
    return tape, tensors, out


def _flat(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flat(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _flat(item)]
    return [x]


# ------------------------------------------------------------------------------ codegen
_COPYTO = np.copyto
# Methods that write into out=; inspect cannot read the signatures of NumPy's methods.
_OUT_METHODS = {
    getattr(np.ndarray, name)
    for name in ("sum", "prod", "max", "min", "mean", "any", "all", "cumsum", "cumprod")
    + ("argmax", "argmin", "clip", "round", "take", "std", "var")
}
_COPIES = {np.ndarray.astype, np.ndarray.copy}
_out_funcs: dict[Any, bool] = {}


def _takes_out(fn: Any) -> bool:
    """Whether ``fn`` can write its result into an ``out=`` array."""
    known = _out_funcs.get(fn)
    if known is None:
        if isinstance(fn, np.ufunc) or fn in _OUT_METHODS:
            known = True
        else:
            try:
                known = "out" in inspect.signature(fn).parameters
            except (TypeError, ValueError):
                known = False
        _out_funcs[fn] = known
    return known


def _equal(a: Any, b: Any) -> bool:
    """Whether a value read at replay is the traced one (a NaN equals a NaN here)."""
    if isinstance(a, (np.ndarray, list)):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(((a == b) | ((a != a) & (b != b))).all())
    return a == b or (a != a and b != b)


class _Program:
    """The replay of one tape: a generated function of the call's input arrays that writes
    every result into the array the trace made, and returns the arrays made anew (views of
    the inputs) that ``wanted`` names."""

    def __init__(self, tape: _Tape, n_inputs: int, wanted: set[int]) -> None:
        self.consts: list[Any] = []
        self._const_ids: dict[int, str] = {}
        self.names = {aid: f"i{pos}" for aid, pos in tape.inputs.items()}
        self.tape = tape
        lines = [line for entry in tape.entries for line in self._lines(entry)]
        fresh = [aid for aid in wanted if self.names.get(aid, "").startswith(("v", "i"))]
        params = [f"i{i}" for i in range(n_inputs)]
        params += [f"c{k}=_C[{k}]" for k in range(len(self.consts))]
        body = lines + ["return {" + ", ".join(f"{a}: {self.names[a]}" for a in fresh) + "}"]
        self.source = f"def replay({', '.join(params)}):\n    " + "\n    ".join(body) + "\n"
        scope: dict[str, Any] = {"_C": self.consts}
        exec(builtins.compile(self.source, "<ndgrad.compile>", "exec"), scope)
        self.replay = scope["replay"]

    def _const(self, value: Any) -> str:
        name = self._const_ids.get(id(value))
        if name is None:
            self.consts.append(value)
            name = self._const_ids[id(value)] = f"c{len(self.consts) - 1}"
        return name

    def _ref(self, x: Any) -> str:
        if isinstance(x, np.ndarray):
            return self.names.get(id(x)) or self._const(x)
        if isinstance(x, (list, tuple)) and any(isinstance(v, np.ndarray) for v in _flat(x)):
            inner = ", ".join(self._ref(v) for v in x)
            if isinstance(x, list):
                return f"[{inner}]"
            return f"({inner},)" if len(x) == 1 else f"({inner})"
        if isinstance(x, dict) and any(isinstance(v, np.ndarray) for v in x.values()):
            return "{" + ", ".join(f"{k!r}: {self._ref(v)}" for k, v in x.items()) + "}"
        return self._const(x)

    def _call(self, fn: Any, args: Any, kwargs: dict[str, Any], extra: str = "") -> str:
        parts = [self._ref(a) for a in args]
        parts += [f"{k}={self._ref(v)}" for k, v in kwargs.items()]
        if extra:
            parts.append(extra)
        return f"{self._const(fn)}({', '.join(parts)})"

    def _lines(self, entry: tuple[Any, ...]) -> list[str]:
        kind = entry[0]
        copyto = self._const(_COPYTO)
        if kind == "init":
            return [f"{copyto}({self._ref(entry[1])}, {self._const(entry[2])})"]
        if kind == "redraw":
            return [f"{copyto}({self._ref(entry[2])}, {self._const(entry[1])}())"]
        if kind == "guard":
            _, convert, arr, value, where = entry
            same = f"{self._const(_equal)}({self._const(convert)}({self._ref(arr)}), "
            fail = f"{self._const(_guard_failed)}({self._const(where)})"
            return [f"if not {same}{self._const(value)}): {fail}"]
        if kind == "at":
            return [self._call(*entry[1:])]
        _, fn, args, kwargs, results, views, multi = entry
        dynamic = [id(r) in self.tape.dynamic for r in results]
        if all(views) and not any(dynamic):
            return []  # a view of arrays that keep their memory: it stays valid
        if any(dynamic):
            names = [self.names.setdefault(id(r), f"v{len(self.names)}") for r in results]
            target = "".join(f"{n}, " for n in names) if multi else names[0]
            return [f"{target} = {self._call(fn, args, kwargs)}"]
        if len(results) == 1:
            target = self._ref(results[0])
            if fn in _COPIES:
                return [f"{copyto}({target}, {self._ref(args[0])}, casting='unsafe')"]
            if _takes_out(fn) and (kind == "ufunc" or "dtype" not in kwargs):
                return [self._call(fn, args, kwargs, f"out={target}")]
            return [f"{copyto}({target}, {self._call(fn, args, kwargs)})"]
        tmp = f"t{len(self.consts)}"
        lines = [f"{tmp} = {self._call(fn, args, kwargs)}"]
        for j, r in enumerate(results):
            if not views[j]:
                lines.append(f"{copyto}({self._ref(r)}, {tmp}[{j}])")
        return lines


def _guard_failed(where: str) -> None:
    raise TraceError(
        f"ndgrad.compile: a tensor value read as a Python value at {where} differs from the "
        "traced one, so the control flow the trace recorded may not hold for these inputs; "
        "run this function without compile"
    )


# ------------------------------------------------------------------------------ the API
class CompiledFunction:
    """A function run eagerly once, traced on its second call and replayed from then on;
    likewise for each new combination of argument shapes and dtypes."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.cache: dict[Any, Any] = {}
        self.warm: set[Any] = set()
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = _key(args, kwargs)
        plan = self.cache.get(key)
        if plan is not None and not plan.current():
            plan = None  # a watched value changed (a new learning rate): trace again
        if plan is None:
            if key not in self.warm:
                # The first call runs eagerly: state made lazily on a first step (optimizer
                # moments and step counts, lazy modules) then exists before the trace, so the
                # replays update it instead of making it afresh.
                self.warm.add(key)
                return self.fn(*args, **kwargs)
            tape, tensors, out = _run_traced(self.fn, args, kwargs)
            plan = self.cache[key] = _Plan(tape, tensors, out)
            return plan.outputs({})
        return plan.run(args, kwargs)

    def buffer_bytes(self) -> int:
        """Memory held between calls: the arrays the traces made, which replays write into."""
        return sum(plan.buffer_bytes for plan in self.cache.values())


def _key(args: Any, kwargs: dict[str, Any]) -> Any:
    parts = []
    for a in _flat([args, kwargs]):
        if isinstance(a, Tensor):
            parts.append((a._data.shape, a._data.dtype, a._rg))
        else:
            try:
                hash(a)
                parts.append(("v", a))
            except TypeError:
                parts.append(("id", id(a)))
    return tuple(parts)


class _Plan:
    """One trace: its program, the arrays that hold its results, and the ``.grad`` links."""

    def __init__(self, tape: _Tape, tensors: list[Tensor], out: Any) -> None:
        outputs = {id(t._data) for t in _flat([out]) if isinstance(t, Tensor)}
        self.program = _Program(tape, len(tensors), outputs)
        self.out = out
        self.grads = tape.grads
        self.watched = tape.watched
        made = {id(a): a for a in tape.keep if id(a) not in tape.pre and a.base is None}
        self.buffer_bytes = sum(a.nbytes for a in made.values())
        # Tensors that outlive a call (.grad, the arguments, state made before the trace)
        # are returned as themselves, as eager code returns them; new results are copied,
        # since the next replay writes over the arrays that hold them.
        self.kept = {id(g) for _, g in self.grads} | {
            id(t)
            for t in _flat([out])
            if isinstance(t, Tensor) and id(t._data) in tape.pre - tape.dynamic
        }

    def current(self) -> bool:
        """Whether every Python value the trace depended on is still what it was."""
        return all(_equal(read(), value) for read, value in self.watched)

    def run(self, args: Any, kwargs: dict[str, Any]) -> Any:
        arrays = [a._data for a in _flat([args, kwargs]) if isinstance(a, Tensor)]
        try:
            values = self.program.replay(*arrays)
        except ValueError as e:
            raise TraceError(
                "ndgrad.compile: an intermediate result changed shape on replay (its shape "
                "depends on tensor values: a boolean mask, nonzero, unique); run this function "
                f"without compile ({e})"
            ) from None
        for t, g in self.grads:
            t._grad = g
        return self.outputs(values)

    def outputs(self, values: dict[int, Any]) -> Any:
        return _rebuild(self.out, values, self.kept)


def _rebuild(out: Any, values: dict[int, Any], kept: set[int]) -> Any:
    if isinstance(out, Tensor):
        if id(out) in kept:
            return out
        fresh = values.get(id(out._data))  # an argument, or a view of one, of this call
        return make(out._data.copy() if fresh is None else fresh)
    if isinstance(out, (list, tuple)):
        items = [_rebuild(v, values, kept) for v in out]
        return type(out)(*items) if hasattr(out, "_fields") else type(out)(items)
    if isinstance(out, dict):
        return {k: _rebuild(v, values, kept) for k, v in out.items()}
    return out


def compile(model: Callable[..., Any] | None = None, **options: Any) -> Any:
    """``model`` traced on its first call and replayed from then on (module docstring).

    As ``ndgrad.compile(fn)`` or a decorator, with or without arguments (torch's options,
    ``backend=``, ``mode=`` and the like, are accepted and have no effect). Compile a whole
    step, backward and optimizer included: what a compiled function returns carries no
    graph. A Module is returned as it is (its outputs must keep their graph), with a warning.
    """
    if model is None:
        return lambda f: compile(f, **options)
    from .nn import Module

    if isinstance(model, Module):
        warnings.warn(
            "ndgrad.compile runs a Module eagerly: its outputs must keep their graph for a "
            "backward outside it. Compile the function of a whole training step instead.",
            UserWarning,
            stacklevel=2,
        )
        return model
    return CompiledFunction(model)


def trace(fn: Callable[..., Any], example_inputs: Any) -> CompiledFunction:
    """``torch.jit.trace``: trace ``fn`` on ``example_inputs`` now; replay it on later calls.
    (It runs ``fn`` twice on them, as compile does: once eagerly, once traced.)"""
    compiled = CompiledFunction(fn)
    inputs = example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)
    compiled(*inputs)
    compiled(*inputs)
    return compiled
