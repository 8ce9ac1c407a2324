"""minigen's dtypes: one object per dtype, resolved to each array library's own dtype by name.

NumPy, CuPy and array-api-strict each have their own float32 object; `mg.float32` names all of
them, so user code never depends on which library holds the data.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class DType:
    """A dtype by name (``minigen.float32``); ``native(xp)`` gives the array library's dtype."""

    __slots__ = ("name", "is_floating_point", "itemsize")

    def __init__(self, name: str, is_floating_point: bool, itemsize: int) -> None:
        self.name = name
        self.is_floating_point = is_floating_point
        self.itemsize = itemsize

    def native(self, xp: Any) -> Any:
        """The dtype object of array namespace ``xp`` (e.g. ``numpy.float32``)."""
        return getattr(xp, self.name)

    def __repr__(self) -> str:
        return f"minigen.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = DType("float16", True, 2)
float32 = DType("float32", True, 4)
float64 = DType("float64", True, 8)
uint8 = DType("uint8", False, 1)
int32 = DType("int32", False, 4)
int64 = DType("int64", False, 8)
bool_ = DType("bool", False, 1)

_BY_NAME = {d.name: d for d in (float16, float32, float64, uint8, int32, int64, bool_)}
# Keyed by (type, dtype) so that dtypes of different libraries are never compared with each
# other (array-api-strict warns about such comparisons, rightly).
_BY_NATIVE: dict[Any, DType] = {(np.dtype, np.dtype(n)): d for n, d in _BY_NAME.items()}

#: The dtype of tensors made from Python floats, as in PyTorch.
default_float = float32


def as_dtype(dtype: Any) -> DType:
    """Accept ``mg.float32``, ``"float32"``, ``np.float32`` or any library's float32."""
    if isinstance(dtype, DType):
        return dtype
    if isinstance(dtype, str):
        found = _BY_NAME.get("bool" if dtype == "bool_" else dtype)
        if found is None:
            raise TypeError(f"unknown dtype {dtype!r}; minigen knows {sorted(_BY_NAME)}")
        return found
    return dtype_from_native(dtype)


def dtype_from_native(native: Any) -> DType:
    """minigen's dtype for an array library's dtype object (cached per object)."""
    key = (np.dtype if isinstance(native, np.dtype) else type(native), native)
    found = _BY_NATIVE.get(key)
    if found is not None:
        return found
    name = _native_name(native)
    if name not in _BY_NAME:
        raise TypeError(f"minigen has no dtype for {native!r}; use one of {sorted(_BY_NAME)}")
    _BY_NATIVE[key] = _BY_NAME[name]
    return _BY_NAME[name]


def _native_name(native: Any) -> str:
    try:
        return np.dtype(native).name
    except TypeError:
        # array-api-strict dtypes refuse np.dtype(); their repr ends with the name.
        return repr(native).rsplit(".", 1)[-1]


def split_to_arguments(args: tuple[Any, ...], device: Any, dtype: Any) -> tuple[Any, Any]:
    """``(device, dtype)`` from the positional arguments of ``x.to(...)`` or ``model.to(...)``.

    A dtype (``mg.float64``, ``np.float32``, ``"float64"``) goes to ``dtype``; anything else
    (``"cuda"``, ``mg.device("cpu")``) is a device, as in ``x.to("cuda", mg.float64)``.
    """
    for arg in args:
        names_dtype = isinstance(arg, str) and arg.startswith(("float", "int", "uint", "bool"))
        if isinstance(arg, (DType, type)) or names_dtype:
            dtype = arg
        else:
            device = arg
    return device, dtype
