"""``ToyGAN``: a small MLP GAN for 2-D points (the ring of Gaussians, the Swiss roll).

It trains in seconds, and a scatter plot of its samples shows which modes of the data it
found: the classic way to *see* mode collapse. A :class:`GAN` built with other networks
(its ``noise``, ``generate`` and ``discriminate`` are the GAN's), so :class:`minigen.train.GANStep`
trains it unchanged.
"""

from __future__ import annotations

import minigen as mg
from minigen import nn
from minigen.models.gan import GAN


class ToyGAN(GAN):
    """G: latent_dim-hidden-hidden-2 with ReLU; D: 2-hidden-hidden-1 with LeakyReLU(0.2)."""

    def __init__(self, latent_dim: int = 8, hidden: int = 128) -> None:
        super().__init__(
            latent_dim,
            generator=nn.Sequential(
                nn.Linear(latent_dim, hidden), nn.ReLU(),
                nn.Linear(hidden, hidden), nn.ReLU(),
                nn.Linear(hidden, 2),
            ),
            discriminator=nn.Sequential(
                nn.Linear(2, hidden), nn.LeakyReLU(0.2),
                nn.Linear(hidden, hidden), nn.LeakyReLU(0.2),
                nn.Linear(hidden, 1),
            ),
        )

    def sample(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        """``n`` points (B, 2), as they are (no pixel rescaling)."""
        with mg.no_grad():
            return self.generate(self.noise(n, device))
