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
# # 4. Autoencoder vs VAE
#
# An **autoencoder** (AE) squeezes each image into a short code and rebuilds the image from
# it. A **variational autoencoder** (VAE) does the same with one change: the encoder gives a
# small Gaussian cloud of codes per image instead of one code, and the loss pays for every
# cloud that strays from the standard normal $\mathcal N(0, I)$. That change is what turns a
# compressor into a *generator*: after training, a code drawn from $\mathcal N(0, I)$ decodes
# to a new digit.
#
# This lesson trains the same encoder and decoder both ways, with a **2-D code** so that we
# can look at the whole code space, on the MNIST sample that ships with minigen. We will see:
#
# 1. the VAE's two loss terms, reconstruction and KL, computed by hand on one batch;
# 2. where each model puts the digits in its code space;
# 3. what decoding codes drawn from $\mathcal N(0, I)$ gives for each;
# 4. what the weight $\beta$ on the KL term does.
#
# The KL term's closed form and its gradient are derived in
# [docs/derivations/gaussian_kl.md](../docs/derivations/gaussian_kl.md). Figures go to
# `$MINIGEN_FIGURES` (default `walkthroughs/figures/`).
#
# ## Generative and discriminative models
#
# A digit classifier is a **discriminative** model: it models $P(y \mid x)$, the probability
# of each label $y$ given an image $x$. Everything it learns serves to draw the boundaries
# between the classes, and nothing in it can produce an image. A **generative** model models
# the data itself, $P(x)$: which images are likely and which are not, and, what we want in
# practice, a way to **draw new samples** $x \sim P(x)$. A **conditional** generative model
# models $P(x \mid y)$: images of a class we choose (lesson 8). Bayes' rule links the three,
#
# $$P(y \mid x) = \frac{P(x \mid y)\,P(y)}{P(x)},$$
#
# so a generative model of each class can classify, while a discriminative model cannot
# generate: the boundary between two classes says nothing about what lies inside them.
#
# The models of lessons 4 to 8 are generative, in two ways. The VAE of this lesson is
# *explicit*: it gives a number for each image, a lower bound on $\log P(x)$ (the ELBO
# below), so we can score test images with it. The GANs of lessons 5 to 8 are *implicit*:
# they draw samples, and give no $P(x)$ at all. Inside every GAN sits a discriminative model,
# the discriminator, which learns $P(\text{real} \mid x)$ and serves only to train the
# generator. A plain autoencoder is neither: it compresses and rebuilds, and defines no
# distribution to sample from. That last point is what this lesson shows.

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
from minigen.metrics import negative_elbo
from minigen.metrics.batches import unit_images
from minigen.models import AE, VAE, ConvVAE, reparameterize
from minigen.train import AEStep, VAEStep, vae_loss
from minigen.viz.lesson import check_exercise, figure_saver, figures_folder, new_figure, show_images

FAST = os.environ.get("MINIGEN_FAST") == "1"  # fewer epochs: the same story, rougher pictures
EPOCHS = 3 if FAST else 30
CONV_EPOCHS = 1 if FAST else 5  # a ConvVAE step costs ten MLP VAE steps
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here
save = figure_saver(FIGURES)



print("fast mode" if FAST else "full mode", f"- {EPOCHS} epochs per MLP model, {CONV_EPOCHS} for the ConvVAE")

# %% [markdown]
# ## The data
#
# The shipped MNIST sample: 8,334 training and 1,666 test digits. The `DataLoader` turns the
# uint8 pixels into float32 in $[0, 1]$ (`scale="unit"`), which is what a decoder with a
# sigmoid output and a binary cross-entropy loss want: each pixel is read as the probability
# that it is ink.

# %%
train_set, test_set = MNISTSample(train=True), MNISTSample(train=False)
test_images = unit_images(test_set)  # (1666, 1, 28, 28) float32 in [0, 1]
test_labels = test_set.labels
print(train_set, "|", test_set)
x_first, y_first = next(iter(DataLoader(train_set, 128, shuffle=True, seed=0)))
print("one batch:", x_first.shape, x_first.dtype, f"pixels in [{x_first.numpy().min()}, "
      f"{x_first.numpy().max()}]", "| labels", y_first.shape, y_first.dtype)

