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
# # 1. Tensors, devices and the first layers
#
# Everything in minigen is built on one object, the `Tensor`: an array (NumPy on `"cpu"`,
# CuPy on `"cuda"`), kept in `x.array`, plus the fields autograd needs (`requires_grad`,
# `grad`, `grad_fn`). This lesson makes tensors, reads their dtype, device and shape, moves them
# between devices and indexes them. Then it runs the first layers (`Linear`, `ReLU`,
# `BatchNorm1d`, `Sequential`) and the `Adam` optimizer on inputs small enough to check by hand.
#
# The names are PyTorch's, so what you learn here carries over. How a tensor flows through the
# engine is told in [docs/engine.md](../docs/engine.md); how devices work in
# [docs/backends.md](../docs/backends.md).
#
# Run it as a script (`python walkthroughs/01_tensors.py`) or open it as a notebook (see
# [README.md](README.md)). Figures go to `$MINIGEN_FIGURES` (default `walkthroughs/figures/`).

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

import numpy as np

import minigen as mg
import minigen.nn.functional as F
from minigen.errors import DeviceMismatchError
from minigen.viz.lesson import figure_saver, figures_folder, new_figure

FAST = os.environ.get("MINIGEN_FAST") == "1"  # shrink the optimisation loop below
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here
save = figure_saver(FIGURES)

mg.manual_seed(0)  # every random draw below is reproducible

# %% [markdown]
# ## Making tensors
#
# `mg.tensor(data)` copies `data` into a new tensor. The dtype follows PyTorch's rules: Python
# floats become **float32** (the default float dtype, what every layer uses), Python ints
# become **int64**. A NumPy array keeps its own dtype, and NumPy's default float is
# **float64**: remember that when you feed NumPy data to a float32 layer.

# %%
a = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
b = mg.tensor([1, 2, 3])
c = mg.tensor(np.linspace(0.0, 1.0, 5))
print(a, a.dtype)
print(b, b.dtype)
print(c, c.dtype)

# %% [markdown]
# `mg.tensor` copies; `mg.from_numpy` does not: the tensor and the array share memory, as
# `torch.from_numpy` does. Change the array and only the shared tensor sees it.

# %%
host = np.zeros(3, dtype=np.float32)
shared = mg.from_numpy(host)
copied = mg.tensor(host)
host[0] = 7.0
print("shared:", shared)
print("copied:", copied)

# %% [markdown]
# Tensors filled with one value, or counting, need no data at all. `arange` with integer
# arguments gives int64, as in PyTorch; `.float()`, `.double()`, `.long()` and `.to(dtype)`
# convert.

# %%
print(mg.zeros(2, 3))
print(mg.ones((2, 2)))
print(mg.full((2, 2), 0.5))
counting = mg.arange(5)
print(counting, counting.dtype, "->", counting.float().dtype, counting.to(mg.float64).dtype)

# %% [markdown]
# ## Devices
#
# A device says where a tensor's array lives, and so which library computes with it:
#
# | device | library | array type |
# |---|---|---|
# | `"cpu"` | NumPy | `numpy.ndarray` |
# | `"cuda"`, `"cuda:1"` | CuPy | `cupy.ndarray` |
#
# New tensors go to the default device, `"cpu"` unless `mg.set_default_device(...)` or the
# environment variable `MINIGEN_DEVICE` says otherwise. Every creation function takes
# `device=`, and `x.to(device)` copies a tensor to another device. When the tensor is already
# there, `to` returns the tensor itself: no copy.

# %%
x = mg.randn(2, 3)
print("device:", x.device, "| default:", mg.get_default_device())
print("array:", type(x.array).__module__ + "." + type(x.array).__name__)
print("x.to(x.device) is x:", x.to(x.device) is x)

# %% [markdown]
# On a machine with an NVIDIA GPU and CuPy (`pip install 'minigen[gpu]'`), the same calls with
# `"cuda"` put the array in GPU memory, and every operation on it runs there. The cell below
# does that when a GPU is there; without one, asking for `"cuda"` raises a
# `CudaUnavailableError` that says what is missing, and we print it.

# %%
if mg.cuda.is_available():
    on_gpu = x.to("cuda")  # a copy into GPU memory
    print("device:", on_gpu.device, "| array:", type(on_gpu.array).__module__)
    back = on_gpu.cpu()  # a copy back: the same as on_gpu.to("cpu")
    print("round trip exact:", np.array_equal(back.numpy(), x.numpy()))
