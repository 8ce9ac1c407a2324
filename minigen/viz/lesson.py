"""What the walkthroughs share: where their figures go, and figures that need no display.

Each lesson writes its figures to ``$MINIGEN_FIGURES``, else to ``figures/`` beside the lesson
(``walkthroughs/figures/``, git-ignored), and shows them inline when it runs in Jupyter.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


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
