"""AdamW: decoupled weight decay, amsgrad, defaults (PyTorch's formulas to the last bit:
test_pytorch_formulas.py)."""

from __future__ import annotations

import numpy as np
import pytest
from optim_reference import random_problem, run_minigen, torch_adam

import minigen as mg


def test_adamw_without_weight_decay_is_adam():
    p0, grads = random_problem(np.float64, steps=8)
    ours = run_minigen(lambda ps: mg.optim.AdamW(ps, lr=0.01, weight_decay=0.0), p0, grads)
    for got, want in zip(ours, torch_adam(p0, grads, lr=0.01), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-15)


def test_weight_decay_is_decoupled_from_the_gradient_scale():
    # AdamW shrinks p by lr * wd * p whatever the gradient; Adam's L2 decay goes through the
    # division by sqrt(v), so a large gradient hides it. One step from p = 1 with g = 1000:
    lr, wd = 0.1, 0.5
    adamw = mg.ones(3, dtype=mg.float64, requires_grad=True)
    adamw.grad = mg.full((3,), 1000.0, dtype=mg.float64)
    mg.optim.AdamW([adamw], lr=lr, weight_decay=wd).step()
    # p (1 - lr wd) - lr g/|g| (+ eps terms)
    np.testing.assert_allclose(adamw.numpy(), 1 - lr * wd - lr, rtol=1e-9)
    adam = mg.ones(3, dtype=mg.float64, requires_grad=True)
    adam.grad = mg.full((3,), 1000.0, dtype=mg.float64)
    mg.optim.Adam([adam], lr=lr, weight_decay=wd).step()
    np.testing.assert_allclose(adam.numpy(), 1 - lr, rtol=1e-9)  # the decay vanished


def test_with_zero_gradients_adamw_only_decays():
    p = mg.tensor([2.0, -4.0], dtype=mg.float64, requires_grad=True)
    opt = mg.optim.AdamW([p], lr=0.1, weight_decay=0.2)
    for _ in range(5):
        p.grad = mg.zeros(2, dtype=mg.float64)
        opt.step()
    np.testing.assert_allclose(p.numpy(), np.array([2.0, -4.0]) * (1 - 0.1 * 0.2) ** 5, rtol=1e-14)


def test_amsgrad_keeps_the_largest_second_moment():
    p = mg.zeros(1, dtype=mg.float64, requires_grad=True)
    opt = mg.optim.AdamW([p], amsgrad=True, weight_decay=0.0)
    peak = 0.0
    for g in [5.0, 0.1, 0.1, 0.1]:
        p.grad = mg.tensor([g], dtype=mg.float64)
        opt.step()
        peak = max(peak, opt.state[p]["exp_avg_sq"].item())
        assert opt.state[p]["max_exp_avg_sq"].item() == peak
    assert opt.state[p]["max_exp_avg_sq"].item() > opt.state[p]["exp_avg_sq"].item()


def test_adamw_defaults_and_state_layout():
    p = mg.randn(3, 2, requires_grad=True)
    opt = mg.optim.AdamW([p])
    group = opt.param_groups[0]
    assert (group["lr"], group["betas"], group["eps"], group["weight_decay"]) == (
        1e-3, (0.9, 0.999), 1e-8, 1e-2)
    assert group["amsgrad"] is False and group["maximize"] is False
    for _ in range(2):
        p.grad = mg.randn(3, 2)
        opt.step()
    assert set(opt.state[p]) == {"step", "exp_avg", "exp_avg_sq"} and opt.state[p]["step"] == 2
    assert opt.state[p]["exp_avg"].dtype == mg.float32


@pytest.mark.parametrize(
    "bad, word",
    [({"lr": -1.0}, "lr"), ({"eps": -1.0}, "eps"), ({"betas": (0.9, 1.0)}, "betas"),
     ({"weight_decay": -0.5}, "weight_decay")],
)
def test_adamw_rejects_impossible_hyperparameters(bad, word):
    with pytest.raises(ValueError, match=f"AdamW: invalid {word}"):
        mg.optim.AdamW([mg.zeros(2, requires_grad=True)], **bad)
