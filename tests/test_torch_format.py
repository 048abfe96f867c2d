"""torch.save's zip format: read and written bit for bit against torch, crafted files refused."""

import collections
import io
import pickle
import struct
import sys
import zipfile

import numpy as np
import pytest

import ndgrad

DTYPES = [
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
]


def sample(name, shape=(3, 4), seed=0):
    """Values of every kind a dtype can hold, specials included, as a NumPy array."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if name == "bool":
        return rng.integers(0, 2, n).astype(bool).reshape(shape)
    np_dtype = np.dtype(name)
    if np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        vals = rng.integers(info.min, info.max, n, dtype=np_dtype, endpoint=True)
        vals[:2] = [info.min, info.max]
        return vals.reshape(shape)
    special = [np.nan, np.inf, -np.inf, -0.0, 1e-8]
    vals = rng.standard_normal(n) * 100
    vals[: len(special)] = special
    if np_dtype.kind == "c":
        vals = vals + 1j * rng.standard_normal(n)
    return vals.astype(np_dtype).reshape(shape)


def nd_bits(t):
    a = np.ascontiguousarray(t.detach().numpy())
    return str(t.dtype).split(".")[-1], a.shape, a.tobytes()


def torch_bits(t):
    a = np.ascontiguousarray(t.detach().resolve_conj().resolve_neg().numpy())
    return str(t.dtype).split(".")[-1], a.shape, a.tobytes()


def nd_save(obj):
    buf = io.BytesIO()
    ndgrad.save(obj, buf, format="torch")
    return buf.getvalue()


def nd_load(raw, **kwargs):
    return ndgrad.load(io.BytesIO(raw), **kwargs)


def torch_save(torch, obj, **kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf, **kwargs)
    return buf.getvalue()


def torch_load(torch, raw):
    return torch.load(io.BytesIO(raw), weights_only=True)


def members(raw):
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def archive(entries, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


def edited(raw, changes):
    """``raw`` re-zipped with entries replaced (bytes) or dropped (None), named under archive/."""
    entries = members(raw)
    for short, content in changes.items():
        name = "archive/" + short
        assert name in entries, name
        if content is None:
            entries.pop(name)
        else:
            entries[name] = content
    return archive(entries)


def torch_zip(pkl, storages=None, byteorder=b"little"):
    """A torch.save-style archive around a hand-made data.pkl."""
    entries = {"archive/data.pkl": pkl, "archive/byteorder": byteorder}
    for key, data in (storages or {}).items():
        entries[f"archive/data/{key}"] = data
    entries["archive/version"] = b"3\n"
    return archive(entries)


def call_global(module, name, *args):
    """A protocol-2 pickle that calls ``module.name(*args)`` (string args) when unpickled."""
    out = b"\x80\x02c" + f"{module}\n{name}\n".encode() + b"("
    for a in args:
        raw = a.encode()
        out += b"X" + struct.pack("<I", len(raw)) + raw
    return out + b"tR."


# ----------------------------------------------------------------- torch -> ndgrad, values


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_from_torch_is_bitwise_equal(name):
    torch = pytest.importorskip("torch")
    arr = sample(name)
    src = {"t": torch.from_numpy(arr.copy()), "scalar": torch.from_numpy(arr[0, :1].copy())[0]}
    out = nd_load(torch_save(torch, src))
    for k, t in src.items():
        assert out[k].dtype is getattr(ndgrad, name)
        assert nd_bits(out[k]) == torch_bits(t), k


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_to_torch_is_bitwise_equal(name):
    torch = pytest.importorskip("torch")
    arr = sample(name, (2, 3, 2), seed=1)
    src = [ndgrad.from_numpy(arr.copy()), ndgrad.from_numpy(arr.copy()).reshape(-1)[3]]
    back = torch_load(torch, nd_save(src))
    for mine, theirs in zip(src, back):
        assert theirs.dtype is getattr(torch, name)
        assert torch_bits(theirs) == nd_bits(mine)


def torch_views(torch):
    base = torch.arange(60, dtype=torch.float64).reshape(3, 4, 5)
    return base, {
        "base": base,
        "slice": base[1:, :, 2:4],
        "step": base[:, ::2, ::3],
        "transpose": base.transpose(0, 2),
        "select": base[2, 1],
        "scalar": base[1, 2, 3],
        "expand": base[0, 0, :1].expand(4, 3),
        "empty": base[:, 1:1],
        "strided": base.as_strided((2, 3), (7, 2), 5),
        "narrow": base.reshape(-1).narrow(0, 17, 9),
    }


def test_views_from_torch_keep_geometry_and_share_memory():
    torch = pytest.importorskip("torch")
    _, views = torch_views(torch)
    out = nd_load(torch_save(torch, views))
    base = out["base"].numpy()
    for k, t in views.items():
        assert tuple(out[k].shape) == tuple(t.shape), k
        assert nd_bits(out[k]) == torch_bits(t), k
        if t.numel():
            assert np.shares_memory(out[k].numpy(), base), k
            assert out[k].stride() == t.stride(), k
    # Writing through one view shows in the others, as in torch; expanded views are read-only.
    out["slice"][0, 0, 0] = -1.0
    assert out["base"][1, 0, 2].item() == -1.0
    assert not out["expand"].numpy().flags.writeable


def test_views_to_torch_share_one_storage():
    torch = pytest.importorskip("torch")
    base = ndgrad.arange(60, dtype=ndgrad.float32).reshape(3, 4, 5)
    views = {
        "base": base,
        "slice": base[1:, :, 2:4],
        "step": base[:, ::2, ::3],
        "transpose": base.transpose(0, 2),
        "select": base[2, 1],
        "flat": base.reshape(-1)[17:26],
        "expand": base[0, 0, :1].expand(4, 3),
    }
    back = torch_load(torch, nd_save(views))
    ptr = back["base"].untyped_storage().data_ptr()
    for k, t in views.items():
        assert torch_bits(back[k]) == nd_bits(t), k
        assert back[k].stride() == t.stride(), k
        assert back[k].untyped_storage().data_ptr() == ptr, k
    back["slice"][0, 0, 0] = -1.0
    assert back["base"][1, 0, 2].item() == -1.0


def test_parameters_and_requires_grad_both_ways():
    torch = pytest.importorskip("torch")
    src = {
        "p": torch.nn.Parameter(torch.randn(3, 2)),
        "frozen": torch.nn.Parameter(torch.randn(2), requires_grad=False),
        "leaf": torch.randn(2, requires_grad=True),
        "plain": torch.randn(2),
    }
    out = nd_load(torch_save(torch, src))
    for k, t in src.items():
        assert isinstance(out[k], ndgrad.nn.Parameter) == isinstance(t, torch.nn.Parameter), k
        assert out[k].requires_grad == t.requires_grad, k
        assert nd_bits(out[k]) == torch_bits(t), k
    back = torch_load(torch, nd_save(out))
    for k, t in src.items():
        assert type(back[k]) is type(t), k
        assert back[k].requires_grad == t.requires_grad, k
        assert torch_bits(back[k]) == torch_bits(t), k


def plain(x):
    """A torch- or ndgrad-free picture of a loaded object, to compare the two libraries'."""
    if isinstance(x, dict):
        return (type(x).__name__, [(plain(k), plain(v)) for k, v in x.items()])
    if isinstance(x, (list, tuple)):
        kind = "Size" if type(x).__name__ == "Size" else type(x).__name__
        return (kind, [plain(v) for v in x])
    if isinstance(x, set):
        return ("set", sorted(x))
    if type(x).__name__ in ("dtype", "device"):
        return (type(x).__name__, str(x).split(".")[-1])
    if type(x).__name__ in ("Tensor", "Parameter"):
        a = np.ascontiguousarray(x.detach().numpy())
        return (type(x).__name__, str(a.dtype), a.shape, a.tobytes(), x.requires_grad)
    if isinstance(x, float) and x != x:
        return "nan"
    return (type(x).__name__, x)


