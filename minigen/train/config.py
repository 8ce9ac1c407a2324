"""``TrainConfig``: everything that defines a training run, saved with its checkpoints.

Options that cannot take effect are refused before any work, by :func:`check_options`: a
size below 1, a rate that is not a finite number, ``beta < 0``, an option of another kind of
model. On ``--resume`` the saved settings hold; :func:`resume_changes` lists the given options
that would change them (only those in ``ANEW`` may be given anew).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

from minigen.errors import MinigenError


class ConfigError(MinigenError, ValueError):
    """An option that cannot take effect; the message names it and says why."""


@dataclass
class TrainConfig:
    """The settings of one run. ``None`` means "not given": the recipe's default for a new run
    (``recipes.resolve``, ``DEFAULTS``), the saved setting when the run is resumed."""

    model: str
    out: str
    data: str | None = None
    data_dir: str | None = None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    latent_dim: int | None = None
    #: "cpu", "cuda", "cuda:N"; None: minigen's default device ($MINIGEN_DEVICE, else "cpu").
    device: str | None = None
    seed: int | None = None
    max_steps: int | None = None
    #: Metrics go from the device to metrics.csv every ``log_every`` steps (one copy each time).
    log_every: int | None = None
    # VAE options
    beta: float | None = None
    kl_warmup: int | None = None
    # GAN options
    label_smoothing: float | None = None
    saturating: bool | None = None
    d_steps: int | None = None
    #: A trained classifier's run folder: enables the class-coverage check while training.
    classifier: str | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        """The config saved as ``text``; raises ValueError for text that is not one."""
        values = json.loads(text)
        if not isinstance(values, dict):
            raise ValueError(f"expected a JSON object, got {type(values).__name__}")
        for name in ("model", "out"):
            if not isinstance(values.get(name), str):
                raise ValueError(f"'{name}' is {values.get(name)!r}, not text")
        known = {f.name for f in dataclasses.fields(cls)}
        config = cls(**{k: v for k, v in values.items() if k in known})
        check_options(config)
        return config


#: The defaults of the options no recipe sets.
DEFAULTS: dict[str, Any] = {
    "data": "mnist-sample", "seed": 0, "log_every": 50, "beta": 1.0, "kl_warmup": 0,
    "label_smoothing": 0.0, "saturating": False, "d_steps": 1,
}

#: What ``--resume`` may change; every other setting is the saved run's.
ANEW = ("epochs", "max_steps", "device", "data_dir")

#: The options of one kind of model only: given to another, they could not take effect.
ONLY_FOR = {
    "beta": ("vae",), "kl_warmup": ("vae",),
    "label_smoothing": ("gan",), "saturating": ("gan",), "d_steps": ("gan",),
    "classifier": ("gan",),
    "latent_dim": ("vae", "ae", "gan"),
}

_WHOLE = {"epochs": 1, "batch_size": 1, "latent_dim": 1, "max_steps": 1, "log_every": 1,
          "d_steps": 1, "seed": 0, "kl_warmup": 0}
#: The largest latent size: far above any lesson's (2 to 100), and it keeps a forged
#: checkpoint from asking for a model of many gigabytes.
MAX_LATENT_DIM = 4096
_TEXT = ("model", "out", "data", "data_dir", "device", "classifier")


def option(name: str) -> str:
    """The command-line spelling of a setting: ``batch_size`` -> ``--batch-size``."""
    return "--" + name.replace("_", "-")


def check_options(config: TrainConfig, kind: str | None = None) -> None:
    """Refuse settings that cannot take effect, with :class:`ConfigError` naming the option.

    ``kind`` ("vae", "ae", "gan", "classifier") also refuses options of another kind of model.
    """
    for name, least in _WHOLE.items():
        value = getattr(config, name)
        if value is not None and (type(value) is not int or value < least):
            raise ConfigError(f"{option(name)} must be a whole number of at least {least}, "
                              f"not {value!r}")
    if config.latent_dim is not None and config.latent_dim > MAX_LATENT_DIM:
        raise ConfigError(f"--latent-dim must be at most {MAX_LATENT_DIM}, not {config.latent_dim}")
    _check_number(config, "lr", lambda v: v > 0, "a finite number greater than 0")
    _check_number(config, "beta", lambda v: v >= 0, "a finite number of at least 0")
    _check_number(config, "label_smoothing", lambda v: 0 <= v < 1, "a number in [0, 1)")
    for name in _TEXT:
        value = getattr(config, name)
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{option(name)} must be text, not {value!r}")
    if config.saturating is not None and not isinstance(config.saturating, bool):
        raise ConfigError(f"--saturating must be true or false, not {config.saturating!r}")
    if kind is None:
        return
    for name, kinds in ONLY_FOR.items():
        value = getattr(config, name)
        if kind not in kinds and value is not None and value != DEFAULTS.get(name):
            raise ConfigError(f"{option(name)} does not apply to {config.model}: it is an "
                              f"option of {_kinds(kinds)} only")


def resume_changes(given: TrainConfig, saved: TrainConfig) -> list[str]:
    """The given options that would change the saved run, as ``--lr 5 (the run has 0.0002)``."""
    changes = []
    for field in dataclasses.fields(TrainConfig):
        name = field.name
        if name in ("model", "out") + ANEW:
            continue
        value, kept = getattr(given, name), getattr(saved, name)
        if value is not None and value != kept:
            changes.append(f"{option(name)} {value} (the run has {kept})")
    return changes


def _check_number(config: TrainConfig, name: str, rule: Any, what: str) -> None:
    value = getattr(config, name)
    if value is None:
        return
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (ok and math.isfinite(value) and rule(value)):
        raise ConfigError(f"{option(name)} must be {what}, not {value!r}")


def _kinds(kinds: tuple[str, ...]) -> str:
    names = {"vae": "VAEs (vae, conv-vae)", "ae": "the autoencoder (ae)",
             "gan": "GANs (gan, dcgan, cgan)", "classifier": "the classifier"}
    return " and ".join(names[k] for k in kinds)
