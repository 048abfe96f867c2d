"""nn.Module, Parameter, Buffer and the containers: registration, traversal, state, hooks, repr."""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ndgrad
import ndgrad.nn as nn


def _net(m):
    """A nested model built the same way from torch.nn or ndgrad.nn."""

    class Block(m.Module):
        def __init__(self):
            super().__init__()
            self.conv = m.Conv2d(2, 4, 3, padding=1)
            self.bn = m.BatchNorm2d(4)
            self.register_buffer("scale", m.Parameter(m.Linear(1, 1).weight.detach()[0]).data)
            self.register_buffer("tmp", None, persistent=False)

        def forward(self, x):
            return m.functional.relu(self.bn(self.conv(x))) * self.scale

    return m.Sequential(
        OrderedDict(
            [
                ("block", Block()),
                ("pool", m.AdaptiveAvgPool2d(1)),
                ("flat", m.Flatten()),
                ("heads", m.ModuleList([m.Linear(4, 3), m.Linear(4, 3), m.Linear(4, 2)])),
                ("table", m.ModuleDict({"act": m.ReLU(), "drop": m.Dropout(0.1)})),
                ("rnn", m.LSTM(3, 4, batch_first=True)),
            ]
        )
    )


# ------------------------------------------------------------------ Parameter and Buffer
def test_parameter_basics():
    p = nn.Parameter(ndgrad.tensor([1.0, 2.0]))
    assert isinstance(p, ndgrad.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert not nn.Parameter(ndgrad.ones(2), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    y = p * 2
    assert type(y) is ndgrad.Tensor
    y.sum().backward()
    assert p.grad.tolist() == [2.0, 2.0]


def test_parameter_shares_data():
    t = ndgrad.zeros(3)
    p = nn.Parameter(t)
    with ndgrad.no_grad():
        p.add_(1)
    assert t.tolist() == [1.0, 1.0, 1.0]


def test_parameter_repr_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.5, -2.0], [0.25, 3.0]], np.float32)
    assert repr(nn.Parameter(ndgrad.tensor(a))) == repr(torch.nn.Parameter(torch.tensor(a)))
    b = np.arange(3.0)
    assert repr(nn.Parameter(ndgrad.tensor(b))).replace("ndgrad", "torch") == repr(
        torch.nn.Parameter(torch.tensor(b))
    )


def test_parameter_integer_error_matches_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as te:
        torch.nn.Parameter(torch.tensor([1, 2]))
    with pytest.raises(RuntimeError) as ne:
        nn.Parameter(ndgrad.tensor([1, 2]))
    assert str(ne.value) == str(te.value)


def test_parameter_copy_and_pickle():
    p = nn.Parameter(ndgrad.tensor([1.0, 2.0]))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad and q.tolist() == [1.0, 2.0]
    m = nn.Linear(2, 2)
    m2 = copy.deepcopy(m)
    assert m2.weight is not m.weight and ndgrad.equal(m2.weight, m.weight)
    m3 = pickle.loads(pickle.dumps(m))
    assert isinstance(m3.weight, nn.Parameter) and ndgrad.equal(m3.bias, m.bias)


def test_buffer():
    m = nn.Module()
    m.b = nn.Buffer(ndgrad.ones(2))
    m.c = nn.Buffer(ndgrad.zeros(1), persistent=False)
    assert [k for k, _ in m.named_buffers()] == ["b", "c"]
    assert list(m.state_dict()) == ["b"]
    m.b = ndgrad.zeros(2)  # a plain tensor assigned to a buffer name stays a buffer
    assert m._buffers["b"].tolist() == [0.0, 0.0]


# ------------------------------------------------------------------------- Module basics
def test_setattr_registers_and_reassigns():
    m = nn.Module()
    m.w = nn.Parameter(ndgrad.ones(1))
    m.sub = nn.Linear(1, 1)
    m.register_buffer("buf", ndgrad.zeros(1))
    m.x = 3
    assert "w" in m._parameters and "sub" in m._modules and "buf" in m._buffers
    assert "x" in m.__dict__
    m.w = None
    assert m._parameters["w"] is None and m.w is None
    m.sub = nn.ReLU()
    assert isinstance(m._modules["sub"], nn.ReLU)
    # A Parameter replaces a plain attribute of the same name.
    m.x = nn.Parameter(ndgrad.ones(1))
    assert "x" not in m.__dict__ and "x" in m._parameters
    del m.x
    assert "x" not in m._parameters
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        _ = m.nope


