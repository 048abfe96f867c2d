"""Tests for torch-identical tensor repr text in ndgrad._printing."""

import numpy as np
import pytest

from ndgrad._printing import format_tensor, get_printoptions, set_printoptions

DEFAULTS = {
    "precision": 4,
    "threshold": 1000,
    "edgeitems": 3,
    "linewidth": 80,
    "sci_mode": None,
}


@pytest.fixture(autouse=True)
def _reset_printoptions():
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def dtype_suffix(a):
    """The caller's rule: torch hides its default dtypes, except when empty."""
    a = np.asarray(a)
    hidden = ("float32",) if a.size == 0 else ("float32", "int64", "bool", "complex64")
    return None if a.dtype.name in hidden else "ndgrad." + a.dtype.name


# (array, print options, tail, repr text captured from torch 2.13.0)
CASES = [
    (
        np.float32(2.0),
        {},
        (),
        "tensor(2.)",
    ),
    (
        np.float32(19.0),
        {},
        (),
        "tensor(19.)",
    ),
    (
        np.int64(3),
        {},
        (),
        "tensor(3)",
    ),
    (
        np.bool_(True),
        {},
        (),
        "tensor(True)",
    ),
    (
        np.array([1.5, 2.0], np.float32),
        {},
        (),
        "tensor([1.5000, 2.0000])",
    ),
    (
        np.array([2.0, 3.0], np.float32),
        {},
        (),
        "tensor([2., 3.])",
    ),
    (
        np.array([-1.25, np.nan, np.inf, -np.inf], np.float32),
        {},
        (),
        "tensor([-1.2500,     nan,     inf,    -inf])",
    ),
    (
        np.array([1e-5, 1e5], np.float32),
        {},
        (),
        "tensor([1.0000e-05, 1.0000e+05])",
    ),
    (
        np.array([1e10, 1.0], np.float32),
        {},
        (),
        "tensor([1.0000e+10, 1.0000e+00])",
    ),
    (
        np.array([123456789.0, -5.0], np.float32),
        {},
        (),
        "tensor([ 1.2346e+08, -5.0000e+00])",
    ),
    (
        np.array([1, 2], np.int64),
        {},
        (),
        "tensor([1, 2])",
    ),
    (
        np.array([-7, 300], np.int32),
        {},
        (),
        "tensor([ -7, 300], dtype=ndgrad.int32)",
    ),
    (
        np.array([True, False]),
        {},
        (),
        "tensor([ True, False])",
    ),
    (
        np.array([[1.0, -2.5], [3.25, 4.0]], np.float32),
        {},
        (),
        ("tensor([[ 1.0000, -2.5000],\n        [ 3.2500,  4.0000]])"),
    ),
    (
        np.arange(12, dtype=np.int64).reshape(2, 3, 2),
        {},
        (),
        (
            "tensor([[[ 0,  1],\n"
            "         [ 2,  3],\n"
            "         [ 4,  5]],\n"
            "\n"
            "        [[ 6,  7],\n"
            "         [ 8,  9],\n"
            "         [10, 11]]])"
        ),
    ),
    (
        np.arange(16, dtype=np.float32).reshape(2, 2, 2, 2) / 4,
        {},
        (),
        (
            "tensor([[[[0.0000, 0.2500],\n"
            "          [0.5000, 0.7500]],\n"
            "\n"
            "         [[1.0000, 1.2500],\n"
            "          [1.5000, 1.7500]]],\n"
            "\n"
            "\n"
            "        [[[2.0000, 2.2500],\n"
            "          [2.5000, 2.7500]],\n"
            "\n"
            "         [[3.0000, 3.2500],\n"
            "          [3.5000, 3.7500]]]])"
        ),
    ),
    (
        np.array([], np.float32),
        {},
        (),
        "tensor([])",
    ),
    (
        np.zeros((0, 3), np.float32),
        {},
        (),
        "tensor([], size=(0, 3))",
    ),
    (
        np.array([], np.int64),
        {},
        (),
        "tensor([], dtype=ndgrad.int64)",
    ),
    (
        np.zeros((2, 0), np.int32),
        {},
        (),
        "tensor([], size=(2, 0), dtype=ndgrad.int32)",
    ),
    (
        np.arange(30, dtype=np.float32) * 1.5,
        {},
        (),
        (
            "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
            "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n"
            "        24.0000, 25.5000, 27.0000, 28.5000, 30.0000, 31.5000, 33.0000, 34.5000,\n"
            "        36.0000, 37.5000, 39.0000, 40.5000, 42.0000, 43.5000])"
        ),
    ),
    (
        np.arange(2000, dtype=np.int64),
        {},
        (),
        "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
    ),
    (
        np.arange(2000, dtype=np.float32).reshape(40, 50) / 8,
        {},
        (),
        (
            "tensor([[0.0000e+00, 1.2500e-01, 2.5000e-01,  ..., 5.8750e+00, 6.0000e+00,\n"
            "         6.1250e+00],\n"
            "        [6.2500e+00, 6.3750e+00, 6.5000e+00,  ..., 1.2125e+01, 1.2250e+01,\n"
            "         1.2375e+01],\n"
            "        [1.2500e+01, 1.2625e+01, 1.2750e+01,  ..., 1.8375e+01, 1.8500e+01,\n"
            "         1.8625e+01],\n"
            "        ...,\n"
            "        [2.3125e+02, 2.3138e+02, 2.3150e+02,  ..., 2.3712e+02, 2.3725e+02,\n"
            "         2.3738e+02],\n"
            "        [2.3750e+02, 2.3762e+02, 2.3775e+02,  ..., 2.4338e+02, 2.4350e+02,\n"
            "         2.4362e+02],\n"
            "        [2.4375e+02, 2.4388e+02, 2.4400e+02,  ..., 2.4962e+02, 2.4975e+02,\n"
            "         2.4988e+02]])"
        ),
    ),
    (
        np.arange(1200, dtype=np.int64).reshape(2, 3, 200),
        {},
        (),
        (
            "tensor([[[   0,    1,    2,  ...,  197,  198,  199],\n"
            "         [ 200,  201,  202,  ...,  397,  398,  399],\n"
            "         [ 400,  401,  402,  ...,  597,  598,  599]],\n"
            "\n"
            "        [[ 600,  601,  602,  ...,  797,  798,  799],\n"
            "         [ 800,  801,  802,  ...,  997,  998,  999],\n"
            "         [1000, 1001, 1002,  ..., 1197, 1198, 1199]]])"
        ),
    ),
    (
        np.array([0.1, 1.0, -2.0], np.float16),
        {},
        (),
        "tensor([ 0.1000,  1.0000, -2.0000], dtype=ndgrad.float16)",
    ),
    (
        np.array([1.0 / 3.0, 2.0], np.float64),
        {},
        (),
        "tensor([0.3333, 2.0000], dtype=ndgrad.float64)",
    ),
    (
        np.array([1 + 2j, -0.5 - 1.25j], np.complex64),
        {},
        (),
        "tensor([ 1.0000+2.0000j, -0.5000-1.2500j])",
    ),
    (
        np.complex128(3 - 4j),
        {},
        (),
        "tensor(3.-4.j, dtype=ndgrad.complex128)",
    ),
    (
        np.array([0, 255], np.uint8),
        {},
        (),
        "tensor([  0, 255], dtype=ndgrad.uint8)",
    ),
    (
        np.array([1.5, 2.0], np.float32),
        {},
        ("requires_grad=True",),
        "tensor([1.5000, 2.0000], requires_grad=True)",
    ),
    (
        np.arange(24, dtype=np.float32) / 7,
        {},
        ("grad_fn=<AddBackward0>",),
        (
            "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
            "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
            "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857],\n"
            "       grad_fn=<AddBackward0>)"
        ),
    ),
    (
        np.arange(9, dtype=np.float64) * 1000.5,
        {},
        ("grad_fn=<MulBackward0>",),
        (
            "tensor([   0.0000, 1000.5000, 2001.0000, 3001.5000, 4002.0000, 5002.5000,\n"
            "        6003.0000, 7003.5000, 8004.0000], dtype=ndgrad.float64,\n"
            "       grad_fn=<MulBackward0>)"
        ),
    ),
    (
        np.array([1.12345, 2.0], np.float32),
        {"precision": 2},
        (),
        "tensor([1.12, 2.00])",
    ),
    (
        np.arange(10, dtype=np.int64),
        {"threshold": 5},
        (),
        "tensor([0, 1, 2,  ..., 7, 8, 9])",
    ),
    (
        np.array([1.12345, 20.5, 3.0], np.float32),
        {"profile": "short"},
        (),
        "tensor([ 1.12, 20.50,  3.00])",
    ),
    (
        np.array([1e-5, 1e5], np.float32),
        {"sci_mode": False},
        (),
        "tensor([     0.0000, 100000.0000])",
    ),
    (
        np.array([1.5, 2.0], np.float32),
        {"sci_mode": True},
        (),
        "tensor([1.5000e+00, 2.0000e+00])",
    ),
    (
        np.arange(12, dtype=np.float32).reshape(3, 4),
        {"edgeitems": 0, "threshold": 4},
        (),
        "tensor([...], size=(3, 4))",
    ),
]


