"""torch.save's zip checkpoint format, read by an unpickler that rebuilds data only, and written."""

from __future__ import annotations

import hashlib
import io
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from . import _dtype as D
from ._creation import from_numpy
from ._device import device as Device
from ._tensor import Size, Tensor

__all__ = ["find_prefix", "load_torch", "save_torch"]

# The layout torch writes (and we write): every entry under one "<prefix>/" folder, stored
# uncompressed, each entry's data 64-byte aligned by padding its zip "extra" field:
#   data.pkl                 the object tree, pickled with protocol 2
#   .format_version, .storage_alignment, byteorder, version, .data/serialization_id
#   data/<key>               one storage's raw bytes, in the byte order `byteorder` names
# A tensor in data.pkl is torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
# requires_grad, backward_hooks[, metadata]); its storage is the persistent id
# ("storage", torch.FloatStorage, key, location, numel). Views share a storage key.
PREFIX = "archive"
ALIGNMENT = 64
MAX_DEPTH = 200
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_STORAGE_NAMES = {
    D.float16: "HalfStorage",
    D.float32: "FloatStorage",
    D.float64: "DoubleStorage",
    D.complex64: "ComplexFloatStorage",
    D.complex128: "ComplexDoubleStorage",
    D.uint8: "ByteStorage",
    D.int8: "CharStorage",
    D.int16: "ShortStorage",
    D.int32: "IntStorage",
    D.int64: "LongStorage",
    D.bool_: "BoolStorage",
}
_STORAGE_DTYPES = {name: d for d, name in _STORAGE_NAMES.items()}
# torch storages and dtypes ndgrad has no dtype for: named in a clear error, never guessed.
_MISSING_STORAGES = {"BFloat16Storage", "QInt8Storage", "QUInt8Storage", "QInt32Storage"}
_MISSING_DTYPES = {
    "bfloat16",
    "complex32",
    "uint16",
    "uint32",
    "uint64",
    "float8_e4m3fn",
    "float8_e5m2",
    "float8_e4m3fnuz",
    "float8_e5m2fnuz",
    "qint8",
    "quint8",
    "qint32",
}
_DTYPES = {d.name: d for d in D.ALL}


# ------------------------------------------------------------------------------------ errors


def _bad(msg: str) -> ValueError:
    return ValueError(f"ndgrad.load: invalid torch file: {msg}")


def _corrupt(msg: str) -> RuntimeError:
    return RuntimeError(f"ndgrad.load: corrupted or truncated file: {msg}")


def _refuse(msg: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(f"ndgrad.load refuses {msg}")


def _unsupported_dtype(name: str) -> RuntimeError:
    return RuntimeError(
        f"ndgrad.load: the file holds torch.{name} data, a dtype ndgrad does not have; "
        "convert it in torch first (e.g. tensor.float())"
    )


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError)


# ------------------------------------------------------------------------------------- load


def find_prefix(names: list[str]) -> str | None:
    """The folder holding ``data.pkl`` when ``names`` are a torch.save archive's, else None."""
    prefixes = [n[: -len("/data.pkl")] for n in names if n.endswith("/data.pkl")]
    prefixes = [p for p in prefixes if p and "/" not in p]
    if not prefixes:
        return None
    if len(prefixes) > 1:
        raise _bad(f"several data.pkl entries {prefixes[:5]!r:.200}")
    return prefixes[0]


