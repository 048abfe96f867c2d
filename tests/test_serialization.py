"""ndgrad.save / ndgrad.load: exact round trips, and crafted or broken files refused safely."""

import collections
import io
import json
import pickle
import random
import zipfile

import numpy as np
import pytest

import ndgrad

MANIFEST = "ndgrad/manifest.json"


def round_trip(obj, **load_kwargs):
    buf = io.BytesIO()
    ndgrad.save(obj, buf)
    buf.seek(0)
    return ndgrad.load(buf, **load_kwargs)


def saved_bytes(obj):
    buf = io.BytesIO()
    ndgrad.save(obj, buf)
    return buf.getvalue()


def bits(t):
    a = np.ascontiguousarray(t.detach().numpy())
    return a.dtype, a.shape, a.tobytes()


def parameter_class():
    try:
        from ndgrad.nn import Parameter
    except ImportError:
        pytest.skip("ndgrad.nn.Parameter is not available yet")
    return Parameter


# ------------------------------------------------------------------------ round trips
def special_values(np_dtype):
    if np_dtype.kind == "b":
        return np.array([True, False, True])
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        return np.array([info.min, -1 if info.min else 0, 0, 1, info.max], dtype=np_dtype)
    base = np.array([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan], dtype=np_dtype)
    if np_dtype.kind == "f":
        finfo = np.finfo(np_dtype)
        extra = np.array([finfo.tiny, finfo.max, finfo.smallest_subnormal], dtype=np_dtype)
        # A NaN with a payload: bitwise round trips keep even this.
        nan = np.array([np.nan], dtype=np_dtype)
        nan.view(f"u{np_dtype.itemsize}")[0] |= 1
        return np.concatenate([base, extra, nan])
    return base + 1j * base[::-1]


@pytest.mark.parametrize("dtype", [d for d in ndgrad._dtype.ALL], ids=lambda d: d.name)
def test_round_trip_every_dtype_is_bitwise(dtype):
    arr = special_values(dtype.np)
    tensors = {
        "vector": ndgrad.from_numpy(arr.copy()),
        "matrix": ndgrad.from_numpy(np.resize(arr, (3, 4)).copy()),
        "scalar": ndgrad.from_numpy(arr[:1].reshape(()).copy()),
        "empty": ndgrad.from_numpy(np.zeros((0, 3), dtype.np)),
    }
    tensors["transposed"] = tensors["matrix"].t()
    tensors["strided"] = tensors["matrix"][:, ::2]
    out = round_trip(tensors)
    for k, t in tensors.items():
        assert out[k].dtype is dtype, k
        assert out[k].shape == t.shape, k
        assert bits(out[k]) == bits(t), k
        assert out[k].requires_grad is False


def test_round_trip_structure_and_plain_values():
    od = collections.OrderedDict((k, ndgrad.tensor([float(i)])) for i, k in enumerate("zyxabc"))
    obj = {
        "od": od,
        "ints": [0, -1, 2**70, True, False],
        "floats": (0.1, -0.0, 1e-310, float("inf"), float("-inf"), 1 / 3),
        "complex": 1.5 - 2.25j,
        "none": None,
        "text": "héllo\n\u2603",
        "raw": b"\x00\xff",
        "nested": {1: {2: [(3,), []]}, (1, "a"): {}, None: (), 2.5: "f", False: "b"},
        "dtype": ndgrad.float16,
        "size": ndgrad.Size([2, 3]),
        "device": ndgrad.device("cpu"),
        "empty": {},
    }
    out = round_trip(obj)
    assert list(out) == list(obj)
    assert isinstance(out["od"], collections.OrderedDict) and list(out["od"]) == list("zyxabc")
    assert [t.item() for t in out["od"].values()] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert out["ints"] == [0, -1, 2**70, True, False]
    assert [type(v) for v in out["ints"]] == [int, int, int, bool, bool]
    assert all(a.hex() == b.hex() for a, b in zip(out["floats"], obj["floats"]))
    assert type(out["floats"]) is tuple
    assert out["complex"] == obj["complex"] and out["none"] is None
    assert out["text"] == obj["text"] and out["raw"] == obj["raw"]
    assert out["nested"] == obj["nested"]
    assert type(out["nested"][1][2][0]) is tuple and type(out["nested"][1][2][1]) is list
    assert out["dtype"] is ndgrad.float16
    assert out["size"] == ndgrad.Size([2, 3]) and isinstance(out["size"], ndgrad.Size)
    assert out["device"] == ndgrad.device("cpu")
    nan = round_trip([float("nan")])[0]
    assert nan != nan


