"""``MetricsLog``: per-step metrics kept on the device, written to ``metrics.csv`` in blocks.

Each step's metrics are device tensors. Reading one on the host (``.item()``) would make
the CPU wait for the GPU at every step; instead they are kept as they are and, every
``log_every`` steps, stacked and copied to the host together: one wait per block.
Each row of metrics.csv is still one step.

The history only grows (:class:`CSVHistory`): rows are appended, never rewritten. A run killed
after its last checkpoint leaves rows past it; the resumed run writes those steps again after
them, and readers (:func:`read_metrics`) keep the later rows: a row whose step is not after the
previous row's starts a resumed stretch that supersedes the rows from that step on. The only
bytes ever removed are a partial last row (a kill or a full disk in the middle of a write),
which the next writer drops with a one-line notice.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import minigen as mg
from minigen.errors import os_errors_name


class CSVHistory:
    """An append-only CSV file: ``columns`` (its header), ``rows`` (its complete rows).

    Opening it drops a partial last row, with ``notice(message)``.
    """

    def __init__(self, path: str | os.PathLike, notice: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.columns: list[str] | None = None
        self.rows = 0
        if not self.path.exists():
            return
        with os_errors_name(self.path):
            data = self.path.read_bytes()
            complete = data.rfind(b"\n") + 1
            if complete < len(data):
                os.truncate(self.path, complete)
                if notice is not None:
                    notice(f"{self.path}: dropped a partial last row ({len(data) - complete} "
                           "bytes, from a write that was killed or ran out of space)")
        lines = data[:complete].decode("utf-8", "replace").splitlines()
        if lines:
            self.columns = next(csv.reader([lines[0]]))
            self.rows = len(lines) - 1

    def append(self, rows: list[dict[str, Any]], sync: bool = False) -> None:
        """Append ``rows`` (the first ever also writes the header from its keys)."""
        if not rows:
            return
        text = io.StringIO()
        header = self.columns is None
        if header:
            self.columns = list(rows[0])
        writer = csv.DictWriter(text, fieldnames=self.columns, extrasaction="ignore",
                                lineterminator="\n")
        if header:
            writer.writeheader()
        writer.writerows({k: _fmt(v) for k, v in r.items()} for r in rows)
        with os_errors_name(self.path), open(self.path, "a", newline="") as f:
            f.write(text.getvalue())  # one write: a kill leaves at most one partial row
            if sync:
                f.flush()
                os.fsync(f.fileno())
        self.rows += len(rows)


class MetricsLog:
    """Collect ``add(step, epoch, metrics)`` and append rows to ``path`` on ``flush()``.

    A metric may be a 0-d tensor, a Python number, or a 1-d tensor (e.g. the KL of each
    latent dimension), which becomes columns ``name_0``, ``name_1``, ...
    ``rows`` counts the rows in the file (the checkpoint records how many it covers).
    """

    def __init__(self, path: str | os.PathLike, notice: Callable[[str], None] | None = None) -> None:
        self.history = CSVHistory(path, notice)
        self.path = self.history.path
        self.pending: list[tuple[int, int, dict[str, Any]]] = []

    @property
    def rows(self) -> int:
        return self.history.rows

    def add(self, step: int, epoch: int, metrics: dict[str, Any]) -> None:
        self.pending.append((step, epoch, metrics))

    def flush(self, sync: bool = False) -> list[dict[str, float]]:
        """Copy the pending metrics to the host, append them to the CSV, return the rows.

        ``sync`` makes them durable (fsync) before a checkpoint that counts them is saved."""
        if not self.pending:
            return []
        keys = list(self.pending[0][2])
        host: dict[str, np.ndarray] = {}
        for key in keys:
            values = [m[key] for _, _, m in self.pending]
            if isinstance(values[0], mg.Tensor):
                host[key] = mg.stack(values).numpy().astype(np.float64)  # one copy per key
            else:
                host[key] = np.asarray(values, dtype=np.float64)
        rows = []
        for i, (step, epoch, _) in enumerate(self.pending):
            row: dict[str, float] = {"step": step, "epoch": epoch}
            for key in keys:
                value = host[key][i]
                if np.ndim(value) == 0:
                    row[key] = float(value)
                else:
                    row.update({f"{key}_{j}": float(v) for j, v in enumerate(value)})
            rows.append(row)
        self.pending = []
        self.history.append(rows, sync)
        return rows


def read_metrics(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """metrics.csv as columns of floats: the run's history as if it had never stopped.

    Rows superseded by a resumed run (written after the checkpoint it resumed from) are left
    out, and so are a partial last row and rows that do not parse.
    """
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")[:-1]  # the part after the last newline is a partial row
    table = list(csv.reader(lines))
    if len(table) < 2:
        return {}
    header = table[0]
    step = header.index("step")
    kept: list[list[float]] = []
    for row in table[1:]:
        if len(row) != len(header):
            continue
        try:
            values = [float(v) if v else math.nan for v in row]
        except ValueError:
            continue
        while kept and kept[-1][step] >= values[step]:
            kept.pop()  # written after the checkpoint this stretch resumed from
        kept.append(values)
    return {key: np.array([r[i] for r in kept]) for i, key in enumerate(header)}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if math.isfinite(value) and value.is_integer() else f"{value:.6g}"
    return str(value)
