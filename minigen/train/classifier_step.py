"""One training step of the measuring classifier: softmax cross-entropy, Adam."""

from __future__ import annotations

from typing import Any

import minigen as mg
from minigen import nn
from minigen.models.cgan import one_hot
from minigen.optim import Adam
from minigen.train.common import grad_norm


def log_softmax(logits: mg.Tensor) -> mg.Tensor:
    """log p_k = l_k - log sum_j exp(l_j), with the maximum subtracted first so exp() cannot
    overflow (the result is the same: the maximum cancels)."""
    m = logits.max(dim=1, keepdim=True).values.detach()
    shifted = logits - m
    return shifted - mg.log(mg.exp(shifted).sum(dim=1, keepdim=True))


def cross_entropy(logits: mg.Tensor, labels: mg.Tensor) -> mg.Tensor:
    """Mean over the batch of -log p(true class)."""
    picked = (log_softmax(logits) * one_hot(labels, logits.shape[1])).sum(dim=1)
    return -picked.mean()


class ClassifierStep:
    """Train the ``Classifier``: ``metrics = step(images, labels)``."""

    def __init__(self, model: nn.Module, lr: float = 1e-3) -> None:
        self.model = model
        self.optimizer = Adam(model.parameters(), lr=lr)
        self.steps = 0

    def __call__(self, x: mg.Tensor, labels: mg.Tensor | None = None) -> dict[str, Any]:
        if labels is None:
            raise ValueError("the classifier trains on labelled images")
        logits = self.model(x)
        loss = cross_entropy(logits, labels)
        self.optimizer.zero_grad()
        loss.backward()
        norm = grad_norm(self.model.parameters())
        self.optimizer.step()
        self.steps += 1
        with mg.no_grad():
            accuracy = logits.detach().argmax(dim=1).eq(labels).float().mean()
        return {"loss": loss.detach(), "accuracy": accuracy, "grad_norm": norm}

    def state_dict(self) -> dict[str, Any]:
        return {"optimizer": self.optimizer.state_dict(), "steps": self.steps}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.steps = int(state["steps"])
