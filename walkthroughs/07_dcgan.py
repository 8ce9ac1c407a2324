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
# # 7. DCGAN: a convolutional GAN
#
# The MLP GAN of lesson 5 sees an image as 784 unrelated numbers. Radford, Metz and
# Chintala (2016) made GANs train reliably on images with convolutions and a short list of
# architecture guidelines. Their **deep convolutional GAN** (DCGAN) is still the baseline
# every image GAN is compared with. The guidelines:
#
# 1. **no pooling**: the discriminator shrinks images with **strided convolutions**, the
#    generator grows them with **fractional-strided (transposed) convolutions**, so that each
#    network learns its own down- and up-sampling;
# 2. **batch normalisation** in both networks, except at $G$'s output and $D$'s input;
# 3. **no fully connected hidden layers**: convolutions from end to end;
# 4. **ReLU** in $G$, except a **Tanh** at its output (images in $[-1, 1]$);
# 5. **LeakyReLU** (slope 0.2) in $D$;
#
# plus the training recipe we have used since lesson 5: weights drawn from
# $\mathcal N(0, 0.02)$, Adam with lr $2 \cdot 10^{-4}$ and $\beta_1 = 0.5$.
#
# This lesson goes from the guidelines to minigen's `DCGAN` for $28 \times 28$ images,
# layer by layer, and trains it. It uses the shipped MNIST sample, or Fashion-MNIST when
# `MINIGEN_DATA_DIR` points at a folder holding it. The layers themselves were opened in
# lesson 3. Figures go to `$MINIGEN_FIGURES` (default `walkthroughs/figures/`).

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
import time

import numpy as np

import minigen as mg
import minigen.nn.functional as F
from minigen import nn
from minigen.data import DataLoader, DatasetNotFoundError, FashionMNIST, MNISTSample
from minigen.models import DCGAN
from minigen.train import GANStep
from minigen.viz.lesson import figure_saver, figures_folder, new_figure, show_images

FAST = os.environ.get("MINIGEN_FAST") == "1"  # a few dozen iterations: see the end
BATCH = 32 if FAST else 64
LOG_EVERY = 10 if FAST else 60  # iterations between progress lines
ITERATIONS = 60 if FAST else 600
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here
save = figure_saver(FIGURES)



# %% [markdown]
# ## The data
#
# With `MINIGEN_DATA_DIR` set to a folder that holds the Fashion-MNIST files (directly, or
# in a `fashion-mnist/` subfolder), we train on its 60,000 clothing images; otherwise on the
# 8,334 training digits that ship with minigen. Either way $28 \times 28$ grey images, scaled
# to $[-1, 1]$ for $G$'s Tanh.

# %%
train_set = None
if os.environ.get("MINIGEN_DATA_DIR"):
    try:
        train_set = FashionMNIST(train=True, download=False)
    except DatasetNotFoundError as error:
        print(f"no Fashion-MNIST under MINIGEN_DATA_DIR ({type(error).__name__}); using the "
              "MNIST sample")
if train_set is None:
    train_set = MNISTSample(train=True)
print(train_set)
loader = DataLoader(train_set, BATCH, shuffle=True, seed=0, scale="symmetric", drop_last=True)

