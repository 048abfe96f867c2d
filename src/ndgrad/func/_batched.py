"""BatchedTensor: vmap's fast path, where Tensor methods run once on the whole batch.

A BatchedTensor holds a plain tensor ``_value`` whose leading dims are the batch dims of
the vmap levels in ``_levels`` (sorted, innermost last); the dims after them are the
logical ones user code sees. Each method below is a batching rule written with ordinary
ndgrad ops, so autograd and forward AD see through it. Anything without a rule (module
functions such as ``ndgrad.sin(x)``, in-place ops, ``.item()``) reads a Tensor slot, and
every slot raises NoRule: vmap then reruns the whole call one slice at a time.
"""

from __future__ import annotations

from typing import Any

from .._tensor import Size, Tensor

__all__ = ["BatchedTensor", "NoRule", "lift", "wrap", "add_level", "remove_level", "stack"]

_new = object.__new__


class NoRule(Exception):
    """An op met a BatchedTensor it has no batching rule for."""


def _no_rule(self: Any) -> Any:
    raise NoRule


_slot = property(_no_rule, lambda self, v: _no_rule(self))


def lift(x: Any) -> tuple[tuple[int, ...], Any]:
    """(levels, physical tensor) for a BatchedTensor; ((), x) for anything else."""
    if type(x) is BatchedTensor:
        return x._levels, x._value
    return (), x