class _StorageType:
    """What a global such as ``torch.FloatStorage`` unpickles to: a name and a dtype."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str, dtype: D.dtype | None) -> None:
        self.name = name
        self.dtype = dtype  # None: an UntypedStorage, whose numel counts bytes


class _Storage:
    """A storage read from ``data/<key>``: a flat array the tensors built on it view, and
    the location (``"cpu"``, ``"cuda:0"``) it was saved from."""

    __slots__ = ("array", "location")

    def __init__(self, array: np.ndarray, location: str) -> None:
        self.array = array
        self.location = location


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _ints(x: Any, what: str) -> tuple[int, ...]:
    if not isinstance(x, (tuple, list)) or not all(_is_int(v) and v >= 0 for v in x):
        raise _bad(f"a tensor's {what} must be a tuple of non-negative ints, got {x!r:.100}")
    return tuple(x)


def _overlaps(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """Whether two indices of a (shape, strides) view reach the same element."""
    span = 0
    for size, stride in sorted((p for p in zip(shape, strides) if p[0] > 1), key=lambda p: p[1]):
        if stride <= span:
            return True
        span += stride * (size - 1)
    return False


def _check_hooks(hooks: Any) -> None:
    if not isinstance(hooks, dict) or hooks:
        raise _refuse("a tensor with backward hooks: hooks are code, and only data is loaded")


def _copy_all(buf: memoryview, m: IO[bytes], name: str) -> None:
    got = 0
    while got < len(buf):
        n = m.readinto(buf[got:])
        if not n:
            raise _corrupt(f"{name} ends early")
        got += n
    if m.read(1):  # reading to the end also makes zipfile check the CRC
        raise _bad(f"{name} holds trailing bytes")


class _Unpickler(pickle._Unpickler):
    """Rebuilds tensors, storages, ordered dicts and plain containers; refuses all else.

    The pure-Python unpickler is used because its opcode table can be narrowed: BUILD (which
    sets attributes on an object) is allowed only on an OrderedDict, the ``_metadata`` of a
    state dict. Every global the file names is looked up in the table below, never imported.
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(
        self, data: bytes, archive: _Archive, relocate: Callable[[Tensor, str], Tensor]
    ) -> None:
        super().__init__(io.BytesIO(data))
        self.archive = archive
        self.relocate = relocate
        self.storages: dict[str, bytearray] = {}  # key -> raw bytes, read once
        self.typed: dict[tuple[str, str], np.ndarray] = {}  # (key, dtype) -> elements
        self.globals = self._allowed()

    def _allowed(self) -> dict[tuple[str, str], Any]:
        table: dict[tuple[str, str], Any] = {
            ("collections", "OrderedDict"): OrderedDict,
            ("torch._utils", "_rebuild_tensor"): self.rebuild_tensor_v1,
            ("torch._utils", "_rebuild_tensor_v2"): self.rebuild_tensor_v2,
            ("torch._utils", "_rebuild_tensor_v3"): self.rebuild_tensor_v3,
            ("torch._utils", "_rebuild_parameter"): self.rebuild_parameter,
            ("torch", "Size"): _make_size,
            ("torch", "device"): _make_device,
            ("torch", "UntypedStorage"): _StorageType("UntypedStorage", None),
            ("torch.storage", "UntypedStorage"): _StorageType("UntypedStorage", None),
            ("_codecs", "encode"): _encode_bytes,
        }
        for builtins in ("builtins", "__builtin__"):
            table[builtins, "set"] = _make_set
            table[builtins, "frozenset"] = _make_frozenset
            table[builtins, "complex"] = _make_complex
            table[builtins, "bytearray"] = _make_bytearray
        for name, d in _STORAGE_DTYPES.items():
            table["torch", name] = _StorageType(name, d)
        for name, d in _DTYPES.items():
            table["torch", name] = d
        return table

    def find_class(self, module: str, name: str) -> Any:
        found = self.globals.get((module, name))
        if found is not None:
            return found
        if module == "torch" and (name in _MISSING_DTYPES or name in _MISSING_STORAGES):
            raise _unsupported_dtype(name.replace("Storage", "").lower())
        raise _refuse(
            f"to load global '{module}.{name}': only tensors, storages, ordered dicts and "
            "plain containers are rebuilt, and no code from the file is run"
        )

    def persistent_load(self, pid: Any) -> _Storage:
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            raise _refuse(f"the persistent id {pid!r:.100}: only storages are loaded")
        _, kind, key, location, numel = pid
        if not isinstance(kind, _StorageType):
            raise _bad(f"storage {key!r:.50} has an unknown storage type {kind!r:.100}")
        valid = isinstance(key, str) and isinstance(location, str) and _is_int(numel)
        if not valid or numel < 0:
            raise _bad(f"invalid storage reference {pid!r:.200}")
        raw = self.storages.get(key)
        if raw is None:
            raw = self.storages[key] = self.archive.storage(key)
        d = D.uint8 if kind.dtype is None else kind.dtype
        if len(raw) != numel * d.itemsize:
            raise _bad(
                f"storage {key!r:.50} holds {len(raw)} bytes, but data.pkl says {numel} "
                f"{d.name} elements ({numel * d.itemsize} bytes)"
            )
        typed = self.typed.get((key, d.name))
        if typed is None:
            typed = self.typed[key, d.name] = self.archive.typed(raw, d)
        return _Storage(typed, location)

    # -- the rebuild functions the allowed globals name; every argument comes from the file
    def rebuild_tensor_v1(self, storage: Any, offset: Any, size: Any, stride: Any) -> Tensor:
        return self.rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())

    def rebuild_tensor_v2(
        self,
        storage: Any,
        offset: Any,
        size: Any,
        stride: Any,
        requires_grad: Any,
        backward_hooks: Any,
        metadata: Any = None,
    ) -> Tensor:
        if not isinstance(storage, _Storage):
            raise _bad(f"a tensor's storage must be a storage reference, got {storage!r:.100}")
        return self.build(
            storage, storage.array, offset, size, stride, requires_grad, backward_hooks, metadata
        )

    def rebuild_tensor_v3(
        self,
        storage: Any,
        offset: Any,
        size: Any,
        stride: Any,
        requires_grad: Any,
        backward_hooks: Any,
        dtype: Any,
        metadata: Any = None,
    ) -> Tensor:
        if not isinstance(storage, _Storage):
            raise _bad(f"a tensor's storage must be a storage reference, got {storage!r:.100}")
        if not isinstance(dtype, D.dtype):
            raise _bad(f"a tensor's dtype must be a dtype, got {dtype!r:.100}")
        arr = storage.array
        if arr.nbytes % dtype.itemsize:
            raise _bad(f"a storage of {arr.nbytes} bytes does not hold whole {dtype.name}s")
        if self.archive.swap and dtype.itemsize > 1:
            arr = arr.view(dtype.np.newbyteorder(">")).astype(dtype.np)
        else:
            arr = arr.view(dtype.np)
        return self.build(
            storage, arr, offset, size, stride, requires_grad, backward_hooks, metadata
        )

    def build(
        self,
        storage: _Storage,
        flat: np.ndarray,
        offset: Any,
        size: Any,
        stride: Any,
        requires_grad: Any,
        hooks: Any,
        metadata: Any,
    ) -> Tensor:
        shape, strides = _ints(size, "size"), _ints(stride, "stride")
        if not _is_int(offset) or offset < 0 or len(shape) != len(strides):
            raise _bad(f"invalid tensor geometry: offset {offset!r:.50}, size {size!r:.100}")
        if not isinstance(requires_grad, bool):
            raise _bad("a tensor's requires_grad must be a bool")
        _check_hooks(hooks)
        if metadata is None:
            metadata = {}
        if not isinstance(metadata, dict) or not set(metadata) <= {"conj", "neg"}:
            raise _refuse(f"tensor metadata {metadata!r:.100}: only conj and neg bits are known")
        numel = 1
        for s in shape:
            numel *= s
        if numel == 0:
            arr = np.zeros(shape, flat.dtype)
        else:
            last = offset + sum((n - 1) * s for n, s in zip(shape, strides))
            if last >= flat.size:
                raise _bad(
                    f"a tensor of size {shape} with stride {strides} at offset {offset} reaches "
                    f"element {last}, past its storage of {flat.size} elements"
                )
            itemsize = flat.itemsize
            arr = np.ndarray(
                shape,
                flat.dtype,
                buffer=flat,
                offset=offset * itemsize,
                strides=tuple(s * itemsize for s in strides),
            )
            # An overlapping view (an expanded tensor) is read-only, as ndgrad's expand is.
            arr.flags.writeable = flat.flags.writeable and not _overlaps(shape, strides)
        if metadata.get("conj"):
            arr = np.conj(arr)
        if metadata.get("neg"):
            arr = np.negative(arr)
        if requires_grad and arr.dtype.kind not in "fc":
            raise _bad(f"a {arr.dtype} tensor cannot require gradients")
        t = self.relocate(from_numpy(arr), storage.location)
        if requires_grad:
            t.requires_grad_(True)
        return t

    def rebuild_parameter(self, data: Any, requires_grad: Any, backward_hooks: Any) -> Tensor:
        from .nn.parameter import Parameter

        if not isinstance(data, Tensor) or not isinstance(requires_grad, bool):
            raise _bad("a parameter needs a tensor and a bool requires_grad")
        _check_hooks(backward_hooks)
        return Parameter(data.detach(), requires_grad)

    def load_build(self) -> None:
        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) is not OrderedDict or not isinstance(state, dict):
            raise _refuse(f"to set the state of a {type(inst).__name__} object")
        for k, v in state.items():
            if not isinstance(k, str) or k.startswith("__"):
                raise _refuse(f"to set the attribute {k!r:.100} of an OrderedDict")
            inst.__dict__[k] = v

    def load_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        if cls is not OrderedDict or not isinstance(args, tuple):
            raise _refuse(f"to create an object with {cls!r:.100}.__new__")
        self.append(OrderedDict(*args))

    def load_newobj_ex(self) -> None:
        kwargs = self.stack.pop()
        if kwargs:
            raise _refuse("keyword arguments to __new__")
        self.load_newobj()

    dispatch[pickle.BUILD[0]] = load_build
    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex


