"""Tensor: its state in __slots__, its properties, and one-line methods that call ops."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import _dtype as D
from ._device import cpu, device

__all__ = ["Tensor", "Size", "make", "legacy_type_name", "version_counter"]

_ndarray = np.ndarray
_new = object.__new__
_BY_NP = D._BY_NP


class Size(tuple):
    """A tensor's shape: a tuple that prints like torch's."""

    def __repr__(self) -> str:
        return f"ndgrad.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


def make(data: _ndarray, node: Any = None, rg: bool = False) -> Tensor:
    """A tensor around ``data`` (no copy): the constructor every op uses."""
    t = _new(Tensor)
    t._data = data
    t._node = node
    t._rg = rg
    t._vc = None
    t._base = None
    return t


def version_counter(t: Tensor) -> list[int]:
    """The in-place version counter ``t`` shares with its views, made on first need."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
    return vc


def legacy_type_name(np_dtype: np.dtype) -> str:
    """``FloatTensor`` and friends: the names old torch code and error messages use."""
    return _BY_NP[np_dtype].scalar_name + "Tensor"


def _leaf_inplace_check(t: Tensor) -> None:
    from .autograd.grad_mode import mode

    if mode.enabled:
        if t._rg and t._node is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
        base = t._base
        if base is not None and base._rg and base._node is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation."
            )


