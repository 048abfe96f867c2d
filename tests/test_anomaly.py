"""Anomaly detection: NaN gradients name the op, errors show the forward traceback."""

import warnings

import numpy as np
import pytest

import ndgrad as torch


def _nan_backward():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt() * 0  # d sqrt at 0 is inf; inf * 0 is nan
    y.sum().backward()
    return x


def test_nan_in_backward_names_the_op_and_shows_forward_trace():
    with pytest.warns(UserWarning) as record:
        with torch.autograd.detect_anomaly():
            with pytest.raises(
                RuntimeError,
                match="Function 'SqrtBackward0' returned nan values in its 0th output.",
            ):
                _nan_backward()
    texts = [str(w.message) for w in record]
    assert any("Anomaly Detection has been enabled" in t for t in texts)
    trace = next(t for t in texts if t.startswith("Error detected in SqrtBackward0"))
    assert "_nan_backward" in trace and "x.sqrt()" in trace


def test_without_anomaly_mode_nan_passes_silently():
    x = _nan_backward()
    assert np.isnan(x.grad.numpy()).tolist() == [True, False]
    assert not torch.autograd.is_anomaly_enabled()


def test_set_detect_anomaly_and_check_nan_flag():
    torch.autograd.set_detect_anomaly(True, check_nan=False)
    try:
        assert torch.autograd.is_anomaly_enabled()
        assert not torch.autograd.is_anomaly_check_nan_enabled()
        _nan_backward()  # no NaN check: no error
    finally:
        torch.autograd.set_detect_anomaly(False)
    assert not torch.autograd.is_anomaly_enabled()
    with torch.autograd.set_detect_anomaly(True):
        assert torch.autograd.is_anomaly_enabled()
    assert not torch.autograd.is_anomaly_enabled()


def test_other_backward_errors_carry_the_forward_trace():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with torch.autograd.detect_anomaly():
            y = x * 1
            z = y * y
            y.add_(1)
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                z.sum().backward()
    assert any(str(w.message).startswith("Error detected in MulBackward0") for w in record)


def test_matches_torch_message():
    real = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with real.autograd.detect_anomaly():
            x = real.tensor([0.0, 1.0], requires_grad=True)
            with pytest.raises(RuntimeError) as theirs:
                (x.sqrt() * 0).sum().backward()
        with torch.autograd.detect_anomaly():
            with pytest.raises(RuntimeError) as ours:
                _nan_backward()
    # torch's wording first; ndgrad adds the likely cause on the following lines.
    assert str(ours.value).splitlines()[0] == str(theirs.value)