def test_plain_values_both_ways():
    torch = pytest.importorskip("torch")
    values = {
        "ints": [0, 1, -1, 255, 256, 65535, 65536, -(2**31), 2**31, 2**70, -(2**200)],
        "floats": (0.5, -0.0, float("inf"), float("nan"), 1e-310),
        "text": ["", "héllo ☃", "a" * 300],
        "misc": [None, True, False, b"\x00\xffbytes", 1 + 2j, {3, 1, 2}],
        "nested": {1: {"a": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)]}, (1, "k"): []},
        "ordered": collections.OrderedDict([("z", 1), ("a", 2)]),
    }
    theirs = {**values, "size": torch.Size([2, 0, 3]), "dtype": torch.float16}
    theirs["device"] = torch.device("cpu")
    mine = {**values, "size": ndgrad.Size([2, 0, 3]), "dtype": ndgrad.float16}
    mine["device"] = ndgrad.device("cpu")
    from_torch = nd_load(torch_save(torch, theirs))
    assert plain(from_torch) == plain(theirs)
    assert plain(torch_load(torch, nd_save(mine))) == plain(theirs)


# ---------------------------------------------------------------- models and optimizers


def torch_cnn(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 5),
    )


def nd_cnn():
    nn = ndgrad.nn
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 3 * 3, 5),
    )


