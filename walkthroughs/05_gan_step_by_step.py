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
# # 5. The GAN, step by step
#
# A generative adversarial network (Goodfellow et al., 2014) is two networks and a game.
# The **generator** $G$ turns random noise $z$ into an image. The **discriminator** $D$
# looks at an image and gives one number, a logit $D(x)$: $\sigma(D(x))$ is its probability
# that $x$ is a real image rather than one of $G$'s fakes. $D$ learns to tell real from fake;
# $G$ learns to make $D$ say "real". Neither ever sees a formula for what a digit is: $G$
# learns it only through $D$'s gradients.
#
# The game, written as one objective, is
#
# $$\min_G \max_D \; \mathbb E_{x \sim \text{data}}\big[\log \sigma(D(x))\big]
#   + \mathbb E_{z \sim \mathcal N(0, I)}\big[\log\big(1 - \sigma(D(G(z)))\big)\big].$$
#
# In practice both players minimise a binary cross-entropy (BCE) on $D$'s logits:
#
# - $D$: $\;\text{BCE}(D(x), 1) + \text{BCE}(D(G(z)), 0)$: call real images real and fakes
#   fake;
# - $G$: $\;\text{BCE}(D(G(z)), 1) = -\log \sigma(D(G(z)))$: be called real. (This is the
#   *non-saturating* form; lesson 6 shows why it beats minimising $\log(1 - \sigma(D(G(z))))$.)
#
# **Where the idea came from.** GANs appeared in 2014, months after the same circle of
# researchers had found **adversarial examples** (Szegedy, Zaremba, Sutskever, Bruna, Erhan,
# Goodfellow and Fergus, 2013): an image classifier that is right about a photo can be made
# confidently wrong by changing every pixel by an amount too small to see, in the direction
# of the gradient of the classifier's output **with respect to its input**. Goodfellow,
# Shlens and Szegedy (2014) made that one line, the *fast gradient sign method*
# $x' = x + \epsilon \operatorname{sign}(\nabla_x \ell)$. A GAN's generator learns from that
# same gradient, the derivative of a classifier's verdict with respect to the image, but uses
# it the other way round: not to fool a fixed classifier once, but as its training signal,
# against a classifier that keeps learning from every fake it is shown. (The "adversarial" in
# the name is that two-player game, not the attack; the two ideas share a mechanism and a
# history.) The last section of this lesson makes an adversarial example for our own $D$.
#
# This lesson runs **one training iteration** with each textbook step in its own cell, and
# watches each step do what it says. Then it trains the MLP GAN of `minigen.models.GAN` on the
# shipped MNIST sample with `minigen.train.GANStep`, which performs the same steps, and looks
# at the images that the same fixed noise gives after each epoch. Figures go to
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
import minigen.nn.functional as F
from minigen.data import ArrayDataset, DataLoader, MNISTSample
from minigen.models import GAN
from minigen.optim import Adam
from minigen.train import GANStep, grad_norm, set_requires_grad
from minigen.viz.lesson import check_exercise, figure_saver, figures_folder, new_figure, show_images

FAST = os.environ.get("MINIGEN_FAST") == "1"  # a short run on a subset: see the end
BATCH = 64
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here
save = figure_saver(FIGURES)



def mean_probability(logits):
    """The mean of sigmoid(logits): D's average probability that its inputs are real."""
    return mg.sigmoid(logits).mean().item()


# %% [markdown]
# ## Step 1: initialise G and D
#
# `GAN()` holds both networks as plain `Sequential`s: $G$ maps 100 numbers to $28 \times 28$
# through 256, 512 and 1024 units with LeakyReLU(0.2), and ends in a $\tanh$, so its pixels
# lie in $[-1, 1]$; $D$ maps 784 pixels through 512 and 256 units to one logit. Each network
# has **its own optimizer**: a step of one must not move the other. Adam with lr
# $2 \cdot 10^{-4}$ and $\beta_1 = 0.5$ (instead of 0.9) is the DCGAN paper's recipe: less
# momentum keeps the two players from overshooting each other.

