"""``ToyGAN``: a small MLP GAN for 2-D points (the ring of Gaussians, the Swiss roll).

It trains in seconds, and a scatter plot of its samples shows which modes of the data it
found: the classic way to *see* mode collapse. Same interface as :class:`GAN`, so
:class:`minigen.train.GANStep` trains it unchanged.
"""

from __future__ import annotations

import minigen as mg
from minigen import nn


class ToyGAN(nn.Module):
    """G: latent_dim-hidden-hidden-2 with ReLU; D: 2-hidden-hidden-1 with LeakyReLU(0.2)."""

    conditional = False

    def __init__(self, latent_dim: int = 8, hidden: int = 128) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = nn.Sequential(
            nn.Linear(latent_dim, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 2),
        )
        self.discriminator = nn.Sequential(
            nn.Linear(2, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )

    def noise(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        return mg.randn(n, self.latent_dim, device=device)

    def generate(self, z: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        """Points (B, 2)."""
        return self.generator(z)

    def discriminate(self, x: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        return self.discriminator(x).reshape(-1)

    def sample(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        with mg.no_grad():
            return self.generate(self.noise(n, device))
