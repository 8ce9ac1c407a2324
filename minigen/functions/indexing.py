"""Indexing and slicing, ``x[key]``: the gradient flows back into the positions read.

For slices, integers and boolean masks each input element is read at most once, so the
gradient is scattered into zeros with one assignment. An integer index array may repeat an
index (``x[[0, 0, 2]]``); then the gradients of the repeats must add up, which a one-hot
matrix product does: dL/dx = onehot(index)^T @ dL/dy.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module


def _is_index_array(key: Any) -> bool:
    return hasattr(key, "dtype") and hasattr(key, "shape") and not _is_bool(key)


def _is_bool(key: Any) -> bool:
    return hasattr(key, "dtype") and str(key.dtype).rsplit(".", 1)[-1] in ("bool", "bool_")


def normalize_key(key: Any) -> Any:
    """Spell the key as the array API wants it: a tuple ending in ``...`` (numpy's implicit
    trailing slices), except a boolean mask, which must stand alone."""
    if _is_bool(key):
        return key
    key = key if isinstance(key, tuple) else (key,)
    if not any(k is Ellipsis for k in key):
        key = key + (Ellipsis,)
    return key


def index_key(x: Any, key: Any) -> Any:
    """``x[key]``'s key as arrays on x's device: tensors give their arrays, lists become
    index arrays, and the whole is spelled as the array API wants it (``normalize_key``)."""
    if isinstance(key, Tensor):
        key = key.array
    elif isinstance(key, tuple):
        key = tuple(k.array if isinstance(k, Tensor) else k for k in key)
    elif isinstance(key, list):
        xp = get_array_module(x.array)
        key = xp.asarray(key, device=x.array.device)
    return normalize_key(key)


class GetItem(Function):
    r"""y = x[key].   dL/dx = dL/dy placed at the positions ``key`` read, 0 elsewhere."""

    def forward(self, x: Any) -> Any:
        self.x_shape, self.x_dtype = x.shape, x.dtype
        key = self.key
        self.rows = key[0] if isinstance(key, tuple) and _is_index_array(key[0]) else None
        arrays = [k for k in key if _is_index_array(k)] if isinstance(key, tuple) else []
        if arrays and (self.rows is None or len(arrays) > 1 or key[1:] != (Ellipsis,)):
            raise IndexError(
                "minigen indexes with slices, integers, None, a boolean mask, or one integer "
                "array on the first axis (x[idx]); combine an index array with other indices "
                "as separate steps"
            )
        self.view = not arrays and not _is_bool(key)  # basic indexing: a window on x
        if self.rows is not None:  # the array API spells a gather of rows as take()
            xp = get_array_module(x)
            picked = xp.take(x, xp.reshape(self.rows, (-1,)), axis=0)
            return xp.reshape(picked, tuple(self.rows.shape) + tuple(x.shape[1:]))
        return x[key]

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        if self.rows is not None:  # x[idx] reads rows of x, perhaps repeatedly
            n = self.x_shape[0]
            index = xp.reshape(self.rows, (-1,)) % n  # -1 reads row n-1: count it there
            onehot = xp.astype(index[:, None] == xp.arange(n, device=gy.device)[None, :], gy.dtype)
            rows = xp.reshape(gy, (index.shape[0], -1))
            return xp.reshape(onehot.T @ rows, self.x_shape)
        gx = xp.zeros(self.x_shape, dtype=self.x_dtype, device=gy.device)
        gx[self.key] = gy
        return gx
