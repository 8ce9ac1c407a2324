"""``GAN``: the original generative adversarial network (Goodfellow et al., 2014), as MLPs.

Two networks play a game: the generator G turns noise z into images; the discriminator D
says how likely an image is real (a logit: > 0 means "real"). D learns to tell real from fake,
G learns to fool D. The game itself is in :mod:`minigen.train.gan_step`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import minigen as mg
from minigen import nn


@contextmanager
def sampling(model: nn.Module) -> Iterator[None]:
    """No graph, and eval mode (batchnorm uses its running statistics and does not update
    them), restoring the previous mode after: drawing samples must not change the model."""
    was_training = model.training
    model.eval()
    try:
        with mg.no_grad():
            yield
    finally:
        model.train(was_training)


class GAN(nn.Module):
    """G: 100-256-512-1024-784, LeakyReLU(0.2), Tanh output (pixels in [-1, 1]).
    D: 784-512-256-1, LeakyReLU(0.2), a logit output."""

    pixel_scale = "symmetric"  # G ends in tanh, so real images are scaled to [-1, 1] too
    conditional = False

    def __init__(self, latent_dim: int = 100) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = nn.Sequential(
            nn.Linear(latent_dim, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 1024), nn.LeakyReLU(0.2),
            nn.Linear(1024, 784), nn.Tanh(),
            nn.Unflatten(1, (1, 28, 28)),
        )
        self.discriminator = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 1),
        )

    def noise(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        """n latent vectors z ~ N(0, I)."""
        return mg.randn(n, self.latent_dim, device=device)

    def generate(self, z: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        """G(z): images (B, 1, 28, 28) in [-1, 1]. ``labels`` is ignored (unconditional)."""
        return self.generator(z)

    def discriminate(self, x: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        """D(x) as logits, shape (B,): sigmoid(D(x)) is the probability that x is real."""
        return self.discriminator(x).reshape(-1)

    @staticmethod
    def to_unit(images: mg.Tensor) -> mg.Tensor:
        """G's tanh images in [-1, 1] as pixels in [0, 1], for pictures and metrics."""
        return (images + 1) * 0.5

    def sample(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        """``n`` new images in [0, 1]."""
        with sampling(self):
            return self.to_unit(self.generate(self.noise(n, device)))
