"""``MetricsLog``: per-step metrics kept on the device, written to ``metrics.csv`` in blocks.

Each step's metrics are device tensors. Reading one on the host (``.item()``) would make
the CPU wait for the GPU at every step; instead they are kept as they are and, every
``log_every`` steps, stacked and copied to the host together: one wait per block.
Each row of metrics.csv is still one step.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

import minigen as mg


class MetricsLog:
    """Collect ``add(step, epoch, metrics)`` and append rows to ``path`` on ``flush()``.

    A metric may be a 0-d tensor, a Python number, or a 1-d tensor (e.g. the KL of each
    latent dimension), which becomes columns ``name_0``, ``name_1``, ...
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.pending: list[tuple[int, int, dict[str, Any]]] = []
        self.columns: list[str] | None = _read_header(self.path)

    def add(self, step: int, epoch: int, metrics: dict[str, Any]) -> None:
        self.pending.append((step, epoch, metrics))

    def flush(self) -> list[dict[str, float]]:
        """Copy the pending metrics to the host, append them to the CSV, return the rows."""
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
        self._append(rows)
        return rows

    def _append(self, rows: list[dict[str, float]]) -> None:
        new_file = self.columns is None
        if new_file:
            self.columns = list(rows[0])
        with open(self.path, "a", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.columns, extrasaction="ignore")
            if new_file:
                writer.writeheader()
            writer.writerows({k: _fmt(v) for k, v in r.items()} for r in rows)

    def truncate_after(self, step: int) -> None:
        """Drop rows past ``step`` (written after the checkpoint a run resumes from)."""
        if not self.path.exists():
            return
        with open(self.path, newline="") as f:
            rows = [r for r in csv.DictReader(f) if int(r["step"]) <= step]
        with open(self.path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=self.columns or [])
            writer.writeheader()
            writer.writerows(rows)


def read_metrics(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """metrics.csv as columns of floats (for the loss curves and for tests)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    return {key: np.array([float(r[key]) for r in rows]) for key in rows[0]}


def _read_header(path: Path) -> list[str] | None:
    if not path.exists() or path.stat().st_size == 0:
        return None
    with open(path, newline="") as f:
        return next(csv.reader(f), None)


def _fmt(value: float) -> str:
    if isinstance(value, int) or (math.isfinite(value) and float(value).is_integer()):
        return str(int(value))
    return f"{value:.6g}"
