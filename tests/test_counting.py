"""histc and bincount: fixed values, dtypes and errors, and agreement with torch."""

import numpy as np
import pytest

import ndgrad


def test_histc_fixed_values():
    x = ndgrad.tensor([1.0, 2.0, 1.0, 4.0])
    assert ndgrad.histc(x, bins=4, min=0, max=3).tolist() == [0.0, 2.0, 1.0, 0.0]
    # min == max == 0 uses the data's range; the maximum lands in the last bin.
    assert ndgrad.histc(x, bins=4).tolist() == [2.0, 1.0, 0.0, 1.0]
    assert ndgrad.histc(x, bins=4).dtype is ndgrad.float32
    assert ndgrad.histc(x, bins=2, min=0, max=2).tolist() == [0.0, 3.0]


def test_bincount_fixed_values():
    idx = ndgrad.tensor([0, 1, 1, 3])
    assert ndgrad.bincount(idx).tolist() == [1, 2, 0, 1]
    assert ndgrad.bincount(idx, minlength=6).tolist() == [1, 2, 0, 1, 0, 0]
    w = ndgrad.tensor([0.5, 0.5, 1.0, 2.0])
    out = ndgrad.bincount(idx, weights=w)
    assert out.tolist() == [0.5, 1.5, 0.0, 2.0] and out.dtype is ndgrad.float32


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.histc(lib.tensor([1, 2]), bins=2),
        lambda lib: lib.bincount(lib.tensor([-1, 2])),
        lambda lib: lib.bincount(lib.tensor([1.0, 2.0])),
        lambda lib: lib.cdist(lib.ones(3, 2), lib.ones(4, 3)),
    ],
)
def test_errors_match_torch(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(ndgrad)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_match_torch_on_random_data():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=200).astype(np.float32)
    idx = rng.integers(0, 9, size=50)
    w = rng.random(50)
    for bins, lo, hi in [(10, 0, 0), (7, -1, 1), (3, 0.5, 0.5)]:
        ours = ndgrad.histc(ndgrad.tensor(x), bins=bins, min=lo, max=hi).numpy()
        theirs = torch.histc(torch.tensor(x), bins=bins, min=lo, max=hi).numpy()
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(
        ndgrad.bincount(ndgrad.tensor(idx), minlength=12).numpy(),
        torch.bincount(torch.tensor(idx), minlength=12).numpy(),
    )
    np.testing.assert_allclose(
        ndgrad.bincount(ndgrad.tensor(idx), weights=ndgrad.tensor(w)).numpy(),
        torch.bincount(torch.tensor(idx), weights=torch.tensor(w)).numpy(),
    )
