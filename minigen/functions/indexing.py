"""Indexing and slicing, ``x[key]``: the gradient flows back into the positions read.

For slices, integers and boolean masks each input element is read at most once, so the
gradient is scattered into zeros with one assignment. Integer index arrays (``x[idx]``,
``logits[arange(n), target]``) may read a position twice (``x[[0, 0, 2]]``); then the
gradients of the repeats must add up, which a one-hot matrix product does:
dL/dx = onehot(index)^T @ dL/dy.

Integer index arrays follow PyTorch's rules: integers and slices in the same key are applied
first (an integer selects, as in ``x[0]``), then the arrays, broadcast together, pick along
their axes. Their result axes stand where the arrays stood when the arrays are side by side,
and first otherwise (NumPy's and PyTorch's rule).

``split`` and ``chunk`` cut a tensor into pieces along a dimension, each piece a slice of it.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.backend.transfer import move_array
from minigen.functions.arguments import along
from minigen.functions.scatter_add import scatter_add_rows


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


def _on_device_of(index: Tensor, x: Tensor) -> Any:
    """An index tensor's array on ``x``'s device. As in PyTorch, a host index may index a GPU
    tensor: this is the one place indices are copied to the device they index."""
    if index.device == x.device:
        return index.array
    return move_array(index.array, x.device)


def index_key(x: Any, key: Any) -> Any:
    """``x[key]``'s key as arrays on x's device: tensors give their arrays, lists become
    index arrays, and the whole is spelled as the array API wants it (``normalize_key``)."""
    if isinstance(key, Tensor):
        key = _on_device_of(key, x)
    elif isinstance(key, tuple):
        key = tuple(_on_device_of(k, x) if isinstance(k, Tensor) else k for k in key)
    elif isinstance(key, list):
        xp = get_array_module(x.array)
        key = xp.asarray(key, device=x.array.device)
    return normalize_key(key)


_REFUSED = (
    "minigen indexes with slices, integers, None, Ellipsis and integer index arrays, or with "
    "one boolean mask alone (x[x > 0]); combine a mask with other indices as separate steps"
)


def split_key(key: tuple[Any, ...], ndim: int, xp: Any, device: Any) -> tuple[tuple, list, list]:
    """A key holding index arrays, as two steps: (the basic key, with ``:`` where each array
    stood; the arrays; the axes of the basic result that the arrays index)."""
    if any(_is_bool(k) for k in key):
        raise IndexError(_REFUSED)
    key = tuple(xp.asarray(k, device=device) if isinstance(k, list) else k for k in key)
    uses_axis = sum(1 for k in key if k is not None and k is not Ellipsis)
    basic: list[Any] = []
    arrays, axes = [], []
    out_axis = 0
    for k in key:
        if k is Ellipsis:
            basic += [slice(None)] * (ndim - uses_axis)
            out_axis += ndim - uses_axis
        elif _is_index_array(k):
            arrays.append(k)
            axes.append(out_axis)
            basic.append(slice(None))
            out_axis += 1
        else:  # an int removes its axis; a slice or None leaves one
            basic.append(k)
            out_axis += 0 if isinstance(k, int) else 1
    return tuple(basic), arrays, axes


def _scatter_basic(xp: Any, shape: tuple, dtype: Any, key: Any, g: Any) -> Any:
    """Zeros of ``shape`` with ``g`` written where the basic ``key`` reads. A ``None`` in the
    key only added a size-1 axis to the result: the write leaves it out and reshapes ``g``
    (the array API allows ``None`` when reading, not when writing)."""
    gx = xp.zeros(shape, dtype=dtype, device=g.device)
    if isinstance(key, tuple) and any(k is None for k in key):
        key = tuple(k for k in key if k is not None)
        g = xp.reshape(g, gx[key].shape)
    gx[key] = g
    return gx


class GetItem(Function):
    r"""y = x[key].   dL/dx = dL/dy placed at the positions ``key`` read, 0 elsewhere
    (summed where an index array reads a position more than once)."""

    def __init__(self, key: Any) -> None:
        super().__init__()
        self.key = key  # already spelled by ``index_key``

    def forward(self, x: Any) -> Any:
        self.x_shape, self.x_dtype = x.shape, x.dtype
        key = self.key
        self.arrays: list[Any] = []
        if isinstance(key, tuple) and any(_is_index_array(k) or isinstance(k, list) for k in key):
            xp = get_array_module(x)
            self.basic, self.arrays, axes = split_key(key, x.ndim, xp, x.device)
            return self._pick(xp, x[self.basic], axes)
        if isinstance(key, tuple) and any(_is_bool(k) for k in key):
            raise IndexError(_REFUSED)
        self.view = not _is_bool(key)  # basic indexing: a window on x's memory
        return x[key]

    def _pick(self, xp: Any, x: Any, axes: list[int]) -> Any:
        """Gather with the index arrays along ``axes`` of ``x`` (all other axes kept)."""
        # Side by side, the result axes stand in place; apart, they come first.
        side_by_side = axes == list(range(axes[0], axes[0] + len(axes)))
        self.perm = None
        if not side_by_side:
            self.perm = tuple(axes) + tuple(i for i in range(x.ndim) if i not in axes)
            x = xp.permute_dims(x, self.perm)
            axes = list(range(len(axes)))
        self.at, sizes = axes[0], [x.shape[a] for a in axes]
        self.picked_shape = x.shape
        arrays = xp.broadcast_arrays(*self.arrays)
        if len(arrays) > 1:  # one flat index into the indexed axes, read as one axis
            for index, n in zip(arrays, sizes, strict=True):
                if index.size and bool(xp.any((index < -n) | (index >= n))):  # one host sync
                    raise IndexError(f"an index is out of range for an axis of size {n}")
        flat = arrays[0] % sizes[0] if len(arrays) > 1 else arrays[0]
        for index, n in zip(arrays[1:], sizes[1:], strict=True):
            flat = flat * n + index % n
        self.index, self.rows = flat, 1
        for n in sizes:
            self.rows *= n
        lead, trail = x.shape[: self.at], x.shape[self.at + len(axes) :]
        self.lead, self.trail = lead, trail
        merged = xp.reshape(x, lead + (self.rows,) + trail)
        picked = xp.take(merged, xp.reshape(flat, (-1,)), axis=self.at)
        return xp.reshape(picked, lead + tuple(flat.shape) + trail)

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        if self.arrays:
            g = self._scatter_add(xp, gy)
            if self.perm is not None:
                g = xp.permute_dims(g, tuple(self.perm.index(i) for i in range(g.ndim)))
            if all(k == slice(None) for k in self.basic):
                return g
            return _scatter_basic(xp, self.x_shape, self.x_dtype, self.basic, g)
        return _scatter_basic(xp, self.x_shape, self.x_dtype, self.key, gy)

    def _scatter_add(self, xp: Any, gy: Any) -> Any:
        """The gradient of the gather in ``_pick``: each indexed row receives the sum of the
        gradients of every output row that read it (a one-hot matrix product)."""
        n, at, lead, trail = self.rows, self.at, self.lead, self.trail
        index = xp.reshape(self.index, (-1,)) % n  # -1 reads row n-1: count it there
        reads = index.shape[0]
        width = 1
        for size in lead + trail:
            width *= size
        g = xp.moveaxis(xp.reshape(gy, lead + (reads,) + trail), at, 0)  # reads first
        summed = scatter_add_rows(xp, index, n, xp.reshape(g, (reads, width)))
        summed = xp.reshape(summed, (n,) + lead + trail)
        return xp.reshape(xp.moveaxis(summed, 0, at), self.picked_shape)


def getitem(x: Tensor, key: Any) -> Tensor:
    return GetItem.apply(x, key=index_key(x, key))


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces along ``dim``: of ``split_size`` each (the last may be smaller), or of the sizes
    in a list (which must add up to the size of ``dim``). Each piece is a slice of x."""
    axis = along("split", x, dim)
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size or n == 0 else [])
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ValueError(
                f"split: sizes {sizes} add up to {sum(sizes)}, but dimension {dim} "
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
    n = x.shape[along("chunk", x, dim)]
    return split(x, max(-(-n // chunks), 1), dim)
