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
# # 6. When GANs fail
#
# Lesson 5 trained a GAN that worked, and named what the game aims for: a Nash equilibrium,
# where $G$ draws the data's distribution and $D$ can only say one half. Alternating gradient
# steps on two networks are not guaranteed to get there. This lesson breaks GANs on purpose,
# four classic ways, measures each failure with a number, and applies the standard fixes:
#
# 1. **the saturating loss**: the original minimax loss for $G$ gives $G$ almost no gradient
#    exactly when $G$ is losing. We compute both losses' gradients with minigen's autograd.
# 2. **a discriminator that overpowers the generator**: with more and faster $D$ steps,
#    $D(G(z)) \to 0$, and with the saturating loss $G$'s gradient norm collapses.
# 3. **mode collapse**: on a ring of 8 Gaussians, a generator that learns much faster than
#    its discriminator puts all its samples in one place; `mode_coverage` counts the modes.
# 4. **mode collapse on images**: with a discriminator too small for the job, a digit
#    generator draws the same image for every $z$; the same fixed-$z$ grid over training and
#    the number of digit classes it covers show it, next to a healthy run.
#
# The fixes are the options of `minigen.train.GANStep` (the non-saturating loss, its default;
# one-sided label smoothing; balanced steps and learning rates) and, for the last one, a
# discriminator with more capacity. Figures go to `$MINIGEN_FIGURES` (default
# `walkthroughs/figures/`).

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
from minigen.data import DataLoader, MNISTSample, mode_coverage, ring_centers, ring_of_gaussians
from minigen.metrics import class_coverage
from minigen.metrics.batches import unit_images
from minigen.models import GAN, ToyGAN
from minigen.train import GANStep, TeachingWarnings
from minigen.viz.lesson import figure_saver, figures_folder, new_figure, show_images

FAST = os.environ.get("MINIGEN_FAST") == "1"  # shorter runs: see the end
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here
save = figure_saver(FIGURES)

# %% [markdown]
# ## 1. The saturating loss's vanishing gradient
#
# Let $\ell$ be $D$'s logit for a fake, so $D(G(z)) = \sigma(\ell)$. Goodfellow et al.'s
# minimax game has $G$ **minimise** $\log(1 - \sigma(\ell))$, the same term $D$ maximises:
# the *saturating* loss. Its derivative with respect to the logit is
#
# $$\frac{\partial}{\partial \ell} \log\big(1 - \sigma(\ell)\big) = -\sigma(\ell) = -D(G(z)).$$
#
# The *non-saturating* loss has $G$ minimise $-\log \sigma(\ell)$ instead (maximise $D$'s
# belief that the fake is real), with
#
# $$\frac{\partial}{\partial \ell} \big(-\log \sigma(\ell)\big) = -\big(1 - \sigma(\ell)\big)
# = -\big(1 - D(G(z))\big).$$
#
# Both push $\ell$ up (towards "real"). But early in training, and whenever $D$ wins, $D$
# rejects the fakes: $D(G(z)) \approx 0$. There the saturating gradient is about $-D(G(z))$,
# close to 0, while the non-saturating one is about $-1$. Every gradient that reaches $G$'s
# weights is this number times $\partial \ell / \partial \theta_G$ (the chain rule through
# $D$ and $G$), so the saturating loss scales $G$'s whole gradient down by $D(G(z))$.
#
# We let minigen's autograd compute both derivatives, over logits from $-9$ to $9$. In
# minigen (as in `GANStep`) the two losses are written with BCE on logits:
# $\log(1 - \sigma(\ell)) = -\text{BCE}(\ell, 0)$ and $-\log\sigma(\ell) = \text{BCE}(\ell, 1)$.

# %%
logit = mg.tensor(np.linspace(-9.0, 9.0, 361), requires_grad=True)  # float64
n = logit.shape[0]
saturating = -F.binary_cross_entropy_with_logits(logit, mg.zeros(n, dtype=mg.float64),
                                                 reduction="sum")