# %% [markdown]
# ## Two models with the same layers
#
# `AE(latent_dim=2)` and `VAE(latent_dim=2)` have the same encoder body (784 → 400, ReLU)
# and the same decoder (2 → 400 → 784, ReLU in between). They differ only at the code:
#
# - the AE has one head, 400 → 2: **the** code $z$ of an image;
# - the VAE has two heads, 400 → 2 each: the mean $\mu$ and the log-variance $\log\sigma^2$
#   of a Gaussian $q(z \mid x) = \mathcal N(\mu, \operatorname{diag}\sigma^2)$, the cloud of
#   codes of that image. Training draws one $z$ from it with the reparameterisation trick,
#   $z = \mu + \sigma \odot \epsilon$ with $\epsilon \sim \mathcal N(0, I)$.
#
# Both decoders end with logits; `decode()` applies the sigmoid to give pixel values, and the
# loss is computed from the logits (the same loss, stable where a pixel saturates; see
# [bce_with_logits.md](../docs/derivations/bce_with_logits.md)).

# %%
mg.manual_seed(0)
ae = AE(latent_dim=2)
mg.manual_seed(0)
vae = VAE(latent_dim=2)
print(ae)
print(vae)
for name, model in [("AE", ae), ("VAE", vae)]:
    print(f"{name}: {sum(p.numel() for p in model.parameters()):,} parameters")

# %% [markdown]
# The VAE has $400 \cdot 2 + 2 = 802$ more: its second head.
#
# ## The VAE's loss, by hand, on one batch
#
# For one image $x$ with pixels $x_j \in [0, 1]$, the VAE minimises the **negative ELBO**
# (evidence lower bound),
#
# $$\mathcal L(x) = \underbrace{\sum_{j=1}^{784} -\big(x_j \log p_j + (1 - x_j)\log(1 - p_j)\big)}
# _{\text{reconstruction: BCE summed over pixels}}
# \;+\; \beta
# \underbrace{\sum_{k=1}^{2} \tfrac12 \big(\mu_k^2 + \sigma_k^2 - \log\sigma_k^2 - 1\big)}
# _{\text{KL}\left(q(z \mid x)\,\|\,\mathcal N(0, I)\right)},$$
#
# where $p = \sigma(\text{decoder}(z))$ are the decoded pixel probabilities for the sampled
# $z$, and $\beta = 1$ gives the true ELBO. Both terms are in **nats per image**, summed over
# pixels and over code dimensions, then averaged over the batch. The AE's loss is the first
# term alone, with $z$ its code.
#
# - The **reconstruction** term says: the code must carry enough about $x$ to rebuild it.
# - The **KL** term says: every image's cloud should look like $\mathcal N(0, I)$. It is 0
#   only for $\mu = 0, \sigma = 1$, where the code says nothing about the image. Shrinking
#   $\sigma$ or moving $\mu$ away from 0 (what the reconstruction wants) costs nats.
#
# Before any training, the decoder outputs logits near 0, so every $p_j \approx 0.5$ and the
# reconstruction term is close to $784 \ln 2 = 543.4$ nats, whatever the image (a little
# more, since the logits scatter around 0 rather than sit on it). Let us compute both terms
# by hand and compare with minigen's `vae_loss`.

# %%
x = x_first
mg.manual_seed(1)
mu, logvar = vae.encode(x)  # (128, 2) each
z = reparameterize(mu, logvar)  # z = mu + exp(logvar / 2) * eps
logits = vae.decode_logits(z)  # (128, 1, 28, 28)

p = 1 / (1 + np.exp(-logits.numpy()))  # the decoded pixel probabilities
xn = x.numpy()
recon_by_hand = -(xn * np.log(p) + (1 - xn) * np.log(1 - p)).sum() / len(xn)
mun, lvn = mu.numpy(), logvar.numpy()
kl_by_hand = (0.5 * (mun**2 + np.exp(lvn) - lvn - 1)).sum() / len(xn)

