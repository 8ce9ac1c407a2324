"""The differentiable operations as plain functions: ``F.add(a, b)``, ``F.sum(x, dim)``, ...

Each function here calls ``SomeFunction.apply``; the Function classes, one per file by theme,
hold the forward and backward (and a docstring with the local derivative).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigen import creation
from minigen.autograd.tensor import MaxResult, Tensor
from minigen.backend.array_module import get_array_module
from minigen.dtypes import float32
from minigen.functions.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from minigen.functions.arithmetic import Add, Div, Mul, Neg, Sub
from minigen.functions.broadcasting import BroadcastTo
from minigen.functions.cast import Copy
from minigen.functions.comparison import compare  # noqa: F401  (Tensor's == < ...)
from minigen.functions.elementwise import Abs, Exp, Log, Pow, Sqrt
from minigen.functions.indexing import GetItem, index_key
from minigen.functions.inplace import assign, fill_value, inplace, random_like, setitem  # noqa: F401
from minigen.functions.join import Cat, Stack
from minigen.functions.matmul import MatMul
from minigen.functions.reductions import Max, Mean, Sum, Var
from minigen.functions.selection import Clamp, Maximum, Where
from minigen.functions.shape import Permute, Reshape


def _is_integral(x: Any) -> bool:
    return isinstance(x, Tensor) and not x.dtype.is_floating_point


def _promote(a: Any, b: Any, divide: bool = False) -> tuple[Any, Any]:
    """PyTorch's promotion: an integer (or bool) tensor that meets a float, or is divided,
    becomes float (the other tensor's float dtype, else float32), never float64 by accident."""
    if not (_is_integral(a) or _is_integral(b)):
        return a, b
    floats = [x for x in (a, b) if isinstance(x, float) or (isinstance(x, Tensor) and not _is_integral(x))]
    if not (divide or floats):
        return a, b
    target = next((x.dtype for x in floats if isinstance(x, Tensor)), float32)
    return tuple(x.to(dtype=target) if _is_integral(x) else x for x in (a, b))  # type: ignore[return-value]


def add(a: Any, b: Any) -> Tensor:
    return Add.apply(*_promote(a, b))


def sub(a: Any, b: Any) -> Tensor:
    return Sub.apply(*_promote(a, b))


def mul(a: Any, b: Any) -> Tensor:
    return Mul.apply(*_promote(a, b))


def div(a: Any, b: Any) -> Tensor:
    return Div.apply(*_promote(a, b, divide=True))


def neg(x: Tensor) -> Tensor:
    return Neg.apply(x)


def pow(x: Tensor, exponent: Any) -> Tensor:
    if isinstance(exponent, Tensor):  # a tensor exponent: x^y = e^(y ln x)
        return exp(mul(exponent, log(x)))
    return Pow.apply(x, exponent=exponent)


def matmul(a: Any, b: Any) -> Tensor:
    return MatMul.apply(a, b)


def exp(x: Tensor) -> Tensor:
    return Exp.apply(x)


def log(x: Tensor) -> Tensor:
    return Log.apply(x)


def sqrt(x: Tensor) -> Tensor:
    return Sqrt.apply(x)


def abs(x: Tensor) -> Tensor:
    return Abs.apply(x)


def tanh(x: Tensor) -> Tensor:
    return Tanh.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid.apply(x)


def relu(x: Tensor) -> Tensor:
    return ReLU.apply(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return LeakyReLU.apply(x, negative_slope=negative_slope)


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    if min is None and max is None:
        raise ValueError("clamp needs min, max or both")
    return Clamp.apply(x, min=min, max=max)


def maximum(a: Any, b: Any) -> Tensor:
    return Maximum.apply(a, b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b``; gradients flow to ``a`` and ``b``."""
    cond = condition.array if isinstance(condition, Tensor) else condition
    return Where.apply(a, b, condition=cond)


def sum(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return Sum.apply(x, axis=dim, keepdims=keepdim)


def mean(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return Mean.apply(x, axis=dim, keepdims=keepdim)


def var(x: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
    """Variance; ``unbiased=True`` divides by n - 1 (Bessel's correction), as PyTorch does."""
    return Var.apply(x, axis=dim, correction=1 if unbiased else 0, keepdims=keepdim)


def max(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The maximum; with ``dim``, a ``(values, indices)`` pair as in PyTorch."""
    if dim is None:
        return Max.apply(x, axis=None, keepdims=keepdim, ties="split")
    values = Max.apply(x, axis=dim, keepdims=keepdim, ties="first")
    return MaxResult(values, argmax(x, dim, keepdim))


def argmax(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Indices of the maxima (not differentiable)."""
    return _arg_extreme(x, "argmax", dim, keepdim)


def argmin(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Indices of the minima (not differentiable)."""
    return _arg_extreme(x, "argmin", dim, keepdim)


def _arg_extreme(x: Tensor, name: str, dim: int | None, keepdim: bool) -> Tensor:
    xp = get_array_module(x.array)
    if dim is None:
        return Tensor.wrap(getattr(xp, name)(xp.reshape(x.array, (-1,))))
    return Tensor.wrap(getattr(xp, name)(x.array, axis=dim, keepdims=keepdim))


def new_like(x: Tensor, kind: str, arg: Any, dtype: Any, device: Any, requires_grad: bool,
             value: Any = None) -> Tensor:
    """``x.new_zeros(...)`` and friends: dtype and device default to ``x``'s, as in PyTorch."""
    dtype = x.dtype if dtype is None else dtype
    device = x.device if device is None else device
    if kind == "tensor":
        return creation.tensor(arg, dtype=dtype, device=device, requires_grad=requires_grad)
    if kind == "full":
        return creation.full(arg, value, dtype=dtype, device=device, requires_grad=requires_grad)
    return getattr(creation, kind)(arg, dtype=dtype, device=device, requires_grad=requires_grad)


def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    return Reshape.apply(x, shape=tuple(shape))


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim..end_dim into one."""
    if x.ndim == 0:
        return reshape(x, (1,))
    start, end = start_dim % x.ndim, end_dim % x.ndim
    shape = x.shape
    merged = 1
    for n in shape[start : end + 1]:
        merged *= n
    return reshape(x, shape[:start] + (merged,) + shape[end + 1 :])


def permute(x: Tensor, dims: Sequence[int]) -> Tensor:
    dims = tuple(d % x.ndim for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise ValueError(f"permute needs a reordering of 0..{x.ndim - 1}, got {dims}")
    return Permute.apply(x, dims=dims)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    dims = list(range(x.ndim))
    dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
    return permute(x, dims)


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """Insert a size-1 axis at ``dim``."""
    dim = dim % (x.ndim + 1)
    return reshape(x, x.shape[:dim] + (1,) + x.shape[dim:])


def squeeze(x: Tensor, dim: int | None = None) -> Tensor:
    """Remove size-1 axes (only ``dim``, when given and of size 1)."""
    if dim is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    dim = dim % x.ndim
    if x.shape[dim] != 1:
        return x
    return reshape(x, x.shape[:dim] + x.shape[dim + 1 :])


def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = tuple(x.shape[i - (len(shape) - x.ndim)] if n == -1 else n for i, n in enumerate(shape))
    return BroadcastTo.apply(x, shape=shape)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    return Cat.apply(*tensors, axis=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along a new dimension."""
    return Stack.apply(*tensors, axis=dim)


def getitem(x: Tensor, key: Any) -> Tensor:
    return GetItem.apply(x, key=index_key(x, key))


def clone(x: Tensor) -> Tensor:
    return Copy.apply(x)


__all__ = [name for name in dir() if not name.startswith("_")]
