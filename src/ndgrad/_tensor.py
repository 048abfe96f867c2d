"""Tensor: its state in __slots__, its properties, and one-line methods that call ops."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import _backend as _B
from . import _dtype as D
from ._device import device

__all__ = ["Tensor", "Size", "make", "legacy_type_name", "legacy_dtype", "version_counter"]

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


NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information."
)
SCALAR_OF_GRAD = (
    "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
    "Consider using tensor.detach() first."
)
NEW_TENSOR_COPY = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "tensor.new_tensor(sourceTensor)."
)


def make(data: _ndarray, node: Any = None, rg: bool = False) -> Tensor:
    """A tensor around ``data`` (no copy): the constructor every op uses."""
    t = _new(Tensor)
    t._data = data
    t._node = node
    t._rg = rg
    t._vc = None
    t._base = None
    t._tangent = None
    return t


# Counts every in-place write to a tensor (see bump): a node made when it had the value it
# has now can skip checking the versions of what it saved.
inplace_writes = [0]


def bump(t: Tensor) -> None:
    """Record an in-place write to ``t``'s memory (its version, shared with its views)."""
    version_counter(t)[0] += 1
    inplace_writes[0] += 1


def version_counter(t: Tensor) -> list[int]:
    """The in-place version counter ``t`` shares with its views, made on first need."""
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
        # A node that keeps its output checks it through this counter (made on first need,
        # as most outputs are never written in place).
        node = t._node
        if node is not None and getattr(node, "out_vc", False) is None:
            node.out_vc = vc
    return vc


def legacy_type_name(np_dtype: np.dtype) -> str:
    """``FloatTensor`` and friends: the names old torch code and error messages use."""
    return _BY_NP[np_dtype].scalar_name + "Tensor"


