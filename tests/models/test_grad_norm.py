"""grad_norm: the L2 norm of all gradients, on the device, in the gradients' dtype."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
from minigen.train import grad_norm


@pytest.mark.parametrize("device", ["cpu", "strict"])
def test_grad_norm_is_the_l2_norm_of_every_gradient_together(device):
    if device == "strict":
        pytest.importorskip("array_api_strict")
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (5,), (2, 1, 3, 3)]]
    params = [mg.zeros(*g.shape, device=device, requires_grad=True) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = mg.tensor(g, device=device)
    params.append(mg.zeros(2, device=device, requires_grad=True))  # no grad yet: skipped
    norm = grad_norm(params)
    assert norm.shape == () and norm.dtype == mg.float32 and norm.device == mg.device(device)
    expected = np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads))
    assert norm.item() == pytest.approx(expected, rel=1e-5)


def test_grad_norm_without_any_gradient_is_a_clear_error():
    with pytest.raises(ValueError, match="no parameter has a gradient"):
        grad_norm([mg.zeros(3, requires_grad=True)])
