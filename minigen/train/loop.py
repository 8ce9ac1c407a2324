"""The training loop: epochs of steps, a progress bar, logs, pictures, checkpoints, resume.

What a step *does* is in the recipe files (vae_step.py, gan_step.py, ...); this file only
drives them: it feeds batches, keeps the metrics on the device until it logs them, draws the
pictures at the end of each epoch, saves checkpoints, stops cleanly on Ctrl-C, and resumes
exactly where a run stopped (same parameters, training-step state, random state and batch).

It also keeps the run folder's promises (docs/checkpoints.md): the folder is locked for this
process, metrics.csv and epochs.csv are only appended to, and options that cannot take effect
are refused before any work.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

import minigen as mg
from minigen.data import DataLoader, get_dataset
from minigen.errors import os_errors_name
from minigen.folder_lock import lock_folder
from minigen.train import checkpoint as ckpt
from minigen.train.common import batch_to_device
from minigen.train.config import ANEW, ConfigError, TrainConfig, check_options, option, resume_changes
from minigen.train.interrupt import StopRequest
from minigen.train.metrics_log import CSVHistory, MetricsLog
from minigen.train.pictures import EpochPictures
from minigen.train.recipes import RECIPES, build_model, build_step, resolve
from minigen.train.warnings import TeachingWarnings, TrainingDiverged, check_finite

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

    Options that cannot take effect raise :class:`ConfigError` before any work. The run
    folder is held by this process alone (an OS advisory lock; a second ``train``, ``eval`` or
    ``sample`` writing there gets :class:`FolderBusyError` naming this process), and the
    temporary files of killed saves found there are removed.

    With ``resume``, the settings come from the run's checkpoint; only ``epochs``,
    ``max_steps``, ``device`` and ``data_dir`` may be given anew (to train further than first
    planned, or elsewhere); any other given setting that differs is refused.
    """
    stream = stream or sys.stderr
    if config.model not in RECIPES:
        raise ConfigError(f"unknown model {config.model!r}; choose one of: {', '.join(RECIPES)}")
    check_options(config, RECIPES[config.model].kind)
    run = Path(config.out)
    if resume:
        if not (run / ckpt.CHECKPOINT).is_file():
            raise ckpt.CheckpointError(f"no checkpoint in {run}: expected {run / ckpt.CHECKPOINT}")
        with lock_folder(run, f"minigen train {config.model}", create=False) as removed:
            state = ckpt.load_checkpoint(run, expect_model=config.model, map_location="cpu")
            config = _resumed_config(config, state)
            data = _datasets(config)
            return _train(run, config, data, state, removed, progress, stream)
    config = resolve(dataclasses.replace(config))
    if (run / ckpt.CHECKPOINT).exists():  # (checked again under the lock)
        raise ckpt.CheckpointError(_already_a_run(run))
    data = _datasets(config)  # before the folder is made: a refused run leaves nothing behind
    with lock_folder(run, f"minigen train {config.model}") as removed:
        if (run / ckpt.CHECKPOINT).exists():
            raise ckpt.CheckpointError(_already_a_run(run))
        for stale in ("metrics.csv", "epochs.csv"):  # of a run killed before its first save
            (run / stale).unlink(missing_ok=True)
        return _train(run, config, data, None, removed, progress, stream)


def _resumed_config(given: TrainConfig, state: dict[str, Any]) -> TrainConfig:
    """The saved settings, with what may be given anew; refuses changes and no-op resumes."""
    saved: TrainConfig = state["config"]
    changes = resume_changes(given, saved)
    if changes:
        raise ConfigError(
            f"--resume continues the run in {given.out} with its saved settings, but "
            f"{'; '.join(changes)}. Only {', '.join(option(n) for n in ANEW)} may be given "
            "anew; to train with other settings, start a new run with another --out")
    saved.out = given.out
    saved.max_steps = given.max_steps  # a limit of one session, not of the run
    for name in ("epochs", "device", "data_dir"):
        if getattr(given, name) is not None:
            setattr(saved, name, getattr(given, name))
    config = resolve(saved)
    position = state["position"]
    if position["epoch"] >= config.epochs:
        raise ConfigError(
            f"the run in {given.out} has finished its {config.epochs} epochs (step "
            f"{position['step']}): give --epochs N with N > {config.epochs} to train further")
    if config.max_steps is not None and config.max_steps <= position["step"]:
        raise ConfigError(f"--max-steps {config.max_steps}: the run in {given.out} is already at "
                          f"step {position['step']}; give a larger number")
    return config


