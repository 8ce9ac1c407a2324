"""Which model, which training step and which defaults each ``minigen train MODEL`` uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import minigen as mg
from minigen import nn
from minigen.models import AE, DCGAN, GAN, VAE, Classifier, ConditionalGAN, ConvVAE
from minigen.train.ae_step import AEStep
from minigen.train.classifier_step import ClassifierStep
from minigen.train.config import DEFAULTS, TrainConfig
from minigen.train.gan_step import GANStep
from minigen.train.vae_step import VAEStep


@dataclass(frozen=True)
class Recipe:
    """How to train one model: its class, its ``kind`` ("ae", "vae", "gan", "classifier")
    which picks the training step, the pictures and the numbers eval reports; the numbers are
    the defaults of the CLI options. (The pixel scale the data is given in is the model's
    ``pixel_scale``: it follows from the model's output layer.)"""

    model: type[nn.Module]
    kind: str
    epochs: int
    batch_size: int
    lr: float
    latent_dim: int | None


#: The models by their CLI name: the one list of model names.
RECIPES: dict[str, Recipe] = {
    "ae": Recipe(AE, "ae", 10, 128, 1e-3, 20),
    "vae": Recipe(VAE, "vae", 10, 128, 1e-3, 20),
    "conv-vae": Recipe(ConvVAE, "vae", 10, 128, 1e-3, 16),
    "gan": Recipe(GAN, "gan", 10, 64, 2e-4, 100),
    "dcgan": Recipe(DCGAN, "gan", 5, 64, 2e-4, 100),
    "cgan": Recipe(ConditionalGAN, "gan", 5, 64, 2e-4, 100),
    "classifier": Recipe(Classifier, "classifier", 3, 128, 1e-3, None),
}

#: The model classes by CLI name, read from the table (for code that only builds models).
MODELS: dict[str, type[nn.Module]] = {name: recipe.model for name, recipe in RECIPES.items()}


def resolve(config: TrainConfig) -> TrainConfig:
    """``config`` with every None filled from its recipe's defaults and ``DEFAULTS``
    (device: minigen's default device)."""
    recipe = RECIPES[config.model]
    if config.device is None:
        config.device = str(mg.get_default_device())
    for name in ("epochs", "batch_size", "lr", "latent_dim"):
        if getattr(config, name) is None:
            setattr(config, name, getattr(recipe, name))
    for name, value in DEFAULTS.items():
        if getattr(config, name) is None:
            setattr(config, name, value)
    return config


def build_model(name: str, latent_dim: int | None) -> nn.Module:
    """A fresh model for the CLI name ``name`` (float32, on the CPU)."""
    cls = RECIPES[name].model
    return cls() if latent_dim is None else cls(latent_dim=latent_dim)


def build_step(config: TrainConfig, model: nn.Module) -> Callable[..., dict[str, Any]]:
    """The training step object for ``config`` (it owns the optimizers)."""
    kind = RECIPES[config.model].kind
    if kind == "vae":
        return VAEStep(model, lr=config.lr, beta=config.beta, kl_warmup=config.kl_warmup)
    if kind == "ae":
        return AEStep(model, lr=config.lr)
    if kind == "gan":
        return GANStep(
            model, lr=config.lr, label_smoothing=config.label_smoothing,
            saturating=config.saturating, d_steps=config.d_steps,
        )
    return ClassifierStep(model, lr=config.lr)