# %% [markdown]
# ## From the guidelines to the architecture
#
# `DCGAN()` ([dcgan.py](../minigen/models/dcgan.py)) for 1-channel $28 \times 28$ images:
#
# | | layer | output | guidelines |
# |---|---|---|---|
# | $G$ | $z$, read as an image | 100 x 1 x 1 | 3 (no `Linear` for $z$) |
# | | `ConvTranspose2d(100, 256, 7, 1, 0)`, BN, ReLU | 256 x 7 x 7 | 1, 2, 4 |
# | | `ConvTranspose2d(256, 128, 4, 2, 1)`, BN, ReLU | 128 x 14 x 14 | 1 (stride 1/2), 2, 4 |
# | | `ConvTranspose2d(128, 1, 4, 2, 1)`, Tanh | 1 x 28 x 28 | 1, 2 (no BN), 4 |
# | $D$ | `Conv2d(1, 64, 4, 2, 1)`, LeakyReLU(0.2) | 64 x 14 x 14 | 1 (stride 2), 2 (no BN), 5 |
# | | `Conv2d(64, 128, 4, 2, 1)`, BN, LeakyReLU(0.2) | 128 x 7 x 7 | 1, 2, 5 |
# | | `Conv2d(128, 1, 7, 1, 0)` | 1 x 1 x 1: the logit | 3 (a convolution) |
#
# The sizes follow from lesson 3's formulas. A transposed convolution maps $H$ to
# $(H - 1)s - 2p + k$: $(1 - 1) \cdot 1 - 0 + 7 = 7$, then $(7 - 1) \cdot 2 - 2 + 4 = 14$ and
# $(14 - 1) \cdot 2 - 2 + 4 = 28$. A convolution maps $H$ to
# $\lfloor (H + 2p - k)/s \rfloor + 1$: $28 \to 14 \to 7$, and the last $7 \times 7$ kernel
# with no padding covers the whole $7 \times 7$ map at once,
# $\lfloor (7 - 7)/1 \rfloor + 1 = 1$. That last convolution is exactly a fully connected
# layer over $128 \cdot 7 \cdot 7$ features, written as a convolution: the guideline is about
# hidden layers, and about letting every layer keep the image's spatial layout.

# %%
mg.manual_seed(0)
dcgan = DCGAN(latent_dim=100)
print(dcgan)
for name, net in [("G", dcgan.generator), ("D", dcgan.discriminator)]:
    print(f"{name}: {sum(p.numel() for p in net.parameters()):,} parameters")

# %% [markdown]
# Now the shapes, layer by layer: a batch of 4 noise vectors through $G$, and $G$'s
# images through $D$. `Sequential` is a list of layers, so we can call them one at a time.

# %%
def short(layer):
    """A layer's name with its main arguments, PyTorch's positional order."""
    name = type(layer).__name__
    if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
        return (f"{name}({layer.in_channels}, {layer.out_channels}, {layer.kernel_size[0]}, "
                f"{layer.stride[0]}, {layer.padding[0]})")
    if isinstance(layer, nn.BatchNorm2d):
        return f"{name}({layer.num_features})"
    if isinstance(layer, nn.LeakyReLU):
        return f"{name}({layer.negative_slope})"
    return f"{name}()"


def trace(net, x, label):
    print(f"{label:34s} {tuple(x.shape)}")
    for layer in net:
        x = layer(x)
        params = sum(p.numel() for p in layer.parameters())
        print(f"  {short(layer):32s} {str(tuple(x.shape)):18s} {params:>9,} parameters")
    return x


with mg.no_grad():
    images = trace(dcgan.generator, dcgan.noise(4).reshape(4, 100, 1, 1), "G: z as (B, 100, 1, 1)")
    logits = trace(dcgan.discriminator, images, "D: G(z)")
print("D's output reshaped to one logit per image:", logits.reshape(-1).shape)

# %% [markdown]
# The guidelines, checked on the model itself rather than read off the table:

# %%
def kinds(net):
    return [type(layer).__name__ for layer in net]


g_kinds, d_kinds = kinds(dcgan.generator), kinds(dcgan.discriminator)
every = list(dcgan.modules())
print("no pooling, no Linear anywhere:   ", not any(isinstance(m, nn.Linear) for m in every))
print("G: activations                    ", [k for k in g_kinds if k in ("ReLU", "Tanh")])
print("D: activations                    ",
      [f"{k}({m.negative_slope})" for k, m in zip(d_kinds, dcgan.discriminator, strict=True)
       if k == "LeakyReLU"])
