"""``AE``: the plain autoencoder, 784 -> 400 -> code -> 400 -> 784.

The encoder squeezes an image into a small code; the decoder rebuilds the image from it. It
learns by reconstruction alone, so nothing makes its codes fill a known region: decoding a
random code gives noise, which is the gap the VAE closes.
"""

from __future__ import annotations

import minigen as mg
from minigen import nn


class AE(nn.Module):
    """Encoder 784-400-ReLU-``latent_dim``; decoder ``latent_dim``-400-ReLU-784-Sigmoid.

    Takes and returns images of shape (B, 1, 28, 28) with pixels in [0, 1].
    """

    pixel_scale = "unit"  # the data convention it trains on (sigmoid output, BCE loss)
    num_classes: int | None = None  # always unconditional

    def __init__(self, latent_dim: int = 20, hidden: int = 400) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(
            nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, latent_dim)
        )
        # The decoder ends in logits; decode() applies the sigmoid. The loss uses the logits
        # directly (BCE with logits), which is the same loss without log(0) overflow.
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 784),
            nn.Unflatten(1, (1, 28, 28)),
        )

    def encode(self, x: mg.Tensor) -> mg.Tensor:
        """The code of each image: (B, latent_dim)."""
        return self.encoder(x)

    def decode_logits(self, z: mg.Tensor) -> mg.Tensor:
        """Pixel logits (B, 1, 28, 28): sigmoid of them is the image."""
        return self.decoder(z)

    def decode(self, z: mg.Tensor) -> mg.Tensor:
        """Images (B, 1, 28, 28) in [0, 1] from codes."""
        return mg.sigmoid(self.decode_logits(z))

    def forward(self, x: mg.Tensor) -> mg.Tensor:
        """Reconstruction logits of ``x``."""
        return self.decode_logits(self.encode(x))

    def embed(self, x: mg.Tensor) -> mg.Tensor:
        """Where ``x`` lands in the latent space (for the latent pictures)."""
        return self.encode(x)

    def sample(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        """Decode ``n`` codes drawn from N(0, I): poor images, since the AE's codes follow no
        known distribution. Shown to contrast with the VAE."""
        with mg.no_grad():
            return self.decode(mg.randn(n, self.latent_dim, device=device))
