"""Adam: PyTorch's update to the last bit, the paper's algorithm, bias correction, convergence."""

from __future__ import annotations

import numpy as np
import pytest
from optim_reference import random_problem, run_minigen, textbook_adam, torch_adam

import minigen as mg

CONFIGS = [
    {},
    {"lr": 2e-4, "betas": (0.5, 0.999)},  # the DCGAN setting
    {"lr": 1e-2, "weight_decay": 0.1, "eps": 1e-6},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", CONFIGS)
def test_adam_matches_pytorch_formulas_exactly(dtype, options):
    p0, grads = random_problem(dtype, steps=6)
    ours = run_minigen(lambda ps: mg.optim.Adam(ps, **options), p0, grads)
    for got, want in zip(ours, torch_adam(p0, grads, **options), strict=True):
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, want)


def test_adam_is_the_papers_algorithm():
    # PyTorch's rearrangement (lerp, step_size, denom) is Kingma & Ba's Algorithm 1.
    p0, grads = random_problem(np.float64, steps=20)
    ours = run_minigen(lambda ps: mg.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99)), p0, grads)
    for got, want in zip(ours, textbook_adam(p0, grads, lr=0.01, betas=(0.8, 0.99)), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_bias_correction_makes_the_first_step_lr_times_the_sign_of_the_gradient():
    # m_1 = (1-b1) g and v_1 = (1-b2) g^2: without correction the step would be
    # lr (1-b1)/sqrt(1-b2) ~ 3.2 lr; corrected, it is lr g/|g| (up to eps).
    p = mg.zeros(4, dtype=mg.float64, requires_grad=True)
    p.grad = mg.tensor([3.0, -0.001, 200.0, -7.0], dtype=mg.float64)
    mg.optim.Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.numpy(), [-0.1, 0.1, -0.1, 0.1], rtol=1e-5)


def test_adam_state_layout():
    p = mg.randn(3, 2, requires_grad=True)
    opt = mg.optim.Adam([p])
    for _ in range(3):
        p.grad = mg.randn(3, 2)
        opt.step()
    state = opt.state[p]
    assert state["step"] == 3 and isinstance(state["step"], int)
    assert state["exp_avg"].shape == (3, 2) and state["exp_avg_sq"].dtype == mg.float32


def test_adam_converges_to_the_minimum_of_a_quadratic():
    a = mg.tensor([1.0, 3.0, 10.0])
    c = mg.tensor([1.0, -2.0, 0.5])
    x = mg.zeros(3, requires_grad=True)
    opt = mg.optim.Adam([x], lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        loss = (a * (x - c) ** 2).sum() * 0.5
        loss.backward()
        opt.step()
    np.testing.assert_allclose(x.numpy(), c.numpy(), atol=1e-5)


def test_adam_on_strict_device_matches_cpu_and_keeps_float32():
    p0, grads = random_problem(np.float32)

    def make(ps):
        return mg.optim.Adam(ps, lr=0.01, weight_decay=0.01)

    on_cpu = run_minigen(make, p0, grads)
    on_strict = run_minigen(make, p0, grads, device="strict")
    for a, b in zip(on_cpu, on_strict, strict=True):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "bad, word",
    [({"lr": -1.0}, "lr"), ({"eps": -1.0}, "eps"), ({"betas": (0.9, 1.0)}, "betas"),
     ({"betas": (-0.1, 0.9)}, "betas"), ({"weight_decay": -0.5}, "weight_decay")],
)
def test_adam_rejects_impossible_hyperparameters(bad, word):
    with pytest.raises(ValueError, match=word):
        mg.optim.Adam([mg.zeros(2, requires_grad=True)], **bad)
