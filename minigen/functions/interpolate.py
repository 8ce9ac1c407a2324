r"""Resampling one spatial axis at a time, for ``F.interpolate`` and ``nn.Upsample``.

Both modes are separable: an image is resized along H, then along W, each a map of one axis.

- nearest: output position o reads input position src(o): integer-array indexing along the
  axis (``source_positions`` gives the positions).
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
    xp: Any, n_in: int, n_out: int, scale_factor: float | None, exact: bool, device: Any
) -> Any:
    """Nearest mode: the input position each output position copies, as int64.

    "nearest" reads floor(o * scale); "nearest-exact" reads floor((o + 0.5) * scale), the
    pixel whose centre is nearest. Both are clamped to n_in - 1 and, as in PyTorch, computed in
    float32 whatever the input's dtype (so the same positions for float32 and float64).
    """
    o = xp.arange(n_out, device=device)
    if not exact and n_out == n_in:
        return o
    if not exact and n_out == 2 * n_in:  # PyTorch's fast path; the formula agrees
        return o // 2
    scale = xp.asarray(axis_scale(n_in, n_out, False, scale_factor), dtype=xp.float32, device=device)
    position = xp.astype(o, xp.float32) + (0.5 if exact else 0.0)
    return xp.clip(xp.astype(xp.floor(position * scale), xp.int64), 0, n_in - 1)


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
    s = o * scale if align_corners else xp.clip((o + 0.5) * scale - 0.5, 0.0, None)
    i0 = xp.clip(xp.astype(s, xp.int64), None, n_in - 1)  # s >= 0: truncation is floor
    lam = xp.clip(s - xp.astype(i0, dtype), 0.0, 1.0)
    i1 = i0 + xp.astype(i0 < n_in - 1, xp.int64)
    columns = xp.arange(n_in, device=device)[None, :]
    a0 = xp.astype(i0[:, None] == columns, dtype) * (1 - lam)[:, None]
    a1 = xp.astype(i1[:, None] == columns, dtype) * lam[:, None]
    return a0 + a1