def test_optimizer_like_state_dict():
    state = {
        "state": {
            0: {"step": ndgrad.tensor(3.0), "exp_avg": ndgrad.randn(2, 2)},
            1: {"step": ndgrad.tensor(3.0), "momentum_buffer": None},
        },
        "param_groups": [
            {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False, "params": [0, 1]}
        ],
    }
    out = round_trip(state)
    assert list(out["state"]) == [0, 1]
    assert out["state"][0]["step"].shape == () and out["state"][0]["step"].item() == 3.0
    assert bits(out["state"][0]["exp_avg"]) == bits(state["state"][0]["exp_avg"])
    assert out["param_groups"] == state["param_groups"]


def test_state_dict_metadata_attribute_kept():
    sd = collections.OrderedDict(weight=ndgrad.ones(2))
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    out = round_trip(sd)
    assert out._metadata == {"": {"version": 1}}
    assert not hasattr(round_trip(collections.OrderedDict(a=1)), "_metadata")


def test_one_tensor_saved_twice_loads_as_one_object():
    t = ndgrad.arange(4.0)
    out = round_trip({"a": t, "b": [t], "view": t[1:]})
    assert out["a"] is out["b"][0]
    assert out["view"].tolist() == [1.0, 2.0, 3.0]
    out["a"][1] = 100.0  # storage sharing between distinct tensors is not kept
    assert out["view"].tolist() == [1.0, 2.0, 3.0]


def test_requires_grad_fixed_values():
    leaf = ndgrad.ones(2, requires_grad=True)
    out = round_trip({"leaf": leaf, "nonleaf": leaf * 2, "plain": ndgrad.ones(1)})
    assert out["leaf"].requires_grad and out["leaf"].is_leaf
    assert out["nonleaf"].requires_grad and out["nonleaf"].is_leaf
    assert out["nonleaf"].grad_fn is None and out["nonleaf"].tolist() == [2.0, 2.0]
    assert not out["plain"].requires_grad
    assert out["leaf"].grad is None


def test_requires_grad_and_parameters_match_torch():
    torch = pytest.importorskip("torch")
    Parameter = parameter_class()

    def make(lib, param):
        leaf = lib.ones(2, requires_grad=True)
        return {
            "leaf": leaf,
            "nonleaf": leaf * 2,
            "plain": lib.zeros(2),
            "param": param(lib.ones(3)),
            "frozen": param(lib.ones(3), requires_grad=False),
            "detached": leaf.detach(),
        }

    buf = io.BytesIO()
    torch.save(make(torch, torch.nn.Parameter), buf)
    buf.seek(0)
    theirs = torch.load(buf)
    ours = round_trip(make(ndgrad, Parameter))
    for k in theirs:
        assert ours[k].requires_grad == theirs[k].requires_grad, k
        assert ours[k].is_leaf == theirs[k].is_leaf, k
        assert isinstance(ours[k], Parameter) == isinstance(theirs[k], torch.nn.Parameter), k
        np.testing.assert_array_equal(ours[k].detach().numpy(), theirs[k].detach().numpy())


def test_module_state_dict_round_trip():
    nn = pytest.importorskip("ndgrad.nn")
    if not hasattr(nn, "Linear") or not hasattr(nn.Module, "state_dict"):
        pytest.skip("ndgrad.nn.Linear is not available yet")
    model = nn.Linear(3, 2)
    sd = round_trip(model.state_dict())
    assert list(sd) == list(model.state_dict())
    other = nn.Linear(3, 2)
    other.load_state_dict(sd)
    for a, b in zip(other.parameters(), model.parameters()):
        assert bits(a) == bits(b)