def test_module_errors_match_torch():
    torch = pytest.importorskip("torch")

    def run(lib, f):
        with pytest.raises(Exception) as e:
            f(lib)
        return type(e.value), str(e.value)

    cases = [
        lambda lib: setattr(lib.nn.Linear(1, 1), "weight", lib.ones(1, 1)),
        lambda lib: setattr(lib.nn.Sequential(lib.nn.ReLU()), "0", 3),
        lambda lib: lib.nn.Module().register_buffer("a.b", None),
        lambda lib: lib.nn.Module().register_buffer("", None),
        lambda lib: lib.nn.Module().register_buffer("x", 3),
        lambda lib: lib.nn.Module().register_buffer(1, None),
        lambda lib: lib.nn.Module().register_parameter("p", lib.ones(1)),
        lambda lib: lib.nn.Module().register_parameter("a.b", None),
        lambda lib: lib.nn.Module().register_parameter("p", lib.nn.Parameter(lib.ones(1)) * 2),
        lambda lib: lib.nn.Module().add_module("m", 3),
        lambda lib: lib.nn.Module().add_module("a.b", lib.nn.ReLU()),
        lambda lib: lib.nn.Module().add_module("", lib.nn.ReLU()),
        lambda lib: lib.nn.Linear(1, 1).register_buffer("weight", None),
        lambda lib: lib.nn.Linear(1, 1).train("yes"),
        lambda lib: lib.nn.Linear(1, 1).to(lib.int64),
        lambda lib: lib.nn.Module()(1),
        lambda lib: lib.nn.Sequential(lib.nn.ReLU())[3],
        lambda lib: lib.nn.Sequential() + 3,
        lambda lib: lib.nn.ModuleList().extend(3),
        lambda lib: lib.nn.ParameterList()(1),
        lambda lib: lib.nn.Linear(1, 1).get_submodule("a"),
        lambda lib: lib.nn.Linear(1, 1).get_parameter("bias.x"),
        lambda lib: lib.nn.Sequential(lib.nn.Linear(1, 1)).get_parameter("0.in_features"),
    ]
    for f in cases:
        te, tm = run(torch, f)
        ne, nmsg = run(ndgrad, f)
        assert ne is te, (nmsg, tm)
        assert nmsg.replace("ndgrad", "torch") == tm


class _Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = self.a  # shared
        self.c = nn.Sequential(nn.Linear(2, 1), nn.Tanh())
        self.p = nn.Parameter(ndgrad.ones(1))

    def forward(self, x):
        return self.c(self.b(self.a(x))) * self.p


def test_traversal():
    m = _Tiny()
    assert [k for k, _ in m.named_parameters()] == [
        "p",
        "a.weight",
        "a.bias",
        "c.0.weight",
        "c.0.bias",
    ]
    assert len(list(m.parameters())) == 5
    all_names = [k for k, _ in m.named_parameters(remove_duplicate=False)]
    assert "b.weight" in all_names and len(all_names) == 7
    assert [k for k, _ in m.named_parameters(prefix="m", recurse=False)] == ["m.p"]
    assert [k for k, _ in m.named_children()] == ["a", "c"]
    assert [k for k, _ in m.named_modules()] == ["", "a", "c", "c.0", "c.1"]
    assert [k for k, _ in m.named_modules(remove_duplicate=False)] == [
        "", "a", "b", "c", "c.0", "c.1"
    ]  # fmt: skip
    assert m.get_submodule("c.1").__class__ is nn.Tanh
    assert m.get_parameter("c.0.bias") is m.c[0].bias
    assert list(m.state_dict()) == [
        "p", "a.weight", "a.bias", "b.weight", "b.bias", "c.0.weight", "c.0.bias"
    ]  # fmt: skip


def test_traversal_matches_torch_on_nested_model():
    torch = pytest.importorskip("torch")
    t, n = _net(torch.nn), _net(nn)
    assert [k for k, _ in t.named_parameters()] == [k for k, _ in n.named_parameters()]
    assert [k for k, _ in t.named_buffers()] == [k for k, _ in n.named_buffers()]
    assert [k for k, _ in t.named_modules()] == [k for k, _ in n.named_modules()]
    assert list(t.state_dict()) == list(n.state_dict())
    assert list(t.state_dict(prefix="x.")) == list(n.state_dict(prefix="x."))
    assert list(t.state_dict()._metadata) == list(n.state_dict()._metadata)
    assert repr(t) == repr(n)
    assert [d for d in dir(t) if not d.startswith("_")] == [
        d for d in dir(n) if not d.startswith("_")
    ] or set(k for k in dir(n) if not k.startswith("_")) >= {"block", "heads", "rnn", "forward"}


