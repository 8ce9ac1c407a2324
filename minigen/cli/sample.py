"""``minigen sample RUN``: draw images from a trained model into a .npy file and/or a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from minigen.cli.errors import CLIError, non_negative_int, positive_int


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "sample", help="draw samples from a trained model",
        description="Write N samples as float32 in [0, 1], shape (N, 1, 28, 28), to a .npy file.",
    )
    p.add_argument("run", metavar="RUN", help="a run folder written by minigen train")
    p.add_argument("-n", type=positive_int, default=64, help="number of samples (default 64)")
    p.add_argument("--out", help="the .npy file to write")
    p.add_argument("--grid", help="also (or only) save a grid of the samples as this PNG")
    p.add_argument("--label", type=non_negative_int, help="class to draw (conditional GAN only)")
    p.add_argument("--device", help="cpu, cuda or cuda:N (default: $MINIGEN_DEVICE, else cpu)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    p.set_defaults(run_command=run)


def run(args: argparse.Namespace) -> int:
    import minigen as mg
    from minigen.metrics import draw_samples
    from minigen.train import load_model
    from minigen.viz import save_grid

    if args.out is None and args.grid is None:
        raise CLIError("say where the samples go: --out FILE.npy and/or --grid FILE.png")
    device = args.device or str(mg.get_default_device())
    model, config = load_model(args.run, device)
    if not hasattr(model, "sample"):
        raise CLIError(f"{args.run} holds a {config.model}, which does not generate images")
    if args.label is not None:
        if not getattr(model, "conditional", False):
            raise CLIError(
                f"--label needs a conditional model (cgan); {args.run} is a {config.model}")
        if args.label >= model.num_classes:
            raise CLIError(f"--label must be below {model.num_classes}, not {args.label}")
    mg.manual_seed(args.seed)
    samples = draw_samples(model, args.n, device, label=args.label)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        np.save(args.out, samples)
        print(f"Wrote {args.n} samples {samples.shape} float32 in [0, 1] to {args.out}")
    if args.grid:
        save_grid(samples[:256], args.grid, title=f"{config.model} samples")
        print(f"Wrote a grid of {min(args.n, 256)} samples to {args.grid}")
    return 0