else:
    try:
        x.to("cuda")
    except mg.cuda.CudaUnavailableError as error:
        print(f"{type(error).__name__}: {error}")

# %% [markdown]
# So code that should run on either device picks the device once and passes it everywhere.
# `mg.randn(..., device=...)` draws the random numbers directly on that device (on a GPU,
# with CuPy's generator: no host array is made and copied):

# %%
device = "cuda" if mg.cuda.is_available() else "cpu"
noise = mg.randn(4, 2, device=device)
print(noise.device, noise.shape)

# %% [markdown]
# Operations never move data behind your back. Two tensors on different devices refuse to
# meet, with an error that names the operation and the devices. We can see it without a GPU:
# minigen's test suite has a stand-in device, `"strict"`, whose arrays (from the
# `array-api-strict` package, installed with `minigen[dev]`) refuse to mix as CuPy's do.

# %%
if importlib.util.find_spec("array_api_strict") is not None:
    try:
        mg.ones(2) + mg.ones(2, device="strict")
    except DeviceMismatchError as error:
        print(f"{type(error).__name__}: {error}")
else:
    print("array-api-strict is not installed; pip install 'minigen[dev]' to see this error")

# %% [markdown]
# ## Shape and size
#
# `shape` is a tuple; `size()` is the same tuple and `size(d)` one entry of it (PyTorch's
# spelling); `numel()` counts the elements. `reshape` (or `view`) rearranges them, with one
# `-1` standing for "whatever is left".

# %%
x = mg.arange(12).reshape(3, 4).float()
print(x)
print("shape", x.shape, "| size()", x.size(), "| size(1)", x.size(1), "| numel", x.numel(),
      "| ndim", x.ndim, "| len", len(x))
print("reshape(2, -1):", x.reshape(2, -1).shape, "| view(-1):", x.view(-1).shape)
print("unsqueeze(0):", x.unsqueeze(0).shape, "| .T:", x.T.shape, "| flatten():", x.flatten().shape)

# %% [markdown]
# ## Indexing
#
# Indexing follows NumPy: integers drop an axis, slices keep it, a list of integers picks rows
# (repeats allowed), and a boolean mask picks the elements where it is true (a 1-D result).
# Every one of these is a differentiable `GetItem`: gradients flow back to the picked
# elements, and add up where an element was picked twice
# ([docs/derivations/indexing.md](../docs/derivations/indexing.md)).

# %%
print("x[0]        ", x[0])
print("x[:, 1]     ", x[:, 1])
print("x[1, 2]     ", x[1, 2].item())
print("x[1:, ::2]\n", x[1:, ::2])
print("x[[2, 0, 2]]\n", x[[2, 0, 2]])
print("x[x > 8]    ", x[x > 8])

# %% [markdown]
# ## Tensors like other tensors
#
# `zeros_like`, `ones_like` and `randn_like` make a new tensor with the **shape, dtype and
# device** of another. That is how model code stays device-agnostic: the VAE's
# reparameterisation draws its noise as `eps = mg.randn_like(std)`, so `eps` lands wherever
# `std` is, GPU or CPU, float32 or float64, without the model ever naming a device.

# %%
std = mg.tensor([[0.5, 2.0], [1.0, 0.1]], dtype=mg.float64)
eps = mg.randn_like(std)
for name, t in [("zeros_like", mg.zeros_like(std)), ("ones_like", mg.ones_like(std)),
                ("randn_like", eps)]:
    print(f"{name:10s} shape {t.shape} dtype {t.dtype} device {t.device}")
print(eps)

# %% [markdown]
# The random numbers come from a seeded generator per device: `mg.manual_seed(s)` makes
# every later draw reproducible.

# %%
mg.manual_seed(123)
first = mg.randn(3)
mg.manual_seed(123)
again = mg.randn(3)
print(first, again, "equal:", np.array_equal(first.numpy(), again.numpy()))

# %% [markdown]
# ## `nn.Linear`: $y = x W^{\mathsf T} + b$
#
# A linear layer with `in_features` inputs and `out_features` outputs holds a weight $W$ of
# shape `(out_features, in_features)` (PyTorch's layout) and a bias $b$ of shape
# `(out_features,)`. For a batch $x$ of shape `(N, in_features)`:
#
# $$y = x W^{\mathsf T} + b \qquad
# (N, \text{out}) = (N, \text{in})\,(\text{in}, \text{out}) + (\text{out},)$$
#
# Its parameters start uniform in $\pm 1/\sqrt{\text{in\_features}}$, PyTorch's default.
# The backward is derived in [docs/derivations/linear.md](../docs/derivations/linear.md).

