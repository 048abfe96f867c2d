"""The Tensor API: creation functions, attributes, conversions, in-place methods and repr."""

from typing import Any

import numpy as np
import pytest

import ndgrad


def to_torch_text(text):
    return text.replace("torch.", "ndgrad.")


def same_repr(fn):
    """``fn(lib)`` prints the same through ndgrad and torch (``torch.`` read as ``ndgrad.``)."""
    torch = pytest.importorskip("torch")
    assert repr(fn(ndgrad)) == to_torch_text(repr(fn(torch)))


def values(t):
    return np.asarray(t.detach().numpy())


def assert_tensor(t, expected, dtype):
    assert isinstance(t, ndgrad.Tensor)
    assert t.dtype is dtype
    np.testing.assert_array_equal(values(t), np.asarray(expected, dtype=dtype.np))
    assert t.shape == np.asarray(expected).shape


# ======================================================================= creation
def test_tensor_from_nested_lists():
    t = ndgrad.tensor([[1, 2, 3], [4, 5, 6]])
    assert_tensor(t, [[1, 2, 3], [4, 5, 6]], ndgrad.int64)
    assert t.shape == (2, 3)
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]
    t = ndgrad.tensor([[[1.5]], [[2.5]]])
    assert_tensor(t, [[[1.5]], [[2.5]]], ndgrad.float32)


def test_tensor_from_scalars():
    t = ndgrad.tensor(3)
    assert t.shape == ()
    assert t.dim() == 0
    assert t.item() == 3
    assert t.dtype is ndgrad.int64
    assert ndgrad.tensor(2.5).item() == 2.5
    assert ndgrad.tensor(True).item() is True
    assert ndgrad.tensor(False).dtype is ndgrad.bool
    assert ndgrad.tensor(1 + 2j).item() == 1 + 2j


def test_tensor_from_bools():
    t = ndgrad.tensor([True, False, True])
    assert_tensor(t, [True, False, True], ndgrad.bool)
    assert t.tolist() == [True, False, True]


def test_tensor_dtype_argument_converts():
    assert_tensor(ndgrad.tensor([1, 2], dtype=ndgrad.float64), [1.0, 2.0], ndgrad.float64)
    assert_tensor(ndgrad.tensor([1.7, -1.7], dtype=ndgrad.int32), [1, -1], ndgrad.int32)
    assert_tensor(ndgrad.tensor([0, 2], dtype=ndgrad.bool), [False, True], ndgrad.bool)
    assert_tensor(ndgrad.tensor(np.arange(3), dtype=ndgrad.float16), [0, 1, 2], ndgrad.float16)


def test_tensor_requires_grad_argument():
    t = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad
    assert t.is_leaf
    assert t.grad is None
    assert t.grad_fn is None
    assert not ndgrad.tensor([1.0]).requires_grad
    c = ndgrad.tensor([1j], requires_grad=True)
    assert c.requires_grad


def test_tensor_copies_numpy_array():
    a = np.array([1.0, 2.0, 3.0])
    t = ndgrad.tensor(a)
    assert t.dtype is ndgrad.float64
    a[0] = 100.0
    assert t.tolist() == [1.0, 2.0, 3.0]
    t[1] = 50.0
    t.add_(1)
    assert a.tolist() == [100.0, 2.0, 3.0]


def test_tensor_copies_tensor():
    x = ndgrad.tensor([1.0, 2.0])
    y = ndgrad.tensor(x)
    x[0] = 9.0
    assert y.tolist() == [1.0, 2.0]


def test_from_numpy_shares_memory():
    a = np.array([[1, 2], [3, 4]], dtype=np.int32)
    t = ndgrad.from_numpy(a)
    assert t.dtype is ndgrad.int32
    a[0, 0] = 10
    assert t.tolist() == [[10, 2], [3, 4]]
    t[1, 1] = 40
    assert a[1, 1] == 40
    assert np.shares_memory(t.numpy(), a)


def test_as_tensor_shares_numpy_memory():
    a = np.array([1.0, 2.0])
    t = ndgrad.as_tensor(a)
    a[0] = 5.0
    assert t.tolist() == [5.0, 2.0]


def test_tensor_from_list_of_tensors():
    t = ndgrad.tensor([ndgrad.tensor(1.0), ndgrad.tensor(2.5)])
    assert_tensor(t, [1.0, 2.5], ndgrad.float32)


def test_empty_data():
    t = ndgrad.tensor([])
    assert t.shape == (0,)
    assert t.dtype is ndgrad.float32
    assert ndgrad.tensor([[], []]).shape == (2, 0)


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.tensor([[1, 2], [3, 4]]),
        lambda L: L.tensor([1.5, -2.0, 3.25]),
        lambda L: L.tensor(7),
        lambda L: L.tensor([True, False]),
        lambda L: L.tensor([1, 2.5, True]),
        lambda L: L.tensor(np.array([1.0, 2.0])),
        lambda L: L.tensor(np.array([1, 2], dtype=np.uint8)),
        lambda L: L.tensor([[1.0, 2.0]], dtype=L.float64, requires_grad=True),
        lambda L: L.tensor(2.0, requires_grad=True),
        lambda L: L.tensor([1, 2], dtype=L.int16),
        lambda L: L.tensor([1 + 1j, 2]),
        lambda L: L.tensor([]),
    ],
)
def test_tensor_vs_torch(make):
    same_repr(make)


# ------------------------------------------------------------- legacy constructors
def test_legacy_tensor_from_data():
    t = ndgrad.Tensor([2])
    assert_tensor(t, [2.0], ndgrad.float32)
    t = ndgrad.Tensor([[1, 2], [3, 4]])
    assert_tensor(t, [[1.0, 2.0], [3.0, 4.0]], ndgrad.float32)
    assert isinstance(t, ndgrad.Tensor)
    assert not t.requires_grad


