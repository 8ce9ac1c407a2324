"""One training step of the measuring classifier: softmax cross-entropy (F.cross_entropy), Adam."""

from __future__ import annotations

from typing import Any

import minigen as mg
from minigen import nn
from minigen.nn.functional import cross_entropy
from minigen.optim import Adam
from minigen.train.common import grad_norm
from minigen.train.step_state import StepState


class ClassifierStep(StepState):
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