def _leaf_inplace_check(t: Tensor) -> None:
    if _mode.enabled:
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
        "_post_hooks",
        "_retains_grad",
        "_tangent",
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
        if self._rg and value._data.dtype.kind not in "fc":
            raise RuntimeError(
                "data set to a tensor that requires gradients must be floating point or "
                "complex dtype"
            )
        self._data = value._data

    @property
    def grad(self) -> Tensor | None:
        if self._node is not None and not getattr(self, "_retains_grad", False):
            warnings.warn(NON_LEAF_GRAD, UserWarning, stacklevel=2)
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
                given = _BY_NP[value._data.dtype].scalar_name.lower()
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{given}' to a tensor with "
                    f"grad_dtype '{self.dtype.scalar_name}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match."
                )
            if type(value._data) is not type(self._data) and value.device != self.device:
                raise RuntimeError(
                    f"attempting to assign a gradient with device type '{value.device.type}' "
                    f"to a tensor with device type '{self.device.type}'. Please ensure that "
                    "the gradient and the tensor are on the same device"
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
        node = self._node
        # An output of a multi-output node holds a Slot; its grad_fn is the node itself.
        return node.node if type(node) is Slot else node

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
        return _B.device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return type(self._data) is not _ndarray and self.device.type == "cuda"

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
        return _B.data_ptr(self._data)

    def storage_offset(self) -> int:
        """How many elements into the memory it views this tensor's first element lies."""
        root = self._data
        while _B.is_array(root.base):
            root = root.base
        return (_B.data_ptr(self._data) - _B.data_ptr(root)) // self._data.itemsize

    def type(self, dtype: Any = None) -> Any:
        cuda = "cuda." if type(self._data) is not _ndarray else ""
        if dtype is None:
            return "ndgrad." + cuda + legacy_type_name(self._data.dtype)
        if isinstance(dtype, str):
            if ".cuda." in dtype:
                return self.cuda().to(legacy_dtype(dtype))
            dtype = legacy_dtype(dtype)
        return self.to(getattr(dtype, "dtype", dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return self.type(other.type())

    # ----------------------------------------------------------- conversion
    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def is_nonzero(self) -> bool:
        return bool(self)

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        data = self._data
        if force:
            return _B.to_numpy(data)
        if type(data) is not _ndarray and _B.is_array(data) and self.device.type != "cpu":
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first."
            )
        if self._rg and _mode.enabled:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return data if type(data) is _ndarray else _B.to_numpy(data)

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
        if self.requires_grad:
            from .autograd.grad_mode import mode

            if mode.enabled:
                warnings.warn(SCALAR_OF_GRAD, UserWarning, stacklevel=2)
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def _scalar(self) -> Any:
        # float()/int()/complex() word their error unlike item(), as torch's do.
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

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
        if self._data.size:
            hidden = (D.get_default_dtype(), D.int64, D.bool_, D.default_complex())
        else:
            hidden = (D.get_default_dtype(),)
        show = d not in hidden
        tail = []
        if self._node is not None:
            tail.append(f"grad_fn=<{self._node.name()}>")
        elif self._rg:
            tail.append("requires_grad=True")
        dev = self.device
        where = None if dev.type == "cpu" else f"device='{dev}'"
        return format_tensor(
            self._data, dtype_suffix=repr(d) if show else None, tail=tail, device=where
        )

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        # As torch: only a plain 0-dim Tensor formats as its number (f"{loss:.4f}").
        if self._data.ndim == 0 and type(self) is Tensor:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError(
                f"unsupported format string passed to {type(self).__name__}.__format__"
            )
        return str(self)

    def __reduce_ex__(self, protocol: Any) -> Any:
        data = self._data
        host = np.array(data) if type(data) is _ndarray else _B.to_numpy(data)  # a GPU's: a copy
        return (_rebuild, (host, self._rg, str(self.device)))

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
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
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

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """``hook(tensor)`` runs after backward has accumulated into this leaf's .grad."""
        if self._node is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd.graph import RemovableHandle

        hooks = getattr(self, "_post_hooks", None)
        if hooks is None:
            hooks = self._post_hooks = {}
        handle = RemovableHandle(hooks)
        hooks[handle._key] = hook
        return handle

    # -------------------------------------------------------------- random
    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
        return _random_fill(self, generator, lambda g, n, d: _smp.uniform(g, n, d, from_, to))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        flat = self._data.flags.c_contiguous
        return _random_fill(self, generator, lambda g, n, d: _smp.normal(g, n, d, mean, std, flat))

    def random_(self, from_: int = 0, to: int | None = None, *, generator: Any = None) -> Tensor:
        if to is None and from_ == 0:
            return _random_fill(self, generator, _smp.full_range)
        low, high = (0, from_) if to is None else (from_, to)
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        return _random_fill(
            self, generator, lambda g, n, d: _smp.integers(g, n, d, int(low), int(high))
        )

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        if lambd <= 0:
            raise RuntimeError(
                f"exponential_ expects lambda > 0.0, but found lambda={float(lambd)}"
            )
        return _random_fill(self, generator, lambda g, n, d: _smp.exponential(g, n, d, lambd))

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        if isinstance(p, Tensor):
            probs = np.broadcast_to(_B.to_numpy(p._data), self._data.shape)

            def draw(g: Any, n: int, d: np.dtype) -> np.ndarray:
                return _smp.bernoulli_tensor(g, _smp.in_order(self._data, probs)).astype(d)

            return _random_fill(self, generator, draw)
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        return _random_fill(self, generator, lambda g, n, d: _smp.bernoulli(g, n, p).astype(d))

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Tensor:
        from ._creation import bernoulli

        return bernoulli(self, p, generator=generator)

    def multinomial(
        self, num_samples: int, replacement: bool = False, *, generator: Any = None
    ) -> Tensor:
        from ._creation import multinomial

        return multinomial(self, num_samples, replacement, generator=generator)

    # ------------------------------------------------------------ copies
    def clone(self, *, memory_format: Any = None) -> Tensor:
        return _shape.clone(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        return _shape.contiguous(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        dtype, copy, where = _parse_to(self, args, kwargs)
        out = self
        if where is not None and where != self.device:
            out = _shape.to_device(out, where)
            copy = False
        if dtype is None or _BY_NP[out._data.dtype] is dtype:
            return _shape.clone(out) if copy else out
        return _shape.to_dtype(out, dtype)

    def cpu(self, memory_format: Any = None) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: Any = None, non_blocking: bool = False, **kwargs: Any) -> Tensor:
        if isinstance(device, int) and not isinstance(device, bool):
            device = f"cuda:{device}"
        return self.to(_cuda_device(device))

    def get_device(self) -> int:
        d = self.device
        return -1 if d.index is None else d.index

    # ------------------------------------------- new tensors of this one's dtype
    def new(self, *args: Any, **kwargs: Any) -> Tensor:
        from ._creation import legacy_new

        return legacy_new(Tensor, _BY_NP[self._data.dtype], args, kwargs)

    def new_tensor(self, data: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        from ._creation import tensor

        if isinstance(data, Tensor):
            warnings.warn(NEW_TENSOR_COPY, UserWarning, stacklevel=2)
        kwargs.setdefault("device", self.device)
        return tensor(data, dtype=dtype or _BY_NP[self._data.dtype], **kwargs)

    def new_zeros(self, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        from ._creation import zeros

        kwargs.setdefault("device", self.device)
        return zeros(*size, dtype=dtype or _BY_NP[self._data.dtype], **kwargs)

    def new_ones(self, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        from ._creation import ones

        kwargs.setdefault("device", self.device)
        return ones(*size, dtype=dtype or _BY_NP[self._data.dtype], **kwargs)

    def new_empty(self, *size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        from ._creation import empty

        kwargs.setdefault("device", self.device)
        return empty(*size, dtype=dtype or _BY_NP[self._data.dtype], **kwargs)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        from ._creation import full

        kwargs.setdefault("device", self.device)
        return full(size, fill_value, dtype=dtype or _BY_NP[self._data.dtype], **kwargs)

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

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return _ix.inplace(_ew.div, self, other)
        return _ix.inplace(_ew.div, self, other, rounding_mode=rounding_mode)

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
    def __floordiv__(self, other: Any) -> Tensor:
        return _ew.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ew.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return _ew.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return _ew.remainder(other, self)

    def __and__(self, other: Any) -> Tensor:
        return _ew.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return _ew.bitwise_and(other, self)

    def __or__(self, other: Any) -> Tensor:
        return _ew.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Tensor:
        return _ew.bitwise_or(other, self)

    def __xor__(self, other: Any) -> Tensor:
        return _ew.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return _ew.bitwise_xor(other, self)

    def __lshift__(self, other: Any) -> Tensor:
        return _ew.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return _ew.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> Tensor:
        return _ew.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return _ew.bitwise_right_shift(other, self)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.floor_divide, self, other)

    def __imod__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.remainder, self, other)

    def __iand__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.bitwise_and, self, other)

    def __ior__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.bitwise_or, self, other)

    def __ixor__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.bitwise_xor, self, other)

    def __ilshift__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.bitwise_left_shift, self, other)

    def __irshift__(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.bitwise_right_shift, self, other)

    def true_divide(self, other: Any) -> Tensor:
        return _ew.div(self, other)

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ew.div(self, other, rounding_mode=rounding_mode)

    def multiply(self, other: Any) -> Tensor:
        return _ew.mul(self, other)

    def subtract(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ew.sub(self, other, alpha=alpha)

    def negative(self) -> Tensor:
        return _ew.neg(self)

    def absolute(self) -> Tensor:
        return _ew.abs(self)

    def positive(self) -> Tensor:
        return _ew.positive(self)

    def sign(self) -> Tensor:
        return _ew.sign(self)

    def sgn(self) -> Tensor:
        return _ew.sgn(self)

    def exp2(self) -> Tensor:
        return _ew.exp2(self)

    def expm1(self) -> Tensor:
        return _ew.expm1(self)

    def log2(self) -> Tensor:
        return _ew.log2(self)

    def log10(self) -> Tensor:
        return _ew.log10(self)

    def log1p(self) -> Tensor:
        return _ew.log1p(self)

    def rsqrt(self) -> Tensor:
        return _ew.rsqrt(self)

    def reciprocal(self) -> Tensor:
        return _ew.reciprocal(self)

    def square(self) -> Tensor:
        return _ew.square(self)

    def tan(self) -> Tensor:
        return _ew.tan(self)

    def asin(self) -> Tensor:
        return _ew.asin(self)

    def acos(self) -> Tensor:
        return _ew.acos(self)

    def atan(self) -> Tensor:
        return _ew.atan(self)

    arcsin = asin
    arccos = acos
    arctan = atan

    def sinh(self) -> Tensor:
        return _ew.sinh(self)

    def cosh(self) -> Tensor:
        return _ew.cosh(self)

    def asinh(self) -> Tensor:
        return _ew.asinh(self)

    def acosh(self) -> Tensor:
        return _ew.acosh(self)

    def atanh(self) -> Tensor:
        return _ew.atanh(self)

    arcsinh = asinh
    arccosh = acosh
    arctanh = atanh

    def logit(self, eps: float | None = None) -> Tensor:
        return _ew.logit(self, eps)

    def erf(self) -> Tensor:
        return _ew.erf(self)

    def erfc(self) -> Tensor:
        return _ew.erfc(self)

    def floor(self) -> Tensor:
        return _ew.floor(self)

    def ceil(self) -> Tensor:
        return _ew.ceil(self)

    def round(self, *, decimals: int = 0) -> Tensor:
        return _ew.round(self, decimals=decimals)

    def trunc(self) -> Tensor:
        return _ew.trunc(self)

    fix = trunc

    def frac(self) -> Tensor:
        return _ew.frac(self)

    def clamp_min(self, min: Any) -> Tensor:
        return _ew.clamp_min(self, min)

    def clamp_max(self, max: Any) -> Tensor:
        return _ew.clamp_max(self, max)

    def maximum(self, other: Tensor) -> Tensor:
        return _ew.maximum(self, other)

    def minimum(self, other: Tensor) -> Tensor:
        return _ew.minimum(self, other)

    def fmax(self, other: Tensor) -> Tensor:
        return _ew.fmax(self, other)

    def fmin(self, other: Tensor) -> Tensor:
        return _ew.fmin(self, other)

    def atan2(self, other: Tensor) -> Tensor:
        return _ew.atan2(self, other)

    arctan2 = atan2

    def hypot(self, other: Tensor) -> Tensor:
        return _ew.hypot(self, other)

    def fmod(self, other: Any) -> Tensor:
        return _ew.fmod(self, other)

    def remainder(self, other: Any) -> Tensor:
        return _ew.remainder(self, other)

    def floor_divide(self, other: Any) -> Tensor:
        return _ew.floor_divide(self, other)

    def float_power(self, exponent: Any) -> Tensor:
        return _ew.float_power(self, exponent)

    def copysign(self, other: Any) -> Tensor:
        return _ew.copysign(self, other)

    def heaviside(self, values: Tensor) -> Tensor:
        return _ew.heaviside(self, values)

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        return _ew.lerp(self, end, weight)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return _ew.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return _ew.addcdiv(self, tensor1, tensor2, value=value)

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return _ew.nan_to_num(self, nan, posinf, neginf)

    def isnan(self) -> Tensor:
        return _ew.isnan(self)

    def isinf(self) -> Tensor:
        return _ew.isinf(self)

    def isfinite(self) -> Tensor:
        return _ew.isfinite(self)

    def isposinf(self) -> Tensor:
        return _ew.isposinf(self)

    def isneginf(self) -> Tensor:
        return _ew.isneginf(self)

    def isreal(self) -> Tensor:
        return _ew.isreal(self)

    def signbit(self) -> Tensor:
        return _ew.signbit(self)

    def logical_and(self, other: Tensor) -> Tensor:
        return _ew.logical_and(self, other)

    def logical_or(self, other: Tensor) -> Tensor:
        return _ew.logical_or(self, other)

    def logical_xor(self, other: Tensor) -> Tensor:
        return _ew.logical_xor(self, other)

    def bitwise_and(self, other: Any) -> Tensor:
        return _ew.bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> Tensor:
        return _ew.bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        return _ew.bitwise_xor(self, other)

    def bitwise_not(self) -> Tensor:
        return _ew.bitwise_not(self)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        return _ew.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        return _ew.bitwise_right_shift(self, other)

    def equal(self, other: Tensor) -> bool:
        return _ew.equal(self, other)

    def isclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        return _ew.isclose(self, other, rtol, atol, equal_nan)

    def allclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        return _ew.allclose(self, other, rtol, atol, equal_nan)

    def logaddexp(self, other: Tensor) -> Tensor:
        return _ew.logaddexp(self, other)

    def logaddexp2(self, other: Tensor) -> Tensor:
        return _ew.logaddexp2(self, other)

    def xlogy(self, other: Any) -> Tensor:
        return _ew.xlogy(self, other)

    def xlogy_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.xlogy, self, other)

    def sinc(self) -> Tensor:
        return _ew.sinc(self)

    def sinc_(self) -> Tensor:
        return _ix.inplace(_ew.sinc, self)

    def log_(self) -> Tensor:
        return _ix.inplace(_ew.log, self)

    def sqrt_(self) -> Tensor:
        return _ix.inplace(_ew.sqrt, self)

    def abs_(self) -> Tensor:
        return _ix.inplace(_ew.abs, self)

    absolute_ = abs_

    def sin_(self) -> Tensor:
        return _ix.inplace(_ew.sin, self)

    def cos_(self) -> Tensor:
        return _ix.inplace(_ew.cos, self)

    def sign_(self) -> Tensor:
        return _ix.inplace(_ew.sign, self)

    def sgn_(self) -> Tensor:
        return _ix.inplace(_ew.sgn, self)

    def exp2_(self) -> Tensor:
        return _ix.inplace(_ew.exp2, self)

    def expm1_(self) -> Tensor:
        return _ix.inplace(_ew.expm1, self)

    def log2_(self) -> Tensor:
        return _ix.inplace(_ew.log2, self)

    def log10_(self) -> Tensor:
        return _ix.inplace(_ew.log10, self)

    def log1p_(self) -> Tensor:
        return _ix.inplace(_ew.log1p, self)

    def rsqrt_(self) -> Tensor:
        return _ix.inplace(_ew.rsqrt, self)

    def reciprocal_(self) -> Tensor:
        return _ix.inplace(_ew.reciprocal, self)

    def square_(self) -> Tensor:
        return _ix.inplace(_ew.square, self)

    def tan_(self) -> Tensor:
        return _ix.inplace(_ew.tan, self)

    def asin_(self) -> Tensor:
        return _ix.inplace(_ew.asin, self)

    def acos_(self) -> Tensor:
        return _ix.inplace(_ew.acos, self)

    def atan_(self) -> Tensor:
        return _ix.inplace(_ew.atan, self)

    def sinh_(self) -> Tensor:
        return _ix.inplace(_ew.sinh, self)

    def cosh_(self) -> Tensor:
        return _ix.inplace(_ew.cosh, self)

    def asinh_(self) -> Tensor:
        return _ix.inplace(_ew.asinh, self)

    def acosh_(self) -> Tensor:
        return _ix.inplace(_ew.acosh, self)

    def atanh_(self) -> Tensor:
        return _ix.inplace(_ew.atanh, self)

    def logit_(self, eps: float | None = None) -> Tensor:
        return _ix.inplace(_ew.logit, self, eps)

    def erf_(self) -> Tensor:
        return _ix.inplace(_ew.erf, self)

    def erfc_(self) -> Tensor:
        return _ix.inplace(_ew.erfc, self)

    def floor_(self) -> Tensor:
        return _ix.inplace(_ew.floor, self)

    def ceil_(self) -> Tensor:
        return _ix.inplace(_ew.ceil, self)

    def round_(self, *, decimals: int = 0) -> Tensor:
        return _ix.inplace(_ew.round, self, decimals=decimals)

    def trunc_(self) -> Tensor:
        return _ix.inplace(_ew.trunc, self)

    fix_ = trunc_

    def frac_(self) -> Tensor:
        return _ix.inplace(_ew.frac, self)

    def clamp_min_(self, min: Any) -> Tensor:
        return _ix.inplace(_ew.clamp_min, self, min)

    def clamp_max_(self, max: Any) -> Tensor:
        return _ix.inplace(_ew.clamp_max, self, max)

    def clip_(self, min: Any = None, max: Any = None) -> Tensor:
        return _ix.inplace(_ew.clamp, self, min, max)

    def atan2_(self, other: Tensor) -> Tensor:
        return _ix.inplace(_ew.atan2, self, other)

    def hypot_(self, other: Tensor) -> Tensor:
        return _ix.inplace(_ew.hypot, self, other)

    def fmod_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.fmod, self, other)

    def remainder_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.remainder, self, other)

    def floor_divide_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.floor_divide, self, other)

    def float_power_(self, exponent: Any) -> Tensor:
        return _ew.float_power_(self, exponent)

    def copysign_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.copysign, self, other)

    def lerp_(self, end: Tensor, weight: Any) -> Tensor:
        return _ix.inplace(_ew.lerp, self, end, weight)

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return _ix.inplace(_ew.addcmul, self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return _ix.inplace(_ew.addcdiv, self, tensor1, tensor2, value=value)

    def nan_to_num_(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return _ix.inplace(_ew.nan_to_num, self, nan, posinf, neginf)

    def logical_not_(self) -> Tensor:
        return _ix.inplace(_ew.logical_not, self)

    def logical_and_(self, other: Tensor) -> Tensor:
        return _ix.inplace(_ew.logical_and, self, other)

    def logical_or_(self, other: Tensor) -> Tensor:
        return _ix.inplace(_ew.logical_or, self, other)

    def logical_xor_(self, other: Tensor) -> Tensor:
        return _ix.inplace(_ew.logical_xor, self, other)

    def bitwise_and_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.bitwise_and, self, other)

    def bitwise_or_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.bitwise_or, self, other)

    def bitwise_xor_(self, other: Any) -> Tensor:
        return _ix.inplace(_ew.bitwise_xor, self, other)

    def bitwise_not_(self) -> Tensor:
        return _ix.inplace(_ew.bitwise_not, self)

    # The arithmetic dunders go straight to apply2: they are the hottest calls there are.
    def __add__(self, other: Any) -> Tensor:
        return _apply2(_ew.ADD, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _apply2(_ew.ADD, other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _apply2(_ew.SUB, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ew.rsub(self, other)

    def __mul__(self, other: Any) -> Tensor:
        return _apply2(_ew.MUL, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _apply2(_ew.MUL, other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _apply2(_ew.DIV, self, other)

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

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ew.div(self, other, rounding_mode=rounding_mode)

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
    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        from .nn import functional as F

        return F.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        from .nn import functional as F

        return F.log_softmax(self, dim, dtype=dtype)

    def hardshrink(self, lambd: float = 0.5) -> Tensor:
        from .nn import functional as F

        return F.hardshrink(self, lambd)

    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _red.prod(self, dim, keepdim, dtype=dtype)

    def max(self, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
        return _red.max(self, dim, keepdim, other=other)

    def min(self, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
        return _red.min(self, dim, keepdim, other=other)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _red.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _red.amin(self, dim, keepdim)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        return _red.aminmax(self, dim=dim, keepdim=keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.argmin(self, dim, keepdim)

    def var(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        return _red.var(self, dim, unbiased, keepdim, correction=correction)

    def std(
        self,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
    ) -> Tensor:
        return _red.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return _red.logsumexp(self, dim, keepdim)

    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        return _red.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        return _red.cumprod(self, dim, dtype=dtype)

    def cumsum_(self, dim: int, *, dtype: Any = None) -> Tensor:
        return _ix.inplace(_red.cumsum, self, dim, dtype=dtype)

    def cumprod_(self, dim: int, *, dtype: Any = None) -> Tensor:
        return _ix.inplace(_red.cumprod, self, dim, dtype=dtype)

    def logcumsumexp(self, dim: int) -> Tensor:
        return _red.logcumsumexp(self, dim)

    def cummax(self, dim: int) -> Any:
        return _red.cummax(self, dim)

    def cummin(self, dim: int) -> Any:
        return _red.cummin(self, dim)

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
    ) -> Tensor:
        return _red.norm(self, p, dim, keepdim, dtype=dtype)

    def dist(self, other: Tensor, p: Any = 2) -> Tensor:
        return _red.dist(self, other, p)

    def diff(
        self,
        n: int = 1,
        dim: int = -1,
        prepend: Tensor | None = None,
        append: Tensor | None = None,
    ) -> Tensor:
        return _red.diff(self, n, dim, prepend, append)

    def cov(
        self,
        *,
        correction: int = 1,
        fweights: Tensor | None = None,
        aweights: Tensor | None = None,
    ) -> Tensor:
        return _red.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self) -> Tensor:
        return _red.corrcoef(self)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.any(self, dim, keepdim)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return _red.count_nonzero(self, dim)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        return _red.median(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return _red.mode(self, dim, keepdim)

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _red.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _red.nanmean(self, dim, keepdim, dtype=dtype)

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _red.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return _red.mean(self, dim, keepdim, dtype=dtype)

    # -------------------------------------------------------------- shape
    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _join.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _join.chunk(self, chunks, dim)

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return _join.tensor_split(self, indices_or_sections, dim)

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return _join.hsplit(self, indices_or_sections)

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return _join.vsplit(self, indices_or_sections)

    def dsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return _join.dsplit(self, indices_or_sections)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return _join.unbind(self, dim)

    def repeat(self, *repeats: Any) -> Tensor:
        if not repeats:
            raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
        return _join.repeat(self, _sizes(repeats))

    def tile(self, *dims: Any) -> Tensor:
        return _join.tile(self, _sizes(dims))

    def repeat_interleave(
        self, repeats: Any, dim: int | None = None, *, output_size: int | None = None
    ) -> Tensor:
        return _join.repeat_interleave(self, repeats, dim, output_size=output_size)

    def flip(self, *dims: Any) -> Tensor:
        return _join.flip(self, _sizes(dims))

    def fliplr(self) -> Tensor:
        return _join.fliplr(self)

    def flipud(self) -> Tensor:
        return _join.flipud(self)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _join.roll(self, shifts, dims)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        return _join.rot90(self, k, dims)

    def triu(self, diagonal: int = 0) -> Tensor:
        return _join.triu(self, diagonal)

    def tril(self, diagonal: int = 0) -> Tensor:
        return _join.tril(self, diagonal)

    def triu_(self, diagonal: int = 0) -> Tensor:
        return _ix.inplace(_join.triu, self, diagonal)

    def tril_(self, diagonal: int = 0) -> Tensor:
        return _ix.inplace(_join.tril, self, diagonal)

    def diag(self, diagonal: int = 0) -> Tensor:
        return _join.diag(self, diagonal)

    def diagflat(self, offset: int = 0) -> Tensor:
        return _join.diagflat(self, offset)

    def trace(self) -> Tensor:
        return _join.trace(self)

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        return _join.take_along_dim(self, indices, dim)

    def narrow(self, dim: int, start: Any, length: int) -> Tensor:
        return _shape.narrow(self, dim, start, length)

    def select(self, dim: int, index: Any) -> Tensor:
        return _shape.select(self, dim, index)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _shape.movedim(self, source, destination)

    def moveaxis(self, source: Any, destination: Any) -> Tensor:
        return _shape.movedim(self, source, destination)

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return _shape.transpose(self, axis0, axis1)

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        return _shape.transpose(self, dim0, dim1)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return _shape.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return _shape.diag_embed(self, offset, dim1, dim2)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return _shape.unfold(self, dimension, size, step)

    def broadcast_to(self, *size: Any) -> Tensor:
        return _shape.broadcast_to(self, _sizes(size))

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        return _shape.unflatten(self, dim, sizes)

    def ravel(self) -> Tensor:
        return _shape.ravel(self)

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

    def adjoint(self) -> Tensor:
        return _shape.adjoint(self)

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
    def gather(self, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
        return _sel.gather(self, dim, index)

    def scatter(self, dim: int, index: Tensor, src: Any = None, **kw: Any) -> Tensor:
        return _sel.scatter(self, dim, index, src, **kw)

    def scatter_(self, dim: int, index: Tensor, src: Any = None, **kw: Any) -> Tensor:
        return _ix.inplace(_sel.scatter, self, dim, index, src, **kw)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _sel.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _ix.inplace(_sel.scatter_add, self, dim, index, src)

    def scatter_reduce(
        self, dim: int, index: Tensor, src: Tensor, reduce: str, **kw: Any
    ) -> Tensor:
        return _sel.scatter_reduce(self, dim, index, src, reduce, **kw)

    def scatter_reduce_(
        self, dim: int, index: Tensor, src: Tensor, reduce: str, **kw: Any
    ) -> Tensor:
        return _ix.inplace(_sel.scatter_reduce, self, dim, index, src, reduce, **kw)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return _ix.index_select(self, dim, index)

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        return _ix.index_add(self, dim, index, source, alpha=alpha)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        return _ix.inplace(_ix.index_add, self, dim, index, source, alpha=alpha)

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return _ix.index_copy(self, dim, index, source)

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return _ix.inplace(_ix.index_copy, self, dim, index, source)

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return _ix.index_fill(self, dim, index, value)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return _ix.inplace(_ix.index_fill, self, dim, index, value)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        return _ew.where(condition, self, other)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        return _ix.masked_fill(self, mask, value)

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        return _ix.inplace(_ix.masked_fill, self, mask, value)

    def masked_select(self, mask: Tensor) -> Tensor:
        return _ix.masked_select(self, mask)

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        return _ix.masked_scatter(self, mask, source)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        return _ix.inplace(_ix.masked_scatter, self, mask, source)

    def take(self, index: Tensor) -> Tensor:
        return _ix.take(self, index)

    def put(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        return _ix.put(self, index, source, accumulate)

    def put_(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        return _ix.inplace(_ix.put, self, index, source, accumulate)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return _ix.nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        return _ix.argwhere(self)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: Any = None) -> Any:
        return _sel.sort(self, dim, descending, stable)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        return _sel.argsort(self, dim, descending, stable=stable)

    def msort(self) -> Tensor:
        return _sel.msort(self)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return _sel.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return _sel.kthvalue(self, k, dim, keepdim)

    def unique(self, sorted: bool = True, return_inverse: bool = False, **kw: Any) -> Any:
        return _sel.unique(self, sorted, return_inverse, **kw)

    # ----------------------------------------------------------- linear algebra
    def bmm(self, mat2: Tensor) -> Tensor:
        return _la.bmm(self, mat2)

    def mv(self, vec: Tensor) -> Tensor:
        return _la.mv(self, vec)

    def dot(self, tensor: Tensor) -> Tensor:
        return _la.dot(self, tensor)

    def vdot(self, other: Tensor) -> Tensor:
        return _la.vdot(self, other)

    def inner(self, other: Tensor) -> Tensor:
        return _la.inner(self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        return _la.outer(self, vec2)

    def ger(self, vec2: Tensor) -> Tensor:
        return _la.outer(self, vec2)

    def kron(self, other: Tensor) -> Tensor:
        return _la.kron(self, other)

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        return _la.cross(self, other, dim)

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _la.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ix.inplace(_la.addmm, self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _la.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addmv_(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ix.inplace(_la.addmv, self, mat, vec, beta=beta, alpha=alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _la.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addr_(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ix.inplace(_la.addr, self, vec1, vec2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _la.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return _ix.inplace(_la.baddbmm, self, batch1, batch2, beta=beta, alpha=alpha)

    def matrix_power(self, n: int) -> Tensor:
        return _la.matrix_power(self, n)

    def det(self) -> Tensor:
        return _la.det(self)

    def logdet(self) -> Tensor:
        return _la.logdet(self)

    def slogdet(self) -> Any:
        return _la.slogdet(self)

    def inverse(self) -> Tensor:
        return _la.inverse(self)

    def cholesky(self, upper: bool = False) -> Tensor:
        return _la.cholesky(self, upper)

    def qr(self, some: bool = True) -> Any:
        return _la.qr(self, some)

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        return _la.svd(self, some, compute_uv)

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        return _la.pinverse(self, rcond)


class _TensorHook:
    """A node pre-hook that runs the hooks registered on a non-leaf tensor."""

    __slots__ = ("hooks", "key")

    def __init__(self, hooks: dict[int, Any], key: int) -> None:
        self.hooks = hooks
        self.key = key

    def __call__(self, g: Tensor) -> Tensor | None:
        hook = self.hooks.get(self.key)
        return None if hook is None else hook(g)


def _rebuild(data: np.ndarray, rg: bool, where: str = "cpu") -> Tensor:
    return make(_B.to_device(data, device(where)), None, rg)


def _dim(dim: int, ndim: int) -> int:
    if ndim == 0 and dim not in (0, -1):
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
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
    """Tensor.to's arguments: (dtype, copy, device), None where not given."""
    dtype = kwargs.get("dtype")
    copy = kwargs.get("copy", False)
    where = kwargs.get("device")
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, where = a.dtype, a.device
        elif isinstance(a, bool):
            copy = copy or a
        elif isinstance(a, (str, device, int)):
            where = a
    return dtype, copy, None if where is None else _cuda_device(where)


def _cuda_device(where: Any) -> device:
    """``where`` as a device, a bare "cuda" meaning the current GPU, checked to exist."""
    d = device("cuda") if where is None else device(where)
    if d.type == "cuda":
        _B.namespace(d)
        return device("cuda", 0 if d.index is None else d.index)
    return d


def _random_fill(t: Tensor, generator: Any, draw: Callable[..., _ndarray]) -> Tensor:
    """Fill ``t`` in place with ``draw(gen, numel, np_dtype)``, drawn in t's memory order."""
    from ._random import gen

    arr = t._data

    def values() -> _ndarray:
        return _smp.arrange(arr, draw(gen(generator, t.device), arr.size, arr.dtype))

    # B.created: under ndgrad.compile, each replay draws the values again.
    return _ix.copy_(t, make(_B.created(values(), values)))


_LEGACY_BY_STRING = {
    prefix + d.scalar_name + "Tensor": d for d in D.ALL for prefix in ("torch.", "ndgrad.")
}


def legacy_dtype(name: str) -> D.dtype:
    """The dtype of a legacy type name such as "torch.FloatTensor" or "torch.cuda.LongTensor"."""
    return _LEGACY_BY_STRING[name.replace(".cuda.", ".")]


from . import _sampling as _smp  # noqa: E402
from .autograd.grad_mode import mode as _mode  # noqa: E402
from .autograd.graph import Slot  # noqa: E402
from .ops import _registry as _reg  # noqa: E402
from .ops import elementwise as _ew  # noqa: E402
from .ops import indexing as _ix  # noqa: E402
from .ops import joining as _join  # noqa: E402
from .ops import linalg as _la  # noqa: E402
from .ops import reduction as _red  # noqa: E402
from .ops import selection as _sel  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from .ops._registry import apply2 as _apply2  # noqa: E402
