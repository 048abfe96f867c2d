"""The gradient doctor: each diagnosis has a test that triggers it and one that stays quiet."""

import warnings

import pytest

import ndgrad as torch
from ndgrad.autograd import doctor


def _healthy():
    w = torch.tensor([0.5, 1.5], requires_grad=True)
    loss = (w.sqrt() * w.log().exp()).sum()
    loss.backward()
    return w


def test_healthy_code_gets_a_clean_bill():
    w = torch.tensor([0.5, 1.5], requires_grad=True)

    def step():
        w.grad = None
        (w * w).sum().backward()

    report = doctor(step, {"w": w})
    assert report.healthy and str(report) == "gradient doctor: no problems found."


def test_sqrt_at_zero_behind_where():
    x = torch.tensor([0.0, 4.0], requires_grad=True)

    def step():
        torch.where(x > 0, x.sqrt(), torch.zeros(2)).sum().backward()

    report = doctor(step)
    text = str(report)
    assert "Function 'SqrtBackward0' returned nan values in its 0th output." in text
    assert "sqrt at 0" in text and "where(cond, x, 1.0)" in text
    assert "in step" in text and "x.sqrt()" in text  # the user's forward line


def test_log_of_zero_and_division_by_zero_and_exp_overflow():
    cases = {
        "log of 0": lambda t: t.log(),
        "division by 0": lambda t: 1 / t,
        "overflow in exp": lambda t: (t + 100).exp() * 0,
    }
    for cause, f in cases.items():
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        report = doctor(lambda f=f, x=x: f(x).sum().backward())
        assert cause in str(report), (cause, str(report))
        quiet = torch.tensor([0.5, 1.0], requires_grad=True)
        if cause != "overflow in exp":
            assert doctor(lambda f=f, q=quiet: f(q).sum().backward()).healthy


def test_detect_anomaly_error_carries_the_diagnosis():
    x = torch.tensor([0.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly():
            with pytest.raises(RuntimeError) as err:
                (x.sqrt() * 0).sum().backward()
    lines = str(err.value).splitlines()
    assert lines[0] == "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert lines[1].startswith("Likely cause: sqrt at 0")


def test_non_leaf_grad_access():
    x = torch.ones(2, requires_grad=True)

    def step():
        y = x * 2
        y.sum().backward()
        assert y.grad is None

    report = doctor(step)
    assert any(".retain_grad()" in w for w in report.warnings)

    def quiet():
        y = x * 2
        y.retain_grad()
        y.sum().backward()
        assert y.grad is not None

    x.grad = None
    assert doctor(quiet, {"x": x}).healthy


def test_parameter_left_out_of_the_graph():
    w = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)

    def step():
        with torch.no_grad():
            h = b * 2
        (w * h).sum().backward()

    report = doctor(step, {"w": w, "b": b})
    assert len(report.warnings) == 1 and report.warnings[0].startswith("b: .grad is still None")


def test_gradients_not_zeroed_between_steps():
    w = torch.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    report = doctor(lambda: (w * 3).sum().backward(), {"w": w})
    assert any("was not zeroed" in x and "zero_grad()" in x for x in report.warnings)
    assert w.grad.tolist() == [6.0, 6.0]


def test_requires_grad_set_on_a_detached_loss():
    w = torch.ones(2, requires_grad=True)

    def step():
        loss = (w * 3).sum().detach()
        loss.requires_grad = True
        loss.backward()

    report = doctor(step, {"w": w})
    assert any("setting requires_grad=True on a loss" in x for x in report.warnings)
    assert any(x.startswith("w: .grad is still None") for x in report.warnings)


def test_doctor_leaves_modes_as_they_were():
    doctor(lambda: _healthy())
    assert not torch.autograd.is_anomaly_enabled()