def test_legacy_tensor_from_sizes():
    t = ndgrad.Tensor(2, 3)
    assert t.shape == (2, 3)
    assert t.dtype is ndgrad.float32
    assert ndgrad.Tensor().shape == (0,)
    assert ndgrad.Tensor(ndgrad.Size([4, 1])).shape == (4, 1)


def test_legacy_typed_constructors():
    assert_tensor(ndgrad.FloatTensor([1, 2]), [1.0, 2.0], ndgrad.float32)
    assert_tensor(ndgrad.DoubleTensor([1, 2]), [1.0, 2.0], ndgrad.float64)
    assert_tensor(ndgrad.LongTensor([1.7, 2]), [1, 2], ndgrad.int64)
    assert ndgrad.FloatTensor(2, 3).shape == (2, 3)
    assert ndgrad.LongTensor(3).dtype is ndgrad.int64
    assert ndgrad.LongTensor(3).shape == (3,)


def test_legacy_isinstance_checks():
    f = ndgrad.ones(2)
    d = ndgrad.ones(2, dtype=ndgrad.float64)
    n = ndgrad.tensor([1, 2])
    assert isinstance(f, ndgrad.FloatTensor)
    assert not isinstance(f, ndgrad.DoubleTensor)
    assert not isinstance(f, ndgrad.LongTensor)
    assert isinstance(d, ndgrad.DoubleTensor)
    assert not isinstance(d, ndgrad.FloatTensor)
    assert isinstance(n, ndgrad.LongTensor)
    assert not isinstance(n, ndgrad.FloatTensor)
    assert not isinstance(np.ones(2), ndgrad.FloatTensor)
    for t in (f, d, n, ndgrad.FloatTensor([1])):
        assert isinstance(t, ndgrad.Tensor)
    assert f.type() == "ndgrad.FloatTensor"
    assert d.type() == "ndgrad.DoubleTensor"
    assert n.type() == "ndgrad.LongTensor"


def test_legacy_vs_torch():
    torch = pytest.importorskip("torch")
    for make in (
        lambda L: L.Tensor([2]),
        lambda L: L.Tensor([[1, 2]]),
        lambda L: L.FloatTensor([1, 2]),
        lambda L: L.DoubleTensor([1, 2]),
        lambda L: L.LongTensor([1.7, 2]),
        lambda L: L.Tensor(),
    ):
        same_repr(make)
    for make in (lambda L: L.Tensor(2, 3), lambda L: L.FloatTensor(4), lambda L: L.LongTensor(2)):
        a, b = make(ndgrad), make(torch)
        assert tuple(a.shape) == tuple(b.shape)
        assert repr(a.dtype) == to_torch_text(repr(b.dtype))


# ------------------------------------------------------------------ factories
def test_zeros_ones():
    assert_tensor(ndgrad.zeros(2, 3), np.zeros((2, 3)), ndgrad.float32)
    assert_tensor(ndgrad.zeros((2, 3)), np.zeros((2, 3)), ndgrad.float32)
    assert_tensor(ndgrad.zeros([4]), np.zeros(4), ndgrad.float32)
    assert_tensor(ndgrad.ones(3, dtype=ndgrad.int64), [1, 1, 1], ndgrad.int64)
    assert_tensor(ndgrad.ones(2, dtype=ndgrad.bool), [True, True], ndgrad.bool)
    assert ndgrad.zeros(()).shape == ()
    assert ndgrad.zeros(0, 3).shape == (0, 3)
    t = ndgrad.ones(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf


def test_full():
    assert_tensor(ndgrad.full((2, 2), 7), [[7, 7], [7, 7]], ndgrad.int64)
    assert_tensor(ndgrad.full((2,), 1.5), [1.5, 1.5], ndgrad.float32)
    assert_tensor(ndgrad.full((2,), True), [True, True], ndgrad.bool)
    assert_tensor(ndgrad.full((1, 2), 3, dtype=ndgrad.float64), [[3.0, 3.0]], ndgrad.float64)
    assert_tensor(ndgrad.full([3], -2.0, dtype=ndgrad.int8), [-2, -2, -2], ndgrad.int8)


def test_empty():
    t = ndgrad.empty(2, 3)
    assert t.shape == (2, 3)
    assert t.dtype is ndgrad.float32
    assert ndgrad.empty((4,), dtype=ndgrad.int32).dtype is ndgrad.int32


def test_eye():
    assert_tensor(ndgrad.eye(3), np.eye(3), ndgrad.float32)
    assert_tensor(ndgrad.eye(2, 3), np.eye(2, 3), ndgrad.float32)
    assert_tensor(ndgrad.eye(2, dtype=ndgrad.int64), [[1, 0], [0, 1]], ndgrad.int64)


def test_arange():
    assert_tensor(ndgrad.arange(5), [0, 1, 2, 3, 4], ndgrad.int64)
    assert_tensor(ndgrad.arange(2, 8, 3), [2, 5], ndgrad.int64)
    assert_tensor(ndgrad.arange(5, 0, -2), [5, 3, 1], ndgrad.int64)
    assert_tensor(ndgrad.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75], ndgrad.float32)
    assert_tensor(ndgrad.arange(1.0, 4), [1.0, 2.0, 3.0], ndgrad.float32)
    assert_tensor(ndgrad.arange(3, dtype=ndgrad.float64), [0.0, 1.0, 2.0], ndgrad.float64)
    assert ndgrad.arange(0, 1, 0.1).shape == (10,)


