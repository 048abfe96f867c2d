"""ndgrad.save / ndgrad.load: a zip of .npy arrays and a JSON manifest; loading runs no code."""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from . import _backend as B
from . import _dtype as D
from . import _torch_format
from ._creation import from_numpy
from ._device import device as Device
from ._tensor import Size, Tensor

__all__ = ["save", "load"]

FileLike = str | os.PathLike | IO[bytes]

# The format, in brief. The archive holds exactly MANIFEST and one TENSOR_DIR/<i>.npy per
# entry of the manifest's "tensors" table, all stored uncompressed. The manifest is
# {"format": FORMAT, "version": VERSION, "tensors": [...], "root": node}; a tensor entry is
# {"dtype": name, "shape": [...], "requires_grad": bool, "parameter": bool}, plus
# "device": "cuda:0" for a tensor saved from a GPU (its data is stored from the host); a node
# is a {"kind": ...} object (see _encode). Python floats are written with float.hex, so they
# round-trip bit for bit. Tensors are written whole: two views of one storage come back as
# two separate tensors (one tensor object saved twice comes back as one object).
FORMAT = "ndgrad.save"
VERSION = 1
MANIFEST = "ndgrad/manifest.json"
TENSOR_DIR = "ndgrad/tensors/"
MAX_DEPTH = 200  # deeper nesting than any state dict needs; keeps recursion bounded
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same object saves to the same bytes

_DTYPES = {d.name: d for d in D.ALL}
_TENSOR_KEYS = {"dtype", "shape", "requires_grad", "parameter"}
_GPU_KEYS = _TENSOR_KEYS | {"device"}
_ATOMS = ("none", "bool", "int", "float", "complex", "str", "bytes", "dtype", "device")


def _parameter_class() -> Any:
    """ndgrad.nn.Parameter when the nn package provides it, else None (looked up by name)."""
    try:
        from .nn.parameter import Parameter
    except ImportError:
        return None
    return Parameter


# --------------------------------------------------------------------------------------- save


class _Encoder:
    """Turns an object tree into manifest nodes plus a list of arrays."""

    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []
        self.entries: list[dict[str, Any]] = []
        self.index: dict[int, int] = {}  # id(tensor) -> entry, so one object is saved once
        self.keep: list[Tensor] = []  # keeps ids valid while encoding
        self.path: set[int] = set()  # containers on the current path, to refuse cycles
        self.parameter = _parameter_class()

    def tensor(self, t: Tensor) -> dict[str, Any]:
        i = self.index.get(id(t))
        if i is None:
            arr = t.detach().cpu().numpy()
            if not arr.flags.c_contiguous:
                arr = np.array(arr, order="C")
            is_param = self.parameter is not None and isinstance(t, self.parameter)
            i = len(self.arrays)
            self.index[id(t)] = i
            self.keep.append(t)
            self.arrays.append(arr)
            entry = {
                "dtype": t.dtype.name,
                "shape": list(arr.shape),
                "requires_grad": bool(t.requires_grad),
                "parameter": bool(is_param),
            }
            if t.device.type != "cpu":
                entry["device"] = str(t.device)
            self.entries.append(entry)
        return {"kind": "tensor", "index": i}

    def encode(self, obj: Any, depth: int = 0) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise ValueError(f"ndgrad.save: containers nested deeper than {MAX_DEPTH} levels")
        if obj is None:
            return {"kind": "none"}
        if isinstance(obj, (bool, np.bool_)):
            return {"kind": "bool", "value": bool(obj)}
        if isinstance(obj, int):
            return {"kind": "int", "value": int(obj)}
        if isinstance(obj, float):
            return {"kind": "float", "value": float(obj).hex()}
        if isinstance(obj, complex):
            return {"kind": "complex", "real": obj.real.hex(), "imag": obj.imag.hex()}
        if isinstance(obj, str):
            return {"kind": "str", "value": str(obj)}
        if isinstance(obj, bytes):
            return {"kind": "bytes", "value": obj.hex()}
        if isinstance(obj, D.dtype):
            return {"kind": "dtype", "value": obj.name}
        if isinstance(obj, Device):
            return {"kind": "device", "value": str(obj.type), "index": obj.index}
        if isinstance(obj, Tensor):
            return self.tensor(obj)
        if not isinstance(obj, (list, tuple, dict)):
            raise TypeError(
                f"ndgrad.save cannot store an object of type {type(obj).__name__}: it stores "
                "tensors, numbers, strings, bytes, bools, None, dtypes, devices and "
                "(nested) lists, tuples and dicts of these"
            )
        if id(obj) in self.path:
            raise ValueError("ndgrad.save cannot store a container that contains itself")
        self.path.add(id(obj))
        try:
            return self.container(obj, depth + 1)
        finally:
            self.path.discard(id(obj))

    def container(self, obj: Any, depth: int) -> dict[str, Any]:
        if isinstance(obj, dict):
            pairs = [[self.encode(k, depth), self.encode(v, depth)] for k, v in obj.items()]
            if not isinstance(obj, OrderedDict):
                return {"kind": "dict", "items": pairs}
            node = {"kind": "ordereddict", "items": pairs}
            # A module's state_dict carries version metadata as an attribute; keep it.
            meta = getattr(obj, "_metadata", None)
            if meta is not None:
                node["metadata"] = self.encode(meta, depth)
            return node
        items = [self.encode(x, depth) for x in obj]
        if isinstance(obj, Size):
            return {"kind": "size", "items": items}
        return {"kind": "tuple" if isinstance(obj, tuple) else "list", "items": items}


