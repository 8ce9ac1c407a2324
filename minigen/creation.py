"""Making tensors: from data (``tensor``), filled (``zeros``, ``full``, ...) or random (``randn``).

Each takes ``dtype=`` (default float32) and ``device=`` (default: ``get_default_device()``) and
allocates directly on that device.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigen.autograd.tensor import Tensor
from minigen.backend import random as _random
from minigen.backend.array_module import device_of_array, get_array_module, is_cupy_array
from minigen.backend.device import Device, as_device
from minigen.backend.transfer import move_array
from minigen.dtypes import DType, as_dtype, default_float, dtype_from_native

DeviceLike = str | Device | None


def tensor(
    data: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A new leaf tensor holding a copy of ``data``.

    A NumPy (or CuPy) array keeps its dtype; Python floats and lists of them become float32,
    Python ints int64, bools bool. A CuPy array stays on its GPU unless ``device`` says otherwise.
    """
    if isinstance(data, Tensor):
        data = data.array
    if is_cupy_array(data) or type(data).__module__.startswith("array_api_strict"):
        source = device_of_array(data)
        array = data
    else:
        source = Device("cpu")
        array = _host_array(data)
    target = source if device is None and source.type != "cpu" else as_device(device)
    if dtype is not None and dtype_from_native(array.dtype) != as_dtype(dtype):
        xp = get_array_module(array)
        array = xp.astype(array, as_dtype(dtype).native(xp))
    array = move_array(array, target) if target != source else _copy(array)
    return Tensor.wrap(array, requires_grad=requires_grad)


def _host_array(data: Any) -> np.ndarray:
    if isinstance(data, np.ndarray):
        return data
    array = np.asarray(data)
    if array.dtype.kind == "f":
        return array.astype(default_float.native(np))
    if array.dtype.kind in "iu" and not isinstance(data, np.generic):
        return array.astype(np.int64)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"mg.tensor cannot hold {type(data).__name__} data of dtype {array.dtype}")
    return array


def _copy(array: Any) -> Any:
    return get_array_module(array).asarray(array, copy=True)


