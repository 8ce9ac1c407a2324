"""``minigen train MODEL``: train a model into a run folder (see ``minigen train --help``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from minigen.cli.errors import (
    CLIError,
    describe_os_error,
    finite_float,
    non_negative_int,
    positive_float,
    positive_int,
)
from minigen.data import DATASETS
from minigen.train.recipes import RECIPES

MODEL_NAMES = tuple(RECIPES)  # the recipes table is the one list of model names


def add_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "train", help="train a model", description=(
            "Train MODEL, writing checkpoints, metrics.csv and pictures into the run folder. "
            "Ctrl-C saves a checkpoint; --resume continues exactly where it stopped. One "
            "process at a time writes a run folder: a second one stops with status 2, naming "
            "the first. Options that cannot take effect are refused before any work."),
    )
    p.add_argument("model", choices=MODEL_NAMES, metavar="MODEL",
                   help="one of: " + ", ".join(MODEL_NAMES))
    p.add_argument("--data", choices=tuple(DATASETS),
                   help="dataset (default: mnist-sample, shipped, works offline)")
    p.add_argument("--data-dir", help="folder holding the dataset's IDX files")
    p.add_argument("--epochs", type=positive_int, help="epochs (default: the model's recipe)")
    p.add_argument("--batch-size", type=positive_int, help="batch size (VAEs 128, GANs 64)")
    p.add_argument("--lr", type=positive_float, help="Adam learning rate (VAEs 1e-3, GANs 2e-4)")
    p.add_argument("--latent-dim", type=positive_int, help="latent size (2 draws the latent space)")
    p.add_argument("--device", help="cpu, cuda or cuda:N (default: $MINIGEN_DEVICE, else cpu)")
    p.add_argument("--seed", type=non_negative_int, help="random seed (default 0)")
    p.add_argument("--out", help="run folder (default: runs/MODEL)")
    p.add_argument("--resume", action="store_true", help=(
        "continue the run in --out exactly where it stopped, with its saved settings (only "
        "--epochs, --max-steps, --device and --data-dir may be given anew; other options "
        "that differ from the saved ones are refused)"))
    p.add_argument("--max-steps", type=positive_int, help="stop after this many steps in all")
    p.add_argument("--log-every", type=positive_int,
                   help="steps between metric copies to the host (default 50)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    vae = p.add_argument_group("VAE options")
    vae.add_argument("--beta", type=finite_float,
                     help="weight of the KL term, at least 0 (default 1)")
    vae.add_argument("--kl-warmup", type=non_negative_int,
                     help="steps of linear KL warm-up from 0 to beta (default 0: none)")
    gan = p.add_argument_group("GAN options")
    gan.add_argument("--label-smoothing", type=finite_float,
                     help="one-sided: real labelled 1 - this, in [0, 1) (e.g. 0.1; default 0)")
    gan.add_argument("--saturating", action="store_true", default=None,
                     help="G minimises log(1 - D(G(z))), the original loss (vanishing gradients)")
    gan.add_argument("--d-steps", type=positive_int, help="D steps per G step (default 1)")
    gan.add_argument("--classifier", help="a classifier run: check class coverage each epoch")
    p.set_defaults(run_command=run)


def run(args: argparse.Namespace) -> int:
    from minigen.errors import MinigenError
    from minigen.train import TrainConfig, train

    out = args.out or str(Path("runs") / args.model)
    if Path(out).exists() and not Path(out).is_dir():
        raise CLIError(f"--out {out} is a file, not a folder: choose another --out")
    if args.data_dir is not None and not Path(args.data_dir).is_dir():
        raise CLIError(f"--data-dir {args.data_dir}: no such folder")
    if args.classifier is not None and not Path(args.classifier).exists():
        raise CLIError(f"--classifier {args.classifier}: no such run folder")
    config = TrainConfig(
        model=args.model, out=out, data=args.data, data_dir=args.data_dir, epochs=args.epochs,
        batch_size=args.batch_size, lr=args.lr, latent_dim=args.latent_dim, device=args.device,
        seed=args.seed, max_steps=args.max_steps, log_every=args.log_every, beta=args.beta,
        kl_warmup=args.kl_warmup, label_smoothing=args.label_smoothing,
        saturating=args.saturating, d_steps=args.d_steps, classifier=args.classifier,
    )
    try:
        result = train(config, resume=args.resume, progress=not args.no_progress)
    except OSError as error:
        if isinstance(error, MinigenError):
            raise
        saved = Path(out, "checkpoint.mg").exists()
        hint = (f" (the last checkpoint in {out} is intact: continue with --resume)"
                if saved else "")
        raise CLIError(describe_os_error(error) + hint) from None
    if result.interrupted:
        print(
            f"Interrupted at step {result.step}: checkpoint saved in {out}/checkpoint.mg\n"
            f"Resume with: minigen train {args.model} --out {out} --resume"
        )
        return 130
    per_epoch = result.epoch_seconds
    timing = f", {sum(per_epoch) / len(per_epoch):.1f} s per epoch" if per_epoch else ""
    print(f"Trained {args.model}: step {result.step}, {result.epoch} epoch(s) done{timing}.")
    print(f"Run folder: {out} (metrics.csv, samples/, loss_curves.png, checkpoint.mg)")
    if args.model != "classifier":
        print(f"Sample with: minigen sample {out} -n 64 --grid {out}/grid.png")
    return 0
