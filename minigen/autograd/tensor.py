"""``Tensor``: an array (NumPy on "cpu", CuPy on "cuda") plus what autograd needs.

A Tensor holds ``data`` (the raw array), ``requires_grad``, ``grad`` (a Tensor, filled by
``backward()`` on leaves) and ``grad_fn`` (the Function that made it, None for leaves). Every
operator and method here is a thin call into ``minigen.functions``, where each operation is one
Function with its forward and backward.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from minigen.autograd.version import VersionCounter
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.device import Device, as_device, get_default_device
from minigen.backend.transfer import move_array, to_host
from minigen.dtypes import DType, as_dtype, dtype_from_native
from minigen.errors import GradError


class Tensor:
    """A multi-dimensional array that records the operations applied to it for ``backward()``."""

    __slots__ = ("array", "requires_grad", "grad", "grad_fn", "_version_counter", "_base", "__weakref__")
    __array_priority__ = 1000  # so ndarray + Tensor calls Tensor.__radd__

    def __init__(self, *data: Any, requires_grad: bool = False) -> None:
        """PyTorch's legacy constructor: ``mg.Tensor([[1, 2], [3, 4]])`` is float32 (the
        default dtype, whatever the data), ``mg.Tensor(2, 3)`` a (2, 3) float32 tensor of
        zeros, ``mg.Tensor()`` an empty one. Prefer ``mg.tensor(data)``, which keeps ints.
        """
        array = _legacy_array(data)
        self._set(array, requires_grad)

    @classmethod
    def wrap(cls, array: Any, requires_grad: bool = False) -> Tensor:
        """The engine's constructor: a tensor around ``array`` as it is (no copy, no cast)."""
        t = object.__new__(cls)
        t._set(array, requires_grad)
        return t

    def _set(self, array: Any, requires_grad: bool) -> None:
        if isinstance(array, np.generic):  # NumPy reductions return scalars; keep 0-d arrays
            array = np.asarray(array)
        self.array = array
        self.grad: Tensor | None = None
        self.grad_fn: Any = None
        self.requires_grad = False
        self._version_counter = VersionCounter()
        self._base: Tensor | None = None
        if requires_grad:
            self.requires_grad_(True)

    def share_memory_of(self, base: Tensor) -> None:
        """Mark ``self`` as a view of ``base``: in-place writes to either count for both."""
        self._version_counter = base._version_counter
        self._base = base if base._base is None else base._base

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's memory has seen (PyTorch's ``x._version``)."""
        return self._version_counter.value

    @property
    def data(self) -> Tensor:
        """The same storage as a new tensor without history (PyTorch's ``.data``).

        Writes through it (``w.data.mul_(0.5)``) change ``self`` and are not tracked by
        autograd; ``self.array`` is the raw NumPy/CuPy array itself.
        """
        return Tensor.wrap(self.array)  # its own version counter: .data writes go unseen

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"tensor.data must be assigned a Tensor, not {type(value).__name__}; "
                "wrap it with mg.tensor(...) or copy values in with tensor.data.copy_(...)"
            )
        if value.shape != self.shape or value.dtype != self.dtype or value.device != self.device:
            raise ValueError(
                f"tensor.data = ...: the new value has shape {value.shape}, {value.dtype} on "
                f"{value.device}, but this tensor has shape {self.shape}, {self.dtype} on "
                f"{self.device}; convert it first (e.g. value.to(device=..., dtype=...))"
            )
        self.array = value.array

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.array.shape)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> DType:
        return dtype_from_native(self.array.dtype)

    @property
    def device(self) -> Device:
        return device_of_array(self.array)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape, or the length of dimension ``dim``."""
        return self.shape if dim is None else self.shape[dim]

    def numel(self) -> int:
        n = 1
        for s in self.array.shape:
            n *= s
        return n

    def dim(self) -> int:
        return self.array.ndim

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (this one has "
                f"shape {self.shape}); use (t == x).all(), .any(), or compare one element"
            )
        return bool(self.item())

    def __float__(self) -> float:
        return float(self._one_value("float"))

    def __int__(self) -> int:
        return int(self._one_value("int"))

    def __complex__(self) -> complex:
        return complex(self._one_value("complex"))

    def __index__(self) -> int:
        """``items[t]`` with an integer tensor of one element, as in PyTorch."""
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        """``f"{loss:.3f}"`` formats a 0-d tensor's value, as PyTorch does."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(
                f"unsupported format string passed to Tensor.__format__ (a tensor of shape "
                f"{self.shape}); format t.item() of a 0-d tensor, or the values of t.tolist()"
            )
        return repr(self)

    def _one_value(self, kind: str) -> float | int | bool:
        if self.numel() != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars ({kind}() of a "
                f"tensor of shape {self.shape})"
            )
        return self.item()

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    # -- explicit host/device copies (the only places they happen) ------------------------
    def to(self, *args: Any, device: Any = None, dtype: Any = None) -> Tensor:
        """A copy on ``device`` and/or with ``dtype``; ``self`` when nothing changes.

        ``x.to("cuda")``, ``x.to(mg.float64)``, ``x.to(device="cpu", dtype=mg.float32)``.
        Both changes are recorded: gradients flow back through them to ``self``.
        """
        for arg in args:
            names_dtype = isinstance(arg, str) and arg.startswith(("float", "int", "uint", "bool"))
            if isinstance(arg, (DType, type)) or names_dtype:
                dtype = arg
            else:
                device = arg
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

    def type(self, dtype: Any = None) -> Any:
        """``t.type(mg.float64)`` converts; ``t.type()`` names it, e.g. 'minigen.FloatTensor'."""
        if dtype is not None:
            return self.to(dtype=dtype)
        names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "uint8": "Byte", "bool": "Bool"}
        return f"minigen.{names[self.dtype.name]}Tensor"

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_xpu(self) -> bool:
        """False: minigen has no Intel GPU device (its devices are cpu and cuda)."""
        return False

    @property
    def is_mps(self) -> bool:
        """False: minigen has no Apple GPU device (its devices are cpu and cuda)."""
        return False

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

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array on the host (a copy from a GPU; the array itself on CPU)."""
        if type(self.array) is np.ndarray:
            return self.array
        return to_host(self.array)

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number (waits for the GPU)."""
        if self.numel() != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self.shape}")
        return self.numpy().reshape(()).item()

    def tolist(self) -> Any:
        return self.numpy().tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # Only CPU tensors convert implicitly: a GPU tensor must be copied with .numpy().
        if type(self.array) is not np.ndarray:
            raise TypeError(
                f"a tensor on {self.device} does not convert to NumPy implicitly; call .numpy()"
            )
        return self.array if dtype is None else self.array.astype(dtype)

    # -- autograd -------------------------------------------------------------------------
    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, into ``leaf.grad``."""
        from minigen.autograd.engine import run_backward

        run_backward(self, grad, retain_graph)

    def detach(self) -> Tensor:
        """The same memory, cut from the graph (no grad_fn, no requires_grad).

        It shares the version counter, as in PyTorch: changing the detached tensor in place
        changes ``self`` too, and a backward that needs ``self``'s old values says so.
        """
        out = Tensor.wrap(self.array)
        out._version_counter = self._version_counter
        return out

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not self.dtype.is_floating_point:
            raise GradError(
                f"only floating-point tensors can require grad; this one is {self.dtype}. "
                "Convert it first, e.g. x.float()"
            )
        if not requires_grad and self.grad_fn is not None:
            raise GradError(
                "you can only change requires_grad flags of leaf variables; use "
                "t = t.detach() to cut a computed tensor from the graph"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def clone(self) -> Tensor:
        return F.clone(self)

    # -- printing -------------------------------------------------------------------------
    def __repr__(self) -> str:
        body = np.array2string(self.numpy(), separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self.dtype.name not in ("float32", "int64", "bool"):
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # -- arithmetic (each a Function in minigen/functions) -------------------------------
    def __add__(self, other: Any) -> Tensor:
        return F.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return F.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return F.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return F.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return F.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return F.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return F.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return F.div(other, self)

    def __neg__(self) -> Tensor:
        return F.neg(self)

    def __pow__(self, exponent: Any) -> Tensor:
        return F.pow(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return F.exp(F.mul(self, float(np.log(base))))

    def __matmul__(self, other: Any) -> Tensor:
        return F.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return F.matmul(other, self)

    # -- comparisons give bool tensors and are not differentiable --------------------------
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

    __hash__ = object.__hash__  # tensors are graph nodes: hashed by identity, as in PyTorch

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

    def __setitem__(self, key: Any, value: Any) -> None:
        F.setitem(self, key, value)

    # -- elementwise functions -------------------------------------------------------------
    def exp(self) -> Tensor:
        return F.exp(self)

    def log(self) -> Tensor:
        return F.log(self)

    def sqrt(self) -> Tensor:
        return F.sqrt(self)

    def abs(self) -> Tensor:
        return F.abs(self)

    def tanh(self) -> Tensor:
        return F.tanh(self)

    def sigmoid(self) -> Tensor:
        return F.sigmoid(self)

    def relu(self) -> Tensor:
        return F.relu(self)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        return F.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> Tensor:
        return F.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return F.minimum(self, other)

    def log1p(self) -> Tensor:
        return F.log1p(self)

    def expm1(self) -> Tensor:
        return F.expm1(self)

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return F.softmax(self, dim, dtype)

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return F.log_softmax(self, dim, dtype)

    def mm(self, mat2: Tensor) -> Tensor:
        return F.mm(self, mat2)

    def gather(self, dim: int, index: Tensor) -> Tensor:
        return F.gather(self, dim, index)

    # -- reductions ---------------------------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return F.sum(self, dim, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return F.mean(self, dim, keepdim)

    def var(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False) -> Tensor:
        return F.var(self, dim, unbiased=unbiased, keepdim=keepdim)

    def max(self, dim: int | None = None, keepdim: bool = False) -> Any:
        return F.max(self, dim, keepdim)

    def std(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
            correction: int | None = None) -> Tensor:
        return F.std(self, dim, unbiased, keepdim, correction=correction)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return F.norm(self, p, dim, keepdim, dtype)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return F.min(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return F.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return F.argmin(self, dim, keepdim)

    # -- shapes ---------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return F.reshape(self, _shape_args(shape))

    def view(self, *shape: Any) -> Tensor:
        return F.reshape(self, _shape_args(shape))

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return F.flatten(self, start_dim, end_dim)

    def permute(self, *dims: Any) -> Tensor:
        return F.permute(self, _shape_args(dims))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return F.transpose(self, dim0, dim1)

    @property
    def T(self) -> Tensor:
        return F.permute(self, tuple(reversed(range(self.ndim))))

    def unsqueeze(self, dim: int) -> Tensor:
        return F.unsqueeze(self, dim)

    def squeeze(self, dim: int | None = None) -> Tensor:
        return F.squeeze(self, dim)

    def view_as(self, other: Tensor) -> Tensor:
        return F.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return F.reshape(self, other.shape)

    def t(self) -> Tensor:
        """The transpose of a matrix (a 0-d or 1-d tensor is returned as it is), as PyTorch."""
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, but this one has {self.ndim}")
        return self if self.ndim < 2 else F.transpose(self, 0, 1)

    def pow(self, exponent: Any) -> Tensor:
        return F.pow(self, exponent)

    def expand(self, *shape: Any) -> Tensor:
        return F.broadcast_to(self, _shape_args(shape))

    def repeat(self, *sizes: Any) -> Tensor:
        return F.repeat(self, *sizes)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return F.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return F.chunk(self, chunks, dim)

    def __getitem__(self, key: Any) -> Tensor:
        return F.getitem(self, key)


class MaxResult(NamedTuple):
    """``x.max(dim)`` returns the values and their indices, as PyTorch does."""

    values: Tensor
    indices: Tensor


def _scaled(other: Any, alpha: float) -> Any:
    """``alpha * other`` for ``add_(other, alpha=...)``: a Python product for numbers."""
    if alpha == 1:
        return other
    return F.mul(other, alpha) if isinstance(other, Tensor) else other * alpha


def _legacy_array(data: tuple[Any, ...]) -> Any:
    """The array of ``mg.Tensor(*data)``: float32 on the default device, as PyTorch's."""
    target = get_default_device()
    if all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in data):
        with target.context():  # mg.Tensor(2, 3), or mg.Tensor() for an empty one
            return target.xp.zeros(tuple(int(n) for n in data) or (0,), dtype=target.xp.float32, device=target.native)
    if len(data) != 1:
        raise TypeError(f"mg.Tensor() takes sizes (ints) or one sequence of numbers, not {data!r}")
    (value,) = data
    if isinstance(value, Tensor):
        return value.array
    if isinstance(value, (bool, int, float, complex, str, bytes)) or value is None:
        raise TypeError(
            f"mg.Tensor(data): data must be a sequence (got {type(value).__name__}); "
            f"use mg.tensor({value!r}) for a 0-d tensor"
        )
    xp_arrays = type(value).__module__.split(".", 1)[0] in ("cupy", "array_api_strict")
    if xp_arrays:  # already on a device: stays there, as float32
        xp = get_array_module(value)
        return xp.astype(value, xp.float32)
    try:
        host = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise TypeError(f"mg.Tensor(data): cannot make float32 numbers of {value!r}: {error}") from None
    return move_array(np.array(host, copy=True), target)


def _shape_args(args: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``reshape(2, 3)`` and ``reshape((2, 3))`` alike."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


from minigen import functions as F  # noqa: E402  (the functions module needs Tensor first)
