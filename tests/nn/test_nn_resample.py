"""max_pool2d, avg_pool2d, interpolate and pad (and their layers) against NumPy references:
window loops, hand-computed interpolation values, and np.pad.

Average pooling, bilinear resizing and padding are linear maps y = M x, so their backward is
the adjoint M^T g; the reference gradient is built independently from the NumPy forward, one
basis vector at a time: (M^T g)_i = <M e_i, g>.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F
from minigen.errors import ShapeError


def adjoint(forward, shape, g):
    grad = np.zeros(shape)
    for idx in np.ndindex(*shape):
        e = np.zeros(shape)
        e[idx] = 1.0
        grad[idx] = (forward(e) * g).sum()
    return grad


def forward_backward(fn, x, g=None, seed=0):
    xt = mg.tensor(x, requires_grad=True)
    y = fn(xt)
    g = np.random.default_rng(seed).standard_normal(y.shape) if g is None else g
    y.backward(mg.tensor(g))
    return y.numpy(), xt.grad.numpy(), g


def np_pool(x, k, s, p, reduce, fill, ceil=False, include_pad=True):
    """Windows by explicit loops over output positions."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = k, s, p

    def out_size(size, kk, ss, pp):
        span = size + 2 * pp - kk
        o = -(-span // ss) + 1 if ceil else span // ss + 1
        return o - 1 if ceil and (o - 1) * ss >= size + pp else o

    oh, ow = out_size(h, kh, sh, ph), out_size(w, kw, sw, pw)
    y = np.zeros((n, c, oh, ow))
    for a in range(oh):
        for b in range(ow):
            r0, c0 = a * sh - ph, b * sw - pw
            rows = [r for r in range(r0, r0 + kh) if 0 <= r < h]
            cols = [q for q in range(c0, c0 + kw) if 0 <= q < w]
            window = x[:, :, rows][:, :, :, cols]
            if reduce == "max":
                y[:, :, a, b] = window.max(axis=(2, 3))
            else:  # the divisor counts the padding (up to h + ph), or only the image
                r1, c1 = min(r0 + kh, h + ph), min(c0 + kw, w + pw)
                d = (r1 - r0) * (c1 - c0) if include_pad else len(rows) * len(cols)
                y[:, :, a, b] = window.sum(axis=(2, 3)) / d
    return y


POOLS = [((2, 2), (2, 2), (0, 0), False), ((3, 3), (2, 2), (1, 1), False), ((3, 2), (2, 1), (1, 0), False),
         ((3, 3), (2, 2), (0, 0), True), ((2, 2), (2, 2), (1, 1), True)]


@pytest.mark.parametrize("k, s, p, ceil", POOLS)
def test_max_pool2d_matches_window_loops_and_routes_the_gradient_to_the_maximum(k, s, p, ceil):
    x = np.random.default_rng(1).standard_normal((2, 3, 7, 6))
    y, gx, g = forward_backward(lambda t: F.max_pool2d(t, k, s, p, ceil_mode=ceil), x)
    np.testing.assert_array_equal(y, np_pool(x, k, s, p, "max", -np.inf, ceil))
    expected = np.zeros_like(x)
    _, indices = F.max_pool2d(mg.tensor(x), k, s, p, ceil_mode=ceil, return_indices=True)
    flat = expected.reshape(2, 3, -1)
    for i, j, a, b in np.ndindex(*indices.shape):
        flat[i, j, indices.numpy()[i, j, a, b]] += g[i, j, a, b]
        # the index names the maximum of its window
        assert x.reshape(2, 3, -1)[i, j, indices.numpy()[i, j, a, b]] == y[i, j, a, b]
    np.testing.assert_allclose(gx, expected, rtol=1e-15)
    assert indices.dtype == mg.int64


def test_max_pool2d_gives_a_tie_to_the_first_maximum_in_the_window():
    """pooling.md: PyTorch's rule at a tie, the first in row-major window order."""
    x = np.array([[[[1.0, 3.0], [3.0, 3.0]]]])
    _, gx, _ = forward_backward(lambda t: F.max_pool2d(t, 2), x, np.ones((1, 1, 1, 1)))
    assert gx.tolist() == [[[[0.0, 1.0], [0.0, 0.0]]]]


@pytest.mark.parametrize("k, s, p, ceil", POOLS)
@pytest.mark.parametrize("include_pad", [True, False])
def test_avg_pool2d_matches_window_loops_and_its_adjoint(k, s, p, ceil, include_pad):
    x = np.random.default_rng(2).standard_normal((1, 2, 5, 6))

    def reference(a):
        return np_pool(a, k, s, p, "mean", 0.0, ceil, include_pad)

    y, gx, g = forward_backward(lambda t: F.avg_pool2d(t, k, s, p, ceil, include_pad), x)
    np.testing.assert_allclose(y, reference(x), rtol=1e-13)
    np.testing.assert_allclose(gx, adjoint(reference, x.shape, g), rtol=1e-12, atol=1e-15)


def test_avg_pool2d_divisor_override_and_unbatched_input():
    x = np.arange(16.0).reshape(1, 4, 4)
    y = F.avg_pool2d(mg.tensor(x), 2, divisor_override=1)
    assert y.shape == (1, 2, 2) and y.numpy()[0, 0, 0] == 0 + 1 + 4 + 5


def test_pool_layers_and_their_errors():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(3, 1, 1)) == "AvgPool2d(kernel_size=3, stride=1, padding=1)"
    x = mg.randn(1, 1, 4, 4)
    assert nn.MaxPool2d(2)(x).shape == (1, 1, 2, 2) and nn.AvgPool2d(2)(x).dtype == mg.float32
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) should be at most half of the kernel"):
        F.max_pool2d(x, 3, padding=2)
    with pytest.raises(ShapeError, match=r"avg_pool2d: expected input of shape \(N, C, H, W\)"):
        F.avg_pool2d(mg.randn(4, 4), 2)
    with pytest.raises(ShapeError, match="too small for kernel"):
        F.max_pool2d(x, 5)
    with pytest.raises(NotImplementedError, match="dilation=1 only"):
        F.max_pool2d(x, 2, dilation=2)


