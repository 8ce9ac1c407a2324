# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3. Layers: convolution, transposed convolution, batch normalisation
#
# The DCGAN of lesson 7 is made of three layers: convolutions in the discriminator,
# transposed convolutions in the generator, and batch normalisation in both. This lesson opens
# each one:
#
# 1. a **convolution** is one matrix product, once every window of the image is copied into a
#    row of a matrix (*im2col*);
# 2. a **transposed convolution** is the transpose (the adjoint) of a convolution, which fixes
#    its output size;
# 3. **batch normalisation** behaves differently in training and in evaluation, through its
#    running statistics.
#
# The derivations are in [docs/derivations/conv2d.md](../docs/derivations/conv2d.md),
# [conv_transpose2d.md](../docs/derivations/conv_transpose2d.md) and
# [batchnorm.md](../docs/derivations/batchnorm.md). Figures go to `$MINIGEN_FIGURES`
# (default `walkthroughs/figures/`).

# %%
# In Colab, or in any Python where minigen is not installed yet, this cell installs it from
# SOURCE, a copy of the repository (walkthroughs/README.md, "Open them as notebooks").
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("minigen") is None:
    SOURCE = "/content/minigen"  # or any other pip requirement that names minigen's source
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", SOURCE], check=True)

# %%
import os

import matplotlib
import numpy as np
from matplotlib.patches import Rectangle

import minigen as mg
import minigen.nn.functional as F
from minigen.data import MNISTSample
from minigen.functions.im2col import conv_output_size, im2col
from minigen.viz.lesson import check_exercise, figure_saver, figures_folder, new_figure

FAST = os.environ.get("MINIGEN_FAST") == "1"  # fewer batchnorm steps below
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here
save = figure_saver(FIGURES)
COLORS = ["tab:red", "tab:blue", "tab:green"]

def show_numbers(ax, array, fmt="{:g}", fontsize=7):
    """An array as a grid of cells with their values written in."""
    ax.imshow(array, cmap="Blues", vmin=array.min() - 0.3 * np.ptp(array), vmax=array.max())
    for (r, c), value in np.ndenumerate(array):
        ax.text(c, r, fmt.format(value), ha="center", va="center", fontsize=fontsize)
    ax.set_xticks([])
    ax.set_yticks([])


def outline(ax, row, col, height, width, color, inset=0.06):
    """A coloured frame around cells [row, row + height) x [col, col + width), drawn ``inset``
    inside them, so that frames of overlapping windows stay apart."""
    ax.add_patch(Rectangle((col - 0.5 + inset, row - 0.5 + inset), width - 2 * inset,
                           height - 2 * inset, fill=False, lw=2.5, edgecolor=color))


# %% [markdown]
# ## 1. Convolution as im2col + one matrix product
#
# A convolution with a $k \times k$ kernel slides a window over the image. At output pixel
# $(a, b)$ it multiplies the window that starts at row $a s$, column $b s$ ($s$ the stride)
# with the kernel, elementwise, and sums:
#
# $$y_{o,a,b} = b_o + \sum_{c,i,j} W_{o,c,i,j}\; x_{c,\,as+i,\,bs+j}.$$
#
# *im2col* copies each window into one row of a matrix $X_{\text{col}}$: one row per output
# pixel, one column per kernel tap. Then every output pixel is a dot product of its row with
# the flattened kernel, and all of them together are one matrix product,
#
# $$Y_{\text{mat}} = X_{\text{col}}\, W_{\text{mat}}^{\mathsf T} + b, \qquad
# (\text{pixels}, C_{\text{out}}) =
# (\text{pixels}, k^2 C_{\text{in}})\,(k^2 C_{\text{in}}, C_{\text{out}}),$$
#
# one large, fast BLAS call instead of a Python loop over pixels. Let us look at the windows
# of a $5 \times 5$ image holding the numbers 0 to 24, so every entry of $X_{\text{col}}$
# says where it came from.

# %%
image = np.arange(25, dtype=np.float64).reshape(1, 1, 5, 5)  # (N, C, H, W)
cols = im2col(image, kernel=(3, 3), stride=(1, 1), padding=(0, 0))
print("X_col shape", cols.shape, "= (1 * 3 * 3 output pixels, 3 * 3 * 1 taps)")
print(cols.astype(int))

