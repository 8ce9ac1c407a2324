"""Loss curves from a run's metrics.csv: the losses, D's verdicts and the gradient norms."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from minigen.viz.figure import new_figure, save_figure

#: Panels, each a title and the columns it plots (those present in the CSV).
PANELS = (
    ("loss (nats per image for VAEs)", ("loss", "recon", "kl", "loss_d", "loss_g")),
    ("D's mean verdicts: D(x) real, D(G(z)) fake", ("d_real", "d_fake")),
    ("classifier accuracy", ("accuracy",)),
    ("gradient norms", ("grad_norm", "grad_norm_d", "grad_norm_g")),
)


def smooth(values: np.ndarray, window: int) -> np.ndarray:
    """A moving average over ``window`` steps (the curves are noisy step to step)."""
    if window <= 1 or len(values) < window:
        return values
    kernel = np.ones(window) / window
    return np.convolve(values, kernel, mode="valid")


def plot_loss_curves(metrics: dict[str, np.ndarray], path: str | os.PathLike) -> Path:
    """One PNG with a panel per kind of curve found in ``metrics`` (columns of metrics.csv)."""
    panels = [(t, [c for c in cols if c in metrics]) for t, cols in PANELS]
    panels = [(t, cols) for t, cols in panels if cols]
    fig = new_figure(7, 2.4 * max(1, len(panels)))
    steps = metrics.get("step", np.arange(1))
    window = max(1, len(steps) // 100)
    for i, (title, cols) in enumerate(panels):
        ax = fig.add_subplot(len(panels), 1, i + 1)
        for col in cols:
            y = smooth(metrics[col], window)
            ax.plot(steps[len(steps) - len(y) :], y, label=col, linewidth=1)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
        if "norm" in title:
            ax.set_yscale("log")
    fig.tight_layout()
    return save_figure(fig, path)
