"""nn.functional normalisation layers and scaled dot-product attention against torch."""

import math

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as F
from ndgrad.autograd import gradgradcheck

DTYPES = ["float32", "float64"]


def _pair(torch, a, dtype, grad=True):
    a = a.astype(dtype) if a.dtype.kind == "f" else a
    rg = grad and a.dtype.kind == "f"
    return torch.tensor(a, requires_grad=rg), ndgrad.tensor(a, requires_grad=rg)


def _check(fn, *arrays, dtype="float64", buffers=()):
    """fn(F, *tensors, *buffers) in torch and ndgrad: outputs, gradients, updated buffers."""
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    pairs = [_pair(torch, a, dtype) for a in arrays]
    bufs = [_pair(torch, b, dtype, grad=False) for b in buffers]
    to = fn(TF, *[t for t, _ in pairs], *[t for t, _ in bufs])
    no = fn(F, *[n for _, n in pairs], *[n for _, n in bufs])
    tol = 1e-5 if dtype == "float32" else 1e-10
    assert tuple(no.shape) == tuple(to.shape)
    assert str(no.dtype) == str(to.dtype).replace("torch", "ndgrad")
    np.testing.assert_allclose(no.detach().numpy(), to.detach().numpy(), rtol=tol, atol=tol)
    go = np.random.default_rng(1).standard_normal(tuple(to.shape)).astype(dtype)
    to.backward(torch.tensor(go))
    no.backward(ndgrad.tensor(go))
    for t, n in pairs:
        np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)
    for t, n in bufs:
        np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=tol, atol=tol)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed + sum(shape)).standard_normal(shape)


# ------------------------------------------------------------------ fixed values
def test_layer_norm_fixed_values():
    y = F.layer_norm(ndgrad.tensor([[1.0, 3.0]]), [2], eps=0.0)
    assert y.tolist() == [[-1.0, 1.0]]
    y = F.layer_norm(ndgrad.tensor([[1.0, 3.0]]), (2,), ndgrad.tensor([2.0, 3.0]), eps=0.0)
    assert y.tolist() == [[-2.0, 3.0]]


def test_batch_norm_running_stats_fixed():
    x = ndgrad.tensor([[1.0], [3.0]])
    rm, rv = ndgrad.zeros(1), ndgrad.ones(1)
    y = F.batch_norm(x, rm, rv, training=True, momentum=0.5, eps=0.0)
    assert y.tolist() == [[-1.0], [1.0]]
    # Running variance is unbiased: var([1, 3]) = 2.
    assert rm.tolist() == [1.0] and rv.tolist() == [1.5]
    y = F.batch_norm(x, rm, rv, eps=0.0)
    assert np.allclose(y.numpy(), [[0.0], [2.0 / math.sqrt(1.5)]])


def test_rms_norm_and_group_norm_fixed():
    y = F.rms_norm(ndgrad.tensor([[3.0, 4.0]]), [2], eps=0.0)
    assert np.allclose(y.numpy(), [[3 / math.sqrt(12.5), 4 / math.sqrt(12.5)]])
    y = F.group_norm(ndgrad.tensor([[[1.0], [3.0], [5.0], [5.0]]]), 2)
    assert np.allclose(y.flatten().numpy(), [-1.0, 1.0, 0.0, 0.0], atol=1e-5)


def test_attention_fixed_values():
    q = ndgrad.tensor([[[1.0, 0.0]]])
    k = ndgrad.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    v = ndgrad.tensor([[[10.0], [20.0]]])
    out = F.scaled_dot_product_attention(q, k, v, scale=math.log(3.0))
    assert np.allclose(out.numpy(), [[[12.5]]])  # weights 3:1
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert out.tolist() == [[[10.0]]]
    none = ndgrad.tensor([[False, False]])
    assert F.scaled_dot_product_attention(q, k, v, attn_mask=none).tolist() == [[[0.0]]]


def test_attention_dropout_keeps_scale():
    ndgrad.manual_seed(0)
    q = ndgrad.zeros(1, 1, 2)
    k = ndgrad.zeros(1, 4000, 2)
    v = ndgrad.ones(1, 4000, 1)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert abs(out.item() - 1.0) < 0.1


def test_norm_double_backward():
    x, w, b = (ndgrad.tensor(_rand(*s), requires_grad=True) for s in ((4, 3, 5), (3,), (3,)))
    assert gradgradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, True), (x, w, b))
    assert gradgradcheck(lambda x: F.layer_norm(x, [3, 5]), (x,))
    assert gradgradcheck(lambda x, w, b: F.group_norm(x, 3, w, b), (x, w, b))


