"""Constant arrays that operations read but never write, made once per shape and device.

im2col's row of zeros (what a padding pixel reads) and batch norm's vector of 1/m (column
means as one matrix-vector product) would otherwise be allocated and filled at every call: one
more array operation each time, which on a GPU costs the host as much as a real one. They are
kept here instead, keyed by shape, value, dtype and device. Nothing may write into them.
"""

from __future__ import annotations

from typing import Any

from minigen.backend.array_module import get_array_module

_FILLED: dict[tuple[Any, ...], Any] = {}
_MAX_ENTRIES = 256  # a sweep over many sizes must not grow the cache without end


def filled(shape: tuple[int, ...], value: float, like: Any) -> Any:
    """A read-only array of ``shape`` filled with ``value``, with ``like``'s dtype and device."""
    key = (shape, value, str(like.dtype), type(like), str(like.device))
    array = _FILLED.get(key)
    if array is None:
        if len(_FILLED) >= _MAX_ENTRIES:
            _FILLED.clear()
        xp = get_array_module(like)
        array = _FILLED[key] = xp.full(shape, value, dtype=like.dtype, device=like.device)
    return array
