"""Dtypes, the default dtype, dtype inference and torch's type promotion for binary ops."""

import itertools

import numpy as np
import pytest

import ndgrad

DTYPE_NAMES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]
NUMERIC = [n for n in DTYPE_NAMES if n != "bool"]


@pytest.fixture
def default_float64():
    """Run a test with float64 as the default dtype, in both libraries, then restore it."""
    torch_mod = None
    try:
        import torch as torch_mod
    except ImportError:
        pass
    ndgrad.set_default_dtype(ndgrad.float64)
    if torch_mod is not None:
        torch_mod.set_default_dtype(torch_mod.float64)
    yield
    ndgrad.set_default_dtype(ndgrad.float32)
    if torch_mod is not None:
        torch_mod.set_default_dtype(torch_mod.float32)


def name_of(dt):
    """'float32' from either ndgrad.float32 or torch.float32."""
    return repr(dt).split(".", 1)[1]


def operand(lib, name, zero_dim):
    """A tensor of dtype ``name``: 0-dim or of shape [3], with values that fit every dtype."""
    dt = getattr(lib, name)
    if zero_dim:
        return lib.tensor(2, dtype=dt)
    return lib.tensor([1, 2, 3], dtype=dt)


def check_same(nd_out, th_out):
    assert name_of(nd_out.dtype) == name_of(th_out.dtype)
    assert tuple(nd_out.shape) == tuple(th_out.shape)
    expected = th_out.numpy()
    got = nd_out.numpy()
    if expected.dtype == np.bool_:
        np.testing.assert_array_equal(got, expected)
    else:
        tol = 1e-3 if expected.dtype in (np.float16, np.complex64, np.float32) else 1e-12
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


BINARY_OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b,
    "eq": lambda a, b: a == b,
}

# torch has no float16 x complex promotion in ndgrad's dtype set (it gives complex32).
PAIRS = [
    (a, b)
    for a, b in itertools.product(DTYPE_NAMES, DTYPE_NAMES)
    if not ({a, b} & {"float16"} and {a, b} & {"complex64", "complex128"})
]


# ------------------------------------------------------------------ dtype objects
@pytest.mark.parametrize(
    "attr, text",
    [
        ("float32", "ndgrad.float32"),
        ("float64", "ndgrad.float64"),
        ("float16", "ndgrad.float16"),
        ("int64", "ndgrad.int64"),
        ("int32", "ndgrad.int32"),
        ("int16", "ndgrad.int16"),
        ("int8", "ndgrad.int8"),
        ("uint8", "ndgrad.uint8"),
        ("bool", "ndgrad.bool"),
        ("complex64", "ndgrad.complex64"),
        ("complex128", "ndgrad.complex128"),
        ("float", "ndgrad.float32"),
        ("double", "ndgrad.float64"),
        ("half", "ndgrad.float16"),
        ("long", "ndgrad.int64"),
        ("int", "ndgrad.int32"),
        ("short", "ndgrad.int16"),
    ],
)
def test_dtype_repr_and_str(attr, text):
    dt = getattr(ndgrad, attr)
    assert repr(dt) == text
    assert str(dt) == text
    assert isinstance(dt, ndgrad.dtype)


def test_aliases_are_the_same_objects():
    assert ndgrad.float is ndgrad.float32
    assert ndgrad.double is ndgrad.float64
    assert ndgrad.half is ndgrad.float16
    assert ndgrad.long is ndgrad.int64
    assert ndgrad.int is ndgrad.int32
    assert ndgrad.short is ndgrad.int16
    assert ndgrad.float32 == ndgrad.float
    assert ndgrad.float32 != ndgrad.float64


def test_dtype_flags():
    assert ndgrad.float16.is_floating_point
    assert ndgrad.float64.is_floating_point
    assert not ndgrad.int64.is_floating_point
    assert not ndgrad.bool.is_floating_point
    assert ndgrad.complex64.is_complex
    assert not ndgrad.float32.is_complex
    assert ndgrad.float64.itemsize == 8
    assert ndgrad.int16.itemsize == 2
    assert ndgrad.bool.itemsize == 1


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_matches_torch(name):
    torch = pytest.importorskip("torch")
    nd, th = getattr(ndgrad, name), getattr(torch, name)
    assert repr(nd) == repr(th).replace("torch.", "ndgrad.")
    assert nd.is_floating_point == th.is_floating_point
    assert nd.is_complex == th.is_complex
    assert nd.itemsize == th.itemsize
    t = ndgrad.zeros(2, dtype=nd)
    assert t.dtype is nd
    assert t.element_size() == th.itemsize


