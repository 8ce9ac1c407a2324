"""Warnings that teach: what went wrong in a run, in words, when it happens.

- A loss is NaN or Inf: training diverged (the step is named; the run stops).
- D overpowers G: D(G(z)) near 0 (D rejects every fake) while G's gradient norm collapses,
  the vanishing-gradient failure of the saturating loss.
- Mode collapse: the number of classes the generator's samples cover falls.
"""

from __future__ import annotations

import math

#: D(G(z)) below this means D rejects essentially every fake.
D_FAKE_FLOOR = 0.05
#: G's gradient norm below this fraction of its largest block mean counts as collapsed.
G_GRAD_COLLAPSE = 0.1
#: A class counts as covered when it holds at least this fraction of the samples.
COVERAGE_SHARE = 0.02


class TrainingDiverged(RuntimeError):
    """A loss became NaN or Inf; the message names the step and what to try."""


def check_finite(rows: list[dict[str, float]], loss_keys: tuple[str, ...]) -> None:
    """Raise :class:`TrainingDiverged` at the first row whose loss is NaN or Inf."""
    for row in rows:
        for key in loss_keys:
            value = row.get(key)
            if value is not None and not math.isfinite(value):
                raise TrainingDiverged(
                    f"step {int(row['step'])}: {key} is {value} - training diverged. "
                    "Try a smaller --lr; the last checkpoint (before this) is intact."
                )


class TeachingWarnings:
    """Watches the metrics of a GAN run block by block and says when a lesson happens."""

    def __init__(self) -> None:
        self.max_g_norm = 0.0
        self.best_coverage = 0
        self.warned_d_wins = False

    def check_block(self, rows: list[dict[str, float]]) -> list[str]:
        """Warnings for one logged block of GAN steps (empty when all is well)."""
        if not rows or "d_fake" not in rows[0]:
            return []
        d_fake = sum(r["d_fake"] for r in rows) / len(rows)
        g_norm = sum(r["grad_norm_g"] for r in rows) / len(rows)
        self.max_g_norm = max(self.max_g_norm, g_norm)
        collapsed = g_norm < G_GRAD_COLLAPSE * self.max_g_norm
        if d_fake < D_FAKE_FLOOR and collapsed:
            if self.warned_d_wins:
                return []
            self.warned_d_wins = True
            return [
                f"step {int(rows[-1]['step'])}: D overpowers G - D(G(z)) = {d_fake:.3f} and "
                f"G's gradient norm fell to {g_norm:.2g} (from {self.max_g_norm:.2g}). "
                "G gets almost no signal: use the non-saturating loss, label smoothing, "
                "or fewer D steps."
            ]
        self.warned_d_wins = False
        return []

    def check_coverage(self, epoch: int, covered: int, num_classes: int) -> list[str]:
        """Warn when the classes covered by the samples drop (mode collapse)."""
        warnings = []
        if covered < self.best_coverage:
            warnings.append(
                f"epoch {epoch}: mode collapse? the samples now cover {covered} of "
                f"{num_classes} classes (there were {self.best_coverage}). G is putting "
                "its samples on fewer kinds of image."
            )
        self.best_coverage = max(self.best_coverage, covered)
        return warnings
