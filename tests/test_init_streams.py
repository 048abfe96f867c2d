"""With the same seed, every nn layer initialises exactly as PyTorch's does."""

import numpy as np
import pytest

import ndgrad

LAYERS = [
    ("Linear", lambda nn: nn.Linear(7, 5)),
    ("Linear_nobias", lambda nn: nn.Linear(3, 4, bias=False)),
    ("Bilinear", lambda nn: nn.Bilinear(3, 4, 2)),
    ("Conv1d", lambda nn: nn.Conv1d(3, 4, 3)),
    ("Conv2d", lambda nn: nn.Conv2d(2, 6, (3, 2), groups=2)),
    ("ConvTranspose1d", lambda nn: nn.ConvTranspose1d(3, 2, 3)),
    ("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(4, 2, 3)),
    ("BatchNorm1d", lambda nn: nn.BatchNorm1d(5)),
    ("BatchNorm2d", lambda nn: nn.BatchNorm2d(3)),
    ("LayerNorm", lambda nn: nn.LayerNorm(6)),
    ("GroupNorm", lambda nn: nn.GroupNorm(2, 4)),
    ("Embedding", lambda nn: nn.Embedding(10, 3, padding_idx=2)),
    ("RNN", lambda nn: nn.RNN(3, 4, num_layers=2)),
    ("LSTM", lambda nn: nn.LSTM(3, 4, bidirectional=True)),
    ("GRU", lambda nn: nn.GRU(2, 3, batch_first=True)),
    ("RNNCell", lambda nn: nn.RNNCell(3, 2)),
    ("LSTMCell", lambda nn: nn.LSTMCell(3, 2)),
    ("GRUCell", lambda nn: nn.GRUCell(3, 2)),
    ("PReLU", lambda nn: nn.PReLU(3)),
    ("MultiheadAttention", lambda nn: nn.MultiheadAttention(8, 2)),
    ("TransformerEncoderLayer", lambda nn: nn.TransformerEncoderLayer(8, 2, 16)),
    ("Sequential", lambda nn: nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))),
]


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize(("name", "build"), LAYERS, ids=[n for n, _ in LAYERS])
def test_layer_initialisation_equals_torch(name, build, seed):
    torch = pytest.importorskip("torch")
    torch.manual_seed(seed)
    theirs = build(torch.nn).state_dict()
    ndgrad.manual_seed(seed)
    ours = build(ndgrad.nn).state_dict()
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_array_equal(ours[key].numpy(), theirs[key].numpy(), err_msg=key)


def test_dropout_masks_equal_torch():
    torch = pytest.importorskip("torch")
    for lib in (torch, ndgrad):
        lib.manual_seed(3)
    x = np.ones((4, 50), np.float32)
    ours = ndgrad.nn.functional.dropout(ndgrad.tensor(x), 0.3).numpy()
    theirs = torch.nn.functional.dropout(torch.tensor(x), 0.3).numpy()
    np.testing.assert_array_equal(ours, theirs)


def test_seeded_linear_fixed_values():
    ndgrad.manual_seed(0)
    w = ndgrad.nn.Linear(3, 4).weight.detach().numpy().ravel()[:4]
    # Values torch 2.13 gives for torch.manual_seed(0); nn.Linear(3, 4).weight.
    np.testing.assert_array_equal(
        w,
        np.array(
            [-0.004322517663240433, 0.3097158372402191, -0.4751853346824646, -0.4248946011066437],
            np.float32,
        ),
    )
