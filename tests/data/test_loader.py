"""DataLoader: shapes, dtypes, pixel ranges, epochs, seeds; and the pixel transforms."""

from __future__ import annotations

import numpy as np
import pytest

from minigen.data import (
    DataLoader,
    MNISTSample,
    RingOfGaussians,
    SwissRoll,
    to_float,
    to_uint8,
)


class Indexed:
    """N tiny images whose labels are their own indices, to track every example."""

    def __init__(self, n: int) -> None:
        rng = np.random.default_rng(0)
        self.images = rng.integers(0, 256, size=(n, 2, 2), dtype=np.uint8)
        self.labels = np.arange(n, dtype=np.int64)


@pytest.fixture(scope="module")
def sample():
    return MNISTSample(train=False)


# -- batches as NumPy arrays ---------------------------------------------------------------


@pytest.mark.parametrize("flatten, shape", [(False, (64, 1, 28, 28)), (True, (64, 784))])
def test_batch_shapes_and_dtypes(sample, flatten, shape):
    loader = DataLoader(sample, 64, flatten=flatten)
    batches = list(loader.numpy_batches())
    assert len(batches) == len(loader) == 27  # ceil(1666 / 64)
    x, y = batches[0]
    assert x.shape == shape and x.dtype == np.float32 and x.flags.c_contiguous
    assert y.shape == (64,) and y.dtype == np.int64
    assert batches[-1][0].shape[0] == 1666 - 26 * 64


@pytest.mark.parametrize("scale, low, high", [("unit", 0.0, 1.0), ("symmetric", -1.0, 1.0)])
def test_value_ranges(sample, scale, low, high):
    xs = np.concatenate([x for x, _ in DataLoader(sample, 500, scale=scale).numpy_batches()])
    assert xs.min() == low and xs.max() == high  # 0 and 255 map exactly to the ends
    expected = sample.images[:, None].astype(np.float64)
    expected = expected / 255 if scale == "unit" else expected / 127.5 - 1
    np.testing.assert_allclose(xs, expected, atol=1e-6)


def test_batches_hold_the_right_examples(sample):
    loader = DataLoader(sample, 100, shuffle=True, seed=3)
    order = loader.order(0)
    x, y = next(loader.numpy_batches())
    np.testing.assert_array_equal(y, sample.labels[order[:100]])
    np.testing.assert_array_equal(x[:, 0], to_float(sample.images[order[:100]]))


@pytest.mark.parametrize("shuffle", [False, True])
def test_every_example_once_per_epoch(shuffle):
    data = Indexed(1000)
    loader = DataLoader(data, 64, shuffle=shuffle, seed=1)
    seen = np.concatenate([y for _, y in loader.numpy_batches()])
    assert np.array_equal(np.sort(seen), np.arange(1000))
    if not shuffle:
        assert np.array_equal(seen, np.arange(1000))


@pytest.mark.parametrize("shuffle", [False, True])
def test_drop_last(shuffle):
    loader = DataLoader(Indexed(1000), 64, shuffle=shuffle, seed=1, drop_last=True)
    batches = [y for _, y in loader.numpy_batches()]
    assert len(loader) == len(batches) == 15
    assert all(len(b) == 64 for b in batches)
    seen = np.concatenate(batches)
    assert len(np.unique(seen)) == 960  # each seen example is seen once


def test_len_and_tiny_datasets():
    assert len(DataLoader(Indexed(10), 3)) == 4
    assert len(DataLoader(Indexed(10), 3, drop_last=True)) == 3
    assert len(DataLoader(Indexed(2), 3, drop_last=True)) == 0
    assert list(DataLoader(Indexed(2), 3, drop_last=True).numpy_batches()) == []


def _orders(loader, epochs):
    return [np.concatenate([y for _, y in loader.numpy_batches(e)]) for e in range(epochs)]


def test_same_seed_same_order_other_seed_or_epoch_other_order():
    a = _orders(DataLoader(Indexed(500), 50, shuffle=True, seed=7), 3)
    b = _orders(DataLoader(Indexed(500), 50, shuffle=True, seed=7), 3)
    c = _orders(DataLoader(Indexed(500), 50, shuffle=True, seed=8), 3)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[1], a[2])


def test_no_seed_still_shuffles_each_epoch():
    loader = DataLoader(Indexed(500), 50, shuffle=True)
    first, second = _orders(loader, 2)
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, np.arange(500))


def test_shuffle_leaves_global_random_state_alone():
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    list(DataLoader(Indexed(100), 10, shuffle=True, seed=1).numpy_batches())
    assert np.random.random() == before


def test_batches_are_fresh_arrays_not_views_of_the_dataset():
    data = Indexed(10)
    data.images = data.images.astype(np.float32)  # float data: cast only, no scaling
    x, y = next(DataLoader(data, 5).numpy_batches())
    x[:] = -7
    y[:] = -7
    assert data.images.min() >= 0 and data.labels.min() == 0