# %%
mg.manual_seed(0)
linear = mg.nn.Linear(3, 2)
x = mg.tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])
y = linear(x)
print("weight", linear.weight.shape, "bias", linear.bias.shape, "-> y", y.shape)
print(y)
W, bias = linear.weight.numpy(), linear.bias.numpy()
by_hand = x.numpy() @ W.T + bias  # y = x W^T + b, in NumPy
print("same as x @ W.T + b:", np.allclose(y.numpy(), by_hand))
print(f"bound 1/sqrt(3) = {1 / np.sqrt(3):.4f}, largest |W| = {np.abs(W).max():.4f}")

# %% [markdown]
# `y` carries `grad_fn=<LinearBackward>`: it remembers the Function that made it, so a later
# `backward()` can find its way back to `linear.weight` and `linear.bias`. Lesson 2 follows
# that path by hand.
#
# ## `nn.ReLU`: $\max(x, 0)$, elementwise

# %%
relu = mg.nn.ReLU()
print(relu(mg.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])))

# %% [markdown]
# ## `nn.BatchNorm1d`: every feature to mean 0 and variance 1 over the batch
#
# In training mode, batch normalisation computes each feature's mean $\mu$ and (biased)
# variance $\sigma^2$ over the batch and outputs
#
# $$\hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta,$$
#
# with $\gamma = 1$, $\beta = 0$ at the start. Two features on wildly different scales come
# out on the same one: below, column 0 is $1, 2, 3, 4$ and column 1 is a hundred times
# larger, and both become $\pm 1.342, \pm 0.447$ (that is $\pm 1.5$ and $\pm 0.5$ divided by
# the standard deviation $\sqrt{1.25} = 1.118$).

# %%
bn = mg.nn.BatchNorm1d(2)
batch = mg.tensor([[1.0, 100.0], [2.0, 200.0], [3.0, 300.0], [4.0, 400.0]])
out = bn(batch)
print(out)
print("mean per feature:", out.numpy().mean(axis=0).round(6) + 0.0)  # + 0.0: no "-0."
print("std per feature: ", out.numpy().std(axis=0).round(4))

# %% [markdown]
# The layer also keeps **running statistics** for evaluation, moved 10% of the way
# (`momentum=0.1`) towards each training batch's statistics, from a start of mean 0 and
# variance 1. After this one batch:
#
# - `running_mean` $= 0.9 \cdot 0 + 0.1 \cdot (2.5, 250) = (0.25, 25)$;
# - `running_var` $= 0.9 \cdot 1 + 0.1 \cdot (1.667, 16667) = (1.067, 1667.6)$, with the
#   **unbiased** variance (divided by $N - 1 = 3$) of $(1, 2, 3, 4)$, which is $5/3$.
#
# Lesson 3 shows what these statistics are for.

# %%
print("running_mean:", bn.running_mean)
print("running_var: ", bn.running_var)

# %% [markdown]
# ## `nn.Sequential`: layers in a row
#
# `Sequential` calls its layers one after the other. Printing a module shows its tree;
# `parameters()` yields every trainable tensor of every layer, which is what an optimizer
# needs. Here: $3 \cdot 8 + 8 = 32$ for the first `Linear`, $8 + 8 = 16$ for the batchnorm's
# $\gamma$ and $\beta$, $8 + 1 = 9$ for the last `Linear`: 57 numbers.

# %%
mg.manual_seed(0)
model = mg.nn.Sequential(
    mg.nn.Linear(3, 8),
    mg.nn.BatchNorm1d(8),
    mg.nn.ReLU(),
    mg.nn.Linear(8, 1),
)
print(model)
for name, p in model.named_parameters():
    print(f"  {name:10s} {p.shape}")
print("parameters:", sum(p.numel() for p in model.parameters()))
print("output shape for a batch of 5:", model(mg.randn(5, 3)).shape)

# %% [markdown]
# ## `optim.Adam`: fitting a line
#
# A training step is always the same four lines: clear the old gradients, compute the loss,
# `backward()` to fill each parameter's `.grad`, and let the optimizer update the parameters.
# We fit a `Linear(3, 1)` to data made by $y = 2 x_1 - 3 x_2 + 0.5 x_3 + 1$ with the mean
# squared error.
#
# Adam keeps running averages of each parameter's gradient $g$ and of $g^2$, and divides one
# by the square root of the other ([docs/derivations/adam.md](../docs/derivations/adam.md)).
# At the first step both averages are exactly $g$ and $g^2$ after bias correction, so the
# update is $\text{lr} \cdot g / \sqrt{g^2} = \text{lr} \cdot \operatorname{sign}(g)$: **every
# parameter moves by the learning rate**, whatever the size of its gradient. Let us check.