class Tensor:
    """An n-dimensional array that can record the operations applied to it."""

    __slots__ = (
        "_data",
        "_node",
        "_rg",
        "_vc",
        "_grad",
        "_base",
        "_view_fn",
        "_view_version",
        "_hooks",
        "_retains_grad",
        "__weakref__",
    )

    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        from ._creation import legacy_new

        return legacy_new(cls, D.get_default_dtype(), args, kwargs)

    # ----------------------------------------------------------------- state
    @property
    def data(self) -> Tensor:
        # Shares memory, not history nor version counter: that is what .data is for.
        return make(self._data, None, False)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    @property
    def grad(self) -> Tensor | None:
        return getattr(self, "_grad", None)

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{value.dtype}' to a tensor "
                    f"with dtype '{self.dtype}'. The gradient must match the tensor's dtype."
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to "
                    f"a tensor of size '{list(self._data.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size"
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def requires_grad(self) -> bool:
        if self._base is not None:
            _reg._refresh(self)
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._node is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._rg = bool(value)

    @property
    def grad_fn(self) -> Any:
        if self._base is not None:
            _reg._refresh(self)
        return self._node

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def retains_grad(self) -> bool:
        return getattr(self, "_retains_grad", False)

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def dtype(self) -> D.dtype:
        return _BY_NP[self._data.dtype]

    @property
    def device(self) -> device:
        return cpu

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_dim(dim, self._data.ndim)]

    def data_ptr(self) -> int:
        return self._data.ctypes.data

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return "ndgrad." + legacy_type_name(self._data.dtype)
        if isinstance(dtype, str):
            dtype = _LEGACY_BY_STRING[dtype]
        return self.to(getattr(dtype, "dtype", dtype))

    # ----------------------------------------------------------- conversion
    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self._rg and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self._data.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(self.item())

    # Identity hashing at C speed: the engine keys its tables by leaf tensors.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from ._printing import format_tensor

        d = _BY_NP[self._data.dtype]
        show = d is not D.get_default_dtype() and d is not D.int64 and d is not D.bool_
        tail = []
        if self._node is not None:
            tail.append(f"grad_fn=<{self._node.name()}>")
        elif self._rg:
            tail.append("requires_grad=True")
        return format_tensor(self._data, dtype_suffix=repr(d) if show else None, tail=tail)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return repr(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (np.array(self._data), self._rg))

    def __deepcopy__(self, memo: dict[int, Any]) -> Tensor:
        if self._node is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment.  If you were attempting to deepcopy a "
                "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        t = make(self._data.copy(), None, self._rg)
        if getattr(self, "_grad", None) is not None:
            t._grad = make(self._grad._data.copy())
        memo[id(self)] = t
        return t

    # ---------------------------------------------------------- autograd
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Sequence[Tensor] | Tensor | None = None,
    ) -> None:
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        t = make(self._data, None, False)
        t._vc = version_counter(self)
        return t

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                "be called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._node = None
        self._rg = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        if self._node is None:
            if not self._rg:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        from .autograd.graph import set_retain

        set_retain(self._node, self)
        self._retains_grad = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.graph import RemovableHandle

        hooks = getattr(self, "_hooks", None)
        if hooks is None:
            hooks = self._hooks = {}
        handle = RemovableHandle(hooks)
        hooks[handle._key] = hook
        if self._node is not None:
            self._node.register_prehook(_TensorHook(hooks, handle._key))
        return handle

    # ------------------------------------------------------------ copies
    def clone(self, *, memory_format: Any = None) -> Tensor:
        return _shape.clone(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        if self._data.flags.c_contiguous:
            return self
        return _shape.clone(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        dtype, copy = _parse_to(self, args, kwargs)
        if dtype is None or _BY_NP[self._data.dtype] is dtype:
            return _shape.clone(self) if copy else self
        return _shape.to_dtype(self, dtype)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        raise AssertionError("Torch not compiled with CUDA enabled")

    def float(self) -> Tensor:
        return self.to(D.float32)

    def double(self) -> Tensor:
        return self.to(D.float64)

    def half(self) -> Tensor:
        return self.to(D.float16)

    def long(self) -> Tensor:
        return self.to(D.int64)

    def int(self) -> Tensor:
        return self.to(D.int32)

    def short(self) -> Tensor:
        return self.to(D.int16)

    def char(self) -> Tensor:
        return self.to(D.int8)

    def byte(self) -> Tensor:
        return self.to(D.uint8)

    def bool(self) -> Tensor:
        return self.to(D.bool_)

    # ---------------------------------------------------------- in-place
    def zero_(self) -> Tensor:
        return _ix.fill_(self, 0)

    def fill_(self, value: Any) -> Tensor:
        return _ix.fill_(self, value)

    def copy_(self, src: Tensor, non_blocking: bool = False) -> Tensor:
        return _ix.copy_(self, src)

    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ix.inplace(_ew.add, self, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ix.inplace(_ew.sub, self, other, alpha=alpha)

    def mul_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.mul, self, other)

    def div_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.div, self, other)

    def pow_(self, exponent: Any) -> Tensor:
        return _ix.inplace(_ew.pow, self, exponent)

    def neg_(self) -> Tensor:
        return _ix.inplace(_ew.neg, self)

    def exp_(self) -> Tensor:
        return _ix.inplace(_ew.exp, self)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        return _ix.inplace(_ew.clamp, self, min, max)

    def relu_(self) -> Tensor:
        return _ix.inplace(_ew.relu, self)

    def sigmoid_(self) -> Tensor:
        return _ix.inplace(_ew.sigmoid, self)

    def tanh_(self) -> Tensor:
        return _ix.inplace(_ew.tanh, self)

    def __iadd__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.add, self, other)

    def __isub__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.sub, self, other)

    def __imul__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.mul, self, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.div, self, other)

    def __getitem__(self, index: Any) -> Tensor:
        return _ix.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        _ix.setitem(self, index, value)

    # --------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Tensor:
        return _ew.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ew.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ew.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ew.rsub(self, other)

    def __mul__(self, other: Any) -> Tensor:
        return _ew.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ew.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ew.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ew.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return _ew.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ew.pow(other, self)

    def __neg__(self) -> Tensor:
        return _ew.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ew.abs(self)

    def __matmul__(self, other: Any) -> Tensor:
        return _la.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _la.matmul(other, self)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ew.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ew.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ew.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ew.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ew.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ew.ge(self, other)

    def __invert__(self) -> Tensor:
        return _ew.bitwise_not(self)

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ew.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ew.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return _ew.mul(self, other)

    def div(self, other: Any) -> Tensor:
        return _ew.div(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return _ew.pow(self, exponent)

    def neg(self) -> Tensor:
        return _ew.neg(self)

    def exp(self) -> Tensor:
        return _ew.exp(self)

    def log(self) -> Tensor:
        return _ew.log(self)

    def sin(self) -> Tensor:
        return _ew.sin(self)

    def cos(self) -> Tensor:
        return _ew.cos(self)

    def tanh(self) -> Tensor:
        return _ew.tanh(self)

    def sigmoid(self) -> Tensor:
        return _ew.sigmoid(self)

    def relu(self) -> Tensor:
        return _ew.relu(self)

    def abs(self) -> Tensor:
        return _ew.abs(self)

    def sqrt(self) -> Tensor:
        return _ew.sqrt(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        return _ew.clamp(self, min, max)

    clip = clamp

    def eq(self, other: Any) -> Tensor:
        return _ew.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return _ew.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return _ew.lt(self, other)

    def le(self, other: Any) -> Tensor:
        return _ew.le(self, other)

    def gt(self, other: Any) -> Tensor:
        return _ew.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return _ew.ge(self, other)

    def logical_not(self) -> Tensor:
        return _ew.logical_not(self)

    def matmul(self, other: Tensor) -> Tensor:
        return _la.matmul(self, other)

    def mm(self, mat2: Tensor) -> Tensor:
        return _la.mm(self, mat2)

    # ---------------------------------------------------------- reductions
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _red.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _red.mean(self, dim, keepdim, dtype=dtype)

    # -------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Tensor:
        return _shape.reshape(self, _sizes(shape))

    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], D.dtype):
            raise NotImplementedError("view(dtype) is not supported")
        return _shape.view(self, _sizes(shape))

    def view_as(self, other: Tensor) -> Tensor:
        return _shape.view(self, other._data.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _shape.reshape(self, other._data.shape)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _shape.transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> Tensor:
        if not dims:
            raise TypeError('permute() missing 1 required positional arguments: "dims"')
        return _shape.permute(self, _sizes(dims))

    def t(self) -> Tensor:
        return _shape.t(self)

    @property
    def T(self) -> Tensor:
        return _shape.permute(self, tuple(range(self._data.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        return _shape.transpose(self, -2, -1)

    def unsqueeze(self, dim: int) -> Tensor:
        return _shape.unsqueeze(self, dim)

    def squeeze(self, dim: Any = None) -> Tensor:
        return _shape.squeeze(self, dim)

    def expand(self, *sizes: Any) -> Tensor:
        return _shape.expand(self, _sizes(sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return _shape.expand(self, other._data.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _shape.flatten(self, start_dim, end_dim)

    # ----------------------------------------------------- indexing, selection

    # ----------------------------------------------------------- linear algebra


class _TensorHook:
    """A node pre-hook that runs the hooks registered on a non-leaf tensor."""

    __slots__ = ("hooks", "key")

    def __init__(self, hooks: dict[int, Any], key: int) -> None:
        self.hooks = hooks
        self.key = key

    def __call__(self, g: Tensor) -> Tensor | None:
        hook = self.hooks.get(self.key)
        return None if hook is None else hook(g)


def _rebuild(data: np.ndarray, rg: bool) -> Tensor:
    return make(data, None, rg)


def _dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _sizes(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))`` as torch does."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        args = tuple(args[0])
    return tuple(int(a) for a in args)


def _parse_to(t: Tensor, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    dtype = kwargs.get("dtype")
    copy = kwargs.get("copy", False)
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, bool):
            copy = copy or a
        elif isinstance(a, (str, device)):
            if device(a).type != "cpu":
                raise AssertionError("Torch not compiled with CUDA enabled")
    if kwargs.get("device") is not None and device(kwargs["device"]).type != "cpu":
        raise AssertionError("Torch not compiled with CUDA enabled")
    return dtype, copy


_LEGACY_BY_STRING = {
    prefix + d.scalar_name + "Tensor": d for d in D.ALL for prefix in ("torch.", "ndgrad.")
}

from .ops import _registry as _reg  # noqa: E402
from .ops import elementwise as _ew  # noqa: E402
from .ops import indexing as _ix  # noqa: E402
from .ops import linalg as _la  # noqa: E402
from .ops import reduction as _red  # noqa: E402
from .ops import shape as _shape  # noqa: E402
