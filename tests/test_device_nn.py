"""nn, optim and utils.data on a CUDA device: the same values and gradients as on the CPU.

Each layer and functional op runs forward and backward on the CPU and on "cuda" from the same
weights (a module is built on the CPU, deep-copied, and the copy moved with ``.cuda()``);
outputs, input and parameter gradients and buffers must agree, and live on the device.
Module.to/cuda/cpu must move parameters (keeping the Parameter objects), buffers and
gradients; optimizers must step CUDA parameters with their state on CUDA; small networks
trained a few steps, DataLoader batches and checkpointed backward must match the CPU's.

Skipped without a CUDA device; NDGRAD_FAKE_GPU=1 runs them on a NumPy stand-in for CuPy
(tests/fake_gpu.py), which catches host/device mix-ups on any machine.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as F
from ndgrad import nn, optim
from ndgrad.nn import init
from ndgrad.utils.checkpoint import checkpoint, checkpoint_sequential
from ndgrad.utils.data import DataLoader, TensorDataset

pytestmark = pytest.mark.skipif(not ndgrad.cuda.is_available(), reason="no CUDA device")

CUDA = ndgrad.device("cuda", 0)
CPU = ndgrad.device("cpu")
# float32 work on a GPU sums in other orders (cuBLAS, reductions): a few ulps of slack.
TOL = {"float32": {"rtol": 1e-4, "atol": 1e-5}, "float64": {"rtol": 1e-9, "atol": 1e-11}}


# ------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class Arg:
    """How to make one input: floats in [lo, hi] (``grad``: a leaf that requires grad),
    integers in [0, high) when ``high`` is set, or the signs -1/+1 when ``signs``."""

    shape: tuple[int, ...]
    lo: float = -1.0
    hi: float = 1.0
    grad: bool = True
    high: int | None = None
    signs: bool = False

    def make(self, rng: np.random.Generator, dtype: str) -> np.ndarray:
        if self.high is not None:
            return rng.integers(0, self.high, self.shape).astype(np.int64)
        if self.signs:
            return rng.choice([-1.0, 1.0], self.shape).astype(dtype)
        return rng.uniform(self.lo, self.hi, self.shape).astype(dtype)


def U(*shape: int) -> Arg:
    """Floats in [-1, 1] that require grad."""
    return Arg(shape)


def P(*shape: int, grad: bool = False) -> Arg:
    """Floats in (0, 1): probabilities, variances, targets."""
    return Arg(shape, 0.05, 0.95, grad)


def C(*shape: int) -> Arg:
    """Constant floats in [-1, 1] (no grad): targets of a regression loss."""
    return Arg(shape, grad=False)


def I(high: int, *shape: int) -> Arg:  # noqa: E743
    """Class indices in [0, high)."""
    return Arg(shape, high=high)


def S(*shape: int) -> Arg:
    """Signs -1/+1 (no grad): targets of margin losses."""
    return Arg(shape, grad=False, signs=True)


def _host(t: ndgrad.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def _tensors(out: Any) -> list[ndgrad.Tensor]:
    """The tensors of a (nested) output, in order."""
    if isinstance(out, ndgrad.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o)]
    return []


def _same(cpu: Any, dev: Any, tol: dict[str, float], what: str) -> None:
    assert (cpu is None) == (dev is None), what
    if cpu is None:
        return
    assert cpu.device == CPU, what
    assert dev.device == CUDA, what
    assert dev.dtype == cpu.dtype, what
    assert tuple(dev.shape) == tuple(cpu.shape), what
    np.testing.assert_allclose(_host(dev), _host(cpu), err_msg=what, **tol)


def _inputs(args: list[Arg], dtype: str, device: Any) -> list[ndgrad.Tensor]:
    rng = np.random.default_rng(1)
    arrays = [a.make(rng, dtype) for a in args]
    return [
        ndgrad.tensor(x, device=device, requires_grad=a.grad and x.dtype.kind == "f")
        for a, x in zip(args, arrays)
    ]


def _backward(outs: list[ndgrad.Tensor]) -> None:
    """Backward of a weighted sum of the float outputs (weights fixed by position)."""
    total = None
    for i, o in enumerate(outs):
        if not (o.is_floating_point() and o.requires_grad):
            continue
        w = np.random.default_rng(100 + i).uniform(-1, 1, tuple(o.shape))
        term = (o * ndgrad.tensor(w, dtype=o.dtype, device=o.device)).sum()
        total = term if total is None else total + term
    if total is not None:
        total.backward()


# ------------------------------------------------------------------- module cases
MODULES: list[tuple[str, Callable[[], nn.Module], list[Arg]]] = [
    ("Linear", lambda: nn.Linear(4, 3), [U(2, 4)]),
    ("Linear_3d_nobias", lambda: nn.Linear(4, 3, bias=False), [U(2, 5, 4)]),
    ("Bilinear", lambda: nn.Bilinear(3, 4, 2), [U(5, 3), U(5, 4)]),
    ("Conv1d", lambda: nn.Conv1d(2, 4, 3, stride=2, padding=1), [U(2, 2, 9)]),
    (
        "Conv2d_groups",
        lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
        [U(2, 4, 7, 8)],
    ),
    (
        "Conv2d_same_reflect",
        lambda: nn.Conv2d(2, 3, 3, padding="same", padding_mode="reflect"),
        [U(2, 2, 5, 6)],
    ),
    (
        "Conv2d_circular",
        lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"),
        [U(1, 2, 5, 5)],
    ),
    ("Conv2d_unbatched", lambda: nn.Conv2d(2, 3, 2), [U(2, 4, 4)]),
    (
        "ConvTranspose1d",
        lambda: nn.ConvTranspose1d(3, 2, 3, stride=2, output_padding=1),
        [U(2, 3, 5)],
    ),
    (
        "ConvTranspose2d",
        lambda: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, groups=2, dilation=1),
        [U(2, 4, 4, 3)],
    ),
    ("MaxPool1d", lambda: nn.MaxPool1d(3, stride=2, padding=1), [U(2, 3, 9)]),
    ("MaxPool2d_ceil", lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True), [U(2, 3, 8, 7)]),
    ("MaxPool2d_indices", lambda: nn.MaxPool2d(2, return_indices=True), [U(2, 2, 6, 6)]),
    ("AvgPool1d", lambda: nn.AvgPool1d(3, stride=2, padding=1), [U(2, 3, 9)]),
    (
        "AvgPool2d_nopad",
        lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
        [U(2, 2, 7, 6)],
    ),
    ("AvgPool2d_divisor", lambda: nn.AvgPool2d(2, divisor_override=3), [U(1, 2, 6, 6)]),
    ("AdaptiveAvgPool1d", lambda: nn.AdaptiveAvgPool1d(4), [U(2, 3, 10)]),
    ("AdaptiveAvgPool2d", lambda: nn.AdaptiveAvgPool2d((3, None)), [U(2, 3, 7, 5)]),
    ("AdaptiveMaxPool1d", lambda: nn.AdaptiveMaxPool1d(3, return_indices=True), [U(2, 2, 8)]),
    ("AdaptiveMaxPool2d", lambda: nn.AdaptiveMaxPool2d((3, 2)), [U(2, 2, 7, 5)]),
    ("ConstantPad2d", lambda: nn.ConstantPad2d((1, 2, 0, 1), 0.5), [U(2, 2, 3, 3)]),
    ("ZeroPad1d_crop", lambda: nn.ZeroPad1d((2, -1)), [U(2, 2, 5)]),
    ("ReflectionPad2d", lambda: nn.ReflectionPad2d((1, 2, 2, 1)), [U(2, 2, 4, 4)]),
    ("ReplicationPad1d", lambda: nn.ReplicationPad1d(2), [U(2, 2, 4)]),
    ("CircularPad2d", lambda: nn.CircularPad2d(1), [U(2, 2, 3, 4)]),
    ("Upsample_nearest", lambda: nn.Upsample(scale_factor=2), [U(2, 2, 3, 3)]),
    ("Upsample_bilinear", lambda: nn.Upsample(size=(5, 7), mode="bilinear"), [U(2, 2, 3, 4)]),
    ("UpsamplingBilinear2d", lambda: nn.UpsamplingBilinear2d(scale_factor=2), [U(1, 2, 3, 3)]),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(3), [U(4, 3)]),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(3, momentum=None), [U(4, 3, 3, 2)]),
    ("BatchNorm3d", lambda: nn.BatchNorm3d(2), [U(2, 2, 3, 2, 2)]),
    ("BatchNorm2d_eval", lambda: nn.BatchNorm2d(3).eval(), [U(4, 3, 2, 2)]),
    (
        "InstanceNorm2d",
        lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
        [U(2, 3, 4, 4)],
    ),
    ("LayerNorm", lambda: nn.LayerNorm((3, 4)), [U(2, 5, 3, 4)]),
    ("GroupNorm", lambda: nn.GroupNorm(2, 4), [U(3, 4, 5)]),
    ("RMSNorm", lambda: nn.RMSNorm(4), [U(3, 4)]),
    ("Dropout", lambda: nn.Dropout(0.4), [U(4, 5)]),
    ("Dropout2d", lambda: nn.Dropout2d(0.5), [U(3, 4, 2, 2)]),
    ("AlphaDropout", lambda: nn.AlphaDropout(0.3), [U(4, 5)]),
    ("PReLU", lambda: nn.PReLU(3), [U(2, 3, 4)]),
    ("Softmax2d", lambda: nn.Softmax2d(), [U(2, 3, 2, 2)]),
    ("GLU", lambda: nn.GLU(), [U(3, 4)]),
    (
        "Flatten_Unflatten",
        lambda: nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 6))),
        [U(2, 3, 4)],
    ),
    ("Embedding", lambda: nn.Embedding(10, 3, padding_idx=1), [I(10, 2, 5)]),
    ("Embedding_maxnorm", lambda: nn.Embedding(10, 3, max_norm=1.0), [I(10, 6)]),
    ("Embedding_freq", lambda: nn.Embedding(6, 3, scale_grad_by_freq=True), [I(6, 3, 4)]),
    ("RNN", lambda: nn.RNN(3, 4, num_layers=2, nonlinearity="relu"), [U(5, 2, 3)]),
    (
        "RNN_bidir_h0",
        lambda: nn.RNN(3, 4, bidirectional=True, batch_first=True),
        [U(2, 5, 3), U(2, 2, 4)],
    ),
    ("LSTM", lambda: nn.LSTM(3, 4, num_layers=2, dropout=0.3), [U(4, 2, 3)]),
    ("LSTM_proj_bidir", lambda: nn.LSTM(3, 5, proj_size=2, bidirectional=True), [U(4, 3)]),
    ("GRU", lambda: nn.GRU(3, 4, batch_first=True, bidirectional=True), [U(2, 4, 3)]),
    ("RNNCell", lambda: nn.RNNCell(3, 4), [U(2, 3), U(2, 4)]),
    ("LSTMCell", lambda: nn.LSTMCell(3, 4), [U(2, 3)]),
    ("GRUCell", lambda: nn.GRUCell(3, 4), [U(3)]),
    (
        "MultiheadAttention",
        lambda: nn.MultiheadAttention(8, 2, dropout=0.2),
        [U(3, 2, 8), U(4, 2, 8), U(4, 2, 8)],
    ),
    (
        "MultiheadAttention_kv",
        lambda: nn.MultiheadAttention(
            6, 3, add_bias_kv=True, add_zero_attn=True, kdim=4, vdim=5, batch_first=True
        ),
        [U(2, 3, 6), U(2, 4, 4), U(2, 4, 5)],
    ),
    (
        "TransformerEncoder",
        lambda: nn.TransformerEncoder(
            nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, activation="gelu"), 2
        ),
        [U(4, 2, 8)],
    ),
    (
        "TransformerEncoderLayer_normfirst",
        lambda: nn.TransformerEncoderLayer(
            8, 4, 12, dropout=0.0, batch_first=True, norm_first=True
        ),
        [U(2, 3, 8)],
    ),
    ("CosineSimilarity", lambda: nn.CosineSimilarity(dim=1), [U(3, 4), U(3, 4)]),
    ("PairwiseDistance", lambda: nn.PairwiseDistance(p=3.0, keepdim=True), [U(3, 4), U(3, 4)]),
    ("CrossEntropyLoss", lambda: nn.CrossEntropyLoss(label_smoothing=0.2), [U(4, 5), I(5, 4)]),
    ("NLLLoss_2d", lambda: nn.NLLLoss(ignore_index=2), [U(2, 4, 3, 3), I(4, 2, 3, 3)]),
]
MODULE_IDS = [name for name, _, _ in MODULES]


def _run_module(module: nn.Module, args: list[Arg], dtype: str, device: Any) -> dict[str, Any]:
    xs = _inputs(args, dtype, device)
    ndgrad.manual_seed(7)
    outs = _tensors(module(*xs))
    _backward(outs)
    return {
        "outs": outs,
        "input grads": [x.grad for x in xs],
        "param grads": {n: p.grad for n, p in module.named_parameters()},
        "params": dict(module.named_parameters()),
        "buffers": dict(module.named_buffers()),
    }


def _same_outputs(cpu: dict[str, Any], dev: dict[str, Any], tol: dict[str, float]) -> None:
    """The outputs and the inputs' gradients of a CPU and a CUDA run agree."""
    assert len(cpu["outs"]) == len(dev["outs"])
    for i, (c, d) in enumerate(zip(cpu["outs"], dev["outs"])):
        _same(c, d, tol, f"output {i}")
    for i, (c, d) in enumerate(zip(cpu["input grads"], dev["input grads"])):
        _same(c, d, tol, f"gradient of input {i}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, make, args", MODULES, ids=MODULE_IDS)