saturating.backward()
grad_saturating = logit.grad.numpy().copy()

logit.grad = None
non_saturating = F.binary_cross_entropy_with_logits(logit, mg.ones(n, dtype=mg.float64),
                                                    reduction="sum")
non_saturating.backward()
grad_non_saturating = logit.grad.numpy().copy()

d = 1 / (1 + np.exp(-logit.numpy()))  # D(G(z)) = sigmoid(logit)
print("largest |autograd - formula|:",
      f"saturating {np.abs(grad_saturating - (-d)).max():.1e},",
      f"non-saturating {np.abs(grad_non_saturating - (-(1 - d))).max():.1e}")
print("  D(G(z))   dL/dlogit saturating   non-saturating")
for target in (1e-3, 1e-2, 0.1, 0.5, 0.9):
    i = int(np.argmin(np.abs(d - target)))
    print(f"  {d[i]:7.4f}   {grad_saturating[i]:20.4f}   {grad_non_saturating[i]:14.4f}")

# %%
with mg.no_grad():
    loss_sat = -F.binary_cross_entropy_with_logits(logit, mg.zeros(n, dtype=mg.float64),
                                                   reduction="none").numpy()
    loss_ns = F.binary_cross_entropy_with_logits(logit, mg.ones(n, dtype=mg.float64),
                                                 reduction="none").numpy()
fig = new_figure(11, 3.8)
ax_loss, ax_grad = fig.subplots(1, 2)
ax_loss.plot(d, loss_sat, label="saturating: log(1 - D(G(z)))")
ax_loss.plot(d, loss_ns, label="non-saturating: -log D(G(z))")
ax_loss.set_title("G's loss (G minimises it)", fontsize=10)
ax_loss.set_ylabel("loss")
ax_grad.plot(d, np.abs(grad_saturating), label="saturating: |dL/dlogit| = D(G(z))")
ax_grad.plot(d, np.abs(grad_non_saturating), label="non-saturating: 1 - D(G(z))")
ax_grad.set_yscale("log")
ax_grad.set_title("size of the gradient G receives, per fake (minigen autograd)", fontsize=10)
ax_grad.set_ylabel("|dL / d logit|")
for ax in (ax_loss, ax_grad):
    ax.set_xscale("log")
    ax.set_xlabel("D(G(z)): D's probability that the fake is real")
    ax.axvspan(d.min(), 0.05, color="tab:red", alpha=0.08)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
ax_grad.text(2e-4, 0.3, "D wins:\nfakes rejected", color="tab:red", fontsize=9)
save(fig, "06_saturating_gradient.png")

# %% [markdown]
# On the left, both losses fall as $D(G(z))$ rises, but the saturating one is flat where
# $D(G(z))$ is small: at $D(G(z)) = 0.001$ its slope is a thousandth of the other's. On the
# right (log scales) the two gradients cross at $\tfrac12$: the saturating loss gives $G$ a
# strong gradient only once $G$ is already fooling $D$, and a vanishing one when $G$ most
# needs to learn. That is why the original GAN paper already recommended the non-saturating
# loss in practice, and why `GANStep` uses it unless told `saturating=True`.
#
# ## 2. A discriminator that overpowers the generator
#
# Now with real training, the MLP GAN of lesson 5 on the MNIST sample. We make $D$ too
# strong: **5 $D$ steps per $G$ step** (`d_steps=5`) and $D$'s learning rate 5 times $G$'s
# ($10^{-3}$ against $2 \cdot 10^{-4}$). Telling digits from early fakes is easy, so $D$ wins
# within a few dozen iterations. Four runs of `GANStep` (each call one $D$ step; with
# `d_steps=5`, one $G$ step every fifth call), from the same initial weights and the same
# batches:
#
# | run | $G$'s loss | $D$ steps per $G$ step | $D$'s lr | real label |
# |---|---|---|---|---|
# | strong D, saturating | saturating | 5 | $10^{-3}$ | 1 |
# | strong D, non-saturating | non-saturating | 5 | $10^{-3}$ | 1 |
# | strong D, non-saturating, smoothing | non-saturating | 5 | $10^{-3}$ | 0.9 |
# | balanced (the default recipe) | non-saturating | 1 | $2 \cdot 10^{-4}$ | 1 |
#
# One-sided **label smoothing** trains $D$ towards 0.9 instead of 1 on real images: $D$ is
# never rewarded for becoming certain, which keeps its logits, and its gradients, moderate.
# Each run makes 300 calls (130 in fast mode: enough for the part that matters, calls 50 to
# 125, which both modes share).

