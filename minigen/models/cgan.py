"""``ConditionalGAN``: the DCGAN told which class to draw (Mirza and Osindero, 2014).

Both networks see the label as a one-hot vector: G reads it next to z (as extra input
channels of the 1x1 "image" z), D reads it as 10 constant maps stacked on the image. D then
judges "is this a real image *of this class*", so G must draw the class it was given, and
``sample(n, label=3)`` draws threes.
"""

from __future__ import annotations

import minigen as mg
from minigen import nn
from minigen.models.dcgan import DCGAN, dcgan_discriminator, dcgan_generator, dcgan_init
from minigen.models.gan import sampling
from minigen.nn import functional as F


def one_hot(labels: mg.Tensor, num_classes: int) -> mg.Tensor:
    """(B,) integer labels -> (B, num_classes) float32 rows with a single 1."""
    return F.one_hot(labels.reshape(-1), num_classes).float()


class ConditionalGAN(DCGAN):
    """The DCGAN with G's input (latent_dim + 10) x 1 x 1 and D's input (1 + 10) x 28 x 28."""

    conditional = True

    def __init__(self, latent_dim: int = 100, num_classes: int = 10) -> None:
        nn.Module.__init__(self)
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.generator = dcgan_generator(latent_dim + num_classes)
        self.discriminator = dcgan_discriminator(1 + num_classes)
        dcgan_init(self)

    def generate(self, z: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        if labels is None:
            raise ValueError("ConditionalGAN.generate needs the labels of the images to draw")
        zy = mg.cat([z, one_hot(labels, self.num_classes)], dim=1)
        return self.generator(zy.reshape(zy.shape[0], zy.shape[1], 1, 1))

    def discriminate(self, x: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        if labels is None:
            raise ValueError("ConditionalGAN.discriminate needs the labels of the images")
        b, _, h, w = x.shape
        maps = one_hot(labels, self.num_classes).reshape(b, self.num_classes, 1, 1)
        maps = maps.expand(b, self.num_classes, h, w)  # the label as 10 constant planes
        return self.discriminator(mg.cat([x, maps], dim=1)).reshape(-1)

    def sample(
        self, n: int, device: mg.Device | str | None = None, label: int | None = None
    ) -> mg.Tensor:
        """``n`` images in [0, 1] of class ``label``, or of classes 0, 1, ..., 9, 0, ... when
        no label is given."""
        ids = [label] * n if label is not None else [i % self.num_classes for i in range(n)]
        labels = mg.tensor(ids, device=device)
        with sampling(self):
            return self.to_unit(self.generate(self.noise(n, device), labels))