def _write(f: IO[bytes], manifest: bytes, arrays: list[np.ndarray]) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(zipfile.ZipInfo(MANIFEST, date_time=_ZIP_TIME), manifest)
        for i, arr in enumerate(arrays):
            info = zipfile.ZipInfo(f"{TENSOR_DIR}{i}.npy", date_time=_ZIP_TIME)
            big = arr.nbytes > (1 << 31) - 4096
            with zf.open(info, "w", force_zip64=big) as out:
                np.lib.format.write_array(out, arr, allow_pickle=False)


def save(
    obj: Any,
    f: FileLike,
    pickle_module: Any = None,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
    *,
    format: str = "ndgrad",
) -> None:
    """Save tensors and (nested) containers of tensors and plain values to a path or file.

    By default no pickle is written: the file is a zip of one ``.npy`` per tensor plus a JSON
    manifest, so ``ndgrad.load`` never runs code, and tensors sharing storage are saved as
    separate copies. ``format="torch"`` writes torch.save's zip format instead (views keep
    sharing their storage), which ``torch.load(f, weights_only=True)`` reads. ``pickle_module``
    and ``pickle_protocol`` are accepted for torch compatibility and ignored.
    """
    if format == "torch":
        if isinstance(f, (str, os.PathLike)):
            with open(os.fspath(f), "wb") as fh:
                _torch_format.save_torch(obj, fh)
        else:
            _torch_format.save_torch(obj, f)
        return
    if format != "ndgrad":
        raise ValueError(f"ndgrad.save: unknown format {format!r}; use 'ndgrad' or 'torch'")
    enc = _Encoder()
    root = enc.encode(obj)  # everything is checked before a byte is written
    manifest = json.dumps(
        {"format": FORMAT, "version": VERSION, "tensors": enc.entries, "root": root},
        allow_nan=False,
        separators=(",", ":"),
    ).encode("utf-8")
    if isinstance(f, (str, os.PathLike)):
        with open(os.fspath(f), "wb") as fh:
            _write(fh, manifest, enc.arrays)
    else:
        _write(f, manifest, enc.arrays)


# --------------------------------------------------------------------------------------- load

# What zipfile raises for a broken archive (NotImplementedError: a nonsense version field).
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError)


def _bad(msg: str) -> ValueError:
    return ValueError(f"ndgrad.load: invalid file: {msg}")


def _corrupt(msg: str) -> RuntimeError:
    return RuntimeError(f"ndgrad.load: corrupted or truncated file: {msg}")


def _check_keys(node: Any, keys: set[str], what: str) -> None:
    if not isinstance(node, dict) or set(node) != keys:
        raise _bad(f"{what} must be an object with keys {sorted(keys)}, got {node!r:.200}")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_entries(entries: Any) -> list[tuple[D.dtype, tuple[int, ...], bool, bool, str]]:
    if not isinstance(entries, list):
        raise _bad("the tensor table must be a list")
    out = []
    for i, e in enumerate(entries):
        keys = _GPU_KEYS if isinstance(e, dict) and "device" in e else _TENSOR_KEYS
        _check_keys(e, keys, f"tensor entry {i}")
        location = e.get("device", "cpu")
        if not isinstance(location, str) or _device_or_none(location) is None:
            raise _bad(f"tensor entry {i} has an invalid device {location!r:.100}")
        d = _DTYPES.get(e["dtype"]) if isinstance(e["dtype"], str) else None
        if d is None:
            raise _bad(f"tensor entry {i} has unknown dtype {e['dtype']!r:.100}")
        shape = e["shape"]
        if not isinstance(shape, list) or not all(_is_int(s) and s >= 0 for s in shape):
            raise _bad(f"tensor entry {i} has an invalid shape {shape!r:.100}")
        rg, param = e["requires_grad"], e["parameter"]
        if not isinstance(rg, bool) or not isinstance(param, bool):
            raise _bad(f"tensor entry {i}: requires_grad and parameter must be booleans")
        if rg and d.category not in (D.FLOAT, D.COMPLEX):
            raise _bad(f"tensor entry {i}: a {d.name} tensor cannot require gradients")
        out.append((d, tuple(shape), rg, param, location))
    return out


