"""Optimizers, as ``torch.optim``: ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adadelta`` over an
``Optimizer`` base class, and learning-rate schedules in ``lr_scheduler``.

    opt = mg.optim.Adam(model.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt.zero_grad(); loss.backward(); opt.step()
"""

from minigen.optim import lr_scheduler
from minigen.optim.adadelta import Adadelta
from minigen.optim.adam import Adam
from minigen.optim.adamw import AdamW
from minigen.optim.optimizer import Optimizer
from minigen.optim.rmsprop import RMSprop
from minigen.optim.sgd import SGD

__all__ = ["Adadelta", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