print("G: batchnorm after layers         ",
      [i - 1 for i, k in enumerate(g_kinds) if k == "BatchNorm2d"], "(not after the last, 6)")
print("D: batchnorm after layers         ",
      [i - 1 for i, k in enumerate(d_kinds) if k == "BatchNorm2d"], "(not after the first, 0)")
convs = [m for m in every if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
norms = [m for m in every if isinstance(m, nn.BatchNorm2d)]
print(f"conv weights: std {np.concatenate([c.weight.numpy().ravel() for c in convs]).std():.4f}"
      f" (N(0, 0.02)); batchnorm weights: mean "
      f"{np.concatenate([b.weight.numpy() for b in norms]).mean():.4f} (N(1, 0.02))")

# %% [markdown]
# ### "Fractional-strided": why a transposed convolution is a convolution with stride 1/2
#
# Lesson 3 showed that a transposed convolution is the adjoint of a convolution. There is a
# second way to see it, which gives the DCGAN paper its name for it: spread the input pixels
# apart by inserting $s - 1$ zeros between neighbours (so that the kernel moves by $1/s$ of
# an input pixel per output pixel), pad by $k - 1 - p$, and run an ordinary stride-1
# convolution with the kernel flipped in both directions (and its in/out channels swapped).
# We check it on $G$'s second layer, with the weights it was initialised with.

# %%
layer = dcgan.generator[3]  # ConvTranspose2d(256, 128, 4, stride=2, padding=1)
k, s, p = 4, 2, 1
mg.manual_seed(1)
x = mg.randn(2, 256, 7, 7)
with mg.no_grad():
    direct = layer(x).numpy()
spread = np.zeros((2, 256, (7 - 1) * s + 1, (7 - 1) * s + 1), dtype=np.float32)
spread[:, :, ::s, ::s] = x.numpy()  # 7 x 7 pixels, s - 1 = 1 zero between neighbours: 13 x 13
flipped = layer.weight.numpy()[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (out, in, k, k)
with mg.no_grad():
    as_conv = F.conv2d(mg.tensor(spread), mg.tensor(flipped.copy()), layer.bias,
                       stride=1, padding=k - 1 - p).numpy()
print("spread input", spread.shape, "-> stride-1 conv ->", as_conv.shape)
print("largest |ConvTranspose2d - conv2d of the spread input| =",
      f"{np.abs(direct - as_conv).max():.1e}")

# %% [markdown]
# The same numbers, up to float32 rounding. The zero-insertion view is the clearest picture
# of what the layer does, but a wasteful way to compute it (three quarters of the spread
# input are zeros): minigen computes the adjoint directly, as lesson 3 showed.
#
# ## Training
#
# One call of `GANStep` per batch, as in lesson 5: the same recipe and the same code, only
# the two networks differ. Real and fake images go through $D$ in **separate** batches:
# $D$'s batchnorm then normalises real images with real-image statistics and fakes with
# fake-image statistics, and cannot tell them apart by a shared batch mean. Every so often we
# draw the same fixed noise through $G$ in evaluation mode (batchnorm using its running
# statistics, as lesson 3 explained) and switch back to training mode.

# %%
mg.manual_seed(0)
dcgan = DCGAN(latent_dim=100)
step = GANStep(dcgan, lr=2e-4, betas=(0.5, 0.999))
fixed_z = dcgan.noise(64)
shown = sorted({1, ITERATIONS // 8, ITERATIONS // 4, ITERATIONS // 2, ITERATIONS})
snapshots, history = {}, {key: [] for key in ("loss_d", "loss_g", "d_real", "d_fake")}
start = time.perf_counter()
while len(history["loss_d"]) < ITERATIONS:
    for real, _ in loader:
        metrics = step(real)
        for key in history:
            history[key].append(metrics[key].item())
        done = len(history["loss_d"])
        if done in shown:
            dcgan.eval()
            with mg.no_grad():
                snapshots[done] = dcgan.generate(fixed_z).numpy()
            dcgan.train()
        if done % LOG_EVERY == 0:
            recent = slice(-LOG_EVERY, None)
            print(f"iteration {done:4d}: loss_D {np.mean(history['loss_d'][recent]):.3f}  "
                  f"loss_G {np.mean(history['loss_g'][recent]):.3f}  "
                  f"D(x) {np.mean(history['d_real'][recent]):.3f}  "
                  f"D(G(z)) {np.mean(history['d_fake'][recent]):.3f}")
        if done == ITERATIONS:
            break
seconds = time.perf_counter() - start
print(f"{ITERATIONS} iterations of batch {BATCH} ({ITERATIONS * BATCH / len(train_set):.2f} "
      f"epochs) in {seconds:.0f} s, {seconds / ITERATIONS:.2f} s per iteration")
if FAST:
    print("fast mode: 60 iterations take G from flat grey to grey noise with a darker middle; "
          "they cannot show strokes or digits. Run without MINIGEN_FAST (a few minutes) to see "
          "the stages described at the end.")

# %%
fig = new_figure(3.1 * len(shown), 3.4)
for ax, moment in zip(fig.subplots(1, len(shown)), shown, strict=True):
    show_images(ax, snapshots[moment][:36], 6, f"iteration {moment}", value_range=(-1, 1))
save(fig, "07_fixed_noise_over_training.png")

fig = new_figure(6.5, 6.8)
show_images(fig.add_subplot(), snapshots[ITERATIONS], 8,
            f"DCGAN: G(fixed z) after {ITERATIONS} iterations", value_range=(-1, 1))
save(fig, "07_samples_final.png")


# %%
def smooth(values, window=20):
    values = np.asarray(values)
    window = min(window, len(values))
    return np.convolve(values, np.ones(window) / window, mode="valid")


fig = new_figure(11, 3.4)
ax_loss, ax_p = fig.subplots(1, 2)
ax_loss.plot(smooth(history["loss_d"]), label="D's loss")
ax_loss.plot(smooth(history["loss_g"]), label="G's loss")
ax_loss.set_title("losses", fontsize=10)
ax_p.plot(smooth(history["d_real"]), label="D(x), real images")
ax_p.plot(smooth(history["d_fake"]), label="D(G(z)), fakes")
ax_p.set_ylim(0, 1)
ax_p.set_title("D's mean probability of 'real'", fontsize=10)
for ax in (ax_loss, ax_p):
    ax.set_xlabel("iteration (moving average of 20)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
save(fig, "07_curves.png")

# %% [markdown]
# **What the run shows.** The full run (600 iterations of 64 images, 4.6 epochs of the MNIST
# sample, about two and a half minutes of CPU time) goes from flat grey (iteration 1) through
# dark, blurry blobs (75) to strokes on a clean white background (150), and by 300 to 600
# iterations to solid pen strokes shaped like digits: some clearly recognisable (sevens,
# nines, threes, zeros), many still malformed. $D$ stays ahead all along, with $D(x)$ near
# 0.7 to 0.8 and $D(G(z))$ near 0.2 to 0.3. Compare lesson 5's MLP GAN, whose digits were
# still speckled after 3,900 iterations: convolutions build in what images are like (nearby
# pixels belong together, the same stroke can appear anywhere), which the MLP had to learn
# pixel by pixel. More training sharpens the digits further; `minigen train dcgan` runs 5
# epochs of the full datasets (4,685 iterations on Fashion-MNIST).
#
# In fast mode (`MINIGEN_FAST=1`: 60 iterations of 32 images) $G$ has not got past grey
# noise with a faint regular texture, darker in the middle where digits put their ink; 60
# iterations buy no more, and the output says so. Run the lesson without `MINIGEN_FAST` to see the
# stages above.
#
# ## Exercises
#
# 1. Why does $D$'s first layer have no batchnorm, and $G$'s last layer none either?
# 2. Replace $G$'s first layer `ConvTranspose2d(100, 256, 7, 1, 0)` by a `Linear(100,
#    256 * 7 * 7)` followed by `Unflatten(1, (256, 7, 7))`. Is that a different function
#    class? How many parameters does each have?
# 3. A `ConvTranspose2d(128, 1, 4, 2, 1)` with stride 2 and kernel 4: how many kernel taps
#    contribute to each output pixel? (Look at the spread input: which taps land on zeros?)
# 4. Our $D$ ends in a $7 \times 7$ convolution with no padding. What happens to $D$'s
#    output shape if you feed it $32 \times 32$ images, and what would you change?
# 5. Put `dcgan.train()` where the snapshots call `dcgan.eval()`, and sample 64 images: how
#    do they depend on each other? Try sampling 2 images and 64 images from the same first
#    two noise vectors.
# 6. Train with `betas=(0.9, 0.999)` (Adam's default) instead of $\beta_1 = 0.5$. What do you
#    expect, and why did the DCGAN authors lower $\beta_1$?

# %% [markdown]
# ## Answers
#
# 1. $D$'s input layer sees real and fake batches separately; batchnorm there would
#    normalise away exactly the first-order statistics (mean brightness, contrast) that
#    tell a batch of fakes from a batch of reals, and the paper found it made training
#    unstable. $G$'s output layer must be free to produce the data's own statistics (a mostly
#    black background, $-1$), which a batchnorm would reset to mean 0 and variance 1 per
#    batch before the Tanh.
# 2. `Linear` + `Unflatten` is the larger class; it contains the transposed convolution. On a
#    $1 \times 1$ input, a transposed convolution with a $7 \times 7$ kernel multiplies every
#    input number by a $7 \times 7$ kernel per output channel: a linear map from 100 numbers
#    to $256 \cdot 7 \cdot 7 = 12{,}544$, with $100 \cdot 256 \cdot 49 = 1{,}254{,}400$
#    weights, any of which the `Linear` can have too. The biases differ: the convolution has
#    one per channel (256), shared by the 49 positions; the `Linear` has one per output number
#    (12,544). So every such `ConvTranspose2d` is a `Linear` + `Unflatten` whose bias is
#    constant over each channel's positions, but a `Linear` whose bias varies within a
#    channel is no `ConvTranspose2d`: the two classes are not the same. Parameters:
#    $1{,}254{,}656$ against $1{,}266{,}944$. (In the DCGAN the next layer is `BatchNorm2d`,
#    which subtracts each channel's mean: it cancels the convolution's bias entirely, and
#    leaves of the `Linear`'s bias a $7 \times 7$ pattern per channel.)
# 3. Four (2 × 2) of the 16: with the zeros inserted at stride 2, a $4 \times 4$ window covers
#    2 × 2 real input pixels, wherever it is; the other 12 taps multiply zeros. Which four
#    depends on the output pixel's parity (row and column even or odd): four interleaved
#    $2 \times 2$ sub-kernels.
# 4. $32 \to 16 \to 8$, and the $7 \times 7$ convolution gives a $2 \times 2$ map of logits
#    per image instead of one; `reshape(-1)` would then mix 4 logits per image into the batch
#    dimension. Use a kernel of 8 (or average the map).
# 5. In training mode $G$'s batchnorm uses the batch's own mean and variance, so each image
#    depends on the others in its batch: the first two images differ when drawn in a batch of
#    2 or of 64. In evaluation mode they are identical.
# 6. Adam with $\beta_1 = 0.9$ averages the gradient over about 10 steps. In a two-player game
#    the best direction for each player changes as the other moves; momentum over many past
#    steps keeps pushing along stale directions, and the players orbit or overshoot each
#    other. $\beta_1 = 0.5$ (averaging over about 2 steps) reacts faster; the paper reports
#    that 0.9 made training oscillate and unstable.
