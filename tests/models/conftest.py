import numpy as np
import pytest

from minigen.data import MNISTSample


@pytest.fixture(scope="session")
def sample_batches():
    """A few real batches of the shipped MNIST sample, both pixel scales, as NumPy."""
    ds = MNISTSample(train=True)
    x = ds.images[:512].astype(np.float32).reshape(-1, 1, 28, 28) / 255.0
    return {"unit": x, "symmetric": x * 2 - 1, "labels": ds.labels[:512].copy()}