def test_torch_cnn_state_dict_loads_into_ndgrad_modules():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch_cnn(torch)
    x = torch.randn(3, 2, 6, 6)
    model.train()
    model(x)  # moves BatchNorm's running statistics off their defaults
    model.eval()
    sd = nd_load(torch_save(torch, model.state_dict()))
    assert isinstance(sd, collections.OrderedDict)
    assert sd._metadata == model.state_dict()._metadata
    mine = nd_cnn()
    mine.load_state_dict(sd)
    mine.eval()
    got = mine(ndgrad.tensor(x.numpy())).detach().numpy()
    np.testing.assert_allclose(got, model(x).detach().numpy(), rtol=1e-5, atol=1e-5)
    for k, v in model.state_dict().items():
        assert nd_bits(mine.state_dict()[k]) == torch_bits(v), k


def test_ndgrad_state_dict_loads_into_torch_modules():
    torch = pytest.importorskip("torch")
    ndgrad.manual_seed(0)
    mine = nd_cnn()
    x = ndgrad.randn(3, 2, 6, 6)
    mine(x)
    mine.eval()
    model = torch_cnn(torch)
    model.load_state_dict(torch_load(torch, nd_save(mine.state_dict())))
    model.eval()
    got = model(torch.from_numpy(x.numpy())).detach().numpy()
    np.testing.assert_allclose(got, mine(x).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_adam_state_dict_both_ways():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(theirs.parameters(), lr=0.01, betas=(0.8, 0.9))
    x = torch.randn(4, 3)
    for _ in range(2):
        opt.zero_grad()
        theirs(x).pow(2).sum().backward()
        opt.step()
    mine = ndgrad.nn.Linear(3, 2)
    mine.load_state_dict(nd_load(torch_save(torch, theirs.state_dict())))
    nd_opt = ndgrad.optim.Adam(mine.parameters(), lr=0.5)
    nd_opt.load_state_dict(nd_load(torch_save(torch, opt.state_dict())))
    assert nd_opt.param_groups[0]["lr"] == 0.01
    assert nd_opt.param_groups[0]["betas"] == (0.8, 0.9)
    # One more step on each side with the same gradients gives the same weights.
    opt.zero_grad()
    theirs(x).pow(2).sum().backward()
    opt.step()
    nd_opt.zero_grad()
    mine(ndgrad.tensor(x.numpy())).pow(2).sum().backward()
    nd_opt.step()
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(mine.state_dict()[k].numpy(), v.numpy(), rtol=1e-5, atol=1e-6)
    # And ndgrad's optimizer state goes back into torch's optimizer.
    opt2 = torch.optim.Adam(theirs.parameters(), lr=1.0)
    opt2.load_state_dict(torch_load(torch, nd_save(nd_opt.state_dict())))
    assert opt2.param_groups[0]["lr"] == 0.01
    step = opt2.state_dict()["state"][0]["step"]
    assert float(step) == 3.0


def test_real_files_on_disk_and_load_options(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2, 3)}, path)  # torch names the folder after the file: model/
    out = ndgrad.load(path, map_location="cpu", weights_only=True)
    assert out["w"].tolist() == [[1.0] * 3] * 2
    ndgrad.save(out, tmp_path / "back.pt", format="torch")
    assert torch.load(tmp_path / "back.pt", weights_only=True)["w"].tolist() == [[1.0] * 3] * 2