def test_paths_and_file_objects(tmp_path):
    obj = {"w": ndgrad.randn(3), "n": 1}
    path = tmp_path / "model.pt"
    ndgrad.save(obj, str(path))
    assert ndgrad.load(str(path))["n"] == 1
    ndgrad.save(obj, path)  # os.PathLike
    assert bits(ndgrad.load(path)["w"]) == bits(obj["w"])
    with open(path, "wb") as f:
        ndgrad.save(obj, f)
    with open(path, "rb") as f:
        assert bits(ndgrad.load(f)["w"]) == bits(obj["w"])
    # A save written after other bytes in the same stream loads from its position.
    buf = io.BytesIO()
    buf.write(b"header")
    ndgrad.save(obj, buf)
    buf.seek(6)
    assert ndgrad.load(buf)["n"] == 1


def test_saving_is_deterministic():
    obj = {"a": ndgrad.arange(5), "b": [1.5, None]}
    assert saved_bytes(obj) == saved_bytes(obj)


def test_map_location_and_weights_only():
    obj = {"t": ndgrad.arange(3.0)}
    data = saved_bytes(obj)
    for ml in (None, "cpu", ndgrad.device("cpu"), {"cpu": "cpu"}, lambda t, loc: t):
        out = ndgrad.load(io.BytesIO(data), map_location=ml, weights_only=True)
        assert out["t"].tolist() == [0.0, 1.0, 2.0] and out["t"].device == ndgrad.device("cpu")
    assert ndgrad.load(io.BytesIO(data), weights_only=False)["t"].tolist() == [0.0, 1.0, 2.0]
    seen = []
    ndgrad.load(io.BytesIO(data), map_location=lambda t, loc: seen.append(loc))
    assert seen == ["cpu"]
    with pytest.raises(RuntimeError, match="never unpickles"):
        ndgrad.load(io.BytesIO(data), pickle_module=pickle)


@pytest.mark.parametrize(
    "obj, error",
    [
        (object(), TypeError),
        ({1, 2}, TypeError),
        (np.ones(2), TypeError),
        ({"f": len}, TypeError),
        ([np.float32(1)], TypeError),
    ],
)
def test_save_refuses_unsupported_objects_before_writing(tmp_path, obj, error):
    path = tmp_path / "out.pt"
    with pytest.raises(error, match="ndgrad.save cannot store an object of type"):
        ndgrad.save(obj, path)
    assert not path.exists()


def test_save_refuses_cycles_and_deep_nesting():
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        saved_bytes(loop)
    deep = []
    for _ in range(500):
        deep = [deep]
    with pytest.raises(ValueError, match="nested deeper"):
        saved_bytes(deep)
    shared = [1]
    assert round_trip([shared, shared]) == [[1], [1]]  # repeated, not cyclic: fine


# ------------------------------------------------------------------------ crafted files
class Payload:
    """Unpickling this creates a file: proof that a loader ran code."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def npy_bytes(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def manifest_for(arrays, root=None):
    entries = [
        {"dtype": ndgrad._dtype.from_numpy_dtype(a.dtype).name, "shape": list(a.shape)}
        for a in arrays
    ]
    for e in entries:
        e.update(requires_grad=False, parameter=False)
    if root is None:
        root = {
            "kind": "list",
            "items": [{"kind": "tensor", "index": i} for i in range(len(arrays))],
        }
    return {"format": "ndgrad.save", "version": 1, "tensors": entries, "root": root}


def archive(members, compression=zipfile.ZIP_STORED):
    """A zip of ``{name: bytes-or-json-object}``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, content in members.items():
            if not isinstance(content, bytes):
                content = json.dumps(content).encode()
            zf.writestr(name, content)
    return buf.getvalue()


def load_bytes(raw):
    return ndgrad.load(io.BytesIO(raw))


def test_hand_crafted_archive_loads():
    arr = np.arange(6, dtype=np.int32).reshape(2, 3)
    out = load_bytes(
        archive({MANIFEST: manifest_for([arr]), "ndgrad/tensors/0.npy": npy_bytes(arr)})
    )
    assert out[0].dtype is ndgrad.int32 and out[0].tolist() == arr.tolist()


def test_pickle_file_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    raw = pickle.dumps({"x": Payload(marker)}, protocol=2)
    with pytest.raises(RuntimeError, match="pickle file"):
        load_bytes(raw)
    path = tmp_path / "legacy.pt"
    path.write_bytes(raw)
    with pytest.raises(RuntimeError, match="never unpickles"):
        ndgrad.load(path)
    assert not marker.exists()


