"""``torchvision.utils.make_grid`` and ``save_image``: minigen.viz has both, same arguments
(PyTorch's tensors, for the runner's --torch, are handed over as NumPy arrays)."""

from __future__ import annotations

from typing import Any

from minigen import viz

__all__ = ["make_grid", "save_image"]


def _minigen_or_numpy(tensor: Any) -> Any:
    if type(tensor).__module__.startswith("torch"):
        return tensor.detach().cpu().numpy()
    if isinstance(tensor, (list, tuple)):
        return [_minigen_or_numpy(t) for t in tensor]
    return tensor


def make_grid(tensor: Any, *args: Any, **kwargs: Any) -> Any:
    return viz.make_grid(_minigen_or_numpy(tensor), *args, **kwargs)


def save_image(tensor: Any, fp: Any, *args: Any, **kwargs: Any) -> None:
    viz.save_image(_minigen_or_numpy(tensor), fp, *args, **kwargs)
