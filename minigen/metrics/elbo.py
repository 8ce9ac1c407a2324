"""The VAE's test-set negative ELBO, in nats per image: how well it models the images.

    -ELBO(x) = E_q(z|x)[-log p(x|z)] + KL(q(z|x) || p(z))
             = BCE summed over the 784 pixels        + KL summed over the latent dims

estimated with one z sample per image, averaged over the test images. Lower is better; it
upper-bounds the negative log-likelihood -log p(x).
"""

from __future__ import annotations

from typing import Any

import minigen as mg
from minigen import nn
from minigen.metrics.batches import host_batches, model_device
from minigen.nn import functional as F


def negative_elbo(
    model: nn.Module, images: Any, device: mg.Device | str | None = None, batch_size: int = 500
) -> float:
    """Mean negative ELBO (nats per image) of float32 ``images`` (N, 1, 28, 28) in [0, 1]."""
    device = model_device(model, device)
    was_training = model.training
    model.eval()
    total = None
    with mg.no_grad():
        for batch in host_batches(images, batch_size):
            x = mg.tensor(batch, device=device)
            logits, mu, logvar = model(x)  # one z sample per image
            recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
            nelbo = recon + F.gaussian_kl(mu, logvar, reduction="none").sum()
            total = nelbo if total is None else total + nelbo  # summed on the device
    model.train(was_training)
    return float(total.item()) / len(images)