loss, recon, kl, kl_dims = vae_loss(logits, x, mu, logvar)
print(f"reconstruction: by hand {recon_by_hand:.3f}, vae_loss {recon.item():.3f}  "
      f"(784 ln 2 = {784 * np.log(2):.1f})")
print(f"KL:             by hand {kl_by_hand:.4f},  vae_loss {kl.item():.4f}  "
      f"(per dimension {kl_dims.numpy().round(4)})")
print(f"loss = reconstruction + KL = {loss.item():.3f}")

# %% [markdown]
# At the start the KL is tiny: the untrained encoder gives $\mu \approx 0$ and
# $\log\sigma^2 \approx 0$ for every image, which is already $\mathcal N(0, I)$, and the
# codes say almost nothing about the images. Training will trade some KL for a much better
# reconstruction.
#
# ### Implement it: the KL term and its gradient
#
# Write the KL term of the loss as a NumPy function, with its gradient: the VAE's KL, summed
# over the latent dimensions and averaged over the batch of $B$ images (the `kl` of
# `vae_loss`), and its derivatives with respect to every $\mu_{ik}$ and $\log\sigma^2_{ik}$.
# Differentiate $\tfrac12(\mu^2 + e^{\log\sigma^2} - \log\sigma^2 - 1)$ by hand; do not
# forget the $1/B$.

# %% tags=["exercise"]
def kl_and_gradients(mu, logvar):
    """(kl, grad_mu, grad_logvar): KL(N(mu, exp(logvar)) || N(0, I)) summed over the latent
    dimensions and averaged over the batch (a number), and its gradients, shaped like mu."""
    # YOUR CODE HERE: the closed form above, and its two derivatives.
    raise NotImplementedError


# %% [markdown]
# The check compares with `F.gaussian_kl(mu, logvar, reduction="batchmean")` and its
# backward, in float64: the same formulas, so expect a relative error near $10^{-16}$ and
# at most $10^{-12}$.

# %% tags=["check"]
def compare_kl():
    rng = np.random.default_rng(5)
    mu, logvar = rng.standard_normal((6, 3)), 0.5 * rng.standard_normal((6, 3))
    kl, grad_mu, grad_logvar = kl_and_gradients(mu, logvar)
    mu_t, logvar_t = (mg.tensor(a, device="cpu", requires_grad=True) for a in (mu, logvar))
    engine = mg.nn.functional.gaussian_kl(mu_t, logvar_t, reduction="batchmean")
    engine.backward()
    return {"kl": (kl, engine.item()), "grad_mu": (grad_mu, mu_t.grad.numpy()),
            "grad_logvar": (grad_logvar, logvar_t.grad.numpy())}


check_exercise("Gaussian KL and its gradient", compare_kl, expected=1e-12)

# %% [markdown]
# ## Training both
#
# Each step is the textbook recipe, in `minigen.train`: `AEStep` (reconstruct, BCE summed
# over pixels, Adam) and `VAEStep` (encode, reparameterise, decode, reconstruction + KL,
# Adam). Both use Adam with lr $10^{-3}$ and batches of 128, and see the same batches in the
# same order (the loader's `seed`). We keep the mean of each loss term per epoch.

# %%
def fit(model, step, epochs, batch=128):
    """Train ``model`` with ``step`` for ``epochs`` epochs; return the per-epoch mean of
    each number the step reports (loss, and for a VAE recon and kl)."""
    loader = DataLoader(train_set, batch, shuffle=True, seed=0)
    history = []
    start = time.perf_counter()
    for _ in range(epochs):
        sums = {}
        for x, _labels in loader:
            metrics = step(x)
            for key in ("loss", "recon", "kl"):
                if key in metrics:
                    sums[key] = sums.get(key, 0.0) + metrics[key].item()
        history.append({key: total / len(loader) for key, total in sums.items()})
    print(f"{type(model).__name__}: {epochs} epochs of {len(loader)} steps "
          f"in {time.perf_counter() - start:.1f} s")
    return history


