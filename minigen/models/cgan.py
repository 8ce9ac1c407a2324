"""``ConditionalGAN``: the DCGAN told which class to draw (Mirza and Osindero, 2014).

Both networks see the label as a one-hot vector: G reads it next to z (as extra input
channels of the 1x1 "image" z), D reads it as 10 constant maps stacked on the image. D then
judges "is this a real image *of this class*", so G must draw the class it was given, and
``sample(n, label=3)`` draws threes. The conditioning itself is the GAN's (its
``num_classes``): this class only names the DCGAN built with classes.
"""

from __future__ import annotations

from minigen.models.dcgan import DCGAN


class ConditionalGAN(DCGAN):
    """The DCGAN with G's input (latent_dim + 10) x 1 x 1 and D's input (1 + 10) x 28 x 28."""

    def __init__(self, latent_dim: int = 100, num_classes: int = 10) -> None:
        super().__init__(latent_dim, num_classes=num_classes)