# --------------------------------------------------------------- default dtype
def test_default_dtype_is_float32():
    assert ndgrad.get_default_dtype() is ndgrad.float32
    assert ndgrad.tensor(1.5).dtype is ndgrad.float32
    assert ndgrad.zeros(2).dtype is ndgrad.float32
    assert ndgrad.ones(2).dtype is ndgrad.float32
    assert ndgrad.randn(2).dtype is ndgrad.float32
    assert ndgrad.Tensor([1]).dtype is ndgrad.float32


def test_set_default_dtype_changes_inference(default_float64):
    assert ndgrad.get_default_dtype() is ndgrad.float64
    assert ndgrad.tensor(1.5).dtype is ndgrad.float64
    assert ndgrad.tensor([1, 2.5]).dtype is ndgrad.float64
    assert ndgrad.zeros(2).dtype is ndgrad.float64
    assert ndgrad.ones(2, 2).dtype is ndgrad.float64
    assert ndgrad.rand(3).dtype is ndgrad.float64
    assert ndgrad.randn(3).dtype is ndgrad.float64
    assert ndgrad.arange(0.0, 2.0).dtype is ndgrad.float64
    assert ndgrad.linspace(0, 1, 3).dtype is ndgrad.float64
    assert ndgrad.full((2,), 1.5).dtype is ndgrad.float64
    assert ndgrad.tensor(1j).dtype is ndgrad.complex128
    assert (ndgrad.tensor([1, 2]) + 0.5).dtype is ndgrad.float64
    assert (ndgrad.tensor([1, 2]) / ndgrad.tensor([2, 2])).dtype is ndgrad.float64
    # ints stay int64 whatever the default float.
    assert ndgrad.tensor(3).dtype is ndgrad.int64
    assert ndgrad.arange(3).dtype is ndgrad.int64


def test_set_default_dtype_restores():
    before = ndgrad.get_default_dtype()
    ndgrad.set_default_dtype(ndgrad.float64)
    try:
        assert ndgrad.tensor(0.5).dtype is ndgrad.float64
    finally:
        ndgrad.set_default_dtype(before)
    assert ndgrad.get_default_dtype() is ndgrad.float32
    assert ndgrad.tensor(0.5).dtype is ndgrad.float32


def test_set_default_dtype_affects_explicit_float_tensors_only(default_float64):
    t = ndgrad.tensor([1.0], dtype=ndgrad.float32)
    assert t.dtype is ndgrad.float32
    assert (t + 1.5).dtype is ndgrad.float32
    assert repr(ndgrad.tensor([1.5])) == "tensor([1.5000])"
    assert repr(t) == "tensor([1.], dtype=ndgrad.float32)"


def test_default_dtype_vs_torch(default_float64):
    torch = pytest.importorskip("torch")
    assert name_of(ndgrad.get_default_dtype()) == name_of(torch.get_default_dtype())
    cases = [
        lambda L: L.tensor(1.5),
        lambda L: L.tensor([1, 2]) / 2,
        lambda L: L.tensor([1, 2]) * 1.5,
        lambda L: L.tensor([True]) + 1.5,
        lambda L: L.tensor([1.0], dtype=L.float32) + 1.5,
        lambda L: L.tensor([1.0], dtype=L.float16) + L.tensor(1.5),
        lambda L: L.arange(0, 1, 0.5),
    ]
    for case in cases:
        check_same(case(ndgrad), case(torch))


# ----------------------------------------------------------- dtype inference
@pytest.mark.parametrize(
    "data, expected",
    [
        (3, "int64"),
        ([1, 2], "int64"),
        (1.5, "float32"),
        ([1, 2.5], "float32"),
        (True, "bool"),
        ([True, False], "bool"),
        ([True, 2], "int64"),
        ([True, 2.0], "float32"),
        ([[1, 2], [3, 4]], "int64"),
        (1 + 2j, "complex64"),
        ([1, 2j], "complex64"),
        ([], "float32"),
    ],
)
def test_python_data_inference(data, expected):
    assert name_of(ndgrad.tensor(data).dtype) == expected


