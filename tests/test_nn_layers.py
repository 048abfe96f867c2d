"""Every layer against torch.nn with the same weights and inputs: outputs and all gradients."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import ndgrad
import ndgrad.nn as nn

RNG = np.random.default_rng(0)


def _arr(shape, kind="float", dtype=np.float32, low=0, high=4):
    if kind == "int":
        return RNG.integers(low, high, shape).astype(np.int64)
    if kind == "prob":
        return RNG.uniform(0.05, 0.95, shape).astype(dtype)
    if kind == "sign":
        return np.where(RNG.random(shape) < 0.5, -1.0, 1.0).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def _flat(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flat(o))
        return res
    return [] if out is None else [out]


def _copy_weights(tm, nm):
    state = {k: ndgrad.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
    res = nm.load_state_dict(state)
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert list(nm.state_dict()) == list(tm.state_dict())


def compare(make, specs, dtype="float32", train=False, atol=None, grads=True):
    """Build ``make(torch.nn)`` and ``make(ndgrad.nn)``; same weights, inputs, and upstream grad."""
    torch = pytest.importorskip("torch")
    np_dtype = np.float32 if dtype == "float32" else np.float64
    atol = atol or (2e-4 if dtype == "float32" else 1e-9)
    torch.manual_seed(0)
    tm = make(torch.nn)
    nm = make(nn)
    if dtype == "float64":
        tm.double()
        nm.double()
    _copy_weights(tm, nm)
    tm.train(train)
    nm.train(train)
    arrays = [
        _arr(s[0], s[1] if len(s) > 1 else "float", np_dtype, *s[2:])
        if isinstance(s, tuple)
        else s
        for s in specs
    ]
    # Only plain normal inputs get gradients; targets (probabilities, signs, ids) do not.
    kinds = [s[1] if isinstance(s, tuple) and len(s) > 1 else "float" for s in specs]
    t_in, n_in = [], []
    for a, kind in zip(arrays, kinds):
        if isinstance(a, np.ndarray):
            diff = a.dtype.kind == "f" and grads and kind == "float"
            t_in.append(torch.tensor(a, requires_grad=diff))
            n_in.append(ndgrad.tensor(a, requires_grad=diff))
        else:
            t_in.append(a)
            n_in.append(a)
    t_out = _flat(tm(*t_in))
    n_out = _flat(nm(*n_in))
    assert len(t_out) == len(n_out)
    for t, n in zip(t_out, n_out):
        assert tuple(t.shape) == tuple(n.shape)
        assert str(t.dtype).split(".")[1] == str(n.dtype).split(".")[1]
        np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), atol=atol, rtol=atol)
    if not grads:
        return tm, nm
    diffs = [(t, n) for t, n in zip(t_out, n_out) if t.requires_grad]
    if diffs:
        gs = [_arr(tuple(t.shape), "float", np_dtype) for t, _ in diffs]
        sum(((t * torch.tensor(g)).sum() for (t, _), g in zip(diffs, gs)), start=0).backward()
        sum(((n * ndgrad.tensor(g)).sum() for (_, n), g in zip(diffs, gs)), start=0).backward()
        for t, n in zip(t_in, n_in):
            if getattr(t, "requires_grad", False):
                np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), atol=atol, rtol=atol)
        n_params = dict(nm.named_parameters())
        for name, tp in tm.named_parameters():
            np_ = n_params[name]
            if tp.grad is None:
                assert np_.grad is None or not np.any(np_.grad.numpy()), name
            else:
                assert np_.grad is not None, name
                np.testing.assert_allclose(
                    np_.grad.numpy(), tp.grad.numpy(), atol=atol, rtol=atol, err_msg=name
                )
    for name, tb in tm.named_buffers():
        nb = dict(nm.named_buffers())[name]
        np.testing.assert_allclose(nb.numpy(), tb.numpy(), atol=atol, rtol=atol, err_msg=name)
    return tm, nm


# (id, constructor on an nn namespace, input specs, extra compare kwargs)
LAYERS = [
    ("Identity", lambda m: m.Identity(3, k=1), [((2, 3),)], {}),
    ("Linear", lambda m: m.Linear(4, 3), [((5, 4),)], {}),
    ("Linear3d", lambda m: m.Linear(4, 3, bias=False), [((2, 5, 4),)], {}),
    ("Bilinear", lambda m: m.Bilinear(3, 4, 2), [((5, 3),), ((5, 4),)], {}),
    ("Flatten", lambda m: m.Flatten(), [((2, 3, 4, 5),)], {}),
    ("Unflatten", lambda m: m.Unflatten(1, (2, 6)), [((3, 12),)], {}),
    ("Conv1d", lambda m: m.Conv1d(3, 4, 3, stride=2, padding=1), [((2, 3, 9),)], {}),
    ("Conv1d_same", lambda m: m.Conv1d(2, 4, 4, padding="same", dilation=2), [((2, 2, 9),)], {}),
    ("Conv2d", lambda m: m.Conv2d(3, 4, 3, padding=1), [((2, 3, 6, 5),)], {}),
    (
        "Conv2d_groups",
        lambda m: m.Conv2d(4, 6, (3, 2), stride=(2, 1), groups=2, bias=False),
        [((2, 4, 7, 6),)],
        {},
    ),
    (
        "Conv2d_reflect",
        lambda m: m.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"),
        [((2, 2, 5, 5),)],
        {},
    ),
    (
        "Conv2d_circular",
        lambda m: m.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="circular"),
        [((1, 2, 5, 6),)],
        {},
    ),
    ("Conv2d_unbatched", lambda m: m.Conv2d(2, 3, 3), [((2, 5, 5),)], {}),
    ("ConvTranspose1d", lambda m: m.ConvTranspose1d(3, 2, 3, stride=2), [((2, 3, 5),)], {}),
    (
        "ConvTranspose2d",
        lambda m: m.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2),
        [((2, 4, 4, 3),)],
        {},
    ),
    ("MaxPool1d", lambda m: m.MaxPool1d(3, stride=2, padding=1), [((2, 3, 9),)], {}),
    ("MaxPool2d", lambda m: m.MaxPool2d(2), [((2, 3, 6, 6),)], {}),
    ("MaxPool2d_ceil", lambda m: m.MaxPool2d(3, 2, ceil_mode=True), [((1, 2, 7, 8),)], {}),
    ("AvgPool1d", lambda m: m.AvgPool1d(2), [((2, 3, 8),)], {}),
    ("AvgPool2d", lambda m: m.AvgPool2d(3, 2, padding=1), [((2, 3, 7, 7),)], {}),
    ("AdaptiveAvgPool1d", lambda m: m.AdaptiveAvgPool1d(3), [((2, 3, 7),)], {}),
    ("AdaptiveAvgPool2d", lambda m: m.AdaptiveAvgPool2d((2, 3)), [((2, 3, 7, 8),)], {}),
    ("AdaptiveMaxPool2d", lambda m: m.AdaptiveMaxPool2d(2), [((2, 3, 6, 5),)], {}),
    ("Upsample", lambda m: m.Upsample(scale_factor=2), [((1, 2, 3, 3),)], {}),
    (
        "Upsample_bilinear",
        lambda m: m.Upsample(size=(5, 4), mode="bilinear", align_corners=False),
        [((1, 2, 3, 3),)],
        {},
    ),
    ("ZeroPad2d", lambda m: m.ZeroPad2d((1, 2, 0, 1)), [((1, 2, 3, 3),)], {}),
    ("ConstantPad1d", lambda m: m.ConstantPad1d(2, 3.5), [((2, 3, 4),)], {}),
    ("ReflectionPad2d", lambda m: m.ReflectionPad2d(1), [((1, 2, 3, 3),)], {}),
    ("BatchNorm1d", lambda m: m.BatchNorm1d(4), [((6, 4),)], {"train": True}),
    ("BatchNorm1d_3d", lambda m: m.BatchNorm1d(3), [((4, 3, 5),)], {"train": True}),
    ("BatchNorm1d_eval", lambda m: m.BatchNorm1d(4), [((6, 4),)], {}),
    ("BatchNorm2d", lambda m: m.BatchNorm2d(3), [((4, 3, 2, 3),)], {"train": True}),
    (
        "BatchNorm2d_cma",
        lambda m: m.BatchNorm2d(3, momentum=None, affine=False),
        [((4, 3, 2, 3),)],
        {"train": True},
    ),
    (
        "BatchNorm2d_nostats",
        lambda m: m.BatchNorm2d(3, track_running_stats=False),
        [((4, 3, 2, 3),)],
        {},
    ),
    ("LayerNorm", lambda m: m.LayerNorm(5), [((3, 4, 5),)], {}),
    ("LayerNorm2", lambda m: m.LayerNorm((4, 5), elementwise_affine=False), [((3, 4, 5),)], {}),
    ("GroupNorm", lambda m: m.GroupNorm(2, 4), [((3, 4, 5),)], {}),
    ("InstanceNorm1d", lambda m: m.InstanceNorm1d(3), [((2, 3, 6),)], {}),
    ("InstanceNorm2d", lambda m: m.InstanceNorm2d(3, affine=True), [((2, 3, 4, 4),)], {}),
    ("Dropout_eval", lambda m: m.Dropout(0.5), [((3, 4),)], {}),
    ("Dropout_p0", lambda m: m.Dropout(0.0), [((3, 4),)], {"train": True}),
    ("Dropout2d_eval", lambda m: m.Dropout2d(0.3), [((2, 3, 4, 4),)], {}),
    ("Embedding", lambda m: m.Embedding(10, 3), [((2, 5), "int", 0, 10)], {}),
    (
        "Embedding_pad",
        lambda m: m.Embedding(10, 3, padding_idx=2),
        [np.array([[2, 1, 2], [3, 4, 2]])],
        {},
    ),
    ("RNN", lambda m: m.RNN(3, 4), [((5, 2, 3),)], {}),
    (
        "RNN_relu_2l_bi",
        lambda m: m.RNN(3, 4, 2, nonlinearity="relu", bidirectional=True),
        [((5, 2, 3),)],
        {},
    ),
    ("LSTM", lambda m: m.LSTM(3, 4), [((5, 2, 3),)], {}),
    (
        "LSTM_bf_2l_bi",
        lambda m: m.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True),
        [((2, 5, 3),)],
        {},
    ),
    ("LSTM_proj", lambda m: m.LSTM(3, 5, proj_size=2), [((4, 2, 3),)], {}),
    ("LSTM_unbatched", lambda m: m.LSTM(3, 4, bias=False), [((5, 3),)], {}),
    ("GRU", lambda m: m.GRU(3, 4), [((5, 2, 3),)], {}),
    (
        "GRU_2l_bi_bf",
        lambda m: m.GRU(3, 4, 2, batch_first=True, bidirectional=True),
        [((2, 5, 3),)],
        {},
    ),
    ("RNNCell", lambda m: m.RNNCell(3, 4), [((2, 3),), ((2, 4),)], {}),
    ("LSTMCell", lambda m: m.LSTMCell(3, 4), [((2, 3),)], {}),
    ("GRUCell", lambda m: m.GRUCell(3, 4), [((3,),)], {}),
    ("MHA", lambda m: m.MultiheadAttention(8, 2), [((4, 2, 8),), ((5, 2, 8),), ((5, 2, 8),)], {}),
    (
        "MHA_bf_kv",
        lambda m: m.MultiheadAttention(8, 4, batch_first=True, kdim=3, vdim=5),
        [((2, 4, 8),), ((2, 6, 3),), ((2, 6, 5),)],
        {},
    ),
    (
        "MHA_biaskv_zero",
        lambda m: m.MultiheadAttention(6, 2, add_bias_kv=True, add_zero_attn=True),
        [((3, 2, 6),), ((4, 2, 6),), ((4, 2, 6),)],
        {},
    ),
    (
        "TransformerEncoderLayer",
        lambda m: m.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0),
        [((5, 2, 8),)],
        {},
    ),
    (
        "TransformerEncoderLayer_nf_gelu",
        lambda m: m.TransformerEncoderLayer(
            8, 2, 16, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
        ),
        [((2, 5, 8),)],
        {},
    ),
    (
        "TransformerEncoder",
        lambda m: m.TransformerEncoder(
            m.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True),
            2,
            norm=m.LayerNorm(8),
            enable_nested_tensor=False,
        ),
        [((2, 5, 8),)],
        {},
    ),
]

ACTIVATIONS = [
    lambda m: m.ReLU(),
    lambda m: m.ReLU6(),
    lambda m: m.LeakyReLU(0.2),
    lambda m: m.ELU(alpha=0.7),
    lambda m: m.SELU(),
    lambda m: m.CELU(1.3),
    lambda m: m.GELU(),
    lambda m: m.GELU(approximate="tanh"),
    lambda m: m.SiLU(),
    lambda m: m.Mish(),
    lambda m: m.Softplus(beta=2.0, threshold=3.0),
    lambda m: m.Softsign(),
    lambda m: m.Hardtanh(-0.5, 0.7),
    lambda m: m.Hardsigmoid(),
    lambda m: m.Hardswish(),
    lambda m: m.Sigmoid(),
    lambda m: m.Tanh(),
    lambda m: m.LogSigmoid(),
    lambda m: m.Softmax(dim=1),
    lambda m: m.LogSoftmax(dim=-1),
    lambda m: m.Softmin(dim=0),
    lambda m: m.Softmax2d(),
    lambda m: m.GLU(dim=1),
    lambda m: m.PReLU(),
    lambda m: m.PReLU(4, init=0.1),
    lambda m: m.Threshold(0.1, 20.0),
    lambda m: m.Hardshrink(0.3),
    lambda m: m.Softshrink(0.3),
    lambda m: m.Tanhshrink(),
]

LOSSES = [
    ("MSELoss", lambda m: m.MSELoss(), [((3, 4),), ((3, 4),)]),
    ("MSELoss_sum", lambda m: m.MSELoss(reduction="sum"), [((3, 4),), ((3, 4),)]),
    ("L1Loss", lambda m: m.L1Loss(reduction="none"), [((3, 4),), ((3, 4),)]),
    ("SmoothL1Loss", lambda m: m.SmoothL1Loss(beta=0.5), [((3, 4),), ((3, 4),)]),
    ("HuberLoss", lambda m: m.HuberLoss(delta=0.7), [((3, 4),), ((3, 4),)]),
    ("CrossEntropyLoss", lambda m: m.CrossEntropyLoss(), [((5, 4),), ((5,), "int", 0, 4)]),
    (
        "CrossEntropyLoss_ls",
        lambda m: m.CrossEntropyLoss(label_smoothing=0.1, ignore_index=1),
        [((5, 4, 3),), ((5, 3), "int", 0, 4)],
    ),
    ("NLLLoss", lambda m: m.NLLLoss(reduction="sum"), [((5, 4),), ((5,), "int", 0, 4)]),
    ("BCELoss", lambda m: m.BCELoss(), [((3, 4), "prob"), ((3, 4), "prob")]),
    ("BCEWithLogitsLoss", lambda m: m.BCEWithLogitsLoss(), [((3, 4),), ((3, 4), "prob")]),
    ("KLDivLoss", lambda m: m.KLDivLoss(reduction="batchmean"), [((3, 4),), ((3, 4), "prob")]),
    (
        "CosineEmbeddingLoss",
        lambda m: m.CosineEmbeddingLoss(margin=0.1),
        [((4, 5),), ((4, 5),), ((4,), "sign")],
    ),
    (
        "MarginRankingLoss",
        lambda m: m.MarginRankingLoss(margin=0.2),
        [((6,),), ((6,),), ((6,), "sign")],
    ),
    ("SoftMarginLoss", lambda m: m.SoftMarginLoss(), [((3, 4),), ((3, 4), "sign")]),
    ("HingeEmbeddingLoss", lambda m: m.HingeEmbeddingLoss(), [((3, 4),), ((3, 4), "sign")]),
]


@pytest.mark.parametrize("name,make,specs,kw", LAYERS, ids=[x[0] for x in LAYERS])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layer_vs_torch(name, make, specs, kw, dtype):
    compare(make, specs, dtype, **kw)


@pytest.mark.parametrize("make", ACTIVATIONS, ids=lambda f: f(nn)._get_name() + repr(f(nn)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activation_vs_torch(make, dtype):
    name = make(nn)._get_name()
    if dtype == "float64" and name in ("CELU", "Hardsigmoid"):
        # F.celu / F.hardsigmoid backward lose float64 precision (~3e-8): reported upstream.
        compare(make, [((3, 4, 2, 2),)], dtype, atol=1e-7)
        return
    compare(make, [((3, 4, 2, 2),)], dtype)


@pytest.mark.parametrize("name,make,specs", LOSSES, ids=[x[0] for x in LOSSES])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_loss_vs_torch(name, make, specs, dtype):
    compare(make, specs, dtype)


def test_rnn_with_initial_state_vs_torch():
    compare(lambda m: m.GRU(3, 4, 2), [((5, 2, 3),), ((2, 2, 4),)])
    compare(lambda m: m.RNN(3, 4, bidirectional=True), [((5, 3),), ((2, 4),)])
    torch = pytest.importorskip("torch")
    tm, nm = torch.nn.LSTM(3, 4, 2), nn.LSTM(3, 4, 2)
    _copy_weights(tm, nm)
    x, h, c = _arr((5, 2, 3)), _arr((2, 2, 4)), _arr((2, 2, 4))
    to, (th, tc) = tm(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))
    no, (nh, nc) = nm(ndgrad.tensor(x), (ndgrad.tensor(h), ndgrad.tensor(c)))
    for t, n in [(to, no), (th, nh), (tc, nc)]:
        np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), atol=1e-5)


def test_mha_masks_vs_torch():
    torch = pytest.importorskip("torch")
    for batch_first in (False, True):
        tm = torch.nn.MultiheadAttention(8, 2, batch_first=batch_first)
        nm = nn.MultiheadAttention(8, 2, batch_first=batch_first)
        _copy_weights(tm, nm)
        q = _arr((2, 4, 8)) if batch_first else _arr((4, 2, 8))
        causal = np.triu(np.ones((4, 4), bool), 1)
        kpm = np.array([[False, False, False, True], [False, True, False, False]])
        float_mask = _arr((4, 4))
        for kw in (
            {"attn_mask": causal},
            {"key_padding_mask": kpm},
            {"attn_mask": causal, "key_padding_mask": kpm, "average_attn_weights": False},
            {"attn_mask": float_mask, "need_weights": False},
        ):
            tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
            nkw = {k: ndgrad.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
            to, tw = tm(torch.tensor(q), torch.tensor(q), torch.tensor(q), **tkw)
            no, nw = nm(ndgrad.tensor(q), ndgrad.tensor(q), ndgrad.tensor(q), **nkw)
            np.testing.assert_allclose(no.detach().numpy(), to.detach().numpy(), atol=1e-5)
            if tw is None:
                assert nw is None
            else:
                np.testing.assert_allclose(nw.detach().numpy(), tw.detach().numpy(), atol=1e-5)


def test_batchnorm_running_stats_over_steps():
    torch = pytest.importorskip("torch")
    for momentum in (0.1, None):
        tm, nm = torch.nn.BatchNorm1d(3, momentum=momentum), nn.BatchNorm1d(3, momentum=momentum)
        for _ in range(3):
            x = _arr((5, 3))
            tm(torch.tensor(x))
            nm(ndgrad.tensor(x))
        np.testing.assert_allclose(nm.running_mean.numpy(), tm.running_mean.numpy(), atol=1e-6)
        np.testing.assert_allclose(nm.running_var.numpy(), tm.running_var.numpy(), atol=1e-6)
        assert int(nm.num_batches_tracked) == 3
        assert nm.num_batches_tracked.dtype == ndgrad.int64
        tm.eval()
        nm.eval()
        x = _arr((4, 3))
        np.testing.assert_allclose(
            nm(ndgrad.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(), atol=1e-5
        )


def test_batchnorm_loads_old_checkpoint_without_num_batches_tracked():
    m = nn.BatchNorm1d(2)
    sd = {k: v for k, v in m.state_dict().items() if k != "num_batches_tracked"}
    assert m.load_state_dict(sd).missing_keys == []


def test_dropout_training_statistics():
    ndgrad.manual_seed(0)
    m = nn.Dropout(0.25)
    y = m(ndgrad.ones(200, 200))
    zeros = float((y == 0).float().mean())
    assert abs(zeros - 0.25) < 0.02
    assert np.allclose(y.numpy()[y.numpy() != 0], 1 / 0.75)
    m.eval()
    x = ndgrad.randn(3, 4)
    assert ndgrad.equal(m(x), x)


def test_embedding_from_pretrained_and_padding():
    w = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    e = nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad
    assert e(ndgrad.tensor([2, 0])).tolist() == [[5.0, 6.0], [1.0, 2.0]]
    e2 = nn.Embedding(5, 3, padding_idx=-1)
    assert e2.padding_idx == 4 and e2.weight[4].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(5, 3, padding_idx=5)
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dim"):
        nn.Embedding.from_pretrained(ndgrad.ones(3))


def test_parameter_shapes_and_names_match_torch():
    torch = pytest.importorskip("torch")
    for _, make, _, _ in LAYERS:
        torch.manual_seed(0)
        t, n = make(torch.nn), make(nn)
        tn = [(k, tuple(v.shape)) for k, v in t.named_parameters()]
        nn_ = [(k, tuple(v.shape)) for k, v in n.named_parameters()]
        assert tn == nn_
        assert list(t.state_dict()) == list(n.state_dict())
        assert [k for k, _ in t.named_buffers()] == [k for k, _ in n.named_buffers()]


def test_reprs_match_torch():
    torch = pytest.importorskip("torch")
    makes = [x[1] for x in LAYERS] + ACTIVATIONS + [x[1] for x in LOSSES]
    makes += [
        lambda m: m.Conv2d(2, 4, 3, stride=2, padding="same" if False else 1, dilation=2),
        lambda m: m.Conv1d(2, 4, 3, padding="valid", bias=False),
        lambda m: m.Conv2d(2, 4, 3, padding=1, padding_mode="replicate", groups=2),
        lambda m: m.ConvTranspose2d(2, 4, 3, stride=2, output_padding=1),
        lambda m: m.BatchNorm2d(3, affine=False, track_running_stats=False),
        lambda m: m.InstanceNorm2d(3),
        lambda m: m.GroupNorm(2, 4, affine=False),
        lambda m: m.Embedding(10, 3, padding_idx=0, max_norm=1.0, norm_type=1.0),
        lambda m: m.RNN(3, 4, 2, nonlinearity="relu", bias=False, dropout=0.5),
        lambda m: m.RNNCell(3, 4, bias=False, nonlinearity="relu"),
        lambda m: m.Hardtanh(inplace=True),
        lambda m: m.ReLU(inplace=True),
        lambda m: m.Dropout(inplace=True),
        lambda m: m.Upsample(size=4),
        lambda m: m.AdaptiveMaxPool2d((2, None)),
        lambda m: m.ReplicationPad1d((1, 2)),
        lambda m: m.MaxPool1d(2, return_indices=True),
        lambda m: m.MultiheadAttention(4, 2, bias=False),
    ]
    for make in makes:
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                assert repr(make(nn)) == repr(make(torch.nn))


def test_default_init_distributions():
    ndgrad.manual_seed(0)
    lin = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w = lin.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(lin.bias.detach().numpy()).max() <= bound
    conv = nn.Conv2d(8, 16, 3)
    bound = 1 / math.sqrt(8 * 9)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound
    assert np.abs(conv.bias.detach().numpy()).max() <= bound
    lstm = nn.LSTM(10, 25)
    for p in lstm.parameters():
        assert np.abs(p.detach().numpy()).max() <= 1 / 5
    emb = nn.Embedding(500, 100).weight.detach().numpy()
    assert abs(emb.mean()) < 0.02 and abs(emb.std() - 1) < 0.02
    bn = nn.BatchNorm1d(4)
    assert bn.weight.tolist() == [1.0] * 4 and bn.bias.tolist() == [0.0] * 4
    mha = nn.MultiheadAttention(8, 2)
    assert mha.in_proj_bias.tolist() == [0.0] * 24
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= math.sqrt(6 / (8 + 24))


def test_constructor_errors_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda m: m.Conv2d(3, 4, 3, groups=2),
        lambda m: m.Conv2d(4, 3, 3, groups=2),
        lambda m: m.Conv2d(4, 4, 3, groups=0),
        lambda m: m.Conv2d(4, 4, 3, padding="full"),
        lambda m: m.Conv2d(4, 4, 3, stride=2, padding="same"),
        lambda m: m.Conv2d(4, 4, 3, padding_mode="bogus"),
        lambda m: m.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
        lambda m: m.Dropout(1.5),
        lambda m: m.GroupNorm(3, 4),
        lambda m: m.LSTM(3, 4, proj_size=4),
        lambda m: m.GRU(3, 4, proj_size=2),
        lambda m: m.RNN(3, 4, nonlinearity="gelu"),
        lambda m: m.RNN(3, 0),
        lambda m: m.LSTM(3, 4, dropout=2),
        lambda m: m.MultiheadAttention(6, 4),
        lambda m: m.MultiheadAttention(0, 4),
        lambda m: m.Hardtanh(1.0, 0.0),
        lambda m: m.Unflatten(1, 6),
        lambda m: m.MultiMarginLoss(p=3),
        lambda m: m.TripletMarginLoss(margin=0),
    ]
    for make in cases:
        with pytest.raises(Exception) as te:
            make(torch.nn)
        with pytest.raises(type(te.value)) as ne:
            make(nn)
        assert _unordered_sets(str(ne.value)) == _unordered_sets(str(te.value))


def _unordered_sets(message: str) -> str:
    # Messages that print a Python set list it in hash order, which varies between runs.
    return re.sub(r"\{[^{}]*\}", lambda m: str(sorted(m.group(0)[1:-1].split(", "))), message)


def test_forward_errors_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda m: m.BatchNorm1d(3), (2, 3, 4, 5)),
        (lambda m: m.BatchNorm2d(3), (2, 3)),
        (lambda m: m.InstanceNorm1d(3), (2, 3, 4, 5)),
        (lambda m: m.InstanceNorm1d(3, affine=True), (2, 4, 5)),
        (lambda m: m.LSTM(3, 4), (2, 3, 4, 5)),
        (lambda m: m.RNN(3, 4), (5,)),
        (lambda m: m.GRU(3, 4), (5, 2, 4)),
        (lambda m: m.GRUCell(3, 4), (2, 2, 3)),
        (lambda m: m.Softmax2d(), (2, 3)),
    ]
    for make, shape in cases:
        x = _arr(shape)
        with pytest.raises(Exception) as te:
            make(torch.nn)(torch.tensor(x))
        with pytest.raises(type(te.value)) as ne:
            make(nn)(ndgrad.tensor(x))
        assert str(ne.value) == str(te.value)


def test_rnn_hidden_size_errors_match_torch():
    torch = pytest.importorskip("torch")
    x, h = _arr((5, 2, 3)), _arr((1, 2, 4))
    with pytest.raises(RuntimeError) as te:
        torch.nn.GRU(3, 4, 2)(torch.tensor(x), torch.tensor(h))
    with pytest.raises(RuntimeError) as ne:
        nn.GRU(3, 4, 2)(ndgrad.tensor(x), ndgrad.tensor(h))
    assert str(ne.value) == str(te.value)


def test_fixed_values_without_torch():
    lin = nn.Linear(2, 1)
    with ndgrad.no_grad():
        lin.weight.copy_(ndgrad.tensor([[2.0, -1.0]]))
        lin.bias.fill_(0.5)
    assert lin(ndgrad.tensor([[1.0, 3.0]])).tolist() == [[-0.5]]
    bn = nn.BatchNorm1d(1)
    out = bn(ndgrad.tensor([[1.0], [3.0]]))
    assert np.allclose(out.detach().numpy().ravel(), [-1.0, 1.0], atol=1e-4)
    assert np.allclose(bn.running_mean.tolist(), [0.2])
    assert np.allclose(bn.running_var.tolist(), [0.9 + 0.1 * 2.0])
    assert nn.MSELoss()(ndgrad.tensor([1.0, 2.0]), ndgrad.tensor([0.0, 0.0])).item() == 2.5
    cell = nn.RNNCell(1, 1, bias=False)
    with ndgrad.no_grad():
        cell.weight_ih.fill_(1.0)
        cell.weight_hh.fill_(0.0)
    assert np.isclose(cell(ndgrad.tensor([[0.5]])).item(), math.tanh(0.5))
