"""Inputs that would give a silent wrong answer are refused in one clear line (issue 13,
item 11); where PyTorch accepts an input, minigen does the same thing it does."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
import minigen.nn.functional as F
from minigen.models.cgan import ConditionalGAN


@pytest.fixture(scope="module")
def cgan():
    return ConditionalGAN(latent_dim=4)


@pytest.mark.parametrize("label, message", [
    (10, "class value 10 is not smaller than num_classes=10"),
    (99, "class value 99 is not smaller than num_classes=10"),
    (-1, "class values must be non-negative, got -1"),
])
def test_conditional_gan_refuses_labels_outside_its_classes(cgan, label, message):
    # An all-zero one-hot vector would be a silent "no class": F.one_hot refuses, as PyTorch's.
    with pytest.raises(ValueError, match=message):
        cgan.sample(2, label=label)
    labels = mg.tensor([0, label])
    with pytest.raises(ValueError, match=message):
        cgan.generate(mg.randn(2, 4), labels)
    with pytest.raises(ValueError, match=message):
        cgan.discriminate(mg.rand(2, 1, 28, 28), labels)


def test_conditional_gan_accepts_every_class(cgan):
    assert cgan.sample(10).shape == (10, 1, 28, 28)
    assert cgan.sample(1, label=9).shape == (1, 1, 28, 28)


@pytest.mark.parametrize("target", [1.5, -0.25])
def test_bce_refuses_targets_outside_0_1_as_pytorch_does(target):
    with pytest.raises(ValueError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(mg.tensor([0.5, 0.5]), mg.tensor([0.0, target]))
    assert np.isfinite(F.binary_cross_entropy(mg.tensor([0.5]), mg.tensor([1.0])).item())


def test_linear_with_no_inputs_is_made_as_in_pytorch():
    # PyTorch warns that initializing a zero-element weight is a no-op, and the bias bound
    # 1/sqrt(fan_in) falls back to 0: a (4, 0) weight and a zero bias, no ZeroDivisionError.
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        layer = mg.nn.Linear(0, 4)
    assert layer.weight.shape == (4, 0)
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(4, np.float32))
    np.testing.assert_array_equal(layer(mg.zeros(3, 0)).numpy(), np.zeros((3, 4), np.float32))
