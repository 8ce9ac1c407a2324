r"""The sub-pixel form of col2im(G W_mat): a speed path for strided transposed convolutions.

A transposed convolution's forward and a convolution's input gradient are both

    col2im(G W_mat),    G an (N, A, OH, OW) grid of A-vectors, W (A, C, kh, kw),

which ``col2im`` computes as written: the product G W_mat, one (kh*kw*C)-vector per grid cell,
then every vector added into its window of the image (minigen/functions/conv.py). When the
stride divides the kernel and the windows cover the padded image exactly (every strided layer
of the models: k = 4, s = 2, p = 1), the same image comes out of a smaller computation that
gathers instead of scattering. Along one axis, write an image position as y = s*q + r (its
phase r < s) and a tap as i = s*d + r: the window of grid cell a adds tap i to y = s*a + i,
so q = a + d, and

    image[s*q + r] = sum_{d < t} G[q - d] W[..., s*d + r]          (t = k / s taps per phase)

For every phase r this is a stride-1 correlation of the grid with t taps. So: gather, for
every cell q of the output grid (QH = OH + t - 1 of them, so that q - d may run off the grid,
where it reads zeros), the t x t cells G[q - d]; multiply once by the weight with its taps
grouped by phase; read the result (N, QH, QW, C, sh, sw) as the padded image
(N, QH*sh, QW*sw, C) by interleaving the phases (a "pixel shuffle", Shi et al. 2016). The
product has t*t*A columns instead of A and s*s*C outputs instead of kh*kw*C, the result is
the image itself (never the kh*kw-times larger G W_mat), and there is nothing to add up.

It does not always pay (``subpixel_pays``). Its product is thin for few output channels (one,
at the generator's last layer), and it multiplies the padded grid, QH*QW cells instead of
OH*OW: on a 7x7 grid 31% more products, which cost more than the memory saved when each
product is long (many grid channels A). Measured on the CPU (one thread, batch 64, 4x4
kernels, stride 2; sub-pixel time / plain time): A=64, C=32 on 7x7: 0.76; A=128, C=64: 0.99;
A=256, C=128: 0.99; A=512, C=256: 1.13; A=256, C=64: 1.11; A=128, C=128: 0.78; on 14x14
grids A=64..256: 0.54-0.67. On a GPU the plain form is also three array operations shorter.
"""

from __future__ import annotations

from typing import Any

from minigen.backend.array_module import get_array_module
from minigen.functions.im2col import Pair, conv_output_size, gather, index_on
from minigen.functions.layout import pixel_rows


def subpixel_fits(x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair) -> bool:
    """Whether ``col2im_matmul_subpixel`` can compute this map: the stride divides the kernel,
    the windows cover the padded image exactly (no rows cut off by the floor in the output
    size), and the grid is no smaller than a window."""
    _, _, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    if kh % sh or kw % sw:
        return False
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    exact = (oh - 1) * sh + kh == h + 2 * ph and (ow - 1) * sw + kw == w + 2 * pw
    return exact and kh // sh <= oh and kw // sw <= ow


def subpixel_pays(x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
                  grid_channels: int) -> bool:
    """Whether the sub-pixel form is also the faster one (measurements in the module
    docstring): its product must be wide (sh*sw*C >= 64 outputs; for one output channel it
    would be a thin product) and the extra cells of the padded grid cheap
    (A * (QH*QW / (OH*OW) - 1) <= 64 for A grid channels). A grid smaller than a window (a
    7x7 kernel over a 1x1 input) is excluded by ``subpixel_fits``: padding it by t-1 would
    multiply the work."""
    if not subpixel_fits(x_shape, kernel, stride, padding):
        return False
    _, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    extra = (oh + kh // sh - 1) * (ow + kw // sw - 1) / (oh * ow) - 1
    return sh * sw * c >= 64 and grid_channels * extra <= 64


def step_index(oh: int, ow: int, steps: Pair) -> tuple[list[int], int]:
    """For every cell (q, q') of the (OH + th - 1) x (OW + tw - 1) output grid and step (d, d'),
    in that order: the grid cell (q - d) * OW + (q' - d') it reads, or OH * OW (zeros) off
    the grid. Returns the positions and OH * OW."""
    th, tw = steps
    zero = oh * ow
    ys = [[q - d for d in range(th)] for q in range(oh + th - 1)]
    xs = [[q - d for d in range(tw)] for q in range(ow + tw - 1)]
    positions = [y * ow + x if 0 <= y < oh and 0 <= x < ow else zero
                 for row in ys for col in xs for y in row for x in col]
    return positions, zero


def col2im_matmul_subpixel(
    grid: Any, weight: Any, x_shape: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair
) -> Any:
    """col2im(G W_mat) for the grid ``grid`` (N, A, OH, OW) and ``weight`` (A, C, kh, kw), as an
    (N, H, W, C) image (``x_shape`` = (N, C, H, W)). Needs ``subpixel_fits``."""
    xp = get_array_module(grid)
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    _, a, oh, ow = grid.shape
    th, tw = kh // sh, kw // sw
    qh, qw = oh + th - 1, ow + tw - 1
    steps = gather(pixel_rows(grid), index_on(step_index, (oh, ow, (th, tw)), grid))
    steps = xp.reshape(steps, (n, qh, qw, th, tw, a))  # steps[n, q, q', d, d', :] = G[q-d, q'-d']
    # Kernel row i = d*sh + r: the weight with each tap split into its step d and phase r.
    by_phase = xp.reshape(weight, (a, c, th, sh, tw, sw))
    # phases[n, q, q', c, r, r'] = sum over d, d', a of G[q-d, q'-d', a] W[a, c, d*sh+r, d'*sw+r']
    phases = xp.tensordot(steps, by_phase, axes=([3, 4, 5], [2, 4, 0]))
    # The pixel shuffle: padded[n, s*q + r, s*q' + r', c] = phases[n, q, q', c, r, r'].
    shuffled = xp.permute_dims(phases, (0, 1, 4, 2, 5, 3))
    padded = xp.reshape(shuffled, (n, qh * sh, qw * sw, c))
    return padded[:, ph : ph + h, pw : pw + w, :]
