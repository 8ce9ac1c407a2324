"""``interpolate`` as a function (``F.interpolate``), shared with ``nn.Upsample``: resize by
copying pixels (nearest) or by linear interpolation along each spatial axis."""

from __future__ import annotations

import math
import numbers
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.errors import ShapeError
from minigen.functions import getitem, matmul
from minigen.functions.interpolate import linear_matrix, source_positions

_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5}


def interpolate(
    input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
    align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial axes of (N, C, W), (N, C, H, W) or (N, C, D, H, W) to ``size`` or by
    ``scale_factor``: mode "nearest" / "nearest-exact" copies pixels, "linear" / "bilinear" /
    "trilinear" interpolates (``align_corners`` as in PyTorch, default False)."""
    if mode not in ("nearest", "nearest-exact", *_LINEAR_MODES):
        raise NotImplementedError(
            f"interpolate: mode {mode!r} is not supported; use 'nearest', 'nearest-exact', "
            "'linear', 'bilinear' or 'trilinear'"
        )
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    nearest = mode.startswith("nearest")
    if nearest and align_corners is not None:
        raise ValueError(
            "interpolate: align_corners can only be set with the interpolating modes: "
            "linear | bilinear | trilinear"
        )
    spatial = input.ndim - 2
    if not 1 <= spatial <= 3 or (not nearest and input.ndim != _LINEAR_MODES[mode]):
        need = "3-D, 4-D or 5-D" if nearest else f"{_LINEAR_MODES[mode]}-D"
        raise ShapeError(
            f"interpolate: mode {mode!r} needs a {need} input (N, C, *spatial), got shape "
            f"{tuple(input.shape)}"
        )
    if not nearest and not input.dtype.is_floating_point:
        raise TypeError(f"interpolate: mode {mode!r} needs a floating point input, got {input.dtype.name}")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    xp = get_array_module(input.array)
    device = input.array.device
    y = input
    # Last axis first: y = A_h @ (x @ A_w^T) adds the products in the order of PyTorch's kernel.
    resized = list(zip(range(2, input.ndim), input.shape[2:], sizes, scales, strict=True))
    for axis, n_in, n_out, scale in reversed(resized):
        if nearest:
            index = source_positions(
                xp, n_in, n_out, scale, mode == "nearest-exact", device, shortcuts=spatial == 2,
                wide=spatial != 2 and input.dtype.name == "float64",
            )
            y = getitem(y, (slice(None),) * axis + (Tensor.wrap(index),))
            continue
        if n_out == n_in:  # PyTorch copies an axis whose size does not change, whatever the scale
            continue
        a = linear_matrix(xp, n_in, n_out, bool(align_corners), scale, input.array.dtype, device)
        if axis == y.ndim - 1:  # y @ A^T along the last axis
            y = matmul(y, Tensor.wrap(a.T))
        elif axis == y.ndim - 2:  # A @ y along the second to last
            y = matmul(Tensor.wrap(a), y)
        else:  # depth: move it last, resize, move it back
            y = matmul(y.transpose(axis, -1), Tensor.wrap(a.T)).transpose(axis, -1)
    return y


def _output_sizes(
    input: Tensor, size: Any, scale_factor: Any, recompute_scale_factor: bool | None
) -> tuple[list[int], list[float | None]]:
    """The output size of each spatial axis, and the scale PyTorch's kernels compute positions
    with: the given factor, or None (then input size / output size)."""
    spatial = input.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        sizes = [size] * spatial if isinstance(size, int) else list(size)
        if len(sizes) != spatial:
            raise ValueError(
                f"interpolate: size {size} has {len(sizes)} entries for {spatial} spatial dimensions"
            )
        scales: list[float | None] = [None] * spatial
    else:
        factors = [scale_factor] * spatial if isinstance(scale_factor, numbers.Real) else list(scale_factor)
        if len(factors) != spatial:
            raise ValueError(
                f"interpolate: scale_factor {scale_factor} has {len(factors)} entries for "
                f"{spatial} spatial dimensions"
            )
        sizes = [math.floor(n * float(f)) for n, f in zip(input.shape[2:], factors, strict=True)]
        scales = [None if recompute_scale_factor else float(f) for f in factors]
    if min(sizes) < 1:
        raise ValueError(f"interpolate: the output size {tuple(sizes)} must be at least 1 everywhere")
    return sizes, scales
