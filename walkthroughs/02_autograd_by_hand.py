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
# # 2. Autograd by hand
#
# `loss.backward()` fills every parameter's `.grad`. In this lesson we compute the same
# numbers ourselves, on paper and in NumPy, for a two-layer network with a binary
# cross-entropy loss, and check that they agree with `backward()` to the last digits. Then we
# meet the tool that checks any backward without paper, `mg.gradcheck`, and watch it catch a
# deliberately wrong one. Along the way minigen draws the computation graph that `backward()`
# walks.
#
# Background: [docs/engine.md](../docs/engine.md) (the graph and the backward walk) and
# [docs/derivations/README.md](../docs/derivations/README.md) (the one rule every backward
# follows). Figures go to `$MINIGEN_FIGURES` (default `walkthroughs/figures/`).

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
from minigen.backend.array_module import get_array_module
from minigen.viz.graph import draw_graph
from minigen.viz.lesson import check_exercise, figures_folder
from minigen.viz.lesson import show_file as show

FAST = os.environ.get("MINIGEN_FAST") == "1"  # nothing here is slow; kept for uniformity
FIGURES = figures_folder(globals().get("__file__"))  # $MINIGEN_FIGURES, else figures/ here

# %% [markdown]
# ## The graph `backward()` walks
#
# Every operation on tensors that require grad records a `Function` as its output's
# `grad_fn`, and every Function keeps its input tensors. Following `grad_fn` → `inputs` →
# `grad_fn` ... from the loss reaches every leaf. `minigen.viz.graph.draw_graph` follows
# exactly those two fields and draws what it finds with matplotlib (no graphviz needed).
#
# First the worked example of [docs/engine.md](../docs/engine.md): $L = \sum_i (x_i w_i + x_i)$.
# Note that `x` feeds two Functions: its gradient is the sum of both paths, $w + 1$.

# %%
x = mg.tensor([1.0, 2.0], requires_grad=True)
w = mg.tensor([3.0, -1.0], requires_grad=True)
L = (x * w + x).sum()
show(draw_graph(L, FIGURES / "02_graph_engine_example.png", names={"x": x, "w": w, "L": L},
                title="L = sum(x * w + x)"))
L.backward()
print("x.grad", x.grad, "= w + 1;  w.grad", w.grad, "= x")

# %% [markdown]
# Draw the graph **before** `backward()`: as it goes, backward frees each Function's saved
# inputs (their memory can go), so afterwards there is nothing left to walk, and `draw_graph`
# says so. `backward(retain_graph=True)` keeps the graph.

# %%
try:
    draw_graph(L, FIGURES / "unused.png")
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## The network and its loss
#
# $N = 8$ points with $D = 3$ features and labels $y_n \in \{0, 1\}$; a hidden layer of
# $H = 4$ ReLU units; one output logit per point. Everything is float64, so that the
# comparisons below are exact to about 15 digits.
#
# $$A = X W_1^{\mathsf T} + b_1, \qquad h = \operatorname{relu}(A), \qquad
# z = h W_2^{\mathsf T} + b_2, \qquad p = \sigma(z) = \frac{1}{1 + e^{-z}}$$
#
# $$L = \frac{1}{N} \sum_{n=1}^{N} \ell_n, \qquad
# \ell_n = -\big(y_n \log p_n + (1 - y_n) \log(1 - p_n)\big)$$
#
# | symbol | shape | | symbol | shape |
# |---|---|---|---|---|
# | $X$ | $(N, D) = (8, 3)$ | | $W_1$ | $(H, D) = (4, 3)$ |
# | $A, h$ | $(N, H) = (8, 4)$ | | $b_1$ | $(4,)$ |
# | $z, p, y$ | $(N, 1) = (8, 1)$ | | $W_2$ | $(1, H) = (1, 4)$ |
# | $L$ | $()$ | | $b_2$ | $(1,)$ |
#
# In minigen the loss is `F.binary_cross_entropy_with_logits(z, y)`: the same $L$, computed
# from the logit $z$ in a form that cannot overflow
# ([docs/derivations/bce_with_logits.md](../docs/derivations/bce_with_logits.md)).

