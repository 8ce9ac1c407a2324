"""``get_array_module``: ask an array which library computes on it.

Engine code never imports an array library to compute with; it writes
``xp = get_array_module(x)`` and then ``xp.exp(x)``. NumPy arrays answer ``numpy`` (NumPy 2
implements the array API standard itself); CuPy arrays answer ``array_api_compat.cupy``; the
strict stand-in answers ``array_api_strict``. Only names of the array API standard are used,
so the one code path runs on all three (tests/test_array_api_names.py checks the names).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigen.backend.device import CPU, Device

_NAMESPACE_BY_TYPE: dict[type, Any] = {np.ndarray: np}


def get_array_module(x: Any) -> Any:
    """The array namespace that computes on array ``x``."""
    namespace = _NAMESPACE_BY_TYPE.get(type(x))
    if namespace is None:
        namespace = _find_namespace(x)
        _NAMESPACE_BY_TYPE[type(x)] = namespace
    return namespace


def _find_namespace(x: Any) -> Any:
    if isinstance(x, (np.ndarray, np.generic)):
        return np
    import array_api_compat

    return array_api_compat.array_namespace(x)


def is_cupy_array(x: Any) -> bool:
    return type(x).__module__.split(".", 1)[0] == "cupy"


def device_of_array(x: Any) -> Device:
    """minigen's Device for an array of any supported library."""
    if type(x) is np.ndarray or isinstance(x, np.generic):
        return CPU
    if is_cupy_array(x):
        return Device("cuda", int(x.device.id))
    if type(x).__module__.split(".", 1)[0] == "array_api_strict":
        return Device("strict")
    raise TypeError(f"minigen cannot hold a {type(x).__module__}.{type(x).__name__}")
