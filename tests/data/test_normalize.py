"""Normalize(mean, std): torchvision's per-channel standardisation, in the DataLoader pipeline."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
from minigen.data import DataLoader, MNISTSample, Normalize
from minigen.data.transforms import normalize


def test_mnist_examples_normalize_on_loader_batches():
    # pytorch/examples mnist: ToTensor() then Normalize((0.1307,), (0.3081,)).
    ds = MNISTSample(train=True)
    transform = Normalize((0.1307,), (0.3081,))
    x, _ = next(iter(DataLoader(ds, batch_size=32)))
    got = transform(x)
    pixels = ds.images[:32].astype(np.float32)[:, None] / np.float32(255)  # ToTensor
    want = (pixels - np.float32(0.1307)) / np.float32(0.3081)  # sub_ then div_, in float32
    assert isinstance(got, mg.Tensor) and got.dtype == mg.float32 and got.shape == (32, 1, 28, 28)
    np.testing.assert_array_equal(got.numpy(), want)


def test_each_channel_gets_its_own_mean_and_std():
    rng = np.random.default_rng(0)
    images = rng.random((4, 3, 5, 6)).astype(np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    got = Normalize(mean, std)(images)
    assert isinstance(got, np.ndarray) and got.dtype == np.float32
    for c in range(3):
        np.testing.assert_array_equal(
            got[:, c], (images[:, c] - np.float32(mean[c])) / np.float32(std[c]))
    one = Normalize(mean, std)(images[0])  # a single (C, H, W) image
    np.testing.assert_array_equal(one, got[0])


def test_the_result_standardises_the_dataset():
    ds = MNISTSample(train=True)
    x = ds.images.astype(np.float32)[:, None] / 255
    mean, std = float(x.mean()), float(x.std())
    z = Normalize((mean,), (std,))(x)
    assert abs(float(z.mean())) < 1e-4 and abs(float(z.std()) - 1) < 1e-4


def test_normalize_keeps_the_device_and_passes_gradients():
    x = mg.rand(2, 1, 3, 3, device="strict", requires_grad=True)
    y = Normalize((0.5,), (0.25,))(x)
    assert y.device == mg.device("strict")
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 1, 3, 3), 4.0))


def test_inplace_writes_into_the_input():
    a = np.ones((1, 2, 2), np.float32)
    assert normalize(a, (0.5,), (0.5,), inplace=True) is a
    np.testing.assert_array_equal(a, np.ones_like(a))
    t = mg.ones(1, 2, 2)
    assert Normalize((0.5,), (0.25,), inplace=True)(t) is t
    np.testing.assert_array_equal(t.numpy(), np.full((1, 2, 2), 2.0, np.float32))


def test_repr_is_torchvisions():
    assert repr(Normalize((0.1307,), (0.3081,))) == "Normalize(mean=(0.1307,), std=(0.3081,))"


@pytest.mark.parametrize(
    "x, mean, std, error, words",
    [(np.zeros((2, 784), np.float32), (0.1,), (0.3,), ValueError, r"\(\.\.\., C, H, W\)"),
     (np.zeros((1, 2, 2), np.uint8), (0.1,), (0.3,), TypeError, "float tensor"),
     (np.zeros((1, 2, 2), np.float32), (0.1,), (0.0,), ValueError, "std evaluated to zero")],
)
def test_bad_input_is_explained(x, mean, std, error, words):
    with pytest.raises(error, match=words):
        Normalize(mean, std)(x)