def _shape(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(int(n) for n in size[0])
    return tuple(int(n) for n in size)


def _filled(fill: str, shape: tuple[int, ...], dtype: Any, device: DeviceLike, value: Any = None) -> Any:
    target = as_device(device)
    xp = target.xp
    native = as_dtype(dtype if dtype is not None else default_float).native(xp)
    with target.context():
        if fill == "full":
            return xp.full(shape, value, dtype=native, device=target.native)
        return getattr(xp, fill)(shape, dtype=native, device=target.native)


def zeros(*size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``mg.zeros(2, 3)`` or ``mg.zeros((2, 3))``."""
    return Tensor.wrap(_filled("zeros", _shape(size), dtype, device), requires_grad)


def ones(*size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    return Tensor.wrap(_filled("ones", _shape(size), dtype, device), requires_grad)


def full(
    size: Sequence[int], fill_value: float, dtype: Any = None, device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; without ``dtype``, the value's kind
    decides as in PyTorch: bool, int64 for ints, float32 for floats."""
    if dtype is None:
        dtype = _dtype_of_number(fill_value)
    return Tensor.wrap(_filled("full", _shape((size,)), dtype, device, fill_value), requires_grad)


def empty(*size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """An "uninitialised" tensor; minigen fills it with zeros, so runs stay reproducible."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: DeviceLike = None,
        requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` identity matrix (ones on the diagonal)."""
    target = as_device(device)
    xp = target.xp
    native = as_dtype(dtype if dtype is not None else default_float).native(xp)
    with target.context():
        data = xp.eye(int(n), int(m) if m is not None else None, dtype=native, device=target.native)
    return Tensor.wrap(data, requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: DeviceLike = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative integer, not {steps!r}")
    target = as_device(device)
    xp = target.xp
    native = as_dtype(dtype if dtype is not None else default_float).native(xp)
    with target.context():
        data = xp.linspace(start, end, int(steps), dtype=native, device=target.native)
    return Tensor.wrap(data, requires_grad)


def randint(*args: Any, size: Any = None, dtype: Any = None, device: DeviceLike = None,
            generator: Any = None, **bounds: Any) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high), int64.

    As in PyTorch, ``size``, ``low`` and ``high`` may also be keywords:
    ``mg.randint(10, size=(3,))``, ``mg.randint(low=2, high=5, size=(3,))``.
    """
    unknown = set(bounds) - {"low", "high"}
    if unknown:
        raise TypeError(f"randint() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    given = list(args) + ([] if size is None else [size])
    if "high" in bounds:
        given.insert(len(args), bounds["high"])
    if "low" in bounds:
        given.insert(0, bounds["low"])
    if len(given) == 2:
        (high, size), low = given, 0
    elif len(given) == 3:
        low, high, size = given
    else:
        raise TypeError("randint takes (high, size) or (low, high, size), e.g. mg.randint(0, 10, (3,))")
    if int(high) <= int(low):
        raise ValueError(f"randint: high ({high}) must be larger than low ({low})")
    kind = as_dtype(dtype if dtype is not None else "int64")
    data = _random.integers(int(low), int(high), _shape((size,)), kind, as_device(device), generator)
    return Tensor.wrap(data)


def randperm(n: int, dtype: Any = None, device: DeviceLike = None, generator: Any = None) -> Tensor:
    """A random permutation of 0..n-1 (int64), from minigen's generator or ``generator``."""
    kind = as_dtype(dtype if dtype is not None else "int64")
    return Tensor.wrap(_random.permutation(int(n), kind, as_device(device), generator))


def is_tensor(obj: Any) -> bool:
    """True for minigen tensors (Parameters too), as ``torch.is_tensor``."""
    return isinstance(obj, Tensor)


def _dtype_of_number(value: Any) -> DType:
    if isinstance(value, (bool, np.bool_)):
        return as_dtype("bool")
    if isinstance(value, (int, np.integer)):
        return as_dtype("int64")
    return default_float


def arange(
    start: float, end: float | None = None, step: float = 1, dtype: Any = None,
    device: DeviceLike = None,
) -> Tensor:
    """``start, start + step, ...`` up to (not including) ``end``; ints give int64, as in PyTorch."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, int) for v in (start, end, step))
        dtype = "int64" if integral else default_float
    target = as_device(device)
    xp = target.xp
    with target.context():
        data = xp.arange(start, end, step, dtype=as_dtype(dtype).native(xp), device=target.native)
    return Tensor.wrap(data)


def randn(*size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """Draws from the standard normal N(0, 1), from the device's seeded generator."""
    kind = as_dtype(dtype if dtype is not None else default_float)
    _require_float(kind, "randn")
    return Tensor.wrap(_random.standard_normal(_shape(size), kind, as_device(device)), requires_grad)


def rand(*size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False) -> Tensor:
    """Draws from the uniform distribution on [0, 1)."""
    kind = as_dtype(dtype if dtype is not None else default_float)
    _require_float(kind, "rand")
    return Tensor.wrap(_random.uniform(_shape(size), kind, as_device(device)), requires_grad)


def _require_float(dtype: DType, name: str) -> None:
    if not dtype.is_floating_point:
        raise TypeError(f"{name} draws floats; dtype {dtype} is not a floating-point dtype")


def _like(x: Tensor, dtype: Any, device: DeviceLike) -> tuple[Any, Device]:
    return (dtype if dtype is not None else x.dtype), (device if device is not None else x.device)


def zeros_like(x: Tensor, dtype: Any = None, device: DeviceLike = None) -> Tensor:
    d, dev = _like(x, dtype, device)
    return zeros(x.shape, dtype=d, device=dev)


def ones_like(x: Tensor, dtype: Any = None, device: DeviceLike = None) -> Tensor:
    d, dev = _like(x, dtype, device)
    return ones(x.shape, dtype=d, device=dev)


def full_like(x: Tensor, fill_value: float, dtype: Any = None, device: DeviceLike = None) -> Tensor:
    d, dev = _like(x, dtype, device)
    return full(x.shape, fill_value, dtype=d, device=dev)


def randn_like(x: Tensor, dtype: Any = None, device: DeviceLike = None) -> Tensor:
    """N(0, 1) draws with the shape, dtype and device of ``x``."""
    d, dev = _like(x, dtype, device)
    return randn(x.shape, dtype=d, device=dev)


def rand_like(x: Tensor, dtype: Any = None, device: DeviceLike = None) -> Tensor:
    """U[0, 1) draws with the shape, dtype and device of ``x``."""
    d, dev = _like(x, dtype, device)
    return rand(x.shape, dtype=d, device=dev)


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with ``array`` (no copy), as ``torch.from_numpy``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy takes a NumPy array, not {type(array).__name__}")
    return Tensor.wrap(array)
