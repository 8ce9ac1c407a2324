r"""Binary cross-entropy, on probabilities and on logits, as elementwise Functions.

Each applies PyTorch's ``reduction`` itself: "none" returns the loss per element, "mean" and
"sum" the mean or the sum of it (a 0-d array), whose backward only scales the elementwise
derivative by the upstream gradient (and 1/n for the mean). That saves a separate reduction
Function and its broadcast backward. ``minigen.nn.functional`` adds the optional weight with
the ordinary Functions. The mean-squared error and the Gaussian KL divergence are composed
from existing Functions there (their gradients need no special care).
"""

from __future__ import annotations

import math
import struct
from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module
from minigen.functions.activations import stable_sigmoid

#: PyTorch clamps each log term of the BCE at -100, so a probability of exactly 0 or 1 gives a
#: large finite loss instead of inf. log() of anything below e^-100 is clamped to -100 anyway,
#: so the argument is raised to e^-100 first, which also keeps log(0) from warning.
LOG_FLOOR = -100.0
_TINY = math.exp(LOG_FLOOR)

#: PyTorch's floor on p (1 - p) in the BCE gradient, so p = 0 or 1 does not divide by zero.
#: PyTorch stores it as a float32 constant (9.99999996e-13, not 1e-12); the same value here
#: gives PyTorch's gradient to the last digit at p = 0 or 1.
GRAD_EPSILON = struct.unpack("f", struct.pack("f", 1e-12))[0]


def clamped_log(xp: Any, p: Any) -> Any:
    """max(log p, -100), without evaluating log(0)."""
    return xp.clip(xp.log(xp.clip(p, _TINY, None)), LOG_FLOOR, None)


def reduce_loss(xp: Any, loss: Any, reduction: str) -> Any:
    """The loss per element ("none"), or its mean or sum as a 0-d array."""
    if reduction == "mean":
        return xp.mean(loss)
    if reduction == "sum":
        return xp.sum(loss)
    return loss


def upstream(gl: Any, reduction: str, size: int) -> Any:
    """dL/dl per element, from dL/d(reduced loss) ``gl``: gl itself for "none" and "sum" (the
    0-d gl broadcasts), gl / n for the mean of n elements."""
    return gl / size if reduction == "mean" else gl


class BinaryCrossEntropy(Function):
    r"""l = -(y log p + (1 - y) log(1 - p)) elementwise, each log clamped at >= -100, then
    reduced (``reduction``: "none", "mean" or "sum").

    p are probabilities in [0, 1] and y the targets. Local derivatives (PyTorch's, which also
    floor the denominator at 1e-12 so p in {0, 1} stays finite):

        dl/dp = (p - y) / max(p (1 - p), 1e-12)
        dl/dy = log(1 - p) - log p           (both logs clamped as in the forward)

    Derivation: docs/derivations/bce.md.
    """

    def __init__(self, reduction: str = "none") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, p: Any, y: Any) -> Any:
        xp = get_array_module(p)
        self.p, self.y = p, y
        self.log_p, self.log_1mp = clamped_log(xp, p), clamped_log(xp, 1 - p)
        return reduce_loss(xp, -(y * self.log_p + (1 - y) * self.log_1mp), self.reduction)

    def backward(self, gl: Any) -> tuple[Any, Any]:
        xp = get_array_module(gl)
        gl = upstream(gl, self.reduction, self.p.size)
        gp = gy = None
        if self.needs_input_grad[0]:
            gp = gl * (self.p - self.y) / xp.clip(self.p * (1 - self.p), GRAD_EPSILON, None)
        if self.needs_input_grad[1]:
            gy = gl * (self.log_1mp - self.log_p)
        return gp, gy


class BinaryCrossEntropyWithLogits(Function):
    r"""l = -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) elementwise, for logits x, then
    reduced (``reduction``: "none", "mean" or "sum").

    Written in the form that is finite for logits of any size (the softplus form):

        l = max(x, 0) - x y + log(1 + e^{-|x|})

    (e^{-|x|} <= 1 never overflows and log1p keeps its precision when it is tiny).
    Local derivatives:

        dl/dx = sigmoid(x) - y          dl/dy = -x

    Derivation: docs/derivations/bce_with_logits.md.
    """

    def __init__(self, reduction: str = "none") -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, x: Any, y: Any) -> Any:
        xp = get_array_module(x)
        self.x, self.y = x, y
        self.e = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
        loss = xp.clip(x, 0.0, None) - x * y + xp.log1p(self.e)
        return reduce_loss(xp, loss, self.reduction)

    def backward(self, gl: Any) -> tuple[Any, Any]:
        xp = get_array_module(gl)
        gl = upstream(gl, self.reduction, self.x.size)
        gx = gy = None
        if self.needs_input_grad[0]:
            # sigmoid(x), accurate in both tails, from the forward's e = e^{-|x|}
            gx = gl * (stable_sigmoid(xp, self.x, self.e) - self.y)
        if self.needs_input_grad[1]:
            gy = -gl * self.x
        return gx, gy