# %% [markdown]
# Row 0 is the window at the top left (0, 1, 2 / 5, 6, 7 / 10, 11, 12), row 1 the window one
# column to the right, and so on, three rows per output row. Neighbouring windows overlap, so
# most pixels appear in several rows (the centre pixel 12 appears in all nine).
#
# How many windows fit along one side? The last window must start at most $H + 2p - k$ (with
# $p$ pixels of zero padding on each side), in steps of $s$:
#
# $$O = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1 .$$
#
# Here $\lfloor (5 - 3)/1 \rfloor + 1 = 3$. With stride 2 and padding 1,
# $\lfloor (5 + 2 - 3)/2 \rfloor + 1 = 3$ again, but now the windows see the zero border:

# %%
cols_s2 = im2col(image, kernel=(3, 3), stride=(2, 2), padding=(1, 1))
print("O =", conv_output_size(5, kernel=3, stride=2, padding=1), "| X_col shape", cols_s2.shape)
print(cols_s2.astype(int))


# %% [markdown]
# The picture shows three windows of each case in colour, on the image (left) and as rows of
# $X_{\text{col}}$ (right).

# %%
def draw_windows(ax_image, ax_cols, k, s, p, picks):
    padded = np.pad(image[0, 0], p)
    show_numbers(ax_image, padded, fontsize=8)
    if p:
        ax_image.add_patch(Rectangle((p - 0.5, p - 0.5), 5, 5, fill=False, lw=1, ls="--"))
    matrix = im2col(image, (k, k), (s, s), (p, p))
    show_numbers(ax_cols, matrix, fontsize=8)
    out = conv_output_size(5, k, s, p)
    for n, (color, (a, b)) in enumerate(zip(COLORS, picks, strict=True)):
        outline(ax_image, a * s, b * s, k, k, color, inset=0.06 + 0.1 * n)
        outline(ax_cols, a * out + b, 0, 1, k * k, color)
    ax_image.set_title(f"image, k={k} s={s} p={p}" + (" (zeros: padding)" if p else ""))
    ax_cols.set_title(f"X_col: {matrix.shape[0]} windows x {matrix.shape[1]} taps")


fig = new_figure(11, 9)
axes = fig.subplots(2, 2, gridspec_kw={"width_ratios": [1, 1.3]})
draw_windows(axes[0, 0], axes[0, 1], k=3, s=1, p=0, picks=[(0, 0), (0, 2), (2, 1)])
draw_windows(axes[1, 0], axes[1, 1], k=3, s=2, p=1, picks=[(0, 0), (1, 1), (2, 2)])
save(fig, "03_im2col_windows.png")

# %% [markdown]
# The convolution is then one product. Below, two $3 \times 3$ kernels on a real digit
# (padding 1 keeps the $28 \times 28$ size): one responds to vertical edges, one to
# horizontal edges. `X_col` has $28 \cdot 28 = 784$ rows of 9 taps; `W_mat` has one row per
# kernel; their product has one column per output channel. We compare with `F.conv2d`.

# %%
digits = MNISTSample(train=False)
digit = digits.images[0].astype(np.float32) / 255  # (28, 28) in [0, 1]
label = int(digits.labels[0])
x = mg.tensor(digit[None, None])  # (N=1, C=1, 28, 28)
edges = mg.tensor([[[[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]],  # vertical edges
                   [[[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]]]])  # horizontal
print("weight W", edges.shape, "= (C_out, C_in, k, k)")

X_col = im2col(x.numpy(), (3, 3), (1, 1), (1, 1))  # (784, 9)
W_mat = edges.numpy().reshape(2, 9)  # one row per output channel
Y_mat = X_col @ W_mat.T  # (784, 2): Y_mat = X_col W_mat^T
by_matmul = Y_mat.T.reshape(1, 2, 28, 28)  # columns are channels, rows are pixels
by_conv = F.conv2d(x, edges, padding=1).numpy()
print("X_col", X_col.shape, "@ W_mat.T", W_mat.T.shape, "->", Y_mat.shape)
print("largest |im2col matmul - F.conv2d| =", np.abs(by_matmul - by_conv).max())

# %% [markdown]
# With more than one input channel, mind the column order. minigen's im2col orders a row's
# taps as (kernel row, kernel column, channel), channel fastest, because then each copy moves
# runs of contiguous numbers; PyTorch's weight is $(C_{\text{out}}, C_{\text{in}}, k, k)$. So
# the weight is permuted to $(C_{\text{out}}, k, k, C_{\text{in}})$ before it is flattened:

# %%
mg.manual_seed(0)
x3 = mg.randn(2, 3, 6, 6, dtype=mg.float64)
w3 = mg.randn(4, 3, 3, 3, dtype=mg.float64)
X_col3 = im2col(x3.numpy(), (3, 3), (1, 1), (0, 0))  # (2*4*4, 3*3*3)
W_mat3 = w3.numpy().transpose(0, 2, 3, 1).reshape(4, -1)  # (C_out, k, k, C_in) -> (4, 27)
Y3 = (X_col3 @ W_mat3.T).reshape(2, 4, 4, 4).transpose(0, 3, 1, 2)  # rows (n, a, b) -> NCHW
print("largest difference:", np.abs(Y3 - F.conv2d(x3, w3).numpy()).max())

# %% [markdown]
# ### What the windows of a digit look like
#
# With a $7 \times 7$ kernel and stride 7 the windows tile the digit without overlap: 16 rows
# of 49 numbers. Reshaping each row back to $7 \times 7$ gives the patches, and the
# patches in order give the digit back.

# %%
patches = im2col(x.numpy(), (7, 7), (7, 7), (0, 0))  # (16, 49)
fig = new_figure(10, 3.4)
ax_digit, ax_matrix, ax_tiles = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 2, 1]})
ax_digit.imshow(digit, cmap="gray_r")
for k in range(0, 29, 7):
    ax_digit.axhline(k - 0.5, color="tab:red", lw=1)
    ax_digit.axvline(k - 0.5, color="tab:red", lw=1)
