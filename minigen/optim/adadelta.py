"""``Adadelta``: steps with the units of the parameter (Zeiler, 2012), as ``torch.optim.Adadelta``.

Per parameter, with gradient g and decay rate rho::

    g     = g + wd * p                                  (L2 weight decay)
    v     = rho * v + (1 - rho) * g^2                   (running mean of g^2: "square_avg")
    delta = sqrt(u + eps) / sqrt(v + eps) * g           (u: running mean of delta^2)
    u     = rho * u + (1 - rho) * delta^2               ("acc_delta", updated after its use)
    p     = p - lr * delta

The ratio RMS(past steps) / RMS(gradients) turns a gradient into a step of the parameter's own
scale, so the paper needs no learning rate; PyTorch keeps ``lr`` as a plain multiplier
(default 1.0). docs/derivations/adadelta.md derives it.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.optim.optimizer import Optimizer, ParamsLike


class Adadelta(Optimizer):
    """``Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, *, maximize=False)``,
    as PyTorch's.

    ``state[p]`` holds ``"step"``, ``"square_avg"`` (v) and ``"acc_delta"`` (u).
    """

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            if not float(group[name]) >= 0.0:
                raise ValueError(f"Adadelta: invalid {name} {group[name]!r}; it must be >= 0")
        if not 0.0 <= float(group["rho"]) <= 1.0:
            raise ValueError(f"Adadelta: invalid rho {group['rho']!r}; it must be in [0, 1]")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        xp = get_array_module(p.array)
        if not state:
            state["step"] = 0
            state["square_avg"] = Tensor.wrap(xp.zeros_like(p.array))
            state["acc_delta"] = Tensor.wrap(xp.zeros_like(p.array))
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        if weight_decay != 0:
            grad = grad + weight_decay * p.array  # a new array: p.grad itself is left alone

        v, u = state["square_avg"].array, state["acc_delta"].array
        v *= rho
        v += (1 - rho) * grad * grad
        delta = xp.sqrt(u + eps) / xp.sqrt(v + eps) * grad
        u *= rho
        u += (1 - rho) * delta * delta
        p.array -= lr * delta