def _device_or_none(location: str) -> Device | None:
    try:
        return Device(location)
    except (RuntimeError, TypeError, ValueError):
        return None


def _open_archive(fh: IO[bytes]) -> tuple[zipfile.ZipFile, int]:
    start = fh.tell()
    head = fh.read(4)
    size = fh.seek(0, io.SEEK_END)
    fh.seek(start)
    if head[:1] == b"\x80":
        raise RuntimeError(
            "ndgrad.load: unsupported legacy format: this is a pickle file (torch.save with "
            "_use_new_zipfile_serialization=False, or a plain pickle); ndgrad.load never "
            "unpickles a bare pickle, as that can run arbitrary code. Re-save it with "
            "torch.save's default zip format"
        )
    if head != b"PK\x03\x04":
        raise _corrupt("not an ndgrad.save archive (no zip header)")
    try:
        return zipfile.ZipFile(fh), size
    except (*_ZIP_ERRORS, ValueError) as e:
        raise _corrupt(f"cannot read the zip archive ({e})") from None


def _check_members(zf: zipfile.ZipFile, size: int, n_tensors: int | None) -> None:
    infos = zf.infolist()
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _bad("the archive holds duplicate entry names")
    for info in infos:
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise _bad(f"entry {info.filename!r:.100} is compressed or encrypted")
        end = info.header_offset + info.file_size
        if info.compress_size != info.file_size or info.header_offset < 0 or end > size:
            raise _corrupt(f"entry {info.filename!r:.100} claims more bytes than the file has")
    if n_tensors is None:
        if MANIFEST not in names:
            raise _bad(f"no {MANIFEST} in the archive: not written by ndgrad.save")
        return
    expected = {MANIFEST} | {f"{TENSOR_DIR}{i}.npy" for i in range(n_tensors)}
    extra = sorted(set(names) - expected)
    if extra:
        raise _bad(f"unexpected archive entries {extra[:5]!r:.300}")
    missing = sorted(expected - set(names))
    if missing:
        raise _bad(f"missing archive entries {missing[:5]!r:.300}")


def _read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        raw = zf.read(MANIFEST)
    except (*_ZIP_ERRORS, ValueError) as e:
        raise _corrupt(f"cannot read the manifest ({e})") from None

    def no_constants(name: str) -> None:
        raise _bad(f"the manifest holds the non-JSON constant {name}")

    try:
        manifest = json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise _bad(f"the manifest is not valid JSON ({type(e).__name__})") from None
    except ValueError as e:  # e.g. an integer too long to parse
        raise _bad(f"the manifest cannot be parsed ({e})") from None
    _check_keys(manifest, {"format", "version", "tensors", "root"}, "the manifest")
    if manifest["format"] != FORMAT:
        raise _bad(f"unknown format {manifest['format']!r:.100}")
    if manifest["version"] != VERSION:
        raise _bad(f"unsupported format version {manifest['version']!r:.100}")
    return manifest