mg.manual_seed(2)
ae_history = fit(ae, AEStep(ae, lr=1e-3), EPOCHS)
mg.manual_seed(2)
vae_history = fit(vae, VAEStep(vae, lr=1e-3), EPOCHS)

print("epoch   AE loss   VAE loss = recon +   KL")
for epoch in sorted({0, EPOCHS // 2, EPOCHS - 1}):
    a, v = ae_history[epoch], vae_history[epoch]
    print(f"{epoch + 1:5d}   {a['loss']:7.1f}   {v['loss']:8.1f} = {v['recon']:5.1f} + "
          f"{v['kl']:4.2f}")

# %% [markdown]
# The VAE pays twice: its KL term, and a worse reconstruction, because the decoder must
# rebuild the image from a *noisy* code $z = \mu + \sigma \epsilon$, not from $\mu$ itself.
# What it buys is on the next pictures.
#
# ## Reconstructions
#
# Test digits (top row), rebuilt by the AE (middle) and by the VAE from its mean code $\mu$
# (bottom). Two numbers are not much room for a digit: both models keep the overall shape
# and lose details, and a digit can come back as a similar-looking other digit.

# %%
with mg.no_grad():
    sixteen = mg.tensor(test_images[:16])
    ae_rebuilt = ae.decode(ae.encode(sixteen)).numpy()
    vae_rebuilt = vae.decode(vae.embed(sixteen)).numpy()
fig = new_figure(9, 2.1)
show_images(fig.add_subplot(), np.concatenate([test_images[:16], ae_rebuilt, vae_rebuilt]),
            16, "test digits / AE reconstructions / VAE reconstructions (from mu)")
save(fig, "04_reconstructions.png")

# %% [markdown]
# ## The code spaces, coloured by digit
#
# Now the 1,666 test digits, each at its code: $z$ for the AE, the mean $\mu$ for the VAE.
# The dashed circles mark radius 1 and 2, where $\mathcal N(0, I)$ puts 39% and 86% of its
# draws.

# %%
with mg.no_grad():
    ae_codes = ae.embed(mg.tensor(test_images)).numpy()
    vae_codes = vae.embed(mg.tensor(test_images)).numpy()
for name, codes in [("AE ", ae_codes), ("VAE", vae_codes)]:
    print(f"{name} codes: mean {codes.mean(axis=0).round(2)}, std {codes.std(axis=0).round(2)}, "
          f"range x [{codes[:, 0].min():.1f}, {codes[:, 0].max():.1f}], "
          f"y [{codes[:, 1].min():.1f}, {codes[:, 1].max():.1f}]")

# %%
def draw_codes(ax, codes, title, extra=None):
    points = ax.scatter(codes[:, 0], codes[:, 1], c=test_labels, cmap="tab10", s=4,
                        vmin=-0.5, vmax=9.5)
    if extra is not None:
        ax.scatter(extra[:, 0], extra[:, 1], marker="x", color="black", s=14, lw=0.8,
                   label="draws from N(0, I)")
        ax.legend(fontsize=8, loc="upper right")
    angle = np.linspace(0, 2 * np.pi, 200)
    for r in (1, 2):
        ax.plot(r * np.cos(angle), r * np.sin(angle), "k--", lw=0.8)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    return points


fig = new_figure(11, 5)
ax_ae, ax_vae = fig.subplots(1, 2)
draw_codes(ax_ae, ae_codes, "AE: codes z of the test digits")
points = draw_codes(ax_vae, vae_codes, "VAE: mean codes mu of the test digits")
fig.colorbar(points, ax=[ax_ae, ax_vae], ticks=range(10), label="digit", shrink=0.8)
save(fig, "04_latent_spaces.png")

# %% [markdown]
# Both models sort the digits: each digit has its own region, and similar digits (4, 7 and
# 9; 3, 5 and 8) are neighbours. But look at the scales. Nothing tells the AE where to put
# its codes: they sprawl over whatever region and scale training happened to give them
# (here up to $z_0 \approx 12$ after fast mode's 3 epochs, and $z_0 \approx 25$ after 30),
# in arms with empty space between the digits. The VAE's KL term pulls every $\mu$ towards
# 0 (the $\mu_k^2/2$ in the KL), and its noise $\sigma\epsilon$ forces neighbouring codes to
# decode to similar images, so its codes fill a compact region around the origin.
#
# ## Decoding draws from $\mathcal N(0, I)$
#
# To *generate*, draw $z \sim \mathcal N(0, I)$ and decode it. We use the same 64 draws for
# both models.

# %%
mg.manual_seed(3)
z_prior = mg.randn(64, 2)
with mg.no_grad():
    ae_samples = ae.decode(z_prior).numpy()
    vae_samples = vae.decode(z_prior).numpy()

fig = new_figure(10, 5.3)
ax_ae, ax_vae = fig.subplots(1, 2)
show_images(ax_ae, ae_samples, 8, "AE: decode(z), z ~ N(0, I)")
show_images(ax_vae, vae_samples, 8, "VAE: decode(z), z ~ N(0, I)")
save(fig, "04_samples_from_prior.png")

# %% [markdown]
# The AE's samples are blends and smudges of a few digits; the VAE's look like digits of
# many classes. Why? $\mathcal N(0, I)$ puts 86% of its draws within radius 2 of the origin
# ($1 - e^{-2^2/2} = 0.865$). Which real digits have their codes there, in each model?

# %%
for name, codes in [("AE ", ae_codes), ("VAE", vae_codes)]:
    near = np.linalg.norm(codes, axis=1) <= 2
    counts = np.bincount(test_labels[near], minlength=10)
    print(f"{name}: {near.mean():4.0%} of the test codes lie within radius 2; "
          f"digits 0-9 among them: {counts}")

# %% [markdown]
# In the AE, that disc holds a small share of the test codes (a few percent after fast
# mode's 3 epochs, about a tenth after a full run), of only some digits: hardly any ones or
# nines. In the VAE it holds a large share (about 40% after 3 epochs, about 70% after 30),
# of every digit. Here are the same 64 draws (crosses) on each code space.

# %%
fig = new_figure(11, 5)
ax_ae, ax_vae = fig.subplots(1, 2)
draw_codes(ax_ae, ae_codes, "AE codes and the 64 draws", extra=z_prior.numpy())
points = draw_codes(ax_vae, vae_codes, "VAE codes and the 64 draws", extra=z_prior.numpy())
fig.colorbar(points, ax=[ax_ae, ax_vae], ticks=range(10), label="digit", shrink=0.8)
save(fig, "04_draws_on_codes.png")

# %% [markdown]
# For the AE, $\mathcal N(0, I)$ is an arbitrary patch of its code space: where its codes
# lie is an accident of training, so the prior's draws land on the edge of the data or in
# the empty space around it, and decode to blends of whatever digits live nearby. The AE has
# no distribution to sample from. For the VAE, the draws fall among the codes of real
# digits, and decode to digits of many classes. (Two numbers per image are too few for
# details: the VAE's samples are blurry, and some are in-between shapes.)
#
# Decoding a regular grid of codes over $[-2.5, 2.5]^2$ shows the whole map the VAE's
# decoder has learned: every code decodes to something digit-like, and neighbouring codes
# to similar digits.

# %%
grid_side = 15
values = np.linspace(-2.5, 2.5, grid_side, dtype=np.float32)
zx, zy = np.meshgrid(values, values[::-1])  # rows: z[1] from high to low
grid_codes = mg.tensor(np.stack([zx.ravel(), zy.ravel()], axis=1))
with mg.no_grad():
    vae_manifold = vae.decode(grid_codes).numpy()
    ae_manifold = ae.decode(grid_codes).numpy()
fig = new_figure(11, 5.7)
ax_ae, ax_vae = fig.subplots(1, 2)
show_images(ax_ae, ae_manifold, grid_side, "AE: codes on a grid over [-2.5, 2.5]^2")
show_images(ax_vae, vae_manifold, grid_side, "VAE: codes on a grid over [-2.5, 2.5]^2")
save(fig, "04_decoded_grids.png")

# %% [markdown]
# ## What $\beta$ does
#
# The $\beta$-VAE weighs the KL term by $\beta$. With $\beta > 1$ each nat of KL costs more,
# so the encoder gives each image a wider cloud closer to the origin: the codes carry less
# information about their images, the KL falls, and the reconstruction gets worse. In
# exchange the code space is packed more tightly into $\mathcal N(0, I)$. We train the same
# VAE with $\beta = 4$ and measure both terms on the **test** images, plus the test-set
# negative ELBO (reconstruction + KL with $\beta = 1$, the number that says how well each
# model explains the data: `minigen.metrics.negative_elbo`).

# %%
mg.manual_seed(0)
vae_beta = VAE(latent_dim=2)
mg.manual_seed(2)
beta_history = fit(vae_beta, VAEStep(vae_beta, lr=1e-3, beta=4.0), EPOCHS)


def test_terms(model):
    """(reconstruction, KL) in nats per test image, one z per image."""
    mg.manual_seed(4)
    with mg.no_grad():
        x = mg.tensor(test_images)
        logits, mu, logvar = model(x)
        _, recon, kl, kl_dims = vae_loss(logits, x, mu, logvar)
    return recon.item(), kl.item(), kl_dims.numpy()


print("             test recon   test KL   KL per dim      test -ELBO")
for name, model in [("beta = 1", vae), ("beta = 4", vae_beta)]:
    recon, kl, kl_dims = test_terms(model)
    mg.manual_seed(4)
    nelbo = negative_elbo(model, test_images, device=mg.get_default_device())
    print(f"{name}:   {recon:9.1f}   {kl:7.2f}   {kl_dims.round(2)}   {nelbo:9.1f}")

# %%
with mg.no_grad():
    beta_codes = vae_beta.embed(mg.tensor(test_images)).numpy()
    beta_rebuilt = vae_beta.decode(vae_beta.embed(sixteen)).numpy()
    beta_samples = vae_beta.decode(z_prior).numpy()
print(f"beta = 4 codes: mean {beta_codes.mean(axis=0).round(2)}, "
      f"std {beta_codes.std(axis=0).round(2)}")

fig = new_figure(12, 8.2)
top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.9])
show_images(top.add_subplot(), np.concatenate([test_images[:16], vae_rebuilt, beta_rebuilt]),
            16, "test digits / VAE beta = 1 / VAE beta = 4 (reconstructions from mu)")