@pytest.mark.parametrize(("a", "options", "tail", "expected"), CASES)
def test_matches_recorded_torch_repr(a, options, tail, expected):
    set_printoptions(**options)
    assert format_tensor(a, dtype_suffix=dtype_suffix(a), tail=tail) == expected


def test_printoptions_roundtrip_and_profiles():
    assert get_printoptions() == DEFAULTS
    set_printoptions(precision=2, linewidth=100)
    saved = get_printoptions()
    set_printoptions(profile="full")
    assert get_printoptions() == {**DEFAULTS, "threshold": float("inf")}
    set_printoptions(**saved)
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "linewidth": 100}
    set_printoptions(profile="short")
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "edgeitems": 2}


def test_full_profile_disables_summarization():
    a = np.arange(10)
    set_printoptions(threshold=3)
    assert format_tensor(a, dtype_suffix=None) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    set_printoptions(profile="full")
    expected = "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"
    assert format_tensor(a, dtype_suffix=None) == expected


def test_dtype_and_tail_order():
    a = np.array([1.0, 2.5])
    got = format_tensor(a, dtype_suffix="ndgrad.float64", tail=["requires_grad=True"])
    assert got == "tensor([1.0000, 2.5000], dtype=ndgrad.float64, requires_grad=True)"


def _random_arrays(count, seed=0):
    rng = np.random.default_rng(seed)
    dtypes = [np.float16, np.float32, np.float64, np.complex64, np.complex128]
    dtypes += [np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]
    for _ in range(count):
        ndim = int(rng.integers(0, 5))
        high = 40 if ndim == 1 else 6
        if rng.random() < 0.15:
            high = 1500 if ndim == 1 else 14
        shape = tuple(int(rng.integers(0, high)) for _ in range(ndim))
        dt = np.dtype(dtypes[int(rng.integers(len(dtypes)))])
        n = int(np.prod(shape))
        if dt.kind == "b":
            a = rng.random(n) < 0.5
        elif dt.kind in "iu":
            info = np.iinfo(dt)
            a = rng.integers(max(info.min, -(10**9)), min(info.max, 10**9), n)
        else:
            lo, hi = sorted(rng.uniform(-8, 8, 2))
            a = 10 ** rng.uniform(lo, hi, n) * rng.choice([-1, 1], n)
            if rng.random() < 0.3:
                a = np.round(a)
            if rng.random() < 0.2 and n:
                a[rng.random(n) < 0.2] = rng.choice([np.nan, np.inf, -np.inf, 0.0])
            if dt.kind == "c":
                a = a + 1j * np.round(rng.normal(size=n) * 100, 2)
        with np.errstate(over="ignore"):  # float16 overflows to inf, as in torch
            yield np.asarray(a).astype(dt).reshape(shape)