# %%
mg.manual_seed(0)
gan = GAN(latent_dim=100)
G, D = gan.generator, gan.discriminator
opt_g = Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
print("G =", G)
print("D =", D)
print(f"G: {sum(p.numel() for p in G.parameters()):,} parameters, "
      f"D: {sum(p.numel() for p in D.parameters()):,} parameters")

# %% [markdown]
# The real images must live where $G$'s images live: the loader's `scale="symmetric"` maps
# pixels to $[-1, 1]$ (0 is mid-grey, $-1$ background, $+1$ ink).

# %%
train_set = MNISTSample(train=True)
loader = DataLoader(train_set, BATCH, shuffle=True, seed=0, scale="symmetric", drop_last=True)
real, _ = next(iter(loader))
print("a real batch:", real.shape, f"pixels in [{real.numpy().min()}, {real.numpy().max()}]")

# %% [markdown]
# ## Step 2: draw noise and generate
#
# $z \sim \mathcal N(0, I)$, 100 numbers per image, and $G(z)$: a batch of fakes. The
# untrained $G$ draws grey noise: its weights are random, so its outputs hover near 0
# (mid-grey) with small random variations.

# %%
z = gan.noise(BATCH)  # (64, 100)
fake = gan.generate(z)  # G(z): (64, 1, 28, 28) in [-1, 1]
print("z", z.shape, "-> G(z)", fake.shape,
      f"pixels in [{fake.numpy().min():.3f}, {fake.numpy().max():.3f}]")
print("G(z) carries the graph back to G's weights:", fake.grad_fn)

fig = new_figure(9, 2.6)
ax_real, ax_fake = fig.subplots(1, 2)
show_images(ax_real, real.numpy()[:16], 8, "real digits, scaled to [-1, 1]", value_range=(-1, 1))
show_images(ax_fake, fake.numpy()[:16], 8, "G(z) before training", value_range=(-1, 1))
save(fig, "05_real_and_untrained_fakes.png")

# %% [markdown]
# ## Step 3: D's probability that the fake is real
#
# $D$ gives a logit per image, $\sigma$ turns it into a probability. The untrained $D$ knows
# nothing: its probabilities sit near $0.5$.

# %%
logits_fake = gan.discriminate(fake)  # (64,) logits
p_fake = mg.sigmoid(logits_fake)
print(f"D(G(z)) = sigmoid(logit): mean {p_fake.mean().item():.4f}, "
      f"range [{p_fake.numpy().min():.4f}, {p_fake.numpy().max():.4f}]")

# %% [markdown]
# ## Step 4: the losses as if fake and as if real
#
# The same probabilities $p = \sigma(D(G(z)))$ can be scored against two labels:
#
# - as if **fake** (label 0): $\text{BCE}(p, 0) = -\log(1 - p)$, small when $D$ says "fake".
#   This is what $D$ minimises on fakes.
# - as if **real** (label 1): $\text{BCE}(p, 1) = -\log p$, small when $D$ says "real".
#   This is what $G$ minimises.
#
# With $p \approx 0.5$ both are about $\ln 2 = 0.693$. `F.binary_cross_entropy_with_logits`
# takes the logits and computes the same numbers without ever forming $\log 0$.

# %%
zeros, ones = mg.zeros(BATCH), mg.ones(BATCH)
loss_as_fake = F.binary_cross_entropy_with_logits(logits_fake, zeros)
loss_as_real = F.binary_cross_entropy_with_logits(logits_fake, ones)
pn = p_fake.numpy()
print(f"as if fake: {loss_as_fake.item():.4f}   by hand -mean log(1 - p) = "
      f"{-np.log(1 - pn).mean():.4f}")
print(f"as if real: {loss_as_real.item():.4f}   by hand -mean log p     = "
      f"{-np.log(pn).mean():.4f}")

