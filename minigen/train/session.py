"""One training session in a locked run folder: prepare it, run an epoch, end an epoch.

loop.py checks the options and takes the folder's lock, then drives these three pieces:

- :func:`prepare_session` builds the model, its training step and the batches, and on a
  resume puts back the checkpoint's parameters, step state, random state and position;
- :meth:`TrainingSession.run_epoch` feeds the batches of one epoch (or of what is left of
  it) to the step, keeping the metrics on the device until it logs a block of them;
- :meth:`TrainingSession.end_epoch` saves the checkpoint and, after a whole epoch, draws the
  pictures and appends the epoch's row to epochs.csv.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

import minigen as mg
from minigen import nn
from minigen.data import DataLoader
from minigen.train import checkpoint as ckpt
from minigen.train.common import batch_to_device
from minigen.train.config import TrainConfig
from minigen.train.interrupt import StopRequest
from minigen.train.metrics_log import CSVHistory, MetricsLog
from minigen.train.pictures import EpochPictures
from minigen.train.recipes import RECIPES, build_model, build_step
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
    """What a call to :func:`minigen.train.train` did."""

    run: Path
    step: int
    epoch: int
    interrupted: bool = False
    epoch_seconds: list[float] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class TrainingSession:
    """Everything one session of a run holds; ``position`` is where the run stands
    (``{"step", "epoch", "batch", "rows"}``, as the checkpoint saves it)."""

    run: Path
    config: TrainConfig
    device: mg.Device
    kind: str
    model: nn.Module
    step: Callable[..., dict[str, Any]]
    loader: DataLoader
    log: MetricsLog
    epochs_log: CSVHistory
    position: dict[str, int]
    pictures: EpochPictures
    result: TrainResult
    progress: bool
    stream: TextIO
    teacher: TeachingWarnings = field(default_factory=TeachingWarnings)

    @property
    def limit(self) -> float:
        """The step this session stops at (``--max-steps``), or infinity."""
        return self.config.max_steps if self.config.max_steps is not None else float("inf")

    def run_epoch(self, stop: StopRequest) -> float:
        """Train on the rest of the current epoch's batches, until its end, Ctrl-C or the step
        limit; the seconds it took, the device's work included."""
        position, epoch = self.position, self.position["epoch"]
        batches = islice(self.loader.numpy_batches(epoch), position["batch"], None)
        bar = tqdm(
            total=len(self.loader), initial=position["batch"], file=self.stream,
            disable=not self.progress, desc=f"epoch {epoch + 1}/{self.config.epochs}",
            dynamic_ncols=True, leave=True,
        )
        self.model.train()
        start = time.perf_counter()
        for images, labels in batches:
            metrics = self.step(batch_to_device(images, self.device),
                                batch_to_device(labels, self.device))
            position["step"] += 1
            position["batch"] += 1
            self.log.add(position["step"], epoch + 1, metrics)
            if position["step"] % self.config.log_every == 0:
                self._log_block(bar)
            bar.update(1)
            if stop.requested or position["step"] >= self.limit:
                break
        self.check(self.log.flush())
        mg.synchronize(self.device)
        seconds = time.perf_counter() - start
        bar.close()
        return seconds

    def _log_block(self, bar: tqdm) -> None:
        rows = self.log.flush()  # the one host copy of this block of steps
        self.check(rows)
        for message in self.teacher.check_block(rows):
            self.say(message)
        bar.set_postfix({k: _mean(rows, k) for k in SHOWN[self.kind]}, refresh=False)

    def end_epoch(self, epoch: int, seconds: float) -> None:
        """Save the checkpoint; after a whole epoch, also the pictures and epochs.csv's row."""
        position = self.position
        finished = position["batch"] >= len(self.loader)
        if finished:
            position["epoch"] += 1
            position["batch"] = 0
            self.result.epoch_seconds.append(seconds)
        self.save()
        if not finished:
            return
        # Pictures and checks draw random numbers: keep them out of the training stream, so
        # a run resumed from this checkpoint draws what this one will.
        with ckpt.preserved_rng(self.config.device):
            extra = self.pictures.end_of_epoch(epoch + 1)
        covered = extra.get("classes_covered")
        if covered is not None:
            for message in self.teacher.check_coverage(epoch + 1, int(covered), 10):
                self.say(message)
        row = {"epoch": epoch + 1, "step": position["step"], "seconds": f"{seconds:.2f}"}
        self.epochs_log.append([{**row, **extra}])

    def save(self) -> None:
        self.log.flush(sync=True)  # durable before the checkpoint that counts them
        self.position["rows"] = self.log.rows
        ckpt.save_checkpoint(self.run, self.config, self.model, self.step.state_dict(),
                             self.position)

    def check(self, rows: list[dict[str, float]]) -> None:
        """Stop with :class:`TrainingDiverged` on a loss that is not finite."""
        try:
            check_finite(rows, LOSSES)
        except TrainingDiverged as error:
            if (self.run / ckpt.CHECKPOINT).exists():
                raise
            raise TrainingDiverged(str(error).replace(
                "the last checkpoint (before this) is intact.",
                "no checkpoint was saved (it diverged before the first).")) from None

    def say(self, message: str) -> None:
        self.result.warnings.append(message)
        tqdm.write("warning: " + message, file=self.stream)


def prepare_session(
    run: Path, config: TrainConfig, data: tuple[Any, Any], state: dict[str, Any] | None,
    progress: bool, stream: TextIO, note: Callable[[str], None],
) -> TrainingSession:
    """Build the model, its step and the batches of ``config``; with a checkpoint ``state``,
    continue from it."""
    device = mg.Device(config.device)
    _ = device.xp  # fail now with the clear CUDA error, before loading anything
    kind = RECIPES[config.model].kind

    mg.manual_seed(config.seed)
    model = build_model(config.model, RECIPES[config.model].latent_dim and config.latent_dim)
    model.to(device)
    step = build_step(config, model)
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
        ckpt.restore(state, model, step, config.device, run)
        position = {**position, **state["position"]}
        _note_rows_past(log, state["position"].get("rows"), position["step"], note)
    pictures = EpochPictures(run, config, model, kind, test_set, device)
    result = TrainResult(run, position["step"], position["epoch"])
    return TrainingSession(run, config, device, kind, model, step, loader, log, epochs_log,
                           position, pictures, result, progress, stream)


def _note_rows_past(log: MetricsLog, covered: int | None, step: int,
                    note: Callable[[str], None]) -> None:
    """Say when metrics.csv holds more or fewer rows than the checkpoint counted."""
    if covered is not None and log.rows > covered:
        note(f"{log.path}: {log.rows - covered} row(s) written after the checkpoint (past "
             f"step {step}) are kept; this run writes those steps again after them")
    elif covered is not None and log.rows < covered:
        note(f"{log.path} holds {log.rows} rows, fewer than the {covered} the checkpoint "
             f"covers: its history before step {step} is incomplete")


def _mean(rows: list[dict[str, float]], key: str) -> str:
    values = [r[key] for r in rows if key in r]
    return f"{sum(values) / len(values):.4g}" if values else "-"
