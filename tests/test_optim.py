"""ndgrad.optim: each optimizer's trajectory against torch's, state dicts, groups, hooks, errors."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad import optim

RNG = np.random.default_rng(0)
X0 = RNG.uniform(-1.0, 1.5, (2, 3))
W0 = RNG.standard_normal(4)
C = RNG.uniform(0.5, 2.0, 4)


def loss_fn(lib: Any, x: Any, w: Any) -> Any:
    """Rosenbrock along each row of x plus a tanh-weighted quadratic in w."""
    rosen = (100 * (x[:, 1:] - x[:, :-1] ** 2) ** 2 + (1 - x[:, :-1]) ** 2).sum()
    return 0.01 * rosen + (lib.tanh(w) * w * lib.tensor(C, dtype=w.dtype)).sum()


def make_params(lib: Any, dtype: str) -> list[Any]:
    dt = getattr(lib, dtype)
    return [lib.tensor(a, dtype=dt, requires_grad=True) for a in (X0, W0)]


def run(lib: Any, params: list[Any], opt: Any, steps: int) -> list[list[np.ndarray]]:
    """Step ``opt`` on the fixed loss; the parameters after every step, as NumPy."""
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(lib, *params).backward()
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
    return out


TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12)}

CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.05)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.05, maximize=True, eps=1e-3)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.7, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, eps=1e-4, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.2, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, maximize=True, eps=1e-3)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, betas=(0.7, 0.95), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.5), weight_decay=0.1, decoupled_weight_decay=True)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_trajectory_matches_torch(name: str, kwargs: dict[str, Any], dtype: str) -> None:
    torch = pytest.importorskip("torch")
    ours = make_params(ndgrad, dtype)
    theirs = make_params(torch, dtype)
    got = run(ndgrad, ours, getattr(optim, name)(ours, **kwargs), 8)
    want = run(torch, theirs, getattr(torch.optim, name)(theirs, **kwargs), 8)
    for step_got, step_want in zip(got, want):
        for g, w in zip(step_got, step_want):
            np.testing.assert_allclose(g, w, **TOL[dtype])
            assert g.dtype == w.dtype


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_state_dict_matches_torch_and_round_trips(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    ours = make_params(ndgrad, "float64")
    theirs = make_params(torch, "float64")
    opt = getattr(optim, name)(ours, **kwargs)
    topt = getattr(torch.optim, name)(theirs, **kwargs)
    run(ndgrad, ours, opt, 4)
    run(torch, theirs, topt, 4)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    assert list(sd["state"]) == list(tsd["state"])
    for k in tsd["state"]:
        assert list(sd["state"][k]) == list(tsd["state"][k])
        for key, value in tsd["state"][k].items():
            np.testing.assert_allclose(sd["state"][k][key].numpy(), value.numpy(), rtol=1e-10)
            assert str(sd["state"][k][key].dtype) == str(value.dtype).replace("torch", "ndgrad")

    # A fresh optimizer on copies of the parameters continues like the original (loading casts
    # NAdam's float32 mu_product to the float64 params' dtype, so compare with torch doing so).
    twins = [ndgrad.tensor(p.detach().numpy(), requires_grad=True) for p in ours]
    twin_opt = getattr(optim, name)(twins, **kwargs)
    twin_opt.load_state_dict(copy.deepcopy(sd))
    ttwins = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in theirs]
    ttwin_opt = getattr(torch.optim, name)(ttwins, **kwargs)
    ttwin_opt.load_state_dict(copy.deepcopy(tsd))
    got = run(ndgrad, twins, twin_opt, 4)
    want = run(torch, ttwins, ttwin_opt, 4)
    cont = run(ndgrad, ours, opt, 4)
    for a, b, c in zip(got, want, cont):
        for x, y, z in zip(a, b, c):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(x, z, rtol=1e-7)


def test_state_dict_round_trip_is_exact() -> None:
    ours = make_params(ndgrad, "float32")
    opt = optim.Adam(ours, lr=0.05, amsgrad=True)
    run(ndgrad, ours, opt, 3)
    twins = [ndgrad.tensor(p.detach().numpy(), requires_grad=True) for p in ours]
    twin_opt = optim.Adam(twins, lr=0.01)
    twin_opt.load_state_dict(copy.deepcopy(opt.state_dict()))
    assert twin_opt.param_groups[0]["lr"] == 0.05
    assert all(a is b for a, b in zip(twin_opt.param_groups[0]["params"], twins))
    for a, b in zip(run(ndgrad, ours, opt, 4), run(ndgrad, twins, twin_opt, 4)):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_load_state_dict_casts_state_to_param_dtype() -> None:
    p = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([p])
    p.grad = ndgrad.tensor([0.5, -0.5])
    opt.step()
    sd = copy.deepcopy(opt.state_dict())
    q = ndgrad.tensor([1.0, 2.0], dtype=ndgrad.float64, requires_grad=True)
    opt2 = optim.Adam([q])
    opt2.load_state_dict(sd)
    assert opt2.state[q]["exp_avg"].dtype == ndgrad.float64
    assert opt2.state[q]["step"].dtype == ndgrad.float32


def test_load_state_dict_errors() -> None:
    a = ndgrad.zeros(2, requires_grad=True)
    b = ndgrad.zeros(2, requires_grad=True)
    sd = optim.SGD([a, b]).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a]).load_state_dict(sd)


def test_param_groups_and_add_param_group() -> None:
    torch = pytest.importorskip("torch")
    ours = make_params(ndgrad, "float64")
    theirs = make_params(torch, "float64")

    def build(lib: Any, opt_mod: Any, ps: list[Any]) -> Any:
        opt = opt_mod.SGD([{"params": [ps[0]], "lr": 0.1, "momentum": 0.9}], lr=0.02)
        opt.add_param_group({"params": ps[1], "weight_decay": 0.5})
        return opt

    opt = build(ndgrad, optim, ours)
    topt = build(torch, torch.optim, theirs)
    assert opt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]
    assert repr(opt) == repr(topt)
    for a, b in zip(run(ndgrad, ours, opt, 6), run(torch, theirs, topt, 6)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-12)


def test_params_stay_leaves_with_identity() -> None:
    ours = make_params(ndgrad, "float32")
    ids = [id(p) for p in ours]
    opt = optim.Adam(ours, lr=0.1)
    run(ndgrad, ours, opt, 2)
    assert [id(p) for p in opt.param_groups[0]["params"]] == ids
    for p in ours:
        assert p.is_leaf and p.requires_grad and p.grad_fn is None


def test_step_skips_params_without_grad() -> None:
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    b = ndgrad.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    assert b.tolist() == [3.0]
    assert b not in opt.state
    assert list(opt.state_dict()["state"]) == [0]


def test_zero_grad() -> None:
    p = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_returns_closure_loss() -> None:
    p = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)

    def closure() -> ndgrad.Tensor:
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ndgrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0
    assert p.tolist() == pytest.approx([0.8, 1.6])
    assert opt.step() is None


def test_step_hooks() -> None:
    p = ndgrad.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    calls: list[str] = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    p.grad = ndgrad.tensor([1.0])
    opt.step()
    assert calls == ["pre", "post"]
    pre.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]
    assert p.tolist() == [0.0]


def test_state_dict_hooks() -> None:
    p = ndgrad.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.5)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1
    seen: list[Any] = []
    opt.register_load_state_dict_post_hook(lambda o: seen.append(o))
    opt.load_state_dict(opt.state_dict())
    assert seen == [opt]


def _lbfgs_run(lib: Any, opt_mod: Any, dtype: str, steps: int, **kwargs: Any) -> Any:
    params = make_params(lib, dtype)
    opt = opt_mod.LBFGS(params, **kwargs)

    def closure() -> Any:
        opt.zero_grad()
        loss = loss_fn(lib, *params)
        loss.backward()
        return loss

    losses, traj = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure)))
        traj.append([p.detach().numpy().copy() for p in params])
    return losses, traj, opt


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(lr=0.5, max_iter=5),
        dict(lr=1, max_iter=4, history_size=3),
        dict(lr=1, max_iter=6, line_search_fn="strong_wolfe"),
        dict(lr=1, max_iter=10, history_size=2, line_search_fn="strong_wolfe"),
    ],
)
def test_lbfgs_matches_torch(kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    losses, traj, opt = _lbfgs_run(ndgrad, optim, "float64", 3, **kwargs)
    tlosses, ttraj, topt = _lbfgs_run(torch, torch.optim, "float64", 3, **kwargs)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-9)
    for a, b in zip(traj, ttraj):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-8, atol=1e-10)
    state, tstate = opt.state_dict()["state"][0], topt.state_dict()["state"][0]
    assert state["func_evals"] == tstate["func_evals"]
    assert state["n_iter"] == tstate["n_iter"]
    assert len(state["old_dirs"]) == len(tstate["old_dirs"])


def test_lbfgs_float32_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    losses, _, _ = _lbfgs_run(ndgrad, optim, "float32", 2, lr=1, max_iter=5)
    tlosses, _, _ = _lbfgs_run(torch, torch.optim, "float32", 2, lr=1, max_iter=5)
    np.testing.assert_allclose(losses, tlosses, rtol=1e-4)


def test_lbfgs_minimises_quadratic() -> None:
    # Without torch: a strongly convex quadratic is solved to high accuracy.
    x = ndgrad.tensor([3.0, -2.0, 1.0], dtype=ndgrad.float64, requires_grad=True)
    target = ndgrad.tensor([1.0, 2.0, 3.0], dtype=ndgrad.float64)
    scale = ndgrad.tensor([1.0, 10.0, 100.0], dtype=ndgrad.float64)
    opt = optim.LBFGS([x], max_iter=50, line_search_fn="strong_wolfe")

    def closure() -> ndgrad.Tensor:
        opt.zero_grad()
        loss = (scale * (x - target) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 2.0, 3.0], atol=1e-6)


def test_lbfgs_errors() -> None:
    a = ndgrad.zeros(2, requires_grad=True)
    b = ndgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    opt = optim.LBFGS([a], line_search_fn="bogus")

    def closure() -> ndgrad.Tensor:
        opt.zero_grad()
        loss = ((a - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_sgd_fixed_values() -> None:
    # Hand-computed: buf1 = g1, buf2 = 0.9 * g1 + g2, nesterov adds 0.9 * buf to the grad.
    p = ndgrad.tensor([1.0, -2.0], dtype=ndgrad.float64, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True)
    p.grad = ndgrad.tensor([1.0, 2.0], dtype=ndgrad.float64)
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [1.0 - 0.19, -2.0 - 0.38])
    opt.step()
    buf = 1.9 * np.array([1.0, 2.0])
    want = np.array([0.81, -2.38]) - 0.1 * (np.array([1.0, 2.0]) + 0.9 * buf)
    np.testing.assert_allclose(p.detach().numpy(), want)


def test_adam_first_step_is_lr_times_sign() -> None:
    p = ndgrad.tensor([1.0, 1.0, 1.0], dtype=ndgrad.float64, requires_grad=True)
    opt = optim.Adam([p], lr=0.1, eps=0.0)
    p.grad = ndgrad.tensor([3.0, -0.5, 2.0], dtype=ndgrad.float64)
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.9, 1.1, 0.9])
    assert opt.state[p]["step"].item() == 1.0


def test_adamw_decay_is_decoupled() -> None:
    # With a zero gradient Adam's moments stay zero; only the decoupled decay moves p.
    p = ndgrad.tensor([2.0], dtype=ndgrad.float64, requires_grad=True)
    opt = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = ndgrad.tensor([0.0], dtype=ndgrad.float64)
    opt.step()
    assert p.item() == pytest.approx(2.0 * (1 - 0.05))


def test_defaults_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for name in [
        "SGD",
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Adamax",
        "NAdam",
        "RAdam",
        "LBFGS",
    ]:
        ours = getattr(optim, name)([ndgrad.zeros(2, requires_grad=True)])
        theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
        assert ours.defaults == theirs.defaults, name
        assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"], name


BAD_ARGS = [
    ("SGD", dict(lr=-1.0)),
    ("SGD", dict(momentum=-0.5)),
    ("SGD", dict(weight_decay=-0.5)),
    ("SGD", dict(nesterov=True)),
    ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-1.0)),
    ("Adam", dict(eps=-1.0)),
    ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))),
    ("Adam", dict(weight_decay=-1.0)),
    ("AdamW", dict(betas=(0.9, 1.5))),
    ("RMSprop", dict(alpha=-0.1)),
    ("RMSprop", dict(momentum=-0.1)),
    ("Adagrad", dict(lr_decay=-0.1)),
    ("Adagrad", dict(initial_accumulator_value=-0.1)),
    ("Adadelta", dict(rho=1.5)),
    ("Adamax", dict(betas=(0.9, 1.0))),
    ("NAdam", dict(momentum_decay=-1.0)),
    ("RAdam", dict(eps=-1.0)),
    ("LBFGS", dict(lr=-1.0)),
]


@pytest.mark.parametrize(("name", "kwargs"), BAD_ARGS)
def test_bad_arguments_raise_like_torch(name: str, kwargs: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([ndgrad.zeros(2, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_bad_params_raise_like_torch() -> None:
    a = ndgrad.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="an iterable of Tensors or dicts, but got ndgrad.Tensor"):
        optim.SGD(a)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        optim.SGD([1.0])
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([a * 2])
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {a}}])
    opt = optim.SGD([a])
    with pytest.raises(
        ValueError, match="some parameters appear in more than one parameter group"
    ):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([a])
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([a, a])


def test_named_parameters() -> None:
    a = ndgrad.zeros(2, requires_grad=True)
    b = ndgrad.zeros(2, requires_grad=True)
    opt = optim.Adam([("w", a), ("b", b)])
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_custom_optimizer_subclass_runs_hooks() -> None:
    class SignSGD(optim.Optimizer):
        def __init__(self, params: Any, lr: float = 0.1) -> None:
            super().__init__(params, {"lr": lr})

        @ndgrad.no_grad()
        def step(self, closure: Any = None) -> Any:
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.add_(p.grad.sign(), alpha=-group["lr"])
            return None

    p = ndgrad.tensor(np.array([1.0, -1.0]), requires_grad=True)
    opt = SignSGD([p], lr=0.25)
    calls: list[str] = []
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    p.grad = ndgrad.tensor(np.array([3.0, -0.1]))
    opt.step()
    assert p.tolist() == [0.75, -0.75]
    assert calls == ["post"]


def test_training_a_module_matches_torch() -> None:
    # Optimizer, scheduler and clipping together on a real module, if nn.Linear is available.
    torch = pytest.importorskip("torch")
    import ndgrad.nn

    if not hasattr(ndgrad.nn, "Linear"):
        pytest.skip("ndgrad.nn.Linear is not available")
    tmodel = torch.nn.Linear(3, 2).double()
    model = ndgrad.nn.Linear(3, 2).double()
    with ndgrad.no_grad():
        model.weight.copy_(ndgrad.tensor(tmodel.weight.detach().numpy()))
        model.bias.copy_(ndgrad.tensor(tmodel.bias.detach().numpy()))
    x = RNG.standard_normal((5, 3))
    y = RNG.standard_normal((5, 2))

    def train(lib: Any, m: Any) -> list[np.ndarray]:
        opt = lib.optim.AdamW(m.parameters(), lr=0.1, weight_decay=0.1)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        xs, ys = lib.tensor(x), lib.tensor(y)
        for _ in range(6):
            opt.zero_grad()
            ((m(xs) - ys) ** 2).mean().backward()
            lib.nn.utils.clip_grad_norm_(m.parameters(), 0.5)
            opt.step()
            sched.step()
        return [m.weight.detach().numpy(), m.bias.detach().numpy()]

    for got, want in zip(train(ndgrad, model), train(torch, tmodel)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