OPTION_SETS = [
    {},
    {"precision": 2},
    {"precision": 7, "sci_mode": True},
    {"sci_mode": False},
    {"profile": "short"},
    {"linewidth": 45},
    {"threshold": 20, "edgeitems": 1},
    {"threshold": 5, "edgeitems": 0},
]


@pytest.mark.parametrize(("seed", "options"), list(enumerate(OPTION_SETS)))
def test_random_arrays_match_torch(seed, options):
    torch = pytest.importorskip("torch")
    torch.set_printoptions(**options)
    set_printoptions(**options)
    try:
        for a in _random_arrays(60, seed):
            t = torch.from_numpy(a.copy())
            tails = [((), t)]
            if a.dtype.kind in "fc":
                grad = t.clone().requires_grad_(True)
                tails += [
                    (("requires_grad=True",), grad),
                    (("grad_fn=<AddBackward0>",), grad + 0),
                ]
            for tail, tt in tails:
                data = tt.detach().numpy()
                expected = repr(tt).replace("dtype=torch.", "dtype=ndgrad.")
                got = format_tensor(data, dtype_suffix=dtype_suffix(data), tail=tail)
                assert got == expected
    finally:
        torch.set_printoptions(profile="default")


@pytest.mark.parametrize(
    ("a", "options", "expected"), [(a, o, e) for a, o, tail, e in CASES if not tail]
)
def test_recorded_cases_still_match_torch(a, options, expected):
    torch = pytest.importorskip("torch")
    torch.set_printoptions(**options)
    try:
        got = repr(torch.from_numpy(np.array(a)))
        assert got.replace("dtype=torch.", "dtype=ndgrad.") == expected
    finally:
        torch.set_printoptions(profile="default")