@pytest.mark.parametrize(
    "np_dtype, expected",
    [
        (np.float64, "float64"),
        (np.float32, "float32"),
        (np.float16, "float16"),
        (np.int64, "int64"),
        (np.int32, "int32"),
        (np.int16, "int16"),
        (np.int8, "int8"),
        (np.uint8, "uint8"),
        (np.bool_, "bool"),
        (np.complex64, "complex64"),
        (np.complex128, "complex128"),
    ],
)
def test_numpy_dtype_is_kept(np_dtype, expected):
    a = np.ones((2, 2), dtype=np_dtype)
    assert name_of(ndgrad.tensor(a).dtype) == expected
    assert name_of(ndgrad.from_numpy(a).dtype) == expected
    assert name_of(ndgrad.as_tensor(a).dtype) == expected


def test_numpy_scalars_keep_their_dtype():
    assert ndgrad.tensor(np.float64(1.5)).dtype is ndgrad.float64
    assert ndgrad.tensor(np.float32(1.5)).dtype is ndgrad.float32
    assert ndgrad.tensor(np.int32(3)).dtype is ndgrad.int32


def test_list_of_numpy_float64_scalars_is_float64():
    # torch infers a sequence's dtype from its elements' NumPy dtypes.
    assert ndgrad.tensor([np.float64(1.5), np.float64(2.0)]).dtype is ndgrad.float64


@pytest.mark.parametrize(
    "data",
    [
        3,
        1.5,
        True,
        [1, 2.5],
        [True, 2],
        [[1, 2], [3, 4]],
        [np.float64(1.5), np.float64(2.0)],
        [np.float32(1.5), 2],
        [np.int32(1), np.int32(2)],
        np.float64(1.5),
        np.array([1, 2], dtype=np.int16),
        1j,
    ],
    ids=repr,
)
def test_inference_vs_torch(data):
    torch = pytest.importorskip("torch")
    assert name_of(ndgrad.tensor(data).dtype) == name_of(torch.tensor(data).dtype)


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_explicit_dtype_argument(name):
    dt = getattr(ndgrad, name)
    t = ndgrad.tensor([0, 1, 1], dtype=dt)
    assert t.dtype is dt
    assert t.tolist() == ([False, True, True] if name == "bool" else [0, 1, 1])


# ----------------------------------------------- promotion: fixed expected values
@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("bool", "bool", "bool"),
        ("bool", "uint8", "uint8"),
        ("bool", "int8", "int8"),
        ("bool", "float16", "float16"),
        ("uint8", "int8", "int16"),
        ("uint8", "int16", "int16"),
        ("uint8", "int64", "int64"),
        ("int8", "int16", "int16"),
        ("int32", "int64", "int64"),
        ("int64", "float16", "float16"),
        ("int64", "float32", "float32"),
        ("int32", "float64", "float64"),
        ("float16", "float32", "float32"),
        ("float32", "float64", "float64"),
        ("float32", "complex64", "complex64"),
        ("float64", "complex64", "complex128"),
        ("complex64", "complex128", "complex128"),
        ("int64", "complex64", "complex64"),
        ("bool", "complex128", "complex128"),
    ],
)
def test_tensor_tensor_promotion_table(a, b, expected):
    for x, y in ((a, b), (b, a)):
        out = operand(ndgrad, x, False) + operand(ndgrad, y, False)
        assert name_of(out.dtype) == expected
        assert name_of(ndgrad.promote_types(getattr(ndgrad, x), getattr(ndgrad, y))) == expected