def _make_size(dims: Any = ()) -> Size:
    if not isinstance(dims, (tuple, list)) or not all(_is_int(v) for v in dims):
        raise _bad(f"torch.Size needs a tuple of ints, got {dims!r:.100}")
    return Size(dims)


def _make_device(kind: Any, index: Any = None) -> Device:
    if not isinstance(kind, str) or not (index is None or _is_int(index)):
        raise _bad(f"invalid device {kind!r:.50}, {index!r:.50}")
    return Device(kind, index)


def _plain(items: Any, what: str) -> Any:
    if not isinstance(items, (list, tuple)):
        raise _bad(f"{what} needs a list, got {type(items).__name__}")
    return items


def _make_set(items: Any = ()) -> set[Any]:
    return set(_plain(items, "a set"))


def _make_frozenset(items: Any = ()) -> frozenset[Any]:
    return frozenset(_plain(items, "a frozenset"))


def _make_complex(real: Any = 0.0, imag: Any = 0.0) -> complex:
    if not all(isinstance(v, (int, float)) for v in (real, imag)):
        raise _bad("a complex number needs two real numbers")
    return complex(real, imag)


def _encode_bytes(text: Any, encoding: Any = "latin1") -> bytes:
    # How protocol 2 pickles bytes: _codecs.encode(str, "latin1").
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise _refuse("_codecs.encode other than a str to latin1 bytes")
    return text.encode("latin1")