def test_conj_and_neg_bits_are_resolved():
    torch = pytest.importorskip("torch")
    z = torch.tensor([1 + 2j, -3 - 4j])
    for t in (z.conj(), torch._neg_view(torch.tensor([1.5, -2.0]))):
        assert t.is_conj() or t.is_neg()
        assert nd_bits(nd_load(torch_save(torch, t))) == torch_bits(t)


@pytest.mark.parametrize("name", ["bfloat16", "uint16"])
def test_dtypes_ndgrad_lacks_raise_clearly(name):
    torch = pytest.importorskip("torch")
    raw = torch_save(torch, {"t": torch.ones(2, dtype=getattr(torch, name))})
    with pytest.raises(RuntimeError, match=f"torch.{name} data, a dtype ndgrad does not have"):
        nd_load(raw)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit's own deprecation notice
def test_legacy_and_torchscript_files_are_refused():
    torch = pytest.importorskip("torch")
    raw = torch_save(torch, {"w": torch.ones(2)}, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="unsupported legacy format"):
        nd_load(raw)
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), buf)
    with pytest.raises(RuntimeError, match="TorchScript"):
        nd_load(buf.getvalue())


def test_torch_refuses_what_ndgrad_refuses_to_write():
    torch = pytest.importorskip("torch")
    # frozenset is not among torch.load(weights_only=True)'s globals, so it is not written.
    with pytest.raises(TypeError, match="cannot store an object of type frozenset"):
        nd_save({"f": frozenset([1])})
    torch_load(torch, nd_save({"s": {1, 2}}))


# ----------------------------------------------------------------- without torch: round trips


@pytest.mark.parametrize("name", DTYPES)
def test_round_trip_every_dtype(name):
    arr = sample(name, (2, 5), seed=3)
    t = ndgrad.from_numpy(arr.copy())
    src = {"t": t, "view": t[:, 1::2], "scalar": t[1, 2]}
    out = nd_load(nd_save(src))
    for k in src:
        assert nd_bits(out[k]) == nd_bits(src[k]), k
        assert out[k].stride() == src[k].stride(), k
    assert np.shares_memory(out["view"].numpy(), out["t"].numpy())


def test_round_trip_structure_parameters_and_metadata():
    lin = ndgrad.nn.Linear(3, 2)
    sd = lin.state_dict()
    p = ndgrad.nn.Parameter(ndgrad.randn(2))
    obj = {
        "sd": sd,
        "p": p,
        "again": p,
        "x": (1, 2.5, None, True, "s", b"b", 1j, {1}),
        "size": ndgrad.Size([1, 2]),
        "dtype": ndgrad.int16,
        "device": ndgrad.device("cpu"),
        "grad": ndgrad.ones(2, requires_grad=True),
        "empty": ndgrad.zeros(0, 4),
    }
    out = nd_load(nd_save(obj))
    assert plain(out) == plain(obj)
    assert type(out["sd"]) is collections.OrderedDict and out["sd"]._metadata == sd._metadata
    assert isinstance(out["p"], ndgrad.nn.Parameter) and out["p"].requires_grad
    assert out["again"] is out["p"]
    assert out["grad"].requires_grad and out["empty"].shape == (0, 4)
    assert out["dtype"] is ndgrad.int16


def test_layout_alignment_and_determinism():
    t = ndgrad.arange(10.0)
    raw = nd_save({"a": t, "b": t[2:], "c": ndgrad.ones(3, dtype=ndgrad.int8)})
    assert raw == nd_save({"a": t, "b": t[2:], "c": ndgrad.ones(3, dtype=ndgrad.int8)})
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert names == [
            "archive/data.pkl",
            "archive/.format_version",
            "archive/.storage_alignment",
            "archive/byteorder",
            "archive/data/0",
            "archive/data/1",
            "archive/version",
            "archive/.data/serialization_id",
        ]
        assert zf.read("archive/byteorder") == b"little"
        assert zf.read("archive/data/0") == np.arange(10.0, dtype=np.float32).tobytes()
        for info in infos:
            assert info.compress_type == zipfile.ZIP_STORED
            name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26 :][:4])
            assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0, info.filename
        assert zf.read("archive/data.pkl")[:2] == b"\x80\x02"