def test_linspace():
    assert_tensor(ndgrad.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1.0], ndgrad.float32)
    assert_tensor(ndgrad.linspace(-1, 1, 3, dtype=ndgrad.float64), [-1, 0, 1], ndgrad.float64)
    assert_tensor(ndgrad.linspace(2, 3, 1), [2.0], ndgrad.float32)
    assert ndgrad.linspace(0, 1, 0).shape == (0,)


def test_random_shapes_and_dtypes():
    assert ndgrad.randn(2, 3).shape == (2, 3)
    assert ndgrad.randn((4,)).dtype is ndgrad.float32
    assert ndgrad.randn(2, dtype=ndgrad.float64).dtype is ndgrad.float64
    assert ndgrad.rand(3, 1).shape == (3, 1)
    assert ndgrad.rand(3, dtype=ndgrad.float64).dtype is ndgrad.float64
    r = ndgrad.randint(5, (3,))
    assert r.shape == (3,) and r.dtype is ndgrad.int64
    r = ndgrad.randint(2, 5, (3, 2))
    assert r.shape == (3, 2) and r.dtype is ndgrad.int64
    assert ndgrad.randint(0, 4, (2,), dtype=ndgrad.int32).dtype is ndgrad.int32
    assert ndgrad.randn(2, requires_grad=True).requires_grad


def test_random_ranges():
    ndgrad.manual_seed(1234)
    u = values(ndgrad.rand(20000))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.02
    n = values(ndgrad.randn(20000))
    assert abs(n.mean()) < 0.03
    assert abs(n.std() - 1.0) < 0.03
    r = values(ndgrad.randint(3, 7, (5000,)))
    assert set(r.tolist()) == {3, 4, 5, 6}


def test_manual_seed_reproducible():
    draws = []
    for seed in (0, 0, 1):
        ndgrad.manual_seed(seed)
        draws.append(
            (
                ndgrad.randn(5).tolist(),
                ndgrad.rand(2, 2).tolist(),
                ndgrad.randint(0, 100, (6,)).tolist(),
                ndgrad.randn_like(ndgrad.zeros(3)).tolist(),
                ndgrad.rand_like(ndgrad.zeros(3)).tolist(),
            )
        )
    assert draws[0] == draws[1]
    for a, c in zip(draws[0], draws[2]):
        assert a != c


def test_manual_seed_sequence_advances():
    ndgrad.manual_seed(7)
    a = ndgrad.randn(4).tolist()
    b = ndgrad.randn(4).tolist()
    assert a != b
    ndgrad.manual_seed(7)
    assert ndgrad.randn(4).tolist() == a
    assert ndgrad.randn(4).tolist() == b


def test_manual_seed_returns_generator_and_initial_seed():
    g = ndgrad.manual_seed(42)
    assert isinstance(g, ndgrad.Generator)
    assert ndgrad.initial_seed() == 42


def test_like_functions():
    base = ndgrad.tensor([[1, 2, 3]], dtype=ndgrad.int32)
    assert_tensor(ndgrad.zeros_like(base), [[0, 0, 0]], ndgrad.int32)
    assert_tensor(ndgrad.ones_like(base), [[1, 1, 1]], ndgrad.int32)
    assert_tensor(ndgrad.full_like(base, 7), [[7, 7, 7]], ndgrad.int32)
    assert_tensor(ndgrad.full_like(base, 2.7), [[2, 2, 2]], ndgrad.int32)
    assert_tensor(ndgrad.ones_like(base, dtype=ndgrad.float64), [[1.0] * 3], ndgrad.float64)
    f = ndgrad.ones(2, 2, dtype=ndgrad.float64, requires_grad=True)
    assert_tensor(ndgrad.full_like(f, 0.5), [[0.5, 0.5], [0.5, 0.5]], ndgrad.float64)
    assert not ndgrad.zeros_like(f).requires_grad
    assert ndgrad.zeros_like(f, requires_grad=True).requires_grad
    r = ndgrad.rand_like(f)
    assert r.shape == (2, 2) and r.dtype is ndgrad.float64
    r = ndgrad.randn_like(ndgrad.zeros(3, 1))
    assert r.shape == (3, 1) and r.dtype is ndgrad.float32
    assert ndgrad.rand_like(f, dtype=ndgrad.float32).dtype is ndgrad.float32


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.zeros(2, 3),
        lambda L: L.ones((2,), dtype=L.int32),
        lambda L: L.full((2, 2), 7),
        lambda L: L.full((2,), 7.0),
        lambda L: L.full((2,), False),
        lambda L: L.full((2,), 3, dtype=L.float64),
        lambda L: L.eye(3),
        lambda L: L.eye(2, 3, dtype=L.int64),
        lambda L: L.arange(5),
        lambda L: L.arange(0, 1, 0.25),
        lambda L: L.arange(1.0, 4),
        lambda L: L.arange(0, 1, 0.1),
        lambda L: L.arange(5, 0, -2),
        lambda L: L.arange(1, 2.5, 0.5, dtype=L.float64),
        lambda L: L.arange(L.tensor(3)),
        lambda L: L.linspace(0, 1, 5),
        lambda L: L.linspace(0, 10, 3, dtype=L.int64),
        lambda L: L.linspace(-1.0, 1.0, 4, dtype=L.float64),
        lambda L: L.zeros_like(L.ones(2, dtype=L.int32)),
        lambda L: L.ones_like(L.ones(2), dtype=L.float64),
        lambda L: L.full_like(L.ones(2, dtype=L.int64), 2.7),
        lambda L: L.full_like(L.ones(2), 2.5),
        lambda L: L.ones(2, requires_grad=True),
        lambda L: L.zeros_like(L.ones(2, requires_grad=True)),
    ],
)
def test_factories_vs_torch(make):
    same_repr(make)


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.empty(2, 3),
        lambda L: L.randn(2, 3),
        lambda L: L.rand(4, dtype=L.float64),
        lambda L: L.randint(5, (3,)),
        lambda L: L.randint(2, 5, (3, 2), dtype=L.int16),
        lambda L: L.rand_like(L.ones(2, 3, dtype=L.float64)),
        lambda L: L.randn_like(L.ones(2)),
        lambda L: L.empty_like(L.ones(2, dtype=L.int8)),
    ],
)
def test_nondeterministic_factories_shape_and_dtype_vs_torch(make):
    torch = pytest.importorskip("torch")
    a, b = make(ndgrad), make(torch)
    assert tuple(a.shape) == tuple(b.shape)
    assert repr(a.dtype) == to_torch_text(repr(b.dtype))
    assert a.requires_grad == b.requires_grad


