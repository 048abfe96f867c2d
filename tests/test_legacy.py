"""Old-lesson idioms behave as in torch 2.13: each test runs on ndgrad and, if installed, torch."""

from __future__ import annotations

import importlib
import importlib.util
import warnings

import numpy as np
import pytest

LIBS = ["ndgrad"] + (["torch"] if importlib.util.find_spec("torch") else [])
NOT_COMPILED = "Torch not compiled with CUDA enabled"


@pytest.fixture(params=LIBS)
def lib(request):
    return importlib.import_module(request.param)


def caught(fn):
    """Run ``fn``; return its result and the (category, message) of each warning."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        result = fn()
    return result, [(x.category, str(x.message)) for x in w]


def test_variable_volatile_warns_and_has_no_effect(lib):
    from_autograd = importlib.import_module(lib.__name__ + ".autograd")
    x = lib.tensor([1.0, 2.0])
    v, w = caught(lambda: from_autograd.Variable(x, volatile=True))
    assert w == [
        (
            UserWarning,
            "volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
        )
    ]
    assert not v.requires_grad and v.tolist() == [1.0, 2.0]
    assert caught(lambda: from_autograd.Variable(x, volatile=False))[1] == []
    with pytest.raises(ValueError, match="can't be volatile and require_grad at the same time"):
        caught(lambda: from_autograd.Variable(x, requires_grad=True, volatile=True))


def test_functional_sigmoid_and_tanh_need_no_warning(lib):
    x = lib.tensor([-1.0, 0.5])
    s, w1 = caught(lambda: lib.nn.functional.sigmoid(x))
    t, w2 = caught(lambda: lib.nn.functional.tanh(x))
    assert w1 == w2 == []
    np.testing.assert_allclose(s.numpy(), 1 / (1 + np.exp([1.0, -0.5])), rtol=1e-6)
    np.testing.assert_allclose(t.numpy(), np.tanh([-1.0, 0.5]), rtol=1e-6)


DEPRECATED_INIT = [
    ("uniform", ()),
    ("normal", ()),
    ("constant", (0.5,)),
    ("eye", ()),
    ("xavier_uniform", ()),
    ("xavier_normal", ()),
    ("kaiming_uniform", ()),
    ("kaiming_normal", ()),
    ("orthogonal", ()),
    ("sparse", (0.5,)),
]


@pytest.mark.parametrize("name, args", DEPRECATED_INIT)
def test_init_without_underscore_warns_and_draws_the_same(lib, name, args):
    lib.manual_seed(3)
    w, warned = caught(lambda: getattr(lib.nn.init, name)(lib.empty(3, 5), *args))
    msg = f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`."
    assert warned == [(FutureWarning, msg)]
    lib.manual_seed(3)
    same = getattr(lib.nn.init, name + "_")(lib.empty(3, 5), *args)
    assert np.array_equal(w.numpy(), same.numpy())


def test_init_dirac_without_underscore(lib):
    w, warned = caught(lambda: lib.nn.init.dirac(lib.empty(2, 2, 3)))
    assert warned[0][0] is FutureWarning
    assert w[:, :, 1].tolist() == [[1.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("name, args", [("xavier_uniform", ()), ("sparse", (0.4,))])
def test_init_without_underscore_matches_torch(name, args):
    torch = pytest.importorskip("torch")
    import ndgrad

    drawn = []
    for lib in (torch, ndgrad):
        lib.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = getattr(lib.nn.init, name)(lib.empty(7, 6), *args)
        drawn.append((w.numpy().copy(), lib.rand(2).tolist()))  # and the stream after it
    assert np.array_equal(drawn[0][0], drawn[1][0]) and drawn[0][1] == drawn[1][1]


def test_type_conversions(lib):
    x = lib.tensor([1.5, 2.0])
    assert x.type() == lib.__name__ + ".FloatTensor"
    assert x.type(lib.DoubleTensor).dtype == lib.float64
    assert x.type("torch.DoubleTensor").dtype == lib.float64
    assert x.type(lib.LongTensor).tolist() == [1, 2]
    assert lib.arange(3).type() == lib.__name__ + ".LongTensor"
    assert isinstance(x, lib.FloatTensor) and not isinstance(x, lib.DoubleTensor)


def test_legacy_constructors(lib):
    assert tuple(lib.FloatTensor(2, 3).shape) == (2, 3)
    assert lib.FloatTensor(2, 3).dtype == lib.float32
    assert lib.FloatTensor([2, 3]).tolist() == [2.0, 3.0]
    assert tuple(lib.FloatTensor(lib.Size([4, 1])).shape) == (4, 1)
    assert tuple(lib.FloatTensor().shape) == (0,)
    assert lib.LongTensor([1, 2]).dtype == lib.int64
    assert lib.Tensor([2]).tolist() == [2.0]
    assert tuple(lib.Tensor(2, 3).shape) == (2, 3)
    assert lib.ByteTensor([1, 0]).dtype == lib.uint8


def test_new_tensors_take_this_ones_dtype(lib):
    x = lib.ones(2, dtype=lib.float64)
    assert tuple(x.new(2, 3).shape) == (2, 3) and x.new(2, 3).dtype == lib.float64
    assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new([1]).dtype == lib.float64
    assert x.new_zeros(2, 3).dtype == lib.float64 and x.new_zeros((2,)).tolist() == [0.0, 0.0]
    assert x.new_ones(2, dtype=lib.int64).tolist() == [1, 1]
    assert x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert tuple(x.new_empty(3).shape) == (3,)
    t = x.new_tensor([1, 2], requires_grad=True)
    assert t.dtype == lib.float64 and t.requires_grad
    _, warned = caught(lambda: x.new_tensor(x))
    assert warned and "rather than tensor.new_tensor(sourceTensor)" in warned[0][1]


@pytest.mark.parametrize(
    "kwargs, reduction",
    [
        ({"size_average": False}, "sum"),
        ({"size_average": True}, "mean"),
        ({"reduce": True}, "mean"),
        ({"reduce": False}, "none"),
        ({"size_average": False, "reduce": False}, "none"),
        ({"size_average": True, "reduce": True}, "mean"),
        ({"size_average": False, "reduce": True}, "sum"),
    ],
)
def test_size_average_and_reduce(lib, kwargs, reduction):
    F = lib.nn.functional
    a = lib.tensor([1.0, 2.0, 3.0])
    b = lib.tensor([1.5, 2.0, 0.0])
    logits = lib.tensor([[1.0, 2.0], [0.0, 1.0]])
    target = lib.tensor([0, 1])
    cases = [
        (lambda **k: lib.nn.MSELoss(**k)(a, b), F.mse_loss, (a, b)),
        (lambda **k: lib.nn.L1Loss(**k)(a, b), F.l1_loss, (a, b)),
        (
            lambda **k: lib.nn.CrossEntropyLoss(**k)(logits, target),
            F.cross_entropy,
            (logits, target),
        ),
        (lambda **k: F.nll_loss(logits, target, **k), F.nll_loss, (logits, target)),
    ]
    for old_style, fn, args in cases:
        got, warned = caught(lambda f=old_style: f(**kwargs))
        assert [c for c, _ in warned] == [UserWarning]
        want = fn(*args, reduction=reduction)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_size_average_warning_text(lib):
    _, warned = caught(lambda: lib.nn.MSELoss(size_average=False))
    assert warned == [
        (
            UserWarning,
            "size_average and reduce args will be deprecated, please use reduction='sum' instead.",
        )
    ]


def test_device(lib):
    assert repr(lib.device("cpu")) == "device(type='cpu')"
    assert str(lib.device("cuda", 1)) == "cuda:1"
    assert lib.device("cuda:0") == lib.device("cuda", 0)
    assert lib.ones(1).device == lib.device("cpu") != "cpu"
    assert lib.ones(1).get_device() == -1
    if lib.cuda.is_available():
        assert lib.device(0) == lib.device("cuda", 0)
    else:
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none"):
            lib.device(0)


def test_cuda_module_on_a_cpu_only_build(lib):
    if lib.cuda.is_available():
        pytest.skip("this torch has a GPU")
    assert lib.cuda.device_count() == 0 and not lib.cuda.is_initialized()
    assert lib.cuda.manual_seed(0) is None and lib.cuda.manual_seed_all(0) is None
    assert lib.cuda.seed() is None and lib.cuda.empty_cache() is None
    with pytest.raises(AssertionError, match=NOT_COMPILED):
        lib.cuda.current_device()
    with pytest.raises(TypeError, match="type torch.cuda.FloatTensor not available"):
        lib.cuda.FloatTensor([1.0])
    assert not isinstance(lib.ones(1), lib.cuda.FloatTensor)
    assert lib.backends.cudnn.is_available() is False
    assert lib.backends.mps.is_available() is False


def test_cpu_and_cuda(lib):
    if lib.cuda.is_available():
        pytest.skip("this library has a GPU")
    x = lib.ones(2)
    assert x.cpu() is x and x.is_cuda is False
    m = lib.nn.Linear(2, 2)
    assert m.cpu() is m
    for call in (x.cuda, lambda: x.to("cuda"), m.cuda, lambda: lib.zeros(2, device="cuda")):
        with pytest.raises(AssertionError, match=NOT_COMPILED):
            call()


def test_format_of_tensors(lib):
    loss = lib.tensor(1.23456)
    assert f"{loss:.4f}" == "1.2346"
    assert f"{loss}" == "1.2345600128173828"
    assert f"{lib.tensor(3):5d}" == "    3"
    assert f"{lib.tensor([1.5])}" == "tensor([1.5000])"
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        f"{lib.tensor([1.5]):.4f}"
    p = lib.nn.Parameter(lib.tensor(1.0))
    with pytest.raises(TypeError, match="unsupported format string passed to Parameter"):
        f"{p:.2f}"


def test_python_scalars(lib):
    assert float(lib.tensor(2.5)) == 2.5 and float(lib.tensor([[2.5]])) == 2.5
    assert int(lib.tensor(3.7)) == 3 and bool(lib.tensor([0.0])) is False
    assert [10, 20, 30][lib.tensor(1)] == 20
    two = lib.tensor([1.0, 2.0])
    for convert in (float, int, complex):
        with pytest.raises(ValueError, match="^only one element tensors can be converted"):
            convert(two)
    with pytest.raises(ValueError, match="only one element tensors"):
        float(lib.tensor([]))
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted"):
        two.item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one"):
        bool(two)
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        [1, 2][lib.tensor(1.0)]


def test_float_of_a_tensor_requiring_grad_warns(lib):
    t = lib.tensor(2.0, requires_grad=True)
    value, warned = caught(lambda: float(t))
    assert value == 2.0
    assert warned and warned[0][1].startswith(
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
        "behavior.\nConsider using tensor.detach() first."
    )
    with lib.no_grad():
        assert caught(lambda: float(t))[1] == []
    assert caught(lambda: int(t))[1] == [] and caught(lambda: t.item())[1] == []


def test_indexing_a_0_dim_loss_raises_as_torch(lib):
    loss = (lib.ones(3, requires_grad=True) * 2).mean()
    message = "invalid index of a 0-dim tensor. Use `tensor.item()` in Python"
    with pytest.raises(IndexError, match=message.replace("(", r"\(").replace(")", r"\)")):
        loss.data[0]
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        loss[0]
    assert loss.data.item() == 2.0


def printed_objects(lib):
    nn = lib.nn
    lib.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.fc = nn.Linear(16 * 5 * 5, 120, bias=False)
            self.rnn = nn.LSTM(3, 4, num_layers=2, batch_first=True, dropout=0.1)
            self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Tanh(), nn.Dropout(0.2)])
            self.heads = nn.ModuleDict({"a": nn.ReLU(inplace=True), "b": nn.LogSoftmax(dim=1)})
            self.norm = nn.BatchNorm1d(4)
            self.embed = nn.Embedding(10, 3, padding_idx=0)

    net = Net()
    params = [nn.Parameter(lib.ones(2))]
    return [
        net,
        nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Softmax(dim=1), nn.CrossEntropyLoss()),
        lib.optim.SGD(params, lr=0.1, momentum=0.9),
        lib.optim.Adam([{"params": params}, {"params": [nn.Parameter(lib.ones(1))], "lr": 0.1}]),
        lib.optim.RMSprop(params),
        lib.randn(3, 4),
        lib.randn(2, requires_grad=True) * 2,
        nn.Parameter(lib.randn(2)),
        lib.arange(5),
        lib.randn(30, 30),
        lib.tensor(3.5),
        lib.tensor([1e-8, 1.0, 1e5]),
    ]


def test_print_of_modules_optimizers_and_tensors_is_torchs():
    torch = pytest.importorskip("torch")
    import ndgrad

    for ours, theirs in zip(printed_objects(ndgrad), printed_objects(torch)):
        assert str(ours).replace("ndgrad.", "torch.") == str(theirs)