# -- interpolate ------------------------------------------------------------------------------------
def test_nearest_upsampling_by_an_integer_factor_repeats_pixels_and_sums_gradients():
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 5))
    y, gx, g = forward_backward(lambda t: nn.Upsample(scale_factor=2)(t), x)
    np.testing.assert_array_equal(y, x.repeat(2, axis=2).repeat(2, axis=3))
    np.testing.assert_allclose(gx, g.reshape(2, 3, 4, 2, 5, 2).sum(axis=(3, 5)), rtol=1e-13)


def test_nearest_positions_by_hand():
    """interpolate.md: "nearest" reads floor(o * in / out), "nearest-exact" floor((o + 0.5) in / out)."""
    x = mg.tensor(np.arange(5.0).reshape(1, 1, 5))
    assert F.interpolate(x, size=3).tolist() == [[[0.0, 1.0, 3.0]]]  # floor(0, 5/3, 10/3)
    assert F.interpolate(x, size=3, mode="nearest-exact").tolist() == [[[0.0, 2.0, 4.0]]]
    assert F.interpolate(x, scale_factor=0.5).tolist() == [[[0.0, 2.0]]]  # floor(5 * 0.5) = 2 outputs


def test_pytorchs_shortcuts_where_a_size_does_not_change():
    """interpolate.md: with scale_factor 1.05 a 5-pixel axis stays 5 pixels. The 1-D nearest
    kernel still reads floor(o / 1.05); the 2-D one copies; linear modes copy such an axis."""
    row = np.arange(5.0)
    assert F.interpolate(mg.tensor(row.reshape(1, 1, 5)), scale_factor=1.05).tolist() == [[[0, 0, 1, 2, 3]]]
    image = mg.tensor(row.reshape(1, 1, 1, 5))
    assert F.interpolate(image, scale_factor=1.05).numpy().ravel().tolist() == row.tolist()
    assert F.interpolate(image, scale_factor=1.05, mode="bilinear").numpy().ravel().tolist() == row.tolist()
    # 2-D nearest doubling reads o // 2 whatever the factor (2.03 gives 10 pixels from 5)
    assert F.interpolate(image, scale_factor=(1.0, 2.03)).numpy().ravel().tolist() == row.repeat(2).tolist()


