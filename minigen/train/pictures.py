"""What the loop draws and checks at the end of each epoch, per kind of model.

- every model: the loss curves (loss_curves.png);
- generative models: a grid of samples from the *same* fixed noise every epoch
  (samples/epoch_001.png, ...), so the pictures show the generator changing, not the noise;
- GANs: interpolations between fixed noise vectors;
- VAEs and AEs: reconstructions next to their inputs, latent interpolations, the test-set
  negative ELBO (VAEs), and with a 2-D latent the latent space coloured by label and the
  decoded manifold grid;
- the classifier: its test accuracy;
- GANs with ``--classifier``: the class coverage of 1,000 samples (mode collapse watch).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import minigen as mg
from minigen import nn
from minigen.metrics.batches import map_batches, unit_images
from minigen.metrics.classifier_space import accuracy, classify
from minigen.metrics.coverage import class_coverage
from minigen.metrics.elbo import negative_elbo
from minigen.metrics.samples import draw_samples
from minigen.models import Sampler
from minigen.train.checkpoint import load_model
from minigen.train.config import TrainConfig
from minigen.train.metrics_log import read_metrics
from minigen.viz import (
    plot_interpolations,
    plot_latent_space,
    plot_loss_curves,
    plot_manifold,
    plot_reconstructions,
    save_grid,
)

GRID = 64  # samples per grid (8 x 8); the conditional GAN shows 10 x 10, one row per class


class EpochPictures:
    """Draws the pictures of one run; see the module docstring."""

    def __init__(
        self, run: Path, config: TrainConfig, model: nn.Module, kind: str, test_set: Any,
        device: mg.Device,
    ) -> None:
        self.run, self.config, self.model, self.kind = run, config, model, kind
        self.device = device
        self.test_images = unit_images(test_set)
        self.test_labels = np.asarray(test_set.labels)
        self.class_names = getattr(test_set, "classes", None)
        # Fixed noise from its own generator: the same every epoch and after a resume,
        # and drawing it does not touch the training's random stream.
        rng = np.random.default_rng([config.seed, 2024])
        self.fixed_noise = self.fixed_labels = None  # the classifier draws nothing
        if isinstance(model, Sampler):
            n = GRID if model.num_classes is None else 100
            self.fixed_noise = rng.standard_normal((n, model.latent_dim)).astype(np.float32)
            self.fixed_labels = np.arange(n) // 10  # conditional GAN: row k shows class k
        self.classifier = None
        if config.classifier and kind == "gan":
            self.classifier, _ = load_model(config.classifier, device, expect_model="classifier")

    # -- helpers ---------------------------------------------------------------------------
    def _tensor(self, array: np.ndarray) -> mg.Tensor:
        return mg.tensor(array, device=self.device)

    def _decode(self, codes: np.ndarray) -> np.ndarray:
        """Images in [0, 1] from latent codes (decoder for VAEs/AEs, generator for GANs)."""
        with mg.no_grad():
            z = self._tensor(np.asarray(codes, dtype=np.float32))
            if self.kind == "gan":
                labels = None
                if self.model.num_classes is not None:
                    labels = self._tensor(self.fixed_labels[: len(codes)] % 10)
                return self.model.to_unit(self.model.generate(z, labels)).numpy()
            return self.model.decode(z).numpy()

    # -- what is drawn -----------------------------------------------------------------------
    def loss_curves(self) -> None:
        metrics_file = self.run / "metrics.csv"
        if metrics_file.exists() and metrics_file.stat().st_size:
            plot_loss_curves(read_metrics(metrics_file), self.run / "loss_curves.png")

    def final(self) -> None:
        """After a run stopped by --max-steps: the curves and the current samples."""
        self.loss_curves()
        if self.fixed_noise is not None:
            self.model.eval()
            save_grid(self._decode(self.fixed_noise), self.run / "samples" / "final.png",
                      nrow=10 if len(self.fixed_noise) == 100 else None)
            self.model.train()

    def end_of_epoch(self, epoch: int) -> dict[str, Any]:
        """Draw the epoch's pictures; return the epoch's checks (for epochs.csv)."""
        self.model.eval()
        extra: dict[str, Any] = {}
        try:
            if self.fixed_noise is not None:
                save_grid(
                    self._decode(self.fixed_noise), self.run / "samples" / f"epoch_{epoch:03d}.png",
                    nrow=10 if len(self.fixed_noise) == 100 else None,
                    title=f"{self.config.model}, epoch {epoch}",
                )
            if self.kind in ("vae", "ae"):
                extra.update(self._autoencoder_pictures())
            elif self.kind == "classifier":
                extra["test_accuracy"] = accuracy(
                    self.model, self.test_images, self.test_labels, self.device)
            else:  # GANs: walk between fixed noise vectors (rows keep one class for cgan)
                z = self.fixed_noise
                pairs = [(z[2 * i], z[2 * i + 1]) for i in range(5)]
                plot_interpolations(self._decode, pairs, self.run / "interpolations.png")
                if self.classifier is not None:
                    extra.update(self._coverage())
        finally:
            self.model.train()
        self.loss_curves()
        return extra

    def _autoencoder_pictures(self) -> dict[str, Any]:
        extra = {}
        x = self.test_images[:32]
        with mg.no_grad():
            out = self.model.decode(self.model.embed(self._tensor(x))).numpy()
        plot_reconstructions(x, out, self.run / "reconstructions.png")
        codes = map_batches(self.model.embed, self.test_images[:2000], self.device)
        # Interpolate between test images of different classes (first of class k and k+1).
        firsts = [int(np.flatnonzero(self.test_labels[:2000] == k)[0]) for k in range(0, 10, 2)
                  if np.any(self.test_labels[:2000] == k)]
        pairs = [(codes[a], codes[b]) for a, b in zip(firsts, firsts[1:] + firsts[:1], strict=True)]
        plot_interpolations(self._decode, pairs, self.run / "interpolations.png")
        if codes.shape[1] == 2:
            plot_latent_space(codes, self.test_labels[:2000], self.run / "latent_space.png",
                              self.class_names)
            plot_manifold(self._decode, self.run / "manifold.png")
        if self.kind == "vae":
            extra["test_neg_elbo"] = negative_elbo(self.model, self.test_images, self.device)
        return extra

    def _coverage(self) -> dict[str, Any]:
        samples = draw_samples(self.model, 1000, self.device)
        _, predicted = classify(self.classifier, samples, self.device)
        coverage = class_coverage(predicted)
        return {"classes_covered": coverage.covered, "class_entropy": coverage.entropy}
