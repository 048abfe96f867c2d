"""Hypothesis tests: broadcasting shapes, linearity of gradients, promotion with scalars."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ndgrad

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)

small_floats = st.floats(-3.0, 3.0, allow_nan=False, allow_subnormal=False, width=64)


def sum_to(a, shape):
    """Sum a broadcast array back to ``shape`` (NumPy reference for the engine's rule)."""
    lead = a.ndim - len(shape)
    a = a.sum(axis=tuple(range(lead))) if lead else a
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and a.shape[i] != 1)
    return a.sum(axis=axes, keepdims=True) if axes else a


@st.composite
def broadcast_pair(draw):
    """Two float64 arrays whose shapes broadcast together."""
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4))
    a_shape, b_shape = shapes.input_shapes
    a = draw(hnp.arrays(np.float64, a_shape, elements=small_floats))
    b = draw(hnp.arrays(np.float64, b_shape, elements=small_floats))
    return a, b, shapes.result_shape


BINARY = [
    (lambda x, y: x + y, np.add),
    (lambda x, y: x - y, np.subtract),
    (lambda x, y: x * y, np.multiply),
    (lambda x, y: x / (y * y + 1), lambda x, y: x / (y * y + 1)),
    (lambda x, y: ndgrad.where(x > y, x, y), np.maximum),
]


@SETTINGS
@given(broadcast_pair())
def test_broadcast_shapes_and_values(pair):
    a, b, result_shape = pair
    ta, tb = ndgrad.tensor(a), ndgrad.tensor(b)
    for fn, ref in BINARY:
        out = fn(ta, tb)
        assert tuple(out.shape) == result_shape
        np.testing.assert_allclose(out.numpy(), ref(a, b), rtol=1e-12)
    assert tuple((ta == tb).shape) == result_shape
    assert tuple((ta < tb).shape) == result_shape
    # Broadcasting never changes the operands.
    np.testing.assert_array_equal(ta.numpy(), a)
    np.testing.assert_array_equal(tb.numpy(), b)


