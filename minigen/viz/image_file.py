"""``make_grid`` and ``save_image``, as ``torchvision.utils``: a batch of images as one picture.

    save_image(samples, "samples.png", nrow=8, normalize=True, value_range=(-1, 1))

The grid is computed on the host in NumPy, with torchvision's rules: single-channel images
become RGB, ``normalize=True`` maps ``value_range`` (default: the batch's own min and max) to
[0, 1] after clamping to it, images are laid out ``nrow`` per row with ``padding`` pixels of
``pad_value`` around each, and saving rounds ``255 * x + 0.5`` down to uint8. The PNG is
written by matplotlib (``matplotlib.image.imsave``), which minigen already depends on.
"""

from __future__ import annotations

import math
import os
from typing import IO, Any

import numpy as np

from minigen.creation import tensor as as_tensor


def make_grid(
    tensor: Any,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Any:
    """The images of ``tensor`` ((B, C, H, W), (C, H, W), (H, W) or a list of (C, H, W)) tiled
    into one (C', H', W') image (C' = 3 for one-channel input), as ``torchvision.utils.make_grid``.

    A minigen tensor gives a tensor on its device; a NumPy array gives an array.
    """
    images, device = _host_images(tensor)
    if normalize:
        images = images.copy()  # never change the caller's images
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        if scale_each:
            for image in images:
                _normalize_in_place(image, value_range)
        else:
            _normalize_in_place(images, value_range)
    if images.shape[0] == 1:
        grid = images[0]  # one image: no padding, as torchvision
    else:
        grid = _tile(images, nrow, padding, pad_value)
    return _like_input(grid, device)


def save_image(
    tensor: Any,
    fp: str | os.PathLike | IO[bytes],
    format: str | None = None,
    *,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> None:
    """Save ``tensor`` as an image file (a grid when it is a batch), as
    ``torchvision.utils.save_image``; values in [0, 1] (or use ``normalize``/``value_range``).

    ``format`` is taken from the file name when None (give it for a file object).
    """
    from matplotlib.image import imsave

    grid = make_grid(tensor, nrow=nrow, padding=padding, normalize=normalize,
                     value_range=value_range, scale_each=scale_each, pad_value=pad_value)
    grid = np.asarray(grid.numpy() if hasattr(grid, "numpy") else grid)
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8)  # round half up, as torchvision
    pixels = np.transpose(pixels, (1, 2, 0))  # (C, H, W) -> (H, W, C)
    if pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    if isinstance(fp, (str, os.PathLike)):
        os.makedirs(os.path.dirname(os.fspath(fp)) or ".", exist_ok=True)
    # cmap and vmin/vmax only matter for (H, W) grids: shown as gray, pixel values as they are.
    imsave(fp, pixels, format=format, cmap="gray", vmin=0, vmax=255)


def _host_images(tensor: Any) -> tuple[np.ndarray, Any]:
    """(B, C, H, W) float NumPy images, and the minigen device to return to (None for NumPy)."""
    device = None
    if isinstance(tensor, (list, tuple)):
        if not tensor:
            raise ValueError("make_grid got an empty list of images")
        device = getattr(tensor[0], "device", None) if hasattr(tensor[0], "requires_grad") else None
        images = np.stack([_to_numpy(t) for t in tensor])
    else:
        if hasattr(tensor, "requires_grad"):
            device = tensor.device
        images = _to_numpy(tensor)
    if images.ndim == 2:  # one image H x W
        images = images[None]
    if images.ndim == 3:  # one image C x H x W
        if images.shape[0] == 1:
            images = np.concatenate([images] * 3, axis=0)
        images = images[None]
    if images.ndim != 4:
        raise ValueError(f"make_grid takes (B, C, H, W), (C, H, W) or (H, W) images, not shape {images.shape}")
    if images.shape[1] == 1:  # one-channel images become gray RGB
        images = np.concatenate([images] * 3, axis=1)
    return images, device


def _to_numpy(t: Any) -> np.ndarray:
    if hasattr(t, "requires_grad"):  # a minigen tensor: an explicit copy to the host
        return np.asarray(t.detach().numpy())
    return np.asarray(t)


def _normalize_in_place(images: np.ndarray, value_range: tuple[float, float] | None) -> None:
    low, high = (float(images.min()), float(images.max())) if value_range is None else value_range
    np.clip(images, low, high, out=images)
    images -= low
    images /= max(high - low, 1e-5)


def _tile(images: np.ndarray, nrow: int, padding: int, pad_value: float) -> np.ndarray:
    nmaps, channels, h, w = images.shape
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = h + padding, w + padding
    grid = np.full((channels, height * ymaps + padding, width * xmaps + padding), pad_value,
                   dtype=images.dtype)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        top, left = y * height + padding, x * width + padding
        grid[:, top : top + h, left : left + w] = images[k]
    return grid


def _like_input(grid: np.ndarray, device: Any) -> Any:
    if device is None:
        return grid
    return as_tensor(grid, device=device)