ax_digit.set_title(f"a {label}: 16 windows 7x7, stride 7", fontsize=10)
ax_matrix.imshow(patches, cmap="gray_r", aspect="auto")
ax_matrix.set_title(f"X_col: {patches.shape[0]} rows (windows) x {patches.shape[1]} taps",
                    fontsize=10)
ax_matrix.set_xlabel("tap, in the order (i, j)")
ax_matrix.set_ylabel("window")
mosaic = np.full((4 * 8 - 1, 4 * 8 - 1), np.nan)  # NaN: the gaps between tiles
for r, row in enumerate(patches):
    a, b = divmod(r, 4)
    mosaic[a * 8:a * 8 + 7, b * 8:b * 8 + 7] = row.reshape(7, 7)
gray = matplotlib.colormaps["gray_r"].with_extremes(bad="#f4cccc")  # gaps: pale red
ax_tiles.imshow(mosaic, cmap=gray, vmin=0, vmax=1)
ax_tiles.set_title("each row reshaped to 7x7", fontsize=10)
for ax in (ax_digit, ax_tiles):
    ax.set_xticks([])
    ax.set_yticks([])
save(fig, "03_digit_patches.png")

# %% [markdown]
# And the two edge detectors: each output channel is one column of
# $X_{\text{col}} W_{\text{mat}}^{\mathsf T}$, reshaped to $28 \times 28$. Red is positive, blue negative:
# kernel 0 is positive where the ink begins as you read from left to right and negative where
# it ends; kernel 1 does the same from top to bottom.

# %%
fig = new_figure(10, 2.8)
axes = fig.subplots(1, 5, gridspec_kw={"width_ratios": [1, 0.6, 1, 0.6, 1]})
axes[0].imshow(digit, cmap="gray_r")
axes[0].set_title("input", fontsize=10)
for n, name in enumerate(["vertical", "horizontal"]):
    show_numbers(axes[1 + 2 * n], edges.numpy()[n, 0], fmt="{:+.0f}", fontsize=9)
    axes[1 + 2 * n].set_title(f"kernel {n}", fontsize=10)
    axes[2 + 2 * n].imshow(by_matmul[0, n], cmap="RdBu_r", vmin=-4, vmax=4)
    axes[2 + 2 * n].set_title(f"channel {n}: {name} edges", fontsize=10)
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
save(fig, "03_conv_as_matmul.png")

# %% [markdown]
# ## 2. The transposed convolution is the adjoint of the convolution
#
# For a fixed weight $W$, a convolution (without bias) is a linear map $x \mapsto C_W x$, so
# it is multiplication by some matrix $C_W$. The **transposed convolution** with the same
# weight is multiplication by $C_W^{\mathsf T}$. We can build both matrices for a tiny case,
# one column at a time: apply the map to each basis image $e_j$, and $C e_j$ is column $j$.
# A $4 \times 4$ input, a $3 \times 3$ kernel holding 1 to 9, stride 1: the convolution maps
# 16 numbers to $2 \times 2 = 4$, the transposed convolution 4 numbers back to 16.

# %%
kernel = mg.tensor(np.arange(1.0, 10.0).reshape(1, 1, 3, 3))