@pytest.mark.parametrize(
    "make, expected",
    [
        # Python numbers: same category keeps the tensor's dtype.
        (lambda: ndgrad.tensor([1], dtype=ndgrad.int8) + 1, "int8"),
        (lambda: ndgrad.tensor([1], dtype=ndgrad.uint8) * 2, "uint8"),
        (lambda: ndgrad.tensor([1.0], dtype=ndgrad.float16) + 1.5, "float16"),
        (lambda: ndgrad.tensor([1.0], dtype=ndgrad.float64) + 1.5, "float64"),
        (lambda: ndgrad.tensor([1], dtype=ndgrad.int16) + True, "int16"),
        # A higher category goes to the default dtype.
        (lambda: ndgrad.tensor([1], dtype=ndgrad.int8) + 1.5, "float32"),
        (lambda: ndgrad.tensor([1]) * 1.5, "float32"),
        (lambda: ndgrad.tensor([True]) + 1, "int64"),
        (lambda: ndgrad.tensor([True]) + 1.5, "float32"),
        (lambda: ndgrad.tensor([True]) + True, "bool"),
        (lambda: ndgrad.tensor([1.0]) + 1j, "complex64"),
        (lambda: ndgrad.tensor([1.0], dtype=ndgrad.float64) + 1j, "complex128"),
        (lambda: 2 * ndgrad.tensor([1], dtype=ndgrad.int32), "int32"),
        (lambda: 2.5 - ndgrad.tensor([1], dtype=ndgrad.int32), "float32"),
        # 0-dim tensors take part only when their category is higher.
        (lambda: ndgrad.tensor([1], dtype=ndgrad.int8) + ndgrad.tensor(1), "int8"),
        (lambda: ndgrad.tensor([1.0]) + ndgrad.tensor(1.0, dtype=ndgrad.float64), "float32"),
        (lambda: ndgrad.tensor([1]) + ndgrad.tensor(1.0, dtype=ndgrad.float64), "float64"),
        (lambda: ndgrad.tensor([1], dtype=ndgrad.int32) + ndgrad.tensor(1.5), "float32"),
        (lambda: ndgrad.tensor([True]) + ndgrad.tensor(1, dtype=ndgrad.int16), "int16"),
        (lambda: ndgrad.tensor(1.0, dtype=ndgrad.float64) + ndgrad.tensor(1.0), "float64"),
        (lambda: ndgrad.tensor([1.0]) + ndgrad.tensor(1j, dtype=ndgrad.complex128), "complex64"),
        (
            lambda: ndgrad.tensor(1, dtype=ndgrad.uint8) + ndgrad.tensor(1, dtype=ndgrad.int8),
            "int16",
        ),
        # True division of integers gives the default float.
        (lambda: ndgrad.tensor([1, 2]) / ndgrad.tensor([2, 4]), "float32"),
        (lambda: ndgrad.tensor([1, 2], dtype=ndgrad.int8) / 2, "float32"),
        (lambda: ndgrad.tensor([True]) / ndgrad.tensor([True]), "float32"),
        (lambda: 1 / ndgrad.tensor([2]), "float32"),
        (lambda: ndgrad.tensor([1.0], dtype=ndgrad.float16) / ndgrad.tensor([2]), "float16"),
        (lambda: ndgrad.tensor([1.0], dtype=ndgrad.float64) / 2, "float64"),
        # Comparisons are bool whatever the operands.
        (lambda: ndgrad.tensor([1]) < 1.5, "bool"),
        (lambda: ndgrad.tensor([1.0], dtype=ndgrad.float64) == ndgrad.tensor([1]), "bool"),
    ],
)
def test_promotion_table(make, expected):
    assert name_of(make().dtype) == expected


def test_integer_true_division_values():
    out = ndgrad.tensor([1, 3, -7]) / ndgrad.tensor([2, 2, 2])
    assert out.dtype is ndgrad.float32
    assert out.tolist() == [0.5, 1.5, -3.5]
    assert (ndgrad.tensor([3]) / 4).tolist() == [0.75]
    assert (3 / ndgrad.tensor([4])).tolist() == [0.75]


def test_python_int_scalar_wraps_like_torch():
    # torch casts the Python number to the tensor's dtype; it does not widen or raise.
    out = ndgrad.tensor([1], dtype=ndgrad.int8) + 1000
    assert out.dtype is ndgrad.int8
    assert out.tolist() == [-23]
    out = ndgrad.tensor([1], dtype=ndgrad.uint8) + 300
    assert out.dtype is ndgrad.uint8
    assert out.tolist() == [45]


def test_integer_overflow_wraps():
    out = ndgrad.tensor([100], dtype=ndgrad.int8) + ndgrad.tensor([100], dtype=ndgrad.int8)
    assert out.dtype is ndgrad.int8
    assert out.tolist() == [-56]
    out = ndgrad.tensor([1], dtype=ndgrad.uint8) - 2
    assert out.tolist() == [255]


