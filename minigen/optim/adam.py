"""``Adam``: adaptive moment estimation (Kingma & Ba, 2015), exactly as ``torch.optim.Adam``.

Per parameter, with gradient g at step t (counting from 1)::

    g  = g + wd * p                           (L2 weight decay, added to the gradient)
    m  = b1 * m + (1 - b1) * g                (first moment: running mean of g)
    v  = b2 * v + (1 - b2) * g^2              (second moment: running mean of g^2)
    step_size = lr / (1 - b1^t)               (bias corrections: m and v start at 0,
    denom = sqrt(v) / sqrt(1 - b2^t) + eps     so early averages are too small)
    p  = p - step_size * m / denom

``adam_update`` writes these lines once, on arrays. A step runs it once on a whole group's
flat arrays (minigen/optim/flat.py: every parameter, gradient and moment of the group side by
side), or once per parameter when the group cannot be stepped as one (some parameter has no
gradient, or their step counts differ). Elementwise, both compute the same numbers.

docs/derivations/adam.md derives each line and names the test that checks it.
"""

from __future__ import annotations

import math
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.optim.flat import FlatGroup
from minigen.optim.optimizer import Optimizer, ParamsLike


def adam_update(p: Any, grad: Any, m: Any, v: Any, t: int, group: dict[str, Any]) -> None:
    """One Adam step at step count ``t``: writes the arrays ``p``, ``m`` and ``v`` in place."""
    # Python floats throughout: they are weak scalars, so float32 stays float32.
    lr, eps = float(group["lr"]), float(group["eps"])
    weight_decay = float(group["weight_decay"])
    beta1, beta2 = (float(b) for b in group["betas"])
    xp = get_array_module(p)
    if weight_decay != 0:
        grad = grad + weight_decay * p  # a new array: p.grad itself is left alone

    # m = b1 m + (1 - b1) g, written as PyTorch's lerp m + (1 - b1)(g - m): the same value,
    # rounded as PyTorch rounds it (bar the multiply-adds its SIMD kernels fuse).
    m += (1 - beta1) * (grad - m)
    v *= beta2
    v += (1 - beta2) * grad * grad

    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t
    step_size = lr / bias_correction1
    denom = xp.sqrt(v) / math.sqrt(bias_correction2) + eps
    p -= step_size * m / denom


class Adam(Optimizer):
    """``Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)``.

    ``state[p]`` holds ``"step"`` (an int), ``"exp_avg"`` (m) and ``"exp_avg_sq"`` (v).
    """

    fused = True

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
                raise ValueError(f"{type(self).__name__}: invalid {name} {group[name]!r}; it must be >= 0")
        betas = group["betas"]
        if len(betas) != 2 or not all(0.0 <= float(b) < 1.0 for b in betas):
            raise ValueError(f"{type(self).__name__}: invalid betas {betas!r}; each must be in [0, 1)")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:  # m_0 = v_0 = 0
            xp = get_array_module(p.array)
            state["step"] = 0
            state["exp_avg"] = Tensor.wrap(xp.zeros_like(p.array))
            state["exp_avg_sq"] = Tensor.wrap(xp.zeros_like(p.array))
        state["step"] += 1
        adam_update(p.array, grad, state["exp_avg"].array, state["exp_avg_sq"].array,
                    state["step"], group)

    def _can_fuse(self, states: list[dict[str, Any]]) -> bool:
        # One t for the whole group: every state new, or every one at the same step.
        return all(not s for s in states) or (
            all(s for s in states) and len({s["step"] for s in states}) == 1
        )

    def _fused_update(self, flat: FlatGroup, group: dict[str, Any]) -> None:
        xp = get_array_module(flat.array)
        if not self.state.get(flat.params[0]):  # m_0 = v_0 = 0
            flat.new_buffer("exp_avg", xp.zeros_like(flat.array), self.state)
            flat.new_buffer("exp_avg_sq", xp.zeros_like(flat.array), self.state)
            for p in flat.params:
                self.state[p]["step"] = 0
        t = self.state[flat.params[0]]["step"] + 1
        m, v = flat.buffer("exp_avg", self.state), flat.buffer("exp_avg_sq", self.state)
        adam_update(flat.array, flat.gradient(), m, v, t, group)
        for p in flat.params:
            self.state[p]["step"] = t
