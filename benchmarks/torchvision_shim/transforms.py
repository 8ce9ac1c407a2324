"""``torchvision.transforms``' everyday names on minigen tensors.

Images come in as uint8 NumPy arrays, (H, W) or (H, W, C), where torchvision has PIL images;
``Resize`` and ``CenterCrop`` take those or (..., C, H, W) tensors, ``ToTensor`` turns an array
into a float32 (C, H, W) tensor, ``Normalize`` is minigen.data's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from torch_data_shim import lib

from minigen.data import transforms as minigen_transforms

__all__ = ["CenterCrop", "Compose", "Lambda", "Normalize", "Resize", "ToTensor"]


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, image: Any) -> Any:
        for transform in self.transforms:
            image = transform(image)
        return image

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t}" for t in self.transforms)
        return f"Compose({inner}\n)"


class Lambda:
    """Apply a user function."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, image: Any) -> Any:
        return self.lambd(image)


class ToTensor:
    """A uint8 (H, W) or (H, W, C) array as a float32 (C, H, W) tensor in [0, 1] (x / 255);
    an array of another dtype keeps its values (as torchvision)."""

    def __call__(self, pic: Any) -> Any:
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"ToTensor: pic should be an image array (H, W[, C]), got {type(pic).__name__}")
        if pic.ndim not in (2, 3):
            raise ValueError(f"ToTensor: pic should be 2 or 3 dimensional, got {pic.ndim} dimensions")
        image = pic[:, :, None] if pic.ndim == 2 else pic
        image = np.ascontiguousarray(image.transpose(2, 0, 1))
        if image.dtype == np.uint8:
            image = image.astype(np.float32) / np.float32(255)
        return lib().from_numpy(image)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize(minigen_transforms.Normalize):
    """minigen.data's ``Normalize(mean, std, inplace=False)`` (torchvision's), on PyTorch's
    tensors too for the runner's --torch."""

    def __call__(self, tensor: Any) -> Any:
        if lib().__name__ != "torch":
            return super().__call__(tensor)
        torch = lib()
        mean = torch.as_tensor(self.mean, dtype=tensor.dtype).view(-1, 1, 1)
        std = torch.as_tensor(self.std, dtype=tensor.dtype).view(-1, 1, 1)
        return tensor.sub_(mean).div_(std) if self.inplace else (tensor - mean) / std


class Resize:
    """``Resize(size)``: an int matches the shorter edge to ``size`` (keeping the aspect
    ratio), a pair (h, w) sets both. Bilinear, as ``F.interpolate(mode="bilinear")``: equal to
    PIL's for enlarging (the MNIST DCGAN's 28 -> 64); shrinking has no antialiasing here.
    An image array stays a uint8 array (rounded, as PIL), a tensor a tensor."""

    def __init__(self, size: int | Sequence[int], interpolation: Any = "bilinear",
                 max_size: int | None = None, antialias: bool = True) -> None:
        if str(interpolation).lower().rsplit(".", 1)[-1] != "bilinear":
            raise NotImplementedError(f"Resize: only bilinear interpolation is supported, not {interpolation}")
        if max_size is not None:
            raise NotImplementedError("Resize: max_size is not supported")
        self.size = size

    def output_size(self, h: int, w: int) -> tuple[int, int]:
        if not isinstance(self.size, int):
            th, tw = self.size if len(self.size) == 2 else (self.size[0], self.size[0])
            return int(th), int(tw)
        if h <= w:
            return self.size, int(self.size * w / h)
        return int(self.size * h / w), self.size

    def __call__(self, image: Any) -> Any:
        if isinstance(image, np.ndarray):
            hw_c = image[:, :, None] if image.ndim == 2 else image
            x = lib().from_numpy(np.ascontiguousarray(hw_c.transpose(2, 0, 1)[None], dtype=np.float32))
            y = self(x)[0].numpy().transpose(1, 2, 0)
            y = np.clip(np.floor(y + 0.5), 0, 255).astype(np.uint8)
            return y[:, :, 0] if image.ndim == 2 else y
        size = self.output_size(*image.shape[-2:])
        if size == tuple(image.shape[-2:]):
            return image
        batch = image if image.ndim == 4 else image.unsqueeze(0)
        out = lib().nn.functional.interpolate(batch, size=size, mode="bilinear", align_corners=False)
        return out if image.ndim == 4 else out[0]

    def __repr__(self) -> str:
        return f"Resize(size={self.size}, interpolation=bilinear)"


class CenterCrop:
    """The central (h, w) window of an image array (H, W[, C]) or a tensor (..., H, W)."""

    def __init__(self, size: int | Sequence[int]) -> None:
        self.size = (size, size) if isinstance(size, int) else (int(size[0]), int(size[-1]))

    def __call__(self, image: Any) -> Any:
        is_array = isinstance(image, np.ndarray)
        h, w = image.shape[:2] if is_array else image.shape[-2:]
        th, tw = self.size
        if th > h or tw > w:
            raise ValueError(f"CenterCrop: the crop {self.size} is larger than the image ({h}, {w})")
        top, left = int(round((h - th) / 2.0)), int(round((w - tw) / 2.0))
        if is_array:
            return image[top:top + th, left:left + tw]
        return image[..., top:top + th, left:left + tw]

    def __repr__(self) -> str:
        return f"CenterCrop(size={self.size})"
