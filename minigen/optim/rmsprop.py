"""``RMSprop``: divide each gradient by a running RMS of its past values, as ``torch.optim.RMSprop``.

Per parameter, with gradient g, smoothing constant alpha::

    g   = g + wd * p                      (L2 weight decay, added to the gradient)
    v   = alpha * v + (1 - alpha) * g^2   (running mean of g^2: "square_avg")
    avg = sqrt(v) + eps
    centered:  m = alpha * m + (1 - alpha) * g;  avg = sqrt(v - m^2) + eps
               (the running *variance* instead of the mean square: "grad_avg" is m)
    momentum:  buf = momentum * buf + g / avg;  p = p - lr * buf
    otherwise: p = p - lr * g / avg

Unlike Adam there is no bias correction: v starts at 0, so the first steps are large
(g / sqrt(1 - alpha) = 10 g / |g| with alpha = 0.99). docs/derivations/rmsprop.md derives it.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.optim.adamw import lerp_
from minigen.optim.optimizer import Optimizer, ParamsLike


class RMSprop(Optimizer):
    """``RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, *, maximize=False)``, as PyTorch's.

    ``state[p]`` holds ``"step"``, ``"square_avg"``, and ``"momentum_buffer"`` (momentum > 0)
    and ``"grad_avg"`` (centered) when used.
    """

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "momentum", "weight_decay", "alpha"):
            if not float(group[name]) >= 0.0:
                raise ValueError(f"RMSprop: invalid {name} {group[name]!r}; it must be >= 0")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        xp = get_array_module(p.array)
        if not state:
            state["step"] = 0
            state["square_avg"] = Tensor.wrap(xp.zeros_like(p.array))
        for name, wanted in (("momentum_buffer", momentum > 0), ("grad_avg", group["centered"])):
            if wanted and name not in state:
                state[name] = Tensor.wrap(xp.zeros_like(p.array))
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        if weight_decay != 0:
            grad = grad + weight_decay * p.array  # a new array: p.grad itself is left alone

        v = state["square_avg"].array
        v *= alpha
        v += (1 - alpha) * grad * grad
        if group["centered"]:
            m = state["grad_avg"].array
            lerp_(m, grad, 1 - alpha)
            avg = xp.sqrt(v - m * m) + eps
        else:
            avg = xp.sqrt(v) + eps

        if momentum > 0:
            buf = state["momentum_buffer"].array
            buf *= momentum
            buf += grad / avg
            p.array -= lr * buf
        else:
            p.array -= lr * grad / avg
