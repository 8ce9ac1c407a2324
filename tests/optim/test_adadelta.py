"""Adadelta: Zeiler's algorithm, the scale of its steps, its state (PyTorch's formulas to the last
bit: test_pytorch_formulas.py)."""

from __future__ import annotations

import numpy as np
import pytest
from adaptive_reference import textbook_adadelta
from optim_reference import random_problem, run_minigen

import minigen as mg


def test_adadelta_is_zeilers_algorithm():
    p0, grads = random_problem(np.float64, steps=20)
    ours = run_minigen(lambda ps: mg.optim.Adadelta(ps, rho=0.95, eps=1e-6), p0, grads)
    for got, want in zip(ours, textbook_adadelta(p0, grads, rho=0.95, eps=1e-6), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_steps_do_not_depend_on_the_gradient_scale_once_eps_is_negligible():
    # The first step is sqrt(eps) / sqrt((1 - rho) g^2 + eps) * g: about sqrt(eps / (1 - rho))
    # for large |g|, the same for g = 10 and g = 1000 (the "units" argument of the paper).
    p = mg.zeros(2, dtype=mg.float64, requires_grad=True)
    p.grad = mg.tensor([10.0, 1000.0], dtype=mg.float64)
    mg.optim.Adadelta([p]).step()
    np.testing.assert_allclose(p.numpy(), -np.sqrt(1e-6 / 0.1), rtol=1e-4)


def test_adadelta_state_layout_and_defaults():
    p = mg.randn(4, requires_grad=True)
    opt = mg.optim.Adadelta([p])
    group = opt.param_groups[0]
    assert (group["lr"], group["rho"], group["eps"], group["weight_decay"]) == (1.0, 0.9, 1e-6, 0)
    p.grad = mg.randn(4)
    opt.step()
    assert set(opt.state[p]) == {"step", "square_avg", "acc_delta"}


@pytest.mark.parametrize(
    "bad, word",
    [({"lr": -1.0}, "lr"), ({"rho": 1.5}, "rho"), ({"eps": -1.0}, "eps"),
     ({"weight_decay": -1.0}, "weight_decay")],
)
def test_adadelta_rejects_impossible_hyperparameters(bad, word):
    with pytest.raises(ValueError, match=f"Adadelta: invalid {word}"):
        mg.optim.Adadelta([mg.zeros(2, requires_grad=True)], **bad)
