"""``ConvVAE``: the VAE with convolutions, which see images as grids rather than vectors.

Same recipe as :mod:`minigen.models.vae` (reparameterisation, BCE + KL); only the encoder and
decoder change: two stride-2 convolutions halve 28 -> 14 -> 7, and two stride-2 transposed
convolutions double 7 -> 14 -> 28 back.
"""

from __future__ import annotations

from minigen import nn
from minigen.models.vae import VAE


class ConvVAE(VAE):
    """Encoder Conv(1,32,4,2,1)-ReLU-Conv(32,64,4,2,1)-ReLU-Flatten-Linear(3136,256)-ReLU with
    heads Linear(256, latent_dim); decoder Linear(latent_dim,256)-ReLU-Linear(256,3136)-ReLU-
    Unflatten(64,7,7)-ConvT(64,32,4,2,1)-ReLU-ConvT(32,1,4,2,1)-Sigmoid.

    A :class:`VAE` built with these networks: ``encode``, ``decode``, ``forward`` and
    ``sample`` are the VAE's.
    """

    def __init__(self, latent_dim: int = 16) -> None:
        # Arguments are evaluated in order: encoder, heads, decoder, as the VAE builds its own.
        super().__init__(
            latent_dim,
            encoder=nn.Sequential(
                nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),  # 28x28 -> 14x14
                nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),  # 14x14 -> 7x7
                nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(),
            ),
            mu=nn.Linear(256, latent_dim),
            logvar=nn.Linear(256, latent_dim),
            decoder=nn.Sequential(
                nn.Linear(latent_dim, 256), nn.ReLU(),
                nn.Linear(256, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
                nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),  # 7x7 -> 14x14
                nn.ConvTranspose2d(32, 1, 4, 2, 1),  # 14x14 -> 28x28, logits (sigmoid in decode)
            ),
        )
