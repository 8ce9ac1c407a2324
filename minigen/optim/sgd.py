"""``SGD``: stochastic gradient descent, with optional momentum and weight decay (PyTorch's rule).

With gradient g of the loss at parameter p, learning rate lr, momentum mu and weight decay wd::

    g   = g + wd * p                 (weight decay: the gradient of wd/2 * ||p||^2)
    buf = g                          on the first step   (PyTorch starts the buffer at g,
    buf = mu * buf + g               afterwards           not at 0, and uses dampening 0)
    p   = p - lr * buf               (p - lr * g when mu == 0)

As for Adam, ``sgd_update`` writes the rule once, on arrays, and a step runs it on a whole
group's flat arrays (minigen/optim/flat.py) or, when it must, once per parameter.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.optim.flat import FlatGroup
from minigen.optim.optimizer import Optimizer, ParamsLike


def sgd_update(p: Any, grad: Any, buf: Any, group: dict[str, Any]) -> Any:
    """One SGD step: writes ``p`` (and ``buf``) in place; returns the momentum buffer, which
    is a new array on the first step (``buf`` None) and ``buf`` itself afterwards."""
    # float(): a NumPy float64 lr would upcast a float32 update; Python floats are weak.
    lr, momentum, weight_decay = (float(group[k]) for k in ("lr", "momentum", "weight_decay"))
    xp = get_array_module(p)
    if weight_decay != 0:
        grad = grad + weight_decay * p  # a new array: p.grad itself is left alone
    if momentum != 0:
        if buf is None:
            # A copy: grad may be p.grad's own array, which the next backward reuses.
            buf = xp.asarray(grad, copy=True)
        else:
            buf *= momentum
            buf += grad
        grad = buf
    p -= lr * grad
    return buf


class SGD(Optimizer):
    """``SGD(params, lr=1e-3, momentum=0, weight_decay=0)``, as ``torch.optim.SGD``.

    ``state[p]["momentum_buffer"]`` holds the velocity when ``momentum`` is not 0.
    """

    fused = True

    def __init__(
        self, params: ParamsLike, lr: float = 1e-3, momentum: float = 0, weight_decay: float = 0
    ) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "weight_decay": weight_decay})

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "momentum", "weight_decay"):
            if not float(group[name]) >= 0.0:
                raise ValueError(f"SGD: invalid {name} {group[name]!r}; it must be >= 0")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        old = state.get("momentum_buffer")
        buf = sgd_update(p.array, grad, old.array if old is not None else None, group)
        if buf is not None and old is None:
            state["momentum_buffer"] = Tensor.wrap(buf)

    def _can_fuse(self, states: list[dict[str, Any]]) -> bool:
        # Every parameter starts its momentum buffer now, or every one has one.
        has = [s.get("momentum_buffer") is not None for s in states]
        return all(has) or not any(has)

    def _fused_update(self, flat: FlatGroup, group: dict[str, Any]) -> None:
        started = self.state.get(flat.params[0], {}).get("momentum_buffer") is not None
        old = flat.buffer("momentum_buffer", self.state) if started else None
        buf = sgd_update(flat.array, flat.gradient(), old, group)
        if buf is not None and old is None:
            flat.new_buffer("momentum_buffer", buf, self.state)
