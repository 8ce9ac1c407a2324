"""Initialisation: PyTorch's default bounds for every layer, and the nn.init formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigen as mg
import minigen.nn as nn
from minigen.nn import init


@pytest.mark.parametrize(
    "make, fan_in",
    [
        (lambda: nn.Linear(400, 300), 400),
        (lambda: nn.Conv2d(16, 32, 4), 16 * 4 * 4),
        (lambda: nn.Conv2d(3, 8, (3, 5)), 3 * 3 * 5),
        # PyTorch's fan_in for a transposed conv weight (in, out, kh, kw) is out * kh * kw.
        (lambda: nn.ConvTranspose2d(64, 32, 4, 2, 1), 32 * 4 * 4),
    ],
)
def test_default_init_is_uniform_within_one_over_sqrt_fan_in(make, fan_in):
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        values = p.numpy()
        assert values.dtype == np.float32
        assert np.abs(values).max() <= bound
        if values.size > 100:  # U(-b, b) reaches near its bounds and has std b / sqrt(3)
            assert np.abs(values).max() > 0.95 * bound
            assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.1)


def test_batchnorm_and_embedding_init():
    bn = nn.BatchNorm2d(5)
    assert bn.weight.numpy().tolist() == [1.0] * 5 and bn.bias.numpy().tolist() == [0.0] * 5
    assert (
        bn.running_mean.numpy().tolist() == [0.0] * 5
        and bn.running_var.numpy().tolist() == [1.0] * 5
    )
    w = nn.Embedding(1000, 20).weight.numpy()
    assert w.mean() == pytest.approx(0.0, abs=0.02) and w.std() == pytest.approx(1.0, abs=0.02)


def test_init_functions_follow_pytorchs_formulas():
    w = mg.zeros(256, 128, 3, 3)
    fan_in, fan_out = 128 * 9, 256 * 9
    init.xavier_uniform_(w, gain=2.0)
    a = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(w.numpy()).max() <= a and np.abs(w.numpy()).max() > 0.99 * a
    init.kaiming_uniform_(w, a=0.2)
    b = math.sqrt(2 / (1 + 0.2**2)) * math.sqrt(3 / fan_in)
    assert np.abs(w.numpy()).max() <= b and np.abs(w.numpy()).max() > 0.99 * b
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu")
    assert w.numpy().std() == pytest.approx(math.sqrt(2) / math.sqrt(fan_out), rel=0.02)
    init.normal_(w, 0.0, 0.02)  # the DCGAN init
    assert w.numpy().std() == pytest.approx(0.02, rel=0.02)
    assert w.numpy().mean() == pytest.approx(0.0, abs=1e-3)
    init.uniform_(w, -3.0, -2.0)
    assert -3.0 <= w.numpy().min() and w.numpy().max() < -2.0
    init.constant_(w, 0.5)
    assert np.all(w.numpy() == 0.5)
    init.zeros_(w)
    assert not w.numpy().any()
    init.ones_(w)
    assert np.all(w.numpy() == 1)
    assert w.dtype == mg.float32


def test_init_keeps_the_tensor_dtype_device_and_identity():
    p = nn.Parameter(mg.zeros(3, 4, dtype=mg.float64))
    assert init.normal_(p, np.float64(1.0), np.float64(2.0)) is p  # NumPy scalars stay weak
    assert p.dtype == mg.float64 and p.requires_grad and p.grad_fn is None
    q = mg.zeros(10, 10)
    init.uniform_(q, np.float64(-1), np.float64(1))
    assert q.dtype == mg.float32


def test_init_is_reproducible_with_manual_seed():
    mg.manual_seed(5)
    a = nn.Linear(10, 10).weight.numpy().copy()
    mg.manual_seed(5)
    b = nn.Linear(10, 10).weight.numpy()
    np.testing.assert_array_equal(a, b)


def test_calculate_gain_and_fan_errors():
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(mg.zeros(5))
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")