def test_torch_style_zip_with_a_payload_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    raw = archive({"archive/data.pkl": pickle.dumps(Payload(marker)), "archive/version": b"3\n"})
    with pytest.raises(pickle.UnpicklingError, match="refuses to load global 'io.open'"):
        load_bytes(raw)
    assert not marker.exists()


def test_real_torch_save_file_loads():
    torch = pytest.importorskip("torch")
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buf)
    loaded = load_bytes(buf.getvalue())
    assert list(loaded) == ["w"] and loaded["w"].tolist() == [1.0, 1.0]


def test_object_npy_with_pickle_payload_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    evil = np.empty(1, dtype=object)
    evil[0] = Payload(marker)
    manifest = manifest_for([np.zeros(1)])
    raw = archive({MANIFEST: manifest, "ndgrad/tensors/0.npy": npy_bytes(evil, allow_pickle=True)})
    with pytest.raises(ValueError, match="object or structured array"):
        load_bytes(raw)
    manifest["tensors"][0]["dtype"] = "object"
    raw = archive({MANIFEST: manifest, "ndgrad/tensors/0.npy": npy_bytes(evil, allow_pickle=True)})
    with pytest.raises(ValueError, match="unknown dtype 'object'"):
        load_bytes(raw)
    assert not marker.exists()


def test_zip_slip_names_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arr = np.zeros(2)
    for name in (
        "../evil.npy",
        "/tmp/evil.npy",
        "ndgrad/tensors/../../evil.npy",
        "ndgrad/tensors/1.npy",
    ):
        members = {MANIFEST: manifest_for([arr]), "ndgrad/tensors/0.npy": npy_bytes(arr)}
        members[name] = npy_bytes(arr)
        with pytest.raises(ValueError, match="unexpected archive entries"):
            load_bytes(archive(members))
    assert not (tmp_path.parent / "evil.npy").exists() and not (tmp_path / "evil.npy").exists()


def crafted(mutate, arrays=(np.zeros(2, np.float32),)):
    arrays = list(arrays)
    manifest = manifest_for(arrays)
    members = {MANIFEST: manifest}
    members.update({f"ndgrad/tensors/{i}.npy": npy_bytes(a) for i, a in enumerate(arrays)})
    mutate(manifest, members)
    return archive(members)


def set_root(node):
    def mutate(manifest, members):
        manifest["root"] = node

    return mutate


HUGE = 2**40


def huge_npy(manifest, members):
    manifest["tensors"][0]["shape"] = [HUGE]
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (HUGE,)}
    )
    members["ndgrad/tensors/0.npy"] = header.getvalue() + b"\0" * 8


