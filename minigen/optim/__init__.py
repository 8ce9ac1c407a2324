"""Optimizers, as ``torch.optim``: ``SGD`` and ``Adam`` over an ``Optimizer`` base class.

    opt = mg.optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt.zero_grad(); loss.backward(); opt.step()
"""

from minigen.optim.adam import Adam
from minigen.optim.optimizer import Optimizer
from minigen.optim.sgd import SGD

__all__ = ["Adam", "Optimizer", "SGD"]
