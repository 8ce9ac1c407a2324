"""The classic generative models, each a plain ``mg.nn.Module`` that fits on one screen.

| name in the CLI | class            | what it learns                                   |
|-----------------|------------------|--------------------------------------------------|
| ``ae``          | ``AE``           | to compress and rebuild images (no sampling)     |
| ``vae``         | ``VAE``          | a latent Gaussian code, MLP (Kingma & Welling)   |
| ``conv-vae``    | ``ConvVAE``      | the same with convolutions                       |
| ``gan``         | ``GAN``          | a generator fooling a discriminator, MLPs        |
| ``dcgan``       | ``DCGAN``        | the same, all-convolutional (Radford et al.)     |
| ``cgan``        | ``ConditionalGAN`` | the DCGAN told which class to draw             |
| ``classifier``  | ``Classifier``   | a small CNN whose features measure the others    |
| (Python only)   | ``ToyGAN``       | a tiny MLP GAN for 2-D toy data (mode collapse)  |
"""

from minigen.models.ae import AE
from minigen.models.cgan import ConditionalGAN, one_hot
from minigen.models.classifier import Classifier
from minigen.models.conv_vae import ConvVAE
from minigen.models.dcgan import DCGAN, dcgan_init
from minigen.models.gan import GAN
from minigen.models.toy_gan import ToyGAN
from minigen.models.vae import VAE, reparameterize

#: The models by their CLI name.
MODELS = {
    "ae": AE,
    "vae": VAE,
    "conv-vae": ConvVAE,
    "gan": GAN,
    "dcgan": DCGAN,
    "cgan": ConditionalGAN,
    "classifier": Classifier,
}

__all__ = [
    "AE", "Classifier", "ConditionalGAN", "ConvVAE", "DCGAN", "GAN", "MODELS", "ToyGAN", "VAE",
    "dcgan_init", "one_hot", "reparameterize",
]