# ===================================================================== attributes
def test_shape_size_dim_numel():
    t = ndgrad.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4)
    assert isinstance(t.shape, ndgrad.Size)
    assert isinstance(t.shape, tuple)
    assert repr(t.shape) == "ndgrad.Size([2, 3, 4])"
    assert t.size() == (2, 3, 4)
    assert isinstance(t.size(), ndgrad.Size)
    assert t.size(0) == 2
    assert t.size(-1) == 4
    assert t.size(1) == 3
    assert t.dim() == 3
    assert t.ndim == 3
    assert t.numel() == 24
    assert ndgrad.numel(t) == 24
    assert t.shape.numel() == 24
    s = ndgrad.tensor(5.0)
    assert s.shape == () and s.dim() == 0 and s.numel() == 1
    assert repr(s.shape) == "ndgrad.Size([])"
    assert ndgrad.zeros(0, 2).numel() == 0
    assert len(ndgrad.zeros(3, 2)) == 3


def test_size_vs_torch():
    torch = pytest.importorskip("torch")
    for make in (lambda L: L.zeros(2, 3), lambda L: L.tensor(1.0), lambda L: L.zeros(0, 5)):
        a, b = make(ndgrad), make(torch)
        assert repr(a.shape) == to_torch_text(repr(b.shape))
        assert repr(a.size()) == to_torch_text(repr(b.size()))
        assert (a.dim(), a.ndim, a.numel()) == (b.dim(), b.ndim, b.numel())


def test_dtype_and_device():
    t = ndgrad.ones(2)
    assert t.dtype is ndgrad.float32
    assert repr(t.device) == "device(type='cpu')"
    assert str(t.device) == "cpu"
    assert t.device == ndgrad.device("cpu")
    assert t.device.type == "cpu"
    assert not t.is_cuda


def test_device_vs_torch():
    torch = pytest.importorskip("torch")
    assert repr(ndgrad.ones(1).device) == repr(torch.ones(1).device)
    assert repr(ndgrad.device("cpu")) == repr(torch.device("cpu"))


def test_transpose_property():
    t = ndgrad.tensor([[1, 2, 3], [4, 5, 6]])
    assert t.T.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert t.T.shape == (3, 2)
    v = ndgrad.tensor([1, 2, 3])
    assert v.T.tolist() == [1, 2, 3]
    # A view: writing through it reaches the original.
    t.T[0, 1] = 40
    assert t.tolist() == [[1, 2, 3], [40, 5, 6]]


def test_item():
    assert ndgrad.tensor([2.5]).item() == 2.5
    assert isinstance(ndgrad.tensor([2.5]).item(), float)
    assert ndgrad.tensor([[7]]).item() == 7
    assert isinstance(ndgrad.tensor(3, dtype=ndgrad.int32).item(), int)
    assert ndgrad.tensor(True).item() is True
    assert ndgrad.tensor(1.5, requires_grad=True).item() == 1.5
    assert ndgrad.tensor(0.1).item() == pytest.approx(0.1, rel=1e-7)


def test_tolist():
    assert ndgrad.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    out = ndgrad.tensor([1.5, 2.5]).tolist()
    assert out == [1.5, 2.5]
    assert all(type(v) is float for v in out)
    assert ndgrad.tensor(2.5).tolist() == 2.5
    assert ndgrad.tensor([True]).tolist() == [True]
    assert type(ndgrad.tensor([1]).tolist()[0]) is int
    assert ndgrad.tensor([1.0], requires_grad=True).tolist() == [1.0]


def test_numpy_shares_memory_and_dtype():
    t = ndgrad.tensor([1.0, 2.0])
    a = t.numpy()
    assert isinstance(a, np.ndarray)
    assert a.dtype == np.float32
    a[0] = 5.0
    assert t.tolist() == [5.0, 2.0]
    assert ndgrad.tensor([1], dtype=ndgrad.int16).numpy().dtype == np.int16
    assert ndgrad.tensor([True]).numpy().dtype == np.bool_


def test_numpy_requires_grad_error():
    t = ndgrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        t.numpy()
    assert str(info.value) == (
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    )
    assert t.detach().numpy().tolist() == [1.0]


# --------------------------------------------------------------- data and grad
def test_data_get_shares_memory_without_history():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.data
    assert not d.requires_grad
    assert d.grad_fn is None
    assert d.is_leaf
    assert d.tolist() == [2.0, 4.0]
    x.data[0] = 7.0
    assert x.tolist() == [7.0, 2.0]
    assert x._version == 0


def test_data_set_replaces_values_keeps_flags():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    x.data = ndgrad.tensor([5.0, 6.0, 7.0])
    assert x.tolist() == [5.0, 6.0, 7.0]
    assert x.shape == (3,)
    assert x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    assert x.grad.tolist() == [10.0, 12.0, 14.0]


