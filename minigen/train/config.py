"""``TrainConfig``: everything that defines a training run, saved with its checkpoints."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any


@dataclass
class TrainConfig:
    """The settings of one run. ``None`` means "the recipe's default" (see recipes.py)."""

    model: str
    out: str
    data: str = "mnist-sample"
    data_dir: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    latent_dim: int | None = None
    #: "cpu", "cuda", "cuda:N"; None: minigen's default device ($MINIGEN_DEVICE, else "cpu").
    device: str | None = None
    seed: int = 0
    max_steps: int | None = None
    #: Metrics go from the device to metrics.csv every ``log_every`` steps (one copy each time).
    log_every: int = 50
    # VAE options
    beta: float = 1.0
    kl_warmup: int = 0
    # GAN options
    label_smoothing: float = 0.0
    saturating: bool = False
    d_steps: int = 1
    #: A trained classifier's run folder: enables the class-coverage check while training.
    classifier: str | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        values: dict[str, Any] = json.loads(text)
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
