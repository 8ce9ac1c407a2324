"""``GAN``: a generator, a discriminator, a latent size and optional classes.

Two networks play a game: the generator G turns noise z into images; the discriminator D
says how likely an image is real (a logit: > 0 means "real"). D learns to tell real from fake,
G learns to fool D. The game itself is in :mod:`minigen.train.gan_step`.

``GAN()`` is the original GAN (Goodfellow et al., 2014) with MLPs; ``DCGAN``,
``ConditionalGAN`` and ``ToyGAN`` are the same class built with other networks. With
``num_classes``, both players also see the class: G reads its one-hot vector beside z, D reads
it as constant planes stacked on the image (Mirza and Osindero, 2014).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import minigen as mg
from minigen import nn
from minigen.nn import functional as F


@contextmanager
def sampling(model: nn.Module) -> Iterator[None]:
    """No graph, and eval mode (batchnorm uses its running statistics and does not update
    them), restoring the previous mode after: drawing samples must not change the model."""
    was_training = model.training
    model.eval()
    try:
        with mg.no_grad():
            yield
    finally:
        model.train(was_training)


def one_hot(labels: mg.Tensor, num_classes: int) -> mg.Tensor:
    """(B,) integer labels -> (B, num_classes) float32 rows with a single 1: ``F.one_hot``
    gives int64 (as PyTorch's), and the layers that read it compute in float32."""
    return F.one_hot(labels.reshape(-1), num_classes).float()


def mlp_generator(latent_dim: int) -> nn.Sequential:
    """z (B, latent_dim) -> 256 -> 512 -> 1024 -> 784 -> (B, 1, 28, 28) in [-1, 1]."""
    return nn.Sequential(
        nn.Linear(latent_dim, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 1024), nn.LeakyReLU(0.2),
        nn.Linear(1024, 784), nn.Tanh(),
        nn.Unflatten(1, (1, 28, 28)),
    )


def mlp_discriminator() -> nn.Sequential:
    """(B, 1, 28, 28) -> 784 -> 512 -> 256 -> one logit."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 1),
    )


class GAN(nn.Module):
    """A generator, a discriminator, the size of z and optionally the number of classes.

    ``GAN(latent_dim)`` builds the MLPs of the original paper: G 100-256-512-1024-784 with
    LeakyReLU(0.2) and a Tanh output (pixels in [-1, 1]); D 784-512-256-1 with LeakyReLU(0.2),
    a logit output. ``GAN(latent_dim, generator=G, discriminator=D, num_classes=C)`` pairs any
    other networks (a conditional G reads latent_dim + C numbers, D reads its image with C
    extra channels).
    """

    pixel_scale = "symmetric"  # G ends in tanh, so real images are scaled to [-1, 1] too
    num_classes: int | None = None  # None: an unconditional GAN

    def __init__(
        self, latent_dim: int = 100, *, generator: nn.Module | None = None,
        discriminator: nn.Module | None = None, num_classes: int | None = None,
    ) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.generator = generator if generator is not None else mlp_generator(latent_dim)
        self.discriminator = discriminator if discriminator is not None else mlp_discriminator()

    def noise(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor:
        """n latent vectors z ~ N(0, I)."""
        return mg.randn(n, self.latent_dim, device=device)

    def _label_vectors(self, labels: mg.Tensor | None, caller: str) -> mg.Tensor:
        if labels is None:
            raise ValueError(f"{type(self).__name__}.{caller} needs the labels of the images")
        return one_hot(labels, self.num_classes)

    def generator_input(self, z: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        """What G reads: z, with the one-hot labels beside it when the GAN has classes."""
        if self.num_classes is None:
            return z  # ``labels`` is ignored (unconditional)
        return mg.cat([z, self._label_vectors(labels, "generate")], dim=1)

    def generate(self, z: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        """G(z), or G(z, labels) with classes: images (B, 1, 28, 28) in [-1, 1]."""
        return self.generator(self.generator_input(z, labels))

    def discriminate(self, x: mg.Tensor, labels: mg.Tensor | None = None) -> mg.Tensor:
        """D(x) as logits, shape (B,): sigmoid(D(x)) is the probability that x is real (of
        this class, when the GAN has classes: the labels come as constant planes)."""
        if self.num_classes is not None:
            b, _, h, w = x.shape
            maps = self._label_vectors(labels, "discriminate").reshape(b, self.num_classes, 1, 1)
            x = mg.cat([x, maps.expand(b, self.num_classes, h, w)], dim=1)
        return self.discriminator(x).reshape(-1)

    @staticmethod
    def to_unit(images: mg.Tensor) -> mg.Tensor:
        """G's tanh images in [-1, 1] as pixels in [0, 1], for pictures and metrics."""
        return (images + 1) * 0.5

    def sample_labels(self, n: int, label: int | None = None, first: int = 0) -> list[int] | None:
        """The classes of ``n`` samples: all ``label``, or the cycle 0, 1, ..., C-1, 0, ...
        counted from image number ``first`` (balanced classes, across batches too); None for
        an unconditional GAN."""
        if self.num_classes is None:
            if label is not None:
                raise ValueError(f"a label needs a conditional GAN, not {type(self).__name__}")
            return None
        if label is not None:
            return [label] * n
        return [(first + i) % self.num_classes for i in range(n)]

    def sample(
        self, n: int, device: mg.Device | str | None = None, label: int | None = None,
        labels: Sequence[int] | None = None,
    ) -> mg.Tensor:
        """``n`` new images in [0, 1]. With classes: of class ``label``, of the given
        ``labels`` (one per image), or of classes 0, 1, ..., C-1, 0, ... when neither is given."""
        if labels is None:
            labels = self.sample_labels(n, label)
        y = None if labels is None else mg.tensor(list(labels), device=device)
        with sampling(self):
            return self.to_unit(self.generate(self.noise(n, device), y))