def test_train_eval_requires_grad_zero_grad():
    m = _Tiny()
    assert m.training and m.c[1].training
    assert m.eval() is m and not m.c[1].training
    m.train()
    assert m.c[0].training
    m(ndgrad.ones(3, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_order_and_dtype_conversion():
    m = _Tiny()
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Linear", "Tanh", "Sequential", "_Tiny"]
    w = m.a.weight
    assert m.double() is m
    assert m.a.weight is w and w.dtype == ndgrad.float64  # same Parameter, new data
    assert m(ndgrad.ones(1, 2, dtype=ndgrad.float64)).dtype == ndgrad.float64
    m.to(ndgrad.float32)
    assert w.dtype == ndgrad.float32
    m.half()
    assert w.dtype == ndgrad.float16
    m.float()
    bn = nn.BatchNorm1d(2).double()
    assert bn.running_mean.dtype == ndgrad.float64 and bn.num_batches_tracked.dtype == ndgrad.int64
    assert m.to("cpu") is m and m.cpu() is m
    m.to(ndgrad.zeros(1, dtype=ndgrad.float64))
    assert w.dtype == ndgrad.float64


# ---------------------------------------------------------------------------- state dict
def test_state_dict_values_and_keep_vars():
    m = nn.Linear(2, 3)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict) and list(sd) == ["weight", "bias"]
    assert not sd["weight"].requires_grad and type(sd["weight"]) is ndgrad.Tensor
    assert ndgrad.equal(sd["weight"], m.weight)
    assert m.state_dict(keep_vars=True)["weight"] is m.weight


def test_load_state_dict_roundtrip_and_errors():
    a, b = _Tiny(), _Tiny()
    res = b.load_state_dict(a.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert repr(res) == "<All keys matched successfully>"
    assert all(ndgrad.equal(x, y) for x, y in zip(a.parameters(), b.parameters()))
    sd = a.state_dict()
    del sd["p"]
    sd["extra"] = ndgrad.ones(1)
    res = b.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["p"] and res.unexpected_keys == ["extra"]
    with pytest.raises(RuntimeError) as e:
        b.load_state_dict(sd)
    assert str(e.value) == (
        'Error(s) in loading state_dict for _Tiny:\n\tMissing key(s) in state_dict: "p". '
        '\n\tUnexpected key(s) in state_dict: "extra". '
    )
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        b.load_state_dict([1])


def test_load_state_dict_errors_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda lib: {"weight": lib.ones(2, 2)},
        lambda lib: {"weight": lib.ones(3, 2), "bias": lib.ones(3), "junk.x": lib.ones(1)},
        lambda lib: {"weight": lib.ones(3, 3), "bias": lib.ones(3)},
        lambda lib: {"weight": 1.0, "bias": lib.ones(3)},
    ]
    for make in cases:
        torch.manual_seed(0)
        with pytest.raises(RuntimeError) as te:
            torch.nn.Linear(2, 3).load_state_dict(make(torch))
        with pytest.raises(RuntimeError) as ne:
            nn.Linear(2, 3).load_state_dict(make(ndgrad))
        assert str(ne.value).replace("ndgrad", "torch") == str(te.value).replace(
            "torch.Tensor'", "ndgrad._tensor.Tensor'"
        ).replace("ndgrad", "torch")


def test_load_torch_state_dict_into_nested_model():
    torch = pytest.importorskip("torch")
    t, n = _net(torch.nn), _net(nn)
    n.load_state_dict({k: ndgrad.tensor(v.numpy()) for k, v in t.state_dict().items()})
    t.eval()
    n.eval()
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 5)).astype(np.float32)
    tx, nx = torch.tensor(x), ndgrad.tensor(x)
    for name in ("block", "pool", "flat"):
        tx, nx = t._modules[name](tx), n._modules[name](nx)
    np.testing.assert_allclose(nx.detach().numpy(), tx.detach().numpy(), atol=1e-5)
    th, nh = t.heads[2](tx), n.heads[2](nx)
    np.testing.assert_allclose(nh.detach().numpy(), th.detach().numpy(), atol=1e-5)


def test_load_state_dict_assign():
    m = nn.Linear(2, 2)
    w = ndgrad.ones(2, 2)
    m.load_state_dict({"weight": w, "bias": ndgrad.zeros(2)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]


# --------------------------------------------------------------------------------- hooks
def test_forward_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append("post") or out + 1)
    h3 = m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
    out = m(ndgrad.ones(1, 2))
    assert calls == ["first", "post"]
    assert np.allclose(out.detach().numpy(), m.bias.detach().numpy() + 1)
    for h in (h1, h2, h3):
        h.remove()
    assert np.allclose(m(ndgrad.zeros(1, 2)).detach().numpy(), m.bias.detach().numpy())
    m.register_forward_pre_hook(
        lambda mod, args, kwargs: ((args[0] + 1,), kwargs), with_kwargs=True
    )
    m.register_forward_hook(lambda mod, args, kwargs, out: out * 0, with_kwargs=True)
    assert m(ndgrad.zeros(1, 2)).tolist() == [[0.0, 0.0]]