# %%
CALLS = 130 if FAST else 300
train_set = MNISTSample(train=True)
RUNS = {
    "strong D, saturating": dict(saturating=True, d_steps=5, lr_d=1e-3),
    "strong D, non-saturating": dict(d_steps=5, lr_d=1e-3),
    "strong D, non-saturating, smoothing": dict(d_steps=5, lr_d=1e-3, label_smoothing=0.1),
    "balanced (the default recipe)": dict(),
}


def run_mnist(saturating=False, d_steps=1, lr_d=2e-4, label_smoothing=0.0):
    """CALLS calls of GANStep; the metrics of every call as arrays."""
    mg.manual_seed(0)
    model = GAN()
    step = GANStep(model, lr=2e-4, saturating=saturating, d_steps=d_steps,
                   label_smoothing=label_smoothing)
    step.opt_d.param_groups[0]["lr"] = lr_d  # D's own learning rate
    loader = DataLoader(train_set, 64, shuffle=True, seed=0, scale="symmetric", drop_last=True)
    rows = []
    while len(rows) < CALLS:  # 130 batches per epoch: a second epoch starts at call 131
        for real, _ in loader:
            metrics = step(real)
            rows.append({k: metrics[k].item() for k in ("d_real", "d_fake", "grad_norm_g")})
            if len(rows) == CALLS:
                break
    return {key: np.array([r[key] for r in rows]) for key in rows[0]}


start = time.perf_counter()
mnist_runs = {name: run_mnist(**options) for name, options in RUNS.items()}
print(f"{len(RUNS)} runs of {CALLS} calls in {time.perf_counter() - start:.0f} s")
print("medians over calls 50-125, once the strong D has won:")
print(f"{'':37s} {'D(x)':>6s} {'D(G(z))':>8s}  {'G grad norm':>11s}   (largest in the run)")
for name, r in mnist_runs.items():
    w = slice(50, 125)
    print(f"{name:37s} {np.median(r['d_real'][w]):6.3f} {np.median(r['d_fake'][w]):8.4f}"
          f"  {np.median(r['grad_norm_g'][w]):11.3f}   ({r['grad_norm_g'].max():.3g})")

# %%
fig = new_figure(11, 3.8)
ax_p, ax_norm = fig.subplots(1, 2)
for name, r in mnist_runs.items():
    ax_p.plot(r["d_fake"], label=name, lw=1)
    ax_norm.plot(r["grad_norm_g"], label=name, lw=1)
ax_p.set_yscale("log")
ax_p.set_ylim(1e-4, 1.5)
ax_p.axvspan(50, 125, color="grey", alpha=0.1)
ax_norm.axvspan(50, 125, color="grey", alpha=0.1)
ax_p.set_title("D(G(z)): D's mean probability that the fakes are real", fontsize=10)
ax_norm.set_yscale("log")
ax_norm.set_title("G's gradient norm (at its last step)", fontsize=10)
for ax in (ax_p, ax_norm):
    ax.set_xlabel("call of GANStep (one D step each)")
    ax.grid(True, alpha=0.3)
ax_norm.legend(fontsize=8)
save(fig, "06_d_overpowers_g.png")