def _make_bytearray(text: Any = "", encoding: Any = "latin-1") -> bytearray:
    return bytearray(_encode_bytes(text, encoding))


class _Archive:
    """The checked entries of a torch.save zip: reads data.pkl and storages by key."""

    def __init__(self, zf: zipfile.ZipFile, size: int, prefix: str) -> None:
        self.zf = zf
        self.prefix = prefix
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise _bad("the archive holds duplicate entry names")
        for name in ("constants.pkl", "code/"):
            if any(n.startswith(f"{prefix}/{name}") for n in names):
                raise RuntimeError(
                    "ndgrad.load: this is a TorchScript archive (torch.jit.save), which ndgrad "
                    "does not run; save a state_dict with torch.save instead"
                )
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
                raise _bad(f"entry {info.filename!r:.100} is compressed or encrypted")
            end = info.header_offset + info.file_size
            if info.compress_size != info.file_size or info.header_offset < 0 or end > size:
                raise _corrupt(f"entry {info.filename!r:.100} claims more bytes than the file has")
        self.infos = {i.filename: i for i in infos}
        order = self.record("byteorder", optional=True)
        if order is None or order == b"little":
            self.swap = False
        elif order == b"big":
            self.swap = True
        else:
            raise _bad(f"unknown byteorder {order!r:.50}")

    def record(self, name: str, optional: bool = False) -> bytes | None:
        info = self.infos.get(f"{self.prefix}/{name}")
        if info is None:
            if optional:
                return None
            raise _bad(f"the archive has no entry {self.prefix}/{name}")
        buf = bytearray(info.file_size)
        self.read_into(info, buf)
        return bytes(buf)

    def read_into(self, info: zipfile.ZipInfo, buf: bytearray) -> None:
        try:
            with self.zf.open(info) as m:
                _copy_all(memoryview(buf), m, info.filename)
        except _ZIP_ERRORS as e:
            raise _corrupt(f"cannot read {info.filename!r:.100} ({e})") from None

    def storage(self, key: str) -> bytearray:
        info = self.infos.get(f"{self.prefix}/data/{key}")
        if info is None:
            raise _bad(f"data.pkl refers to storage {key!r:.100}, which the archive lacks")
        buf = bytearray(info.file_size)
        self.read_into(info, buf)
        return buf

    def typed(self, raw: bytearray, d: D.dtype) -> np.ndarray:
        # Straight from the buffer, so the tensors built on it have this array as their base
        # and ndgrad.save(format="torch") finds their shared storage again.
        if not self.swap or d.itemsize == 1:
            return np.frombuffer(raw, d.np)
        return np.frombuffer(raw, d.np.newbyteorder(">")).astype(d.np)


