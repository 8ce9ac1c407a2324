"""Run-folder checkpoints: the model, the training step's state, the position and the random state.

Everything needed to continue a run exactly as if it had not stopped. Written with
``mg.save`` (atomic: a crash while saving leaves the previous checkpoint whole; no pickle).

A run folder holds ``checkpoint.mg`` (the latest state), ``config.json`` (the settings, for
people), ``metrics.csv``, ``epochs.csv``, the pictures, and ``.lock`` (the advisory lock that
keeps a second process out while one writes there: minigen/folder_lock.py).

The position is ``{"step", "epoch", "batch", "rows"}``: ``rows`` is how many rows of
metrics.csv the checkpoint covers (the file is append-only; rows past them were written after
the checkpoint, and a resumed run supersedes them).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

import minigen as mg
from minigen.backend import random as mg_random
from minigen.errors import MinigenError
from minigen.serialization import (
    CheckpointError,  # one error for every checkpoint problem
    atomic_write,
)
from minigen.train.config import TrainConfig
from minigen.train.metrics_log import read_metrics
from minigen.train.recipes import RECIPES, build_model

CHECKPOINT = "checkpoint.mg"
FORMAT = "minigen-run-1"


def checkpoint_path(run: str | os.PathLike) -> Path:
    """The checkpoint file of run folder ``run`` (``run`` may also be the file itself)."""
    path = Path(run)
    return path if path.is_file() else path / CHECKPOINT


def save_checkpoint(
    run: str | os.PathLike,
    config: TrainConfig,
    model: mg.nn.Module,
    trainer_state: dict[str, Any],
    position: dict[str, int],
) -> Path:
    """Save the whole state of a run to ``run/checkpoint.mg`` (atomically)."""
    path = Path(run) / CHECKPOINT
    state = {
        "format": FORMAT,
        "model_name": config.model,
        "config": config.to_json(),  # JSON text: every setting, None included
        "model": model.state_dict(),
        "trainer": trainer_state,
        "position": {k: int(v) for k, v in position.items()},
        "rng": _rng_state(config.device),
    }
    mg.save(state, path)
    with atomic_write(Path(run) / "config.json") as f:
        f.write(json.dumps(json.loads(config.to_json()), indent=2).encode())
    return path


def load_checkpoint(
    run: str | os.PathLike, expect_model: str | None = None, map_location: Any = None
) -> dict[str, Any]:
    """The checkpoint of ``run``; ``config`` is parsed back into a :class:`TrainConfig`.

    Raises :class:`CheckpointError` when there is none, when it is not a run checkpoint, or
    when it holds another model than ``expect_model``.
    """
    path = checkpoint_path(run)
    if not path.exists():
        raise CheckpointError(f"no checkpoint in {run}: expected {path}")
    try:
        state = mg.load(path, map_location=map_location)
    except Exception as error:  # a corrupt or foreign file: say which, without a traceback
        raise CheckpointError(f"cannot read checkpoint {path}: {error}") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a minigen training checkpoint")
    _check_parts(state, path)
    if expect_model is not None and state["model_name"] != expect_model:
        raise CheckpointError(
            f"{path} is a checkpoint of model '{state['model_name']}', not '{expect_model}': "
            f"resume it with: minigen train {state['model_name']} --out {run} --resume"
        )
    try:
        state["config"] = TrainConfig.from_json(state["config"])
    except (ValueError, TypeError) as error:
        raise CheckpointError(f"{path}: its saved settings are not valid ({error})") from None
    if state["config"].model != state["model_name"]:
        raise CheckpointError(f"{path}: its settings name model '{state['config'].model}' but it "
                              f"holds a '{state['model_name']}'")
    return state


def _check_parts(state: dict[str, Any], path: Path) -> None:
    """Refuse a checkpoint that lacks a part or holds one of the wrong type (a crafted file)."""
    def need(ok: bool, what: str) -> None:
        if not ok:
            raise CheckpointError(f"{path} is not a complete minigen training checkpoint: {what}")

    name = state.get("model_name")
    need(isinstance(name, str) and name in RECIPES,
         f"model_name is {name!r}, not one of {', '.join(RECIPES)}")
    need(isinstance(state.get("config"), str), "its config is not JSON text")
    need(isinstance(state.get("model"), dict), "it has no model state")
    need(isinstance(state.get("trainer"), dict), "it has no training-step state")
    position = state.get("position")
    need(isinstance(position, dict) and all(
        type(position.get(key)) is int and position[key] >= 0 for key in ("step", "epoch", "batch")
    ) and all(type(v) is int and v >= 0 for v in position.values()),
        f"its position {position!r} is not whole numbers step, epoch and batch")
    rng = state.get("rng")
    need(isinstance(rng, dict) and isinstance(rng.get("cpu"), str), "it has no random state")


def restore(state: dict[str, Any], model: mg.nn.Module, step: Any, device: str,
            path: str | os.PathLike) -> None:
    """Load the checkpoint ``state`` into ``model``, the training ``step`` and the random
    generators; a state that does not fit raises :class:`CheckpointError` naming ``path``."""
    try:
        model.load_state_dict(state["model"])
        step.load_state_dict(state["trainer"])
        restore_rng(state, device)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, MinigenError) as error:
        raise CheckpointError(f"cannot resume from {checkpoint_path(path)}: its saved state does "
                              f"not fit this run ({_one_line(error)})") from None


def restore_rng(state: dict[str, Any], device: str) -> None:
    """Put the random generators back as they were when the checkpoint was saved."""
    rng = state["rng"]
    mg.set_rng_state(json.loads(rng["cpu"]))
    target = mg.Device(device)
    gpu = rng.get("cuda")
    if target.type == "cuda" and gpu is not None and np.size(gpu) > 0:
        raw = getattr(mg_random.generator(target).bit_generator, "_state", None)
        # The state's size follows the GPU's number of multiprocessors: a checkpoint from
        # another GPU model continues with this generator's own stream instead.
        if raw is not None and raw.shape == np.shape(gpu):
            with target.context():
                raw[...] = target.xp.asarray(np.asarray(gpu))


def _rng_state(device: str) -> dict[str, Any]:
    # The CPU generator's state has 128-bit integers: kept as JSON text, which holds them.
    state: dict[str, Any] = {"cpu": json.dumps(mg.get_rng_state()), "cuda": np.zeros(0, np.int8)}
    target = mg.Device(device)
    if target.type == "cuda":
        # CuPy's generator keeps its state in device memory (cuRAND's XORWOW states), which
        # CuPy does not expose publicly; copy the raw bytes so a resume is exact on a GPU too.
        bit_generator = mg_random.generator(target).bit_generator
        raw = getattr(bit_generator, "_state", None)
        if raw is not None:
            state["cuda"] = raw.get()
    return state


@contextlib.contextmanager
def preserved_rng(device: str) -> Iterator[None]:
    """Run a block without disturbing the random stream of training (restored after it)."""
    saved = {"rng": _rng_state(device)}
    try:
        yield
    finally:
        restore_rng(saved, device)


def load_model(
    run: str | os.PathLike, device: Any = "cpu", expect_model: str | None = None
) -> tuple[mg.nn.Module, TrainConfig]:
    """The trained model of run folder ``run`` (in eval mode, on ``device``) and its config."""
    state = load_checkpoint(run, expect_model=expect_model, map_location="cpu")
    config: TrainConfig = state["config"]
    latent = config.latent_dim if RECIPES[config.model].latent_dim else None
    model = build_model(config.model, latent)
    try:
        model.load_state_dict(state["model"])
    except (KeyError, TypeError, ValueError, AttributeError, MinigenError) as error:
        raise CheckpointError(f"{checkpoint_path(run)}: its model state does not fit a "
                              f"{config.model} ({_one_line(error)})") from None
    model.to(mg.Device(device or "cpu"))
    model.eval()
    return model, config


def run_differences(run: str | os.PathLike, other: str | os.PathLike) -> list[str]:
    """Where two runs differ: each parameter and buffer (bit for bit) and each column of the
    metrics history as :func:`read_metrics` reads it. Empty when a resumed run is exactly the
    run that never stopped (what tests/cli/test_kills.py and benchmarks/kills.py check)."""
    found = []
    mine, theirs = load_checkpoint(run)["model"], load_checkpoint(other)["model"]
    for key in sorted(set(mine) | set(theirs)):
        if key not in mine or key not in theirs:
            found.append(f"{key}: only in one run")
        elif not np.array_equal(mine[key].numpy(), theirs[key].numpy()):
            found.append(f"{key}: other values")
    history = read_metrics(Path(run) / "metrics.csv")
    reference = read_metrics(Path(other) / "metrics.csv")
    for key in sorted(set(history) | set(reference)):
        a, b = history.get(key), reference.get(key)
        if a is None or b is None or not np.array_equal(a, b, equal_nan=True):
            found.append(f"metrics.csv column {key}: other values")
    return found


def _one_line(error: Exception) -> str:
    return f"{type(error).__name__}: " + " ".join(str(error).split())