def test_module_on_cuda_matches_cpu(name: str, make: Any, args: list[Arg], dtype: str) -> None:
    ndgrad.manual_seed(0)
    cpu_module = make().to(getattr(ndgrad, dtype))
    dev_module = copy.deepcopy(cpu_module).cuda()
    tol = TOL[dtype]
    cpu = _run_module(cpu_module, args, dtype, "cpu")
    dev = _run_module(dev_module, args, dtype, "cuda")
    _same_outputs(cpu, dev, tol)
    assert cpu["param grads"].keys() == dev["param grads"].keys()
    for key in cpu["param grads"]:
        _same(cpu["params"][key], dev["params"][key], tol, f"parameter {key}")
        _same(cpu["param grads"][key], dev["param grads"][key], tol, f"gradient of {key}")
    assert cpu["buffers"].keys() == dev["buffers"].keys()
    for key in cpu["buffers"]:
        _same(cpu["buffers"][key], dev["buffers"][key], tol, f"buffer {key}")


# --------------------------------------------------------------- functional cases
FUNCTIONAL: list[tuple[str, Callable[..., Any], list[Arg]]] = [
    # linear and activations
    ("linear", lambda x, w, b: F.linear(x, w, b), [U(2, 3, 4), U(5, 4), U(5)]),
    ("bilinear", lambda a, b, w: F.bilinear(a, b, w), [U(3, 2), U(3, 4), U(5, 2, 4)]),
    ("relu", F.relu, [U(3, 4)]),
    ("relu6", lambda x: F.relu6(x * 8), [U(3, 4)]),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), [U(3, 4)]),
    ("elu", lambda x: F.elu(x, 0.7), [U(3, 4)]),
    ("selu", F.selu, [U(3, 4)]),
    ("celu", lambda x: F.celu(x, 1.3), [U(3, 4)]),
    ("gelu", F.gelu, [U(3, 4)]),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), [U(3, 4)]),
    ("silu", F.silu, [U(3, 4)]),
    ("mish", F.mish, [U(3, 4)]),
    ("softplus", lambda x: F.softplus(x * 30, beta=2, threshold=10), [U(3, 4)]),
    ("softsign", F.softsign, [U(3, 4)]),
    ("hardtanh", lambda x: F.hardtanh(x, -0.5, 0.5), [U(3, 4)]),
    ("hardsigmoid", lambda x: F.hardsigmoid(x * 4), [U(3, 4)]),
    ("hardswish", lambda x: F.hardswish(x * 4), [U(3, 4)]),
    ("sigmoid", F.sigmoid, [U(3, 4)]),
    ("tanh", F.tanh, [U(3, 4)]),
    ("logsigmoid", F.logsigmoid, [U(3, 4)]),
    ("tanhshrink", F.tanhshrink, [U(3, 4)]),
    ("softshrink", lambda x: F.softshrink(x, 0.3), [U(3, 4)]),
    ("hardshrink", lambda x: F.hardshrink(x, 0.3), [U(3, 4)]),
    ("threshold", lambda x: F.threshold(x, 0.1, -2.0), [U(3, 4)]),
    ("relu_inplace", lambda x: F.relu(x * 1, inplace=True), [U(3, 4)]),
    ("prelu", F.prelu, [U(2, 3, 4), U(3)]),
    ("softmax", lambda x: F.softmax(x, 1), [U(3, 4, 2)]),
    ("log_softmax", lambda x: F.log_softmax(x, -1), [U(3, 4)]),
    ("softmin", lambda x: F.softmin(x, 0), [U(3, 4)]),
    ("glu", lambda x: F.glu(x, 0), [U(4, 3)]),
    ("normalize", lambda x: F.normalize(x, p=3.0, dim=0), [U(3, 4)]),
    ("cosine_similarity", lambda a, b: F.cosine_similarity(a, b, dim=-1), [U(3, 4), U(1, 4)]),
    ("pairwise_distance", F.pairwise_distance, [U(3, 4), U(3, 4)]),
    ("one_hot", lambda t: F.one_hot(t, 6), [I(6, 2, 3)]),
    ("one_hot_inferred", F.one_hot, [I(5, 7)]),
    ("embedding", lambda i, w: F.embedding(i, w), [I(5, 2, 3), U(5, 4)]),
    ("dropout", lambda x: F.dropout(x, 0.3), [U(4, 5)]),
    ("dropout_eval", lambda x: F.dropout(x, 0.3, training=False), [U(4, 5)]),
    ("dropout1d", lambda x: F.dropout1d(x, 0.5), [U(3, 4, 5)]),
    ("dropout3d", lambda x: F.dropout3d(x, 0.5), [U(2, 3, 2, 2, 2)]),
    ("feature_alpha_dropout", lambda x: F.feature_alpha_dropout(x, 0.4), [U(3, 4, 2)]),
    # convolution
    (
        "conv1d",
        lambda x, w, b: F.conv1d(x, w, b, stride=2, dilation=2),
        [U(2, 3, 11), U(4, 3, 3), U(4)],
    ),
    (
        "conv2d",
        lambda x, w: F.conv2d(x, w, padding=(1, 2), groups=3),
        [U(2, 3, 5, 6), U(6, 1, 3, 3)],
    ),
    (
        "conv2d_same",
        lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=2),
        [U(1, 2, 6, 5), U(3, 2, 2, 3), U(3)],
    ),
    (
        "conv3d",
        lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 1), padding=1),
        [U(2, 2, 4, 5, 3), U(3, 2, 2, 3, 2), U(3)],
    ),
    (
        "conv_transpose1d",
        lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=1),
        [U(2, 2, 4), U(2, 3, 3), U(3)],
    ),
    (
        "conv_transpose2d",
        lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1, groups=2, dilation=2),
        [U(2, 4, 3, 3), U(4, 1, 2, 3)],
    ),
    (
        "conv_transpose3d",
        lambda x, w, b: F.conv_transpose3d(x, w, b, stride=2, padding=1),
        [U(1, 2, 3, 2, 3), U(2, 3, 3, 2, 2), U(3)],
    ),
    # pooling
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, padding=1, dilation=2), [U(2, 3, 10)]),
    (
        "max_pool2d",
        lambda x: F.max_pool2d(x, (2, 3), stride=1, return_indices=True),
        [U(2, 2, 5, 6)],
    ),
    ("max_pool2d_int", lambda x: F.max_pool2d(x, 2), [I(9, 1, 2, 4, 4)]),
    (
        "max_pool3d",
        lambda x: F.max_pool3d(x, 2, stride=2, padding=1, ceil_mode=True),
        [U(1, 2, 5, 4, 5)],
    ),
    ("max_pool1d_with_indices", lambda x: F.max_pool1d_with_indices(x, 2), [U(2, 6)]),
    ("avg_pool1d", lambda x: F.avg_pool1d(x, 4, 3, 2, count_include_pad=False), [U(2, 3, 10)]),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), [U(2, 2, 6, 7)]),
    ("avg_pool3d", lambda x: F.avg_pool3d(x, 2, divisor_override=5), [U(1, 2, 4, 4, 5)]),
    ("lp_pool1d", lambda x: F.lp_pool1d(x, 2.0, 3), [P(2, 3, 7, grad=True)]),
    ("lp_pool2d", lambda x: F.lp_pool2d(x, 3.0, 2), [P(2, 2, 4, 6, grad=True)]),
    ("adaptive_avg_pool1d", lambda x: F.adaptive_avg_pool1d(x, 3), [U(2, 3, 8)]),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (4, 2)), [U(2, 3, 7, 5)]),
    ("adaptive_avg_pool3d", lambda x: F.adaptive_avg_pool3d(x, 2), [U(1, 2, 3, 5, 4)]),
    ("adaptive_max_pool1d", lambda x: F.adaptive_max_pool1d(x, 4, True), [U(2, 3, 9)]),
    ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (3, 4), True), [U(2, 2, 7, 6)]),
    ("adaptive_max_pool2d_unbatched", lambda x: F.adaptive_max_pool2d(x, 2), [U(3, 5, 5)]),
    # padding, resampling, im2col, shuffles
    ("pad_constant", lambda x: F.pad(x, (1, 2, -1, 1), value=3.0), [U(2, 3, 4)]),
    ("pad_reflect", lambda x: F.pad(x, (2, 1, 1, 2, 1, 1), mode="reflect"), [U(1, 2, 4, 4, 3)]),
    ("pad_replicate", lambda x: F.pad(x, (3, 1), mode="replicate"), [U(2, 3, 4)]),
    ("pad_circular", lambda x: F.pad(x, (1, 2, 2, 0), mode="circular"), [U(1, 2, 3, 4)]),
    ("interpolate_nearest", lambda x: F.interpolate(x, size=7), [U(2, 2, 4)]),
    (
        "interpolate_nearest_exact",
        lambda x: F.interpolate(x, scale_factor=1.5, mode="nearest-exact"),
        [U(1, 2, 4, 5)],
    ),
    (
        "interpolate_linear",
        lambda x: F.interpolate(x, size=9, mode="linear", align_corners=True),
        [U(2, 2, 5)],
    ),
    (
        "interpolate_bilinear",
        lambda x: F.interpolate(x, scale_factor=(2, 0.5), mode="bilinear"),
        [U(1, 2, 3, 6)],
    ),
    (
        "interpolate_bicubic",
        lambda x: F.interpolate(x, size=(5, 4), mode="bicubic"),
        [U(1, 2, 3, 3)],
    ),
    (
        "interpolate_trilinear",
        lambda x: F.interpolate(x, scale_factor=2, mode="trilinear"),
        [U(1, 1, 2, 3, 2)],
    ),
    ("interpolate_area", lambda x: F.interpolate(x, size=(2, 3), mode="area"), [U(1, 2, 5, 7)]),
    ("unfold", lambda x: F.unfold(x, (2, 3), dilation=1, padding=1, stride=2), [U(2, 3, 5, 6)]),
    ("fold", lambda x: F.fold(x, (4, 5), 2, stride=1), [U(2, 8, 12)]),
    ("fold_unbatched", lambda x: F.fold(x, (5, 5), 3, padding=1, stride=2), [U(9, 9)]),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), [U(2, 8, 3, 2)]),
    ("pixel_unshuffle", lambda x: F.pixel_unshuffle(x, 2), [U(2, 2, 4, 6)]),
    # normalisation and attention
    (
        "batch_norm_train",
        lambda x, m, v, w, b: F.batch_norm(x, m, v, w, b, True, 0.3),
        [U(4, 3, 2), C(3), P(3), U(3), U(3)],
    ),
    ("batch_norm_eval", lambda x, m, v: F.batch_norm(x, m, v), [U(4, 3), C(3), P(3)]),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (4,), w, b), [U(3, 4), U(4), U(4)]),
    ("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b), [U(2, 6, 3), U(6), U(6)]),
    (
        "instance_norm",
        lambda x, m, v: F.instance_norm(x, m, v, use_input_stats=True),
        [U(2, 3, 5), C(3), P(3)],
    ),
    ("local_response_norm", lambda x: F.local_response_norm(x, 3), [U(2, 5, 3, 3)]),
    ("rms_norm", lambda x, w: F.rms_norm(x, (2, 3), w), [U(4, 2, 3), U(2, 3)]),
    (
        "sdpa_causal",
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        [U(2, 3, 4), U(2, 3, 4), U(2, 3, 5)],
    ),
    (
        "sdpa_mask_dropout",
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, dropout_p=0.3),
        [U(2, 3, 4), U(2, 5, 4), U(2, 5, 2), C(3, 5)],
    ),
    # losses
    ("cross_entropy", F.cross_entropy, [U(4, 5), I(5, 4)]),
    (
        "cross_entropy_weighted",
        lambda x, t, w: F.cross_entropy(x, t, w, ignore_index=2, label_smoothing=0.15),
        [U(6, 4), I(4, 6), P(4)],
    ),
    (
        "cross_entropy_probs",
        lambda x, t: F.cross_entropy(x, t.softmax(1), label_smoothing=0.1),
        [U(3, 5), C(3, 5)],
    ),
    (
        "cross_entropy_2d_sum",
        lambda x, t: F.cross_entropy(x, t, reduction="sum"),
        [U(2, 3, 4, 2), I(3, 2, 4, 2)],
    ),
    ("nll_loss", lambda x, t, w: F.nll_loss(x, t, w, ignore_index=0), [U(5, 3), I(3, 5), P(3)]),
    ("nll_loss_none", lambda x, t: F.nll_loss(x, t, reduction="none"), [U(4, 3), I(3, 4)]),
    ("mse_loss", F.mse_loss, [U(3, 4), C(3, 4)]),
    ("l1_loss", lambda x, y: F.l1_loss(x, y, reduction="sum"), [U(3, 4), U(3, 4)]),
    ("smooth_l1_loss", lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), [U(3, 4), C(3, 4)]),
    ("huber_loss", lambda x, y: F.huber_loss(x, y, delta=0.4), [U(3, 4), C(3, 4)]),
    (
        "binary_cross_entropy",
        lambda x, t, w: F.binary_cross_entropy(x, t, w),
        [P(3, 4, grad=True), P(3, 4), P(4)],
    ),
    (
        "bce_with_logits",
        lambda x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, w, pos_weight=pw),
        [U(3, 4), P(3, 4), P(3, 4), P(4)],
    ),
    (
        "kl_div",
        lambda x, t: F.kl_div(x.log_softmax(1), t, reduction="batchmean"),
        [U(3, 4), P(3, 4)],
    ),
    (
        "kl_div_log_target",
        lambda x, t: F.kl_div(x, t, reduction="sum", log_target=True),
        [U(3, 4), U(3, 4)],
    ),
    ("poisson_nll_loss", lambda x, t: F.poisson_nll_loss(x, t, full=True), [U(3, 4), P(3, 4)]),
    (
        "gaussian_nll_loss",
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=True),
        [U(3, 4), C(3, 4), P(3, 4, grad=True)],
    ),
    (
        "margin_ranking_loss",
        lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.2),
        [U(5), U(5), S(5)],
    ),
    (
        "hinge_embedding_loss",
        lambda x, y: F.hinge_embedding_loss(x, y, margin=0.5),
        [U(3, 4), S(3, 4)],
    ),
    ("soft_margin_loss", F.soft_margin_loss, [U(3, 4), S(3, 4)]),
    (
        "cosine_embedding_loss",
        lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin=0.1),
        [U(4, 3), U(4, 3), S(4)],
    ),
    (
        "triplet_margin_loss",
        lambda a, p, n: F.triplet_margin_loss(a, p, n, swap=True),
        [U(3, 4), U(3, 4), U(3, 4)],
    ),
]
FUNCTIONAL_IDS = [name for name, _, _ in FUNCTIONAL]


