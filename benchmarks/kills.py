"""``kill -9`` a training run again and again at random moments; check that nothing is lost.

    python benchmarks/kills.py --kills 200 [--seed 0] [--epochs 6]

Trains the autoencoder (batches of 2048: 5 steps an epoch, a checkpoint and pictures at each
epoch's end) and kills it after a random delay (mid-step, mid-save, mid-pictures), ``--kills``
times, resuming each time from its checkpoint (starting afresh when it has none yet). After every
kill the checkpoint must load; in the end the run must equal, weight for weight and row for row
of ``read_metrics``, the same run never killed. Prints what the kills left behind (temporary files
of interrupted saves, rows past the checkpoint, partial rows), which the next run cleaned up.
tests/cli/test_kills.py does the same a few times (``-m slow`` for more).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from minigen.train import TrainConfig, load_checkpoint, train
from minigen.train.checkpoint import run_differences

REPO = Path(__file__).resolve().parents[1]


def command(out: Path, epochs: int, resume: bool) -> list[str]:
    return [sys.executable, "-m", "minigen.cli", "train", "ae", "--batch-size", "2048",
            "--epochs", str(epochs), "--log-every", "1", "--no-progress", "--out", str(out),
            *(["--resume"] if resume else [])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--most", type=float, default=3.0, help="longest delay before a kill (s)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    work = Path(tempfile.mkdtemp(prefix="minigen-kills-"))
    whole, out = work / "whole", work / "killed"
    train(TrainConfig(model="ae", out=str(whole), batch_size=2048, epochs=args.epochs,
                      log_every=1), progress=False)
    counts = {"kills": 0, "finished early": 0, "temporary files removed": 0,
              "partial rows dropped": 0, "rows past a checkpoint": 0, "no checkpoint yet": 0}
    start = time.monotonic()
    while counts["kills"] < args.kills:
        resume = (out / "checkpoint.mg").exists()
        if resume and load_checkpoint(out)["position"]["epoch"] >= args.epochs:
            # Killed after its last save (in its last pictures): the run is done.
            counts["finished early"] += 1
            check(out, whole)
            out = work / f"killed-{counts['kills']}"
            continue
        process = subprocess.Popen(command(out, args.epochs, resume), env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.3, args.most))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            counts["kills"] += 1
        _, err = process.communicate()
        counts["temporary files removed"] += "temporary file(s) of killed saves" in err
        counts["partial rows dropped"] += "dropped a partial last row" in err
        counts["rows past a checkpoint"] += "written after the checkpoint" in err
        if process.returncode == 0:  # it finished before the kill: start the run again
            counts["finished early"] += 1
            check(out, whole)
            out = work / f"killed-{counts['kills']}"
            continue
        assert process.returncode == -signal.SIGKILL, err
        if (out / "checkpoint.mg").exists():
            load_checkpoint(out)
        else:
            counts["no checkpoint yet"] += 1
    resume = (out / "checkpoint.mg").exists()
    subprocess.run(command(out, args.epochs, resume), env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    check(out, whole)
    print(f"{counts['kills']} kills in {time.monotonic() - start:.0f} s, every checkpoint "
          "loadable, every resumed run equal to the run never killed")
    for name, value in counts.items():
        print(f"  {name}: {value}")
    shutil.rmtree(work)


def check(out: Path, whole: Path) -> None:
    differences = run_differences(out, whole)
    assert not differences, f"{out} differs from the run never killed: {differences[:5]}"
    assert not list(out.glob(".*.tmp")), f"temporary files left in {out}"


if __name__ == "__main__":
    main()
