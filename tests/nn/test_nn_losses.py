"""Losses: values against their formulas, PyTorch's clamps, stability at huge logits, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F
from minigen.errors import ShapeError


def t64(values, grad=False):
    return mg.tensor(np.asarray(values, dtype=np.float64), dtype=mg.float64, requires_grad=grad)


def test_bce_on_probabilities_matches_the_formula_and_reductions():
    rng = np.random.default_rng(0)
    p, y = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    elementwise = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(
        F.binary_cross_entropy(t64(p), t64(y), reduction="none").numpy(), elementwise
    )
    assert F.binary_cross_entropy(t64(p), t64(y)).item() == pytest.approx(elementwise.mean())
    assert F.binary_cross_entropy(t64(p), t64(y), reduction="sum").item() == pytest.approx(
        elementwise.sum()
    )
    assert nn.BCELoss()(t64(p), t64(y)).item() == pytest.approx(elementwise.mean())


def test_bce_clamps_each_log_term_at_minus_100():
    p = t64([0.0, 1.0, 1.0, 0.0], grad=True)
    y = t64([1.0, 0.0, 1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no log(0) warning either
        loss = F.binary_cross_entropy(p, y, reduction="none")
    assert loss.numpy().tolist() == [100.0, 100.0, 0.0, 0.0]
    loss.sum().backward()
    assert np.all(np.isfinite(p.grad.numpy()))
    assert p.grad.numpy()[0] == pytest.approx(-1e12, rel=1e-6)  # PyTorch's floor 1e-12 on p(1-p)


def test_bce_with_logits_is_stable_for_huge_logits():
    x = t64([1000.0, -1000.0, 80.0, -80.0, 0.0], grad=True)
    y = t64([0.0, 1.0, 1.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(
        loss.numpy(),
        [1000.0, 1000.0, np.log1p(np.exp(-80.0)), np.log1p(np.exp(-80.0)), np.log(2.0)],
        rtol=1e-15,
    )
    loss.sum().backward()
    logits = np.array([1000.0, -1000.0, 80.0, -80.0, 0.0])
    e = np.exp(-np.abs(logits))
    sigmoid = np.where(logits >= 0, 1 / (1 + e), e / (1 + e))
    np.testing.assert_allclose(x.grad.numpy(), sigmoid - y.numpy(), rtol=1e-12, atol=0)
    assert x.grad.numpy()[3] == pytest.approx(np.exp(-80.0), rel=1e-12)  # the far tail, exactly


def test_bce_with_logits_in_float32_stays_float32_and_finite():
    x = mg.tensor([[90.0, -90.0, 0.5]], requires_grad=True)
    y = mg.tensor([[0.0, 0.0, 1.0]])
    loss = nn.BCEWithLogitsLoss()(x, y)
    assert loss.dtype == mg.float32 and np.isfinite(loss.item())
    loss.backward()
    assert x.grad.dtype == mg.float32 and np.all(np.isfinite(x.grad.numpy()))


def test_bce_with_logits_equals_bce_of_sigmoid_where_both_are_accurate():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((5, 2)) * 3, rng.uniform(0, 1, (5, 2))
    a = F.binary_cross_entropy_with_logits(t64(x), t64(y)).item()
    b = F.binary_cross_entropy(t64(x).sigmoid(), t64(y)).item()
    assert a == pytest.approx(b, rel=1e-12)


def test_mse_loss_and_its_broadcast_warning():
    a, b = t64([[1.0, 2.0], [3.0, 4.0]]), t64([[0.0, 2.0], [5.0, 4.0]])
    assert F.mse_loss(a, b).item() == pytest.approx(5 / 4)
    assert F.mse_loss(a, b, reduction="sum").item() == pytest.approx(5.0)
    assert F.mse_loss(a, b, reduction="none").numpy().tolist() == [[1.0, 0.0], [4.0, 0.0]]
    assert nn.MSELoss()(a, b).item() == pytest.approx(5 / 4)
    with pytest.warns(
        UserWarning, match=r"target size \(2,\) that is different to the input size \(2, 2\)"
    ):
        F.mse_loss(a, t64([1.0, 2.0]))


def test_gaussian_kl_formula_and_reductions():
    rng = np.random.default_rng(2)
    mu, logvar = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    expected = -0.5 * (1 + logvar - mu**2 - np.exp(logvar))
    np.testing.assert_allclose(
        F.gaussian_kl(t64(mu), t64(logvar), reduction="none").numpy(), expected
    )
    assert F.gaussian_kl(t64(mu), t64(logvar)).item() == pytest.approx(expected.mean())
    assert F.gaussian_kl(t64(mu), t64(logvar), reduction="sum").item() == pytest.approx(
        expected.sum()
    )
    # "batchmean": the per-sample KL (summed over latent dims), averaged over the batch.
    assert F.gaussian_kl(t64(mu), t64(logvar), reduction="batchmean").item() == pytest.approx(
        expected.sum() / 4
    )
    assert F.gaussian_kl(mg.zeros(2, 3), mg.zeros(2, 3), reduction="sum").item() == 0.0
    assert F.gaussian_kl(mg.zeros(2, 3), mg.zeros(2, 3)).dtype == mg.float32


def test_gaussian_kl_gradients():
    mu, logvar = t64([0.5, -1.0], grad=True), t64([0.3, -0.2], grad=True)
    F.gaussian_kl(mu, logvar, reduction="sum").backward()
    np.testing.assert_allclose(mu.grad.numpy(), [0.5, -1.0])
    np.testing.assert_allclose(logvar.grad.numpy(), 0.5 * (np.exp([0.3, -0.2]) - 1))


def test_loss_errors_are_clear():
    p = mg.rand(4, 1)
    with pytest.raises(
        ShapeError,
        match=r"binary_cross_entropy: target of shape \(4,\) must have the same shape as "
        r"the input \(4, 1\)",
    ):
        F.binary_cross_entropy(p, mg.rand(4))
    with pytest.raises(
        TypeError, match=r"target is int64 but input is float32; convert the target"
    ):
        F.binary_cross_entropy_with_logits(p, mg.tensor([[1], [0], [1], [0]]))
    with pytest.raises(ValueError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(mg.tensor([[2.0]]), mg.tensor([[1.0]]))
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.mse_loss(p, p, reduction="avg")
    with pytest.raises(ShapeError, match="gaussian_kl: mu of shape"):
        F.gaussian_kl(mg.zeros(2, 3), mg.zeros(2, 4))


def test_loss_targets_may_be_python_numbers_or_lists():
    logits = mg.tensor([0.0, 0.0])
    assert F.binary_cross_entropy_with_logits(logits, [1.0, 0.0]).item() == pytest.approx(np.log(2))