# %% [markdown]
# ## Step 5: train D to call fakes fake
#
# $D$'s loss on the fakes is the "as if fake" loss. Its gradient must change $D$ only. We
# pass `fake.detach()`: the same numbers, cut from the graph that leads back to $G$, so
# `backward()` stops at $D$ and $G$'s weights get no gradient. Then one Adam step of $D$,
# and we ask $D$ again about **the same fakes**.

# %%
opt_d.zero_grad()
loss_d_fake = F.binary_cross_entropy_with_logits(gan.discriminate(fake.detach()), zeros)
loss_d_fake.backward()
print("G's weights got a gradient:", any(p.grad is not None for p in G.parameters()))
print(f"D's gradient norm: {grad_norm(D.parameters()).item():.4f}")
opt_d.step()
with mg.no_grad():
    after_d_fake = mean_probability(gan.discriminate(fake))
print(f"D(G(z)) on the same fakes: {p_fake.mean().item():.4f} before, {after_d_fake:.4f} after")

# %% [markdown]
# ## Step 6: G's loss through D, without training D
#
# $G$ wants $D$ to say "real": its loss is the "as if real" loss of its fakes. This time the
# gradient must flow **through** $D$ (how else would $G$ know what to change?) but must not
# change $D$. `set_requires_grad(D, False)` freezes $D$'s weights: $D$ still passes
# gradients back to its input, the fakes, and from there into $G$, but computes none for its
# own weights.
#
# *When* is the flag read? When each operation runs, as in PyTorch: the forward through a
# frozen $D$ records a graph with no edges to $D$'s weights. So we may unfreeze $D$ right after
# the forward, before `backward()`, and $D$ still gets nothing: the graph already decided.
# (`minigen.train.GANStep` does exactly this.) The opposite holds too: a weight frozen *after*
# the forward but before `backward()` gets no gradient either; backward skips leaves that no
# longer require grad.

# %%
p_fake_before_g = mean_probability(gan.discriminate(fake.detach()))
opt_d.zero_grad()  # clear D's gradients from step 5, to see that step 6 adds none
opt_g.zero_grad()
set_requires_grad(D, False)
loss_g = F.binary_cross_entropy_with_logits(gan.discriminate(fake), ones)
set_requires_grad(D, True)  # unfrozen before backward: too late to matter for this graph
loss_g.backward()
print(f"G's loss (as if real): {loss_g.item():.4f}")
print("D's weights got a gradient:", any(p.grad is not None for p in D.parameters()))
print(f"G's gradient norm: {grad_norm(G.parameters()).item():.4f}")

# %% [markdown]
# ## Step 7: train G to be called real
#
# One Adam step of $G$. Then we draw the images again **from the same noise** $z$ and ask the
# (unchanged) $D$.

# %%
opt_g.step()
with mg.no_grad():
    p_fake_after_g = mean_probability(gan.discriminate(gan.generate(z)))
print(f"D(G(z)), same z, same D: {p_fake_before_g:.4f} before G's step, "
      f"{p_fake_after_g:.4f} after")

# %% [markdown]
# ## Step 8: D on real images
#
# Now the real batch. $D$ has not seen a real image yet: its verdict on them is as
# uninformed as its verdict on the fakes was, near one half.

# %%
logits_real = gan.discriminate(real)
print(f"D(x) on real digits: mean {mean_probability(logits_real):.4f}; "
      f"loss as if real {F.binary_cross_entropy_with_logits(logits_real, ones).item():.4f}")

# %% [markdown]
# ## Step 9: train D to call real images real
#
# The "as if real" loss on real images, one Adam step of $D$, and ask again.

# %%
p_real_before = mean_probability(logits_real.detach())
opt_d.zero_grad()
loss_d_real = F.binary_cross_entropy_with_logits(gan.discriminate(real), ones)
loss_d_real.backward()
opt_d.step()
with mg.no_grad():
    p_real_after = mean_probability(gan.discriminate(real))
print(f"D(x) on the same real digits: {p_real_before:.4f} before, {p_real_after:.4f} after")

