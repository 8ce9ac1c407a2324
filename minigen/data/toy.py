"""2-D toy data for GAN lessons: a ring of Gaussians and a Swiss roll, made on the fly.

A GAN trains on them in seconds, and a scatter plot shows at a glance what it learned.
The ring is the classic picture of mode collapse: :func:`mode_coverage` counts which of
its modes the generator's samples cover, and how many samples are good ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


def ring_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The (modes, 2) float32 centres, evenly spaced on a circle, mode 0 at angle 0."""
    angles = 2 * np.pi * np.arange(modes) / modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def ring_of_gaussians(
    n: int, modes: int = 8, radius: float = 2.0, std: float = 0.02, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points from a mixture of ``modes`` equal Gaussians (std ``std``) on a circle.

    Returns ``(points, mode)``: (n, 2) float32 and the (n,) int64 index of the Gaussian
    each point came from. The defaults (8 modes, radius 2, std 0.02) are the usual
    mode-collapse benchmark.
    """
    rng = np.random.default_rng(seed)
    mode = rng.integers(0, modes, size=n).astype(np.int64)
    points = ring_centers(modes, radius)[mode] + std * rng.standard_normal((n, 2))
    return points.astype(np.float32), mode


def swiss_roll(n: int, noise: float = 0.05, seed: int | None = None) -> np.ndarray:
    """``n`` points on a 2-D Swiss roll (a spiral of 1.5 turns), (n, 2) float32.

    The spiral ``t (cos t, sin t) / 5`` for ``t`` uniform in [1.5 pi, 4.5 pi], so the points
    lie within about [-2.8, 2.8] (the ring's scale), plus Gaussian noise of std ``noise``.
    """
    rng = np.random.default_rng(seed)
    t = 1.5 * np.pi * (1 + 2 * rng.random(n))
    points = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / 5.0
    points += noise * rng.standard_normal((n, 2))
    return points.astype(np.float32)


@dataclass(frozen=True)
class ModeCoverage:
    """What :func:`mode_coverage` found.

    - ``counts``: (modes,) number of high-quality samples nearest each mode;
    - ``covered``: (modes,) bool, ``counts >= min_count``;
    - ``n_covered``: how many modes are covered (8 of 8: no mode collapse);
    - ``high_quality``: fraction of all samples within ``threshold`` std of a mode centre.
    """

    counts: np.ndarray
    covered: np.ndarray
    n_covered: int
    high_quality: float

    def __str__(self) -> str:
        return (
            f"{self.n_covered}/{len(self.covered)} modes covered, "
            f"{100 * self.high_quality:.1f}% high-quality samples"
        )


def mode_coverage(
    points: Any,
    modes: int = 8,
    radius: float = 2.0,
    std: float = 0.02,
    threshold: float = 3.0,
    min_count: int = 1,
) -> ModeCoverage:
    """Which modes of the ring generated ``points`` fall near.

    A sample is high-quality when it lies within ``threshold`` standard deviations of its
    nearest mode centre; a mode is covered when at least ``min_count`` high-quality samples
    are nearest to it. ``points``: (N, 2) NumPy array or minigen tensor (any device).
    """
    if hasattr(points, "numpy"):
        points = points.numpy()
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), not {points.shape}")
    centers = ring_centers(modes, radius).astype(np.float64)
    distances = np.linalg.norm(points[:, None, :] - centers[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    good = distances[np.arange(len(points)), nearest] <= threshold * std
    counts = np.bincount(nearest[good], minlength=modes)
    covered = counts >= min_count
    high_quality = float(good.mean()) if len(points) else 0.0
    return ModeCoverage(counts, covered, int(covered.sum()), high_quality)


class RingOfGaussians:
    """:func:`ring_of_gaussians` as a dataset: ``.data`` (n, 2) float32 points, ``.labels``
    (n,) int64 mode indices, ``.centers``; ``ds[i]`` is ``(point, mode)``. For DataLoader."""

    def __init__(
        self, n: int, modes: int = 8, radius: float = 2.0, std: float = 0.02, seed: int | None = 0
    ) -> None:
        self.modes, self.radius, self.std = modes, radius, std
        self.data, self.labels = ring_of_gaussians(n, modes, radius, std, seed)
        self.centers = ring_centers(modes, radius)
        self.classes = tuple(f"mode {k}" for k in range(modes))

    def coverage(self, points: Any, **kwargs: Any) -> ModeCoverage:
        """:func:`mode_coverage` of generated ``points`` against this ring."""
        return mode_coverage(points, self.modes, self.radius, self.std, **kwargs)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        i = index.__index__()
        return self.data[i], int(self.labels[i])

    def __repr__(self) -> str:
        return f"RingOfGaussians({len(self)} points, {self.modes} modes, radius {self.radius})"


class SwissRoll:
    """:func:`swiss_roll` as a dataset: ``.data`` (n, 2) float32, no labels (``.labels`` is
    None); ``ds[i]`` is a point. For DataLoader."""

    labels = None

    def __init__(self, n: int, noise: float = 0.05, seed: int | None = 0) -> None:
        self.noise = noise
        self.data = swiss_roll(n, noise, seed)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> np.ndarray:
        return self.data[index.__index__()]

    def __repr__(self) -> str:
        return f"SwissRoll({len(self)} points, noise {self.noise})"
