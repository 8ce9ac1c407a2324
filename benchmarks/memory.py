"""Does a long DCGAN run keep its memory flat? Train 2,000 steps and watch the process's RSS.

    python benchmarks/memory.py                 # 2,000 steps at batch 64 on the shipped sample
    python benchmarks/memory.py --steps 300     # a shorter check

Each training step builds a graph of Functions holding its activations (tens of MB for the
DCGAN) and ``backward()`` frees it. If anything kept a reference to a step's graph (a loss
appended to a list without ``.detach()``, a Function not freed, metrics kept as graph nodes),
the memory would grow by that much every step. So the check is:

- the peak resident memory (VmHWM) at the end is within 10% of the peak after the first 100
  steps (by then every buffer a step needs exists, and the allocator has reached its size);
- the whole process stays under 1 GB (10^9 bytes) at batch 64.

It measures with the kernel's own numbers (``/proc/self/status``: VmRSS now, VmHWM the peak;
``resource.getrusage``'s ru_maxrss on other systems), not with psutil. The loop is the one
``minigen train dcgan`` runs, without its pictures: batches from the DataLoader, one
``GANStep`` per batch, metrics kept on the device and copied to the host every 50 steps.
Exit status 0 when both checks pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import minigen as mg
from minigen.data import DataLoader, MNISTSample
from minigen.models import DCGAN
from minigen.train import GANStep
from minigen.train.common import batch_to_device

LIMIT_BYTES = 10**9
GROWTH_LIMIT = 0.10
CHECKPOINTS = (1, 10, 100, 250, 500, 1000, 1500, 2000)


def memory_bytes() -> tuple[int, int]:
    """(resident memory now, peak resident memory so far), in bytes."""
    try:
        fields = {}
        with open("/proc/self/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) * 1024  # reported in kB
        return fields["VmRSS"], fields["VmHWM"]
    except (OSError, KeyError):  # not Linux: the peak only (kB on Linux, bytes on macOS)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak *= 1 if sys.platform == "darwin" else 1024
        return peak, peak


def mb(n: int) -> str:
    return f"{n / 2**20:8.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = mg.Device(args.device)
    mg.manual_seed(0)
    model = DCGAN()
    model.to(device)
    step_fn = GANStep(model)
    loader = DataLoader(MNISTSample(), args.batch_size, shuffle=True, drop_last=True, seed=0,
                        scale=model.pixel_scale)
    rss0, _ = memory_bytes()
    print(f"DCGAN, batch {args.batch_size}, {args.steps} steps on {device}; "
          f"{len(loader)} batches per epoch; RSS before training {mb(rss0).strip()} MiB")
    print(f"{'step':>6} {'RSS MiB':>9} {'peak MiB':>9} {'s/step':>7}")
    marks = sorted({c for c in CHECKPOINTS if c <= args.steps} | {args.steps})
    rows: dict[int, tuple[int, int]] = {}
    pending: list[dict] = []
    step, epoch, start = 0, 0, time.perf_counter()
    while step < args.steps:
        for images, labels in loader.numpy_batches(epoch):
            metrics = step_fn(batch_to_device(images, device), batch_to_device(labels, device))
            pending.append(metrics)
            step += 1
            if step % 50 == 0:  # the loop's block copy of the metrics to the host
                _ = [mg.stack([m["loss_d"] for m in pending]).numpy()]
                pending = []
            if step in marks:
                mg.synchronize(device)
                rows[step] = memory_bytes()
                rate = (time.perf_counter() - start) / step
                print(f"{step:>6} {mb(rows[step][0])} {mb(rows[step][1])} {rate:7.3f}",
                      flush=True)
            if step >= args.steps:
                break
        epoch += 1

    early = rows[min(100, args.steps)][1]
    final = rows[args.steps][1]
    growth = final / early - 1
    ok_growth = growth <= GROWTH_LIMIT
    ok_total = final < LIMIT_BYTES
    print(f"\npeak after {min(100, args.steps)} steps {mb(early).strip()} MiB, after "
          f"{args.steps} steps {mb(final).strip()} MiB: growth {100 * growth:+.1f}% "
          f"(limit +{100 * GROWTH_LIMIT:.0f}%): {'ok' if ok_growth else 'FAILED'}")
    print(f"whole process peak {final / 1e9:.3f} GB (limit 1 GB): "
          f"{'ok' if ok_total else 'FAILED'}")
    return 0 if ok_growth and ok_total else 1


if __name__ == "__main__":
    sys.exit(main())
