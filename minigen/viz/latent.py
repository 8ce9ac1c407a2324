"""Pictures of a latent space: codes coloured by label, the decoded manifold, interpolations."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from minigen.viz.figure import new_figure, save_figure
from minigen.viz.grid import save_grid, to_host_images

Decode = Callable[[np.ndarray], np.ndarray]  # codes (N, D) -> images (N, 1, 28, 28) in [0, 1]


def plot_latent_space(
    codes: Any, labels: Any, path: str | os.PathLike, class_names: Sequence[str] | None = None
) -> Path:
    """Scatter of 2-D codes (N, 2), one colour per label: which classes the VAE keeps apart."""
    codes = np.asarray(codes)
    labels = np.asarray(labels)
    fig = new_figure(6, 5)
    ax = fig.add_subplot(1, 1, 1)
    points = ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=3, vmin=-0.5,
                        vmax=9.5)
    cbar = fig.colorbar(points, ax=ax, ticks=range(10))
    if class_names is not None:
        cbar.ax.set_yticklabels(list(class_names)[:10], fontsize=7)
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    ax.set_title("latent means of test images, coloured by label", fontsize=9)
    return save_figure(fig, path)


def manifold_codes(n: int = 20, limit: float = 2.5) -> np.ndarray:
    """An n x n grid of 2-D codes spanning [-limit, limit]^2 (rows: z[1] high to low)."""
    values = np.linspace(-limit, limit, n, dtype=np.float32)
    zx, zy = np.meshgrid(values, values[::-1])
    return np.stack([zx.ravel(), zy.ravel()], axis=1)


def plot_manifold(decode: Decode, path: str | os.PathLike, n: int = 20) -> Path:
    """The decoder's images over a grid of 2-D codes: how the images morph across the space."""
    return save_grid(decode(manifold_codes(n)), path, nrow=n, title="decoded 2-D latent grid")


def interpolate(z_a: np.ndarray, z_b: np.ndarray, steps: int = 10) -> np.ndarray:
    """``steps`` codes on the straight line from ``z_a`` to ``z_b`` (both ends included)."""
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return (1 - t) * z_a[None, :] + t * z_b[None, :]


def plot_interpolations(
    decode: Decode, pairs: Sequence[tuple[np.ndarray, np.ndarray]], path: str | os.PathLike,
    steps: int = 10,
) -> Path:
    """One row per pair of codes: the images decoded along the line between them."""
    codes = np.concatenate([interpolate(a, b, steps) for a, b in pairs])
    return save_grid(decode(codes), path, nrow=steps, title="latent interpolations")


def plot_reconstructions(inputs: Any, outputs: Any, path: str | os.PathLike) -> Path:
    """Inputs (top of each pair of rows) over their reconstructions (below)."""
    a, b = to_host_images(inputs), to_host_images(outputs)
    per_row = min(16, len(a))
    rows = []
    for start in range(0, len(a), per_row):
        rows += [a[start : start + per_row], b[start : start + per_row]]
    stacked = np.concatenate(rows)
    return save_grid(stacked, path, nrow=per_row, title="inputs (odd rows) / reconstructions")
