"""The training loop: epochs of steps, a progress bar, logs, pictures, checkpoints, resume.

What a step *does* is in the recipe files (vae_step.py, gan_step.py, ...); this file only
drives them, through the three pieces of session.py: prepare the session (the model, its step,
the batches, and on a resume the saved parameters, training-step state, random state and
batch, so the run continues exactly where it stopped), run an epoch (feed the batches, keep
the metrics on the device until it logs them), end an epoch (save the checkpoint, draw the
pictures); it stops cleanly on Ctrl-C and at ``max_steps``.

It also keeps the run folder's promises (docs/checkpoints.md): the folder is locked for this
process, metrics.csv and epochs.csv are only appended to, and options that cannot take effect
are refused before any work.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from minigen.data import get_dataset
from minigen.errors import os_errors_name
from minigen.folder_lock import lock_folder
from minigen.train import checkpoint as ckpt
from minigen.train.config import ANEW, ConfigError, TrainConfig, check_options, option, resume_changes
from minigen.train.interrupt import StopRequest
from minigen.train.recipes import RECIPES, resolve
from minigen.train.session import TrainResult, prepare_session

__all__ = ["TrainResult", "train"]


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
    progress: bool, stream: TextIO, note: Callable[[str], None],
) -> TrainResult:
    session = prepare_session(run, config, data, state, progress, stream, note)
    position, pictures, result = session.position, session.pictures, session.result
    with StopRequest() as stop:
        while position["epoch"] < config.epochs and position["step"] < session.limit:
            epoch = position["epoch"]
            seconds = session.run_epoch(stop)
            session.end_epoch(epoch, seconds)
            if stop.requested:
                result.interrupted = True
                pictures.loss_curves()
                break
            if position["step"] >= session.limit:
                pictures.final()
                break
    result.step, result.epoch = position["step"], position["epoch"]
    return result