ax_codes, ax_samples = bottom.subplots(1, 2)
points = draw_codes(ax_codes, beta_codes, "beta = 4: mean codes mu of the test digits")
bottom.colorbar(points, ax=ax_codes, ticks=range(10), label="digit", shrink=0.8)
show_images(ax_samples, beta_samples, 8, "beta = 4: decode(z), the same 64 draws")
save(fig, "04_beta.png")

# %% [markdown]
# With $\beta = 4$ the KL is smaller and the reconstruction error larger, by a few nats
# per image, as the trade predicts; the test negative ELBO is larger too: $\beta = 1$ is the
# setting that optimises the ELBO itself. The codes are packed tighter around the origin,
# their means nearer 0 and their spread smaller than with $\beta = 1$ (printed above), so
# more of the prior's draws land on codes the decoder knows. The reconstructions change little to
# the eye. Larger $\beta$ is used when the *structure* of the code matters more than sharp
# pictures: the $\beta$-VAE papers look for codes whose dimensions each capture one factor of
# variation.
#
# ## The same VAE with convolutions: `ConvVAE`
#
# The encoder and decoder above see an image as 784 unrelated numbers. `ConvVAE`
# ([conv_vae.py](../minigen/models/conv_vae.py)) keeps the VAE's recipe (the two heads, the
# reparameterisation, the same loss) and changes only the networks, with the layers of
# lesson 3:
#
# - encoder: `Conv2d(1, 32, 4, 2, 1)` and `Conv2d(32, 64, 4, 2, 1)` halve $28 \to 14 \to 7$,
#   then `Linear(64 * 7 * 7, 256)` and the two heads, 256 → 2 each;
# - decoder: the mirror image, `Linear`s up to $64 \cdot 7 \cdot 7$ numbers read as a
#   $64 \times 7 \times 7$ image, then `ConvTranspose2d(64, 32, 4, 2, 1)` and
#   `ConvTranspose2d(32, 1, 4, 2, 1)` double $7 \to 14 \to 28$.
#
# A convolution uses the same small kernel at every position, so a stroke detector learned in
# one corner works in every other. We train it with the same 2-D code and the same optimiser,
# in batches of 32 rather than 128: a ConvVAE step costs about ten MLP VAE steps on a CPU,
# and smaller batches give it four times as many updates per epoch for the same arithmetic.
# Then we compare its code space with the MLP VAE's.