# %% [markdown]
# Each step moved its probability the way its loss asked. The two steps on fakes moved it
# by a few thousandths, the step on real images by almost a tenth. Adam's first step moves
# every weight by about the learning rate, $2 \cdot 10^{-4}$, whatever its gradient (lesson
# 1), and how far that moves $D$'s logit depends on the input: the real images' pixels are
# all $\pm 1$, the untrained fakes' within $\pm 0.2$.
#
# ## The same iteration in `GANStep`
#
# `minigen.train.GANStep` ([gan_step.py](../minigen/train/gan_step.py)) performs these steps
# in the usual order of the DCGAN recipe, one call per real batch:
#
# | `GANStep` | the cells above |
# |---|---|
# | 1. `z = model.noise(...)`, 2. `fake = model.generate(z)` | step 2 |
# | 3. `d_real = D(real)`, `d_fake = D(fake.detach())` | steps 3 and 8 |
# | 4. `loss_d = BCE(d_real, 1) + BCE(d_fake, 0)` | steps 4, 5 and 9 |
# | 5. `opt_d.step()` | one step on both terms at once, where we took two |
# | 6. D frozen, `BCE(D(fake), 1)` | step 6 |
# | 7. `opt_g.step()` | step 7 |
#
# So $D$ takes one step on the sum of its two losses (its gradient is the sum of the
# gradients of our steps 5 and 9), before $G$'s step; real and fake images go through $D$ in
# separate batches, so that a batchnorm layer in $D$ (the DCGAN has some) never mixes them.
# It returns the losses, $D$'s mean verdicts $D(x)$ and $D(G(z))$, and both gradient norms.
#
# ### Implement it: one training iteration
#
# Write the iteration yourself, from the recipe's list, for any `GAN` (its `noise`,
# `generate` and `discriminate`) and the two optimizers. Draw the noise first, with
# `gan.noise(len(real))`, so that the check can replay the same draw; then follow the table
# above: the fakes, $D$'s loss on the real batch (label 1) and on the detached fakes
# (label 0), one step of $D$; then the same fakes scored by the updated $D$, frozen with
# `set_requires_grad`, $G$'s non-saturating loss and one step of $G$. Clear each optimizer's
# gradients before its backward.

# %% tags=["exercise"]
def gan_training_step(gan, opt_d, opt_g, real):
    """One iteration of the GAN recipe on the batch ``real``; returns (loss_d, loss_g) as floats."""
    # YOUR CODE HERE: steps 1 to 7 of the table above.
    raise NotImplementedError


# %% [markdown]
# The check builds the same `GAN` twice from the same seed, runs one call of `GANStep` on
# one copy and your function on the other, from the same random state and on the same batch
# (random pixels in $[-1, 1]$: any batch will do to compare the arithmetic), and compares the
# two losses, $G$'s gradient and both networks' weights after the step. Done in the same
# order, the float32 arithmetic is the same: expect 0, and at most $10^{-6}$.