def matrix_of(linear_map, n_in):
    """The matrix of a linear map, one column per basis vector e_j."""
    columns = []
    for j in range(n_in):
        e = np.zeros(n_in)
        e[j] = 1.0
        columns.append(linear_map(e).ravel())
    return np.stack(columns, axis=1)


C = matrix_of(lambda e: F.conv2d(mg.tensor(e.reshape(1, 1, 4, 4)), kernel).numpy(), 16)
CT = matrix_of(lambda e: F.conv_transpose2d(mg.tensor(e.reshape(1, 1, 2, 2)), kernel).numpy(), 4)
print("C, the convolution:           ", C.shape)
print("CT, the transposed convolution:", CT.shape)
print("CT equals C transposed:", np.array_equal(CT, C.T))

# %%
fig = new_figure(11, 4.2)
ax_c, ax_ct = fig.subplots(1, 2, gridspec_kw={"width_ratios": [16, 4]})
show_numbers(ax_c, C, fmt="{:.0f}", fontsize=8)
ax_c.set_title("conv2d as a matrix C: 4 outputs x 16 inputs\n(each row: the kernel 1..9 placed "
               "over one window)", fontsize=9)
ax_c.set_xlabel("input pixel (the 4x4 image, row by row)")
ax_c.set_ylabel("output pixel")
show_numbers(ax_ct, CT, fmt="{:.0f}", fontsize=8)
ax_ct.set_xlabel("input pixel")
ax_ct.set_ylabel("output pixel")
ax_ct.set_title("conv_transpose2d:\nC transposed", fontsize=9)
save(fig, "03_conv_matrix.png")

# %% [markdown]
# Each row of $C$ is the kernel laid over one window of the input (zeros elsewhere); each
# row of $C^{\mathsf T}$ lists which outputs an input pixel contributes to. So the transposed
# convolution takes each input pixel, multiplies the whole kernel by it, and **adds** the
# result into a $k \times k$ window of the output, windows $s$ apart.
#
# On real sizes we cannot print the matrix, but we can check the defining property of an
# adjoint, for random $x$ and $g$:
#
# $$\langle C_W x,\ g \rangle = \langle x,\ C_W^{\mathsf T} g \rangle .$$
#
# With the DCGAN's favourite setting, kernel 4, stride 2, padding 1, three input channels
# and five output channels. Note the weight layout: `conv2d` reads $W$ as
# $(C_{\text{out}}, C_{\text{in}}, k, k) = (5, 3, 4, 4)$, and `conv_transpose2d` reads the same
# array as (in, out, k, k) = (5, 3, 4, 4), going from 5 channels back to 3. That is why
# PyTorch's `ConvTranspose2d(in, out, ...)` stores its weight as (in, out, k, k).

# %%
mg.manual_seed(1)
W = mg.randn(5, 3, 4, 4, dtype=mg.float64)
x = mg.randn(2, 3, 8, 8, dtype=mg.float64)
Cx = F.conv2d(x, W, stride=2, padding=1)  # C_W x: (2, 3, 8, 8) -> (2, 5, 4, 4)
g = mg.randn(*Cx.shape, dtype=mg.float64)
CTg = F.conv_transpose2d(g, W, stride=2, padding=1)  # C_W^T g: (2, 5, 4, 4) -> (2, 3, 8, 8)
left = float((Cx.numpy() * g.numpy()).sum())
right = float((x.numpy() * CTg.numpy()).sum())
print("C x:", Cx.shape, "  C^T g:", CTg.shape)
print(f"<C x, g>   = {left:.12f}\n<x, C^T g> = {right:.12f}\ndifference {abs(left - right):.1e}")

# %% [markdown]
# The adjoint is also exactly what backpropagation through a convolution needs: for
# $y = C_W x$, the chain rule gives $\bar x = C_W^{\mathsf T} \bar y$. So the input gradient of
# `conv2d` **is** `conv_transpose2d` of the upstream gradient, and minigen computes both with
# the same code ([conv2d.md](../docs/derivations/conv2d.md)):

# %%
x.requires_grad_()
F.conv2d(x, W, stride=2, padding=1).backward(g)
print("largest |x.grad - conv_transpose2d(g)| =", np.abs(x.grad.numpy() - CTg.numpy()).max())

