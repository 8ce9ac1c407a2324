"""Run the rows on each device (and in PyTorch when asked), interleaved, and collect results."""

from __future__ import annotations

import math
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np

import minigen as mg
from minigen.backend import cuda
from minigen.bench import rows as R
from minigen.bench import torch_rows  # PyTorch itself is imported only when a row needs it
from minigen.bench.timer import Candidate, Timing, interleaved, measure

#: Copies have no meaning on the CPU (there is nothing to copy to): only a GPU gets those rows.
GPU_ONLY = R.COPIES


@dataclass(frozen=True)
class Settings:
    """How hard to measure: rounds x repeats timed runs per row, after ``warmup`` untimed ones.

    Calls shorter than ``min_seconds`` are repeated ``number`` times per clock read.
    """

    rounds: int
    repeats: int
    warmup: int
    min_seconds: float

    @classmethod
    def for_mode(cls, quick: bool) -> Settings:
        return cls(2, 2, 1, 0.002) if quick else cls(3, 5, 3, 0.02)


@dataclass(frozen=True)
class Result:
    """One row timed on one device by one engine ("minigen" or "torch")."""

    spec: R.RowSpec
    device: str
    engine: str
    timing: Timing

    @property
    def throughput(self) -> float:
        return self.spec.throughput(self.timing.median)


# -- what machine this is -------------------------------------------------------------------------
def blas_description() -> str:
    """The BLAS library NumPy calls and the kernel it picked for this CPU."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # NumPy's build information names the library but not the kernel
        blas = np.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {})
        return (f"{blas.get('name', '?')} {blas.get('version', '')} (install threadpoolctl to "
                "see the kernel in use, or run python -c 'import numpy; numpy.show_runtime()')")
    infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return "; ".join(
        f"{i.get('internal_api')} {i.get('version')}, kernel {i.get('architecture')}, "
        f"{i.get('num_threads')} threads" for i in infos
    ) or "no BLAS library found by threadpoolctl"


def blas_threads() -> int:
    try:
        from threadpoolctl import threadpool_info

        counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
        return max(counts) if counts else os.cpu_count() or 1
    except ImportError:
        return int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count() or 1))


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpu_status() -> tuple[list[str], str]:
    """(the usable GPUs, as device names; why there are none, in words)."""
    count, why = cuda._probe()
    if count:
        return [f"cuda:{i}" for i in range(count)], ""
    if why == "missing":
        return [], "CuPy is not installed (pip install 'minigen[gpu]')"
    return [], f"CuPy found no usable GPU ({why})"


def machine_lines(torch_threads: int | None) -> list[str]:
    """The header of the report: versions, BLAS kernel, CPU, threads, warnings about noise."""
    lines = [
        f"minigen {mg.__version__}, Python {sys.version.split()[0]}, NumPy {np.__version__}",
        f"CPU: {cpu_name()}, {os.cpu_count()} logical cores ({platform.platform()})",
        f"BLAS: {blas_description()}",
    ]
    if torch_threads is not None:
        import torch

        lines.append(f"PyTorch {torch.__version__} on {torch_threads} threads")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            lines.append(f"warning: {var}={os.environ[var]} is set; it can slow NumPy's BLAS "
                         f"down (run with env -u {var} for representative numbers)")
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        lines.append(f"warning: load average {os.getloadavg()[0]:.1f}: other programs are "
                     "using the CPU; absolute times are slower, ratios of interleaved rows hold")
    return lines


# -- running --------------------------------------------------------------------------------------
def _calibrated(fn: Callable[[], Any], sync: Callable[[], None], settings: Settings) -> int:
    """How many calls make one timed repeat last at least ``min_seconds`` (1 for long calls)."""
    once = measure(fn, sync, warmup=settings.warmup, repeats=1).median
    if once >= settings.min_seconds:
        return 1
    return min(1000, math.ceil(settings.min_seconds / max(once, 1e-7)))


def run(
    devices: list[str],
    families: list[str] | None = None,
    quick: bool = False,
    compare_torch: bool = False,
    progress: TextIO | None = None,
) -> list[Result]:
    """Time every row of ``families`` on each device, with PyTorch alongside when asked."""
    settings = Settings.for_mode(quick)
    specs = R.row_specs(families, quick)
    results: list[Result] = []
    for device_name in devices:
        device = mg.Device(device_name)
        sync = (lambda d=device: mg.synchronize(d)) if device.type == "cuda" else (lambda: None)
        torch_here = compare_torch and _torch_runs_on(device_name)
        for spec in specs:
            if spec.family in GPU_ONLY and device.type == "cpu":
                continue
            if progress is not None:
                print(f"  {device_name}: {spec.label}", file=progress, flush=True)
            candidates = [Candidate("minigen", R.build_minigen(spec, device), sync)]
            if torch_here:
                candidates.append(Candidate("torch", torch_rows.build_torch(spec, device_name),
                                            torch_rows.sync_for(device_name)))
            for c in candidates:  # warm up, and pick how many calls make one timed repeat
                c.number = _calibrated(c.fn, c.sync, settings)
            timings = interleaved(candidates, settings.rounds, settings.repeats, warmup=0)
            for c in candidates:
                results.append(Result(spec, device_name, c.name, timings[c.name]))
    return results


def _torch_runs_on(device_name: str) -> bool:
    if not torch_rows.available():
        return False
    return not device_name.startswith("cuda") or torch_rows.cuda_available()
