"""Toy 2-D data: the ring of Gaussians, the Swiss roll and the mode-coverage measure."""

from __future__ import annotations

import numpy as np
import pytest

from minigen.data import (
    RingOfGaussians,
    SwissRoll,
    mode_coverage,
    ring_centers,
    ring_of_gaussians,
    swiss_roll,
)


def test_ring_shapes_dtypes_and_seed():
    points, mode = ring_of_gaussians(1000, seed=0)
    assert points.shape == (1000, 2) and points.dtype == np.float32
    assert mode.shape == (1000,) and mode.dtype == np.int64
    assert set(mode.tolist()) == set(range(8))
    again, _ = ring_of_gaussians(1000, seed=0)
    np.testing.assert_array_equal(points, again)
    other, _ = ring_of_gaussians(1000, seed=1)
    assert not np.array_equal(points, other)


def test_ring_points_sit_at_their_mode():
    points, mode = ring_of_gaussians(2000, modes=6, radius=3.0, std=0.05, seed=2)
    centers = ring_centers(6, 3.0)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 3.0, rtol=1e-6)
    offsets = points - centers[mode]
    assert abs(offsets.std() - 0.05) < 0.005
    assert np.abs(offsets).max() < 0.05 * 6


def test_coverage_of_real_samples_is_complete():
    points, _ = ring_of_gaussians(2000, seed=3)
    coverage = mode_coverage(points)
    assert coverage.n_covered == 8 and coverage.covered.all()
    assert coverage.high_quality > 0.97  # 1 - exp(-9/2) = 98.9% of a 2-D Gaussian lies within 3 std
    assert coverage.counts.sum() == round(coverage.high_quality * 2000)
    assert str(coverage).startswith("8/8 modes covered")


def test_coverage_detects_mode_collapse():
    points, mode = ring_of_gaussians(2000, seed=4)
    collapsed = points[mode == 2]  # a generator that only makes mode 2
    coverage = mode_coverage(collapsed)
    assert coverage.n_covered == 1 and coverage.covered.tolist() == [k == 2 for k in range(8)]
    blurry = np.zeros((100, 2))  # all samples at the centre: no mode, no quality
    assert mode_coverage(blurry).n_covered == 0 and mode_coverage(blurry).high_quality == 0.0


def test_coverage_min_count_and_tensor_input():
    import minigen

    points, mode = ring_of_gaussians(500, seed=5)
    few = np.concatenate([points[mode == 0], points[mode == 1][:2]])
    assert mode_coverage(few).n_covered == 2
    assert mode_coverage(few, min_count=5).n_covered == 1
    assert mode_coverage(minigen.tensor(few)).n_covered == 2
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        mode_coverage(np.zeros((4, 3)))


def test_ring_dataset():
    ring = RingOfGaussians(100, seed=0)
    assert len(ring) == 100 and ring.data.shape == (100, 2) and ring.labels.shape == (100,)
    point, label = ring[3]
    assert point.shape == (2,) and label == ring.labels[3]
    assert ring.coverage(ring.data).n_covered == 8
    np.testing.assert_array_equal(RingOfGaussians(100, seed=0).data, ring.data)


def test_swiss_roll():
    points = swiss_roll(3000, seed=0)
    assert points.shape == (3000, 2) and points.dtype == np.float32
    np.testing.assert_array_equal(points, swiss_roll(3000, seed=0))
    radius = np.linalg.norm(swiss_roll(3000, noise=0.0, seed=0), axis=1)
    # Noise-free points lie on the spiral r = t / 5, t in [1.5 pi, 4.5 pi].
    assert radius.min() >= 1.5 * np.pi / 5 - 1e-5 and radius.max() <= 4.5 * np.pi / 5 + 1e-5
    roll = SwissRoll(50, seed=1)
    assert len(roll) == 50 and roll.labels is None and roll[0].shape == (2,)
