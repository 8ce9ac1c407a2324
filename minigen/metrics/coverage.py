"""Class coverage: which classes a generator's samples fall into, per a trained classifier.

A generator with mode collapse draws few kinds of image: its samples pile up in a few
classes. Coverage counts the classes holding at least 2% of the samples, and the entropy of
the class histogram (ln 10 = 2.303 nats for a perfectly even spread over 10 classes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Coverage:
    """``counts`` per class; ``covered`` classes with at least ``share`` of the samples;
    ``entropy`` of the class histogram in nats."""

    counts: np.ndarray
    covered: int
    entropy: float
    share: float

    def __str__(self) -> str:
        return (
            f"{self.covered}/{len(self.counts)} classes with >= {100 * self.share:.0f}% of "
            f"samples, histogram entropy {self.entropy:.3f} nats "
            f"(max {np.log(len(self.counts)):.3f})"
        )


def class_coverage(predictions: np.ndarray, num_classes: int = 10, share: float = 0.02) -> Coverage:
    """Coverage of the predicted classes (N,) of N samples."""
    counts = np.bincount(np.asarray(predictions, dtype=np.int64), minlength=num_classes)
    p = counts / max(1, counts.sum())
    nonzero = p[p > 0]
    entropy = float(-(nonzero * np.log(nonzero)).sum()) + 0.0  # + 0.0: no "-0.0"
    return Coverage(counts, int((p >= share).sum()), entropy, share)
