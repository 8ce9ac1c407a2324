"""RMSprop: Hinton's rule, no bias correction, its buffers, convergence (PyTorch's formulas to the
last bit: test_pytorch_formulas.py)."""

from __future__ import annotations

import numpy as np
import pytest
from adaptive_reference import textbook_rmsprop
from optim_reference import random_problem, run_minigen

import minigen as mg


def test_rmsprop_is_hintons_rule():
    p0, grads = random_problem(np.float64, steps=20)
    ours = run_minigen(lambda ps: mg.optim.RMSprop(ps, lr=0.01, alpha=0.9), p0, grads)
    for got, want in zip(ours, textbook_rmsprop(p0, grads, lr=0.01, alpha=0.9, eps=1e-8),
                         strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_first_step_has_no_bias_correction():
    # v_1 = (1 - alpha) g^2, so the first step is lr g / (sqrt(1 - alpha) |g|) = 10 lr sign(g).
    p = mg.zeros(3, dtype=mg.float64, requires_grad=True)
    p.grad = mg.tensor([0.05, -3.0, 50.0], dtype=mg.float64)
    mg.optim.RMSprop([p], lr=0.01).step()
    np.testing.assert_allclose(p.numpy(), [-0.1, 0.1, -0.1], rtol=1e-5)


def test_state_holds_only_the_buffers_in_use():
    def state_after(**options):
        p = mg.randn(2, requires_grad=True)
        opt = mg.optim.RMSprop([p], **options)
        p.grad = mg.randn(2)
        opt.step()
        return set(opt.state[p])

    assert state_after() == {"step", "square_avg"}
    assert state_after(momentum=0.9) == {"step", "square_avg", "momentum_buffer"}
    assert state_after(centered=True) == {"step", "square_avg", "grad_avg"}


def test_rmsprop_converges_to_the_minimum_of_a_quadratic():
    a, c = mg.tensor([1.0, 3.0, 10.0]), mg.tensor([1.0, -2.0, 0.5])
    x = mg.zeros(3, requires_grad=True)
    opt = mg.optim.RMSprop([x], lr=0.01, momentum=0.5, centered=True)
    for _ in range(500):
        opt.zero_grad()
        (a * (x - c) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(x.numpy(), c.numpy(), atol=1e-3)


@pytest.mark.parametrize("word", ["lr", "eps", "momentum", "weight_decay", "alpha"])
def test_rmsprop_rejects_negative_hyperparameters(word):
    with pytest.raises(ValueError, match=f"RMSprop: invalid {word}"):
        mg.optim.RMSprop([mg.zeros(2, requires_grad=True)], **{word: -0.1})