# ------------------------------------------------------------------ vs torch
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 5)])
def test_batch_norm_train_vs_torch(shape, dtype):
    _check(
        lambda f, x, w, b, rm, rv: f.batch_norm(x, rm, rv, w, b, True, 0.3, 1e-3),
        _rand(*shape),
        _rand(3),
        _rand(3),
        dtype=dtype,
        buffers=(_rand(3), np.abs(_rand(3)) + 0.5),
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_eval_and_no_affine_vs_torch(dtype):
    rm, rv = _rand(3), np.abs(_rand(3)) + 0.5
    _check(lambda f, x, w, b, m, v: f.batch_norm(x, m, v, w, b), _rand(4, 3, 5),
           _rand(3), _rand(3), dtype=dtype, buffers=(rm, rv))  # fmt: skip
    _check(lambda f, x: f.batch_norm(x, None, None, training=True), _rand(4, 3, 5), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_and_rms_norm_vs_torch(dtype):
    x = _rand(2, 4, 5, 6)
    _check(lambda f, x, w, b: f.layer_norm(x, (5, 6), w, b), x, _rand(5, 6), _rand(5, 6),
           dtype=dtype)  # fmt: skip
    _check(lambda f, x: f.layer_norm(x, [6], eps=0.1), x, dtype=dtype)
    _check(lambda f, x, w: f.rms_norm(x, (6,), w), x, _rand(6), dtype=dtype)
    _check(lambda f, x: f.rms_norm(x, [5, 6], eps=1e-3), x, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_group_instance_lrn_vs_torch(dtype):
    x = _rand(2, 6, 4, 3)
    _check(lambda f, x, w, b: f.group_norm(x, 3, w, b), x, _rand(6), _rand(6), dtype=dtype)
    _check(lambda f, x: f.group_norm(x, 6), x[:, :, 0], dtype=dtype)
    _check(
        lambda f, x, w, b, rm, rv: f.instance_norm(x, rm, rv, w, b, momentum=0.2),
        x,
        _rand(6),
        _rand(6),
        dtype=dtype,
        buffers=(_rand(6), np.abs(_rand(6)) + 0.5),
    )
    _check(lambda f, x, rm, rv: f.instance_norm(x, rm, rv, use_input_stats=False), x,
           dtype=dtype, buffers=(_rand(6), np.abs(_rand(6)) + 0.5))  # fmt: skip
    _check(lambda f, x: f.local_response_norm(x, 3), x[:, :, 0], dtype=dtype)
    _check(lambda f, x: f.local_response_norm(x, 4, 0.1, 0.5, 2.0), x, dtype=dtype)


def _mask(*shape, seed=3):
    m = np.random.default_rng(seed).random(shape) > 0.4
    m[..., 1, :] = False  # a fully masked row gives zeros
    return m


SDPA_CASES = [
    ({}, None),
    (dict(is_causal=True, scale=0.3), None),
    ({}, "bool"),
    ({}, "float"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kw,mask", SDPA_CASES)
def test_attention_vs_torch(kw, mask, dtype):
    q, k, v = _rand(2, 3, 4, 8), _rand(2, 3, 5, 8, seed=1), _rand(2, 3, 5, 6, seed=2)
    if mask is None:
        _check(lambda f, q, k, v: f.scaled_dot_product_attention(q, k, v, **kw), q, k, v,
               dtype=dtype)  # fmt: skip
    elif mask == "bool":
        _check(lambda f, q, k, v, m: f.scaled_dot_product_attention(q, k, v, m), q, k, v,
               dtype=dtype, buffers=(_mask(4, 5),))  # fmt: skip
    else:
        _check(lambda f, q, k, v, m: f.scaled_dot_product_attention(q, k, v, m), q, k, v,
               dtype=dtype, buffers=(_rand(3, 4, 5),))  # fmt: skip


def test_attention_gqa_vs_torch():
    q, k, v = _rand(2, 6, 4, 8), _rand(2, 3, 5, 8, seed=1), _rand(2, 3, 5, 6, seed=2)
    _check(lambda f, q, k, v: f.scaled_dot_product_attention(q, k, v, enable_gqa=True), q, k, v)


# ------------------------------------------------------------------ errors
ERRORS = [
    lambda lib, f: f.batch_norm(lib.randn(1, 3), lib.zeros(3), lib.ones(3), training=True),
    lambda lib, f: f.batch_norm(lib.randn(2, 3), None, None, training=False),
    lambda lib, f: f.batch_norm(lib.randn(2, 4), lib.zeros(3), lib.ones(3)),
    lambda lib, f: f.batch_norm(lib.randn(2, 3), lib.zeros(3), lib.ones(3), lib.randn(4)),
    lambda lib, f: f.layer_norm(lib.randn(2, 3), (4,)),
    lambda lib, f: f.layer_norm(lib.randn(2, 3), 3),
    lambda lib, f: f.layer_norm(lib.randn(2, 3), (3,), lib.randn(4)),
    lambda lib, f: f.group_norm(lib.randn(2, 6, 4), 4),
    lambda lib, f: f.group_norm(lib.randn(6), 2),
    lambda lib, f: f.instance_norm(lib.randn(2, 3, 1)),
    lambda lib, f: f.local_response_norm(lib.randn(2, 3), 2),
    lambda lib, f: f.rms_norm(lib.randn(2, 3), (4,)),
    lambda lib, f: f.scaled_dot_product_attention(
        lib.randn(2, 3, 4),
        lib.randn(2, 3, 4),
        lib.randn(2, 3, 4),
        attn_mask=lib.ones(3, 3, dtype=lib.bool),
        is_causal=True,
    ),  # fmt: skip
    lambda lib, f: f.scaled_dot_product_attention(
        lib.randn(2, 3, 4),
        lib.randn(2, 3, 4),
        lib.randn(2, 3, 4),
        attn_mask=lib.ones(3, 3, dtype=lib.long),
    ),  # fmt: skip
    lambda lib, f: f.scaled_dot_product_attention(
        lib.randn(2, 3, 4), lib.randn(2, 3, 4, dtype=lib.float64), lib.randn(2, 3, 4)
    ),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_like_torch(case):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as TF

    with pytest.raises(Exception) as expected:
        ERRORS[case](torch, TF)
    with pytest.raises(expected.type) as got:
        ERRORS[case](ndgrad, F)
    assert str(got.value) == str(expected.value).replace("torch.", "ndgrad.")