# %% [markdown]
# Read the table and the two panels together (the grey band is calls 50 to 125).
#
# - **Strong D, saturating**: within about 50 calls $D(G(z))$ falls to about 0.01 and
#   below, and $G$'s gradient norm falls with it, to around 0.1 and less: more than ten times
#   below its peak. That is the failure of part 1, in a real network.
# - **Strong D, non-saturating**: $D$ rejects the fakes just as hard, but $G$'s gradient norm
#   stays above 10: at about the same $D(G(z))$, a hundred times the saturating loss's.
#   $G$ keeps learning, and $D(G(z))$ climbs back up.
# - **Label smoothing** on top holds $D(x)$ near 0.9 instead of 1; $G$ still gets a strong
#   gradient. (It does not stop $D$ from rejecting the fakes: it is a brake on $D$'s
#   confidence, not on its accuracy.)
# - **Balanced**: one $D$ step per $G$ step at equal learning rates. Nobody wins early:
#   $D(G(z))$ stays near one half and $G$'s gradient norm near 1.
#
# The saturating $G$ is not frozen, though. Adam divides each gradient by a running estimate
# of its own size, so even a tiny gradient makes steps of about the learning rate; they just
# follow a weak signal. In the full run (300 calls) you can watch it stumble out of the trap
# after about 145 calls, after which $D(G(z))$ swings between 0.01 and 1: the game has
# become unstable rather than healthy. With plain SGD, the step itself would be a hundred
# times smaller.
#
# minigen's training loop watches for this failure: `TeachingWarnings` (used by `minigen
# train`) checks each logged block of steps for $D(G(z)) < 0.05$ together with $G$'s
# gradient norm below a tenth of its largest block mean. Here it is, fed blocks of 10 calls of
# each run:

# %%
for name, r in mnist_runs.items():
    watcher = TeachingWarnings()
    messages = []
    for start_call in range(0, CALLS, 10):
        rows = [{"step": i + 1, "d_fake": r["d_fake"][i], "grad_norm_g": r["grad_norm_g"][i]}
                for i in range(start_call, start_call + 10)]
        messages += watcher.check_block(rows)
    print(f"{name}: {messages[0] if messages else 'no warning'}")

# %% [markdown]
# ## 3. Mode collapse on the ring of Gaussians
#
# The data: 8 Gaussians on a circle of radius 2, each with standard deviation 0.02
# (`ring_of_gaussians`). A generator that has learned the data puts its samples on all 8.
# One that has **collapsed** puts them on one or two, and each of its samples can still look
# perfectly real: a discriminator looking at one sample at a time cannot object to any single
# one. So mode collapse is measured on many samples at once. `mode_coverage(points)` calls a
# sample *high-quality* when it lies within 3 standard deviations (0.06) of a mode's centre,
# and a mode *covered* when at least one high-quality sample is nearest to it; it reports the
# number of modes covered and the fraction of high-quality samples.
#
# `ToyGAN` is a small MLP GAN for 2-D points (latent size 8, two hidden layers of 128).
# Collapse is what happens when $G$ learns faster than $D$: $G$ moves all its samples to
# wherever the current $D$ is most convinced, $D$ learns that this spot is fake, $G$ moves
# them all to the next spot, and so on. We give $G$ a learning rate 5 times $D$'s, and
# compare the fixes:
#
# | run | $G$'s lr | $D$'s lr | $D$ steps per $G$ step | real label |
# |---|---|---|---|---|
# | fast G (collapses) | $10^{-3}$ | $2 \cdot 10^{-4}$ | 1 | 1 |
# | fast G + 5 D steps | $10^{-3}$ | $2 \cdot 10^{-4}$ | 5 | 1 |
# | balanced learning rates | $10^{-3}$ | $10^{-3}$ | 1 | 1 |
#
# All three use the non-saturating loss, batches of 256 fresh points per step, and the same
# initial weights. (Label smoothing, the fix of part 2, is exercise 7.)