# %%
mg.manual_seed(0)
X = mg.randn(64, 3)
true_w, true_b = mg.tensor([[2.0, -3.0, 0.5]]), 1.0
Y = X @ true_w.T + true_b

line = mg.nn.Linear(3, 1)
opt = mg.optim.Adam(line.parameters(), lr=0.1)

before = [p.numpy().copy() for p in line.parameters()]
opt.zero_grad()
loss = F.mse_loss(line(X), Y)
loss.backward()
grads = [p.grad.numpy().copy() for p in line.parameters()]
opt.step()
for (name, p), old, g in zip(line.named_parameters(), before, grads, strict=True):
    change = p.numpy() - old
    print(f"{name:6s} grad {g.ravel().round(3)}  change {change.ravel().round(6)}")

# %% [markdown]
# Each parameter changed by exactly $0.1$ (up to Adam's $\epsilon = 10^{-8}$), with the sign
# opposite to its gradient's. Now the full loop.

# %%
steps = 160 if FAST else 300  # both far past convergence; FAST only trims
losses = [loss.item()]
for step in range(1, steps):
    opt.zero_grad()  # gradients accumulate: clear last step's
    loss = F.mse_loss(line(X), Y)  # forward
    loss.backward()  # fills line.weight.grad and line.bias.grad
    opt.step()  # updates line.weight and line.bias in place
    losses.append(loss.item())
    if step % (steps // 4) == 0:
        print(f"step {step:3d}  loss {loss.item():.3g}")
print("learned weight", line.weight.numpy().round(3), "bias", line.bias.numpy().round(3))
print("true    weight", true_w.numpy(), "bias", true_b)

# %%
fig = new_figure(5, 3)
ax = fig.add_subplot()
ax.semilogy(losses)
ax.set_xlabel("step")
ax.set_ylabel("mean squared error")
ax.set_title("Adam fitting $y = 2x_1 - 3x_2 + 0.5x_3 + 1$")
ax.grid(True, alpha=0.3)
save(fig, "01_adam_loss.png")

# %% [markdown]
# The loss falls by orders of magnitude: the data were made by a line, so a line fits them
# exactly, and the learned weights are the true ones.
#
# ## Exercises
#
# 1. What dtype do `mg.tensor(np.zeros(3))` and `mg.tensor([0.0, 0.0, 0.0])` have? What
#    happens when you pass the first to `mg.nn.Linear(3, 1)`, and what are the two fixes?
# 2. `images` is a batch of shape `(64, 1, 28, 28)` somewhere, on some device, in some dtype.
#    Write one line that draws standard normal noise of the same shape, dtype and device,
#    without naming a device.
# 3. With `x = mg.arange(12).reshape(3, 4)`, predict `x[1:, ::2]`, `x[[0, 0]].shape` and
#    `x[:, -1]` before you run them.
# 4. Call the `BatchNorm1d(2)` above on a batch of one row, `mg.tensor([[1.0, 2.0]])`. What
#    happens, and why? What changes after `bn.eval()`?
# 5. Multiply the loss by 1000 before `backward()` in Adam's first step. How far does each
#    parameter move now? How far would it move with `mg.optim.SGD(..., lr=0.1)`?

# %% [markdown]
# ## Answers
#
# 1. `float64` (a NumPy array keeps NumPy's default) and `float32` (Python floats). The layer
#    refuses the float64 input with a `TypeError` that names both fixes: `.float()` on the
#    input, or `.double()` on the layer.
# 2. `mg.randn_like(images)`, or `mg.randn(images.shape, dtype=images.dtype, device=images.device)`.
# 3. `[[4, 6], [8, 10]]`; `(2, 4)`; `[3, 7, 11]`.
# 4. In training mode it raises `ValueError: ... expected more than 1 value per channel when
#    training`: the variance of one value is 0, so $\hat x$ would be $0/\sqrt{\epsilon}$ for
#    every input, and the running variance would learn nothing. After `bn.eval()` it uses the
#    running statistics and works on any batch size, even one sample.
# 5. Still by $0.1$: Adam's first step is $\text{lr} \cdot \operatorname{sign}(g)$, and scaling
#    $g$ does not change its sign. SGD moves by $\text{lr} \cdot g$, a thousand times farther
#    than before: learning rates for SGD depend on the scale of the loss, Adam's much less.
