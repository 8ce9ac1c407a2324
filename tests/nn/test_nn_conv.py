"""Convolution: im2col/col2im adjointness, values against a direct loop, shapes, errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F
from minigen.errors import ShapeError
from minigen.functions.conv import col2im_of_product
from minigen.functions.im2col import col2im, conv_output_size, im2col, windows
from minigen.functions.layout import channels_first
from minigen.functions.subpixel import col2im_matmul_subpixel, subpixel_fits, subpixel_pays

# (x shape (N, C, H, W), kernel, stride, padding): non-square, overlapping and gapped windows.
CONFIGS = [
    ((2, 3, 7, 5), (3, 3), (1, 1), (1, 1)),
    ((2, 2, 8, 6), (4, 4), (2, 2), (1, 1)),
    ((1, 3, 9, 7), (3, 2), (2, 3), (0, 1)),
    ((3, 1, 5, 6), (2, 2), (3, 2), (2, 0)),  # stride > kernel: some pixels in no window
    ((2, 4, 4, 3), (1, 1), (1, 1), (0, 0)),
    # fewer windows than kernel offsets (copied window by window): one window, and 2 x 2
    ((2, 3, 5, 4), (5, 4), (1, 1), (0, 0)),
    ((2, 2, 5, 5), (4, 3), (1, 2), (1, 0)),
]


def direct_conv2d(x, w, b, stride, padding):
    """The definition, one output pixel at a time (the slow reference the test trusts)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph : ph + h, pw : pw + wd] = x
    oh, ow = (h + 2 * ph - kh) // sh + 1, (wd + 2 * pw - kw) // sw + 1
    y = np.zeros((n, o, oh, ow))
    for a in range(oh):
        for bb in range(ow):
            window = xp[:, :, a * sh : a * sh + kh, bb * sw : bb * sw + kw]
            y[:, :, a, bb] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return y


def direct_windows(x, kernel, stride, padding):
    """windows[n, a, b, i, j, c] = x_pad[n, c, a*sh + i, b*sw + j], one window at a time."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    padded[:, :, ph : ph + h, pw : pw + w] = x
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, oh, ow, kh, kw, c))
    for a in range(oh):
        for b in range(ow):
            window = padded[:, :, a * sh : a * sh + kh, b * sw : b * sw + kw]
            out[:, a, b] = window.transpose(0, 2, 3, 1)
    return out


def direct_col2im(cols, x_shape, kernel, stride, padding):
    """Add every window back where it came from, one window at a time (NCHW result)."""
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    cols = cols.reshape(n, oh, ow, kh, kw, c)
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    for a in range(oh):
        for b in range(ow):
            padded[:, :, a * sh : a * sh + kh, b * sw : b * sw + kw] += (
                cols[:, a, b].transpose(0, 3, 1, 2))
    return padded[:, :, ph : ph + h, pw : pw + w]


@pytest.mark.parametrize("shape, kernel, stride, padding", CONFIGS)
def test_windows_and_col2im_match_their_definitions(shape, kernel, stride, padding):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape)
    np.testing.assert_array_equal(windows(x, kernel, stride, padding),
                                  direct_windows(x, kernel, stride, padding))
    cols = rng.standard_normal(direct_windows(x, kernel, stride, padding).shape)
    back = channels_first(col2im(cols, shape, kernel, stride, padding))
    np.testing.assert_allclose(back, direct_col2im(cols, shape, kernel, stride, padding),
                               atol=1e-12)


@pytest.mark.parametrize("shape, kernel, stride, padding", CONFIGS)
def test_col2im_is_the_adjoint_of_im2col(shape, kernel, stride, padding):
    """<im2col(x), Y> = <x, col2im(Y)> for random x and Y: col2im is im2col's transpose."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    cols = im2col(x, kernel, stride, padding)
    oh = conv_output_size(shape[2], kernel[0], stride[0], padding[0])
    ow = conv_output_size(shape[3], kernel[1], stride[1], padding[1])
    assert cols.shape == (shape[0] * oh * ow, kernel[0] * kernel[1] * shape[1])
    y = rng.standard_normal(cols.shape)
    back = channels_first(col2im(y, shape, kernel, stride, padding))
    assert back.shape == shape
    assert np.sum(cols * y) == pytest.approx(np.sum(x * back), rel=1e-12)