# %%
STEPS = 400 if FAST else 3000
EVERY = 50 if FAST else 100  # measure the coverage every EVERY steps, on 2,000 samples
centers = ring_centers()
ring_runs_options = {
    "fast G (collapses)": dict(),
    "fast G + 5 D steps": dict(d_steps=5),
    "balanced learning rates": dict(lr_d=1e-3),
}


def run_ring(lr_d=2e-4, lr_g=1e-3, d_steps=1, label_smoothing=0.0, seed=0):
    """Train a ToyGAN on the ring; its coverage every EVERY steps and its final samples."""
    mg.manual_seed(seed)
    model = ToyGAN()
    step = GANStep(model, d_steps=d_steps, label_smoothing=label_smoothing)
    step.opt_d.param_groups[0]["lr"] = lr_d
    step.opt_g.param_groups[0]["lr"] = lr_g
    data, _ = ring_of_gaussians(3000 * 256, seed=seed)  # fast mode uses the first part
    history = []  # (step, modes covered, high-quality fraction, most populated mode, its share)
    snapshots = {}
    for i in range(STEPS):
        step(mg.tensor(data[i * 256:(i + 1) * 256]))
        if (i + 1) % EVERY == 0:
            samples = model.sample(2000).numpy()
            cover = mode_coverage(samples)
            nearest = np.linalg.norm(samples[:, None] - centers[None], axis=2).argmin(axis=1)
            counts = np.bincount(nearest, minlength=8)
            history.append((i + 1, cover.n_covered, cover.high_quality, int(counts.argmax()),
                            counts.max() / len(samples)))
            snapshots[i + 1] = samples
    return np.array(history), snapshots


start = time.perf_counter()
ring_runs = {name: run_ring(**options) for name, options in ring_runs_options.items()}
print(f"{len(ring_runs)} runs of {STEPS} steps in {time.perf_counter() - start:.0f} s")
for name, (_, snapshots) in ring_runs.items():
    final = mode_coverage(snapshots[STEPS])
    print(f"{name:26s} after {STEPS} steps: {final}")

# %% [markdown]
# First the collapsed run, at six moments. Grey crosses: the 8 mode centres; dots: 2,000
# samples of $G$.

# %%
history, snapshots = ring_runs["fast G (collapses)"]
moments = [int(history[i, 0]) for i in np.linspace(1, len(history) - 1, 6).round().astype(int)]


def ring_panel(ax, samples, title):
    """G's samples (dots) over the 8 mode centres (grey crosses), on the ring's square."""
    ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.4, color="tab:blue")
    ax.scatter(centers[:, 0], centers[:, 1], marker="x", color="grey", s=30)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


fig = new_figure(13, 2.6)
for ax, moment in zip(fig.subplots(1, 6), moments, strict=True):
    samples = snapshots[moment]
    ring_panel(ax, samples, f"step {moment}: {mode_coverage(samples).n_covered}/8 modes")
save(fig, "06_mode_collapse_over_time.png")
print(" step  modes covered  high-quality  most populated mode  its share of the samples")
for step_no, covered, quality, top, share in history[:: max(1, len(history) // 10)]:
    print(f"{int(step_no):5d}  {int(covered):13d}  {quality:12.1%}  {int(top):19d}  {share:24.0%}")

# %% [markdown]
# The samples travel as one cloud: at any moment nearly all of them are nearest to one mode
# (the last column; a generator that had learned the data would give each mode an eighth,
# 12.5%), and the printed "most populated mode" changes as the cloud moves. That is mode
# collapse: no diversity, whatever $z$.
#
# Why does the collapsed run cover **0** modes rather than 1? Because the cloud is never on
# a mode. $G$ chases the spot the current $D$ finds most real, which is not the data but
# wherever $D$'s logit is highest; $D$'s logit grows along a direction, so the cloud
# overshoots, a streak pointing outwards past the ring. As soon as it arrives, $D$ learns that
# the spot is fake and $G$ moves on. Coverage counts a mode only when a sample lies within
# 0.06 of its centre, so a cloud that passes between and beyond the modes covers none: 0 of 8
# measures both failures at once, no diversity (the share column) and no fidelity (no
# high-quality samples). A loss curve would show neither. Now the three runs: the coverage
# over training, and the final samples.

# %%
fig = new_figure(10, 6.2)
top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.1])
ax_cov = top.add_subplot()
for name, (history, _) in ring_runs.items():
    ax_cov.plot(history[:, 0], history[:, 1], marker="o", ms=3, label=name)
