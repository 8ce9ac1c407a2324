"""``minigen.nn.init``: fill a weight in place with PyTorch's initialisation schemes.

Every function replaces ``tensor.array`` with new values of the same shape, dtype and device,
drawn from minigen's seeded generator for that device (``mg.manual_seed``), without recording a
graph, and returns the tensor. Formulas and defaults are PyTorch's:

    fan_in  = size(1) * receptive field    fan_out = size(0) * receptive field
    (receptive field = kh * kw for a conv weight, 1 for a Linear weight)

    xavier_uniform_:  U(-a, a),  a = gain * sqrt(6 / (fan_in + fan_out))
    kaiming_uniform_: U(-b, b),  b = gain * sqrt(3 / fan),  gain = calculate_gain(nonlinearity, a)

PyTorch's default for Linear and Conv weights is kaiming_uniform_(w, a=sqrt(5)), which works out
to U(-1/sqrt(fan_in), 1/sqrt(fan_in)): gain = sqrt(2 / (1 + 5)) = sqrt(1/3), b = sqrt(1/fan_in).
"""

from __future__ import annotations

import math
import warnings

from minigen.autograd.grad_mode import no_grad
from minigen.autograd.tensor import Tensor
from minigen.backend import random as _random
from minigen.backend.array_module import get_array_module

__all__ = [
    "calculate_gain", "constant_", "kaiming_normal_", "kaiming_uniform_", "normal_", "ones_",
    "uniform_", "xavier_normal_", "xavier_uniform_", "zeros_",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table): keeps activations' variance."""
    linear_like = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                   "conv_transpose2d", "conv_transpose3d", "sigmoid")
    if nonlinearity in linear_like:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel), as PyTorch computes them.

    For a ConvTranspose2d weight (in, out, kh, kw) this gives fan_in = out * kh * kw, which is
    what PyTorch uses for its default initialisation too.
    """
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions "
            f"(shape {tuple(tensor.shape)})"
        )
    receptive = 1
    for n in tensor.shape[2:]:
        receptive *= n
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill(tensor: Tensor, values: object) -> Tensor:
    with no_grad():
        tensor.array = values
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with draws from U(a, b)."""
    a, b = float(a), float(b)  # Python floats keep the tensor's dtype (a NumPy float64 would not)
    u = _random.uniform(tuple(tensor.shape), tensor.dtype, tensor.device)
    return _fill(tensor, u * (b - a) + a)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with draws from N(mean, std^2)."""
    mean, std = float(mean), float(std)
    z = _random.standard_normal(tuple(tensor.shape), tensor.dtype, tensor.device)
    return _fill(tensor, z * std + mean)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    xp, data = get_array_module(tensor.array), tensor.array
    return _fill(tensor, xp.full(data.shape, val, dtype=data.dtype, device=data.device))


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} not supported, use 'fan_in' or 'fan_out'")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He: U(-b, b) with b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)."""
    if _no_elements(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He: N(0, std^2) with std = gain / sqrt(fan)."""
    if _no_elements(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))


def _no_elements(tensor: Tensor) -> bool:
    """PyTorch's rule: a tensor with a zero-size dimension (``nn.Linear(0, 4)``'s weight) has
    no fan to divide by and nothing to fill; warn, as PyTorch does, and leave it."""
    if 0 not in tuple(tensor.shape):
        return False
    warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
    return True


def reset_weight_and_bias(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default init of Linear and conv layers (their ``reset_parameters``)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound)