def test_bilinear_values_by_hand():
    x = mg.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    corners = F.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True)
    assert corners.tolist() == [[[[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]]]
    centres = F.interpolate(x, scale_factor=2, mode="bilinear")  # pixel centres, clamped at the edge
    assert centres.numpy()[0, 0, 0].tolist() == [0.0, 0.25, 0.75, 1.0]
    assert centres.numpy()[0, 0, :, 0].tolist() == [0.0, 0.5, 1.5, 2.0]


@pytest.mark.parametrize("size, align", [((7, 3), False), ((7, 3), True), ((2, 9), False)])
def test_bilinear_matches_a_per_pixel_reference_and_its_adjoint(size, align):
    x = np.random.default_rng(4).standard_normal((1, 2, 4, 5))

    def source(o, n_in, n_out):
        if align:
            s = o * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            s = max((o + 0.5) * n_in / n_out - 0.5, 0.0)
        i0 = min(int(s), n_in - 1)
        return i0, min(i0 + 1, n_in - 1), s - i0

    def reference(a):
        out = np.zeros(a.shape[:2] + size)
        for r in range(size[0]):
            r0, r1, lr = source(r, a.shape[2], size[0])
            for c in range(size[1]):
                c0, c1, lc = source(c, a.shape[3], size[1])
                top = (1 - lc) * a[:, :, r0, c0] + lc * a[:, :, r0, c1]
                bottom = (1 - lc) * a[:, :, r1, c0] + lc * a[:, :, r1, c1]
                out[:, :, r, c] = (1 - lr) * top + lr * bottom
        return out

    y, gx, g = forward_backward(lambda t: F.interpolate(t, size=size, mode="bilinear", align_corners=align), x)
    np.testing.assert_allclose(y, reference(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gx, adjoint(reference, x.shape, g), rtol=1e-12, atol=1e-14)


def test_interpolate_refuses_what_it_does_not_do_clearly():
    x = mg.randn(1, 1, 4, 4)
    with pytest.raises(ValueError, match="align_corners can only be set with the interpolating modes"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(ShapeError, match="mode 'linear' needs a 3-D input"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(NotImplementedError, match="mode 'bicubic' is not supported"):
        F.interpolate(x, scale_factor=2, mode="bicubic")
    with pytest.raises(ValueError, match="give exactly one of size and scale_factor"):
        F.interpolate(x)
    assert F.interpolate(x, scale_factor=2, mode="bilinear").dtype == mg.float32
    pixels = mg.tensor(np.arange(4, dtype=np.uint8).reshape(1, 1, 2, 2))
    assert F.interpolate(pixels, scale_factor=2).dtype == mg.uint8  # nearest copies any dtype
    with pytest.raises(TypeError, match="mode 'bilinear' needs a floating point input, got uint8"):
        F.interpolate(pixels, scale_factor=2, mode="bilinear")
    assert repr(nn.Upsample(scale_factor=2, mode="bilinear")) == "Upsample(scale_factor=2.0, mode='bilinear')"


# -- pad ------------------------------------------------------------------------------------------
NUMPY_MODE = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@pytest.mark.parametrize("pad, mode", [
    ((1, 2), "constant"), ((2, 1, 1, 3), "constant"), ((2, 3, 1, 2), "reflect"),
    ((3, 1, 0, 2), "replicate"), ((4, 1, 2, 3), "circular"), ((1, 1, 1, 1, 1, 1), "replicate"),
])
def test_pad_matches_np_pad_and_its_adjoint(pad, mode):
    x = np.random.default_rng(5).standard_normal((2, 3, 4, 5))
    widths = [(0, 0)] * (4 - len(pad) // 2) + [(pad[i], pad[i + 1]) for i in reversed(range(0, len(pad), 2))]

    def reference(a):
        return np.pad(a, widths, mode=NUMPY_MODE[mode])

    y, gx, g = forward_backward(lambda t: F.pad(t, pad, mode), x)
    np.testing.assert_array_equal(y, reference(x))
    np.testing.assert_allclose(gx, adjoint(reference, x.shape, g), rtol=1e-12, atol=1e-14)


def test_pad_with_a_value_and_negative_widths_crops():
    x = np.arange(6.0).reshape(2, 3)
    y, gx, _ = forward_backward(lambda t: F.pad(t, (-1, 2), value=7.0), x, np.ones((2, 4)))
    assert y.tolist() == [[1.0, 2.0, 7.0, 7.0], [4.0, 5.0, 7.0, 7.0]]
    assert gx.tolist() == [[0.0, 1.0, 1.0], [0.0, 1.0, 1.0]]  # the cropped column gets nothing
    with pytest.raises(ValueError, match=r"reflect padding \(4, 0\) of dimension 1 must be smaller than its size 3"):
        F.pad(mg.tensor(x), (4, 0), mode="reflect")
    with pytest.raises(ValueError, match="must have an even length"):
        F.pad(mg.tensor(x), (1,))
    with pytest.raises(NotImplementedError, match="padding of length 4 does not fit a 2-D input"):
        F.pad(mg.tensor(x), (1, 1, 1, 1), mode="replicate")