# %% tags=["check"]
def compare_gan_step():
    real = mg.tensor(np.random.default_rng(6).uniform(-1, 1, (16, 1, 28, 28)).astype(np.float32))
    runs = []
    for yours in (False, True):
        mg.manual_seed(7)
        model = GAN()
        mg.manual_seed(8)  # the noise of the step
        if yours:
            opt_d = Adam(model.discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
            opt_g = Adam(model.generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
            losses = gan_training_step(model, opt_d, opt_g, real)
        else:
            metrics = GANStep(model, lr=2e-4, betas=(0.5, 0.999))(real)
            losses = (metrics["loss_d"].item(), metrics["loss_g"].item())
        flat = [np.concatenate([p.numpy().ravel() for p in net.parameters()])
                for net in (model.discriminator, model.generator)]
        g_grad = np.concatenate([p.grad.numpy().ravel() for p in model.generator.parameters()])
        runs.append((*losses, *flat, g_grad))
    labels = ("loss_d", "loss_g", "D's weights after the step", "G's weights after the step",
              "G's gradient")
    return {label: (mine, reference) for label, reference, mine in zip(labels, *runs, strict=True)}


check_exercise("GAN training iteration", compare_gan_step, expected=1e-6)

# %% [markdown]
# ## Training
#
# Now many iterations. Every epoch we draw 64 images from the **same fixed noise**, so that
# the pictures show $G$ changing, not the noise.

# %%
if FAST:
    # A short run on a subset: 2,048 images (32 batches), 8 epochs, 256 iterations.
    EPOCHS, SUBSET = 8, 2048
else:
    EPOCHS, SUBSET = 30, len(train_set)  # 130 batches per epoch, 3,900 iterations
train_part = ArrayDataset(train_set.images[:SUBSET], train_set.labels[:SUBSET], train_set.classes)
loader = DataLoader(train_part, BATCH, shuffle=True, seed=1, scale="symmetric", drop_last=True)

mg.manual_seed(0)
gan = GAN(latent_dim=100)
step = GANStep(gan, lr=2e-4, betas=(0.5, 0.999))
fixed_z = gan.noise(64)
snapshots = {}  # epoch -> images from fixed_z
history = {key: [] for key in ("loss_d", "loss_g", "d_real", "d_fake")}
start = time.perf_counter()
for epoch in range(1, EPOCHS + 1):
    for real, _ in loader:
        metrics = step(real)
        for key in history:
            history[key].append(metrics[key].item())
    with mg.no_grad():
        snapshots[epoch] = gan.generate(fixed_z).numpy()
    n = len(loader)
    print(f"epoch {epoch:2d}: loss_D {np.mean(history['loss_d'][-n:]):.3f}  "
          f"loss_G {np.mean(history['loss_g'][-n:]):.3f}  "
          f"D(x) {np.mean(history['d_real'][-n:]):.3f}  "
          f"D(G(z)) {np.mean(history['d_fake'][-n:]):.3f}")
print(f"{len(history['loss_d'])} iterations in {time.perf_counter() - start:.0f} s")
# How different are the fakes of different z? The pixel-wise spread over the 64 fixed-noise
# fakes, against the spread over 64 real digits: near 0 means one image for every z.
spread_fake = float(snapshots[EPOCHS].std(axis=0).mean())
spread_real = float(real.numpy().std(axis=0).mean())
print(f"spread over z of the last fakes: {spread_fake:.3f} (real digits: {spread_real:.3f})")
if FAST:
    print("fast mode: 256 iterations only take G from grey noise to one smudge for every z; "
          "they cannot show digits or fakes that differ between z. Run without MINIGEN_FAST "
          "(about a minute and a half) to see the stages described below.")

# %% [markdown]
# ### The fixed-noise grid over epochs

# %%
shown = sorted({1, 2, EPOCHS // 4, EPOCHS // 2, 3 * EPOCHS // 4, EPOCHS} - {0})
fig = new_figure(3.1 * len(shown), 3.4)
for ax, epoch in zip(fig.subplots(1, len(shown)), shown, strict=True):
    show_images(ax, snapshots[epoch][:36], 6, f"epoch {epoch}", value_range=(-1, 1))
save(fig, "05_fixed_noise_over_epochs.png")

fig = new_figure(6.5, 6.8)
show_images(fig.add_subplot(), snapshots[EPOCHS], 8, f"G(fixed z) after {EPOCHS} epochs", value_range=(-1, 1))
save(fig, "05_samples_final.png")

# %% [markdown]
# ### The curves

# %%
def smooth(values):
    values = np.asarray(values)
    window = min(max(25, len(values) // 80), len(values))
    return np.convolve(values, np.ones(window) / window, mode="valid")


fig = new_figure(11, 3.4)
ax_loss, ax_p = fig.subplots(1, 2)
for key, label in [("loss_d", "D's loss (real + fake)"), ("loss_g", "G's loss")]:
    ax_loss.plot(smooth(history[key]), label=label)
ax_loss.axhline(2 * np.log(2), color="grey", ls=":", lw=1)
ax_loss.axhline(np.log(2), color="grey", ls=":", lw=1)
ax_loss.set_title("losses (dotted: 2 ln 2 and ln 2, the values at D = 1/2)", fontsize=9)
for key, label in [("d_real", "D(x), real images"), ("d_fake", "D(G(z)), fakes")]:
    ax_p.plot(smooth(history[key]), label=label)
ax_p.axhline(0.5, color="grey", ls=":", lw=1)
ax_p.set_ylim(0, 1)
ax_p.set_title("D's mean probability of 'real'", fontsize=9)
for ax in (ax_loss, ax_p):
    ax.set_xlabel("iteration (moving average)")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
save(fig, "05_curves.png")

# %% [markdown]
# The curves are not a loss going down, as for a classifier or a VAE: the two losses pull
# against each other, and neither can be minimised alone.
#
# **The Nash equilibrium.** What the game aims for has a name from game theory: a **Nash
# equilibrium**, a pair of strategies in which neither player can lower its own loss by
# changing its own strategy while the other keeps its. Goodfellow et al. (2014) found it for
# the GAN game. For a fixed $G$ whose images have density $p_g$, the best $D$ is
#
# $$\sigma(D^*(x)) = \frac{p_{\text{data}}(x)}{p_{\text{data}}(x) + p_g(x)},$$
#
# and with that $D$ the minimax objective becomes
# $-\log 4 + 2\,\mathrm{JSD}(p_{\text{data}} \,\|\, p_g)$ (the Jensen-Shannon divergence),
# smallest exactly when $p_g = p_{\text{data}}$.
# There $\sigma(D^*) = \tfrac12$ everywhere: $D$ cannot do better than a coin toss, and $G$
# cannot do better than the data itself. Neither player gains by moving alone: that pair is
# the equilibrium. $D$'s loss is then $2 \ln 2 = 1.386$ and $G$'s $\ln 2 = 0.693$ (the dotted
# lines). The theorem is about the ideal game, where $D$ and $G$ can be any functions and $D$
# is trained to its optimum before each move of $G$. Alternating gradient steps on two small
# networks need not reach that point, and can circle around it or run away from it; lesson 6
# shows some of the ways. In practice $D$
# stays ahead: in the full run, $D(x)$ settles near 0.7 and $D(G(z))$ near 0.3, and the
# losses wander around $D$'s 0.8-0.9 and $G$'s 2. A GAN's loss says little about how good
# its images are; look at the images (or measure them: `minigen eval`).
#
# **What the run shows.** In fast mode (8 epochs over 2,048 images, 256 iterations) both
# of $D$'s verdicts still hover above one half, and $G$ has gone from grey noise to the same
# noisy dark smudge in the middle of every image: it has learned roughly where digits put
# their ink, not their shapes, and it ignores $z$ (every fake looks alike: the printed
# spread over $z$ is a fraction of the real digits'). That is as far as 256 iterations go,
# and the output says so. The full run (30 epochs over the 8,334 images, 3,900 iterations,
# about a minute and a half on a CPU) shows the stages a GAN goes through: one smudge for
# every $z$ (epochs 1 and 2); fakes that differ between $z$, some still with the wrong
# background; strokes; and by the last epochs, speckled digits, many of them recognisable
# (twos, threes, sevens, nines, ones), others still smudges. An MLP sees pixels, not
# shapes; lesson 7's convolutional DCGAN does much better in far fewer iterations.

# %% [markdown]
# ## An adversarial example for our $D$
#
# Back to where GANs came from. $D$ is an image classifier (real or fake), so it has
# adversarial examples too. Take 16 real digits and move every pixel in the direction that
# makes $D$ call them fake: the sign of the gradient of the "as if real" BCE with respect to
# the pixels (the fast gradient sign method), in 5 steps of $\epsilon/5$ (the iterative form
# of Kurakin et al., 2016), so that no pixel moves by more than $\epsilon$. For comparison,
# the same digits moved by $\pm\epsilon$ in random directions.

# %%
def d_gradient(images, label):
    """The gradient of BCE(D(images), label) with respect to the pixels."""
    x = images.detach().requires_grad_()
    target = mg.full((x.shape[0],), label, device=x.device)
    F.binary_cross_entropy_with_logits(gan.discriminate(x), target).backward()
    return x.grad


def direction(gradient):
    """sign(gradient), as -1 or +1 per pixel."""
    return (gradient > 0).float() * 2 - 1


def toward(images, label, step, steps):
    """``steps`` signed-gradient steps that bring D's verdict on ``images`` closer to ``label``."""
    for _ in range(steps):
        images = (images - step * direction(d_gradient(images, label))).clamp(-1, 1)
    return images


digits = real[:16].detach()
with mg.no_grad():
    before = mean_probability(gan.discriminate(digits))
print(f"D's probability of 'real' on 16 real digits: {before:.3f}")
print("largest change per pixel   along D's gradient   in random directions")
for eps in (0.05, 0.1, 0.2):
    moved = toward(digits, 0.0, eps / 5, 5)  # towards the label "fake"
    noisy = (digits + eps * direction(mg.randn(*digits.shape))).clamp(-1, 1)
    with mg.no_grad():
        print(f"{eps:24.2f}   {mean_probability(gan.discriminate(moved)):18.3f}   "
              f"{mean_probability(gan.discriminate(noisy)):20.3f}")
        if eps == 0.1:
            adversarial, after = moved, mean_probability(gan.discriminate(moved))

# %% [markdown]
# Moved along $D$'s gradient, the digits lose much more of $D$'s belief than when moved as
# far in random directions, and the more so as $\epsilon$ grows; the pictures below show that
# the change is faint noise, not a different digit. After the full run, moving no pixel by
# more than 0.1 takes $D$'s belief in real digits from about 0.6 to about 0.2, while random
# moves of the same size leave it near 0.55. (After fast mode's 256 iterations $D$ is barely
# trained, its verdicts near one half, and they move less.) Now the generator's view: start
# from a blank grey image and take FGSM steps that make $D$ say "real" (the gradient of the
# "as if real" BCE, descended). This is the gradient $G$ follows, applied to the pixels
# directly.

# %%
blank = mg.zeros(16, 1, 28, 28)
climbed = toward(blank, 1.0, 0.05, 10)
with mg.no_grad():
    blank_p, climbed_p = (mean_probability(gan.discriminate(x)) for x in (blank, climbed))
print(f"D's probability of 'real' on a blank image: {blank_p:.3f}; after 10 steps of 0.05: "
      f"{climbed_p:.3f}")

fig = new_figure(12, 2.4)
axes = fig.subplots(1, 3)
show_images(axes[0], np.concatenate([digits.numpy()[:8], adversarial.numpy()[:8]]), 8,
            f"real / moved by <= 0.1: D(x) {before:.2f} -> {after:.2f}", value_range=(-1, 1))
show_images(axes[1], 0.5 * (adversarial - digits).numpy()[:8] / 0.1, 8,
            "the change, scaled up", value_range=(-1, 1))
show_images(axes[2], climbed.numpy()[:8], 8,
            f"blank, climbed: D(x) {blank_p:.2f} -> {climbed_p:.2f}", value_range=(-1, 1))
save(fig, "05_adversarial_examples.png")

# %% [markdown]
# Both moves change $D$'s verdict a lot with changes that look like noise (after the full
# run, 10 steps take a blank image from "fake" at 0.000 to "real" at 0.997, and only a
# faint trace of a stroke shows): $D$'s gradient says what this $D$ reacts to, not what a
# digit is. That is why the generator cannot simply
# follow it to a digit. Two things keep a GAN honest: $G$ must produce all its images through
# one smooth network from random $z$, so it cannot tune each image's pixels separately; and
# $D$ keeps training on $G$'s latest fakes, so a trick that fools this $D$ stops working at
# the next step. The same effect hurts when the game is out of balance: a $G$ much faster
# than its $D$ finds whatever fools the current $D$ and piles all its samples there
# (mode collapse, lesson 6).
#
# ## What GANs are used for
#
# The MLP GAN here draws rough digits, but the same game, with better networks and losses,
# made GANs the leading way to synthesise images from 2014 until diffusion models
# (around 2021):
#
# - **image synthesis**: faces, rooms and objects at high resolution (progressive GANs,
#   StyleGAN by Karras et al., 2018-2019), with a latent space that can be edited (age, pose,
#   lighting);
# - **image-to-image translation**: pix2pix (Isola et al., 2017) learns a mapping from
#   paired examples (sketches to photos, maps to aerial images, day to night), CycleGAN
#   (Zhu et al., 2017) from unpaired collections (horses to zebras, photos to paintings);
# - **super-resolution and inpainting**: SRGAN (Ledig et al., 2017) adds plausible detail to
#   a low-resolution image; adversarial losses fill in missing regions;
# - **data augmentation**, for example synthetic medical images where real ones are scarce,
#   and **conditional generation** of a chosen class (lesson 8);
# - **an adversarial loss inside other models**: a discriminator as a learned measure of
#   realism, used by speech vocoders (HiFi-GAN, 2020) and by the image autoencoders in front
#   of many diffusion models (VQGAN, 2021).
#
# The same power makes convincing fakes ("deepfakes") easy to make, which is why detecting
# generated images is a research field of its own.
#
# ## Exercises
#
# 1. In step 5 we passed `fake.detach()`. What would go wrong if we passed `fake` instead?
#    (Two things: one in step 5, one in step 6.)
# 2. In step 6, what would happen if we forgot `set_requires_grad(D, False)` but still only
#    called `opt_g.step()`? Is the result wrong, or only wasteful? And what if the next line
#    were `opt_d.step()` without `opt_d.zero_grad()`?
# 3. At the equilibrium, $\sigma(D(x)) = \tfrac12$ for every image. Show that $D$'s loss is
#    then $2 \ln 2$ and $G$'s $\ln 2$, the dotted lines.
# 4. Why do $G$ and $D$ need separate optimizers, when one optimizer over all parameters
#    would be shorter?
# 5. The real images are scaled to $[-1, 1]$. What would $D$ learn in the first few steps if
#    they were left in $[0, 1]$ while $G$ ends in $\tanh$?
# 6. Change `GANStep(gan, ...)` to `GANStep(gan, d_steps=3)`: what changes in each call, and
#    how do you expect $D(G(z))$ to move?

# %% [markdown]
# ## Answers
#
# 1. In step 5, `backward()` would run on through $G$ and fill $G$'s gradients with the
#    gradient of **D's** loss ("make the fakes look fake"); they would add up with $G$'s own
#    gradient unless cleared. And step 6's `backward()` would fail: the first backward freed
#    the saved values of $G$'s part of the graph, so minigen raises `GradError: trying to
#    backward through the graph a second time`. (`GANStep` detaches for both reasons.)
# 2. Only wasteful: $D$'s weights would get gradients too, but `opt_g.step()` updates only
#    $G$'s. But those gradients say "make the fakes look real", the opposite of $D$'s goal: an
#    `opt_d.step()` without clearing them first would train $D$ to be fooled.
# 3. $\text{BCE}(\tfrac12, 1) = -\ln \tfrac12 = \ln 2$ and
#    $\text{BCE}(\tfrac12, 0) = -\ln(1 - \tfrac12) = \ln 2$; $D$'s loss has one of each,
#    $2 \ln 2 = 1.386$; $G$'s is one term, $\ln 2 = 0.693$.
# 4. Each player's loss must move only its own weights. One optimizer stepping on the sum of
#    the two losses would move $D$ by $G$'s gradient too (the gradient of "be fooled"). Two
#    optimizers also keep separate Adam statistics, and allow different learning rates.
# 5. To tell real from fake by the range alone: a fake has pixels below 0, a real image never
#    does. $D$ wins at once without looking at shapes, and $G$'s gradient only says "move your
#    pixels into $[0, 1]$".
# 6. $D$ still steps on every call, but $G$ steps only on every third call, so $D$ makes three
#    steps per $G$ step. $D$ gets ahead: $D(G(z))$ falls. Lesson 6 shows where that leads.
