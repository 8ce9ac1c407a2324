"""What the walkthroughs share: where their figures go, figures that need no display, and how
they draw a batch of images.

Each lesson writes its figures to ``$MINIGEN_FIGURES``, else to ``figures/`` beside the lesson
(``walkthroughs/figures/``, git-ignored), and shows them inline when it runs in Jupyter.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

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