def test_always_call_hook_runs_on_error():
    m = nn.Linear(2, 2)
    seen = []
    m.register_forward_hook(lambda *a: seen.append(1), always_call=True)
    with pytest.raises(RuntimeError):
        m(ndgrad.ones(1, 3))
    assert seen == [1]


# ---------------------------------------------------------------------------- containers
def test_sequential():
    s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(s) == 3 and isinstance(s[-1], nn.Linear)
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and len(sub) == 2 and sub[0] is s[1]
    assert list(sub._modules) == ["1", "2"]
    s.append(nn.Sigmoid())
    s.insert(0, nn.Identity())
    assert [type(x).__name__ for x in s] == ["Identity", "Linear", "ReLU", "Linear", "Sigmoid"]
    del s[0]
    assert list(s._modules) == ["0", "1", "2", "3"]
    s.extend([nn.Tanh()])
    s[4] = nn.Identity()
    assert isinstance(s[4], nn.Identity)
    assert s(ndgrad.ones(4, 2)).shape == (4, 1)
    assert len(s + nn.Sequential(nn.ReLU())) == 6
    assert len(nn.Sequential(nn.ReLU()) * 3) == 3
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.ReLU())]))
    assert named.fc is named[0] and list(named.state_dict()) == ["fc.weight", "fc.bias"]
    assert isinstance(s.pop(1), nn.ReLU) and len(s) == 4


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    ml.append(nn.ReLU())
    ml.insert(1, nn.Tanh())
    assert [type(x).__name__ for x in ml] == ["Linear", "Tanh", "Linear", "Linear", "ReLU"]
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    del ml[1]
    assert list(ml._modules) == ["0", "1", "2", "3"]
    ml += [nn.Identity()]
    assert len(ml) == 5 and len(list(ml.parameters())) == 6
    md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 1)})
    assert list(md.keys()) == ["b", "a"] and "a" in md and len(md) == 2
    md["c"] = nn.Tanh()
    md.update([("d", nn.Identity())])
    assert list(md) == ["b", "a", "c", "d"]
    assert isinstance(md.pop("b"), nn.ReLU) and list(md.keys()) == ["a", "c", "d"]
    assert [k for k, _ in md.named_parameters()] == ["a.weight", "a.bias"]


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(ndgrad.ones(2)), ndgrad.zeros(3)])
    assert isinstance(pl[1], nn.Parameter) and len(pl) == 2
    pl.append(ndgrad.ones(1, 1))
    assert [k for k, _ in pl.named_parameters()] == ["0", "1", "2"]
    pd = nn.ParameterDict({"w": ndgrad.ones(2), "v": nn.Parameter(ndgrad.zeros(1))})
    assert sorted(pd.keys()) == ["v", "w"] and isinstance(pd["w"], nn.Parameter)
    pd["z"] = ndgrad.ones(1)
    assert "z" in pd and len(pd) == 3
    assert [k for k, _ in pd.named_parameters()] == list(pd.keys())


def test_container_reprs_match_torch():
    torch = pytest.importorskip("torch")

    def build(m, lib):
        return m.Sequential(
            m.ModuleList([m.Linear(2, 2), m.Linear(2, 2), m.ReLU(), m.Linear(2, 2)]),
            m.ModuleDict({"x": m.Tanh()}),
            m.ModuleList(),
            m.Sequential(),
        ), (
            m.ParameterList([m.Parameter(lib.ones(2, 3)), lib.zeros(4)]),
            m.ParameterDict({"a": m.Parameter(lib.ones(2)), "b": lib.zeros(1, 2)}),
        )

    (ts, tps), (ns, nps) = build(torch.nn, torch), build(nn, ndgrad)
    assert repr(ns) == repr(ts)
    for t, n in zip(tps, nps):
        assert repr(n).replace("ndgrad", "torch") == repr(t)


def test_repr_and_extra_repr_fixed():
    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 3, bias=False)

        def extra_repr(self):
            return "k=1\nj=2"

    assert repr(Custom()) == (
        "Custom(\n  k=1\n  j=2\n  (fc): Linear(in_features=2, out_features=3, bias=False)\n)"
    )
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU()])) == "ModuleList(\n  (0-1): 2 x ReLU()\n)"


def test_dir_lists_children_and_parameters():
    m = _Tiny()
    d = dir(m)
    for name in ("a", "c", "p", "forward", "training", "state_dict"):
        assert name in d
    assert d == sorted(d)
    assert "0" not in dir(nn.Sequential(nn.ReLU()))


def test_custom_module_training_step():
    ndgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    x = ndgrad.randn(32, 3)
    y = x.sum(1, keepdim=True)
    loss_fn = nn.MSELoss()
    first = None
    for _ in range(60):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        with ndgrad.no_grad():
            for p in model.parameters():
                p.sub_(0.1 * p.grad)
        first = first if first is not None else loss.item()
    assert loss.item() < 0.2 * first
