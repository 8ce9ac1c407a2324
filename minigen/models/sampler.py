"""``Sampler``: what a generative model offers the metrics, the pictures and the CLI.

A structural type (``typing.Protocol``): the AE, the VAEs and the GANs have these members,
the classifier has no ``sample``, so ``isinstance(model, Sampler)`` asks "can it draw?"
without a list of classes.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import minigen as mg


@runtime_checkable
class Sampler(Protocol):
    """``sample(n, device)`` draws ``n`` new images in [0, 1] from codes of ``latent_dim``
    numbers; ``num_classes`` is how many classes it can be asked for, None when it draws
    without a class. A conditional sampler's ``sample`` also takes ``labels`` (one class per
    image), and its ``sample_labels(n, label, first)`` gives them (see :class:`GAN`)."""

    latent_dim: int
    num_classes: int | None

    def sample(self, n: int, device: mg.Device | str | None = None) -> mg.Tensor: ...