def _run_functional(fn: Any, args: list[Arg], dtype: str, device: Any) -> dict[str, Any]:
    xs = _inputs(args, dtype, device)
    ndgrad.manual_seed(3)
    outs = _tensors(fn(*xs))
    _backward(outs)
    return {"outs": outs, "input grads": [x.grad for x in xs], "inputs": xs}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, fn, args", FUNCTIONAL, ids=FUNCTIONAL_IDS)
def test_functional_on_cuda_matches_cpu(name: str, fn: Any, args: list[Arg], dtype: str) -> None:
    tol = TOL[dtype]
    cpu = _run_functional(fn, args, dtype, "cpu")
    dev = _run_functional(fn, args, dtype, "cuda")
    _same_outputs(cpu, dev, tol)
    # In-place updates of inputs (batch_norm's running statistics) happen on the device too.
    for i, (c, d) in enumerate(zip(cpu["inputs"], dev["inputs"])):
        _same(c, d, tol, f"input {i} after the call")


def test_conv_double_backward_on_cuda() -> None:
    """Second-order gradients through the fused conv Functions stay on the device."""
    rng = np.random.default_rng(0)
    x0, w0 = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    results = []
    for device in ("cpu", "cuda"):
        x = ndgrad.tensor(x0, device=device, requires_grad=True)
        w = ndgrad.tensor(w0, device=device, requires_grad=True)
        y = F.max_pool2d(F.conv2d(x, w, padding=1).tanh(), 2)
        gx, gw = ndgrad.autograd.grad(y.pow(2).sum(), (x, w), create_graph=True)
        results.append(ndgrad.autograd.grad(gx.sum() + gw.pow(2).sum(), (x, w)))
    for c, d in zip(*results):
        _same(c, d, TOL["float64"], "second-order gradient")


