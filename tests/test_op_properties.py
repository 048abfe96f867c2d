"""Property tests over the op table: gradient shapes and linearity of every VJP.

For every entry, hypothesis draws the incoming gradients; for the broadcasting binary ops
it also draws the (mutually broadcastable) input shapes.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import ndgrad
from op_db import OPS, OpInfo, make_inputs
from op_info import BINARY

SETTINGS = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
BROADCASTING = [info for info in OPS if info.samples is BINARY]
IDS = [info.name for info in OPS]


def _vjp(info: OpInfo, arrays: list[np.ndarray], g: np.ndarray) -> list[np.ndarray]:
    xs = [ndgrad.tensor(a, requires_grad=True) for a in arrays]
    out = info.fn(ndgrad, *xs)
    grads = ndgrad.autograd.grad(out, xs, grad_outputs=ndgrad.tensor(g), allow_unused=True)
    return [np.zeros_like(a) if gr is None else gr.numpy() for a, gr in zip(arrays, grads)]


def _check_linear(info: OpInfo, arrays: list[np.ndarray], data: st.DataObject) -> None:
    out_shape = info.fn(ndgrad, *[ndgrad.tensor(a) for a in arrays]).shape
    floats = st.floats(-2, 2, allow_nan=False, width=64)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    g1, g2 = (rng.normal(size=tuple(out_shape)) for _ in range(2))
    a, b = data.draw(floats), data.draw(floats)
    v1, v2 = _vjp(info, arrays, g1), _vjp(info, arrays, g2)
    combined = _vjp(info, arrays, a * g1 + b * g2)
    for x, c, p, q in zip(arrays, combined, v1, v2):
        assert c.shape == x.shape  # each gradient has its input's shape
        np.testing.assert_allclose(c, a * p + b * q, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("info", OPS, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_vjp_is_linear_in_the_incoming_gradient(info: OpInfo, data: st.DataObject) -> None:
    sample = data.draw(st.integers(0, len(info.samples) - 1))
    arrays = make_inputs(info, info.samples[sample], np.float64, seed=sample)
    _check_linear(info, arrays, data)


@pytest.mark.parametrize("info", BROADCASTING, ids=[i.name for i in BROADCASTING])
@SETTINGS
@given(
    shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
    data=st.data(),
)
def test_broadcasting_binary_ops_over_drawn_shapes(info: OpInfo, shapes, data) -> None:
    arrays = make_inputs(info, shapes.input_shapes, np.float64, seed=1)
    out = info.fn(ndgrad, *[ndgrad.tensor(a) for a in arrays])
    assert tuple(out.shape) == shapes.result_shape
    _check_linear(info, arrays, data)
