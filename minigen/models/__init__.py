"""The classic generative models, each a plain ``mg.nn.Module`` that fits on one screen.

A GAN is a generator, a discriminator, a latent size and optional classes; a VAE an encoder,
its two heads and a decoder: the DCGAN, the conditional GAN, the ToyGAN and the ConvVAE are
those classes built with other networks. The CLI's names of the models, with their training
recipes, are in :data:`minigen.train.recipes.RECIPES` (the one list of names).

| class              | what it learns                                              |
|--------------------|-------------------------------------------------------------|
| ``AE``             | to compress and rebuild images (no sampling)                |
| ``VAE``            | a latent Gaussian code, MLP (Kingma & Welling)              |
| ``ConvVAE``        | the same with convolutions                                  |
| ``GAN``            | a generator fooling a discriminator, MLPs                   |
| ``DCGAN``          | the same, all-convolutional (Radford et al.)                |
| ``ConditionalGAN`` | the DCGAN told which class to draw                          |
| ``Classifier``     | a small CNN whose features measure the others               |
| ``ToyGAN``         | a tiny MLP GAN for 2-D toy data (mode collapse; Python only) |
"""

from minigen.models.ae import AE
from minigen.models.cgan import ConditionalGAN
from minigen.models.classifier import Classifier
from minigen.models.conv_vae import ConvVAE
from minigen.models.dcgan import DCGAN, dcgan_init
from minigen.models.gan import GAN, one_hot
from minigen.models.sampler import Sampler
from minigen.models.toy_gan import ToyGAN
from minigen.models.vae import VAE, reparameterize

__all__ = [
    "AE", "Classifier", "ConditionalGAN", "ConvVAE", "DCGAN", "GAN", "Sampler", "ToyGAN", "VAE",
    "dcgan_init", "one_hot", "reparameterize",
]