# Configurations the sub-pixel form fits (the stride divides the kernel, exact cover), wider
# than CONFIGS' so that col2im_of_product also chooses it.
SUBPIXEL_CONFIGS = [
    ((2, 3, 8, 6), (4, 4), (2, 2), (1, 1)),  # the models' 4x4, stride 2 layers
    ((1, 2, 9, 8), (6, 4), (3, 2), (0, 1)),  # different strides and taps per axis
    ((2, 4, 5, 6), (3, 3), (1, 1), (1, 1)),  # stride 1: a full correlation, no shuffle
    ((2, 2, 6, 6), (2, 2), (2, 2), (0, 0)),  # one tap per phase
]


@pytest.mark.parametrize("shape, kernel, stride, padding", CONFIGS + SUBPIXEL_CONFIGS)
def test_col2im_of_product_equals_col2im_of_the_product(shape, kernel, stride, padding):
    """col2im(G W_mat) by either path, and the sub-pixel form wherever it fits, equal the
    window-by-window col2im of the product made whole; with one output channel and with many."""
    rng = np.random.default_rng(3)
    n, _, h, w = shape
    oh = conv_output_size(h, kernel[0], stride[0], padding[0])
    ow = conv_output_size(w, kernel[1], stride[1], padding[1])
    grid = rng.standard_normal((n, 5, oh, ow))
    for c in (1, shape[1], 64):  # 64 channels: wide enough that col2im_of_product picks sub-pixel
        x_shape = (n, c, h, w)
        weight = rng.standard_normal((5, c) + kernel)
        # (G W_mat)[n, a, b, i, j, c] = sum_o G[n, o, a, b] W[o, c, i, j]
        product = np.einsum("noab,ocij->nabijc", grid, weight)
        plain = direct_col2im(product, x_shape, kernel, stride, padding)
        got = channels_first(col2im_of_product(grid, weight, x_shape, kernel, stride, padding))
        np.testing.assert_allclose(got, plain, atol=1e-12)
        if subpixel_fits(x_shape, kernel, stride, padding):
            sub = col2im_matmul_subpixel(grid, weight, x_shape, kernel, stride, padding)
            np.testing.assert_allclose(channels_first(sub), plain, atol=1e-12)


def test_the_sub_pixel_form_is_chosen_where_it_fits_and_pays():
    """Every SUBPIXEL_CONFIG fits; with 64 output channels and a short product it is chosen,
    with one output channel it is not; a stride that does not divide the kernel, or a 7x7
    kernel over a 1x1 grid, never fits. In the models: the discriminator's input gradient of
    Conv2d(64, 128, 4, 2, 1) (128 grid channels on 7x7) and the ConvVAE's layers take it; the
    generator's ConvTranspose2d(256, 128, 4, 2, 1) (256 grid channels on 7x7: 31% more
    products, each 256 long) does not."""
    for shape, kernel, stride, padding in SUBPIXEL_CONFIGS:
        wide, thin = (shape[0], 64) + shape[2:], (shape[0], 1) + shape[2:]
        assert subpixel_fits(shape, kernel, stride, padding)
        assert subpixel_pays(wide, kernel, stride, padding, grid_channels=5)
        assert not subpixel_pays(thin, kernel, stride, padding, grid_channels=5)
    assert not subpixel_fits((1, 64, 7, 7), (3, 3), (2, 2), (1, 1))  # 2 does not divide 3
    assert not subpixel_fits((1, 256, 7, 7), (7, 7), (1, 1), (0, 0))  # a 1x1 grid of rows
    k4s2p1 = ((4, 4), (2, 2), (1, 1))
    assert subpixel_pays((64, 64, 14, 14), *k4s2p1, grid_channels=128)  # DCGAN D, dL/dx
    assert subpixel_pays((64, 32, 14, 14), *k4s2p1, grid_channels=64)  # ConvVAE
    assert not subpixel_pays((64, 128, 14, 14), *k4s2p1, grid_channels=256)  # DCGAN G


