"""mg.gradcheck itself: it passes correct gradients and catches wrong ones with a clear report."""

from __future__ import annotations

import pytest
from gradcases import rand64

import minigen as mg


class WrongSquare(mg.Function):
    """y = x^2 with a deliberately wrong backward (dL/dx = dL/dy * x, missing the 2)."""

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, gy):
        return gy * self.x


class WrongSecondInput(mg.Function):
    """y = a * b whose backward is right for a and wrong for b."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        return gy * self.b, gy * self.a * 1.01


WrongSquare.__module__ = WrongSecondInput.__module__ = "tests.deliberately_wrong"


def test_gradcheck_catches_a_wrong_backward_with_a_readable_report():
    x = rand64(3, 2)
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda t: WrongSquare.apply(t), [x])
    report = str(info.value)
    for part in ("input 0", "shape (3, 2)", "analytic", "numeric", "abs err", "rel err", "Worst at index"):
        assert part in report


def test_gradcheck_checks_every_input_not_only_the_first():
    a, b = rand64(4), rand64(4, seed=1)
    with pytest.raises(mg.GradcheckError, match="input 1"):
        mg.gradcheck(lambda x, y: WrongSecondInput.apply(x, y), [a, b])


def test_directional_mode_catches_the_error_too_and_passes_correct_code():
    x = rand64(50, 50)
    assert mg.gradcheck(lambda t: (t * t).tanh(), [x], directional=True)
    with pytest.raises(mg.GradcheckError, match="random direction"):
        mg.gradcheck(lambda t: WrongSquare.apply(t), [x], directional=True)


def test_large_inputs_default_to_the_directional_mode(monkeypatch):
    from minigen.autograd import gradcheck as module

    calls = []
    real = module._check_directions
    monkeypatch.setattr(module, "_check_directions", lambda *a: calls.append(1) or real(*a))
    mg.gradcheck(lambda t: t.exp().sum(), [rand64(module.DIRECTIONAL_ABOVE + 1)])
    assert calls


def test_non_scalar_outputs_use_a_random_upstream_gradient():
    # A backward that is right only when the upstream gradient is all ones must fail.
    class OnlyOnes(mg.Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy * 0 + 2

    OnlyOnes.__module__ = "tests.deliberately_wrong"
    with pytest.raises(mg.GradcheckError):
        mg.gradcheck(lambda t: OnlyOnes.apply(t), [rand64(5)])


def test_gradcheck_refuses_float32_and_inputs_without_grad():
    with pytest.raises(ValueError, match="float64"):
        mg.gradcheck(lambda t: t * 2, [mg.randn(3, requires_grad=True)])
    with pytest.raises(ValueError, match="nothing to check"):
        mg.gradcheck(lambda t: t * 2, [rand64(3, requires_grad=False)])


def test_parameters_reached_through_a_closure_are_checked_in_place():
    w = rand64(3, 3, seed=4)
    x = rand64(2, 3, seed=5)
    assert mg.gradcheck(lambda inp, *_: (inp @ w).tanh(), [x, w])
    assert w.array is not None and w.shape == (3, 3)  # restored after perturbation