# %% [markdown]
# ### The output size of a transposed convolution
#
# A convolution takes height $H_{\text{out}}$ to $\lfloor (H_{\text{out}} + 2p - k)/s \rfloor + 1$.
# Its transpose must go back from that height $H$ to $H_{\text{out}}$, so
# $\lfloor (H_{\text{out}} + 2p - k)/s \rfloor = H - 1$. The floor forgets a remainder: $s$
# heights qualify, and `output_padding` $\in [0, s)$ picks one:
#
# $$H_{\text{out}} = (H - 1)\,s - 2p + k + \text{output\_padding}.$$
#
# The DCGAN generator grows $7 \to 14 \to 28$ with $k = 4$, $s = 2$, $p = 1$:
# $(7 - 1) \cdot 2 - 2 + 4 = 14$ and $(14 - 1) \cdot 2 - 2 + 4 = 28$. With $k = 3$, $s = 2$,
# $p = 1$ a convolution maps both 7 and 8 to 4; `output_padding` 0 or 1 says which one to go
# back to. The table checks the formulas against the layers' actual output shapes.

# %%
print(" kind   H  k  s  p  op   formula  actual")
for H, k, s, p in [(28, 4, 2, 1), (14, 4, 2, 1), (7, 3, 2, 1), (8, 3, 2, 1), (5, 3, 1, 0)]:
    formula = (H + 2 * p - k) // s + 1
    actual = mg.nn.Conv2d(1, 1, k, stride=s, padding=p)(mg.zeros(1, 1, H, H)).shape[-1]
    print(f" conv  {H:2d} {k:2d} {s:2d} {p:2d}   -  {formula:7d} {actual:7d}")
    assert formula == actual
for H, k, s, p, op in [(7, 4, 2, 1, 0), (14, 4, 2, 1, 0), (4, 3, 2, 1, 0), (4, 3, 2, 1, 1)]:
    formula = (H - 1) * s - 2 * p + k + op
    layer = mg.nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=op)
    actual = layer(mg.zeros(1, 1, H, H)).shape[-1]
    print(f" convT {H:2d} {k:2d} {s:2d} {p:2d} {op:2d}  {formula:7d} {actual:7d}")
    assert formula == actual

# %% [markdown]
# ### Implement it: the convolution's backward, with loops
#
# im2col is how a convolution is computed fast; loops are how it is understood. Here is the
# forward pass written as CS231n's `conv_forward_naive`: one output number per loop
# iteration, the window times the kernel, summed, plus the bias. It agrees with `F.conv2d`.

# %% tags=["given"]
def conv2d_forward_naive(x, W, b, stride=1, padding=0):
    """y[n, o, a, c] = b[o] + sum over (channel, i, j) of W[o] * the window at (a s, c s)."""
    _, _, height, width = x.shape
    n_out, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
    y = np.zeros((x.shape[0], n_out, oh, ow))
    for n in range(x.shape[0]):
        for o in range(n_out):
            for a in range(oh):
                for c in range(ow):
                    window = xp[n, :, a * stride:a * stride + kh, c * stride:c * stride + kw]
                    y[n, o, a, c] = np.sum(window * W[o]) + b[o]
    return y


rng = np.random.default_rng(2)
x_small, W_small, b_small = (rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3)),
                             rng.standard_normal(4))
naive = conv2d_forward_naive(x_small, W_small, b_small, stride=2, padding=1)
engine = F.conv2d(mg.tensor(x_small, device="cpu"), mg.tensor(W_small, device="cpu"),
                  mg.tensor(b_small, device="cpu"), stride=2, padding=1).numpy()
print("naive loops", naive.shape, "| largest |naive - F.conv2d| =", np.abs(naive - engine).max())

# %% [markdown]
# Now the backward, with the same four loops. Each output number
# $y_{n,o,a,c}$ came from one window and one kernel, so its upstream gradient
# $g = \bar y_{n,o,a,c}$ flows back to exactly those: the kernel $W_o$ gets $g$ times the
# window, and the window of the (padded) input gets $g$ times $W_o$, **added** (windows
# overlap, and an input pixel's gradient is the sum over every window it is in). The bias
# gets the sum of $\bar y$ over everything but its channel. Remember to cut the padding off
# the input's gradient at the end.

# %% tags=["exercise"]
def conv2d_backward_naive(x, W, grad_y, stride=1, padding=0):
    """(grad_x, grad_W, grad_b) of conv2d_forward_naive, from grad_y = dL/dy."""
    # YOUR CODE HERE: the loops of conv2d_forward_naive, sending grad_y back.
    raise NotImplementedError


# %% [markdown]
# The check compares with the engine's backward (im2col, matrix products and their adjoints).
# Both are exact float64 arithmetic summed in different orders, so expect a relative error
# around $10^{-15}$; $10^{-10}$ is the most it should be.

