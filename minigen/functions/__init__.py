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
from minigen.functions.cast import Cast, Copy, ToDevice
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


def cast(x: Tensor, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (recorded: the gradient is converted back)."""
    return Cast.apply(x, dtype=dtype)


def to_device(x: Tensor, device: Any) -> Tensor:
    """``x`` copied to ``device`` (recorded: the gradient is copied back)."""
    return ToDevice.apply(x, device=device)


def clone(x: Tensor) -> Tensor:
    return Copy.apply(x)


__all__ = [name for name in dir() if not name.startswith("_")]


# -- more operations (issue 12): log1p, expm1, softmax, gather, min, std, norm, repeat, split,
# chunk, mm. Appended as one block; the operations above are untouched. -----------------------
import builtins as _builtins  # noqa: E402  (min and max are shadowed in this module)

from minigen.functions.elementwise import Expm1, Log1p  # noqa: E402
from minigen.functions.gather import Gather  # noqa: E402
from minigen.functions.norms import Norm, Std  # noqa: E402
from minigen.functions.softmax import LogSoftmax, Softmax  # noqa: E402


def log1p(x: Tensor) -> Tensor:
    """ln(1 + x), accurate where x is tiny."""
    return Log1p.apply(x)


def expm1(x: Tensor) -> Tensor:
    """e^x - 1, accurate where x is tiny."""
    return Expm1.apply(x)


def _along(who: str, x: Tensor, dim: int) -> int:
    if not -_builtins.max(x.ndim, 1) <= dim < _builtins.max(x.ndim, 1):
        raise IndexError(
            f"{who}: dimension {dim} is out of range for a tensor with {x.ndim} dimensions"
        )
    return dim % x.ndim if x.ndim else 0


def _float_input(who: str, x: Tensor, dtype: Any = None) -> Tensor:
    if dtype is not None:
        x = x.to(dtype=dtype)
    if not x.dtype.is_floating_point:
        raise TypeError(
            f"{who}: expected a floating point tensor, got {x.dtype.name}; convert it with "
            ".float() (or pass dtype=minigen.float32)"
        )
    return x


def _along_axis(fn: type, x: Tensor, axis: int) -> Tensor:
    if x.ndim == 0:  # a scalar is one entry along its only "axis"
        return reshape(fn.apply(reshape(x, (1,)), axis=0), ())
    return fn.apply(x, axis=axis)


def softmax(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """e^x / sum e^x along ``dim`` (the entries along it are positive and sum to 1)."""
    x = _float_input("softmax", x, dtype)
    return _along_axis(Softmax, x, _along("softmax", x, dim))


def log_softmax(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """x - log sum e^x along ``dim``, by log-sum-exp (finite where log(softmax) underflows)."""
    x = _float_input("log_softmax", x, dtype)
    return _along_axis(LogSoftmax, x, _along("log_softmax", x, dim))


def gather(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """Along ``dim``, the entries ``index`` names: for dim = 1, y[i, j] = x[i, index[i, j]]."""
    if not isinstance(index, Tensor) or index.dtype.name != "int64":
        got = index.dtype.name if isinstance(index, Tensor) else type(index).__name__
        raise TypeError(f"gather: index must be an int64 tensor, got {got}; use .long()")
    if index.device != x.device:
        raise ValueError(f"gather: index is on {index.device} but the input is on {x.device}")
    axis = _along("gather", x, dim)
    if index.ndim != x.ndim or _builtins.any(
        i != axis and m > n for i, (m, n) in enumerate(zip(index.shape, x.shape, strict=True))
    ):
        raise IndexError(
            f"gather: index of shape {tuple(index.shape)} must have the input's {x.ndim} "
            f"dimensions and be no larger than the input {tuple(x.shape)} except along dim {dim}"
        )
    if x.ndim == 0:
        return reshape(gather(reshape(x, (1,)), 0, reshape(index, (1,))), ())
    xp = get_array_module(index.array)
    n = x.shape[axis]
    if index.numel() and bool(xp.any((index.array < 0) | (index.array >= n))):  # host sync
        raise IndexError(f"gather: an index is out of range for dimension {dim} of size {n}")
    return Gather.apply(x, axis=axis, index=index.array)


def minimum(a: Any, b: Any) -> Tensor:
    """The smaller of a and b elementwise: -max(-a, -b); ties split the gradient in half."""
    return neg(maximum(neg(a), neg(b)))


def min(x: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The minimum: -max(-x). With ``dim``, a ``(values, indices)`` pair as in PyTorch; with
    a tensor in place of ``dim``, the elementwise minimum (``torch.min(a, b)``)."""
    if isinstance(dim, Tensor):
        return minimum(x, dim)
    if dim is None:
        return neg(max(neg(x), keepdim=keepdim))
    values = neg(max(neg(x), dim, keepdim).values)
    return MaxResult(values, argmin(x, dim, keepdim))


def std(
    x: Tensor, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
    correction: int | None = None,
) -> Tensor:
    """Standard deviation; divides by n - correction (default 1, Bessel's correction, as
    PyTorch; ``unbiased=False`` means correction 0). ``x.std(False)`` is ``unbiased=False``."""
    if isinstance(dim, bool):  # PyTorch's std(input, unbiased) overload
        dim, unbiased = None, dim
    x = _float_input("std", x)
    if correction is None:
        correction = 1 if unbiased else 0
    return Std.apply(x, axis=dim, correction=correction, keepdims=keepdim)


def norm(
    x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The p-norm over ``dim`` (every element when None): (sum |x|^p)^(1/p); "fro" and the
    default are p = 2; p = inf is max |x|."""
    x = _float_input("norm", x, dtype)
    if p == "fro" or p is None:
        p = 2
    if isinstance(p, str) or not p > 0:
        raise ValueError(
            f"norm: p={p!r} is not supported; use a number > 0, float('inf') or 'fro'"
        )
    return Norm.apply(x, axis=dim, p=float(p), keepdims=keepdim)


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile x ``sizes[d]`` times along each axis d; extra leading sizes add axes.

    Composed of a reshape, a broadcast and a reshape: x of shape (a, b) viewed as (1, a, 1, b),
    broadcast to (r0, a, r1, b), read as (r0 a, r1 b).
    """
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < x.ndim:
        raise ValueError(
            f"repeat: {len(sizes)} repeat sizes for a tensor with {x.ndim} dimensions; give at "
            "least one per dimension"
        )
    shape = (1,) * (len(sizes) - x.ndim) + tuple(x.shape)
    pairs = [(r, n) for r, n in zip(sizes, shape, strict=True)]
    spread = reshape(x, tuple(v for _, n in pairs for v in (1, n)))
    tiled = broadcast_to(spread, tuple(v for pair in pairs for v in pair))
    return reshape(tiled, tuple(r * n for r, n in pairs))


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of the sizes
    in a list (which must add up to the size of ``dim``). Each piece is a slice of x."""
    axis = _along("split", x, dim)
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size or n == 0 else [])
    else:
        sizes = list(split_size_or_sections)
        if _builtins.sum(sizes) != n:
            raise ValueError(
                f"split: sizes {sizes} add up to {_builtins.sum(sizes)}, but dimension {dim} "
                f"has size {n}"
            )
    pieces, start = [], 0
    for size in sizes:
        pieces.append(getitem(x, (slice(None),) * axis + (slice(start, start + size),)))
        start += size
    return tuple(pieces)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` pieces along ``dim``, each of ceil(n / chunks) (the last smaller),
    as PyTorch: 5 rows in 3 chunks are 2 + 2 + 1, and 4 rows in 3 chunks are 2 + 2."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[_along("chunk", x, dim)]
    return split(x, _builtins.max(-(-n // chunks), 1), dim)


def mm(a: Tensor, b: Tensor) -> Tensor:
    """The matrix product of two 2-D tensors (no broadcasting; matmul is the general one)."""
    for name, t in (("self", a), ("mat2", b)):
        if t.ndim != 2:
            raise ValueError(f"mm: {name} must be a matrix (2-D), got shape {tuple(t.shape)}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(
            f"mm: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
            f"({a.shape[1]} != {b.shape[0]})"
        )
    return matmul(a, b)


__all__ = [name for name in dir() if not name.startswith("_")]

# Last, now that every function above exists: give Tensor its operators and methods.
from minigen.functions import tensor_methods  # noqa: E402, F401
