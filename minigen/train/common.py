"""Small helpers every training recipe uses: gradient norms, freezing a network, batches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import minigen as mg
from minigen import nn
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.pinned import host_to_device
from minigen.optim.flat import fused_on


def grad_norm(parameters: Iterable[mg.Tensor]) -> mg.Tensor:
    """The L2 norm of all gradients together, sqrt(sum of g^2), as a 0-d tensor on the device.

    Stays on the device (no ``.item()``): the training loop copies it to the host only when
    it logs, so the GPU never waits for Python. On a GPU it is two array operations for any
    number of parameters (the gradients side by side in one flat array, and its norm); on the
    CPU one dot product per gradient, which needs no copy (the optimizers' choice too:
    minigen/optim/flat.py).
    """
    grads = [p.grad.array for p in parameters if p.grad is not None]
    if not grads:
        raise ValueError("grad_norm: no parameter has a gradient yet")
    xp = get_array_module(grads[0])
    if fused_on(device_of_array(grads[0])):
        return mg.Tensor.wrap(xp.linalg.vector_norm(xp.concat(grads, axis=None)))
    total = None
    for g in grads:
        g = xp.reshape(g, (-1,))
        square = xp.vecdot(g, g)  # sum of g^2 as one dot product: no g * g array, no graph
        total = square if total is None else total + square
    return mg.Tensor.wrap(xp.sqrt(total))


def set_requires_grad(module: nn.Module, flag: bool) -> None:
    """Freeze (False) or unfreeze (True) every parameter of ``module``.

    A frozen network still passes gradients *through* itself to its inputs; only its own
    weights get no gradient, so no time is spent computing one.
    """
    for p in module.parameters():
        p.requires_grad = flag


def batch_to_device(array: Any, device: mg.Device) -> mg.Tensor | None:
    """A batch as a tensor on ``device``. A host (NumPy) batch is shared on the CPU and copied
    to a GPU through pinned memory, asynchronously (minigen/backend/pinned.py); a batch already
    on ``device`` (from ``prefetch_to_device``) is used as it is."""
    if array is None:
        return None
    source = device_of_array(array)
    if source == device:
        return mg.from_numpy(array) if device.type == "cpu" else mg.Tensor.wrap(array)
    if source.type == "cpu":
        return mg.Tensor.wrap(host_to_device(array, device))
    return mg.tensor(array, device=device)


def as_numbers(metrics: dict[str, Any]) -> dict[str, Any]:
    """Host values of a step's metrics (waits for the device): for tests and one-off prints."""
    out = {}
    for key, value in metrics.items():
        if isinstance(value, mg.Tensor):
            value = float(value.item()) if value.ndim == 0 else value.numpy()
        out[key] = value
    return out