def test_conv_gradcheck_on_cuda() -> None:
    rng = np.random.default_rng(1)
    x = ndgrad.tensor(rng.standard_normal((1, 2, 4, 4)), device="cuda", requires_grad=True)
    w = ndgrad.tensor(rng.standard_normal((2, 1, 2, 2)), device="cuda", requires_grad=True)
    assert ndgrad.autograd.gradcheck(lambda a, b: F.conv2d(a, b, stride=2, groups=2), (x, w))
    assert ndgrad.autograd.gradcheck(lambda a: F.avg_pool2d(a, 2, 1, 1), (x,))


# -------------------------------------------------------------------- Module moves
def _devices(module: nn.Module) -> set[Any]:
    out = {p.device for p in module.parameters()}
    out |= {b.device for b in module.buffers()}
    out |= {p.grad.device for p in module.parameters() if p.grad is not None}
    return out


def _net() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))


def test_module_cuda_and_cpu_move_in_place() -> None:
    ndgrad.manual_seed(0)
    net = _net()
    net(ndgrad.randn(5, 3)).sum().backward()
    params = list(net.parameters())
    values = [_host(p) for p in params]
    grads = [_host(p.grad) for p in params]
    buffers = {k: _host(b) for k, b in net.named_buffers()}
    assert net.cuda() is net
    assert _devices(net) == {CUDA}
    # The Parameter objects are kept (an optimizer made before the move still holds them).
    assert all(a is b for a, b in zip(net.parameters(), params))
    for p, v, g in zip(params, values, grads):
        np.testing.assert_array_equal(_host(p), v)
        np.testing.assert_array_equal(_host(p.grad), g)
        assert isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf
    for k, b in net.named_buffers():
        np.testing.assert_array_equal(_host(b), buffers[k])
    assert net[1].num_batches_tracked.dtype == ndgrad.int64
    assert net.cpu() is net
    assert _devices(net) == {CPU}
    assert all(a is b for a, b in zip(net.parameters(), params))
    for p, v in zip(params, values):
        np.testing.assert_array_equal(_host(p), v)