def test_data_set_allows_dtype_change_without_grad():
    x = ndgrad.tensor([1.0, 2.0])
    x.data = ndgrad.tensor([5, 6, 7])
    assert x.dtype is ndgrad.int64
    assert x.tolist() == [5, 6, 7]


def test_data_set_vs_torch():
    def f(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        x.data = L.tensor([5.0, 6.0, 7.0], dtype=L.float64)
        return x

    same_repr(f)


def test_grad_accumulates():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    assert x.grad is None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0]
    assert not x.grad.requires_grad
    assert x.grad.dtype is ndgrad.float32


def test_grad_set_and_delete():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    g = ndgrad.tensor([3.0, 4.0])
    x.grad = g
    assert x.grad is g
    x.grad = None
    assert x.grad is None
    x.grad = ndgrad.tensor([1.0, 1.0])
    del x.grad
    assert x.grad is None
    y = ndgrad.tensor([1.0])
    y.grad = ndgrad.tensor([2.0])
    assert y.grad.tolist() == [2.0]


def test_backward_accumulates_into_assigned_grad_in_place():
    # torch adds into the existing .grad tensor in place (outside create_graph).
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    g = ndgrad.tensor([3.0, 4.0])
    x.grad = g
    (x * 2).sum().backward()
    assert x.grad.tolist() == [5.0, 6.0]
    assert x.grad is g
    assert g.tolist() == [5.0, 6.0]


def test_grad_after_backward_held_by_user_vs_torch():
    def f(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        first = x.grad
        (x * 3).sum().backward()
        return first, x.grad, first is x.grad

    torch = pytest.importorskip("torch")
    a, b = f(ndgrad), f(torch)
    assert repr(a[0]) == repr(b[0]) and repr(a[1]) == repr(b[1]) and a[2] == b[2]


@pytest.mark.parametrize(
    "value, exc, text",
    [
        (
            lambda: ndgrad.ones(3),
            RuntimeError,
            "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. "
            "Please ensure that the gradient and the tensor are the same size",
        ),
        (
            lambda: ndgrad.ones(2, 1),
            RuntimeError,
            "attempting to assign a gradient of size '[2, 1]' to a tensor of size '[2]'. "
            "Please ensure that the gradient and the tensor are the same size",
        ),
        (
            lambda: [1.0, 2.0],
            TypeError,
            "assigned grad expected to be a Tensor or None but got grad of type list",
        ),
    ],
)
def test_grad_set_errors(value, exc, text):
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(exc) as info:
        x.grad = value()
    assert str(info.value) == text
    assert x.grad is None


def test_requires_grad_flag():
    x = ndgrad.tensor([1.0])
    assert not x.requires_grad
    x.requires_grad = True
    assert x.requires_grad
    y = x * 2
    assert y.requires_grad
    assert (x.detach() * 2).requires_grad is False
    with ndgrad.no_grad():
        assert not (x * 2).requires_grad
    assert not (ndgrad.ones(1) * ndgrad.ones(1)).requires_grad


def test_requires_grad_method():
    x = ndgrad.tensor([1.0, 2.0])
    assert x.requires_grad_() is x
    assert x.requires_grad
    assert x.requires_grad_(False) is x
    assert not x.requires_grad
    y = ndgrad.tensor([1.0], requires_grad=True) * 2
    assert y.requires_grad_() is y


def test_grad_fn_and_is_leaf():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    w = ndgrad.tensor([3.0, 4.0], requires_grad=True)
    c = ndgrad.tensor([1.0, 1.0])
    assert x.is_leaf and x.grad_fn is None
    assert c.is_leaf and c.grad_fn is None
    y = x * w + c
    assert not y.is_leaf
    assert y.grad_fn.name() == "AddBackward0"
    (mul, i), (const, j) = y.grad_fn.next_functions
    assert (i, j) == (0, 0)
    assert mul.name() == "MulBackward0"
    assert const is None
    (acc_x, _), (acc_w, _) = mul.next_functions
    assert type(acc_x).__name__ == "AccumulateGrad"
    assert acc_x.variable is x
    assert acc_w.variable is w
    assert acc_x.next_functions == ()
    assert (c * 2).is_leaf
    assert (c * 2).grad_fn is None


def grad_fn_tree(fn, depth=3):
    """Names in a grad_fn graph, leaves by type name, as nested tuples."""
    if fn is None:
        return None
    name = type(fn).__name__ if not hasattr(fn, "next_functions") else fn.name()
    if "AccumulateGrad" in name:
        return "AccumulateGrad"
    if depth == 0:
        return name
    return (name, tuple((grad_fn_tree(f, depth - 1), i) for f, i in fn.next_functions))


@pytest.mark.parametrize(
    "make",
    [
        lambda L, x, w: x * w + 1,
        lambda L, x, w: (x @ w.t()).sum(),
        lambda L, x, w: (x - w).exp().mean(),
        lambda L, x, w: (x / 2).relu().reshape(-1),
        lambda L, x, w: x[0] * w[1],
        lambda L, x, w: x.t().sigmoid(),
        lambda L, x, w: 2 - x.tanh(),
        lambda L, x, w: (x**2).sum(1),
        lambda L, x, w: x.double().clone(),
    ],
)
def test_grad_fn_graph_vs_torch(make):
    torch = pytest.importorskip("torch")
    trees = []
    for L in (ndgrad, torch):
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        w = L.tensor([[0.5, -1.0], [2.0, 1.5]], requires_grad=True)
        trees.append(grad_fn_tree(make(L, x, w).grad_fn))
    assert trees[0] == trees[1]


def test_retain_grad():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    assert y.retains_grad
    assert not x.retains_grad
    (y * y).sum().backward()
    assert y.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]
    z = x * 3
    (z * z).sum().backward()
    assert z.grad is None
    x.retain_grad()  # a no-op on a leaf
    assert x.grad.tolist() == [36.0, 72.0]


