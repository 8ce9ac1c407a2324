"""``minigen sample RUN``: draw images from a trained model into a .npy file and/or a PNG.

The samples are streamed to the .npy file in blocks of ``BLOCK`` (memory stays small whatever
``-n``), written atomically (a killed run leaves the old file, or none), after checking the
folder has room for them. ``-n`` is at most ``MAX_SAMPLES`` (3.1 GB of float32 images).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from minigen.cli.errors import CLIError, non_negative_int, positive_int
from minigen.cli.holding import holding_run

#: The most samples one command draws: 1,000,000 images of 28 x 28 float32 are 3.1 GB.
MAX_SAMPLES = 1_000_000
#: Samples drawn and written at a time: a multiple of draw_samples' batch (500) and of the 10
#: classes, so the blocks together are exactly what one draw_samples call of -n would give.
BLOCK = 10_000
GRID = 256
_IMAGE = (1, 28, 28)


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "sample", help="draw samples from a trained model",
        description="Write N samples as float32 in [0, 1], shape (N, 1, 28, 28), to a .npy file "
                    f"(streamed to disk; N at most {MAX_SAMPLES:,}).",
    )
    p.add_argument("run", metavar="RUN", help="a run folder written by minigen train")
    p.add_argument("-n", type=positive_int, default=64,
                   help=f"number of samples (default 64, at most {MAX_SAMPLES:,})")
    p.add_argument("--out", help="the .npy file to write")
    p.add_argument("--grid", help="also (or only) save a grid of the samples as this PNG")
    p.add_argument("--label", type=non_negative_int, help="class to draw (conditional GAN only)")
    p.add_argument("--device", help="cpu, cuda or cuda:N (default: $MINIGEN_DEVICE, else cpu)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    p.set_defaults(run_command=run)


def run(args: argparse.Namespace) -> int:
    if args.out is None and args.grid is None:
        raise CLIError("say where the samples go: --out FILE.npy and/or --grid FILE.png")
    if args.n > MAX_SAMPLES:
        raise CLIError(f"-n {args.n}: at most {MAX_SAMPLES:,} samples per command (3.1 GB); "
                       "run it again with other --seed values for more")
    targets = [Path(p) for p in (args.out, args.grid) if p]
    for target in targets:
        if target.is_dir():
            raise CLIError(f"{target} is a folder: name a file")
    if args.out:
        _check_room(Path(args.out), args.n)
    with holding_run(args.run, targets, "minigen sample"):
        _sample(args)
    return 0


def _sample(args: argparse.Namespace) -> None:
    import minigen as mg
    from minigen.models import Sampler
    from minigen.train import load_model
    from minigen.viz import save_grid

    device = args.device or str(mg.get_default_device())
    model, config = load_model(args.run, device)
    if not isinstance(model, Sampler):
        raise CLIError(f"{args.run} holds a {config.model}, which does not generate images")
    if args.label is not None:
        if model.num_classes is None:
            raise CLIError(
                f"--label needs a conditional model (cgan); {args.run} is a {config.model}")
        if args.label >= model.num_classes:
            raise CLIError(f"--label must be below {model.num_classes}, not {args.label}")
    mg.manual_seed(args.seed)
    if args.out:
        first = _write_npy(Path(args.out), model, args.n, device, args.label)
        print(f"Wrote {args.n} samples {(args.n, *_IMAGE)} float32 in [0, 1] to {args.out}")
    else:
        first = next(_blocks(model, min(args.n, GRID), device, args.label))
    if args.grid:
        Path(args.grid).parent.mkdir(parents=True, exist_ok=True)
        save_grid(first[:GRID], args.grid, title=f"{config.model} samples")
        print(f"Wrote a grid of {min(args.n, GRID)} samples to {args.grid}")


def _blocks(model: Any, n: int, device: str, label: int | None) -> Any:
    from minigen.metrics import draw_samples

    for start in range(0, n, BLOCK):
        yield draw_samples(model, min(BLOCK, n - start), device, label=label)


def _write_npy(path: Path, model: Any, n: int, device: str, label: int | None) -> np.ndarray:
    """Stream ``n`` samples into the .npy file ``path``; returns the first block."""
    from minigen.serialization import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    dtype = np.dtype("<f4")
    first = None
    with atomic_write(path) as f:
        np.lib.format.write_array_header_1_0(f, {
            "descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
            "shape": (n, *_IMAGE)})
        for block in _blocks(model, n, device, label):
            first = block if first is None else first
            f.write(block.astype(dtype, copy=False).tobytes())
    return first


def _check_room(path: Path, n: int) -> None:
    """Refuse before drawing when the folder cannot hold the file (with a margin)."""
    needed = n * 4 * int(np.prod(_IMAGE)) + 4096
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # the write itself will say what is wrong
    if needed > free:
        raise CLIError(f"{path}: {n} samples need {needed / 1e9:.2f} GB, and only "
                       f"{free / 1e9:.2f} GB are free there: free some space or lower -n")