def test_big_endian_files_are_swapped():
    raw = nd_save([ndgrad.tensor([1.5, -2.0], dtype=ndgrad.float64), ndgrad.tensor([7, 9])])
    entries = members(raw)
    entries["archive/byteorder"] = b"big"
    for key in ("0", "1"):
        name = f"archive/data/{key}"
        entries[name] = np.frombuffer(entries[name], "<i8").byteswap().tobytes()
    out = nd_load(archive(entries))
    assert out[0].tolist() == [1.5, -2.0] and out[1].tolist() == [7, 9]


def test_save_refuses_what_it_cannot_write():
    with pytest.raises(TypeError, match="cannot store an object of type object"):
        nd_save({"x": object()})
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        nd_save(loop)
    with pytest.raises(ValueError, match="unknown format"):
        ndgrad.save({}, io.BytesIO(), format="pickle")


# ------------------------------------------------------------------------- crafted files


class Reduce:
    """Pickles as a call of ``fn(*args)``: what a malicious checkpoint does."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def evil_payloads(marker):
    import os
    import subprocess

    return {
        "os.system": call_global("os", "system", f"touch {marker}"),
        "posix.system": pickle.dumps(Reduce(os.system, f"touch {marker}"), protocol=2),
        "builtins.eval": call_global("builtins", "eval", f"open({str(marker)!r}, 'w')"),
        "builtins.exec": call_global("builtins", "exec", f"open({str(marker)!r}, 'w')"),
        "subprocess.Popen": pickle.dumps(
            Reduce(subprocess.Popen, ["touch", str(marker)]), protocol=2, fix_imports=False
        ),
        "io.open": pickle.dumps(Reduce(open, str(marker), "w"), protocol=2),
        "builtins.getattr": call_global("builtins", "getattr", "x", "y"),
        "torch.load": call_global("torch", "load", str(marker)),
        "torch.nn.modules.linear.Linear": call_global("torch.nn.modules.linear", "Linear"),
        "numpy.core.multiarray._reconstruct": call_global("numpy.core.multiarray", "_reconstruct"),
    }


@pytest.mark.parametrize("refused", list(evil_payloads("m")))
def test_malicious_globals_are_refused_and_never_run(tmp_path, refused):
    marker = tmp_path / "pwned"
    pkl = evil_payloads(marker)[refused]
    # Nested inside an ordinary state dict, as a real attack would be.
    wrapped = pkl[:2] + b"}X\x01\x00\x00\x00w" + pkl[2:-1] + b"s."
    for data in (pkl, wrapped):
        with pytest.raises(pickle.UnpicklingError, match=f"refuses to load global '{refused}'"):
            nd_load(torch_zip(data))
    assert not marker.exists()


def test_the_eval_payload_is_live(tmp_path):
    """The refused payloads are real: plain pickle would have run this one."""
    marker = tmp_path / "ran"
    pickle.loads(call_global("builtins", "eval", f"open({str(marker)!r}, 'w').close()"))
    assert marker.exists()


def test_build_and_newobj_are_refused_outside_ordered_dicts():
    before = ndgrad.float32.name
    # BUILD on a dtype would set attributes on the process-wide ndgrad.float32.
    attack = b"\x80\x02ctorch\nfloat32\nN}X\x04\x00\x00\x00nameX\x01\x00\x00\x00xs\x86b."
    with pytest.raises(pickle.UnpicklingError, match="refuses to set the state of a dtype"):
        nd_load(torch_zip(attack))
    assert ndgrad.float32.name == before
    dunder = b"\x80\x02ccollections\nOrderedDict\n)R}X\t\x00\x00\x00__class__Nsb."
    with pytest.raises(pickle.UnpicklingError, match="attribute '__class__'"):
        nd_load(torch_zip(dunder))
    newobj = b"\x80\x02ctorch\nSize\n)\x81."
    with pytest.raises(pickle.UnpicklingError, match="refuses to create an object"):
        nd_load(torch_zip(newobj))


def test_persistent_ids_other_than_storages_are_refused():
    pkl = b"\x80\x02X\x04\x00\x00\x00evilQ."
    with pytest.raises(pickle.UnpicklingError, match="refuses the persistent id 'evil'"):
        nd_load(torch_zip(pkl))


def test_backward_hooks_and_unknown_metadata_are_refused():
    raw = nd_save(ndgrad.ones(2))
    pkl = members(raw)["archive/data.pkl"]
    # The hooks argument is the empty OrderedDict() made just before the closing "tR".
    assert pkl.count(b")RtR") == 1
    hooked = pkl.replace(b")RtR", b")RK\x01K\x02stR")  # SETITEM: hooks become {1: 2}
    with pytest.raises(pickle.UnpicklingError, match="backward hooks"):
        nd_load(edited(raw, {"data.pkl": hooked}))
    tagged = pkl.replace(b")RtR", b")R}X\x03\x00\x00\x00zapK\x01stR")  # metadata {"zap": 1}
    with pytest.raises(pickle.UnpicklingError, match="tensor metadata"):
        nd_load(edited(raw, {"data.pkl": tagged}))


def test_missing_storage_is_refused():
    raw = nd_save({"w": ndgrad.ones(3)})
    with pytest.raises(ValueError, match="storage '0', which the archive lacks"):
        nd_load(edited(raw, {"data/0": None}))


def test_wrong_storage_size_is_refused():
    raw = nd_save({"w": ndgrad.ones(3)})
    for wrong in (b"\x00" * 8, b"\x00" * 16, b""):
        with pytest.raises(ValueError, match="holds .* bytes, but data.pkl says 3 float32"):
            nd_load(edited(raw, {"data/0": wrong}))


def test_tensor_reaching_past_its_storage_is_refused():
    t = ndgrad.arange(12.0)
    raw = nd_save(t.reshape(3, 4)[1:])
    entries = members(raw)
    entries["archive/data/0"] = entries["archive/data/0"][:32]
    pkl = entries["archive/data.pkl"].replace(b"K\x0c", b"K\x08")  # numel 12 -> 8
    entries["archive/data.pkl"] = pkl
    with pytest.raises(ValueError, match="past its storage of 8 elements"):
        nd_load(archive(entries))


def test_unknown_storage_dtypes_are_named():
    pkl = members(nd_save(ndgrad.ones(2)))["archive/data.pkl"]
    bf16 = pkl.replace(b"FloatStorage", b"BFloat16Storage")
    raw = torch_zip(bf16, {"0": b"\x00" * 8})
    with pytest.raises(RuntimeError, match="torch.bfloat16 data"):
        nd_load(raw)


def test_truncated_archives_never_load():
    raw = nd_save({"w": ndgrad.arange(50.0), "v": [1, 2, 3]})
    errors = (ValueError, RuntimeError, pickle.UnpicklingError)
    for cut in range(0, len(raw), 37):
        with pytest.raises(errors):
            nd_load(raw[:cut])


def test_corrupted_bytes_never_load_silently():
    raw = nd_save({"w": ndgrad.arange(50.0), "v": [1, 2, 3]})
    errors = (ValueError, RuntimeError, pickle.UnpicklingError)
    for pos in range(0, len(raw), 11):
        bad = bytearray(raw)
        bad[pos] ^= 0xFF
        try:
            out = nd_load(bytes(bad))
        except errors:
            continue
        # A flip the zip format does not cover (e.g. a timestamp) must leave the data intact.
        assert out["w"].tolist() == list(np.arange(50.0)) and out["v"] == [1, 2, 3], pos


def test_garbage_pickles_and_compressed_entries_are_refused():
    with pytest.raises(pickle.UnpicklingError, match="invalid data.pkl"):
        nd_load(torch_zip(b"\x80\x02\xff\xfe"))
    with pytest.raises(pickle.UnpicklingError, match="invalid data.pkl"):
        nd_load(torch_zip(b"\x80\x02(K\x01"))  # ends without STOP
    raw = nd_save({"w": ndgrad.ones(3)})
    deflated = archive(members(raw), compression=zipfile.ZIP_DEFLATED)
    with pytest.raises(ValueError, match="compressed or encrypted"):
        nd_load(deflated)
    with pytest.raises(ValueError, match="unknown byteorder"):
        nd_load(edited(raw, {"byteorder": b"middle"}))


def test_deep_nesting_loads_without_recursion():
    depth = sys.getrecursionlimit() * 2
    pkl = b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b"."  # lists nested depth deep
    out = nd_load(torch_zip(pkl))
    for _ in range(depth - 1):
        out = out[0]
    assert out == []