def load_torch(
    zf: zipfile.ZipFile, size: int, prefix: str, relocate: Callable[[Tensor, str], Tensor]
) -> Any:
    """The object a torch.save zip holds, rebuilt without running any code from it."""
    archive = _Archive(zf, size, prefix)
    data = archive.record("data.pkl")
    assert data is not None
    unpickler = _Unpickler(data, archive, relocate)
    try:
        return unpickler.load()
    except Exception as e:  # the boundary: whatever a malformed pickle trips, report it plainly
        if str(e).startswith("ndgrad."):
            raise
        raise pickle.UnpicklingError(
            f"ndgrad.load: invalid data.pkl ({type(e).__name__}: {e})"
        ) from None


# ------------------------------------------------------------------------------------- save


_TUPLE_OPS = {1: b"\x85", 2: b"\x86", 3: b"\x87"}  # TUPLE1..3; longer tuples use MARK..TUPLE


class _Pickler:
    """Writes the protocol-2 pickle torch.load expects, opcode by opcode.

    Hand-written because the globals it names (torch._utils._rebuild_tensor_v2, ...) need not
    exist here: there is no torch to import. Storages are collected for the zip as it goes.
    """

    def __init__(self) -> None:
        self.out = bytearray(b"\x80\x02")  # PROTO 2
        self.memo: dict[Any, int] = {}  # global name or id(tensor) -> memo slot
        self.keep: list[Any] = []  # keeps ids valid while writing
        self.path: set[int] = set()  # containers on the current path, to refuse cycles
        self.storage_keys: dict[tuple[int, str], str] = {}  # (id(root), dtype) -> key
        self.storages: list[tuple[str, np.ndarray]] = []
        from .nn.parameter import Parameter

        self.parameter = Parameter

    # -- opcodes
    def put(self, key: Any) -> None:
        i = self.memo[key] = len(self.memo)
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i)

    def get(self, key: Any) -> bool:
        i = self.memo.get(key)
        if i is None:
            return False
        self.out += b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i)
        return True

    def global_(self, module: str, name: str) -> None:
        if not self.get((module, name)):
            self.out += f"c{module}\n{name}\n".encode("ascii")
            self.put((module, name))

    def int_(self, v: int) -> None:
        if 0 <= v < 256:
            self.out += b"K" + bytes([v])
        elif 0 <= v < 65536:
            self.out += b"M" + struct.pack("<H", v)
        elif -(2**31) <= v < 2**31:
            self.out += b"J" + struct.pack("<i", v)
        else:
            raw = v.to_bytes(v.bit_length() // 8 + 1, "little", signed=True)
            if len(raw) > 255:
                self.out += b"\x8b" + struct.pack("<I", len(raw)) + raw  # LONG4
            else:
                self.out += b"\x8a" + bytes([len(raw)]) + raw  # LONG1

    def str_(self, s: str) -> None:
        raw = s.encode("utf-8", "surrogatepass")
        self.out += b"X" + struct.pack("<I", len(raw)) + raw

    def tuple_(self, items: Any, depth: int) -> None:
        if not items:
            self.out += b")"
            return
        if len(items) > 3:
            self.out += b"("
        for x in items:
            self.save(x, depth)
        self.out += _TUPLE_OPS.get(len(items), b"t")

    def call(self, module: str, name: str, args: tuple[Any, ...], depth: int) -> None:
        self.global_(module, name)
        self.tuple_(args, depth)
        self.out += b"R"  # REDUCE

    # -- objects
    def save(self, obj: Any, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"ndgrad.save: containers nested deeper than {MAX_DEPTH} levels")
        if obj is None:
            self.out += b"N"
        elif isinstance(obj, (bool, np.bool_)):
            self.out += b"\x88" if obj else b"\x89"
        elif isinstance(obj, int):
            self.int_(int(obj))
        elif isinstance(obj, float):
            self.out += b"G" + struct.pack(">d", obj)
        elif isinstance(obj, complex):
            self.call("builtins", "complex", (obj.real, obj.imag), depth)
        elif isinstance(obj, str):
            self.str_(obj)
        elif isinstance(obj, bytes):
            self.call("_codecs", "encode", (obj.decode("latin1"), "latin1"), depth)
        elif isinstance(obj, D.dtype):
            self.global_("torch", obj.name)
        elif isinstance(obj, Device):
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            self.call("torch", "device", args, depth)
        elif isinstance(obj, Tensor):
            self.tensor(obj, depth)
        elif type(obj) is set:  # torch.load(weights_only=True) takes set but not frozenset
            self.call("builtins", "set", (list(obj),), depth + 1)
        elif isinstance(obj, (list, tuple, dict)):
            if id(obj) in self.path:
                raise ValueError("ndgrad.save cannot store a container that contains itself")
            self.path.add(id(obj))
            try:
                self.container(obj, depth + 1)
            finally:
                self.path.discard(id(obj))
        else:
            raise TypeError(
                f"ndgrad.save cannot store an object of type {type(obj).__name__}: it stores "
                "tensors, numbers, strings, bytes, bools, None, dtypes, devices, sets and "
                "(nested) lists, tuples and dicts of these"
            )

    def container(self, obj: Any, depth: int) -> None:
        if isinstance(obj, Size):
            self.call("torch", "Size", (tuple(obj),), depth)
        elif isinstance(obj, tuple):
            self.tuple_(obj, depth)
        elif isinstance(obj, list):
            self.out += b"]"
            if obj:
                self.out += b"("
                for x in obj:
                    self.save(x, depth)
                self.out += b"e"  # APPENDS
        elif isinstance(obj, OrderedDict):
            self.call("collections", "OrderedDict", (), depth)
            self.items(obj, depth)
            meta = getattr(obj, "_metadata", None)
            if meta is not None:  # a module's state_dict keeps version metadata here
                self.out += b"}"
                self.str_("_metadata")
                self.save(meta, depth)
                self.out += b"sb"  # SETITEM, BUILD
        else:
            self.out += b"}"
            self.items(obj, depth)

    def items(self, obj: dict[Any, Any], depth: int) -> None:
        if obj:
            self.out += b"("
            for k, v in obj.items():
                self.save(k, depth)
                self.save(v, depth)
            self.out += b"u"  # SETITEMS

    def tensor(self, t: Tensor, depth: int) -> None:
        if self.get(id(t)):
            return
        self.keep.append(t)
        if isinstance(t, self.parameter):
            self.global_("torch._utils", "_rebuild_parameter")
            self.tensor_v2(t, False, depth)
            self.save(bool(t.requires_grad), depth)
            self.call("collections", "OrderedDict", (), depth)
            self.out += b"\x87R"  # TUPLE3, REDUCE
        else:
            self.tensor_v2(t, bool(t.requires_grad), depth)
        self.put(id(t))

    def tensor_v2(self, t: Tensor, requires_grad: bool, depth: int) -> None:
        arr = t.detach().cpu().numpy()
        root, offset, strides = self.place(arr)
        key = self.storage_key(root, t.dtype)
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.out += b"("
        self.out += b"("  # the persistent id: ('storage', torch.FloatStorage, key, 'cpu', numel)
        self.str_("storage")
        self.global_("torch", _STORAGE_NAMES[t.dtype])
        self.str_(key)
        self.str_(str(t.device))  # torch's location tag: "cpu", "cuda:0", ...
        self.int_(root.size)
        self.out += b"tQ"  # TUPLE, BINPERSID
        self.int_(offset)
        self.tuple_(tuple(arr.shape), depth)
        self.tuple_(strides, depth)
        self.save(requires_grad, depth)
        self.call("collections", "OrderedDict", (), depth)
        self.out += b"tR"  # TUPLE, REDUCE

    def place(self, arr: np.ndarray) -> tuple[np.ndarray, int, tuple[int, ...]]:
        """The contiguous array to store ``arr``'s memory as, its offset and strides in it.

        A view shares its base's storage when it lies inside it at whole-element steps;
        anything else is stored as a contiguous copy of its own.
        """
        root, cur = None, arr
        while cur is not None:  # the outermost contiguous array of arr's dtype
            if isinstance(cur, np.ndarray) and cur.dtype == arr.dtype and cur.flags.c_contiguous:
                root = cur
            cur = getattr(cur, "base", None)  # also through as_strided's buffer wrapper
        itemsize = arr.itemsize
        if (
            root is not None
            and arr.size
            and arr.dtype.isnative
            and all(s >= 0 and s % itemsize == 0 for s in arr.strides)
        ):
            start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            end = start + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides)) + itemsize
            if start >= 0 and start % itemsize == 0 and end <= root.nbytes:
                return root, start // itemsize, tuple(s // itemsize for s in arr.strides)
        own = np.array(arr, dtype=arr.dtype.newbyteorder("="), order="C")
        return own, 0, _c_strides(arr.shape)

    def storage_key(self, root: np.ndarray, d: D.dtype) -> str:
        key = self.storage_keys.get((id(root), d.name))
        if key is None:
            key = str(len(self.storages))
            self.storage_keys[id(root), d.name] = key
            self.keep.append(root)
            self.storages.append((key, root))
        return key


