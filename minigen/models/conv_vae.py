"""``ConvVAE``: the VAE with convolutions, which see images as grids rather than vectors.

Same recipe as :mod:`minigen.models.vae` (reparameterisation, BCE + KL); only the encoder and
decoder change: two stride-2 convolutions halve 28 -> 14 -> 7, and two stride-2 transposed
convolutions double 7 -> 14 -> 28 back.
"""

from __future__ import annotations

import minigen as mg
from minigen import nn
from minigen.models.vae import LOGVAR_RANGE, reparameterize


class ConvVAE(nn.Module):
    """Encoder Conv(1,32,4,2,1)-ReLU-Conv(32,64,4,2,1)-ReLU-Flatten-Linear(3136,256)-ReLU with
    heads Linear(256, latent_dim); decoder Linear(latent_dim,256)-ReLU-Linear(256,3136)-ReLU-
    Unflatten(64,7,7)-ConvT(64,32,4,2,1)-ReLU-ConvT(32,1,4,2,1)-Sigmoid."""

    pixel_scale = "unit"

    def __init__(self, latent_dim: int = 16) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),  # 28x28 -> 14x14
            nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),  # 14x14 -> 7x7
            nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(),
        )
        self.mu = nn.Linear(256, latent_dim)
        self.logvar = nn.Linear(256, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 256), nn.ReLU(),
            nn.Linear(256, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),  # 7x7 -> 14x14
            nn.ConvTranspose2d(32, 1, 4, 2, 1),  # 14x14 -> 28x28, logits (sigmoid in decode)
        )

    def encode(self, x: mg.Tensor) -> tuple[mg.Tensor, mg.Tensor]:
        h = self.encoder(x)
        return self.mu(h), mg.clamp(self.logvar(h), *LOGVAR_RANGE)

    def decode_logits(self, z: mg.Tensor) -> mg.Tensor:
        return self.decoder(z)

    def decode(self, z: mg.Tensor) -> mg.Tensor:
        return mg.sigmoid(self.decode_logits(z))

    def forward(self, x: mg.Tensor) -> tuple[mg.Tensor, mg.Tensor, mg.Tensor]:
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar)
        return self.decode_logits(z), mu, logvar

    def embed(self, x: mg.Tensor) -> mg.Tensor:
        return self.encode(x)[0]

    def sample(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        with mg.no_grad():
            return self.decode(mg.randn(n, self.latent_dim, device=device))