def wrap(levels: tuple[int, ...], value: Any) -> Any:
    """``value`` (a tensor, or a tuple of them) batched at ``levels``."""
    if isinstance(value, tuple):
        items = [wrap(levels, v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if not levels or not isinstance(value, Tensor):
        return value
    if value.ndim < len(levels):
        raise NoRule  # a rule reduced over a batch dim: let the per-slice run do it
    t = _new(BatchedTensor)
    t._levels = levels
    t._value = value
    return t


def _batch_shape(levels: tuple[int, ...], value: Tensor, union: tuple[int, ...]) -> list[int]:
    sizes = dict(zip(levels, value.shape))
    return [sizes.get(level, 1) for level in union]


def align(*xs: Any) -> tuple[tuple[int, ...], list[Any]]:
    """The union of the levels of ``xs`` and each tensor reshaped to broadcast against it:
    batch dims (1 where absent) first, then the logical dims padded on the left with 1s."""
    lifted = [lift(x) for x in xs]
    union = tuple(sorted({lv for levels, _ in lifted for lv in levels}))
    rank = max((v.ndim - len(lv) for lv, v in lifted if isinstance(v, Tensor)), default=0)
    out = []
    for levels, v in lifted:
        if isinstance(v, Tensor):
            logical = tuple(v.shape[len(levels) :])
            pad = [1] * (rank - len(logical))
            shape = tuple(_batch_shape(levels, v, union) + pad) + logical
            if shape != tuple(v.shape):
                v = v.reshape(shape)
        out.append(v)
    return union, out


def _dim(d: int, ndim: int) -> int:
    if not isinstance(d, int) or isinstance(d, bool):
        raise NoRule
    if not -max(ndim, 1) <= d < max(ndim, 1):
        raise NoRule  # let the per-slice run raise torch's IndexError
    return d % max(ndim, 1)


def _pointwise(name: str) -> Any:
    """A rule for an elementwise (broadcasting) method: align every tensor argument."""

    def rule(self: BatchedTensor, *args: Any, **kwargs: Any) -> Any:
        keys = list(kwargs)
        xs = (self, *args, *kwargs.values())
        tensors = [x for x in xs if isinstance(x, Tensor)]
        if len({t.dtype for t in tensors}) > 1 and any(t.dim() == 0 for t in tensors):
            raise NoRule  # 0-dim tensors promote differently once they gain a batch dim
        levels, al = align(*xs)
        n = 1 + len(args)
        out = getattr(al[0], name)(*al[1:n], **dict(zip(keys, al[n:])))
        return wrap(levels, out)

    rule.__name__ = name
    return rule


def _reverse(name: str) -> Any:
    """A rule for a reflected operator (``2 - x``): run the forward one on aligned operands."""

    def rule(self: BatchedTensor, other: Any) -> Any:
        levels, (a, b) = align(self, other)
        return wrap(levels, getattr(a, name)(b))

    rule.__name__ = name
    return rule


_FULL = {"sum", "mean", "prod", "amax", "amin", "argmax", "argmin", "std", "var", "all", "any"}
_FULL |= {"norm", "nansum", "nanmean", "count_nonzero", "logsumexp"}
_FULL_AS = {"max": "amax", "min": "amin"}


def _reduce(name: str, dim_pos: int = 0) -> Any:
    """A rule for a method with a ``dim`` argument: shift the dim(s) past the batch dims."""

    def rule(self: BatchedTensor, *args: Any, **kwargs: Any) -> Any:
        args = list(args)
        if "dim" in kwargs:
            dim = kwargs.pop("dim")
        elif len(args) > dim_pos:
            dim = args.pop(dim_pos)
        else:
            dim = None
        if isinstance(dim, Tensor):  # max(other): the elementwise maximum
            return _pointwise(name)(self, dim, *args, **kwargs)
        nb = len(self._levels)
        v = self._value
        nd = v.ndim - nb
        if dim is None:
            if kwargs.get("keepdim") or (len(args) > dim_pos and args[dim_pos]):
                raise NoRule
            if name not in _FULL and name not in _FULL_AS:
                raise NoRule
            v = v.reshape(tuple(v.shape[:nb]) + (-1,))
            args.insert(dim_pos, nb)
            return wrap(self._levels, getattr(v, _FULL_AS.get(name, name))(*args, **kwargs))
        if nd == 0:
            raise NoRule
        if isinstance(dim, (tuple, list)):
            phys: Any = tuple(nb + _dim(d, nd) for d in dim)
        else:
            phys = nb + _dim(dim, nd)
        args.insert(dim_pos, phys)
        return wrap(self._levels, getattr(v, name)(*args, **kwargs))

    rule.__name__ = name
    return rule


def _with_dims(name: str, ndims: int, extra: int = 0) -> Any:
    """A rule for a method whose first ``ndims`` arguments are logical dims."""

    def rule(self: BatchedTensor, *args: Any) -> Any:
        nb = len(self._levels)
        nd = self._value.ndim - nb + extra
        dims = [nb + _dim(d, nd) for d in args[:ndims]]
        return wrap(self._levels, getattr(self._value, name)(*dims, *args[ndims:]))

    rule.__name__ = name
    return rule


def _same(name: str) -> Any:
    """A rule for a method that neither looks at dims nor takes tensors."""

    def rule(self: BatchedTensor, *args: Any, **kwargs: Any) -> Any:
        if any(isinstance(a, Tensor) for a in (*args, *kwargs.values())):
            raise NoRule
        return wrap(self._levels, getattr(self._value, name)(*args, **kwargs))

    rule.__name__ = name
    return rule


def _sizes(args: tuple[Any, ...]) -> tuple[int, ...]:
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        return tuple(args[0])
    return tuple(args)


def _basic_index(idx: Any) -> bool:
    """Whether ``idx`` keeps its meaning when full slices are put before it."""
    advanced = 0
    for i in idx:
        if i is None or i is Ellipsis or type(i) is slice or type(i) is int:
            continue
        if type(i) is Tensor or type(i) is list:
            advanced += 1
            continue
        return False
    return advanced <= 1


class BatchedTensor(Tensor):
    """A tensor with hidden batch dims: see the module docstring."""

    __slots__ = ("_value", "_levels")

    # Every Tensor slot: the ops read these, and none of them knows about batch dims.
    _data = _slot
    _node = _slot
    _rg = _slot
    _vc = _slot
    _grad = _slot
    _base = _slot
    _view_fn = _slot
    _view_version = _slot
    _hooks = _slot
    _post_hooks = _slot
    _retains_grad = _slot
    _tangent = _slot

    # ------------------------------------------------------------- metadata
    @property
    def shape(self) -> Size:
        return Size(self._value.shape[len(self._levels) :])

    def size(self, dim: int | None = None) -> Any:
        shape = self.shape
        return shape if dim is None else shape[_dim(dim, len(shape))]

    def dim(self) -> int:
        return self._value.ndim - len(self._levels)

    @property
    def ndim(self) -> int:
        return self.dim()

    def numel(self) -> int:
        return self.shape.numel()

    def __len__(self) -> int:
        if self.dim() == 0:
            raise NoRule
        return self.shape[0]

    @property
    def dtype(self) -> Any:
        return self._value.dtype

    @property
    def device(self) -> Any:
        return self._value.device

    @property
    def requires_grad(self) -> bool:
        return self._value.requires_grad

    def is_floating_point(self) -> bool:
        return self._value.is_floating_point()

    def is_complex(self) -> bool:
        return self._value.is_complex()

    __hash__ = Tensor.__hash__

    def __repr__(self) -> str:
        return f"BatchedTensor(levels={self._levels}, value={self._value!r})"

    # -------------------------------------------------------- elementwise
    __add__ = _pointwise("__add__")
    __sub__ = _pointwise("__sub__")
    __mul__ = _pointwise("__mul__")
    __truediv__ = _pointwise("__truediv__")
    __floordiv__ = _pointwise("__floordiv__")
    __mod__ = _pointwise("__mod__")
    __pow__ = _pointwise("__pow__")
    __and__ = _pointwise("__and__")
    __or__ = _pointwise("__or__")
    __xor__ = _pointwise("__xor__")
    __eq__ = _pointwise("__eq__")  # type: ignore[assignment]
    __ne__ = _pointwise("__ne__")  # type: ignore[assignment]
    __lt__ = _pointwise("__lt__")
    __le__ = _pointwise("__le__")
    __gt__ = _pointwise("__gt__")
    __ge__ = _pointwise("__ge__")
    __radd__ = _reverse("__radd__")
    __rsub__ = _reverse("__rsub__")
    __rmul__ = _reverse("__rmul__")
    __rtruediv__ = _reverse("__rtruediv__")
    __rfloordiv__ = _reverse("__rfloordiv__")
    __rmod__ = _reverse("__rmod__")
    __rpow__ = _reverse("__rpow__")
    __rand__ = _reverse("__rand__")
    __ror__ = _reverse("__ror__")
    __rxor__ = _reverse("__rxor__")
    __neg__ = _same("__neg__")
    __pos__ = _same("__pos__")
    __abs__ = _same("__abs__")
    __invert__ = _same("__invert__")
    add = _pointwise("add")
    sub = _pointwise("sub")
    subtract = _pointwise("subtract")
    mul = _pointwise("mul")
    multiply = _pointwise("multiply")
    div = _pointwise("div")
    divide = _pointwise("divide")
    true_divide = _pointwise("true_divide")
    pow = _pointwise("pow")
    float_power = _pointwise("float_power")
    maximum = _pointwise("maximum")
    minimum = _pointwise("minimum")
    fmax = _pointwise("fmax")
    fmin = _pointwise("fmin")
    atan2 = _pointwise("atan2")
    hypot = _pointwise("hypot")
    fmod = _pointwise("fmod")
    remainder = _pointwise("remainder")
    floor_divide = _pointwise("floor_divide")
    copysign = _pointwise("copysign")
    lerp = _pointwise("lerp")
    addcmul = _pointwise("addcmul")
    addcdiv = _pointwise("addcdiv")
    clamp = _pointwise("clamp")
    clip = _pointwise("clip")
    clamp_min = _pointwise("clamp_min")
    clamp_max = _pointwise("clamp_max")
    where = _pointwise("where")
    masked_fill = _pointwise("masked_fill")
    eq = _pointwise("eq")
    ne = _pointwise("ne")
    lt = _pointwise("lt")
    le = _pointwise("le")
    gt = _pointwise("gt")
    ge = _pointwise("ge")
    isclose = _pointwise("isclose")
    logical_and = _pointwise("logical_and")
    logical_or = _pointwise("logical_or")
    logical_xor = _pointwise("logical_xor")
    type_as = _pointwise("type_as")
    neg = _same("neg")
    negative = _same("negative")
    positive = _same("positive")
    abs = _same("abs")
    absolute = _same("absolute")
    sign = _same("sign")
    sgn = _same("sgn")
    exp = _same("exp")
    exp2 = _same("exp2")
    expm1 = _same("expm1")
    log = _same("log")
    log2 = _same("log2")
    log10 = _same("log10")
    log1p = _same("log1p")
    sqrt = _same("sqrt")
    rsqrt = _same("rsqrt")
    square = _same("square")
    reciprocal = _same("reciprocal")
    sin = _same("sin")
    cos = _same("cos")
    tan = _same("tan")
    asin = _same("asin")
    acos = _same("acos")
    atan = _same("atan")
    arcsin = _same("arcsin")
    arccos = _same("arccos")
    arctan = _same("arctan")
    sinh = _same("sinh")
    cosh = _same("cosh")
    tanh = _same("tanh")
    asinh = _same("asinh")
    acosh = _same("acosh")
    atanh = _same("atanh")
    sigmoid = _same("sigmoid")
    relu = _same("relu")
    logit = _same("logit")
    erf = _same("erf")
    erfc = _same("erfc")
    floor = _same("floor")
    ceil = _same("ceil")
    round = _same("round")
    trunc = _same("trunc")
    frac = _same("frac")
    nan_to_num = _same("nan_to_num")
    isnan = _same("isnan")
    isinf = _same("isinf")
    isfinite = _same("isfinite")
    signbit = _same("signbit")
    logical_not = _same("logical_not")
    bitwise_not = _same("bitwise_not")
    # dtype changes and copies are elementwise too
    to = _same("to")
    float = _same("float")
    double = _same("double")
    half = _same("half")
    long = _same("long")
    int = _same("int")
    bool = _same("bool")
    clone = _same("clone")
    contiguous = _same("contiguous")
    detach = _same("detach")

    # ---------------------------------------------------------- reductions
    sum = _reduce("sum")
    nansum = _reduce("nansum")
    mean = _reduce("mean")
    nanmean = _reduce("nanmean")
    prod = _reduce("prod")
    amax = _reduce("amax")
    amin = _reduce("amin")
    max = _reduce("max")
    min = _reduce("min")
    argmax = _reduce("argmax")
    argmin = _reduce("argmin")
    std = _reduce("std")
    var = _reduce("var")
    all = _reduce("all")
    any = _reduce("any")
    count_nonzero = _reduce("count_nonzero")
    logsumexp = _reduce("logsumexp")
    norm = _reduce("norm", dim_pos=1)
    cumsum = _reduce("cumsum")
    cumprod = _reduce("cumprod")
    softmax = _reduce("softmax")
    log_softmax = _reduce("log_softmax")
    flip = _reduce("flip")

    # -------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Any:
        v = self._value
        nb = len(self._levels)
        return wrap(self._levels, v.reshape(tuple(v.shape[:nb]) + _sizes(shape)))

    view = reshape

    def view_as(self, other: Any) -> Any:
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Any:
        nd = self.dim()
        if nd == 0:
            return self.reshape(1)
        s, e = _dim(start_dim, nd), _dim(end_dim, nd)
        nb = len(self._levels)
        return wrap(self._levels, self._value.flatten(nb + s, nb + e))

    def unsqueeze(self, dim: int) -> Any:
        nb = len(self._levels)
        return wrap(self._levels, self._value.unsqueeze(nb + _dim(dim, self.dim() + 1)))

    def squeeze(self, dim: Any = None) -> Any:
        shape = list(self.shape)
        if dim is None:
            dims = [i for i, s in enumerate(shape) if s == 1]
        elif isinstance(dim, (tuple, list)):
            dims = [_dim(d, len(shape)) for d in dim]
        else:
            dims = [_dim(dim, len(shape))]
        if not shape:
            return self
        new = [s for i, s in enumerate(shape) if not (i in dims and s == 1)]
        return self.reshape(new)

    def permute(self, *dims: Any) -> Any:
        nb = len(self._levels)
        nd = self.dim()
        phys = list(range(nb)) + [nb + _dim(d, nd) for d in _sizes(dims)]
        return wrap(self._levels, self._value.permute(phys))

    transpose = _with_dims("transpose", 2)
    swapaxes = _with_dims("swapaxes", 2)
    swapdims = _with_dims("swapdims", 2)
    movedim = _with_dims("movedim", 2)
    moveaxis = _with_dims("moveaxis", 2)
    select = _with_dims("select", 1)
    narrow = _with_dims("narrow", 1)
    unbind = _with_dims("unbind", 1)

    def t(self) -> Any:
        return self if self.dim() < 2 else self.transpose(0, 1)

    @property
    def T(self) -> Any:
        return self.permute(*range(self.dim() - 1, -1, -1))

    @property
    def mT(self) -> Any:
        return self.transpose(-2, -1)

    def split(self, split_size: Any, dim: int = 0) -> Any:
        nb = len(self._levels)
        return wrap(self._levels, tuple(self._value.split(split_size, nb + _dim(dim, self.dim()))))

    def chunk(self, chunks: int, dim: int = 0) -> Any:
        nb = len(self._levels)
        return wrap(self._levels, tuple(self._value.chunk(chunks, nb + _dim(dim, self.dim()))))

    def expand(self, *sizes: Any) -> Any:
        sizes = _sizes(sizes)
        v = self._value
        nb = len(self._levels)
        batch = tuple(v.shape[:nb])
        logical = tuple(v.shape[nb:])
        if len(sizes) < len(logical):
            raise NoRule
        v = v.reshape(batch + (1,) * (len(sizes) - len(logical)) + logical)
        return wrap(self._levels, v.expand(batch + sizes))

    def expand_as(self, other: Any) -> Any:
        return self.expand(other.shape)

    broadcast_to = expand

    def __getitem__(self, idx: Any) -> Any:
        idx = idx if isinstance(idx, tuple) else (idx,)
        if not _basic_index(idx):
            raise NoRule
        if Ellipsis not in idx and len([i for i in idx if i is not None]) > self.dim():
            raise NoRule
        full = (slice(None),) * len(self._levels)
        return wrap(self._levels, self._value[full + idx])

    # ------------------------------------------------------------- matmul
    def matmul(self, other: Any) -> Any:
        return _matmul(self, other)

    __matmul__ = matmul
    mm = matmul

    def __rmatmul__(self, other: Any) -> Any:
        return _matmul(other, self)


def _matmul(a: Any, b: Any) -> Any:
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise NoRule
    if a.dim() == 0 or b.dim() == 0:
        raise NoRule  # torch's error comes from the per-slice run
    vec_a, vec_b = a.dim() == 1, b.dim() == 1
    if vec_a:
        a = a.unsqueeze(0)
    if vec_b:
        b = b.unsqueeze(1)
    # Pad the logical batch dims of the lower-rank operand so both share one layout.
    rank = max(a.dim(), b.dim())
    la, va = lift(a)
    lb, vb = lift(b)
    union = tuple(sorted(set(la) | set(lb)))
    pa = _batch_shape(la, va, union) + [1] * (rank - a.dim()) + list(a.shape)
    pb = _batch_shape(lb, vb, union) + [1] * (rank - b.dim()) + list(b.shape)
    out = va.reshape(pa) @ vb.reshape(pb)
    if vec_a:
        out = out.squeeze(-2)
    if vec_b:
        out = out.squeeze(-1)
    return wrap(union, out)


def add_level(x: Any, in_dim: int, level: int) -> BatchedTensor:
    """``x`` batched at ``level`` along its logical dim ``in_dim``."""
    levels, v = lift(x)
    nb = len(levels)
    d = nb + in_dim % (v.ndim - nb)
    if d != nb:
        v = v.movedim(d, nb)
    return wrap((*levels, level), v)


def remove_level(y: Any, level: int, out_dim: int, size: int) -> Any:
    """``y`` with the batch dim of ``level`` made logical dim ``out_dim`` (expanded if absent)."""
    levels, v = lift(y)
    nb = len(levels)
    nd = v.ndim - nb
    if level not in levels:
        d = nb + out_dim % (nd + 1)
        v = v.unsqueeze(d)
        shape = list(v.shape)
        shape[d] = size
        return wrap(levels, v.expand(shape))
    pos = levels.index(level)
    rest = levels[:pos] + levels[pos + 1 :]
    d = nb - 1 + out_dim % (nd + 1)
    if d != pos:
        v = v.movedim(pos, d)
    return wrap(rest, v)


def stack(items: list[Any], dim: int) -> Any:
    """ndgrad.stack for a mix of plain and batched tensors of one logical shape."""
    from ..ops.joining import stack as plain_stack

    levels, vs = align(*items)
    nd = vs[0].ndim - len(levels)
    if levels:
        shape = list(vs[0].shape)
        for v in vs:
            shape = [max(a, b) for a, b in zip(shape, v.shape)]
        vs = [v.expand(shape) if list(v.shape) != shape else v for v in vs]
    return wrap(levels, plain_stack(vs, len(levels) + dim % (nd + 1)))