def test_detach():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert d.tolist() == [2.0, 4.0]
    dx = x.detach()
    dx[0] = 9.0
    assert x.tolist() == [9.0, 2.0]
    assert x.requires_grad


def test_detach_shares_version_counter():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.detach().add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_detach_inplace():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad
    assert y.grad_fn is None
    assert y.is_leaf
    assert y.tolist() == [2.0, 4.0]


def test_clone():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.tolist() == [1.0, 2.0]
    assert not c.is_leaf
    assert c.grad_fn.name() == "CloneBackward0"
    with ndgrad.no_grad():
        c[0] = 5.0
    assert x.tolist() == [1.0, 2.0]
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    n = ndgrad.tensor([1, 2])
    m = n.clone()
    m[0] = 7
    assert n.tolist() == [1, 2]
    assert m.dtype is ndgrad.int64


# ----------------------------------------------------------------- in-place methods
def test_zero_fill_copy_values():
    t = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.zero_() is t
    assert t.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert t.fill_(2.5) is t
    assert t.tolist() == [[2.5, 2.5], [2.5, 2.5]]
    assert t.fill_(ndgrad.tensor(1.0)) is t
    assert t.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert t.copy_(ndgrad.tensor([[5, 6], [7, 8]])) is t
    assert t.tolist() == [[5.0, 6.0], [7.0, 8.0]]
    assert t.dtype is ndgrad.float32
    t.copy_(ndgrad.tensor([9.0, 10.0]))
    assert t.tolist() == [[9.0, 10.0], [9.0, 10.0]]


def test_copy_casts_to_destination():
    i = ndgrad.zeros(2, dtype=ndgrad.int64)
    i.copy_(ndgrad.tensor([1.5, -2.5]))
    assert i.tolist() == [1, -2]
    assert i.dtype is ndgrad.int64
    b = ndgrad.zeros(2, dtype=ndgrad.bool)
    b.fill_(1)
    assert b.tolist() == [True, True]


def test_copy_does_not_alias_source():
    src = ndgrad.tensor([1.0, 2.0])
    dst = ndgrad.zeros(2)
    dst.copy_(src)
    dst[0] = 10.0
    assert src.tolist() == [1.0, 2.0]


def test_inplace_bumps_version():
    t = ndgrad.ones(2)
    v = t._version
    t.zero_()
    t.fill_(1.0)
    t.copy_(ndgrad.ones(2))
    assert t._version == v + 3