def test_toy_datasets_and_bare_arrays():
    ring = RingOfGaussians(300, seed=1)
    x, y = next(DataLoader(ring, 100, scale="symmetric").numpy_batches())
    assert x.shape == (100, 2) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(x, ring.data[:100])  # floats are not rescaled
    x, y = next(DataLoader(SwissRoll(300), 100).numpy_batches())
    assert x.shape == (100, 2) and y is None
    x, y = next(DataLoader(np.zeros((10, 3), np.float64), 4).numpy_batches())
    assert x.dtype == np.float32 and y is None


def test_generic_sequence_is_stacked_once():
    pairs = [(np.full((2, 2), i, np.uint8), i % 3) for i in range(7)]
    x, y = next(DataLoader(pairs, 7).numpy_batches())
    assert x.shape == (7, 1, 2, 2) and y.tolist() == [0, 1, 2, 0, 1, 2, 0]


def test_dtype_option():
    import minigen

    x, _ = next(DataLoader(Indexed(4), 4, dtype="float64").numpy_batches())
    assert x.dtype == np.float64
    x, _ = next(DataLoader(Indexed(4), 4, dtype=minigen.float64).numpy_batches())
    assert x.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"batch_size": 0}, ValueError),
        ({"batch_size": True}, ValueError),
        ({"batch_size": 4, "scale": "minus-one"}, ValueError),
        ({"batch_size": 4, "seed": -1}, ValueError),
        ({"batch_size": 4, "dtype": "int32"}, TypeError),
    ],
)
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        DataLoader(Indexed(4), **kwargs)


# -- batches as minigen tensors ------------------------------------------------------------


def test_iteration_gives_minigen_tensors_and_advances_epochs(sample):
    import minigen

    loader = DataLoader(sample, 128, shuffle=True, seed=0, scale="symmetric")
    batches = list(loader)
    assert loader.epoch == 1 and len(batches) == len(loader)
    x, y = batches[0]
    assert isinstance(x, minigen.Tensor) and isinstance(y, minigen.Tensor)
    assert x.shape == (128, 1, 28, 28) and x.dtype == minigen.float32
    assert y.shape == (128,) and y.dtype == minigen.int64
    assert str(x.device) == "cpu" and not x.requires_grad
    np.testing.assert_array_equal(x.numpy(), next(loader.numpy_batches(0))[0])
    second = [y.numpy() for _, y in loader]
    assert loader.epoch == 2
    assert not np.array_equal(second[0], batches[0][1].numpy())  # a new epoch, a new order
    loader.set_epoch(0)
    np.testing.assert_array_equal(next(iter(loader))[1].numpy(), batches[0][1].numpy())


def test_unlabelled_data_yields_none_labels():
    x, y = next(iter(DataLoader(SwissRoll(10), 5)))
    assert x.shape == (5, 2) and y is None


def test_explicit_device():
    x, _ = next(iter(DataLoader(Indexed(4), 4, device="cpu", flatten=True)))
    assert x.shape == (4, 4) and str(x.device) == "cpu"


# -- the pixel transforms ------------------------------------------------------------------


@pytest.mark.parametrize("scale", ["unit", "symmetric"])
def test_to_uint8_inverts_to_float(scale):
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    np.testing.assert_array_equal(to_uint8(to_float(pixels, scale), scale), pixels)
    assert to_uint8(np.array([-5.0, 5.0]), scale).tolist() == [0, 255]  # clipped


def test_to_float_refuses_floats():
    with pytest.raises(TypeError):
        to_float(np.zeros(3, np.float32))


def test_manual_seed_fixes_the_unseeded_shuffle_as_in_pytorch():
    """Without seed=, the order is drawn from minigen's generator when the epoch starts."""
    import minigen as mg

    mg.manual_seed(3)
    a = _orders(DataLoader(Indexed(200), 20, shuffle=True), 2)
    mg.manual_seed(3)
    b = _orders(DataLoader(Indexed(200), 20, shuffle=True), 2)
    mg.manual_seed(4)
    c = _orders(DataLoader(Indexed(200), 20, shuffle=True), 1)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[0], c[0])


def test_generator_argument_decides_the_order_alone():
    import minigen as mg

    g1, g2 = mg.Generator().manual_seed(5), mg.Generator().manual_seed(5)
    first = _orders(DataLoader(Indexed(200), 20, shuffle=True, generator=g1), 1)[0]
    mg.randn(10)  # draws from minigen's own generator do not move g2's stream
    second = _orders(DataLoader(Indexed(200), 20, shuffle=True, generator=g2), 1)[0]
    np.testing.assert_array_equal(first, second)
