"""Run-folder checkpoints: the model, the optimizers, the step and the random state.

Everything needed to continue a run exactly as if it had not stopped. Written with
``mg.save`` (atomic: a crash while saving leaves the previous checkpoint whole; no pickle).

A run folder holds ``checkpoint.mg`` (the latest state), ``config.json`` (the settings, for
people), ``metrics.csv``, ``epochs.csv`` and the pictures.
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
from minigen.train.config import TrainConfig

CHECKPOINT = "checkpoint.mg"
FORMAT = "minigen-run-1"


class CheckpointError(ValueError):
    """A checkpoint that is missing, of another model, or not a minigen run checkpoint."""


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
    (Path(run) / "config.json").write_text(json.dumps(json.loads(config.to_json()), indent=2))
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
    if expect_model is not None and state["model_name"] != expect_model:
        raise CheckpointError(
            f"{path} is a checkpoint of model '{state['model_name']}', not '{expect_model}': "
            f"resume it with: minigen train {state['model_name']} --out {run} --resume"
        )
    state["config"] = TrainConfig.from_json(state["config"])
    return state


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
    from minigen.train.recipes import RECIPES, build_model

    state = load_checkpoint(run, expect_model=expect_model, map_location="cpu")
    config: TrainConfig = state["config"]
    latent = config.latent_dim if RECIPES[config.model].latent_dim else None
    model = build_model(config.model, latent)
    model.load_state_dict(state["model"])
    model.to(mg.Device(device or "cpu"))
    model.eval()
    return model, config