def test_inplace_ops_through_graph():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    s = ndgrad.tensor([5.0, 6.0], requires_grad=True)
    y = x * 1
    y.copy_(s * 2)
    (y * ndgrad.tensor([1.0, 10.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    assert s.grad.tolist() == [2.0, 20.0]
    x2 = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y2 = x2 * 1
    y2.zero_()
    (y2 + x2).sum().backward()
    assert x2.grad.tolist() == [1.0, 1.0]
    x3 = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y3 = x3 * 1
    y3.fill_(3.0)
    assert y3.tolist() == [3.0, 3.0]
    (y3 * 2).sum().backward()
    assert x3.grad.tolist() == [0.0, 0.0]


def test_inplace_on_leaf_under_no_grad_is_allowed():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with ndgrad.no_grad():
        x.zero_()
        x.add_(1)
    assert x.tolist() == [1.0, 1.0]
    assert x.requires_grad and x.is_leaf and x.grad_fn is None


def test_inplace_vs_torch():
    torch = pytest.importorskip("torch")

    def f(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[0] = 10.0
        y.mul_(L.tensor([1.0, 2.0, 3.0]))
        z = y.sum()
        z.backward()
        return y, x.grad

    a, b = f(ndgrad), f(torch)
    assert repr(a[0].detach()) == repr(b[0].detach())
    assert repr(a[1]) == repr(b[1])


# ------------------------------------------------------------------- conversions
@pytest.mark.parametrize(
    "method, dtype",
    [
        ("float", ndgrad.float32),
        ("double", ndgrad.float64),
        ("half", ndgrad.float16),
        ("long", ndgrad.int64),
        ("int", ndgrad.int32),
        ("short", ndgrad.int16),
        ("bool", ndgrad.bool),
    ],
)
def test_conversion_methods(method, dtype):
    src = ndgrad.tensor([1.7, -2.2, 0.0])
    out = getattr(src, method)()
    assert out.dtype is dtype
    expected = np.array([1.7, -2.2, 0.0], dtype=np.float32).astype(dtype.np)
    np.testing.assert_array_equal(values(out), expected)
    assert src.dtype is ndgrad.float32
    assert src.tolist() == pytest.approx([1.7, -2.2, 0.0])


def test_conversion_to_same_dtype_returns_self():
    t = ndgrad.tensor([1.0])
    assert t.float() is t
    assert t.to(ndgrad.float32) is t
    assert t.to(ndgrad.float32, copy=True) is not t
    n = ndgrad.tensor([1])
    assert n.long() is n


def test_to():
    t = ndgrad.tensor([1, 2], dtype=ndgrad.int16)
    assert_tensor(t.to(ndgrad.float64), [1.0, 2.0], ndgrad.float64)
    assert_tensor(t.to(dtype=ndgrad.float32), [1.0, 2.0], ndgrad.float32)
    assert_tensor(t.to(ndgrad.ones(1, dtype=ndgrad.uint8)), [1, 2], ndgrad.uint8)
    assert t.to("cpu") is t
    assert t.to(ndgrad.device("cpu")) is t
    assert_tensor(t.to("cpu", ndgrad.float64), [1.0, 2.0], ndgrad.float64)
    out = t.to(ndgrad.int32)
    out[0] = 100
    assert t.tolist() == [1, 2]


def test_to_keeps_gradient_flow_for_floats_only():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    assert x.grad.dtype is ndgrad.float32
    n = x.long()
    assert not n.requires_grad
    assert n.grad_fn is None


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.tensor([1.7, -2.2, 0.0]).long(),
        lambda L: L.tensor([1.7, -2.2, 0.0]).int(),
        lambda L: L.tensor([1.7, -2.2, 0.0]).bool(),
        lambda L: L.tensor([1.7, -2.2, 0.0]).double(),
        lambda L: L.tensor([1.7, -2.2, 0.0]).half(),
        lambda L: L.tensor([1, 2]).float(),
        lambda L: L.tensor([True, False]).float(),
        lambda L: L.tensor([1, 2]).to(L.float64),
        lambda L: L.tensor([300, -1]).to(L.uint8),
        lambda L: L.tensor([1.0, 2.0], requires_grad=True).double(),
        lambda L: L.tensor([1.0, 2.0], requires_grad=True).long(),
    ],
)
def test_conversions_vs_torch(make):
    same_repr(make)


# ========================================================================== repr
@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.tensor([1.0, 2.0], requires_grad=True),
        lambda L: L.tensor([[1.5, -2.25], [3.0, 4.0]], dtype=L.float64, requires_grad=True),
        lambda L: L.tensor(3.0, requires_grad=True),
        lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2,
        lambda L: (L.tensor([1.0, 2.0], requires_grad=True) * 2).sum(),
        lambda L: L.tensor([1.0, 2.0], requires_grad=True).mean(),
        lambda L: L.arange(6.0).reshape(2, 3).requires_grad_() @ L.ones(3, 2),
        lambda L: L.arange(6.0).reshape(2, 3).requires_grad_().sum(1),
        lambda L: L.tensor([-1.0, 2.0], requires_grad=True).relu(),
        lambda L: L.tensor([-1.0, 2.0], requires_grad=True).exp(),
        lambda L: L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True) + 1,
        lambda L: L.tensor([1.0, 2.0], requires_grad=True) / 3,
        lambda L: 1 - L.tensor([1.0, 2.0], requires_grad=True),
        lambda L: L.ones(2, 2, requires_grad=True).view(4),
        lambda L: L.ones(2, 2, requires_grad=True)[0],
        lambda L: L.ones(2, 3, requires_grad=True).T,
        lambda L: L.ones(2, 3, requires_grad=True).t(),
        lambda L: L.tensor([1.0, 2.0], requires_grad=True) ** 2,
        lambda L: L.tensor([1.0, 2.0], requires_grad=True).clone(),
        lambda L: L.tensor([1.0, 2.0], dtype=L.float16, requires_grad=True),
        lambda L: L.tensor([1.0, 2.0], requires_grad=True).unsqueeze(0),
        lambda L: L.tensor([1.0, 2.0], requires_grad=True).detach(),
        lambda L: L.tensor([1, 2, 3]),
        lambda L: L.tensor([True, False]),
        lambda L: L.tensor([1, 2], dtype=L.int32),
        lambda L: L.tensor(5),
        lambda L: L.tensor([1e-5, 1e5]),
        lambda L: L.tensor([0.1, 100.25, -3.0]),
        lambda L: L.arange(12.0).reshape(3, 4),
        lambda L: L.arange(2000.0),
        lambda L: L.zeros(2, 0),
        lambda L: L.tensor([], dtype=L.int64),
        lambda L: L.tensor([], dtype=L.float64),
        lambda L: L.tensor([1 + 2j, -0.5j]),
    ],
)
def test_repr_vs_torch(make):
    same_repr(make)
    torch = pytest.importorskip("torch")
    assert str(make(ndgrad)) == to_torch_text(str(make(torch)))


@pytest.mark.parametrize(
    "make, text",
    [
        (
            lambda: ndgrad.tensor([1.0, 2.0], requires_grad=True),
            "tensor([1., 2.], requires_grad=True)",
        ),
        (
            lambda: ndgrad.tensor([1.0, 2.0], requires_grad=True) * 2,
            "tensor([2., 4.], grad_fn=<MulBackward0>)",
        ),
        (
            lambda: (ndgrad.tensor([1.0, 2.0], requires_grad=True) * 2).sum(),
            "tensor(6., grad_fn=<SumBackward0>)",
        ),
        (
            lambda: ndgrad.tensor([1.0], dtype=ndgrad.float64, requires_grad=True) + 1,
            "tensor([2.], dtype=ndgrad.float64, grad_fn=<AddBackward0>)",
        ),
        (lambda: ndgrad.tensor([1, 2]), "tensor([1, 2])"),
        (lambda: ndgrad.tensor([1, 2], dtype=ndgrad.int32), "tensor([1, 2], dtype=ndgrad.int32)"),
        (lambda: ndgrad.tensor([True]), "tensor([True])"),
        (lambda: ndgrad.tensor(2.5), "tensor(2.5000)"),
        (lambda: ndgrad.tensor([], dtype=ndgrad.int64), "tensor([], dtype=ndgrad.int64)"),
    ],
)
def test_repr_fixed(make, text):
    assert repr(make()) == text