@pytest.mark.parametrize(
    "how",
    [
        lambda m: m.to("cuda"),
        lambda m: m.to("cuda:0"),
        lambda m: m.to(CUDA),
        lambda m: m.to(0),
        lambda m: m.to(device="cuda"),
        lambda m: m.to(ndgrad.zeros(1, device="cuda")),
        lambda m: m.cuda(0),
        lambda m: m.cuda(CUDA),
    ],
    ids=["str", "str_index", "device", "int", "kwarg", "tensor", "cuda_int", "cuda_device"],
)
def test_module_to_device_forms(how: Any) -> None:
    net = _net()
    weight = net[0].weight
    assert how(net) is net
    assert _devices(net) == {CUDA}
    assert net[0].weight is weight
    assert net(ndgrad.randn(2, 3, device="cuda")).device == CUDA


def test_module_to_device_and_dtype() -> None:
    net = _net()
    net(ndgrad.randn(4, 3)).sum().backward()
    net.to("cuda", ndgrad.float64)
    assert _devices(net) == {CUDA}
    assert {p.dtype for p in net.parameters()} == {ndgrad.float64}
    assert {p.grad.dtype for p in net.parameters()} == {ndgrad.float64}
    assert net[1].running_mean.dtype == ndgrad.float64
    assert net[1].num_batches_tracked.dtype == ndgrad.int64  # integer buffers keep their dtype
    net.to(dtype=ndgrad.float32)
    assert _devices(net) == {CUDA}
    assert {p.dtype for p in net.parameters()} == {ndgrad.float32}
    net.double()
    assert _devices(net) == {CUDA} and net[0].weight.dtype == ndgrad.float64
    net.to(ndgrad.zeros(1, dtype=ndgrad.float32))  # a CPU float32 tensor: both move
    assert _devices(net) == {CPU} and net[0].weight.dtype == ndgrad.float32
    with pytest.raises(TypeError, match="floating point or complex dtypes"):
        net.to("cuda", ndgrad.int64)


