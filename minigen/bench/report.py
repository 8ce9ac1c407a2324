"""The results of ``minigen bench`` as a table, a CSV file and a plot of speedup against size.

The table has one line per row: for each device its median time (with the spread of the repeats
as +-% of the median) and its GFLOP/s or GB/s; the GPU's speedup over the CPU (CPU time / GPU
time: above 1 the GPU is faster); and, with ``--compare-torch``, PyTorch's time on the same
device and minigen's time as a multiple of it (below 1 minigen is faster). With
``--count-ops`` the training-step rows also show how many array operations one step makes
(minigen/bench/op_count.py): on a GPU each costs 10-20 us of dispatch, a floor under the time.

The plot shows, for each family swept over a size, the GPU's speedup against the size: small
problems run faster on the CPU (a GPU pays a fixed cost per operation, launching a kernel, and
needs thousands of threads' worth of work to fill itself), large ones on the GPU, and the
crossover is where the curve passes 1. Without a GPU it shows the CPU half: throughput against
size, which rises until the operation is large enough to keep the CPU's cores and caches busy.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

from minigen.bench.rows import COPIES, FAMILIES
from minigen.bench.runner import Result
from minigen.viz.figure import new_figure, save_figure

SWEPT = ("matmul", "conv2d", "conv_transpose2d", "batchnorm2d", "elementwise") + COPIES
SIZE_NAMES = {"matmul": "n (matrices n x n)", **{family: "bytes" for family in COPIES}}


def _by_row(results: list[Result]) -> dict[tuple[str, int, str], dict[tuple[str, str], Result]]:
    rows: dict[tuple[str, int, str], dict[tuple[str, str], Result]] = defaultdict(dict)
    for r in results:
        rows[(r.spec.family, r.spec.size, r.spec.label)][(r.device, r.engine)] = r
    return rows


def _ms(r: Result | None) -> str:
    if r is None:
        return "-"
    t = r.timing
    return f"{t.median * 1e3:.3f} +-{100 * t.relative_spread:.0f}%"


def _rate(r: Result | None) -> str:
    if r is None:
        return "-"
    v = r.throughput
    return f"{v:.0f} {r.spec.unit}" if v >= 100 else f"{v:.1f} {r.spec.unit}"


def _ops(cells: dict[tuple[str, str], Result], op_totals: dict[str, int]) -> str:
    spec = next(iter(cells.values())).spec
    total = op_totals.get(spec.params.get("model", ""))
    return "-" if total is None else str(total)


def table(results: list[Result], op_totals: dict[str, int] | None = None) -> str:
    """The results as a text table, one section per family; with ``op_totals`` (model name ->
    array operations per step) a column of them beside the training steps."""
    devices = list(dict.fromkeys(r.device for r in results))
    torch_on = {r.device for r in results if r.engine == "torch"}
    gpu = next((d for d in devices if d.startswith("cuda")), None)
    header = ["row"] + (["array ops"] if op_totals is not None else [])
    for d in devices:
        header += [f"{d} ms", f"{d} rate"]
        if d in torch_on:
            header += [f"torch {d} ms", "minigen/torch"]
    if gpu and "cpu" in devices:
        header.append(f"speedup {gpu}/cpu")
    lines: list[list[str]] = []
    sections: list[tuple[str, list[list[str]]]] = []
    current = None
    for (family, _, label), cells in _by_row(results).items():
        if family != current:
            current = family
            lines = []
            sections.append((f"{family}: {FAMILIES[family]}", lines))
        line = [label] + ([_ops(cells, op_totals)] if op_totals is not None else [])
        for d in devices:
            ours, theirs = cells.get((d, "minigen")), cells.get((d, "torch"))
            line += [_ms(ours), _rate(ours)]
            if d in torch_on:
                ratio = ours.timing.median / theirs.timing.median if ours and theirs else None
                line += [_ms(theirs), f"{ratio:.2f}x" if ratio else "-"]
        if gpu and "cpu" in devices:
            cpu, cuda = cells.get(("cpu", "minigen")), cells.get((gpu, "minigen"))
            line.append(f"{cpu.timing.median / cuda.timing.median:.2f}x" if cpu and cuda else "-")
        lines.append(line)
    all_lines = [header] + [line for _, ls in sections for line in ls]
    widths = [max(len(line[i]) for line in all_lines) for i in range(len(header))]

    def fmt(line: list[str]) -> str:
        return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(line, widths, strict=True)))

    out = [fmt(header), "-" * len(fmt(header))]
    for title, ls in sections:
        out.append(title)
        out += [fmt(line) for line in ls]
    return "\n".join(out)


def markdown_ratios(results: list[Result], device: str = "cpu") -> str:
    """minigen's times on ``device`` as a Markdown table, with PyTorch's and the ratio when
    they were measured (the table docs/results.md quotes)."""
    with_torch = any(r.engine == "torch" and r.device == device for r in results)
    if with_torch:
        lines = ["| row | minigen ms | PyTorch ms | minigen / PyTorch |", "|---|---:|---:|---:|"]
    else:
        lines = ["| row | minigen ms | rate |", "|---|---:|---:|"]
    for (_, _, label), cells in _by_row(results).items():
        ours, theirs = cells.get((device, "minigen")), cells.get((device, "torch"))
        if ours is None:
            continue
        if not with_torch:
            lines.append(f"| {label} | {ours.timing.median * 1e3:.3g} | {_rate(ours)} |")
        elif theirs is not None:
            lines.append(f"| {label} | {ours.timing.median * 1e3:.3g} | "
                         f"{theirs.timing.median * 1e3:.3g} | "
                         f"{ours.timing.median / theirs.timing.median:.2f} |")
    return "\n".join(lines)


CSV_FIELDS = ["family", "label", "size", "device", "engine", "median_ms", "spread_ms", "best_ms",
              "runs", "calls_per_run", "throughput", "unit", "array_ops"]


def write_csv(results: list[Result], path: str | os.PathLike,
              op_totals: dict[str, int] | None = None) -> Path:
    """One line per (row, device, engine), times in milliseconds; ``array_ops`` is minigen's
    operations per training step where counted (empty elsewhere)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_FIELDS)
        for r in results:
            t = r.timing
            ops = (op_totals or {}).get(r.spec.params.get("model", "")) if r.engine == "minigen" else None
            writer.writerow([r.spec.family, r.spec.label, r.spec.size, r.device, r.engine,
                             f"{t.median * 1e3:.6g}", f"{t.spread * 1e3:.6g}",
                             f"{t.best * 1e3:.6g}", len(t.times), t.number,
                             f"{r.throughput:.6g}", r.spec.unit, "" if ops is None else ops])
    return path


