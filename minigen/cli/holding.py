"""Commands that may write into a run folder (``sample --out``, ``export``) hold its lock while
they do, as ``train`` and ``eval`` do: one process writes a run folder at a time."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def holding_run(run: str | os.PathLike, targets: Iterable[str | os.PathLike | None],
                command: str) -> contextlib.AbstractContextManager[Any]:
    """The lock of run folder ``run`` when one of ``targets`` lies inside it, else nothing."""
    from minigen.folder_lock import lock_folder

    folder = Path(run).resolve()
    inside = folder.is_dir() and any(
        Path(t).resolve().parent.is_relative_to(folder) for t in targets if t)
    return lock_folder(folder, command, create=False) if inside else contextlib.nullcontext()