def test_module_built_on_cuda() -> None:
    ndgrad.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(2, 3, 3, device="cuda"),
        nn.BatchNorm2d(3, device="cuda"),
        nn.Linear(2, 2, device="cuda"),
        nn.LayerNorm(2, device="cuda"),
    )
    assert _devices(net) == {CUDA}
    out = net(ndgrad.randn(2, 2, 4, 4, device="cuda"))
    out.sum().backward()
    assert _devices(net) == {CUDA} and out.device == CUDA


def test_module_state_dict_and_copies_on_cuda() -> None:
    ndgrad.manual_seed(0)
    cpu_net = _net()
    net = copy.deepcopy(cpu_net).cuda()
    state = net.state_dict()
    assert {t.device for t in state.values()} == {CUDA}
    # A CPU state dict loads into a CUDA module by copying onto the device.
    ndgrad.manual_seed(1)
    net.load_state_dict(_net().state_dict())
    assert _devices(net) == {CUDA}
    net.load_state_dict(cpu_net.state_dict())
    for (k, c), d in zip(cpu_net.state_dict().items(), net.state_dict().values()):
        _same(c, d, TOL["float32"], k)
    twin = copy.deepcopy(net)
    assert _devices(twin) == {CUDA}
    for (k, a), b in zip(net.state_dict().items(), twin.state_dict().values()):
        np.testing.assert_array_equal(_host(a), _host(b), err_msg=k)
    p = net[0].weight
    q = pickle.loads(pickle.dumps(p))
    assert isinstance(q, nn.Parameter) and q.device == CUDA and q.requires_grad
    np.testing.assert_array_equal(_host(q), _host(p))
    b = pickle.loads(pickle.dumps(nn.Buffer(ndgrad.ones(2, device="cuda"), persistent=False)))
    assert isinstance(b, nn.Buffer) and b.device == CUDA and not b.persistent


def test_module_zero_grad_and_requires_grad_on_cuda() -> None:
    net = _net().cuda()
    net(ndgrad.randn(3, 3, device="cuda")).sum().backward()
    net.zero_grad(set_to_none=False)
    for p in net.parameters():
        assert p.grad.device == CUDA and not _host(p.grad).any()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


# ----------------------------------------------------------------------------- init
INITS = [
    ("uniform_", lambda t: init.uniform_(t, -0.5, 2.0)),
    ("normal_", lambda t: init.normal_(t, 0.3, 2.0)),
    ("trunc_normal_", lambda t: init.trunc_normal_(t, 0.0, 1.0, -0.5, 0.5)),
    ("constant_", lambda t: init.constant_(t, 0.25)),
    ("ones_", init.ones_),
    ("zeros_", init.zeros_),
    ("eye_", init.eye_),
    ("xavier_uniform_", lambda t: init.xavier_uniform_(t, gain=2.0)),
    ("xavier_normal_", init.xavier_normal_),
    ("kaiming_uniform_", lambda t: init.kaiming_uniform_(t, a=0.1)),
    ("kaiming_normal_", lambda t: init.kaiming_normal_(t, mode="fan_out")),
    ("orthogonal_", lambda t: init.orthogonal_(t, gain=1.5)),
    ("orthogonal_wide", lambda t: init.orthogonal_(t.t())),
    ("sparse_", lambda t: init.sparse_(t, 0.5)),
]


@pytest.mark.parametrize("name, fill", INITS, ids=[n for n, _ in INITS])
def test_init_fills_cuda_parameters_in_place(name: str, fill: Any) -> None:
    results = []
    for device in ("cpu", "cuda"):
        layer = nn.Linear(6, 4, device=device)
        weight, data = layer.weight, layer.weight.data
        ndgrad.manual_seed(11)
        fill(weight)
        assert layer.weight is weight and weight.device.type == device
        assert weight.requires_grad and weight.grad_fn is None
        # In place: the tensor's own storage was written.
        np.testing.assert_array_equal(_host(data), _host(weight))
        results.append(weight)
    if name == "sparse_":
        # As in torch, the normal draws come from the CUDA generator but the per-column
        # randperms from the CPU one: the zeros fall elsewhere, as many in each column.
        zeros = [(_host(w) == 0).sum(0) for w in results]
        np.testing.assert_array_equal(zeros[0], zeros[1])
        return
    _same(results[0], results[1], TOL["float32"], name)


def test_dirac_init_on_cuda() -> None:
    results = []
    for device in ("cpu", "cuda"):
        w = nn.Conv2d(4, 6, 3, groups=2, device=device).weight
        init.dirac_(w, groups=2)
        results.append(w)
    _same(results[0], results[1], TOL["float32"], "dirac_")


