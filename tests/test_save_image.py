"""make_grid and save_image: torchvision.utils' layout, normalisation and pixels, as PNG."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.image import imread

import minigen as mg
from minigen.viz import make_grid, save_image


def torchvision_grid(images, nrow=8, padding=2, pad_value=0.0):
    """torchvision's make_grid for (B, 3, H, W) images, written out with explicit loops."""
    b, c, h, w = images.shape
    cols = min(nrow, b)
    rows = math.ceil(b / cols)
    grid = np.full((c, rows * (h + padding) + padding, cols * (w + padding) + padding), pad_value,
                   np.float32)
    for k in range(b):
        r, q = k // cols, k % cols
        for y in range(h):
            for x in range(w):
                grid[:, padding + r * (h + padding) + y, padding + q * (w + padding) + x] = (
                    images[k, :, y, x])
    return grid


def test_grid_layout_and_gray_to_rgb():
    rng = np.random.default_rng(0)
    images = rng.random((10, 1, 5, 4)).astype(np.float32)
    grid = make_grid(mg.tensor(images), nrow=4, padding=3, pad_value=0.5)
    assert isinstance(grid, mg.Tensor) and grid.shape == (3, 3 * 8 + 3, 4 * 7 + 3)
    want = torchvision_grid(np.repeat(images, 3, axis=1), nrow=4, padding=3, pad_value=0.5)
    np.testing.assert_array_equal(grid.numpy(), want)


def test_one_image_has_no_padding_as_in_torchvision():
    image = np.random.default_rng(1).random((1, 1, 6, 6)).astype(np.float32)
    grid = make_grid(image)
    assert grid.shape == (3, 6, 6)
    np.testing.assert_array_equal(grid[0], image[0, 0])


def test_normalize_maps_the_batch_range_or_value_range_to_unit():
    x = np.linspace(-1, 1, 2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4)
    grid = make_grid(x, normalize=True, padding=0)
    np.testing.assert_allclose(grid.min(), 0.0) and np.testing.assert_allclose(grid.max(), 1.0)
    np.testing.assert_allclose(grid, torchvision_grid((x + 1) / 2, padding=0), atol=1e-7)
    clamped = make_grid(x, normalize=True, value_range=(0.0, 0.5), padding=0)
    want = (np.clip(x, 0.0, 0.5) - 0.0) / 0.5
    np.testing.assert_allclose(clamped, torchvision_grid(want, padding=0), atol=1e-7)
    np.testing.assert_array_equal(x[0, 0, 0, 0], -1.0)  # the input is left alone


def test_scale_each_normalises_images_apart():
    x = np.stack([np.full((3, 2, 2), 0.0), np.full((3, 2, 2), 10.0)]).astype(np.float32)
    x[0, 0, 0, 0], x[1, 0, 0, 0] = 1.0, 20.0
    grid = make_grid(x, normalize=True, scale_each=True, padding=0)
    assert grid[0, 0, 0] == 1.0 and grid[0, 0, 2] == 1.0 and grid[0, 1, 1] == 0.0


def test_value_range_must_be_a_tuple():
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(np.zeros((2, 1, 2, 2), np.float32), normalize=True, value_range=[0, 1])


def test_save_image_writes_torchvisions_pixels_as_png(tmp_path):
    rng = np.random.default_rng(2)
    samples = rng.uniform(-1, 1, (6, 1, 7, 7)).astype(np.float32)
    path = tmp_path / "out" / "samples.png"
    save_image(mg.tensor(samples), path, nrow=3, normalize=True, value_range=(-1, 1))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    grid = torchvision_grid(np.repeat((np.clip(samples, -1, 1) + 1) / 2, 3, axis=1), nrow=3)
    want = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    read = imread(path)  # floats in [0, 1]
    assert read.shape[:2] == want.shape[:2]
    np.testing.assert_array_equal(np.rint(read[..., :3] * 255).astype(np.uint8), want)


def test_save_image_of_a_list_of_images(tmp_path):
    images = [mg.rand(3, 4, 4) for _ in range(3)]
    save_image(images, tmp_path / "list.png")
    assert imread(tmp_path / "list.png").shape[:2] == (8, 20)
