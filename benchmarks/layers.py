"""Time forward+backward of the DCGAN's heaviest layers in float32 at batch 64.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/layers.py

(Unset those two variables only here: some machines set them for old OpenBLAS builds, which
slows a current NumPy down ~1.8x; a user's machine has neither.)

For each layer it prints the median time of forward + backward (input gradient included, as
for a layer inside a network), the GFLOP/s that makes (the three matrix products: forward,
input gradient, weight gradient), the machine's float32 matmul GFLOP/s measured in the same
run, and PyTorch's time for the same layer when PyTorch is installed (on as many threads as
BLAS uses here). Targets: within 1.5x of PyTorch, and at least half the matmul throughput.
Minigen and PyTorch are timed in alternation, so background load hits both alike.

On a machine busy with other work, wall-clock times mostly measure the other work. Then

    OPENBLAS_NUM_THREADS=1 python benchmarks/layers.py --clock cpu

times each step in CPU seconds of this process on one thread (PyTorch on one thread too),
which other processes barely change: a fair comparison of the two implementations, though not
of their multi-threaded wall-clock speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import minigen as mg
import minigen.nn as nn
from minigen.bench.runner import blas_description, blas_threads

try:
    import torch
except ImportError:
    torch = None

BATCH = 64
LAYERS = [
    # name, minigen factory, torch factory name and args, input shape, FLOPs of one forward
    (
        "Conv2d(64,128,4,2,1)",
        "Conv2d",
        (64, 128, 4, 2, 1),
        (BATCH, 64, 14, 14),
        2 * BATCH * 7 * 7 * 128 * 64 * 4 * 4,
    ),
    (
        "ConvTranspose2d(256,128,4,2,1)",
        "ConvTranspose2d",
        (256, 128, 4, 2, 1),
        (BATCH, 256, 7, 7),
        2 * BATCH * 7 * 7 * 256 * 128 * 4 * 4,
    ),
    ("Linear(1024,784)", "Linear", (1024, 784), (BATCH, 1024), 2 * BATCH * 1024 * 784),
]


CLOCK = time.perf_counter


def median_ms(fn: Callable[[], Any], repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = CLOCK()
        fn()
        times.append(CLOCK() - start)
    return statistics.median(times) * 1e3


def matmul_gflops(repeats: int) -> float:
    n = 2048
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    return 2 * n**3 / median_ms(lambda: a @ b, repeats) / 1e6


def minigen_step(kind: str, args: tuple[int, ...], shape: tuple[int, ...]) -> Callable[[], None]:
    layer = getattr(nn, kind)(*args)
    x = mg.randn(*shape, requires_grad=True)
    with mg.no_grad():
        g = mg.randn(*layer(x).shape)

    def step() -> None:
        layer.zero_grad()
        x.grad = None
        layer(x).backward(g)

    return step


def torch_step(kind: str, args: tuple[int, ...], shape: tuple[int, ...]) -> Callable[[], None]:
    layer = getattr(torch.nn, kind)(*args)
    x = torch.randn(*shape, requires_grad=True)
    with torch.no_grad():
        g = torch.randn(*layer(x).shape)

    def step() -> None:
        layer.zero_grad()
        x.grad = None
        layer(x).backward(g)

    return step


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per layer (median)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall-clock time, or this process's CPU time (run on one thread)")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    mg.manual_seed(0)
    print(f"NumPy {np.__version__}; BLAS: {blas_description()}")
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.1f}: other processes are using the CPU, so the "
              "times below are slower than this machine can do")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var}={os.environ[var]} is set; unset it for representative numbers")
    threads = blas_threads()
    if args.clock == "cpu" and threads > 1:
        print(f"warning: --clock cpu adds up the CPU time of all {threads} BLAS threads, busy "
              "waiting included; run it with OPENBLAS_NUM_THREADS=1")
    if torch is not None:
        torch.set_num_threads(threads)
        print(f"PyTorch {torch.__version__} on {torch.get_num_threads()} threads")
    peak = matmul_gflops(max(5, args.repeats // 3))
    print(f"float32 matmul (2048x2048 @ 2048x2048): {peak:.0f} GFLOP/s ({args.clock} clock)\n")

    header = (
        f"{'layer (batch 64, fwd+bwd)':<32} {'minigen ms':>10} {'GFLOP/s':>8} "
        f"{'% matmul':>8} {'torch ms':>9} {'vs torch':>8}"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for name, kind, layer_args, shape, flops in LAYERS:
        ours = minigen_step(kind, layer_args, shape)
        theirs = torch_step(kind, layer_args, shape) if torch is not None else None
        ours_ms, theirs_ms = [], []
        for _ in range(3):  # alternate, so background load is shared fairly
            ours_ms.append(median_ms(ours, max(1, args.repeats // 3)))
            if theirs is not None:
                theirs_ms.append(median_ms(theirs, max(1, args.repeats // 3)))
        ms = statistics.median(ours_ms)
        gflops = 3 * flops / ms / 1e6  # forward, input gradient and weight gradient
        line = f"{name:<32} {ms:>10.2f} {gflops:>8.0f} {100 * gflops / peak:>7.0f}%"
        ok &= gflops >= peak / 2
        if theirs_ms:
            tms = statistics.median(theirs_ms)
            line += f" {tms:>9.2f} {ms / tms:>7.2f}x"
            ok &= ms <= 1.5 * tms
        print(line)
    print(
        "\ntargets (within 1.5x of PyTorch, >= 50% of matmul GFLOP/s):", "met" if ok else "NOT met"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