# %%
N, D, H = 8, 3, 4
rng = np.random.default_rng(0)
X = mg.tensor(rng.standard_normal((N, D)))  # NumPy arrays keep float64
y = mg.tensor(rng.integers(0, 2, size=(N, 1)).astype(np.float64))
W1 = mg.tensor(rng.standard_normal((H, D)), requires_grad=True)
b1 = mg.tensor(rng.standard_normal(H) * 0.1, requires_grad=True)
W2 = mg.tensor(rng.standard_normal((1, H)), requires_grad=True)
b2 = mg.tensor(rng.standard_normal(1) * 0.1, requires_grad=True)


def network_loss(W1, b1, W2, b2):
    A = X @ W1.T + b1  # A = X W1^T + b1
    h = mg.relu(A)  # h = relu(A)
    z = h @ W2.T + b2  # z = h W2^T + b2
    return F.binary_cross_entropy_with_logits(z, y)  # L = mean of l_n(sigma(z_n), y_n)


loss = network_loss(W1, b1, W2, b2)
print("loss", loss.item(), "| dtype", loss.dtype)
names = {"X": X, "y": y, "W1": W1, "b1": b1, "W2": W2, "b2": b2, "loss": loss}
show(draw_graph(loss, FIGURES / "02_graph_two_layer.png", names=names,
                title="two-layer network, BCE loss"))

# %% [markdown]
# Read the picture from left to right as the forward pass, and from right to left as the
# backward pass. Blue leaves require grad and will receive `.grad`; grey ones ($X$, $y$) do
# not. `.T` is a `Permute` Function of its own. `backward()` visits the yellow Functions in
# reverse order, from the loss (`BinaryCrossEntropyWithLogits`, which also takes the mean, as
# PyTorch's loss does) back to the first `MatMul` and the `Permute` of $W_1$, each turning the
# gradient of its output into gradients of its inputs.
#
# ## The backward pass on paper
#
# We go through the graph from right to left. Write $\bar v = \partial L / \partial v$, with
# the shape of $v$.
#
# **The loss and the sigmoid.** For one point,
# $\frac{d\ell}{dp} = -\frac{y}{p} + \frac{1 - y}{1 - p} = \frac{p - y}{p (1 - p)}$, and the
# sigmoid's derivative is $\frac{dp}{dz} = \sigma(z)(1 - \sigma(z)) = p (1 - p)$. The product
# cancels the denominator, and the mean over $N$ points divides by $N$:
#
# $$\bar z_n = \frac{1}{N} \frac{d\ell_n}{dp_n} \frac{dp_n}{dz_n} = \frac{p_n - y_n}{N}.$$
#
# **The output layer** $z_n = \sum_j h_{nj} W_{2,j} + b_2$. Each weight $W_{2,j}$ meets every
# point, multiplied by $h_{nj}$; the bias meets every point, multiplied by 1; and $h_{nj}$
# meets $z_n$ only, multiplied by $W_{2,j}$
# ([docs/derivations/linear.md](../docs/derivations/linear.md)):
#
# $$\bar W_2 = \bar z^{\mathsf T} h \quad (1, H), \qquad
# \bar b_2 = \sum_n \bar z_n \quad (1,), \qquad
# \bar h = \bar z\, W_2 \quad (N, H).$$
#
# **The ReLU** passes the gradient where its input was positive and blocks it elsewhere
# ([docs/derivations/activations.md](../docs/derivations/activations.md)):
#
# $$\bar A = \bar h \odot [A > 0].$$
#
# **The hidden layer**, the same rule as the output layer:
#
# $$\bar W_1 = \bar A^{\mathsf T} X \quad (H, D), \qquad \bar b_1 = \sum_n \bar A_n \quad (H,).$$
#
# ## The same computation in NumPy
#
# Each line is one equation above; the forward pass keeps $A$, $h$ and $p$ because the
# backward needs them, exactly as a `Function` keeps what its `backward` needs.