# %% tags=["check"]
def compare_conv_backward():
    rng = np.random.default_rng(3)
    x, W, b = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    grad_y = rng.standard_normal((2, 4, 4, 4))  # the output of a 3x3, stride 2, padding 1 conv
    yours = conv2d_backward_naive(x, W, grad_y, stride=2, padding=1)
    leaves = [mg.tensor(a, device="cpu", requires_grad=True) for a in (x, W, b)]
    F.conv2d(*leaves, stride=2, padding=1).backward(mg.tensor(grad_y, device="cpu"))
    return {f"{name} vs the engine": (mine, leaf.grad.numpy())
            for name, mine, leaf in zip(("grad_x", "grad_W", "grad_b"), yours, leaves, strict=True)}


check_exercise("conv2d backward by loops", compare_conv_backward, expected=1e-10)

# %% [markdown]
# ## 3. Batch normalisation in training and in evaluation
#
# In **training** mode, `BatchNorm1d` normalises each feature with the mean $\mu_B$ and biased
# variance $\sigma_B^2$ of the current batch, and moves its running statistics towards them
# with `momentum` $m = 0.1$ ([batchnorm.md](../docs/derivations/batchnorm.md)):
#
# $$\text{running\_mean} \leftarrow (1 - m)\,\text{running\_mean} + m\,\mu_B, \qquad
# \text{running\_var} \leftarrow (1 - m)\,\text{running\_var} + m\,\tfrac{n}{n - 1}\sigma_B^2 .$$
#
# (The running variance uses the unbiased estimate, with $n - 1$, as PyTorch does.) In
# **evaluation** mode it normalises with the running statistics instead, so each sample's
# output no longer depends on the others in its batch.
#
# Our data: three features with means $(5, -2, 0)$ and standard deviations $(2, 0.5, 1)$,
# in batches of 32.

# %%
rng = np.random.default_rng(0)
true_mean, true_std = np.array([5.0, -2.0, 0.0]), np.array([2.0, 0.5, 1.0])


def draw_batch(n=32):
    return mg.tensor(true_mean + true_std * rng.standard_normal((n, 3)), dtype=mg.float32)


bn = mg.nn.BatchNorm1d(3)
print("start:  running_mean", bn.running_mean, " running_var", bn.running_var)
first = draw_batch()
out = bn(first)  # training mode: a new Module starts in training mode
batch_mean = first.numpy().mean(axis=0)
batch_var_unbiased = first.numpy().var(axis=0, ddof=1)
print("batch mean", batch_mean.round(4), " unbiased var", batch_var_unbiased.round(4))
print("after 1: running_mean", bn.running_mean, " running_var", bn.running_var)
print("  = 0.1 * batch mean:         ", np.allclose(bn.running_mean.numpy(), 0.1 * batch_mean))
print("  = 0.9 + 0.1 * unbiased var: ",
      np.allclose(bn.running_var.numpy(), 0.9 + 0.1 * batch_var_unbiased))
print("output mean", out.numpy().mean(axis=0).round(4) + 0.0,  # + 0.0 turns -0 into 0
      " output std", out.numpy().std(axis=0).round(4))

# %% [markdown]
# After $t$ batches the starting values (mean 0, variance 1) still weigh $0.9^t$: about 0.005
# after 50 batches. The running statistics then hover around the true ones, averaging over
# about the last $1/m = 10$ batches.

# %%
steps = 50 if FAST else 100
history = [(bn.running_mean.numpy().copy(), bn.running_var.numpy().copy())]
for _ in range(steps - 1):
    bn(draw_batch())
    history.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()))
print(f"after {steps} batches ({int(bn.num_batches_tracked.item())} tracked):")
print("  running_mean", bn.running_mean.numpy().round(3), " true", true_mean)
print("  running_var ", bn.running_var.numpy().round(3), " true", true_std**2)

# %%
means = np.array([m for m, _ in history])
variances = np.array([v for _, v in history])
fig = new_figure(10, 3.4)
ax_m, ax_v = fig.subplots(1, 2)
for f, color in enumerate(COLORS):
    ax_m.plot(range(1, steps + 1), means[:, f], color=color, label=f"feature {f}")
    ax_m.axhline(true_mean[f], color=color, ls=":", lw=1)
    ax_v.plot(range(1, steps + 1), variances[:, f], color=color, label=f"feature {f}")
    ax_v.axhline(true_std[f] ** 2, color=color, ls=":", lw=1)