# ---------------------------------------------------------------------- optimizers
OPTIMIZERS = [
    ("SGD", lambda p: optim.SGD(p, lr=0.1)),
    ("SGD_momentum", lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1)),
    (
        "SGD_nesterov_wd",
        lambda p: optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01),
    ),
    ("SGD_maximize", lambda p: optim.SGD(p, lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", lambda p: optim.Adam(p, lr=0.01)),
    ("Adam_amsgrad_wd", lambda p: optim.Adam(p, lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adam_tensor_lr", lambda p: optim.Adam(p, lr=ndgrad.tensor(0.01))),
    ("AdamW", lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    ("AdamW_amsgrad", lambda p: optim.AdamW(p, lr=0.02, amsgrad=True)),
    ("RMSprop", lambda p: optim.RMSprop(p, lr=0.01)),
    (
        "RMSprop_centered_momentum",
        lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
    ),
    (
        "Adagrad",
        lambda p: optim.Adagrad(
            p, lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.2
        ),
    ),
    ("Adadelta", lambda p: optim.Adadelta(p, lr=1.0, weight_decay=0.05)),
    ("Adamax", lambda p: optim.Adamax(p, lr=0.02, weight_decay=0.1)),
    ("NAdam", lambda p: optim.NAdam(p, lr=0.02, weight_decay=0.1)),
    (
        "NAdam_decoupled",
        lambda p: optim.NAdam(p, lr=0.02, weight_decay=0.1, decoupled_weight_decay=True),
    ),
    ("RAdam", lambda p: optim.RAdam(p, lr=0.02)),
    ("LBFGS", lambda p: optim.LBFGS(p, lr=0.5, max_iter=4)),
    (
        "LBFGS_strong_wolfe",
        lambda p: optim.LBFGS(p, lr=1, max_iter=5, line_search_fn="strong_wolfe"),
    ),
]


def _optimize(make: Any, net: nn.Module, device: str, steps: int = 7) -> tuple[Any, list[float]]:
    opt = make(net.parameters())
    rng = np.random.default_rng(5)
    x = ndgrad.tensor(rng.standard_normal((8, 3)), dtype=ndgrad.float64, device=device)
    y = ndgrad.tensor(rng.standard_normal((8, 2)), dtype=ndgrad.float64, device=device)
    losses = []

    def closure() -> ndgrad.Tensor:
        opt.zero_grad()
        loss = F.mse_loss(net(x), y)
        loss.backward()
        return loss

    for _ in range(steps):
        losses.append(opt.step(closure).item())
    return opt, losses


@pytest.mark.parametrize("name, make", OPTIMIZERS, ids=[n for n, _ in OPTIMIZERS])
def test_optimizer_on_cuda_matches_cpu(name: str, make: Any) -> None:
    ndgrad.manual_seed(0)
    cpu_net = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    dev_net = copy.deepcopy(cpu_net).cuda()
    cpu_opt, cpu_losses = _optimize(make, cpu_net, "cpu")
    dev_opt, dev_losses = _optimize(make, dev_net, "cuda")
    np.testing.assert_allclose(dev_losses, cpu_losses, rtol=1e-9)
    for (k, c), d in zip(cpu_net.named_parameters(), dev_net.parameters()):
        _same(c, d, TOL["float64"], k)
    for c, d in zip(cpu_net.parameters(), dev_net.parameters()):
        c_state, d_state = cpu_opt.state[c], dev_opt.state[d]
        assert c_state.keys() == d_state.keys()
        for key, value in c_state.items():
            _same_state(value, d_state[key], key)


def _same_state(cpu: Any, dev: Any, key: str) -> None:
    if isinstance(cpu, (list, tuple)):
        assert len(cpu) == len(dev), key
        for c, d in zip(cpu, dev):
            _same_state(c, d, key)
    elif cpu is None or not isinstance(cpu, ndgrad.Tensor):
        assert not isinstance(dev, ndgrad.Tensor), key
        np.testing.assert_allclose(np.float64(dev), np.float64(cpu), rtol=1e-9, err_msg=key)
    elif key in ("step", "mu_product"):
        # Counters stay CPU scalars, as torch keeps them for non-capturable optimizers.
        assert dev.device == CPU, key
        np.testing.assert_allclose(_host(dev), _host(cpu), rtol=1e-9, err_msg=key)
    else:
        _same(cpu, dev, TOL["float64"], f"state {key}")


def test_optimizer_state_dict_loads_onto_cuda() -> None:
    ndgrad.manual_seed(0)
    cpu_net = nn.Linear(3, 2).double()
    cpu_opt, _ = _optimize(lambda p: optim.Adam(p, lr=0.01, amsgrad=True), cpu_net, "cpu", 3)
    dev_net = copy.deepcopy(cpu_net).cuda()
    dev_opt = optim.Adam(dev_net.parameters(), lr=0.01, amsgrad=True)
    dev_opt.load_state_dict(copy.deepcopy(cpu_opt.state_dict()))
    for c, d in zip(cpu_net.parameters(), dev_net.parameters()):
        assert dev_opt.state[d]["step"].device == CPU
        for key in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            _same(cpu_opt.state[c][key], dev_opt.state[d][key], TOL["float64"], key)
    # And the next steps carry on as the CPU's would.
    _optimize(lambda p: cpu_opt, cpu_net, "cpu", 2)
    _optimize(lambda p: dev_opt, dev_net, "cuda", 2)
    for c, d in zip(cpu_net.parameters(), dev_net.parameters()):
        _same(c, d, TOL["float64"], "parameter after resumed steps")


def test_lr_scheduler_with_cuda_optimizer() -> None:
    net = nn.Linear(2, 1).cuda()
    opt = optim.SGD(net.parameters(), lr=1.0, momentum=0.9)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(5):
        net(ndgrad.ones(1, 2, device="cuda")).sum().backward()
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == [1.0, 0.5, 0.5, 0.25, 0.25]
    assert opt.state[net.weight]["momentum_buffer"].device == CUDA


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_on_cuda(norm_type: float) -> None:
    results = []
    for device in ("cpu", "cuda"):
        ndgrad.manual_seed(0)
        net = _net().to(device)
        net(ndgrad.randn(6, 3).to(device)).pow(2).sum().backward()
        total = nn.utils.clip_grad_norm_(net.parameters(), 0.5, norm_type)
        results.append((total, [p.grad for p in net.parameters()]))
    (c_total, c_grads), (d_total, d_grads) = results
    _same(c_total, d_total, TOL["float32"], "total norm")
    for c, d in zip(c_grads, d_grads):
        _same(c, d, TOL["float32"], "clipped gradient")
    assert float(nn.utils.get_total_norm(d_grads, norm_type)) <= 0.5 + 1e-5


def test_clip_grad_value_on_cuda() -> None:
    results = []
    for device in ("cpu", "cuda"):
        ndgrad.manual_seed(0)
        net = _net().to(device)
        net(ndgrad.randn(6, 3).to(device)).pow(2).sum().backward()
        nn.utils.clip_grad_value_(net.parameters(), 0.1)
        results.append([p.grad for p in net.parameters()])
    for c, d in zip(*results):
        _same(c, d, TOL["float32"], "clipped gradient")
        assert float(d.abs().max()) <= 0.1 + 1e-7


def test_parameters_to_vector_on_cuda() -> None:
    net = _net().cuda()
    vec = nn.utils.parameters_to_vector(net.parameters())
    assert vec.device == CUDA
    nn.utils.vector_to_parameters(vec * 2, net.parameters())
    assert _devices(net) == {CUDA}
    _same(vec.cpu() * 2, nn.utils.parameters_to_vector(net.parameters()), TOL["float32"], "2x")


# ------------------------------------------------------------------------ training
def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))


def _cnn() -> nn.Module:
    return nn.Sequential(
        # No bias before BatchNorm: its gradient is zero up to rounding, which Adam would
        # scale up to full steps of different sign on each device.
        nn.Conv2d(1, 4, 3, padding=1, bias=False),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(6, 3),
    )


def _train(net: nn.Module, make_opt: Any, x: np.ndarray, y: np.ndarray, device: str) -> list:
    opt = make_opt(net.parameters())
    loader = DataLoader(
        TensorDataset(ndgrad.tensor(x), ndgrad.tensor(y)),
        batch_size=8,
        shuffle=True,
        generator=ndgrad.Generator().manual_seed(3),
    )
    losses = []
    ndgrad.manual_seed(4)
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        opt.zero_grad()
        loss = F.cross_entropy(net(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize(
    "build, shape, make_opt",
    [
        (_mlp, (4,), lambda p: optim.SGD(p, lr=0.1, momentum=0.9)),
        (_cnn, (1, 6, 6), lambda p: optim.Adam(p, lr=0.01)),
    ],
    ids=["mlp_sgd", "cnn_adam"],
)
def test_training_on_cuda_matches_cpu(build: Any, shape: Any, make_opt: Any) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32,) + shape).astype(np.float32)
    y = rng.integers(0, 3, 32)
    ndgrad.manual_seed(0)
    cpu_net = build()
    dev_net = copy.deepcopy(cpu_net).cuda()
    cpu_losses = _train(cpu_net, make_opt, x, y, "cpu")
    dev_losses = _train(dev_net, make_opt, x, y, "cuda")
    assert len(dev_losses) == 4
    np.testing.assert_allclose(dev_losses, cpu_losses, rtol=1e-4)
    for (k, c), d in zip(cpu_net.state_dict().items(), dev_net.state_dict().values()):
        _same(c, d, {"rtol": 1e-3, "atol": 1e-5}, k)
    dev_net.eval()
    with ndgrad.no_grad():
        out = dev_net(ndgrad.tensor(x[:5], device="cuda"))
    assert out.device == CUDA and out.shape == (5, 3)


# ---------------------------------------------------------------------- utils.data
def test_dataloader_over_cuda_tensors() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((10, 3)), rng.integers(0, 4, 10)
    batches = {}
    for device in ("cpu", "cuda"):
        ds = TensorDataset(ndgrad.tensor(x, device=device), ndgrad.tensor(y, device=device))
        gen = ndgrad.Generator().manual_seed(1)
        loader = DataLoader(ds, batch_size=4, shuffle=True, generator=gen, drop_last=False)
        batches[device] = list(loader)
    assert [len(b[0]) for b in batches["cuda"]] == [4, 4, 2]
    for (cx, cy), (dx, dy) in zip(batches["cpu"], batches["cuda"]):
        _same(cx, dx, TOL["float64"], "inputs")
        _same(cy, dy, TOL["float64"], "targets")


def test_default_collate_of_cuda_samples() -> None:
    from ndgrad.utils.data import default_collate, default_convert

    samples = [
        {"x": ndgrad.full((2,), float(i), device="cuda"), "y": i, "pair": (ndgrad.ones(1), i)}
        for i in range(3)
    ]
    batch = default_collate(samples)
    assert batch["x"].device == CUDA and batch["x"].shape == (3, 2)
    np.testing.assert_array_equal(_host(batch["x"])[:, 0], [0.0, 1.0, 2.0])
    assert batch["y"].device == CPU and batch["pair"][0].device == CPU
    t = ndgrad.ones(2, device="cuda")
    assert default_convert(t) is t
    loader = DataLoader(samples, batch_size=2, collate_fn=default_collate)
    assert [b["x"].device for b in loader] == [CUDA, CUDA]


def test_dataloader_without_batching_keeps_device() -> None:
    ds = TensorDataset(ndgrad.arange(5, device="cuda"))
    items = list(DataLoader(ds, batch_size=None))
    assert [i[0].device for i in items] == [CUDA] * 5
    assert [int(i[0]) for i in items] == [0, 1, 2, 3, 4]


# ------------------------------------------------------------------------ checkpoint
@pytest.mark.parametrize("use_reentrant", [True, False])
def test_checkpoint_on_cuda_replays_dropout(use_reentrant: bool) -> None:
    ndgrad.manual_seed(0)
    block = nn.Sequential(nn.Linear(4, 6), nn.Dropout(0.5), nn.Tanh(), nn.Linear(6, 2)).cuda()
    x0 = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    grads = []
    for wrap in (False, True):
        block.zero_grad()
        x = ndgrad.tensor(x0, device="cuda", requires_grad=True)
        ndgrad.manual_seed(9)
        y = checkpoint(block, x, use_reentrant=use_reentrant) if wrap else block(x)
        # Draws between forward and backward must not change the replayed dropout mask.
        ndgrad.rand(100, device="cuda")
        ndgrad.rand(100)
        y.pow(2).sum().backward()
        grads.append([x.grad] + [p.grad for p in block.parameters()])
    for a, b in zip(*grads):
        assert b.device == CUDA
        np.testing.assert_allclose(_host(b), _host(a), rtol=1e-6, atol=1e-7)


def test_checkpoint_sequential_on_cuda() -> None:
    ndgrad.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 4), nn.Tanh()).cuda()
    x = ndgrad.randn(2, 3, device="cuda", requires_grad=True)
    checkpoint_sequential(net, 2, x, use_reentrant=False).sum().backward()
    got = [x.grad] + [p.grad for p in net.parameters()]
    x.grad = None
    net.zero_grad()
    net(x).sum().backward()
    for a, b in zip([x.grad] + [p.grad for p in net.parameters()], got):
        assert b.device == CUDA
        np.testing.assert_allclose(_host(b), _host(a), rtol=1e-6, atol=1e-7)