# ================================================ nothing changes behind the user's back
def _ops():
    return {
        "add": lambda a, b: a + b,
        "radd": lambda a, b: 1.5 + a,
        "sub": lambda a, b: a - b,
        "rsub": lambda a, b: 2 - a,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "rdiv": lambda a, b: 1 / b,
        "pow": lambda a, b: a**2,
        "pow_tt": lambda a, b: b**a,
        "neg": lambda a, b: -a,
        "abs": lambda a, b: a.abs(),
        "exp": lambda a, b: a.exp(),
        "log": lambda a, b: b.log(),
        "sqrt": lambda a, b: b.sqrt(),
        "sin": lambda a, b: a.sin(),
        "cos": lambda a, b: a.cos(),
        "tanh": lambda a, b: a.tanh(),
        "sigmoid": lambda a, b: a.sigmoid(),
        "relu": lambda a, b: a.relu(),
        "clamp": lambda a, b: a.clamp(-1, 1),
        "sum": lambda a, b: a.sum(),
        "sum_dim": lambda a, b: a.sum(0),
        "mean": lambda a, b: a.mean(),
        "matmul": lambda a, b: a @ b.t(),
        "where": lambda a, b: ndgrad.where(a > 0, a, b),
        "clone": lambda a, b: a.clone(),
        "to": lambda a, b: a.double(),
        "eq": lambda a, b: a == b,
        "lt": lambda a, b: a < b,
    }


@pytest.mark.parametrize("name", sorted(_ops()))
@pytest.mark.parametrize("requires_grad", [False, True])
def test_ops_never_write_to_inputs(name, requires_grad):
    a0 = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]], dtype=np.float32)
    b0 = np.array([[2.0, 1.0, 4.0], [0.5, 3.0, 1.5]], dtype=np.float32)
    a = ndgrad.tensor(a0, requires_grad=requires_grad)
    b = ndgrad.tensor(b0, requires_grad=requires_grad)
    out = _ops()[name](a, b)
    if requires_grad and out.requires_grad:
        out.sum().backward()
    np.testing.assert_array_equal(values(a), a0)
    np.testing.assert_array_equal(values(b), b0)
    assert a._version == 0 and b._version == 0
    # The result is new memory: writing to it later leaves the inputs alone.
    for t in (a, b):
        assert not np.shares_memory(values(out), values(t))


def test_numpy_source_not_changed_by_ops():
    a = np.array([1.0, 2.0, 3.0])
    t = ndgrad.tensor(a)
    t.add_(1)
    t.mul_(2)
    t[0] = 100.0
    t.zero_()
    _ = t + 1, t.exp(), t.sum(), t.reshape(3, 1)
    assert a.tolist() == [1.0, 2.0, 3.0]


def test_from_numpy_array_not_changed_by_out_of_place_ops():
    a = np.array([1.0, -2.0, 3.0])
    t = ndgrad.from_numpy(a)
    _ = t + 1, t * 2, -t, t.abs(), t.relu(), t.clamp(0, 1), t.exp(), t.sum(), t.double()
    _ = t.float(), t.long(), t.clone(), t / 2, t**2, t.sigmoid()
    assert a.tolist() == [1.0, -2.0, 3.0]


def test_backward_does_not_change_user_gradient():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    g = ndgrad.tensor([1.0, 1.0])
    (x + 1).backward(g)
    (x + 1).backward(g)
    assert g.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [2.0, 2.0]
    x.grad.mul_(10)
    assert g.tolist() == [1.0, 1.0]


def test_backward_does_not_change_inputs_or_outputs():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    w = ndgrad.tensor([3.0, -1.0], requires_grad=True)
    y = (x * w).exp()
    before = y.tolist()
    y.sum().backward()
    assert x.tolist() == [1.0, 2.0]
    assert w.tolist() == [3.0, -1.0]
    assert y.tolist() == before
    assert x._version == 0 and w._version == 0 and y._version == 0


def test_grad_is_not_an_alias_of_inputs():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    c = ndgrad.tensor([5.0, 6.0])
    (x * c).sum().backward()
    assert x.grad.tolist() == [5.0, 6.0]
    x.grad.zero_()
    assert c.tolist() == [5.0, 6.0]


def test_no_write_vs_torch():
    torch = pytest.importorskip("torch")

    def f(L):
        a = L.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
        b = L.tensor([[2.0, 1.0], [0.5, 3.0]])
        out = (a * b + a @ b - b / 2).relu().sum()
        out.backward()
        return a, b, a.grad

    for x, y in zip(f(ndgrad), f(torch)):
        assert repr(x) == to_torch_text(repr(y))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "name, args",
    [
        ("addcmul", lambda t1, t2: ((t1, t2), {"value": 0.3})),
        ("addcdiv", lambda t1, t2: ((t1, t2), {"value": -2})),
        ("addcmul", lambda t1, t2: ((t1[:1], t2), {})),  # broadcast: the general path
        ("lerp", lambda t1, t2: ((t1, 0.25), {})),
        ("lerp", lambda t1, t2: ((t1, 0.75), {})),
    ],
)
def test_optimizer_style_inplace_updates_equal_the_ops(dtype: str, name: str, args: Any) -> None:
    # Without a graph, addcmul_/addcdiv_/lerp_ write their op's forward directly.
    rng = np.random.default_rng(0)
    x, t1, t2 = (ndgrad.from_numpy(rng.uniform(0.5, 2, (3, 4)).astype(dtype)) for _ in range(3))
    a, kw = args(t1, t2)
    want = getattr(ndgrad, name)(x, *a, **kw).numpy()
    leaf = ndgrad.ones(1, requires_grad=True)
    y = leaf * x  # saves x for its backward
    with ndgrad.no_grad():
        assert getattr(x, name + "_")(*a, **kw) is x
    np.testing.assert_array_equal(x.numpy(), want)
    assert x._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