def _c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _info(name: str, offset: int, size: int) -> tuple[zipfile.ZipInfo, bool]:
    """A stored-entry header padded (as torch pads) so the entry's data is 64-byte aligned."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = size
    zip64 = size * 1.05 > zipfile.ZIP64_LIMIT  # when zipfile adds its 20-byte zip64 field
    header = 30 + len(name.encode("utf-8")) + 4 + (20 if zip64 else 0)
    pad = -(offset + header) % ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    return info, zip64


def _write_zip(fh: IO[bytes], records: list[tuple[str, Any]]) -> None:
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, data in records:
            view = memoryview(data).cast("B") if not isinstance(data, bytes) else data
            info, zip64 = _info(f"{PREFIX}/{name}", fh.tell(), len(view))
            with zf.open(info, "w", force_zip64=zip64) as out:
                out.write(view)


def save_torch(obj: Any, fh: IO[bytes]) -> None:
    """Write ``obj`` in torch.save's zip format; ``torch.load(weights_only=True)`` reads it."""
    pickler = _Pickler()
    pickler.save(obj)  # everything is checked before a byte is written
    pickler.out += b"."  # STOP
    data = bytes(pickler.out)
    records: list[tuple[str, Any]] = [
        ("data.pkl", data),
        (".format_version", b"1"),
        (".storage_alignment", str(ALIGNMENT).encode()),
        ("byteorder", b"little"),
    ]
    for key, root in pickler.storages:
        flat = root.reshape(-1)
        if sys.byteorder != "little":
            flat = flat.astype(flat.dtype.newbyteorder("<"))
        records.append((f"data/{key}", flat.view(np.uint8)))
    serial = int.from_bytes(hashlib.sha256(data).digest(), "little") % 10**40
    records += [("version", b"3\n"), (".data/serialization_id", f"{serial:040d}".encode())]
    if fh.seekable():
        _write_zip(fh, records)
    else:
        buf = io.BytesIO()
        _write_zip(buf, records)
        fh.write(buf.getvalue())
