"""``SGD``: stochastic gradient descent, with optional momentum and weight decay (PyTorch's rule).

With gradient g of the loss at parameter p, learning rate lr, momentum mu and weight decay wd::

    g   = g + wd * p                 (weight decay: the gradient of wd/2 * ||p||^2)
    buf = g                          on the first step   (PyTorch starts the buffer at g,
    buf = mu * buf + g               afterwards           not at 0, and uses dampening 0)
    p   = p - lr * buf               (p - lr * g when mu == 0)
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.optim.optimizer import Optimizer, ParamsLike


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, weight_decay=0)``, as ``torch.optim.SGD``.

    ``state[p]["momentum_buffer"]`` holds the velocity when ``momentum`` is not 0.
    """

    def __init__(
        self, params: ParamsLike, lr: float = 1e-3, momentum: float = 0, weight_decay: float = 0
    ) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "momentum", "weight_decay"):
            if not float(group[name]) >= 0.0:
                raise ValueError(f"SGD: invalid {name} {group[name]!r}; it must be >= 0")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        # float(): a NumPy float64 lr would upcast a float32 update; Python floats are weak.
        lr, momentum, weight_decay = (float(group[k]) for k in ("lr", "momentum", "weight_decay"))
        xp = get_array_module(p.array)
        if weight_decay != 0:
            grad = grad + weight_decay * p.array  # a new array: p.grad itself is left alone
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # A copy: grad may be p.grad's own array, which the next backward reuses.
                buf = state["momentum_buffer"] = Tensor.wrap(xp.asarray(grad, copy=True))
            else:
                buf.array *= momentum
                buf.array += grad
            grad = buf.array
        p.array -= lr * grad
