"""The training loop: epochs of steps, a progress bar, logs, pictures, checkpoints, resume.

What a step *does* is in the recipe files (vae_step.py, gan_step.py, ...); this file only
drives them: it feeds batches, keeps the metrics on the device until it logs them, draws the
pictures at the end of each epoch, saves checkpoints, stops cleanly on Ctrl-C, and resumes
exactly where a run stopped (same parameters, optimizer state, random state and batch).
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

import minigen as mg
from minigen.data import DataLoader, get_dataset
from minigen.train import checkpoint as ckpt
from minigen.train.common import batch_to_device
from minigen.train.config import TrainConfig
from minigen.train.interrupt import StopRequest
from minigen.train.metrics_log import MetricsLog
from minigen.train.pictures import EpochPictures
from minigen.train.recipes import RECIPES, build_model, build_step, resolve
from minigen.train.warnings import TeachingWarnings, check_finite

#: The metrics shown live on the progress bar, per kind of model.
SHOWN = {
    "vae": ("loss", "recon", "kl"),
    "ae": ("loss",),
    "gan": ("loss_d", "loss_g", "d_real", "d_fake"),
    "classifier": ("loss", "accuracy"),
}
LOSSES = ("loss", "loss_d", "loss_g")


@dataclass
class TrainResult:
    """What a call to :func:`train` did."""

    run: Path
    step: int
    epoch: int
    interrupted: bool = False
    epoch_seconds: list[float] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def train(
    config: TrainConfig, resume: bool = False, progress: bool = True, stream: TextIO | None = None
) -> TrainResult:
    """Train ``config.model`` into the run folder ``config.out``; see the module docstring.

    With ``resume``, the settings come from the run's checkpoint, except ``epochs`` and
    ``max_steps`` when given (to train further than first planned).
    """
    stream = stream or sys.stderr
    run = Path(config.out)
    state = None
    if resume:
        state = ckpt.load_checkpoint(run, expect_model=config.model, map_location="cpu")
        saved: TrainConfig = state["config"]
        saved.epochs = config.epochs or saved.epochs
        saved.max_steps = config.max_steps
        saved.device = config.device or saved.device
        saved.data_dir = config.data_dir or saved.data_dir
        config = saved
    config = resolve(config)
    device = mg.Device(config.device)
    _ = device.xp  # fail now with the clear CUDA error, before loading anything
    kind = RECIPES[config.model].kind

    mg.manual_seed(config.seed)
    model = build_model(config.model, RECIPES[config.model].latent_dim and config.latent_dim)
    model.to(device)
    step_fn = build_step(config, model)
    train_set = get_dataset(config.data, root=config.data_dir, train=True)
    test_set = get_dataset(config.data, root=config.data_dir, train=False)
    # GANs drop the last, smaller batch: D then always compares equal-sized real and fake
    # batches, and batchnorm never sees a batch of one.
    loader = DataLoader(
        train_set, config.batch_size, shuffle=True, drop_last=(kind == "gan"),
        seed=config.seed, scale=model.pixel_scale,
    )

    run.mkdir(parents=True, exist_ok=True)
    log = MetricsLog(run / "metrics.csv")
    position = {"step": 0, "epoch": 0, "batch": 0}
    if state is not None:
        model.load_state_dict(state["model"])
        step_fn.load_state_dict(state["trainer"])
        position = dict(state["position"])
        ckpt.restore_rng(state, config.device)
        log.truncate_after(position["step"])
    elif (run / ckpt.CHECKPOINT).exists():
        raise ckpt.CheckpointError(
            f"{run} already holds a run; continue it with --resume, or choose another --out"
        )
    else:
        for stale in ("metrics.csv", "epochs.csv"):
            (run / stale).unlink(missing_ok=True)
        log = MetricsLog(run / "metrics.csv")

    pictures = EpochPictures(run, config, model, kind, test_set, device)
    teacher = TeachingWarnings()
    result = TrainResult(run, position["step"], position["epoch"])

    def say(message: str) -> None:
        result.warnings.append(message)
        tqdm.write("warning: " + message, file=stream)

    def save() -> None:
        log.flush()
        ckpt.save_checkpoint(run, config, model, step_fn.state_dict(), position)

    shown = SHOWN[kind]
    limit = config.max_steps if config.max_steps is not None else float("inf")
    with StopRequest() as stop:
        while position["epoch"] < config.epochs and position["step"] < limit:
            epoch = position["epoch"]
            batches = islice(loader.numpy_batches(epoch), position["batch"], None)
            bar = tqdm(
                total=len(loader), initial=position["batch"], file=stream, disable=not progress,
                desc=f"epoch {epoch + 1}/{config.epochs}", dynamic_ncols=True, leave=True,
            )
            model.train()
            start = time.perf_counter()
            for images, labels in batches:
                x = batch_to_device(images, device)
                y = batch_to_device(labels, device)
                metrics = step_fn(x, y)
                position["step"] += 1
                position["batch"] += 1
                log.add(position["step"], epoch + 1, metrics)
                if position["step"] % config.log_every == 0:
                    rows = log.flush()  # the one host copy of this block of steps
                    check_finite(rows, LOSSES)
                    for message in teacher.check_block(rows):
                        say(message)
                    bar.set_postfix({k: _mean(rows, k) for k in shown}, refresh=False)
                bar.update(1)
                if stop.requested or position["step"] >= limit:
                    break
            check_finite(log.flush(), LOSSES)
            mg.synchronize(device)
            seconds = time.perf_counter() - start
            bar.close()
            finished = position["batch"] >= len(loader)
            if finished:
                position["epoch"] += 1
                position["batch"] = 0
                result.epoch_seconds.append(seconds)
            save()
            if finished:
                # Pictures and checks draw random numbers: keep them out of the training
                # stream, so a run resumed from this checkpoint draws what this one will.
                with ckpt.preserved_rng(config.device):
                    extra = pictures.end_of_epoch(epoch + 1)
                covered = extra.get("classes_covered")
                if covered is not None:
                    for message in teacher.check_coverage(epoch + 1, int(covered), 10):
                        say(message)
                _append_epoch_row(run / "epochs.csv", epoch + 1, position["step"], seconds, extra)
            if stop.requested:
                result.interrupted = True
                pictures.loss_curves()
                break
            if position["step"] >= limit:
                pictures.final()
                break
    result.step, result.epoch = position["step"], position["epoch"]
    return result


def _mean(rows: list[dict[str, float]], key: str) -> str:
    values = [r[key] for r in rows if key in r]
    return f"{sum(values) / len(values):.4g}" if values else "-"


def _append_epoch_row(
    path: Path, epoch: int, step: int, seconds: float, extra: dict[str, Any]
) -> None:
    """One row per finished epoch: its training time (pictures excluded) and its checks."""
    row = {"epoch": epoch, "step": step, "seconds": f"{seconds:.2f}"}
    row.update({k: f"{v:.6g}" if isinstance(v, float) else v for k, v in extra.items()})
    new = not path.exists()
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        if new:
            writer.writeheader()
        writer.writerow(row)
