"""Grad modes: context managers, decorators (generators too), thread-local state."""

import threading

import ndgrad as torch
from ndgrad.autograd import grad_mode


def test_context_managers_nest_and_restore():
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        with torch.enable_grad():
            assert torch.is_grad_enabled()
        with torch.set_grad_enabled(True):
            assert torch.is_grad_enabled()
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()


def test_set_grad_enabled_as_a_function_call():
    torch.set_grad_enabled(False)
    try:
        assert not torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(True)
    assert torch.is_grad_enabled()


def test_decorators():
    x = torch.ones(2, requires_grad=True)

    @torch.no_grad()
    def f(t):
        return t * 2

    @torch.set_grad_enabled(False)
    def g(t):
        return t * 2

    assert torch.is_grad_enabled()
    assert f(x).grad_fn is None and g(x).grad_fn is None
    with torch.no_grad():
        assert torch.enable_grad()(lambda t: t * 2)(x).grad_fn is not None


def test_generator_decorator_only_inside_body():
    x = torch.ones(1, requires_grad=True)

    @torch.no_grad()
    def gen():
        for _ in range(2):
            yield (x * 2).requires_grad, torch.is_grad_enabled()

    seen = []
    for inside in gen():
        seen.append(inside)
        assert torch.is_grad_enabled()
    assert seen == [(False, False), (False, False)]


def test_inference_mode():
    x = torch.ones(1, requires_grad=True)
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled() and not torch.is_grad_enabled()
        assert (x * 2).grad_fn is None
    assert not torch.is_inference_mode_enabled() and torch.is_grad_enabled()
    with torch.inference_mode(False):
        assert (x * 2).grad_fn is not None


def test_mode_is_thread_local():
    results = {}
    entered = threading.Event()
    release = threading.Event()

    def worker():
        with torch.no_grad():
            entered.set()
            release.wait(5)
            results["worker"] = torch.is_grad_enabled()

    t = threading.Thread(target=worker)
    t.start()
    entered.wait(5)
    results["main"] = torch.is_grad_enabled()
    x = torch.ones(1, requires_grad=True)
    results["main_records"] = (x * 2).grad_fn is not None
    release.set()
    t.join()
    assert results == {"worker": False, "main": True, "main_records": True}


def test_new_thread_starts_enabled():
    out = []
    with torch.no_grad():
        t = threading.Thread(target=lambda: out.append(grad_mode.is_grad_enabled()))
        t.start()
        t.join()
    assert out == [True]
