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
# # 8. Conditional GAN: generating a chosen class
#
# The GANs of lessons 5 to 7 draw from $P(x)$: a digit, but not one we can choose. A
# **conditional GAN** (Mirza and Osindero, 2014) draws from $P(x \mid y)$: we give it a class
# $y$, and it draws an image of that class. The change is small: both networks are told the
# label.
#
# - $G(z, y)$: noise **and** label in, an image out;
# - $D(x, y)$: image **and** label in, the probability that $x$ is a real image *of class
#   $y$*.
#
# $D$ now sees pairs. A real pair is a training image with its own label; a fake pair is
# $G(z, y)$ with the $y$ that $G$ was asked for. A perfect seven offered as a "3" is an easy
# fake for $D$ to spot, so $G$ can only win by drawing what it is asked for.
#
# minigen's `ConditionalGAN` ([cgan.py](../minigen/models/cgan.py)) is lesson 7's DCGAN with
# the label joined to both inputs: a `GAN` given `num_classes`, which joins them in
# `generator_input` and `discriminate` ([gan.py](../minigen/models/gan.py)). This lesson opens
# that mechanism, trains the model, and draws a grid with one row per class. Figures go to
# `$MINIGEN_FIGURES` (default `walkthroughs/figures/`).

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
from minigen.data import DataLoader, MNISTSample
from minigen.metrics.batches import unit_images
from minigen.models import DCGAN, ConditionalGAN, one_hot
from minigen.train import GANStep
from minigen.viz.lesson import figure_saver, figures_folder, new_figure, show_images

FAST = os.environ.get("MINIGEN_FAST") == "1"  # a few dozen iterations: see the end
BATCH = 32 if FAST else 64
LOG_EVERY = 10 if FAST else 100  # iterations between progress lines
ITERATIONS = 60 if FAST else 600
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here
save = figure_saver(FIGURES)



# %% [markdown]
# ## The label as a one-hot vector
#
# A class $y \in \{0, \dots, 9\}$ enters the networks as a **one-hot** vector: ten numbers,
# all 0 except a 1 at position $y$. (A learned embedding, `nn.Embedding`, is the other common
# choice; one-hot is the simplest, and as we will see it amounts to an embedding anyway.)

# %%
labels = mg.tensor([3, 0, 7])
print(one_hot(labels, 10))

# %% [markdown]
# ## How $G$ reads the label
#
# The DCGAN's $G$ reads $z$ as a $100 \times 1 \times 1$ image. The conditional $G$ reads
# $(z, \text{one\_hot}(y))$ joined, 110 channels of a $1 \times 1$ image, so only its first
# layer changes: `ConvTranspose2d(110, 256, 7, 1, 0)` instead of `(100, 256, ...)`.
#
# What does the first layer do with the 10 extra channels? Its output is a sum over input
# channels $c$ of (input $c$) $\times$ (weight slice $W[c]$, a $256 \times 7 \times 7$ block).
# The one-hot part contributes exactly one slice, $W[100 + y]$, times 1. So **the label adds
# a learned $256 \times 7 \times 7$ pattern, one per class, to the first feature map**: a
# per-class bias, the same thing an embedding table would give. Let us check it on the
# untrained model.

# %%
mg.manual_seed(0)
cgan = ConditionalGAN(latent_dim=100, num_classes=10)
first = cgan.generator[0]  # ConvTranspose2d(110, 256, 7, 1, 0)
print("G's first layer:", first, "| weight", first.weight.shape)

z = cgan.noise(1)
with mg.no_grad():
    y3 = mg.cat([z, one_hot(mg.tensor([3]), 10)], dim=1).reshape(1, 110, 1, 1)
    no_label = mg.cat([z, mg.zeros(1, 10)], dim=1).reshape(1, 110, 1, 1)
    difference = (first(y3) - first(no_label)).numpy()[0]  # (256, 7, 7)
print("first layer (z, y=3) minus (z, no label) equals W[103]:",
      np.allclose(difference, first.weight.numpy()[103], atol=1e-6))

# %% [markdown]
# ## How $D$ reads the label
#
# $D$ needs the label *at every pixel*, so that its first convolution can relate what it
# sees to what the image is supposed to be. The one-hot vector becomes 10 constant planes of
# $28 \times 28$, stacked on the image: an input of $1 + 10 = 11$ channels, where the plane
# of class $y$ is all ones and the other nine all zeros. $D$'s first layer becomes
# `Conv2d(11, 64, 4, 2, 1)`. The picture shows $D$'s input for a real 3.

# %%
train_set = MNISTSample(train=True)
loader = DataLoader(train_set, BATCH, shuffle=True, seed=0, scale="symmetric", drop_last=True)
real, real_labels = next(iter(loader))
image, label = real[:1], real_labels[:1]
b, _, h, w = image.shape
planes = one_hot(label, 10).reshape(b, 10, 1, 1).expand(b, 10, h, w)  # as in discriminate()
d_input = mg.cat([image, planes], dim=1)
print("image", image.shape, "+ label planes", planes.shape, "->", d_input.shape,
      "| label", label.item())

