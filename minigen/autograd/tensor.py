"""``Tensor``: an array (NumPy on "cpu", CuPy on "cuda") plus what autograd needs.

A Tensor holds ``data`` (the raw array), ``requires_grad``, ``grad`` (a Tensor, filled by
``backward()`` on leaves) and ``grad_fn`` (the Function that made it, None for leaves). Every
operator and computing method (``+``, ``x.sum()``, ``x.to()``, ``x.add_()``) is attached in
``minigen/functions/tensor_methods.py``, a thin call into ``minigen.functions``, where each
operation is one Function with its forward and backward. This file imports none of them, so
the autograd core depends on nothing built on top of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from minigen.autograd.engine import run_backward
from minigen.autograd.version import VersionCounter
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.device import Device, get_default_device
from minigen.backend.transfer import move_array, to_host
from minigen.dtypes import DType, dtype_from_native
from minigen.errors import GradError

if TYPE_CHECKING:  # editors and type checkers see the methods attached by tensor_methods.py
    from minigen.functions.tensor_methods import TensorMethods as _Methods
else:  # at run time they are copied onto Tensor itself: Tensor's only base is object
    _Methods = object


class Tensor(_Methods):
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

class MaxResult(NamedTuple):
    """``x.max(dim)`` returns the values and their indices, as PyTorch does."""

    values: Tensor
    indices: Tensor


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
