"""``VAE``: the variational autoencoder (Kingma and Welling, 2014), MLP version.

The encoder gives, for each image, a Gaussian q(z|x) = N(mu, diag(exp(logvar))) over codes
instead of one code. Training samples z from it with the reparameterisation trick and pays a
KL penalty for straying from the prior N(0, I); so after training, decoding z ~ N(0, I)
gives new images.
"""

from __future__ import annotations

import minigen as mg
from minigen import nn

#: logvar is clamped to this range before exp(): a bad step can push it to +-100, where
#: exp() overflows float32 (inf, then NaN). e^{+-20} is far outside any useful variance.
LOGVAR_RANGE = (-20.0, 20.0)


def reparameterize(mu: mg.Tensor, logvar: mg.Tensor) -> mg.Tensor:
    """z = mu + sigma * eps with sigma = exp(logvar / 2) and eps ~ N(0, I).

    z is a sample of N(mu, sigma^2), written so gradients reach mu and logvar: the
    randomness sits in eps, which depends on no parameter.
    """
    std = mg.exp(0.5 * logvar)
    eps = mg.randn_like(std)
    return mu + std * eps


class VAE(nn.Module):
    """An encoder, its two heads ``mu`` and ``logvar``, and a decoder.

    ``VAE(latent_dim, hidden)`` builds the MLPs: encoder 784-400-ReLU with heads 400-``latent_dim``
    each; decoder ``latent_dim``-400-ReLU-784 (logits; ``decode`` applies the sigmoid).
    Images (B, 1, 28, 28) in [0, 1]. ``VAE(latent_dim, encoder=E, mu=M, logvar=L,
    decoder=D)`` pairs other networks (as :class:`ConvVAE` does): E maps images to features
    that the heads M and L read, D maps codes to pixel logits.
    """

    pixel_scale = "unit"
    num_classes: int | None = None  # always unconditional

    def __init__(
        self, latent_dim: int = 20, hidden: int = 400, *, encoder: nn.Module | None = None,
        mu: nn.Module | None = None, logvar: nn.Module | None = None,
        decoder: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        # Built in this order (encoder, heads, decoder) so a seed gives the same weights.
        self.encoder = encoder if encoder is not None else nn.Sequential(
            nn.Flatten(), nn.Linear(784, hidden), nn.ReLU())
        self.mu = mu if mu is not None else nn.Linear(hidden, latent_dim)
        self.logvar = logvar if logvar is not None else nn.Linear(hidden, latent_dim)
        # Logits out; decode() applies the sigmoid (see AE for why the loss wants logits).
        self.decoder = decoder if decoder is not None else nn.Sequential(
            nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 784),
            nn.Unflatten(1, (1, 28, 28)),
        )

    def encode(self, x: mg.Tensor) -> tuple[mg.Tensor, mg.Tensor]:
        """The parameters (mu, logvar) of q(z|x), each (B, latent_dim)."""
        h = self.encoder(x)
        return self.mu(h), mg.clamp(self.logvar(h), *LOGVAR_RANGE)

    def decode_logits(self, z: mg.Tensor) -> mg.Tensor:
        return self.decoder(z)

    def decode(self, z: mg.Tensor) -> mg.Tensor:
        """Images (B, 1, 28, 28) in [0, 1]: the decoder's Bernoulli means."""
        return mg.sigmoid(self.decode_logits(z))

    def forward(self, x: mg.Tensor) -> tuple[mg.Tensor, mg.Tensor, mg.Tensor]:
        """(reconstruction logits, mu, logvar) for a batch of images."""
        mu, logvar = self.encode(x)
        z = reparameterize(mu, logvar)
        return self.decode_logits(z), mu, logvar

    def embed(self, x: mg.Tensor) -> mg.Tensor:
        """The mean code mu of each image (for the latent-space pictures)."""
        return self.encode(x)[0]

    def sample(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        """``n`` new images: decode z ~ N(0, I), the prior."""
        with mg.no_grad():
            return self.decode(mg.randn(n, self.latent_dim, device=device))
