"""``AdamW``: Adam with decoupled weight decay (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

Per parameter, with gradient g at step t (counting from 1)::

    p  = p * (1 - lr * wd)                    (decay the weights themselves, not the gradient)
    m  = b1 * m + (1 - b1) * g                (Adam's two moments, unchanged)
    v  = b2 * v + (1 - b2) * g^2
    v_max = max(v_max, v)                     (amsgrad only: the largest v so far)
    step_size = lr / (1 - b1^t)
    denom = sqrt(v) / sqrt(1 - b2^t) + eps    (sqrt(v_max) with amsgrad)
    p  = p - step_size * m / denom

Adam's ``weight_decay`` adds wd * p to g, so the decay is divided by sqrt(v) like the rest of
the gradient; AdamW shrinks p directly, by the same fraction lr * wd for every weight.
docs/derivations/adamw.md derives each line and names the tests that check it.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.optim.adam import Adam
from minigen.optim.optimizer import Optimizer, ParamsLike


def lerp_(start: Any, end: Any, weight: float) -> None:
    """``start += weight * (end - start)`` in place, rounded as PyTorch's ``lerp_``: from the
    nearer end (``end - (end - start) * (1 - weight)`` when ``weight >= 0.5``, e.g. DCGAN's
    beta1 = 0.5), which keeps the result exact at ``weight = 1``."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


class AdamW(Adam):
    """``AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    *, maximize=False)``, as PyTorch's (note the default weight decay: 0.01, not Adam's 0).

    ``state[p]`` holds ``"step"`` (an int), ``"exp_avg"`` (m), ``"exp_avg_sq"`` (v) and, with
    ``amsgrad``, ``"max_exp_avg_sq"``. A subclass of Adam for its checks of the
    hyperparameters; the update (decoupled decay, amsgrad, maximize) is its own, per parameter.
    """

    fused = False  # Adam's fused step has no decoupled decay: AdamW updates one tensor at a time

    def __init__(
        self,
        params: ParamsLike,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize}
        Optimizer.__init__(self, params, defaults)  # Adam's checks, AdamW's own defaults

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
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor.wrap(xp.zeros_like(p.array))
        if group["maximize"]:
            grad = -grad  # a new array: p.grad itself is left alone
        state["step"] += 1
        t = state["step"]
        if weight_decay != 0:
            p.array *= 1 - lr * weight_decay  # decoupled: before, and apart from, the moments
        m, v = state["exp_avg"].array, state["exp_avg_sq"].array

        lerp_(m, grad, 1 - beta1)
        v *= beta2
        v += (1 - beta2) * grad * grad

        bias_correction1 = 1 - beta1**t
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        step_size = lr / bias_correction1
        if group["amsgrad"]:
            if "max_exp_avg_sq" not in state:  # amsgrad switched on after the first step
                state["max_exp_avg_sq"] = Tensor.wrap(xp.zeros_like(p.array))
            v_max = state["max_exp_avg_sq"]
            v_max.array = xp.maximum(v_max.array, v)
            v = v_max.array
        denom = xp.sqrt(v) / bias_correction2_sqrt + eps
        p.array -= step_size * m / denom
