"""Image grids: many small images tiled into one picture."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from minigen.viz.figure import new_figure, save_figure


def to_host_images(images: Any) -> np.ndarray:
    """(N, 1, H, W) or (N, H, W) images (tensor or array, values in [0, 1]) as a float32
    (N, H, W) NumPy array, clipped to [0, 1]."""
    if hasattr(images, "numpy"):
        images = images.numpy()
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 4:
        images = images[:, 0]
    return np.clip(images, 0.0, 1.0)


def image_grid(images: Any, nrow: int | None = None, pad: int = 2) -> np.ndarray:
    """Tile images (values in [0, 1]) into one (H', W') array, ``nrow`` images per row
    (default: a square), separated by ``pad`` pixels of white."""
    images = to_host_images(images)
    n, h, w = images.shape
    ncol = nrow or max(1, math.ceil(math.sqrt(n)))
    nrows = math.ceil(n / ncol)
    grid = np.ones((nrows * (h + pad) + pad, ncol * (w + pad) + pad), dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, ncol)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        grid[top : top + h, left : left + w] = images[i]
    return grid


def save_grid(
    images: Any, path: str | os.PathLike, nrow: int | None = None, title: str | None = None
) -> Path:
    """Save a grid of ``images`` (values in [0, 1]) as a PNG, white background, black ink
    reversed (pixels shown as they are: 0 black, 1 white)."""
    grid = image_grid(images, nrow)
    scale = 0.02  # inches per pixel: a 28-pixel image is about half an inch
    fig = new_figure(max(2.0, grid.shape[1] * scale), max(2.0, grid.shape[0] * scale) + 0.3)
    ax = fig.add_axes((0, 0, 1, 0.93 if title else 1))
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    if title:
        fig.suptitle(title, fontsize=9)
    return save_figure(fig, path)