ax_cov.set_xlabel("step")
ax_cov.set_ylabel("modes covered (of 8)")
ax_cov.set_ylim(-0.3, 8.3)
ax_cov.grid(True, alpha=0.3)
ax_cov.legend(fontsize=8, loc="center right")
for ax, (name, (_, snapshots)) in zip(bottom.subplots(1, len(ring_runs)), ring_runs.items(),
                                      strict=True):
    samples = snapshots[STEPS]
    cover = mode_coverage(samples)
    ring_panel(ax, samples,
               f"{name}\n{cover.n_covered}/8 modes, {cover.high_quality:.0%} high-quality")
save(fig, "06_mode_collapse_fixes.png")

# %% [markdown]
# What each fix did:
#
# - **The non-saturating loss** is on in all three runs: it cures vanishing gradients
#   (part 2), not collapse.
# - **5 $D$ steps per $G$ step** restore the balance of the game: $D$ gets to object to the
#   cloud before $G$ moves all of it again, and $G$'s samples spread along the ring. The
#   coverage climbs to 8 of 8, slowly (in the full run first at step 1,100 and for good from
#   about step 1,900; fast mode's 400 steps show only the start), and the samples stay loose
#   around the ring: few are within 0.06 of a centre.
# - **Balanced learning rates** work best: 8 of 8 modes by step 600 (6 of 8 at step 400, where
#   fast mode stops), 7 or 8 from then on, and the fraction of high-quality samples keeps
#   rising (to between a half and three quarters by step 3,000 in the full run).
#
# ## 4. Mode collapse on images, and a discriminator with too little capacity
#
# On images, mode collapse is the generator that draws **similar images whatever $z$**. The
# coverage number is computed as on the ring, with a judge instead of the ring's geometry
# deciding which "mode" (digit class) each sample belongs to; here the nearest training
# image's label, as in lesson 8 (`minigen.metrics.class_coverage` counts the classes that
# get at least 2% of the samples; `minigen train ... --classifier RUN` does the same with a
# trained classifier and warns when it drops during training).
#
# The cause this time is a **weak discriminator**: one whose network is too small to tell
# the data's variety from a single good-looking image. Its verdict is a simple function of
# the pixels, and one image maximises it; $G$ finds that image and draws it for every $z$.
# The fix is to **give $D$ more capacity**. Two runs of a GAN small enough to train in
# seconds ($G$: 16 → 256 → 784; Adam with lr $10^{-3}$ for both players, on the MNIST
# sample), identical except for $D$'s hidden layer: 8 units, or 256.

# %%
class SmallGAN(GAN):
    """An MLP GAN that trains in seconds: G 16-256-784 (tanh), D 784-d_hidden-1."""

    def __init__(self, d_hidden):
        # A GAN is its two networks and the size of z: hand GAN smaller ones.
        super().__init__(
            16,
            generator=nn.Sequential(
                nn.Linear(16, 256), nn.LeakyReLU(0.2),
                nn.Linear(256, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)),
            ),
            discriminator=nn.Sequential(
                nn.Flatten(), nn.Linear(784, d_hidden), nn.LeakyReLU(0.2), nn.Linear(d_hidden, 1),
            ),
        )


train_flat = unit_images(train_set).reshape(len(train_set), -1)  # the judge's memory, on the host
train_sq = (train_flat**2).sum(axis=1)


