"""``Adam``: adaptive moment estimation (Kingma & Ba, 2015), exactly as ``torch.optim.Adam``.

Per parameter, with gradient g at step t (counting from 1)::

    g  = g + wd * p                           (L2 weight decay, added to the gradient)
    m  = b1 * m + (1 - b1) * g                (first moment: running mean of g)
    v  = b2 * v + (1 - b2) * g^2              (second moment: running mean of g^2)
    step_size = lr / (1 - b1^t)               (bias corrections: m and v start at 0,
    denom = sqrt(v) / sqrt(1 - b2^t) + eps     so early averages are too small)
    p  = p - step_size * m / denom

docs/derivations/adam.md derives each line and names the test that checks it.
"""

from __future__ import annotations

import math
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.optim.optimizer import Optimizer, ParamsLike


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)``.

    ``state[p]`` holds ``"step"`` (an int), ``"exp_avg"`` (m) and ``"exp_avg_sq"`` (v).
    """

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
    ) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay"):
            if not float(group[name]) >= 0.0:
                raise ValueError(f"Adam: invalid {name} {group[name]!r}; it must be >= 0")
        betas = group["betas"]
        if len(betas) != 2 or not all(0.0 <= float(b) < 1.0 for b in betas):
            raise ValueError(f"Adam: invalid betas {betas!r}; each must be in [0, 1)")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        # Python floats throughout: they are weak scalars, so float32 stays float32.
        lr, eps = float(group["lr"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        xp = get_array_module(p.array)
        if not state:
            state["step"] = 0
            state["exp_avg"] = Tensor.wrap(xp.zeros_like(p.array))
            state["exp_avg_sq"] = Tensor.wrap(xp.zeros_like(p.array))
        if weight_decay != 0:
            grad = grad + weight_decay * p.array  # a new array: p.grad itself is left alone
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"].array, state["exp_avg_sq"].array

        # m = b1 m + (1 - b1) g, written as PyTorch's lerp m + (1 - b1)(g - m): the same value,
        # rounded as PyTorch rounds it (bar the multiply-adds its SIMD kernels fuse).
        m += (1 - beta1) * (grad - m)
        v *= beta2
        v += (1 - beta2) * grad * grad

        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        step_size = lr / bias_correction1
        denom = xp.sqrt(v) / math.sqrt(bias_correction2) + eps
        p.array -= step_size * m / denom
