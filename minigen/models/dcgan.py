"""``DCGAN``: the deep convolutional GAN (Radford, Metz and Chintala, 2016) for 28x28 images.

The DCGAN guidelines that made GANs train reliably: strided convolutions instead of
pooling, batchnorm in both networks, no fully connected layers, ReLU in G (Tanh at its
output), LeakyReLU(0.2) in D, and weights drawn from N(0, 0.02).
"""

from __future__ import annotations

import minigen as mg
from minigen import nn
from minigen.models.gan import GAN


def dcgan_init(module: nn.Module) -> None:
    """DCGAN's initialisation: conv weights ~ N(0, 0.02), batchnorm weights ~ N(1, 0.02),
    every bias 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
        else:
            continue
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def dcgan_generator(in_channels: int) -> nn.Sequential:
    """z as (in_channels, 1, 1) -> 256x7x7 -> 128x14x14 -> 1x28x28 in [-1, 1]."""
    return nn.Sequential(
        nn.ConvTranspose2d(in_channels, 256, 7, 1, 0), nn.BatchNorm2d(256), nn.ReLU(),
        nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 1, 4, 2, 1), nn.Tanh(),
    )


def dcgan_discriminator(in_channels: int) -> nn.Sequential:
    """in_channels x 28x28 -> 64x14x14 -> 128x7x7 -> one logit (1x1x1)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 64, 4, 2, 1), nn.LeakyReLU(0.2),  # no BN on D's input layer
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 1, 7, 1, 0),
    )


class DCGAN(GAN):
    """G: ConvT(100,256,7,1,0)-BN-ReLU-ConvT(256,128,4,2,1)-BN-ReLU-ConvT(128,1,4,2,1)-Tanh.
    D: Conv(1,64,4,2,1)-LReLU-Conv(64,128,4,2,1)-BN-LReLU-Conv(128,1,7,1,0), a logit.

    A :class:`GAN` built with these two networks: ``noise``, ``generate``, ``discriminate``
    and ``sample`` are the GAN's. With ``num_classes`` it is the conditional DCGAN
    (:class:`ConditionalGAN`): G reads latent_dim + C channels, D 1 + C.
    """

    def __init__(self, latent_dim: int = 100, num_classes: int | None = None) -> None:
        extra = num_classes or 0
        super().__init__(
            latent_dim, generator=dcgan_generator(latent_dim + extra),
            discriminator=dcgan_discriminator(1 + extra), num_classes=num_classes,
        )
        dcgan_init(self)

    def generator_input(self, z: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        # A convolutional G reads z (and the labels) as a 1x1 image with that many channels.
        zy = super().generator_input(z, labels)
        return zy.reshape(zy.shape[0], zy.shape[1], 1, 1)