# %%
Xn, yn = X.numpy(), y.numpy()
W1n, b1n, W2n, b2n = (t.numpy() for t in (W1, b1, W2, b2))

A = Xn @ W1n.T + b1n  # A = X W1^T + b1
h = np.maximum(A, 0)  # h = relu(A)
z = h @ W2n.T + b2n  # z = h W2^T + b2
p = 1 / (1 + np.exp(-z))  # p = sigma(z)
L_by_hand = -np.mean(yn * np.log(p) + (1 - yn) * np.log(1 - p))

gz = (p - yn) / N  # z_bar = (p - y) / N
gW2 = gz.T @ h  # W2_bar = z_bar^T h
gb2 = gz.sum(axis=0)  # b2_bar = sum_n z_bar_n
gh = gz @ W2n  # h_bar = z_bar W2
gA = gh * (A > 0)  # A_bar = h_bar * [A > 0]
gW1 = gA.T @ Xn  # W1_bar = A_bar^T X
gb1 = gA.sum(axis=0)  # b1_bar = sum_n A_bar_n

print(f"loss by hand {L_by_hand:.15f}\nloss minigen {loss.item():.15f}")

# %% [markdown]
# ## Compare with `backward()`

# %%
loss.backward()
by_hand = {"W1": gW1, "b1": gb1, "W2": gW2, "b2": gb2}
for name, t in [("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)]:
    difference = np.abs(t.grad.numpy() - by_hand[name]).max()
    print(f"{name}: shape {t.grad.shape!s:7s} largest |backward - by hand| = {difference:.1e}")
    assert difference < 1e-12
print("W2.grad", W2.grad)
print("by hand", gW2)

# %% [markdown]
# The two agree to about $10^{-16}$, the rounding of float64: `backward()` does the same
# arithmetic as our NumPy lines, only organised as one small `backward` per Function.
#
# ## `mg.gradcheck`: checking a backward without paper
#
# Deriving by hand does not scale. `mg.gradcheck(fn, inputs)` checks a backward against the
# definition of the derivative instead: it nudges each input element by $\pm\epsilon$ and
# measures the change of the output,
#
# $$\frac{\partial L}{\partial \theta_j} \approx
# \frac{L(\theta + \epsilon e_j) - L(\theta - \epsilon e_j)}{2 \epsilon}, \qquad
# \epsilon = 10^{-6},$$
#
# with an error of order $\epsilon^2$. Here that is 21 parameters, 42 forward passes. It
# returns `True`, or raises `GradcheckError` with a report
# ([docs/engine.md](../docs/engine.md#gradient-checking-mggradcheck) explains the details).

# %%
print("gradcheck of the whole network:", mg.gradcheck(network_loss, [W1, b1, W2, b2]))

# %% [markdown]
# One caveat: at a kink, such as a ReLU input of exactly 0, a central difference straddles
# two slopes and measures their average. Random inputs stay away from kinks: none of the 32
# entries of $A$ here is anywhere near 0 on the scale of $\epsilon = 10^{-6}$.

# %%
print(f"smallest |A| = {np.abs(A).min():.3g}")

# %% [markdown]
# gradcheck insists on float64. In float32 the rounding error of $L(\theta \pm \epsilon e_j)$,
# about $6 \cdot 10^{-8} |L|$, divided by $2 \epsilon$ is of order 0.03: noise as large as many
# gradients.

# %%
try:
    mg.gradcheck(lambda t: (t * t).sum(), [mg.randn(3, requires_grad=True)])  # float32
except ValueError as error:
    print("ValueError:", error)

# %% [markdown]
# ## Writing a Function, and getting its backward wrong
#
# A `Function` is a forward and a backward on raw arrays ([docs/engine.md](../docs/engine.md)).
# Here is the sigmoid written as one: the forward keeps its output $p$, because the
# derivative $p(1 - p)$ needs only that. `get_array_module` returns NumPy for a CPU array and
# CuPy for a GPU one, so the same code serves both devices.

# %%
class Sigmoid(mg.Function):
    """p = 1 / (1 + e^{-z});  dp/dz = p (1 - p)."""

    def forward(self, z):
        xp = get_array_module(z)
        self.p = 1 / (1 + xp.exp(-z))
        return self.p

    def backward(self, gp):
        return gp * self.p * (1 - self.p)  # z_bar = p_bar * p (1 - p)


class BuggySigmoid(Sigmoid):
    """The same forward; a backward that forgot the factor (1 - p)."""

    def backward(self, gp):
        return gp * self.p  # wrong: should be gp * p * (1 - p)


z0 = mg.tensor([-2.0, -0.5, 0.0, 1.0, 3.0], dtype=mg.float64, requires_grad=True)
print("Sigmoid passes:", mg.gradcheck(Sigmoid.apply, [z0]))
try:
    mg.gradcheck(BuggySigmoid.apply, [z0])
except mg.GradcheckError as error:
    report = str(error)
    print("BuggySigmoid fails:\n" + report)

# %% [markdown]
# Read the report: which input (0, of shape (5,)), how many elements disagree, and the worst
# one with both values. We can predict every number in it. The output is a vector, so
# gradcheck differentiates $L = \sum_i v_i p_i$ with a fixed random $v$ (drawn from
# `np.random.default_rng(0)`, its default seed). Then the true gradient is
# $v_i p_i (1 - p_i)$ and the buggy one $v_i p_i$: their ratio is $1 - p_i$, and the
# relative error is $\frac{v_i p_i - v_i p_i (1 - p_i)}{v_i p_i (1 - p_i)} = \frac{p_i}{1 - p_i}$.
# An element fails when the error exceeds $10^{-5} + 10^{-3}\,|\text{numeric}|$, and the
# report names the one that exceeds it most.

# %%
v = np.random.default_rng(0).standard_normal(5)  # gradcheck's upstream gradient
s = 1 / (1 + np.exp(-z0.numpy()))
analytic, numeric = v * s, v * s * (1 - s)
error = np.abs(analytic - numeric)
allowed = 1e-5 + 1e-3 * np.abs(numeric)
worst = int(np.argmax(error - allowed))
print(f"failing elements: {int(np.sum(error > allowed))} of 5; worst at index ({worst},)")
print(f"analytic {analytic[worst]:.8g}, numeric {numeric[worst]:.8g}, "
      f"rel err {s[worst] / (1 - s[worst]):.3g} = p/(1-p) at z = {z0.numpy()[worst]}")
assert f"analytic {analytic[worst]:.8g}" in report and f"numeric {numeric[worst]:.8g}" in report

# %% [markdown]
# The prediction matches the report. In a whole network the same bug is caught too, but the
# report can only say that the gradient of some parameter is wrong, not which Function is to
# blame: check each Function alone first, as minigen's test suite does for every one of its
# Functions (`tests/test_gradcheck.py`). Here the network's head is rebuilt from our
# sigmoid and `F.binary_cross_entropy` on probabilities.

# %%
def network_loss_with(sigmoid):
    def loss_fn(W1, b1, W2, b2):
        z = mg.relu(X @ W1.T + b1) @ W2.T + b2
        return F.binary_cross_entropy(sigmoid.apply(z), y)

    return loss_fn


print("with Sigmoid:", mg.gradcheck(network_loss_with(Sigmoid), [W1, b1, W2, b2]))
try:
    mg.gradcheck(network_loss_with(BuggySigmoid), [W1, b1, W2, b2])
except mg.GradcheckError as error:
    print("with BuggySigmoid:\n" + str(error))

# %% [markdown]
# ## Changing tensors in place: the rules PyTorch (and minigen) enforce
#
# The hand-written training loop of every course updates the weights **in place**:
#
# ```python
# with torch.no_grad():
#     w -= lr * w.grad
# ```
#
# `w -= ...` calls `w.sub_(...)`: the tensor object the model holds is changed, not replaced.
# Four rules make that safe, and minigen has PyTorch's:
#
# 1. A leaf that requires grad may change in place only under `no_grad` (otherwise the
#    gradient would be taken at a value that no longer exists).
# 2. `w.data` is the same memory without history: writes through it are not seen by autograd.
# 3. Each tensor counts its in-place writes (`w._version`). A backward that needs a value
#    that was overwritten after the forward saved it stops, instead of returning a wrong
#    gradient.
# 4. `requires_grad` is read when an operation **runs**: freezing or unfreezing a weight
#    after the forward changes nothing for that graph.

# %%
w = mg.tensor([1.0, -2.0], requires_grad=True)
model_holds = w
(w * w).sum().backward()  # d/dw sum(w^2) = 2w
with mg.no_grad():
    w -= 0.25 * w.grad
print("same object:", w is model_holds, "| new values:", w.tolist(), "| version:", w._version)
assert w is model_holds and w.tolist() == [0.5, -1.0]

try:
    w.add_(1.0)  # rule 1: outside no_grad
except Exception as error:
    print(type(error).__name__ + ":", str(error).split(".")[0])

w.data.mul_(2)  # rule 2: allowed, untracked; the version does not move
print("after w.data.mul_(2):", w.tolist(), "| version:", w._version)

# %% [markdown]
# Rule 3 in action: `exp` keeps its output for its backward ($(e^x)' = e^x$). Doubling that
# output in place would make the backward multiply by the wrong number, so it refuses.

# %%
a = mg.tensor([0.0, 1.0], requires_grad=True)
e = a.exp()
loss_e = e.sum()
e.mul_(2)  # e is not a leaf: the write is allowed, and recorded in the graph
try:
    loss_e.backward()
except Exception as error:
    print(type(error).__name__ + ":", str(error)[:150], "...")

# %% [markdown]
# Rule 4 is what the GAN recipe (lesson 5, step 6) relies on: $D$ is frozen while it scores
# the fakes for $G$'s loss and unfrozen straight after, before `backward()`. The graph was
# built without edges to $D$'s weights, so they get no gradient at all, and no time is spent
# computing one.

# %%
D_w = mg.tensor([0.5, 0.5], requires_grad=True)  # stands for D's weights
G_out = mg.tensor([1.0, 2.0], requires_grad=True)  # stands for G's fakes
D_w.requires_grad_(False)
score = (D_w * G_out).sum()  # the forward runs while D is frozen
D_w.requires_grad_(True)  # unfrozen before backward: too late for this graph
score.backward()
print("D's gradient:", D_w.grad, "| G's gradient:", G_out.grad.tolist())
assert D_w.grad is None and G_out.grad.tolist() == [0.5, 0.5]

# %% [markdown]
# ## Implement it: the backward of `Linear`
#
# Your turn, in the style of Stanford's CS231n: the cell below is a skeleton, you write the
# body, and the cell after it checks your answer. Write the backward of a linear layer,
# $y = x W^{\mathsf T} + b$ with $x$ of shape $(N, \text{in})$ and $W$ of shape
# $(\text{out}, \text{in})$: given $\bar y = \partial L / \partial y$ of shape
# $(N, \text{out})$, return $\bar x$, $\bar W$ and $\bar b$, each with the shape of its
# variable. The output layer above is the case $\text{out} = 1$; three lines of NumPy. (The
# answer is in [solutions/02_autograd_by_hand.py](solutions/02_autograd_by_hand.py): try
# first.)

# %% tags=["exercise"]
def linear_backward(x, W, grad_y):
    """(grad_x, grad_W, grad_b) of y = x @ W.T + b, from grad_y = dL/dy of shape (N, out)."""
    # YOUR CODE HERE: replace the next line by the three gradients.
    raise NotImplementedError


# %% [markdown]
# The check compares your three arrays with the engine's backward of the same layer, on the
# same float64 numbers. Both sides do the same products, so the relative error (CS231n's:
# $\max |a - b| / (|a| + |b|)$, elementwise) should be about $10^{-16}$, the rounding of
# float64; anything above $10^{-12}$ is a bug. Then `mg.gradcheck` checks your backward
# against central differences, wrapped in a `Function` as `Sigmoid` was above. Your NumPy
# code runs on the host, so the check uses `device="cpu"` whatever the default device is.

# %% tags=["check"]
class YourLinear(mg.Function):
    """y = x W^T + b, with your backward."""

    def forward(self, x, W, b):
        self.x, self.W = x, W
        return x @ W.T + b

    def backward(self, grad_y):
        return linear_backward(self.x, self.W, grad_y)


def compare_linear_backward():
    rng = np.random.default_rng(1)
    x, W, b = rng.standard_normal((5, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)
    grad_y = rng.standard_normal((5, 3))
    yours = linear_backward(x, W, grad_y)
    leaves = [mg.tensor(a, device="cpu", requires_grad=True) for a in (x, W, b)]
    F.linear(*leaves).backward(mg.tensor(grad_y, device="cpu"))  # the engine's backward
    pairs = {f"{name} vs the engine": (mine, leaf.grad.numpy())
             for name, mine, leaf in zip(("grad_x", "grad_W", "grad_b"), yours, leaves, strict=True)}
    try:
        print("mg.gradcheck of YourLinear:", mg.gradcheck(YourLinear.apply, leaves))
    except mg.GradcheckError as error:
        print("mg.gradcheck of YourLinear fails:\n" + str(error))
    return pairs


check_exercise("Linear backward", compare_linear_backward, expected=1e-12)

# %% [markdown]
# ## Exercises
#
# 1. Change the loss from the mean over points to the sum (`reduction="sum"`). How does every
#    gradient change? Predict, then check with `backward()`.
# 2. Derive $\bar X$, the gradient with respect to the input, add it to the NumPy code, and
#    check it: make `X` require grad before the forward pass and compare with `X.grad`.
# 3. The graph picture shows `.T` as a `Permute`. What must `Permute`'s backward do? Check
#    your answer in [docs/derivations/shape.md](../docs/derivations/shape.md).
# 4. Write `Softplus(mg.Function)` for $\log(1 + e^x)$. Its derivative is $\sigma(x)$: which
#    array should the forward keep? Check it with `mg.gradcheck`, then break it on purpose and
#    predict the report.
# 5. Why is `mg.gradcheck(mg.relu, [mg.tensor([0.0], dtype=mg.float64, requires_grad=True)])`
#    a bad test, whatever it prints?
# 6. Call `loss.backward()` a second time on the same loss. What happens, and why?

# %% [markdown]
# ## Answers
#
# 1. $\bar z_n = p_n - y_n$ loses its $1/N$, and every gradient downstream is a linear image
#    of $\bar z$: all of them are multiplied by $N = 8$.
# 2. $A = X W_1^{\mathsf T} + b_1$ gives $\bar X = \bar A\, W_1$ (shape $(N, D)$):
#    `gX = gA @ W1n`. With `X.requires_grad_()` before `network_loss`, `X.grad` matches it.
# 3. Move every gradient element back to where its input element was: apply the inverse
#    permutation (for a transpose, the same transpose again).
# 4. Keep $\sigma(x)$ (or $e^{-|x|}$, as minigen's BCE does), and return `gy * sigmoid`.
#    Returning, say, `gy * x` fails with a report whose analytic value is $v_i x_i$ and numeric
#    value $v_i \sigma(x_i)$.
# 5. 0 is ReLU's kink: the central difference measures $(\epsilon - 0)/(2\epsilon) = 0.5$, the
#    average of the two slopes, while the backward returns a convention (0, as PyTorch). It
#    fails, though neither side is wrong. Test away from kinks, and test the convention with
#    exact values.
# 6. A `GradError`: "trying to backward through the graph a second time". The first backward
#    freed every Function's saved arrays; use `backward(retain_graph=True)` the first time if
#    you need a second pass.