# %%
mg.manual_seed(0)
conv_vae = ConvVAE(latent_dim=2)
for name, model in [("MLP VAE", vae), ("ConvVAE", conv_vae)]:
    print(f"{name}: {sum(p.numel() for p in model.parameters()):,} parameters")
mg.manual_seed(2)
conv_history = fit(conv_vae, VAEStep(conv_vae, lr=1e-3), CONV_EPOCHS, batch=32)


def embed_all(model, images, batch=500):
    """The mean codes of ``images``, a batch at a time (a ConvVAE's im2col is large)."""
    with mg.no_grad():
        return np.concatenate([model.embed(mg.tensor(images[i:i + batch])).numpy()
                               for i in range(0, len(images), batch)])


def same_digit_neighbours(codes):
    """The share of test digits whose nearest other code belongs to the same digit."""
    distances = ((codes[:, None, :] - codes[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(distances, np.inf)
    return (test_labels[distances.argmin(axis=1)] == test_labels).mean()


conv_codes = embed_all(conv_vae, test_images)
with mg.no_grad():
    conv_rebuilt = conv_vae.decode(conv_vae.embed(sixteen)).numpy()
    conv_samples = conv_vae.decode(z_prior).numpy()
print("          epochs   test -ELBO   nearest code is the same digit")
for name, model, epochs, codes in [("MLP VAE", vae, EPOCHS, vae_codes),
                                   ("ConvVAE", conv_vae, CONV_EPOCHS, conv_codes)]:
    mg.manual_seed(4)
    nelbo = negative_elbo(model, test_images, device=mg.get_default_device())
    print(f"{name}   {epochs:6d}   {nelbo:10.1f}   {same_digit_neighbours(codes):6.0%}")

# %%
fig = new_figure(12, 8.2)
top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.9])
show_images(top.add_subplot(), np.concatenate([test_images[:16], vae_rebuilt, conv_rebuilt]),
            16, "test digits / MLP VAE / ConvVAE (reconstructions from mu)")
ax_mlp, ax_conv, ax_samples = bottom.subplots(1, 3)
draw_codes(ax_mlp, vae_codes, "MLP VAE: mean codes mu")
points = draw_codes(ax_conv, conv_codes, "ConvVAE: mean codes mu")
bottom.colorbar(points, ax=[ax_mlp, ax_conv], ticks=range(10), label="digit", shrink=0.8)
show_images(ax_samples, conv_samples, 8, "ConvVAE: decode(z), the same 64 draws")
save(fig, "04_conv_vae.png")

# %% [markdown]
# In the full run the ConvVAE reaches a lower test negative ELBO in a sixth of the epochs:
# 156.1 nats per image after 5 epochs, against the MLP VAE's 160.2 after 30 (in fast mode,
# 173.5 after 1 epoch against 182.7 after 3). Its code space is organised the same way: a
# region per digit, the ones in a band of their own, similar digits (4, 7 and 9; 3, 5 and 8)
# as neighbours, all of it packed around the origin by the KL term; a few more test digits
# have a nearest code of their own class (54% against 50%). With two numbers per image the
# code is the bottleneck of both models, so the reconstructions look alike; what the
# convolutions change is how fast the networks learn to use those two numbers.
#
# The ConvVAE is not better for being bigger: of its 1.68 million parameters, the four
# convolutions hold only 66,689; the rest are the two `Linear` layers between the
# $7 \times 7$ maps and the code. What the convolutions add is an assumption about images, the same
# small stroke detectors at every position. The price is arithmetic: on a CPU each of its
# steps costs about ten of the MLP VAE's (lesson 9 shows where a GPU changes that).
#
# In fast mode (`MINIGEN_FAST=1`) each MLP model trains 3 epochs instead of 30 and the
# ConvVAE 1 instead of 5: the story is the same, but the pictures are rougher, the AE's
# code space is still small (its sprawl grows with training), and the numbers differ from a
# full run.
#
# ## Exercises
#
# 1. Before training, the reconstruction term was close to $784 \ln 2$. Why exactly that
#    number? What would it be for a decoder that always outputs $p_j = 0.1$, on an image
#    with 150 ink pixels ($x_j = 1$) and 634 background pixels ($x_j = 0$)?
# 2. Set $\beta = 0$ in `VAEStep`. What is left of the VAE, and what do you expect of its
#    code space and of its samples from $\mathcal N(0, I)$? Try it.
# 3. The KL per dimension of a trained VAE with `latent_dim=20` is far from uniform: some
#    dimensions have a KL near 0. What does a dimension with KL $= 0$ do? (Train one and look
#    at `kl_dim` in the step's metrics.)
# 4. Why does the VAE reconstruct from $\mu$ in the pictures, but train on a sampled $z$?
#    What would happen to the KL term's effect if training used $\mu$ too?
# 5. An AE's codes could be made to fit $\mathcal N(0, I)$ after training: standardise them
#    (subtract the mean, divide by the standard deviation), and sample from that. Why does
#    this still not make a good generator? Look at the AE's code space.
# 6. `VAEStep(..., kl_warmup=1000)` ramps the KL weight from 0 to $\beta$ over the first 1000
#    steps. What problem does that address?

# %% [markdown]
# ## Answers
#
# 1. With $p_j = 0.5$ each pixel costs $-\big(x_j \ln 0.5 + (1 - x_j)\ln 0.5\big) = \ln 2$,
#    whatever $x_j$, so 784 pixels cost $784 \ln 2 = 543.4$ nats. With $p_j = 0.1$: each ink
#    pixel costs $-\ln 0.1 = 2.303$ and each background pixel $-\ln 0.9 = 0.105$, so
#    $150 \cdot 2.303 + 634 \cdot 0.105 = 345.4 + 66.8 = 412.2$ nats.
# 2. Without the KL term nothing pulls $\mu$ to 0 or $\sigma$ to 1: the encoder shrinks
#    $\sigma$ (less noise, better reconstruction) and the model behaves like an AE with a
#    little noise. Its codes spread out like the AE's, and samples from $\mathcal N(0, I)$
#    are poor again.
# 3. It is ignored: $\mu = 0$ and $\sigma = 1$ for every image, so it carries no information,
#    and the decoder learns to ignore it. The VAE spends its KL budget on the few dimensions
#    that help the reconstruction most ("posterior collapse" of the others).
# 4. The KL term measures the cost of the whole cloud $q(z \mid x)$; training on samples from
#    that cloud is what makes the decoder handle every code near $\mu$, and so fills the
#    space between the digits. Trained on $\mu$ alone, $\sigma$ would get no gradient from
#    the reconstruction; the KL would then push it to 1 for free, and the decoder would be an
#    AE's decoder that never sees the noise. For a picture, $\mu$ is the best single code.
# 5. Standardising fixes the mean and the scale, not the shape: the AE's codes lie on thin
#    arms with empty regions between them, and a Gaussian puts much of its mass in those
#    empty regions, where the decoder was never trained.
# 6. Early in training the KL term is easy to lower (set every $\mu = 0$, $\sigma = 1$) while
#    the decoder cannot yet use the codes; the model can settle there and ignore $z$. Starting
#    with a small KL weight lets the decoder learn to use $z$ first.
