"""Tensor's operators and methods, attached to the class in one place.

``autograd/tensor.py`` holds what a tensor *is* (its array, ``requires_grad``, ``grad``,
``grad_fn``, conversions to Python and NumPy, ``backward()``); every method that *computes*
(``+``, ``x.sum()``, ``x.reshape()``, ``x.to()``, ``x.add_()``) is here, a one-line call into a
Function of ``minigen.functions``. They are written as the body of ``TensorMethods`` and copied
onto ``Tensor`` by ``attach()`` at the end of this file, as DeZero's ``setup_variable`` does,
so the autograd core never imports the functions built on it (no import cycle). ``minigen``'s
``__init__.py`` imports this module first of all.
"""

from __future__ import annotations

import math
from types import FunctionType
from typing import Any

from minigen import functions as F
from minigen.autograd.tensor import Tensor
from minigen.backend.device import as_device
from minigen.dtypes import as_dtype, split_to_arguments


class TensorMethods:
    """The computing methods of ``Tensor`` (each a thin call into ``minigen.functions``)."""

    # -- explicit host/device copies (the only places they happen) ------------------------
    def to(self, *args: Any, device: Any = None, dtype: Any = None) -> Tensor:
        """A copy on ``device`` and/or with ``dtype``; ``self`` when nothing changes.

        ``x.to("cuda")``, ``x.to(mg.float64)``, ``x.to(device="cpu", dtype=mg.float32)``.
        Both changes are recorded: gradients flow back through them to ``self``.
        """
        device, dtype = split_to_arguments(args, device, dtype)
        result = self
        if dtype is not None and as_dtype(dtype) != self.dtype:
            result = F.cast(result, as_dtype(dtype))
        if device is not None:
            target = as_device(device)
            if target != result.device:
                result = F.to_device(result, target)
        return result

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Tensor:
        return self.to(f"cuda:{index}")

    def float(self) -> Tensor:
        return self.to(dtype="float32")

    def double(self) -> Tensor:
        return self.to(dtype="float64")

    def long(self) -> Tensor:
        return self.to(dtype="int64")

    def int(self) -> Tensor:
        return self.to(dtype="int32")

    def half(self) -> Tensor:
        return self.to(dtype="float16")

    def bool(self) -> Tensor:
        return self.to(dtype="bool")

    # -- new tensors like this one (dtype and device from self, as PyTorch's new_*) --------
    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return F.new_like(self, "zeros", _shape_args(size), dtype, device, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return F.new_like(self, "ones", _shape_args(size), dtype, device, requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return F.new_like(self, "zeros", _shape_args(size), dtype, device, requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        return F.new_like(self, "full", _shape_args((size,)), dtype, device, requires_grad, fill_value)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        return F.new_like(self, "tensor", data, dtype, device, requires_grad)

    clone = F.clone

    # -- arithmetic (each a Function in minigen/functions) -------------------------------
    __add__ = F.add

    def __radd__(self, other: Any) -> Tensor:
        return F.add(other, self)

    __sub__ = F.sub

    def __rsub__(self, other: Any) -> Tensor:
        return F.sub(other, self)

    __mul__ = F.mul

    def __rmul__(self, other: Any) -> Tensor:
        return F.mul(other, self)

    __truediv__ = F.div

    def __rtruediv__(self, other: Any) -> Tensor:
        return F.div(other, self)

    __neg__ = F.neg
    __pow__ = F.pow

    def __rpow__(self, base: Any) -> Tensor:
        return F.exp(F.mul(self, math.log(base)))

    __matmul__ = F.matmul

    def __rmatmul__(self, other: Any) -> Tensor:
        return F.matmul(other, self)

    # -- comparisons give bool tensors and are not differentiable --------------------------
    # (Tensor keeps object.__hash__: tensors are graph nodes, hashed by identity as in PyTorch;
    # attaching __eq__ after the class exists does not unset it.)
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return F.compare(self, other, "equal")

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return F.compare(self, other, "not_equal")

    def __lt__(self, other: Any) -> Tensor:
        return F.compare(self, other, "less")

    def __le__(self, other: Any) -> Tensor:
        return F.compare(self, other, "less_equal")

    def __gt__(self, other: Any) -> Tensor:
        return F.compare(self, other, "greater")

    def __ge__(self, other: Any) -> Tensor:
        return F.compare(self, other, "greater_equal")

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # -- in-place operations (minigen/functions/inplace.py): they change this tensor's memory
    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return F.inplace(self, "add_", lambda t: F.add(t, _scaled(other, alpha)), other)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return F.inplace(self, "sub_", lambda t: F.sub(t, _scaled(other, alpha)), other)

    def mul_(self, other: Any) -> Tensor:
        return F.inplace(self, "mul_", lambda t: F.mul(t, other), other)

    def div_(self, other: Any) -> Tensor:
        return F.inplace(self, "div_", lambda t: F.div(t, other), other)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Tensor:
        return F.inplace(self, "clamp_", lambda t: F.clamp(t, min, max))

    def copy_(self, src: Any) -> Tensor:
        return F.inplace(self, "copy_", lambda t: F.assign(t, src), src)

    def fill_(self, value: Any) -> Tensor:
        return self.copy_(value if isinstance(value, Tensor) else F.fill_value(self, value))

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        return self.copy_(F.random_like(self, "normal") * std + mean)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        return self.copy_(F.random_like(self, "uniform") * (b - a) + a)

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    __setitem__ = F.setitem

    # -- elementwise functions -------------------------------------------------------------
    exp = F.exp
    log = F.log
    sqrt = F.sqrt
    abs = F.abs
    tanh = F.tanh
    sigmoid = F.sigmoid
    relu = F.relu
    clamp = F.clamp

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return F.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return F.minimum(self, other)

    log1p = F.log1p
    expm1 = F.expm1
    softmax = F.softmax
    log_softmax = F.log_softmax

    def mm(self, mat2: Tensor) -> Tensor:
        return F.mm(self, mat2)

    gather = F.gather

    # -- reductions ---------------------------------------------------------------------------
    sum = F.sum
    mean = F.mean

    def var(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
        return F.var(self, dim, unbiased=unbiased, keepdim=keepdim)

    max = F.max

    def std(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
            correction: int | None = None) -> Tensor:
        return F.std(self, dim, unbiased, keepdim, correction=correction)

    norm = F.norm
    min = F.min
    argmax = F.argmax
    argmin = F.argmin

    # -- shapes ---------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return F.reshape(self, _shape_args(shape))

    def view(self, *shape: Any) -> Tensor:
        return F.reshape(self, _shape_args(shape))

    flatten = F.flatten

    def permute(self, *dims: Any) -> Tensor:
        return F.permute(self, _shape_args(dims))

    transpose = F.transpose

    @property
    def T(self) -> Tensor:
        return F.permute(self, tuple(reversed(range(self.ndim))))

    unsqueeze = F.unsqueeze
    squeeze = F.squeeze

    def view_as(self, other: Tensor) -> Tensor:
        return F.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return F.reshape(self, other.shape)

    def t(self) -> Tensor:
        """The transpose of a matrix (a 0-d or 1-d tensor is returned as it is), as PyTorch."""
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, but this one has {self.ndim}")
        return self if self.ndim < 2 else F.transpose(self, 0, 1)

    pow = F.pow

    def expand(self, *shape: Any) -> Tensor:
        return F.broadcast_to(self, _shape_args(shape))

    def repeat(self, *sizes: Any) -> Tensor:
        return F.repeat(self, *sizes)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return F.split(self, split_size, dim)

    chunk = F.chunk
    __getitem__ = F.getitem


def _scaled(other: Any, alpha: float) -> Any:
    """``alpha * other`` for ``add_(other, alpha=...)``: a Python product for numbers."""
    if alpha == 1:
        return other
    return F.mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def _shape_args(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``reshape(2, 3)`` and ``reshape((2, 3))`` alike."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def attach() -> None:
    """Copy every method and property of ``TensorMethods`` onto ``Tensor``."""
    for name, member in vars(TensorMethods).items():
        if isinstance(member, (FunctionType, property)):
            setattr(Tensor, name, member)


attach()
