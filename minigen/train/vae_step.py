"""One training step of a VAE, the textbook recipe line by line.

For a batch x of B images:

1. encode: mu, logvar = encoder(x)             (the Gaussian q(z|x) of each image)
2. sample: z = mu + exp(logvar / 2) * eps      (reparameterisation, eps ~ N(0, I))
3. decode: the pixel probabilities p = decoder(z)
4. loss per image = BCE(p, x) summed over the 784 pixels        (reconstruction, in nats)
                  + KL(q(z|x) || N(0, I)) summed over latent dims  (the price of the code)
   averaged over the batch; the KL term is weighted by beta (and by a warm-up ramp).
5. one Adam step on that loss.

The loss is the negative ELBO: minimising it maximises a lower bound on log p(x).
"""

from __future__ import annotations

from typing import Any

import minigen as mg
from minigen import nn
from minigen.nn import functional as F
from minigen.optim import Adam
from minigen.train.common import grad_norm
from minigen.train.step_state import StepState


def kl_per_dim(mu: mg.Tensor, logvar: mg.Tensor) -> mg.Tensor:
    """KL(N(mu, sigma^2) || N(0, 1)) of each latent dimension of each image, (B, D):

        KL = -1/2 (1 + log sigma^2 - mu^2 - sigma^2)     (in closed form for Gaussians)

    Summed over D it is ``F.gaussian_kl(mu, logvar)``; kept per dimension here because the
    KL of each dimension shows which ones the VAE uses (an unused one has KL near 0).
    """
    return F.gaussian_kl(mu, logvar, reduction="none")


def vae_loss(
    logits: mg.Tensor, x: mg.Tensor, mu: mg.Tensor, logvar: mg.Tensor, kl_weight: float = 1.0
) -> tuple[mg.Tensor, mg.Tensor, mg.Tensor, mg.Tensor]:
    """(loss, reconstruction, KL, KL per dim): per-image means over the batch, in nats.

    ``logits`` are the decoder's pre-sigmoid outputs: BCE(sigmoid(logits), x) computed from
    the logits is the same number without overflow at saturated pixels.
    """
    batch = x.shape[0]
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / batch
    kl_dims = kl_per_dim(mu, logvar).mean(dim=0)  # (D,): each dimension's KL, batch mean
    kl = kl_dims.sum()
    return recon + kl_weight * kl, recon, kl, kl_dims


class VAEStep(StepState):
    """Train a VAE (or ConvVAE) one batch at a time: ``metrics = step(x)``.

    - ``lr``: Adam's learning rate (1e-3, the VAE paper's setting with Adam).
    - ``beta``: the weight of the KL term (1 is the true ELBO; > 1 is the beta-VAE).
    - ``kl_warmup``: steps over which the KL weight grows linearly from 0 to ``beta``, so
      the decoder learns to use z before the KL term can push the codes to the prior.
    """

    def __init__(
        self, model: nn.Module, lr: float = 1e-3, beta: float = 1.0, kl_warmup: int = 0
    ) -> None:
        self.model = model
        self.optimizer = Adam(model.parameters(), lr=lr)
        self.beta = beta
        self.kl_warmup = kl_warmup
        self.steps = 0

    def kl_weight(self) -> float:
        """beta, ramped up linearly over the first ``kl_warmup`` steps."""
        if self.kl_warmup <= 0:
            return self.beta
        return self.beta * min(1.0, (self.steps + 1) / self.kl_warmup)

    def __call__(self, x: mg.Tensor, labels: mg.Tensor | None = None) -> dict[str, Any]:
        weight = self.kl_weight()
        # 1-3. encode, sample z by reparameterisation, decode (all inside model.forward).
        logits, mu, logvar = self.model(x)
        # 4. the loss: reconstruction + weighted KL, per image, averaged over the batch.
        loss, recon, kl, kl_dims = vae_loss(logits, x, mu, logvar, weight)
        # 5. the gradient step.
        self.optimizer.zero_grad()
        loss.backward()
        norm = grad_norm(self.model.parameters())
        self.optimizer.step()
        self.steps += 1
        # Device tensors, not numbers: the loop copies them to the host only when it logs.
        return {
            "loss": loss.detach(), "recon": recon.detach(), "kl": kl.detach(),
            "kl_weight": weight, "grad_norm": norm, "kl_dim": kl_dims.detach(),
        }
