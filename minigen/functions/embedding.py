r"""Embedding lookup: row ``index`` of a weight table, for every index of an integer tensor.

The backward must add the gradients of repeated indices into the same row. The array API has
no scatter-add (NumPy's ``np.add.at``), so it is written as a product with a one-hot matrix:
the row of the one-hot matrix for lookup k has a 1 in column index[k], and

    dL/dW = onehot^T @ dL/dY

sums, for every table row v, the gradients of all lookups that read row v.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function
from minigen.backend.array_module import get_array_module
from minigen.functions.scatter_add import scatter_add_rows


class Embedding(Function):
    r"""Y[k, :] = W[index[k], :], W (num_embeddings, dim), index an integer array (a constant).

    Y has shape index.shape + (dim,). Local derivative, with onehot[k, v] = [index[k] == v]:

        dL/dW = onehot^T dL/dY      (dL/dY flattened to (number of lookups, dim))

    Derivation: docs/derivations/embedding.md.
    """

    def __init__(self, indices: Any) -> None:
        super().__init__()
        self.indices = indices  # an integer array, not differentiated

    def forward(self, w: Any) -> Any:
        xp = get_array_module(w)
        self.num_embeddings = w.shape[0]
        flat = xp.reshape(self.indices, (-1,))
        rows = xp.take(w, flat, axis=0)
        return xp.reshape(rows, tuple(self.indices.shape) + (w.shape[1],))

    def backward(self, gy: Any) -> Any:
        xp = get_array_module(gy)
        flat = xp.reshape(self.indices, (-1,))
        rows = xp.reshape(gy, (flat.shape[0], gy.shape[-1]))
        return scatter_add_rows(xp, flat, self.num_embeddings, rows)