def judge(images):
    """The label of the nearest training image (in pixels) for each image, pixels in [-1, 1]."""
    flat = ((np.asarray(images) + 1) / 2).reshape(len(images), -1)
    return train_set.labels[(train_sq[None, :] - 2 * flat @ train_flat.T).argmin(axis=1)]


IMAGE_STEPS = 400 if FAST else 3000
IMAGE_MOMENTS = [IMAGE_STEPS * k // 4 for k in (1, 2, 3, 4)]


def run_images(d_hidden):
    """Train SmallGAN(d_hidden); at each moment, G(fixed z) for 300 fixed z and their coverage."""
    mg.manual_seed(0)
    model = SmallGAN(d_hidden)
    step = GANStep(model, lr=1e-3)
    fixed_z = model.noise(300)
    loader = DataLoader(train_set, 64, shuffle=True, seed=0, scale="symmetric", drop_last=True)
    snapshots, done = {}, 0
    while done < IMAGE_STEPS:
        for real, _ in loader:
            step(real)
            done += 1
            if done in IMAGE_MOMENTS:
                with mg.no_grad():
                    images = model.generate(fixed_z).numpy()
                snapshots[done] = (images, class_coverage(judge(images)), images.std(axis=0).mean())
            if done == IMAGE_STEPS:
                break
    return snapshots


start = time.perf_counter()
image_runs = {f"D with {h} hidden units": run_images(h) for h in (8, 256)}
print(f"2 runs of {IMAGE_STEPS} steps in {time.perf_counter() - start:.0f} s")
real_spread = unit_images(train_set)[:300].std(axis=0).mean() * 2  # in [-1, 1] pixels
print(f"spread over z: the pixel-wise standard deviation over the 300 samples, averaged; "
      f"300 real digits: {real_spread:.2f}")
for name, snapshots in image_runs.items():
    print(name)
    for moment, (_, cover, spread) in snapshots.items():
        print(f"  step {moment:5d}: spread over z {spread:.2f}; {cover}")

# %%
fig = new_figure(3.0 * len(IMAGE_MOMENTS), 6.9)
for row, (name, snapshots) in zip(fig.subfigures(2, 1), image_runs.items(), strict=True):
    row.suptitle(name, fontsize=11)
    for ax, (moment, (images, cover, _)) in zip(row.subplots(1, len(IMAGE_MOMENTS)),
                                                snapshots.items(), strict=True):
        show_images(ax, images[:36], 6, f"step {moment}: {cover.covered}/10 classes",
                    value_range=(-1, 1))
save(fig, "06_mode_collapse_images.png")

# %% [markdown]
# Each panel is $G$ at one moment of its training, drawing from the **same 36 values of
# $z$**. With 8 hidden units in $D$, the 36 images are nearly the same blob at every moment
# (the spread over $z$ is a fraction of the real digits'), and what varies is *which* blob:
# as on the ring, the collapsed generator hops from one image $D$ accepts to the next, so the
# judge's labels, and the count of classes, change from moment to moment while the grid
# stays uniform. With 256 hidden units, the same $G$ with the same optimiser draws a
# different digit for each $z$, its spread over $z$ climbs towards the real digits', and it
# covers 8 of the 10 classes by step 400 (where fast mode stops) and all ten from step 750
# on in the full run, where the weak $D$'s run still draws one blob. Look at the grid
# and at both numbers together: a judge will always name some class, even for a blob, so the
# count of classes alone can flatter a collapsed generator; the spread over $z$ cannot.
#
# Why capacity: to push $G$ out of a collapse, $D$ must be able to represent "this exact
# image is too common", which a network with 8 hidden units barely can; it separates real
# from fake with a few coarse pixel templates, and a single image can satisfy all of them.
# A wider (or deeper, or convolutional) $D$ can tell the data's variety apart, and its
# gradient then pushes $G$'s samples apart too. The same holds in the other direction: a $D$
# that is too strong for $G$ gives the vanishing gradients of part 2. Balancing the two
# networks, in size and in learning rate, is most of the craft of training a GAN. Stronger
# cures for collapse exist (minibatch discrimination, which lets $D$ see a whole batch;
# unrolled GANs; Wasserstein losses), beyond this lesson.
#
# In fast mode (`MINIGEN_FAST=1`) the MNIST runs are 130 calls instead of 300, and the ring
# and image runs 400 steps instead of 3,000: the failures show just the same, the fixes have
# less time to finish.
#
# ## Exercises
#
# 1. With the saturating loss, at what $D(G(z))$ is $G$'s gradient per fake 1% of the
#    non-saturating loss's? (Use the two formulas.)
# 2. Both losses have their minimum where $D(G(z)) = 1$. Then why does the choice matter at
#    all for where training ends up?
# 3. Label smoothing is *one-sided*: real images are labelled 0.9, fakes stay 0. What would
#    labelling fakes 0.1 reward $D$ for?
# 4. `mode_coverage` counts a mode as covered with a single high-quality sample. Why is the
#    fraction of high-quality samples needed as well? Give a generator that covers 8 of 8
#    modes but is still bad.
# 5. In part 2, Adam's update is nearly independent of the gradient's scale. Why does the
#    saturating loss still hurt $G$, then? (Hint: the batch's gradient is a sum over 64
#    fakes. How does each loss weigh them?)
# 6. Predict what `mode_coverage` reports for (a) 100 samples all exactly at the centre of
#    mode 0, and (b) many samples spread uniformly over the circle of radius 2. Then check.
# 7. Add a ring run `"fast G + label smoothing": dict(label_smoothing=0.1)` to
#    `ring_runs_options` and run part 3 again. Does label smoothing prevent the collapse?
#    Why, or why not?

# %% [markdown]
# ## Answers
#
# 1. The ratio is $D / (1 - D) = 0.01$, so $D(G(z)) = 1/101 \approx 0.0099$.
# 2. Training never gets near the minimum in one jump: the path depends on the gradients on
#    the way, and with the saturating loss the path stalls (or drifts on noise) at the start,
#    where $D$ wins. Same fixed point, different dynamics.
# 3. Labelling fakes 0.1 tells $D$ that a fake should look 10% real, so where fakes are, the
#    optimal $D$ leaves some probability of "real": it moves $D$'s optimum towards the
#    current fakes and rewards $G$ for staying where it is. One-sided smoothing only tempers
#    $D$'s confidence on the real data.
# 4. A generator that puts one sample on each mode and the other 1,992 far away covers 8/8
#    with 0.4% high-quality samples. Coverage alone measures diversity; the high-quality
#    fraction measures fidelity. Both are needed, as precision and recall are.
# 5. The saturating loss weighs each fake's gradient by its own $D(G(z_i))$. When $D$ rejects
#    most fakes, the few that $D$ is least sure of dominate the sum: $G$ learns from a handful
#    of samples, a noisy direction that Adam then follows at full step size. The
#    non-saturating loss weighs every rejected fake by $1 - D(G(z_i)) \approx 1$: all 64
#    count.
# 6. (a) 1/8 modes covered, 100% high-quality: perfect samples, total collapse.
#    (b) 8/8 modes covered, and a sample is high-quality when it lies within 0.06 of a
#    centre, an arc of about $2 \cdot 0.06$ around each of the 8 centres out of a
#    circumference of $4\pi$: $8 \cdot 0.12 / 12.57 = 7.6\%$. Full coverage, poor samples.
# 7. No: the run collapses like the first, its cloud on 0 or 1 of the 8 modes. Smoothing
#    tempers $D$'s confidence on real points (part 2); it neither slows $G$ down nor lets $D$
#    object sooner to a cloud that has moved, and that is what a fast $G$ exploits.
