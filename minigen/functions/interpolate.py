r"""Resampling one spatial axis at a time, for ``F.interpolate`` and ``nn.Upsample``.

Both modes are separable: an image is resized along H, then along W, each a map of one axis.

- nearest: output position o reads input position src(o): integer-array indexing along the
  axis (``source_positions`` gives the positions, rounded exactly as PyTorch's kernels do).
- linear (bilinear for two axes): output o is (1 - l) x[i0] + l x[i1], a fixed linear map of
  the axis, so it is a product with an (out, in) matrix A whose row o holds 1 - l at column i0
  and l at column i1 (``linear_matrix``). Resizing H then W is A_h @ x @ A_w^T, and the backward
  comes from MatMul: dL/dx = A_h^T @ dL/dy @ A_w.

Neither needs a Function of its own. The positions follow PyTorch's kernels exactly (their
scales, rounding and clamping), so the numbers match. Derivation: docs/derivations/interpolate.md.
"""

from __future__ import annotations

from typing import Any


def axis_scale(n_in: int, n_out: int, align_corners: bool, scale_factor: float | None) -> float:
    """Input positions per output position (PyTorch's ``area_pixel_compute_scale``)."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    if scale_factor is not None and scale_factor > 0:
        return 1.0 / scale_factor  # the given factor, not n_in / n_out (which may differ)
    return n_in / n_out


def source_positions(
    xp: Any, n_in: int, n_out: int, scale_factor: float | None, exact: bool, device: Any,
    shortcuts: bool = False, wide: bool = False,
) -> Any:
    """Nearest mode: the input position each output position copies, as int64.

    "nearest" reads floor(o * scale); "nearest-exact" reads floor((o + 0.5) * scale), the
    pixel whose centre is nearest; both clamped to n_in - 1. PyTorch's kernels differ in how
    they round, and the positions follow them exactly (found by comparing every size up to 90
    with PyTorch 2.13): the scale is rounded to float32 and the product computed in float32,
    except for ``wide`` (a float64 input of 1 or 3 spatial axes), whose product is computed in
    float64 and then rounded to float32 before the floor. ``shortcuts`` (the 2-D kernel's
    "nearest") copies position o when n_out == n_in and reads o // 2 when n_out == 2 n_in,
    whatever the scale factor.
    """
    o = xp.arange(n_out, device=device)
    if shortcuts and not exact and n_out in (n_in, 2 * n_in):
        return o if n_out == n_in else o // 2
    scale = axis_scale(n_in, n_out, False, scale_factor)
    offset = 0.5 if exact else 0.0
    if wide:
        position = xp.astype((xp.astype(o, xp.float64) + offset) * scale, xp.float32)
    else:
        scale32 = xp.asarray(scale, dtype=xp.float32, device=device)
        position = (xp.astype(o, xp.float32) + offset) * scale32
    return xp.clip(xp.astype(xp.floor(position), xp.int64), 0, n_in - 1)


def linear_matrix(
    xp: Any, n_in: int, n_out: int, align_corners: bool, scale_factor: float | None,
    dtype: Any, device: Any,
) -> Any:
    """Linear mode: the (n_out, n_in) matrix A with y = A @ x along the axis.

    Output o sits at input coordinate s = o * scale (align_corners) or
    s = max((o + 0.5) * scale - 0.5, 0) (pixel centres). With i0 = floor(s), i1 = i0 + 1
    (i0 at the last pixel) and l = s - i0: row o of A is 1 - l at i0 plus l at i1.
    Computed in the input's dtype, as PyTorch does.
    """
    scale = xp.asarray(axis_scale(n_in, n_out, align_corners, scale_factor), dtype=dtype, device=device)
    o = xp.astype(xp.arange(n_out, device=device), dtype)
    if align_corners:
        s = o * scale
    else:  # PyTorch's compiled kernel fuses this multiply-add (one rounding): in float64, rounded once
        wide = (xp.astype(o, xp.float64) + 0.5) * xp.astype(scale, xp.float64) - 0.5
        s = xp.clip(xp.astype(wide, dtype), 0.0, None)
    i0 = xp.clip(xp.astype(s, xp.int64), None, n_in - 1)  # s >= 0: truncation is floor
    lam = xp.clip(s - xp.astype(i0, dtype), 0.0, 1.0)
    i1 = i0 + xp.astype(i0 < n_in - 1, xp.int64)
    columns = xp.arange(n_in, device=device)[None, :]
    a0 = xp.astype(i0[:, None] == columns, dtype) * (1 - lam)[:, None]
    a1 = xp.astype(i1[:, None] == columns, dtype) * lam[:, None]
    return a0 + a1