@SETTINGS
@given(broadcast_pair())
def test_broadcast_gradients_sum_back_to_input_shapes(pair):
    a, b, result_shape = pair
    ta = ndgrad.tensor(a, requires_grad=True)
    tb = ndgrad.tensor(b, requires_grad=True)
    (ta * tb).sum().backward()
    assert ta.grad.shape == ta.shape
    assert tb.grad.shape == tb.shape
    ones = np.ones(result_shape)
    np.testing.assert_allclose(ta.grad.numpy(), sum_to(ones * b, a.shape), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tb.grad.numpy(), sum_to(ones * a, b.shape), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(broadcast_pair())
def test_broadcast_gradients_vs_torch(pair):
    torch = pytest.importorskip("torch")
    a, b, _ = pair
    grads = []
    for lib in (ndgrad, torch):
        ta = lib.tensor(a, requires_grad=True)
        tb = lib.tensor(b, requires_grad=True)
        out = (ta * tb + ta / (tb * tb + 1) - tb).sum()
        out.backward()
        grads.append((out.item(), ta.grad.numpy(), tb.grad.numpy()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads[0][2], grads[1][2], rtol=1e-10, atol=1e-12)


@st.composite
def clashing_shapes(draw):
    """Two shapes that do not broadcast: one dim differs and neither size is 1."""
    base = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    i = draw(st.integers(0, len(base) - 1))
    x = draw(st.integers(2, 5))
    y = draw(st.integers(2, 5).filter(lambda v: v != x))
    a, b = list(base), list(base)
    a[i], b[i] = x, y
    cut = draw(st.integers(0, i))
    return tuple(a), tuple(b[cut:])


@SETTINGS
@given(clashing_shapes())
def test_non_broadcastable_shapes_raise(shapes):
    a_shape, b_shape = shapes
    with pytest.raises(RuntimeError, match=r"^The size of tensor a \(\d+\) must match the size"):
        ndgrad.ones(a_shape) + ndgrad.ones(b_shape)


@SETTINGS
@given(clashing_shapes())
def test_non_broadcastable_shapes_vs_torch(shapes):
    torch = pytest.importorskip("torch")
    a_shape, b_shape = shapes
    texts = []
    for lib in (ndgrad, torch):
        with pytest.raises(RuntimeError) as info:
            lib.ones(a_shape) * lib.ones(b_shape)
        texts.append(str(info.value))
    assert texts[0] == texts[1]


@SETTINGS
@given(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=small_floats),
    small_floats,
    small_floats,
)
def test_gradient_is_linear_in_the_function(x0, alpha, beta):
    def f(x):
        return (x.sin() * x).sum()

    def g(x):
        return (x.exp() / (1 + x * x)).sum()

    x = ndgrad.tensor(x0, requires_grad=True)
    f(x).backward()
    gf = x.grad.clone()
    x.grad = None
    g(x).backward()
    gg = x.grad.clone()
    x.grad = None
    (alpha * f(x) + beta * g(x)).backward()
    np.testing.assert_allclose(
        x.grad.numpy(), alpha * gf.numpy() + beta * gg.numpy(), rtol=1e-9, atol=1e-9
    )
    # The same through accumulation: two backward calls add up.
    x.grad = None
    (alpha * f(x)).backward()
    (beta * g(x)).backward()
    np.testing.assert_allclose(
        x.grad.numpy(), alpha * gf.numpy() + beta * gg.numpy(), rtol=1e-9, atol=1e-9
    )


@SETTINGS
@given(
    hnp.arrays(np.float64, st.integers(1, 6).map(lambda n: (n,)), elements=small_floats),
    st.data(),
)
def test_gradient_is_linear_in_the_upstream_gradient(x0, data):
    n = x0.shape[0]
    u = data.draw(hnp.arrays(np.float64, (n,), elements=small_floats))
    v = data.draw(hnp.arrays(np.float64, (n,), elements=small_floats))
    alpha = data.draw(small_floats)
    x = ndgrad.tensor(x0, requires_grad=True)
    y = x.tanh() * x + x.exp()
    grads = []
    for g in (u, v, alpha * u + v):
        x.grad = None
        y.backward(ndgrad.tensor(g), retain_graph=True)
        grads.append(x.grad.numpy().copy())
    np.testing.assert_allclose(grads[2], alpha * grads[0] + grads[1], rtol=1e-9, atol=1e-9)


@SETTINGS
@given(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=small_floats),
    st.data(),
)
def test_gradient_of_linear_function_is_its_coefficients(x0, data):
    c = data.draw(hnp.arrays(np.float64, x0.shape, elements=small_floats))
    x = ndgrad.tensor(x0, requires_grad=True)
    (ndgrad.tensor(c) * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), c, rtol=0, atol=0)


DTYPES = [
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


@SETTINGS
@given(
    st.sampled_from(DTYPES),
    st.booleans(),
    st.one_of(
        st.booleans(),
        st.integers(-100, 100),
        st.floats(-100, 100, allow_nan=False, width=32),
    ),
    st.sampled_from(["add", "mul", "radd", "rmul"]),
)
@example("uint8", False, -1, "add")
@example("float64", True, 2.5, "rmul")
def test_scalar_promotion_vs_torch(name, zero_dim, scalar, op):
    torch = pytest.importorskip("torch")
    fns = {
        "add": lambda t: t + scalar,
        "mul": lambda t: t * scalar,
        "radd": lambda t: scalar + t,
        "rmul": lambda t: scalar * t,
    }
    outs = []
    for lib in (ndgrad, torch):
        data = 3 if zero_dim else [0, 1, 3]
        outs.append(fns[op](lib.tensor(data, dtype=getattr(lib, name))))
    assert repr(outs[0].dtype).split(".")[1] == repr(outs[1].dtype).split(".")[1]
    np.testing.assert_allclose(outs[0].numpy(), outs[1].numpy(), rtol=1e-3)


@SETTINGS
@given(st.lists(st.integers(1, 4), min_size=0, max_size=4), st.data())
def test_reshape_round_trip_and_view_shares(shape, data):
    n = int(np.prod(shape)) if shape else 1
    t = ndgrad.arange(n).reshape(shape)
    assert t.shape == tuple(shape)
    flat = t.reshape(-1)
    assert flat.tolist() == list(range(n))
    v = t.view(n)
    v[0] = -1
    assert t.reshape(-1).tolist()[0] == -1
