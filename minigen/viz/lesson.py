"""What the walkthroughs share: where their figures go, figures that need no display, how
they draw a batch of images, and how an "implement it" exercise is checked.

Each lesson writes its figures to ``$MINIGEN_FIGURES``, else to ``figures/`` beside the lesson
(``walkthroughs/figures/``, git-ignored), and shows them inline when it runs in Jupyter.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from minigen.viz.grid import image_grid


def figures_folder(lesson_file: str | None = None) -> Path:
    """``$MINIGEN_FIGURES``, else ``figures/`` beside the lesson, created if needed.

    ``lesson_file`` is the lesson's ``__file__``; a notebook has none, and Jupyter starts in
    the notebook's own folder, so the current folder stands in for it.
    """
    here = Path(lesson_file).resolve().parent if lesson_file else Path.cwd()
    folder = Path(os.environ.get("MINIGEN_FIGURES", here / "figures"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    """A matplotlib Figure drawn by the Agg backend: no display, no global pyplot state."""
    fig = Figure(figsize=(width, height), layout=layout)
    FigureCanvasAgg(fig)
    return fig


def show_file(path: Path) -> Path:
    """Say where a figure went, and show it when running inside Jupyter."""
    print(f"figure written: {path}")
    if "ipykernel" in sys.modules:
        from IPython.display import Image, display

        display(Image(filename=str(path)))
    return path


def figure_saver(folder: Path) -> Callable[[Figure, str], Path]:
    """``save(fig, name)``: write ``fig`` to ``folder/name`` and show it."""

    def save(fig: Figure, name: str) -> Path:
        path = folder / name
        fig.savefig(path, dpi=110, bbox_inches="tight")
        return show_file(path)

    return save


def show_images(
    ax: Axes, images: np.ndarray, nrow: int, title: str | None = None,
    value_range: tuple[float, float] = (0.0, 1.0),
) -> None:
    """Images (N, 1, H, W) tiled ``nrow`` to a row on ``ax``, black ink on white.

    ``value_range`` is the images' (low, high): (0, 1) for pixels, (-1, 1) for the output of a
    generator that ends in tanh.
    """
    low, high = value_range
    unit = (np.asarray(images) - low) / (high - low)
    ax.imshow(image_grid(1 - unit, nrow), cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)


def relative_error(yours: Any, reference: Any) -> float:
    """The largest elementwise ``|a - b| / max(|a| + |b|, 1e-8)``: cs231n's check of a gradient.

    About 1e-16 when both sides do the same arithmetic in float64, 1e-10 to 1e-7 against a
    central difference, 1e-7 to 1e-6 in float32; above 1e-3 a gradient is simply wrong.
    """
    a = np.asarray(yours, dtype=np.float64)
    b = np.asarray(reference, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: your array has shape {a.shape}, the reference {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def check_exercise(
    name: str, compare: Callable[[], Mapping[str, tuple[Any, Any]]], expected: float
) -> bool | None:
    """Run an exercise's check and print one relative error per result, with the verdict.

    ``compare()`` calls the student's code and returns ``{label: (theirs, reference)}``. It
    may raise ``NotImplementedError`` (the skeleton's ``raise``): then the check says so and
    returns None, so that a lesson whose exercises are not done yet still runs to the end.
    Returns True when every relative error is at most ``expected``, else False.
    """
    try:
        pairs = compare()
    except NotImplementedError:
        print(f"{name}: not implemented yet. Fill in the cell above, run it, then run this one.")
        return None
    worst = 0.0
    for label, (yours, reference) in pairs.items():
        error = relative_error(yours, reference)
        worst = max(worst, error)
        print(f"  {label:28s} relative error {error:.1e}")
    verdict = "correct" if worst <= expected else "not correct yet"
    print(f"{name}: largest relative error {worst:.1e}, expected {expected:.0e} or less: {verdict}")
    return worst <= expected