def plot(results: list[Result], path: str | os.PathLike, no_gpu_reason: str = "") -> Path:
    """Speedup of the GPU over the CPU against size, one panel per swept family, crossover
    marked; without GPU results, CPU throughput against size instead."""
    rows = _by_row(results)
    gpu = next((r.device for r in results if r.device.startswith("cuda")), None)
    families = [f for f in SWEPT if any(k[0] == f for k in rows)]
    cols = min(3, max(1, len(families)))
    n_rows = max(1, -(-len(families) // cols))
    fig = new_figure(4.2 * cols, 3.3 * n_rows)
    for k, family in enumerate(families):
        ax = fig.add_subplot(n_rows, cols, k + 1)
        keys = sorted((key for key in rows if key[0] == family), key=lambda key: key[1])
        sizes = [key[1] for key in keys]
        if gpu is not None and family not in COPIES:
            speedup = [_speedup(rows[key], gpu) for key in keys]
            ax.plot(sizes, speedup, "o-", label=f"minigen {gpu} / cpu")
            ax.axhline(1.0, color="gray", lw=1, ls="--")
            crossover = next((s for s, v in zip(sizes, speedup, strict=True) if v and v >= 1),
                             None)
            if crossover is not None:
                ax.axvline(crossover, color="tab:red", lw=1, ls=":")
                ax.annotate(f"GPU pays from {crossover}", (crossover, 1.0),
                            textcoords="offset points", xytext=(4, 6), fontsize=8,
                            color="tab:red")
            ax.set_ylabel("speedup (CPU time / GPU time)")
            ax.set_yscale("log")
        else:  # throughput: the CPU half, or a copy's bandwidth
            device = gpu if family in COPIES else "cpu"
            for engine, style in (("minigen", "o-"), ("torch", "s--")):
                points = [(key[1], rows[key][(device, engine)].throughput) for key in keys
                          if (device, engine) in rows[key]]
                if points:
                    ax.plot(*zip(*points, strict=True), style, label=f"{engine} {device}")
            unit = next(iter(rows[keys[0]].values())).spec.unit if keys else ""
            ax.set_ylabel(f"throughput ({unit})")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(SIZE_NAMES.get(family, "batch size"))
        ax.set_title(family, fontsize=10)
        ax.legend(fontsize=7)
    if gpu is None:
        note = "no GPU found" + (f": {no_gpu_reason}" if no_gpu_reason else "")
        fig.suptitle(f"{note}\nCPU half only; the speedup curve and its crossover need a GPU",
                     fontsize=9)
    else:
        fig.suptitle("GPU speedup over the CPU: above the dashed line the GPU wins", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)


def _speedup(cells: dict[tuple[str, str], Result], gpu: str) -> float | None:
    cpu, cuda = cells.get(("cpu", "minigen")), cells.get((gpu, "minigen"))
    if cpu is None or cuda is None:
        return None
    return cpu.timing.median / cuda.timing.median