@pytest.mark.parametrize("shape, kernel, stride, padding", CONFIGS)
def test_conv2d_matches_the_direct_definition(shape, kernel, stride, padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((4, shape[1]) + kernel)
    b = rng.standard_normal(4)
    y = F.conv2d(
        mg.tensor(x, dtype=mg.float64),
        mg.tensor(w, dtype=mg.float64),
        mg.tensor(b, dtype=mg.float64),
        stride,
        padding,
    )
    np.testing.assert_allclose(y.numpy(), direct_conv2d(x, w, b, stride, padding), atol=1e-12)


@pytest.mark.parametrize("shape, kernel, stride, padding", CONFIGS)
def test_conv_transpose2d_is_the_adjoint_of_conv2d(shape, kernel, stride, padding):
    """<conv2d(x, W), y> = <x, conv_transpose2d(y, W)>, output_padding recovering x's size."""
    rng = np.random.default_rng(2)
    w = mg.tensor(rng.standard_normal((3, shape[1]) + kernel), dtype=mg.float64)
    x = mg.tensor(rng.standard_normal(shape), dtype=mg.float64)
    y = F.conv2d(x, w, None, stride, padding)
    g = mg.tensor(rng.standard_normal(y.shape), dtype=mg.float64)
    output_padding = tuple(
        (n + 2 * p - k) % s for n, p, k, s in zip(shape[2:], padding, kernel, stride, strict=True)
    )
    back = F.conv_transpose2d(g, w, None, stride, padding, output_padding)
    assert back.shape == shape
    assert float((y * g).sum().item()) == pytest.approx(float((x * back).sum().item()), rel=1e-12)


@pytest.mark.parametrize("size", range(5, 17))
@pytest.mark.parametrize("kernel, stride, padding", [(4, 2, 1), (3, 2, 1), (5, 3, 2), (3, 1, 1)])
def test_conv_transpose2d_with_stride_s_inverts_conv2d_shapes(size, kernel, stride, padding):
    conv = nn.Conv2d(1, 2, kernel, stride, padding)
    down = conv(mg.zeros(1, 1, size, size + 1))
    h, w = down.shape[2:]
    assert (h, w) == (
        conv_output_size(size, kernel, stride, padding),
        conv_output_size(size + 1, kernel, stride, padding),
    )
    op = ((size + 2 * padding - kernel) % stride, (size + 1 + 2 * padding - kernel) % stride)
    up = nn.ConvTranspose2d(2, 1, kernel, stride, padding, output_padding=op)
    assert up(down).shape == (1, 1, size, size + 1)
    # H_out = (H - 1) s - 2 p + k + output_padding
    assert up(down).shape[2] == (h - 1) * stride - 2 * padding + kernel + op[0]


def test_dcgan_shapes():
    x = mg.randn(64, 1, 28, 28)
    h = nn.Conv2d(1, 64, 4, 2, 1)(x)
    assert h.shape == (64, 64, 14, 14)
    assert nn.Conv2d(64, 128, 4, 2, 1)(h).shape == (64, 128, 7, 7)
    z = mg.randn(64, 256, 7, 7)
    assert nn.ConvTranspose2d(256, 128, 4, 2, 1)(z).shape == (64, 128, 14, 14)
    assert nn.ConvTranspose2d(128, 1, 4, 2, 1)(mg.randn(2, 128, 14, 14)).shape == (2, 1, 28, 28)


def test_unbatched_input_gives_an_unbatched_output():
    conv = nn.Conv2d(3, 5, 3, padding=1)
    x = mg.randn(3, 6, 4)
    y = conv(x)
    assert y.shape == (5, 6, 4)
    np.testing.assert_allclose(y.numpy(), conv(x.reshape(1, 3, 6, 4)).numpy()[0], rtol=1e-6)
    assert nn.ConvTranspose2d(3, 2, 4, 2, 1)(x).shape == (2, 12, 8)


def test_only_the_needed_gradients_are_computed():
    conv = nn.Conv2d(2, 3, 3)
    x = mg.randn(2, 2, 5, 5)  # data: no gradient wanted
    conv(x).sum().backward()
    assert x.grad is None and conv.weight.grad.shape == (3, 2, 3, 3)
    conv.requires_grad_(False)
    x.requires_grad_()
    conv(x).sum().backward()
    assert conv.weight.grad.shape == (3, 2, 3, 3) and x.grad.shape == x.shape


def test_conv_layers_keep_float32():
    for layer, shape in [
        (nn.Conv2d(2, 3, 4, 2, 1), (2, 2, 8, 6)),
        (nn.ConvTranspose2d(2, 3, 4, 2, 1), (2, 2, 3, 4)),
    ]:
        x = mg.randn(*shape, requires_grad=True)
        y = layer(x)
        y.sum().backward()
        assert y.dtype == mg.float32
        assert x.grad.dtype == mg.float32
        assert all(p.grad.dtype == mg.float32 for p in layer.parameters())


def test_wrong_channel_count_names_the_layer_and_both_shapes():
    conv = nn.Conv2d(1, 32, 4, 2, 1)
    with pytest.raises(ShapeError) as error:
        conv(mg.randn(64, 3, 28, 28))
    assert str(error.value) == (
        "Conv2d(1, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1)): expected input of "
        "shape (N, 1, H, W), got (64, 3, 28, 28)"
    )
    with pytest.raises(
        ShapeError,
        match=r"ConvTranspose2d\(16, 8, .*expected input of shape "
        r"\(N, 16, H, W\), got \(2, 8, 7, 7\)",
    ):
        nn.ConvTranspose2d(16, 8, 4, 2, 1)(mg.randn(2, 8, 7, 7))


def test_wrong_rank_names_the_layer_and_the_shape():
    with pytest.raises(
        ShapeError, match=r"Conv2d\(1, 4, .*expected input of shape \(N, 1, H, W\), got \(64, 784\)"
    ):
        nn.Conv2d(1, 4, 3)(mg.randn(64, 784))


def test_float64_input_into_a_float32_conv_is_a_clear_error():
    with pytest.raises(
        TypeError,
        match=r"Conv2d\(1, 4, kernel_size=\(3, 3\), stride=\(1, 1\)\): input is "
        r"float64 but the layer's parameters are float32; call .float\(\) on the input "
        r"or .double\(\) on the layer",
    ):
        nn.Conv2d(1, 4, 3)(mg.randn(2, 1, 5, 5, dtype=mg.float64))


def test_input_smaller_than_the_kernel_and_bad_output_padding():
    with pytest.raises(
        ShapeError,
        match=r"input of spatial size \(3, 3\) with padding \(0, 0\) is smaller than "
        r"the kernel \(4, 4\)",
    ):
        nn.Conv2d(1, 1, 4)(mg.randn(1, 1, 3, 3))
    with pytest.raises(
        ValueError, match=r"output_padding \(2, 2\) must be smaller than the stride \(2, 2\)"
    ):
        nn.ConvTranspose2d(1, 1, 4, 2, 1, output_padding=2)
    with pytest.raises(ValueError, match="kernel_size must be an int or a pair"):
        nn.Conv2d(1, 1, (3, 3, 3))


def test_functional_conv_checks_the_weight_too():
    with pytest.raises(
        ShapeError, match=r"conv2d: expected input of shape \(N, 2, H, W\), got \(1, 3, 5, 5\)"
    ):
        F.conv2d(mg.randn(1, 3, 5, 5), mg.randn(4, 2, 3, 3))