def _datasets(config: TrainConfig) -> tuple[Any, Any]:
    """The train and test sets; refuses a batch size no epoch could hold."""
    train_set = get_dataset(config.data, root=config.data_dir, train=True)
    if config.batch_size > len(train_set):
        raise ConfigError(
            f"--batch-size {config.batch_size} is larger than the {len(train_set)} training "
            f"images of {config.data}: an epoch would have no full batch (use at most "
            f"{len(train_set)})")
    return train_set, get_dataset(config.data, root=config.data_dir, train=False)


def _already_a_run(run: Path) -> str:
    return f"{run} already holds a run; continue it with --resume, or choose another --out"


def _train(
    run: Path, config: TrainConfig, data: tuple[Any, Any], state: dict[str, Any] | None,
    removed: list[str], progress: bool, stream: TextIO,
) -> TrainResult:
    def note(message: str) -> None:
        tqdm.write("note: " + message, file=stream)

    if removed:
        note(f"removed {len(removed)} temporary file(s) of killed saves from {run}: "
             f"{', '.join(removed[:3])}{' ...' if len(removed) > 3 else ''}")
    with os_errors_name(run):
        return _loop(run, config, data, state, progress, stream, note)


def _loop(
    run: Path, config: TrainConfig, data: tuple[Any, Any], state: dict[str, Any] | None,
    progress: bool, stream: TextIO, note: Any,
) -> TrainResult:
    device = mg.Device(config.device)
    _ = device.xp  # fail now with the clear CUDA error, before loading anything
    kind = RECIPES[config.model].kind

    mg.manual_seed(config.seed)
    model = build_model(config.model, RECIPES[config.model].latent_dim and config.latent_dim)
    model.to(device)
    step_fn = build_step(config, model)
    train_set, test_set = data
    # GANs drop the last, smaller batch: D then always compares equal-sized real and fake
    # batches, and batchnorm never sees a batch of one.
    loader = DataLoader(
        train_set, config.batch_size, shuffle=True, drop_last=(kind == "gan"),
        seed=config.seed, scale=model.pixel_scale,
    )

    log = MetricsLog(run / "metrics.csv", notice=note)
    epochs_log = CSVHistory(run / "epochs.csv", notice=note)
    position = {"step": 0, "epoch": 0, "batch": 0, "rows": 0}
    if state is not None:
        ckpt.restore(state, model, step_fn, config.device, run)
        position = {**position, **state["position"]}
        covered = state["position"].get("rows")
        if covered is not None and log.rows > covered:
            note(f"{log.path}: {log.rows - covered} row(s) written after the checkpoint (past "
                 f"step {position['step']}) are kept; this run writes those steps again after them")
        elif covered is not None and log.rows < covered:
            note(f"{log.path} holds {log.rows} rows, fewer than the {covered} the checkpoint "
                 f"covers: its history before step {position['step']} is incomplete")

    pictures = EpochPictures(run, config, model, kind, test_set, device)
    teacher = TeachingWarnings()
    result = TrainResult(run, position["step"], position["epoch"])

    def say(message: str) -> None:
        result.warnings.append(message)
        tqdm.write("warning: " + message, file=stream)

    def save() -> None:
        log.flush(sync=True)  # durable before the checkpoint that counts them
        position["rows"] = log.rows
        ckpt.save_checkpoint(run, config, model, step_fn.state_dict(), position)

    def check(rows: list[dict[str, float]]) -> None:
        try:
            check_finite(rows, LOSSES)
        except TrainingDiverged as error:
            if (run / ckpt.CHECKPOINT).exists():
                raise
            raise TrainingDiverged(str(error).replace(
                "the last checkpoint (before this) is intact.",
                "no checkpoint was saved (it diverged before the first).")) from None

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
                    check(rows)
                    for message in teacher.check_block(rows):
                        say(message)
                    bar.set_postfix({k: _mean(rows, k) for k in shown}, refresh=False)
                bar.update(1)
                if stop.requested or position["step"] >= limit:
                    break
            check(log.flush())
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
                row = {"epoch": epoch + 1, "step": position["step"], "seconds": f"{seconds:.2f}"}
                epochs_log.append([{**row, **extra}])
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
