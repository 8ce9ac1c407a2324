"""``minigen bench``: time the engine on the CPU and the GPU (see ``minigen bench --help``).

    minigen bench                      # every row, cpu and cuda (when there is a GPU)
    minigen bench --quick              # small sweeps, few repeats: a minute's check
    minigen bench --compare-torch      # PyTorch's time for the same rows, and the ratio
    minigen bench --rows matmul steps  # only some rows
    minigen bench --count-ops          # array operations per training step (seconds, no GPU)
    minigen bench --count-ops --rows steps   # the counts beside the timed steps

Writes bench.txt (the table), bench.csv, bench.md (the CPU rows as a Markdown table) and
speedup.png into --out; with --count-ops also ops.txt and ops.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from minigen.cli.errors import CLIError

#: Names accepted by --rows: the families, and a few groups of them.
GROUPS = {
    "layers": ["conv2d", "conv_transpose2d", "batchnorm2d", "elementwise"],
    "steps": ["train_step"],
    "copies": ["h2d", "h2d_batch", "h2d_pinned", "d2h"],
}


def add_parser(commands: argparse._SubParsersAction) -> None:
    from minigen.bench.rows import FAMILIES

    names = list(FAMILIES) + list(GROUPS) + ["all"]
    p = commands.add_parser(
        "bench", help="time the engine on the CPU and the GPU", description=(
            "Time matrix products, layers, whole training steps and host<->device copies on "
            "the CPU and (when there is one) the GPU: warm-up first, synchronised clocks, the "
            "median of repeated runs. Prints a table and writes bench.txt, bench.csv and "
            "speedup.png (GPU speedup against size, with the crossover) into --out."),
    )
    p.add_argument("--device", default="all", choices=("all", "cpu", "cuda"),
                   help="where to time: all (cpu, and cuda when there is a GPU; the default), "
                        "cpu or cuda")
    p.add_argument("--quick", action="store_true",
                   help="small sweeps and few repeats (a check, not a measurement)")
    p.add_argument("--compare-torch", action="store_true",
                   help="time the same rows in PyTorch (when installed), side by side")
    p.add_argument("--out", default=str(Path("runs") / "bench"),
                   help="folder for bench.txt, bench.csv and speedup.png (default runs/bench)")
    p.add_argument("--rows", nargs="+", choices=names, metavar="ROWS",
                   help="which rows: " + ", ".join(names) + " (default: all)")
    p.add_argument("--count-ops", action="store_true",
                   help="count the array operations of one training step of each model on the "
                        "strict stand-in device: each costs a GPU step 10-20 us of dispatch. "
                        "Alone it only counts (seconds, no GPU needed); with --rows the counts "
                        "also stand beside the timed step rows")
    p.set_defaults(run_command=run)


def run(args: argparse.Namespace) -> int:
    from minigen.bench import report, runner

    out = Path(args.out)
    op_totals = None
    if args.count_ops:
        op_totals = count_ops(out)
        if not args.rows:
            return 0
    families = None
    if args.rows and "all" not in args.rows:
        families = list(dict.fromkeys(f for name in args.rows for f in GROUPS.get(name, [name])))
    gpus, why = runner.gpu_status()
    devices = ["cpu"]
    if gpus and args.device in ("all", "cuda"):
        devices = ["cpu", gpus[0]] if args.device == "all" else [gpus[0]]
    torch_threads = None
    if args.compare_torch:
        from minigen.bench import torch_rows

        if not torch_rows.available():
            raise CLIError("--compare-torch needs PyTorch, which is not installed "
                           "(it is never a dependency of minigen: pip install torch)")
        import torch

        torch.set_num_threads(runner.blas_threads())  # the same number of threads as BLAS
        torch_threads = torch.get_num_threads()

    header = runner.machine_lines(torch_threads)
    if not gpus:
        wanted = "--device cuda: " if args.device == "cuda" else ""
        header.append(f"{wanted}no GPU found: {why}. Timing the CPU half only; on a machine "
                      "with a GPU the same command adds the cuda columns and the speedup curve.")
    print("\n".join(header), flush=True)
    print(f"timing on {', '.join(devices)}" + (" (--quick)" if args.quick else ""), flush=True)

    results = runner.run(devices, families, args.quick, args.compare_torch, progress=sys.stderr)
    text = report.table(results, op_totals)
    print()
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.txt").write_text("\n".join(header) + "\n\n" + text + "\n")
    report.write_csv(results, out / "bench.csv", op_totals)
    report.plot(results, out / "speedup.png", no_gpu_reason=why)
    (out / "bench.md").write_text(report.markdown_ratios(results) + "\n")
    print(f"\nwrote bench.txt, bench.csv, bench.md (the CPU table in Markdown) and "
          f"speedup.png into {out}")
    return 0


def count_ops(out: Path) -> dict[str, int]:
    """Count, print and write (ops.txt, ops.md) the array operations per training step;
    return each model's total for the timing table."""
    from minigen.bench import op_count

    try:
        counts = op_count.step_op_counts()
    except ImportError as error:  # array-api-strict, the counting device, is a dev dependency
        raise CLIError(f"--count-ops runs on the strict device, which needs array-api-strict "
                       f"(pip install 'minigen[dev]'): {error}") from None
    text = ("array operations per training step (a step after the first, counted on the "
            "strict device;\nthe count does not depend on the batch size):\n\n"
            + op_count.table(counts))
    print(text, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "ops.txt").write_text(f"{text}\n\nby engine file and by operation:\n\n"
                                 f"{op_count.breakdown(counts)}\n")
    (out / "ops.md").write_text(op_count.markdown(counts) + "\n")
    print(f"\nwrote ops.txt and ops.md into {out}", flush=True)
    return {name: count.total for name, count in counts.items()}