ax_m.set_title("running_mean (dotted: true mean)")
ax_v.set_title("running_var (dotted: true variance)")
for ax in (ax_m, ax_v):
    ax.set_xlabel("training batches")
    ax.grid(True, alpha=0.3)
ax_m.legend(fontsize=8)
save(fig, "03_batchnorm_running_stats.png")

# %% [markdown]
# **Training mode: a sample's output depends on its batch.** The same sample, put into two
# different batches, comes out differently, because $\mu_B$ and $\sigma_B$ differ. (Every
# call in training mode also moves the running statistics, gradients or not: that is what
# training mode means.)

# %%
sample = mg.tensor([[7.0, -2.0, 1.0]])
in_batch_1 = mg.cat([sample, draw_batch(7)])
in_batch_2 = mg.cat([sample, draw_batch(7)])
print("train, batch 1:", bn(in_batch_1)[0].numpy().round(4))
print("train, batch 2:", bn(in_batch_2)[0].numpy().round(4))

# %% [markdown]
# **Evaluation mode: each sample on its own.** After `bn.eval()` the layer uses the running
# statistics: the sample gives the same output in any batch, even alone, and that output is
# $\gamma \frac{x - \text{running\_mean}}{\sqrt{\text{running\_var} + \epsilon}} + \beta$
# ($\gamma = 1$, $\beta = 0$ here: nothing trained them). In training mode this
# `BatchNorm1d` would refuse a batch of one: one value per feature has no variance.

# %%
bn.eval()
print("eval,  batch 1:", bn(in_batch_1)[0].numpy().round(4))
print("eval,  batch 2:", bn(in_batch_2)[0].numpy().round(4))
print("eval,  alone:  ", bn(sample)[0].numpy().round(4))
rm, rv = bn.running_mean.numpy(), bn.running_var.numpy()
print("formula:       ", ((sample.numpy() - rm) / np.sqrt(rv + bn.eps))[0].round(4))
bn.train()  # back to training mode

# %% [markdown]
# This is why generators are put in evaluation mode to draw samples (`model.eval()`, as the
# training code of the later lessons does): a picture should not depend on which other
# pictures happened to be drawn with it.

# %% [markdown]
# ### Implement it: batch normalisation's backward
#
# The forward pass of `BatchNorm1d` in training mode, in NumPy, keeping what the backward
# needs: the normalised $\hat x$, the standard deviation $\sqrt{\sigma_B^2 + \epsilon}$ and
# $\gamma$.

