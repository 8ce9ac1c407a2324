r"""``scatter_add_rows``: row v of the result sums the rows k of ``rows`` with ``index[k] == v``.

The backward of every lookup by index (``x[idx]``, ``Embedding``) needs it: a row read several
times receives the sum of their gradients. NumPy writes it ``np.add.at``; the array API
standard has no scatter-add, so it is a product with a one-hot matrix ``O`` of shape (R, N),
``O[k, v] = [index[k] == v]``:

    result = O^T @ rows        (R rows in, N rows out; 2RNF operations for F columns)
"""

from __future__ import annotations

from typing import Any


def scatter_add_rows(xp: Any, index: Any, num_rows: int, rows: Any) -> Any:
    """``O^T @ rows`` for the one-hot ``O`` of ``index`` (R,) over ``num_rows``; rows (R, F)."""
    table = xp.arange(num_rows, dtype=index.dtype, device=rows.device)
    onehot = xp.astype(index[:, None] == table[None, :], rows.dtype)
    return xp.matrix_transpose(onehot) @ rows