def _read_array(zf: zipfile.ZipFile, i: int, d: D.dtype, shape: tuple[int, ...]) -> np.ndarray:
    name = f"{TENSOR_DIR}{i}.npy"
    info = zf.getinfo(name)
    try:
        with zf.open(info) as m:
            version = np.lib.format.read_magic(m)
            if version == (1, 0):
                hdr_shape, fortran, hdr_dtype = np.lib.format.read_array_header_1_0(m)
            elif version == (2, 0):
                hdr_shape, fortran, hdr_dtype = np.lib.format.read_array_header_2_0(m)
            else:
                raise _bad(f"{name} uses unsupported .npy version {version}")
            if hdr_dtype.hasobject or hdr_dtype.fields is not None or hdr_dtype.subdtype:
                raise _bad(f"{name} holds an object or structured array, which is refused")
            if hdr_dtype.newbyteorder("=") != d.np:
                raise _bad(f"{name} holds {hdr_dtype} data but the manifest says {d.name}")
            if tuple(hdr_shape) != shape:
                raise _bad(f"{name} has shape {tuple(hdr_shape)} but the manifest says {shape}")
            nbytes = math.prod(shape) * hdr_dtype.itemsize
            if info.file_size - m.tell() != nbytes:
                raise _bad(f"{name} should hold {nbytes} bytes of data for shape {shape}")
            buf = bytearray(nbytes)
            view, got = memoryview(buf), 0
            while got < nbytes:
                n = m.readinto(view[got:])
                if not n:
                    raise _corrupt(f"{name} ends early")
                got += n
            if m.read(1):  # reading to the end also makes zipfile check the CRC
                raise _bad(f"{name} holds trailing bytes")
    except ValueError as e:
        if str(e).startswith("ndgrad.load"):
            raise
        raise _bad(f"{name} has an invalid .npy header ({e})") from None
    except _ZIP_ERRORS as e:
        raise _corrupt(f"cannot read {name} ({e})") from None
    arr = np.frombuffer(buf, dtype=hdr_dtype).reshape(shape, order="F" if fortran else "C")
    return arr.astype(d.np, order="C", copy=False)


def _restore(t: Tensor, location: str) -> Tensor:
    """``t`` (loaded on the CPU) on the device ``location`` names, checked as torch checks."""
    if location == "cpu":
        return t
    where = _device_or_none(location)
    if where is not None and where.type == "cuda":
        if not B.cuda_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but "
                "torch.cuda.is_available() is False. If you are running on a CPU-only machine, "
                "please use torch.load with map_location=torch.device('cpu') to map your "
                "storages to the CPU."
            )
        index, count = where.index or 0, B.device_count()
        if index >= count:
            raise RuntimeError(
                f"Attempting to deserialize object on CUDA device {index} but "
                f"torch.cuda.device_count() is {count}. Please use torch.load with "
                "map_location to map your storages to an existing device."
            )
    return t.to(location)


def _relocate(t: Tensor, map_location: Any, location: str) -> Tensor:
    """Where a tensor saved from ``location`` goes, by torch.load's ``map_location`` rules."""
    if map_location is None:
        return _restore(t, location)
    if isinstance(map_location, dict):
        return _restore(t, str(map_location.get(location, location)))
    if not callable(map_location):  # a device or a string (or another library's device)
        return _restore(t, str(map_location))
    moved = map_location(t, location)
    return _restore(t, location) if moved is None else moved


def _make_tensors(
    zf: zipfile.ZipFile,
    entries: list[tuple[D.dtype, tuple[int, ...], bool, bool, str]],
    ml: Any,
) -> list[Tensor]:
    arrays = [_read_array(zf, i, *e[:2]) for i, e in enumerate(entries)]
    parameter = _parameter_class() if any(e[3] for e in entries) else None
    out = []
    for arr, (_, _, rg, is_param, location) in zip(arrays, entries):
        t = _relocate(from_numpy(arr), ml, location)
        if is_param and parameter is not None:
            t = parameter(t, requires_grad=rg)
        elif rg:
            t.requires_grad_(True)
        out.append(t)
    return out