# %% tags=["given"]
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Training-mode batchnorm of x (N, D): y and the cache (x_hat, std, gamma) for backward."""
    std = np.sqrt(x.var(axis=0) + eps)  # the biased variance, divided by N
    x_hat = (x - x.mean(axis=0)) / std
    return gamma * x_hat + beta, (x_hat, std, gamma)


# %% [markdown]
# Write its backward. $\bar\beta$ and $\bar\gamma$ are sums over the batch. For $\bar x$,
# remember that $\mu_B$ and $\sigma_B$ depend on every row of $x$: each input moves its
# own $\hat x$ directly, and every other row's $\hat x$ through the statistics. With
# $\bar{\hat x} = \gamma \bar y$, the result is
#
# $$\bar x = \frac{1}{\sqrt{\sigma_B^2 + \epsilon}}\Big(\bar{\hat x}
#   - \operatorname{mean}_B \bar{\hat x}
#   - \hat x \operatorname{mean}_B\big(\bar{\hat x} \odot \hat x\big)\Big),$$
#
# derived step by step in [batchnorm.md](../docs/derivations/batchnorm.md). Try to derive it
# yourself first, or write it in small steps through $\mu_B$ and $\sigma_B^2$ and check.

# %% tags=["exercise"]
def batchnorm_backward(grad_y, cache):
    """(grad_x, grad_gamma, grad_beta) of batchnorm_forward, from grad_y = dL/dy (N, D)."""
    x_hat, std, gamma = cache
    # YOUR CODE HERE: three gradients, each of the shape of its variable.
    raise NotImplementedError


# %% [markdown]
# The check runs `F.batch_norm` in training mode on the same numbers. The engine sums the
# columns with a matrix product, so the rounding differs a little from NumPy's sums: expect
# about $10^{-15}$, and at most $10^{-10}$.

# %% tags=["check"]
def compare_batchnorm_backward():
    rng = np.random.default_rng(4)
    x = 3 + 2 * rng.standard_normal((16, 5))
    gamma, beta, grad_y = rng.standard_normal(5), rng.standard_normal(5), rng.standard_normal((16, 5))
    _, cache = batchnorm_forward(x, gamma, beta)
    yours = batchnorm_backward(grad_y, cache)
    leaves = [mg.tensor(a, device="cpu", requires_grad=True) for a in (x, gamma, beta)]
    y = F.batch_norm(leaves[0], None, None, leaves[1], leaves[2], training=True)
    y.backward(mg.tensor(grad_y, device="cpu"))
    return {f"{name} vs the engine": (mine, leaf.grad.numpy()) for name, mine, leaf
            in zip(("grad_x", "grad_gamma", "grad_beta"), yours, leaves, strict=True)}


check_exercise("batchnorm backward", compare_batchnorm_backward, expected=1e-10)

# %% [markdown]
# ## Exercises
#
# 1. What is the output size of `Conv2d(1, 64, 4, stride=2, padding=1)` on a $28 \times 28$
#    image? And of `ConvTranspose2d(64, 1, 4, stride=2, padding=1)` applied to that output?
# 2. How many rows and columns does im2col make for a batch of 64 one-channel $28 \times 28$
#    digits with a $4 \times 4$ kernel, stride 2, padding 1? And with 3 channels?
# 3. `col2im` (in `minigen.functions.im2col`) is im2col's adjoint: it adds every row back into
#    its window. Predict `col2im(im2col(x), ...)` for a $5 \times 5$ image of ones with a
#    $3 \times 3$ kernel and stride 1, then compute it. What changes with stride 3 on a
#    $6 \times 6$ image?
# 4. Build the matrix of `conv2d` with a $3 \times 3$ kernel, stride 2, padding 1 on a
#    $4 \times 4$ input with `matrix_of`. Is the matrix of `conv_transpose2d` with
#    `output_padding=1` its transpose? With `output_padding=0`?
# 5. With momentum 0.1, after how many training batches does the starting running variance
#    (1) weigh less than 1% of `running_var`?
# 6. A generator with batchnorm is sampled one image at a time, in training mode. What goes
#    wrong? And what does sampling a batch of 64 in training mode do to the layer?

# %% [markdown]
# ## Answers
#
# 1. $\lfloor (28 + 2 - 4)/2 \rfloor + 1 = 14$, then $(14 - 1) \cdot 2 - 2 + 4 = 28$.
# 2. Rows: one per output pixel, $64 \cdot 14 \cdot 14 = 12544$. Columns: $4 \cdot 4 \cdot 1 = 16$
#    taps; with 3 channels $4 \cdot 4 \cdot 3 = 48$.
# 3. Each pixel gets the number of windows that contain it: 1 in the corners, 9 in the
#    centre (rows `1 2 3 2 1`, `2 4 6 4 2`, `3 6 9 6 3`, ...). With stride 3 on $6 \times 6$
#    the windows tile the image without overlap and `col2im(im2col(x)) = x`.
# 4. The convolution maps $4 \to \lfloor (4 + 2 - 3)/2 \rfloor + 1 = 2$, and the transposed
#    convolution maps $2 \to (2-1) \cdot 2 - 2 + 3 + \text{op} = 3 + \text{op}$: only with
#    `output_padding=1` does it return to $4 \times 4$, and then its $16 \times 4$ matrix is
#    exactly $C^{\mathsf T}$. With 0 it returns $3 \times 3$ (a $9 \times 4$ matrix), the
#    adjoint of a convolution on a $3 \times 3$ input.
# 5. $0.9^t < 0.01$ when $t > \ln 0.01 / \ln 0.9 = 43.7$: after 44 batches.
# 6. It depends on the layer. A `BatchNorm1d` on a batch of one sample has one value per
#    feature and refuses it in training mode ("expected more than 1 value per channel"). The
#    DCGAN generator of lesson 7 uses `BatchNorm2d`, whose statistics run over the batch
#    *and* the pixels: its first one sees $7 \cdot 7 = 49$ values per channel even for one
#    image, so `DCGAN().generator` in training mode turns one $z$ into a $(1, 1, 28, 28)$
#    image without complaint. What goes wrong is silent: each channel of that image is
#    normalised with its own spatial mean and variance (not the data's), so the picture
#    differs from what the trained generator draws in evaluation mode, and every call moves
#    the running statistics towards one generated image's. A batch of 64 works too, but each
#    image then depends on the other 63, and the call moves the running statistics towards
#    the statistics of generated images. `generator.eval()` before sampling avoids all of it.