CRAFTED = {
    "unknown kind": (set_root({"kind": "pickle", "value": "cos\nsystem\n"}), "unknown node kind"),
    "class lookup kind": (
        set_root({"kind": "object", "module": "os", "name": "system"}),
        "unknown node kind",
    ),
    "node not an object": (set_root(["list"]), "a node must be an object"),
    "extra node keys": (set_root({"kind": "none", "module": "os"}), "a none node must be"),
    "int holding a string": (set_root({"kind": "int", "value": "1"}), "needs an integer"),
    "float not hex": (set_root({"kind": "float", "value": "1e400x"}), "invalid float"),
    "tensor index out of range": (set_root({"kind": "tensor", "index": 5}), "missing tensor 5"),
    "unhashable key": (
        set_root({"kind": "dict", "items": [[{"kind": "list", "items": []}, {"kind": "none"}]]}),
        "unhashable",
    ),
    "bad pair": (set_root({"kind": "dict", "items": [[{"kind": "none"}]]}), "pair"),
    "wrong shape": (
        lambda m, _: m["tensors"][0].update(shape=[3]),
        r"has shape \(2,\) but the manifest says \(3,\)",
    ),
    "wrong dtype": (lambda m, _: m["tensors"][0].update(dtype="float64"), "holds float32 data"),
    "negative shape": (lambda m, _: m["tensors"][0].update(shape=[-2]), "invalid shape"),
    "grad on ints": (
        lambda m, _: m["tensors"][0].update(dtype="int64", requires_grad=True),
        "cannot require gradients",
    ),
    "extra tensor key": (lambda m, _: m["tensors"][0].update(cls="os.system"), "tensor entry 0"),
    "huge size": (huge_npy, "should hold 4398046511104 bytes"),
    "short data": (
        lambda m, mem: mem.update({"ndgrad/tensors/0.npy": mem["ndgrad/tensors/0.npy"][:-1]}),
        "should hold 8 bytes",
    ),
    "trailing data": (
        lambda m, mem: mem.update({"ndgrad/tensors/0.npy": mem["ndgrad/tensors/0.npy"] + b"x"}),
        "should hold 8 bytes",
    ),
    "missing tensor file": (lambda m, mem: mem.pop("ndgrad/tensors/0.npy"), "missing archive"),
    "missing manifest": (lambda m, mem: mem.pop(MANIFEST), "no ndgrad/manifest.json"),
    "wrong format": (lambda m, _: m.update(format="pickle"), "unknown format"),
    "future version": (lambda m, _: m.update(version=2), "unsupported format version 2"),
    "extra manifest key": (lambda m, _: m.update(hook="os.system"), "the manifest must be"),
    "not json": (lambda m, mem: mem.update({MANIFEST: b"{not json"}), "not valid JSON"),
    "nan constant": (
        set_root({"kind": "int", "value": float("nan")}),
        "non-JSON constant NaN",
    ),
    "deep nesting": (
        lambda m, mem: mem.update({MANIFEST: b"[" * 100000 + b"]" * 100000}),
        "not valid JSON",
    ),
    "deep nodes": (
        set_root(json.loads('{"kind":"list","items":[' * 300 + '{"kind":"none"}' + "]}" * 300)),
        "nested deeper",
    ),
    "npy version 3": (
        lambda m, mem: mem.update(
            {"ndgrad/tensors/0.npy": b"\x93NUMPY\x03\x00" + mem["ndgrad/tensors/0.npy"][8:]}
        ),
        "unsupported .npy version",
    ),
    "npy bad header": (
        lambda m, mem: mem.update({"ndgrad/tensors/0.npy": b"\x93NUMPY\x01\x00\x04\x00{xx}"}),
        "invalid .npy header",
    ),
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_manifests_are_refused(case):
    mutate, message = CRAFTED[case]
    with pytest.raises(ValueError, match=message):
        load_bytes(crafted(mutate))


def test_compressed_and_duplicate_entries_are_refused():
    arr = np.zeros(2)
    members = {MANIFEST: manifest_for([arr]), "ndgrad/tensors/0.npy": npy_bytes(arr)}
    with pytest.raises(ValueError, match="compressed or encrypted"):
        load_bytes(archive(members, compression=zipfile.ZIP_DEFLATED))
    buf = io.BytesIO(archive(members))
    with pytest.warns(UserWarning, match="Duplicate name"):
        with zipfile.ZipFile(buf, "a") as zf:
            zf.writestr("ndgrad/tensors/0.npy", npy_bytes(arr))
    with pytest.raises(ValueError, match="duplicate entry names"):
        load_bytes(buf.getvalue())


@pytest.mark.parametrize("raw", [b"", b"PK", b"hello world", b"PK\x03\x04" + b"\0" * 40])
def test_not_an_archive(raw):
    with pytest.raises(RuntimeError, match="corrupted or truncated"):
        load_bytes(raw)


def test_truncated_files_all_raise():
    raw = saved_bytes({"w": ndgrad.randn(4, 4), "b": [1, 2.5, "x"]})
    for cut in range(0, len(raw), 7):
        with pytest.raises((ValueError, RuntimeError), match="ndgrad.load"):
            load_bytes(raw[:cut])


def test_corrupted_tensor_bytes_fail_the_crc():
    t = ndgrad.arange(64.0)
    raw = bytearray(saved_bytes(t))
    at = raw.rfind(np.float32(63.0).tobytes())
    raw[at] ^= 0xFF
    with pytest.raises(RuntimeError, match="Bad CRC-32"):
        load_bytes(bytes(raw))


def test_random_corruption_only_raises_clear_errors():
    raw = saved_bytes(
        collections.OrderedDict(w=ndgrad.randn(3, 3), step=ndgrad.tensor(2), lr=[0.1, None])
    )
    rng = random.Random(0)
    for _ in range(400):
        bad = bytearray(raw)
        for _ in range(rng.randint(1, 3)):
            bad[rng.randrange(len(bad))] = rng.randrange(256)
        try:
            load_bytes(bytes(bad))
        except (ValueError, RuntimeError) as e:
            assert "ndgrad.load" in str(e)
