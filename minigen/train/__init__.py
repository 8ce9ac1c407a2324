"""Training, as explicit gradient steps a reader can follow line by line.

- ``VAEStep`` (vae_step.py), ``AEStep`` (ae_step.py), ``GANStep`` (gan_step.py),
  ``ClassifierStep`` (classifier_step.py): one step of each recipe;
- ``train(TrainConfig(...))`` (loop.py): the run folder's lock, Ctrl-C and the epochs of a
  ``TrainingSession`` (session.py: prepare or resume a run, run an epoch, end an epoch with
  metrics.csv, checkpoint and pictures);
- ``StepState`` (step_state.py): the optimizers' state each step saves and restores;
- ``save_checkpoint``, ``load_checkpoint``, ``load_model`` (checkpoint.py): run folders.
"""

from minigen.nn.functional import cross_entropy  # kept importable here, where it used to live
from minigen.train.ae_step import AEStep
from minigen.train.checkpoint import CheckpointError, load_checkpoint, load_model, save_checkpoint
from minigen.train.classifier_step import ClassifierStep
from minigen.train.common import grad_norm, set_requires_grad
from minigen.train.config import ConfigError, TrainConfig
from minigen.train.gan_step import GANStep
from minigen.train.loop import TrainResult, train
from minigen.train.recipes import RECIPES, build_model, build_step
from minigen.train.vae_step import VAEStep, kl_per_dim, vae_loss
from minigen.train.warnings import TeachingWarnings, TrainingDiverged

__all__ = [
    "AEStep", "CheckpointError", "ClassifierStep", "ConfigError", "GANStep", "RECIPES", "TeachingWarnings",
    "TrainConfig", "TrainResult", "TrainingDiverged", "VAEStep", "build_model", "build_step",
    "cross_entropy", "grad_norm", "kl_per_dim", "load_checkpoint", "load_model",
    "save_checkpoint", "set_requires_grad", "train", "vae_loss",
]