fig = new_figure(12, 1.8)
axes = fig.subplots(1, 11)
for c, ax in enumerate(axes):
    ax.imshow(d_input.numpy()[0, c], cmap="gray_r", vmin=-1 if c == 0 else 0, vmax=1)
    ax.set_title("image" if c == 0 else f"plane {c - 1}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("tab:red" if c == label.item() + 1 else "black")
        spine.set_linewidth(2.5 if c == label.item() + 1 else 0.5)
save(fig, "08_discriminator_input.png")

# %% [markdown]
# (Plane 3, framed in red, is all ink: ones. The image is drawn from $-1$, white, to $+1$,
# black.) The whole difference from the DCGAN is in those two first layers:

# %%
dcgan = DCGAN()
for name, net_c, net_u in [("G", cgan.generator, dcgan.generator),
                           ("D", cgan.discriminator, dcgan.discriminator)]:
    nc = sum(p.numel() for p in net_c.parameters())
    nu = sum(p.numel() for p in net_u.parameters())
    print(f"{name}: conditional {nc:,} parameters, DCGAN {nu:,}, difference {nc - nu:,} "
          f"(first layer: {net_c[0]})")

# %% [markdown]
# $10 \cdot 256 \cdot 7 \cdot 7 = 125{,}440$ extra weights in $G$ (one pattern per class) and
# $10 \cdot 64 \cdot 4 \cdot 4 = 10{,}240$ in $D$.
#
# ## Training
#
# The same `GANStep` as lessons 5 to 7, now called with the batch's labels:
# `step(real, labels)`. It draws the fakes **for the same labels** as the real batch,
# `fake = model.generate(z, labels)`, and gives $D$ the labels with both batches, so real
# and fake pairs have the same class mix.

# %%
mg.manual_seed(0)
cgan = ConditionalGAN(latent_dim=100)
step = GANStep(cgan, lr=2e-4, betas=(0.5, 0.999))
history = {key: [] for key in ("loss_d", "loss_g", "d_real", "d_fake")}
start = time.perf_counter()
while len(history["loss_d"]) < ITERATIONS:
    for real, real_labels in loader:
        metrics = step(real, real_labels)
        for key in history:
            history[key].append(metrics[key].item())
        done = len(history["loss_d"])
        if done % LOG_EVERY == 0:
            recent = slice(-LOG_EVERY, None)
            print(f"iteration {done:4d}: loss_D {np.mean(history['loss_d'][recent]):.3f}  "
                  f"loss_G {np.mean(history['loss_g'][recent]):.3f}  "
                  f"D(x, y) {np.mean(history['d_real'][recent]):.3f}  "
                  f"D(G(z, y), y) {np.mean(history['d_fake'][recent]):.3f}")
        if done == ITERATIONS:
            break
seconds = time.perf_counter() - start
print(f"{ITERATIONS} iterations of batch {BATCH} ({ITERATIONS * BATCH / len(train_set):.1f} "
      f"epochs) in {seconds:.0f} s")

# %% [markdown]
# ## One row per class
#
# Row $k$ asks for class $k$. Each **column** uses one noise vector $z$ for all ten rows, so
# along a column only the label changes. $G$ is in evaluation mode (batchnorm with running
# statistics, lesson 3).

# %%
cgan.eval()
mg.manual_seed(1)
z = cgan.noise(10).numpy()
z_grid = mg.tensor(np.tile(z, (10, 1)))  # row k: the same 10 noise vectors
y_grid = mg.tensor(np.repeat(np.arange(10), 10))  # row k: label k
with mg.no_grad():
    grid = cgan.to_unit(cgan.generate(z_grid, y_grid)).numpy()  # [-1, 1] -> [0, 1]
fig = new_figure(6.5, 6.9)
ax = fig.add_subplot()
show_images(ax, grid, 10, f"G(z, y) after {ITERATIONS} iterations: row = y, column = z")
ax.set_yticks(np.arange(10) * 30 + 16, [str(k) for k in range(10)])
ax.set_ylabel("label y")
save(fig, "08_one_row_per_class.png")

# %% [markdown]
# ## Did it draw what it was asked for?
#
# We need a judge that knows digits. The simplest one needs no training: the **nearest
# neighbour** in pixel space. Each image gets the label of the training image closest to it
# (Euclidean distance over the 784 pixels). On real test digits this judge is right about
# 95% of the time, which we measure first; then we ask `cgan.sample(n, label=k)` for 50 images of
# each class and count how often the judge agrees with $k$.

# %%
train_flat = unit_images(train_set).reshape(len(train_set), -1)
train_sq = (train_flat**2).sum(axis=1)


def nearest_label(images):
    """The label of the nearest training image, for each of ``images`` (N, 1, 28, 28)."""
    flat = np.asarray(images, dtype=np.float32).reshape(len(images), -1)
    distances = train_sq[None, :] - 2 * flat @ train_flat.T  # + |x|^2, the same for every row
    return train_set.labels[distances.argmin(axis=1)]


test_set = MNISTSample(train=False)
test_pick = np.arange(0, len(test_set), 3)  # every third test digit: 556 of them
judge_accuracy = (nearest_label(unit_images(test_set)[test_pick])
                  == test_set.labels[test_pick]).mean()
print(f"the judge on {len(test_pick)} real test digits: {judge_accuracy:.1%} correct")

mg.manual_seed(2)
agree = []
for k in range(10):
    samples = cgan.sample(50, label=k).numpy()  # images in [0, 1]
    agree.append((nearest_label(samples) == k).mean())
print("class asked for:    ", "  ".join(f"{k:4d}" for k in range(10)))
print("judged that class:  ", "  ".join(f"{a:4.0%}" for a in agree))
print(f"overall: {np.mean(agree):.1%} of 500 samples judged the class asked for "
      "(10% would be chance)")
if FAST:
    print("fast mode: 60 iterations are too few for G to use the label, so the agreement is "
          "about chance. Run without MINIGEN_FAST (a few minutes) to see the classes appear.")

# %% [markdown]
# **What the run shows.** After the full run (600 iterations of 64 images, 4.6 epochs of the
# MNIST sample, about three minutes of CPU time) each row of the grid is its class: zeros,
# ones and sevens come out clean, threes and nines mostly right, twos, fives and eights are
# the shakiest. Along a column the style roughly stays, a thick blotchy stroke in one column,
# a thin slanted one in another: $z$ carries the style and $y$ the class. The judge agrees
# with the asked class for about 80% of the samples, against 10% by chance, best for 0, 1
# and 7 and worst for 8 and 5; its own 95% on real digits bounds what it can confirm.
#
# In fast mode (`MINIGEN_FAST=1`: 60 iterations of 32 images) $G$ has not yet learned to use
# the label: each column is one dark blob repeated in all ten rows, and the judge's agreement
# is at chance, about 10%. Run the lesson without `MINIGEN_FAST` to see the classes appear.
#
# ## Exercises
#
# 1. Replace the one-hot input of $G$ by `nn.Embedding(10, 10)` (a learned vector per class)
#    joined to $z$. Using the argument of the first-layer check above, show that this gives
#    $G$ no new power. When does an embedding help?
# 2. Why must $D$ see the label? Describe what $G$ could get away with if only $G$ were told
#    $y$.
# 3. `GANStep` draws the fakes with the real batch's labels. What would change if it drew
#    uniformly random labels instead? Think of a dataset whose classes are unbalanced.
# 4. Take one column of the grid (one $z$, ten labels). What does $z$ control in a
#    well-trained conditional GAN, now that $y$ controls the class?
# 5. The nearest-neighbour judge measures agreement with the asked class. Name a generator
#    that would score 100% and still be useless. What does the judge not measure?
# 6. How would you condition on something continuous, such as the stroke thickness, instead
#    of a class?

# %% [markdown]
# ## Answers
#
# 1. The embedding's output $E[y]$ enters the first layer linearly, so that layer adds
#    $W_E E[y]$: a per-class pattern again, which the one-hot model already learns directly as
#    $W[100 + y]$. An embedding pays off with many classes (a one-hot vector of 10,000 is
#    wasteful), or when classes should share structure through a small embedding space.
# 2. If $D$ judged images alone, any realistic image would satisfy it: $G$ could ignore $y$
#    and draw whatever digit is easiest, and nothing in the loss would punish it.
# 3. Then the labels themselves would be evidence: a rare class's label would come more often
#    with fakes than with real images, so $D$ would learn to distrust that label whatever the
#    image shows, and its verdicts on those classes would say less about the image, which is
#    the only thing $G$ can change. With the real batch's labels, labels are distributed
#    alike in real and fake pairs, and only the images can tell the pairs apart.
# 4. Everything that is not the class: style, such as slant, stroke thickness, width, size.
#    Along a column of a well-trained model those stay similar while the digit changes.
# 5. A generator that returns a copy of one training image of class $k$ for every request
#    scores 100%: the judge checks the class, not the diversity or the novelty of the
#    samples. Coverage within a class and distances to the training set (memorisation) need
#    their own measures.
# 6. Feed the value itself (normalised) to $G$ as an extra input channel next to $z$, and
#    to $D$ as an extra constant plane, exactly as the one-hot planes: any label that can be
#    written as numbers can be joined to both inputs.
