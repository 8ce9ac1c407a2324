"""One training step of the plain autoencoder: reconstruct the batch, step on the error.

loss per image = BCE(decoder(encoder(x)), x) summed over the 784 pixels, averaged over the
batch: the VAE's reconstruction term alone, so the two losses can be compared.
"""

from __future__ import annotations

from typing import Any

import minigen as mg
from minigen import nn
from minigen.nn import functional as F
from minigen.optim import Adam
from minigen.train.common import grad_norm
from minigen.train.step_state import StepState


class AEStep(StepState):
    """Train an ``AE`` one batch at a time: ``metrics = step(x)``."""

    def __init__(self, model: nn.Module, lr: float = 1e-3) -> None:
        self.model = model
        self.optimizer = Adam(model.parameters(), lr=lr)
        self.steps = 0

    def __call__(self, x: mg.Tensor, labels: mg.Tensor | None = None) -> dict[str, Any]:
        # 1. encode and decode (logits: BCE from logits is the stable form of BCE).
        logits = self.model(x)
        # 2. reconstruction loss, nats per image.
        loss = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        # 3. the gradient step.
        self.optimizer.zero_grad()
        loss.backward()
        norm = grad_norm(self.model.parameters())
        self.optimizer.step()
        self.steps += 1
        return {"loss": loss.detach(), "grad_norm": norm}
