"""Pixel conventions: uint8 images to the float ranges models train on, and back.

- ``"unit"``: pixels / 255, in [0, 1]: for VAEs and autoencoders with sigmoid outputs and
  binary cross-entropy.
- ``"symmetric"``: pixels / 127.5 - 1, in [-1, 1]: for GAN generators ending in tanh.

Conversion goes through a 256-entry lookup table: one gather per batch, producing the
target dtype directly, with 0 and 255 mapping exactly to the ends of the range.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from minigen.creation import tensor as as_tensor

SCALES = ("unit", "symmetric")


def check_scale(scale: str) -> str:
    """``scale`` itself if it is one of :data:`SCALES`, else a ValueError naming them."""
    if scale not in SCALES:
        raise ValueError(f"unknown pixel scale {scale!r}; use one of {SCALES}")
    return scale


def numpy_dtype(dtype: Any) -> np.dtype:
    """A NumPy float dtype from ``minigen.float32``, ``"float32"``, ``np.float32``..."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = np.dtype(dtype.name)  # minigen.DType: resolved by name
    if resolved.kind != "f":
        raise TypeError(f"images are converted to a float dtype, not {resolved}")
    return resolved


@functools.cache
def pixel_table(scale: str, dtype: Any = np.float32) -> np.ndarray:
    """The 256 float values of pixel values 0..255 under ``scale`` (read-only)."""
    levels = np.arange(256, dtype=np.float64)
    values = levels / 255.0 if check_scale(scale) == "unit" else levels / 127.5 - 1.0
    table = values.astype(numpy_dtype(dtype))
    table.flags.writeable = False
    return table


def to_float(images: np.ndarray, scale: str = "unit", dtype: Any = np.float32) -> np.ndarray:
    """uint8 ``images`` (any shape) as floats in [0, 1] ("unit") or [-1, 1] ("symmetric")."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"to_float converts uint8 pixels, not {images.dtype}")
    return pixel_table(scale, numpy_dtype(dtype))[images]


def to_uint8(x: Any, scale: str = "unit") -> np.ndarray:
    """The inverse of :func:`to_float`, for saving or showing generated images: floats in
    the ``scale`` range back to uint8 pixels (rounded, out-of-range values clipped).
    Accepts a NumPy array or anything with ``.numpy()`` (a minigen tensor)."""
    if hasattr(x, "numpy"):
        x = x.numpy()
    x = np.asarray(x, dtype=np.float32)
    if check_scale(scale) == "symmetric":
        x = (x + 1.0) * 127.5
    else:
        x = x * 255.0
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def arrange(batch: np.ndarray, flatten: bool) -> np.ndarray:
    """Lay out a batch of images: (B, H, W) -> (B, 1, H, W), or (B, H*W) when ``flatten``.

    (B, C, H, W) stays as it is, or becomes (B, C*H*W); (B, D) vectors stay (B, D).
    Reshapes only: no copy.
    """
    if flatten:
        return batch.reshape(len(batch), -1)
    if batch.ndim == 3:
        return batch.reshape(len(batch), 1, *batch.shape[1:])
    return batch


class Normalize:
    """``Normalize(mean, std, inplace=False)``, as ``torchvision.transforms.Normalize``: each
    channel becomes ``(x - mean[c]) / std[c]``.

    PyTorch's MNIST example standardises its [0, 1] pixels with the training set's mean and
    standard deviation::

        normalize = Normalize((0.1307,), (0.3081,))
        for x, y in DataLoader(MNISTSample(), batch_size=64):   # x: (B, 1, 28, 28) in [0, 1]
            x = normalize(x)

    It takes a float tensor or NumPy array shaped (..., C, H, W) (one image or a batch) and
    returns the same kind, dtype and device; a minigen tensor is computed with tensor
    operations, so gradients flow through it. ``mean`` and ``std`` are sequences of C numbers
    (or one number for every channel). ``inplace=True`` writes into the input.
    """

    def __init__(self, mean: Any, std: Any, inplace: bool = False) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor: Any) -> Any:
        return normalize(tensor, self.mean, self.std, self.inplace)

    forward = __call__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


def normalize(tensor: Any, mean: Any, std: Any, inplace: bool = False) -> Any:
    """``(tensor - mean) / std`` per channel of a (..., C, H, W) float tensor or NumPy array, as
    ``torchvision.transforms.functional.normalize``."""
    is_tensor = hasattr(tensor, "requires_grad")  # a minigen Tensor (this package needs no engine)
    if not is_tensor:
        tensor = np.asarray(tensor)
    dtype = np.dtype(tensor.dtype.name)
    if dtype.kind != "f":
        raise TypeError(f"Normalize: input tensor should be a float tensor. Got {dtype}.")
    if tensor.ndim < 3:
        raise ValueError(
            "Normalize: expected a tensor image of size (..., C, H, W). Got shape "
            f"{tuple(tensor.shape)}; reshape flattened batches to (B, C, H, W) first"
        )
    # mean and std in the input's own dtype, as torchvision converts them, shaped (C, 1, 1).
    mean, std = np.asarray(mean, dtype=dtype), np.asarray(std, dtype=dtype)
    if (std == 0).any():
        raise ValueError(
            f"Normalize: std evaluated to zero after conversion to {dtype}, leading to division "
            "by zero."
        )
    if mean.ndim == 1:
        mean = mean.reshape(-1, 1, 1)
    if std.ndim == 1:
        std = std.reshape(-1, 1, 1)
    if is_tensor:
        out = (tensor - as_tensor(mean, device=tensor.device)) / as_tensor(
            std, device=tensor.device)
        if inplace:
            tensor[...] = out
            return tensor
        return out
    if inplace:
        tensor -= mean
        tensor /= std
        return tensor
    return (tensor - mean) / std