def test_promote_types_is_symmetric_and_idempotent():
    for a, b in itertools.product(DTYPE_NAMES, DTYPE_NAMES):
        da, db = getattr(ndgrad, a), getattr(ndgrad, b)
        assert ndgrad.promote_types(da, db) is ndgrad.promote_types(db, da)
        assert ndgrad.promote_types(da, da) is da


# ---------------------------------------------------------- promotion vs torch
@pytest.mark.parametrize("a, b", PAIRS)
@pytest.mark.parametrize("op", sorted(BINARY_OPS))
def test_tensor_tensor_vs_torch(a, b, op):
    torch = pytest.importorskip("torch")
    fn = BINARY_OPS[op]
    check_same(
        fn(operand(ndgrad, a, False), operand(ndgrad, b, False)),
        fn(operand(torch, a, False), operand(torch, b, False)),
    )


@pytest.mark.parametrize("a, b", PAIRS)
@pytest.mark.parametrize("zero_dim", ["left", "right", "both"])
def test_zero_dim_vs_dimensioned_vs_torch(a, b, zero_dim):
    torch = pytest.importorskip("torch")
    za = zero_dim in ("left", "both")
    zb = zero_dim in ("right", "both")
    for fn in (BINARY_OPS["add"], BINARY_OPS["truediv"]):
        check_same(
            fn(operand(ndgrad, a, za), operand(ndgrad, b, zb)),
            fn(operand(torch, a, za), operand(torch, b, zb)),
        )


@pytest.mark.parametrize("a, b", PAIRS)
def test_promote_types_vs_torch(a, b):
    torch = pytest.importorskip("torch")
    got = ndgrad.promote_types(getattr(ndgrad, a), getattr(ndgrad, b))
    assert name_of(got) == name_of(torch.promote_types(getattr(torch, a), getattr(torch, b)))


SCALARS = [3, -2, 2.5, True, False, 0]


@pytest.mark.parametrize("name", DTYPE_NAMES)
@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("zero_dim", [False, True])
def test_tensor_scalar_vs_torch(name, scalar, zero_dim):
    torch = pytest.importorskip("torch")
    ops = [
        lambda t: t + scalar,
        lambda t: scalar + t,
        lambda t: t * scalar,
        lambda t: scalar * t,
        lambda t: t == scalar,
    ]
    if "complex" not in name:
        ops.append(lambda t: t < scalar)
    if scalar != 0:
        ops.append(lambda t: t / scalar)
    if name != "bool" and not isinstance(scalar, bool):
        ops.append(lambda t: t - scalar)
        ops.append(lambda t: scalar - t)
    for fn in ops:
        check_same(fn(operand(ndgrad, name, zero_dim)), fn(operand(torch, name, zero_dim)))


@pytest.mark.parametrize("name", [n for n in DTYPE_NAMES if n != "float16"])
def test_tensor_complex_scalar_vs_torch(name):
    torch = pytest.importorskip("torch")
    for fn in (lambda t: t + 1j, lambda t: 2j * t):
        check_same(fn(operand(ndgrad, name, False)), fn(operand(torch, name, False)))


@pytest.mark.parametrize("name", NUMERIC)
@pytest.mark.parametrize("scalar", [100, 1000, -129, 70000], ids=repr)
def test_out_of_range_int_scalar_vs_torch(name, scalar):
    torch = pytest.importorskip("torch")
    check_same(operand(ndgrad, name, False) + scalar, operand(torch, name, False) + scalar)


@pytest.mark.parametrize("a, b", [(a, b) for a, b in PAIRS if "bool" not in (a, b)])
def test_subtraction_vs_torch(a, b):
    torch = pytest.importorskip("torch")
    check_same(
        operand(ndgrad, a, False) - operand(ndgrad, b, False),
        operand(torch, a, False) - operand(torch, b, False),
    )


def test_in_place_keeps_the_destination_dtype_vs_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda L: L.tensor([1.0, 2.0]).add_(L.tensor([1, 2])),
        lambda L: L.tensor([1.0, 2.0]).mul_(L.tensor([2.0, 2.0], dtype=L.float64)),
        lambda L: L.tensor([1, 2]).add_(3),
        lambda L: L.tensor([1.0], dtype=L.float16).add_(0.5),
    ]
    for case in cases:
        check_same(case(ndgrad), case(torch))