class _Decoder:
    """Rebuilds the object tree from manifest nodes, checking every node."""

    def __init__(self, tensors: list[Tensor]) -> None:
        self.tensors = tensors

    def text(self, node: dict[str, Any], key: str) -> str:
        v = node[key]
        if not isinstance(v, str):
            raise _bad(f"a {node['kind']} node needs a string {key!r}")
        return v

    def floating(self, node: dict[str, Any], key: str) -> float:
        try:
            return float.fromhex(self.text(node, key))
        except (ValueError, OverflowError):
            raise _bad(
                f"a {node['kind']} node holds an invalid float {node[key]!r:.100}"
            ) from None

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise _bad(f"containers nested deeper than {MAX_DEPTH} levels")
        if not isinstance(node, dict) or not isinstance(node.get("kind"), str):
            raise _bad(f"a node must be an object with a string 'kind', got {node!r:.100}")
        kind = node["kind"]
        if kind in ("list", "tuple", "size", "dict", "ordereddict"):
            return self.container(node, kind, depth + 1)
        if kind == "tensor":
            _check_keys(node, {"kind", "index"}, "a tensor node")
            i = node["index"]
            if not _is_int(i) or not 0 <= i < len(self.tensors):
                raise _bad(f"a tensor node refers to missing tensor {i!r:.100}")
            return self.tensors[i]
        if kind not in _ATOMS:
            raise _bad(f"unknown node kind {kind!r:.100}")
        return self.atom(node, kind)

    def atom(self, node: dict[str, Any], kind: str) -> Any:
        if kind == "none":
            _check_keys(node, {"kind"}, "a none node")
            return None
        if kind == "complex":
            _check_keys(node, {"kind", "real", "imag"}, "a complex node")
            return complex(self.floating(node, "real"), self.floating(node, "imag"))
        if kind == "device":
            _check_keys(node, {"kind", "value", "index"}, "a device node")
            index = node["index"]
            if index is not None and not _is_int(index):
                raise _bad("a device node needs an integer or null index")
            try:
                return Device(self.text(node, "value"), index)
            except (RuntimeError, TypeError, ValueError):
                raise _bad(f"unknown device {node['value']!r:.100}") from None
        _check_keys(node, {"kind", "value"}, f"a {kind} node")
        v = node["value"]
        if kind == "bool":
            if not isinstance(v, bool):
                raise _bad("a bool node needs a boolean value")
            return v
        if kind == "int":
            if not _is_int(v):
                raise _bad("an int node needs an integer value")
            return v
        if kind == "float":
            return self.floating(node, "value")
        if kind == "str":
            return self.text(node, "value")
        if kind == "bytes":
            try:
                return bytes.fromhex(self.text(node, "value"))
            except ValueError:
                raise _bad("a bytes node needs a hex string") from None
        d = _DTYPES.get(self.text(node, "value"))
        if d is None:
            raise _bad(f"unknown dtype {v!r:.100}")
        return d

    def container(self, node: dict[str, Any], kind: str, depth: int) -> Any:
        keys = {"kind", "items"}
        if kind == "ordereddict" and "metadata" in node:
            keys.add("metadata")
        _check_keys(node, keys, f"a {kind} node")
        items = node["items"]
        if not isinstance(items, list):
            raise _bad(f"a {kind} node needs a list of items")
        if kind in ("list", "tuple", "size"):
            values = [self.decode(x, depth) for x in items]
            if kind == "list":
                return values
            if kind == "tuple":
                return tuple(values)
            if not all(_is_int(v) for v in values):
                raise _bad("a size node holds a non-integer")
            return Size(values)
        out: dict[Any, Any] = OrderedDict() if kind == "ordereddict" else {}
        for pair in items:
            if not isinstance(pair, list) or len(pair) != 2:
                raise _bad(f"a {kind} item must be a [key, value] pair")
            key = self.decode(pair[0], depth)
            try:
                hash(key)
            except TypeError:
                raise _bad(f"a {kind} key of type {type(key).__name__} is unhashable") from None
            out[key] = self.decode(pair[1], depth)
        if "metadata" in node:
            out._metadata = self.decode(node["metadata"], depth)  # type: ignore[attr-defined]
        return out


def _load(fh: IO[bytes], map_location: Any) -> Any:
    zf, size = _open_archive(fh)
    with zf:
        prefix = _torch_format.find_prefix(zf.namelist())
        if prefix is not None:
            return _torch_format.load_torch(
                zf, size, prefix, lambda t, location: _relocate(t, map_location, location)
            )
        _check_members(zf, size, None)
        manifest = _read_manifest(zf)
        entries = _check_entries(manifest["tensors"])
        _check_members(zf, size, len(entries))
        tensors = _make_tensors(zf, entries, map_location)
        return _Decoder(tensors).decode(manifest["root"])


def load(
    f: FileLike,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load what ``ndgrad.save`` or ``torch.save`` wrote, from a path or a seekable binary file.

    Loading never runs code, whatever ``weights_only`` says. A torch.save zip is read by an
    unpickler that rebuilds only tensors, storages, ordered dicts and plain containers and
    raises ``pickle.UnpicklingError`` naming any other global the file asks for; bare pickles
    (torch's legacy format) are refused. A crafted, truncated or corrupted file raises
    ValueError or RuntimeError naming the problem, and nothing is returned.

    Tensors come back on the device they were saved from (``"cuda:0"``...), unless
    ``map_location`` says otherwise, as in torch: a device or a string puts every tensor
    there, a dict maps saved locations to new ones (``{"cuda:0": "cpu"}``), and a callable
    ``(tensor, location) -> tensor`` is given each tensor on the CPU with its saved location
    and returns it where it should go (None: where it was saved from).
    """
    if pickle_module is not None:
        raise RuntimeError("ndgrad.load never unpickles, so pickle_module is not supported")
    if isinstance(f, (str, os.PathLike)):
        with open(os.fspath(f), "rb") as fh:
            return _load(fh, map_location)
    return _load(f, map_location)
