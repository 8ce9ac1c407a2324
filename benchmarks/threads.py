"""How much does each library gain from the second core? Training steps at 1 and at 2 threads.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/threads.py
    python benchmarks/threads.py --models dcgan --rounds 5

minigen hands its matrix products to BLAS, which uses every core it is given; everything else
(im2col's copies, batch norm, activations, Adam) is NumPy, which runs each operation on one
core. PyTorch runs both kinds of work on all its threads. So at one thread the two libraries
compare arithmetic against arithmetic, and the step from one thread to two shows how much of
each library's step is parallel. This is the measurement behind docs/results.md's "Why the two
convolutional models miss".

The thread count of a BLAS library is fixed when it loads, so each measurement runs in a fresh
process with ``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` set (and
``torch.set_num_threads``); inside it minigen's and PyTorch's steps are timed in alternating
rounds (``minigen.bench.timer.interleaved``). The processes themselves alternate between the
thread counts for ``--rounds`` rounds, and each cell is the median over them, so a burst of
load from other jobs lands on both columns. Needs PyTorch installed (never a dependency of
minigen).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys
import torch
from minigen import device
from minigen.bench.rows import RowSpec, STEP_BATCH, build_minigen
from minigen.bench.timer import Candidate, interleaved
from minigen.bench.torch_rows import build_torch
threads, models = int(sys.argv[1]), sys.argv[2].split(",")
torch.set_num_threads(threads)
out = {}
for name in models:
    batch = STEP_BATCH[name]
    spec = RowSpec("train_step", batch, name, batch, "img/s", {"model": name})
    timings = interleaved([Candidate("minigen", build_minigen(spec, device("cpu"))),
                           Candidate("torch", build_torch(spec, "cpu"))], rounds=3, repeats=5)
    out[name] = {lib: t.median for lib, t in timings.items()}
print(json.dumps(out))
"""


def measure(threads: int, models: list[str]) -> dict[str, dict[str, float]]:
    """Median step seconds per model and library, in a fresh process with ``threads`` threads."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", CHILD, str(threads), ",".join(models)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"threads.py: the {threads}-thread run failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="dcgan,conv-vae,gan",
                        help="comma-separated: ae, vae, conv-vae, gan, dcgan")
    parser.add_argument("--rounds", type=int, default=3, help="processes per thread count")
    args = parser.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit("threads.py compares with PyTorch: pip install torch==2.13.0 (CPU) first")
    models = args.models.split(",")
    runs: dict[int, list[dict[str, dict[str, float]]]] = {1: [], 2: []}
    for r in range(args.rounds):
        for threads in (1, 2) if r % 2 == 0 else (2, 1):
            runs[threads].append(measure(threads, models))
            print(f"round {r + 1}/{args.rounds}, {threads} thread(s): done", file=sys.stderr)

    def ms(threads: int, model: str, lib: str) -> float:
        return 1e3 * statistics.median(run[model][lib] for run in runs[threads])

    print("| step | minigen 1 thread | minigen 2 threads | PyTorch 1 thread | PyTorch 2 threads "
          "| minigen / PyTorch at 1 thread | at 2 threads |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for m in models:
        m1, m2, t1, t2 = ms(1, m, "minigen"), ms(2, m, "minigen"), ms(1, m, "torch"), ms(2, m, "torch")
        print(f"| {m} | {m1:.1f} ms | {m2:.1f} ms (x{m1 / m2:.2f}) | {t1:.1f} ms | "
              f"{t2:.1f} ms (x{t1 / t2:.2f}) | {m1 / t1:.2f} | {m2 / t2:.2f} |")


if __name__ == "__main__":
    main()
