"""Running a model over many images in batches, without gradients, back to NumPy."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

import minigen as mg


def model_device(model: mg.nn.Module, device: mg.Device | str | None) -> mg.Device:
    """``device``, or where ``model``'s parameters live when it is None (so a model moved to a
    GPU is measured there without saying so twice)."""
    if device is not None:
        return mg.Device(device)
    first = next(iter(model.parameters()), None)
    return first.device if first is not None else mg.get_default_device()


def host_batches(images: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Consecutive float32 slices of ``images`` of at most ``batch_size``."""
    images = np.ascontiguousarray(images, dtype=np.float32)
    for start in range(0, len(images), batch_size):
        yield images[start : start + batch_size]


def map_batches(
    fn: Callable[[mg.Tensor], mg.Tensor], images: np.ndarray, device: mg.Device,
    batch_size: int = 500,
) -> np.ndarray:
    """``fn`` applied to float32 ``images`` batch by batch on ``device``; results
    concatenated on the host (one copy per batch)."""
    outputs = []
    with mg.no_grad():
        for batch in host_batches(images, batch_size):
            outputs.append(fn(mg.tensor(batch, device=device)).numpy())
    return np.concatenate(outputs)


def unit_images(dataset: object) -> np.ndarray:
    """A dataset's uint8 images as float32 (N, 1, 28, 28) in [0, 1]."""
    images = np.asarray(dataset.images)
    return (images.astype(np.float32) / 255.0).reshape(len(images), 1, *images.shape[1:])
