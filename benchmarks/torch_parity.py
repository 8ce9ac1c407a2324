"""Do minigen's layers and losses give PyTorch's numbers? Forward and every gradient, in float64.

Each case builds the layer in both libraries with the same weights (minigen's state_dict loaded
into PyTorch with strict=True, which also proves the parameter and buffer names match), runs
forward and backward on the same float64 input with the same upstream gradient, and prints the
largest absolute difference of the output and of each gradient. Exits 1 if any exceeds the
tolerance (1e-10; the expected size is ~1e-15 to 1e-13, float64 rounding).

    python benchmarks/torch_parity.py

Needs PyTorch (``pip install torch``); it is not a dependency of minigen.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import torch
except ImportError:  # pragma: no cover - the script is meaningless without torch
    print("torch_parity: PyTorch is not installed (pip install torch); nothing to compare")
    sys.exit(0)

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F

TOLERANCE = 1e-10
RESULTS: list[tuple[str, str, float]] = []


def to_torch(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.array(a), dtype=torch.float64, requires_grad=grad)


def record(case: str, what: str, ours: Any, theirs: Any) -> None:
    a = ours.numpy() if isinstance(ours, mg.Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    if a.shape != b.shape:
        RESULTS.append((case, f"{what} SHAPE {a.shape} vs {b.shape}", float("inf")))
        return
    diff = float(np.max(np.abs(a - b))) if a.size else 0.0
    RESULTS.append((case, what, diff))


def compare_layer(
    name: str,
    ours: nn.Module,
    theirs: torch.nn.Module,
    shape: tuple[int, ...],
    train: bool = True,
    steps: int = 1,
    seed: int = 0,
) -> None:
    """Same weights, same input, same upstream gradient; compare output and all gradients."""
    rng = np.random.default_rng(seed)
    ours.double().train(train)
    theirs.double().train(train)
    state = {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(state, strict=True)
    for step in range(steps):
        x = rng.standard_normal(shape)
        xm = mg.tensor(x, dtype=mg.float64, requires_grad=True)
        xt = to_torch(x, grad=True)
        ours.zero_grad()
        theirs.zero_grad()
        ym, yt = ours(xm), theirs(xt)
        g = rng.standard_normal(yt.shape)
        ym.backward(mg.tensor(g, dtype=mg.float64))
        yt.backward(to_torch(g))
        tag = f"{name}" + (f" step {step}" if steps > 1 else "")
        record(tag, "output", ym, yt)
        record(tag, "d input", xm.grad, xt.grad)
    params_t = dict(theirs.named_parameters())
    for pname, p in ours.named_parameters():
        record(name, f"d {pname}", p.grad, params_t[pname].grad)
    buffers_t = dict(theirs.named_buffers())
    for bname, b in ours.named_buffers():
        record(name, bname, b, buffers_t[bname])


def compare_fn(
    name: str,
    ours: Callable[..., mg.Tensor],
    theirs: Callable[..., torch.Tensor],
    inputs: list[np.ndarray],
    needs_grad: list[bool],
    seed: int = 0,
) -> None:
    rng = np.random.default_rng(seed)
    xs_m = [
        mg.tensor(a, dtype=mg.float64, requires_grad=r)
        for a, r in zip(inputs, needs_grad, strict=True)
    ]
    xs_t = [to_torch(a, grad=r) for a, r in zip(inputs, needs_grad, strict=True)]
    ym, yt = ours(*xs_m), theirs(*xs_t)
    g = rng.standard_normal(yt.shape)
    ym.backward(mg.tensor(g, dtype=mg.float64))
    yt.backward(to_torch(g))
    record(name, "output", ym, yt)
    for i, (a, b) in enumerate(zip(xs_m, xs_t, strict=True)):
        if a.requires_grad:
            record(name, f"d input {i}", a.grad, b.grad)


def layers() -> None:
    T = torch.nn
    compare_layer("Linear(7, 5)", nn.Linear(7, 5), T.Linear(7, 5), (6, 7))
    compare_layer("Linear(7, 5) on (2, 3, 7)", nn.Linear(7, 5), T.Linear(7, 5), (2, 3, 7))
    compare_layer(
        "Linear(7, 5, bias=False)", nn.Linear(7, 5, bias=False), T.Linear(7, 5, bias=False), (4, 7)
    )
    for k, s, p, shape in [
        (3, 1, 1, (2, 3, 9, 7)),
        (4, 2, 1, (3, 4, 14, 11)),
        ((3, 2), (2, 1), (0, 1), (2, 3, 8, 6)),
        (5, 3, 2, (2, 2, 13, 10)),
        (1, 1, 0, (2, 5, 4, 3)),
    ]:
        c_in = shape[1]
        compare_layer(
            f"Conv2d({c_in}, 6, k={k}, s={s}, p={p}) on {shape}",
            nn.Conv2d(c_in, 6, k, s, p),
            T.Conv2d(c_in, 6, k, s, p),
            shape,
        )
    compare_layer(
        "Conv2d(3, 4, 3, bias=False)",
        nn.Conv2d(3, 4, 3, bias=False),
        T.Conv2d(3, 4, 3, bias=False),
        (2, 3, 6, 5),
    )
    compare_layer("Conv2d(3, 4, 3) unbatched", nn.Conv2d(3, 4, 3), T.Conv2d(3, 4, 3), (3, 6, 5))
    # The models' layers at full width: their input gradients take the sub-pixel path.
    compare_layer("Conv2d(64, 128, 4, 2, 1) (DCGAN's D)", nn.Conv2d(64, 128, 4, 2, 1),
                  T.Conv2d(64, 128, 4, 2, 1), (2, 64, 14, 14))
    compare_layer("Conv2d(32, 64, 4, 2, 1) (ConvVAE's encoder)", nn.Conv2d(32, 64, 4, 2, 1),
                  T.Conv2d(32, 64, 4, 2, 1), (2, 32, 14, 14))
    for k, s, p, op, shape in [
        (4, 2, 1, 0, (2, 6, 7, 5)),
        (3, 2, 1, 1, (2, 4, 5, 6)),
        ((3, 4), (3, 2), (1, 0), (2, 1), (2, 3, 4, 5)),
        (3, 1, 0, 0, (2, 3, 4, 4)),
        (5, 3, 2, 2, (1, 2, 3, 4)),
    ]:
        c_in = shape[1]
        compare_layer(
            f"ConvTranspose2d({c_in}, 5, k={k}, s={s}, p={p}, op={op}) on {shape}",
            nn.ConvTranspose2d(c_in, 5, k, s, p, op),
            T.ConvTranspose2d(c_in, 5, k, s, p, op),
            shape,
        )
    compare_layer(
        "ConvTranspose2d(4, 3, 4, 2, 1, bias=False)",
        nn.ConvTranspose2d(4, 3, 4, 2, 1, bias=False),
        T.ConvTranspose2d(4, 3, 4, 2, 1, bias=False),
        (2, 4, 5, 5),
    )
    # The models' transposed convolutions at full width: their forwards take the sub-pixel path.
    compare_layer("ConvTranspose2d(256, 128, 4, 2, 1) (DCGAN's G)",
                  nn.ConvTranspose2d(256, 128, 4, 2, 1), T.ConvTranspose2d(256, 128, 4, 2, 1),
                  (2, 256, 7, 7))
    compare_layer("ConvTranspose2d(64, 32, 4, 2, 1) (ConvVAE's decoder)",
                  nn.ConvTranspose2d(64, 32, 4, 2, 1), T.ConvTranspose2d(64, 32, 4, 2, 1),
                  (2, 64, 7, 7))
    compare_layer("ConvTranspose2d(100, 256, 7, 1, 0) (one window)",
                  nn.ConvTranspose2d(100, 256, 7, 1, 0), T.ConvTranspose2d(100, 256, 7, 1, 0),
                  (2, 100, 1, 1))
    compare_layer(
        "BatchNorm1d(5) train, 3 steps", nn.BatchNorm1d(5), T.BatchNorm1d(5), (8, 5), steps=3
    )
    compare_layer(
        "BatchNorm1d(4) on (N, C, L) train", nn.BatchNorm1d(4), T.BatchNorm1d(4), (6, 4, 3), steps=2
    )
    compare_layer(
        "BatchNorm2d(3) train, 3 steps", nn.BatchNorm2d(3), T.BatchNorm2d(3), (4, 3, 5, 6), steps=3
    )
    bn_m, bn_t = nn.BatchNorm2d(3), T.BatchNorm2d(3)
    with mg.no_grad():  # eval mode with non-trivial running statistics and affine parameters
        bn_m.running_mean.array = np.array([0.3, -0.2, 1.0])
        bn_m.running_var.array = np.array([0.5, 2.0, 1.5])
        bn_m.weight.array = np.array([1.5, -0.7, 0.9])
        bn_m.bias.array = np.array([0.1, 0.2, -0.3])
    compare_layer("BatchNorm2d(3) eval", bn_m, bn_t, (4, 3, 5, 6), train=False)
    compare_layer(
        "BatchNorm2d(3, affine=False) train",
        nn.BatchNorm2d(3, affine=False),
        T.BatchNorm2d(3, affine=False),
        (4, 3, 2, 2),
        steps=2,
    )
    compare_layer(
        "BatchNorm1d(3, momentum=None) train",
        nn.BatchNorm1d(3, momentum=None),
        T.BatchNorm1d(3, momentum=None),
        (5, 3),
        steps=3,
    )
    compare_layer("ReLU", nn.ReLU(), T.ReLU(), (5, 6))
    compare_layer("LeakyReLU(0.2)", nn.LeakyReLU(0.2), T.LeakyReLU(0.2), (5, 6))
    compare_layer("Tanh", nn.Tanh(), T.Tanh(), (5, 6))
    compare_layer("Sigmoid", nn.Sigmoid(), T.Sigmoid(), (5, 6))
    compare_layer("Flatten", nn.Flatten(), T.Flatten(), (2, 3, 4, 5))
    compare_layer("Unflatten(1, (3, 4))", nn.Unflatten(1, (3, 4)), T.Unflatten(1, (3, 4)), (2, 12))
    compare_layer("Dropout eval", nn.Dropout(0.5), T.Dropout(0.5), (4, 5), train=False)
    emb_m, emb_t = nn.Embedding(10, 4).double(), T.Embedding(10, 4).double()
    emb_t.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in emb_m.state_dict().items()}
    )
    idx = np.array([[1, 3, 3], [9, 0, 1]])
    ym, yt = emb_m(mg.tensor(idx)), emb_t(torch.from_numpy(idx))
    g = np.random.default_rng(1).standard_normal(yt.shape)
    ym.backward(mg.tensor(g, dtype=mg.float64))
    yt.backward(to_torch(g))
    record("Embedding(10, 4), repeated indices", "output", ym, yt)
    record("Embedding(10, 4), repeated indices", "d weight", emb_m.weight.grad, emb_t.weight.grad)


def losses() -> None:
    rng = np.random.default_rng(3)
    TF = torch.nn.functional
    shape = (6, 5)
    probs = rng.uniform(0.02, 0.98, shape)
    edge = probs.copy()
    edge[0, :3] = [0.0, 1.0, 1e-50]  # the clamped log terms
    targets = rng.uniform(0, 1, shape)
    hard = (targets > 0.5).astype(np.float64)
    logits = rng.standard_normal(shape) * 3
    big = logits.copy()
    big[0, :4] = [80.0, -80.0, 1000.0, -1000.0]
    for reduction in ("mean", "sum", "none"):
        compare_fn(
            f"binary_cross_entropy {reduction}",
            lambda p, y, r=reduction: F.binary_cross_entropy(p, y, reduction=r),
            lambda p, y, r=reduction: TF.binary_cross_entropy(p, y, reduction=r),
            [probs, targets],
            [True, True],
        )
        compare_fn(
            f"binary_cross_entropy_with_logits {reduction}",
            lambda x, y, r=reduction: F.binary_cross_entropy_with_logits(x, y, reduction=r),
            lambda x, y, r=reduction: TF.binary_cross_entropy_with_logits(x, y, reduction=r),
            [logits, targets],
            [True, True],
        )
        compare_fn(
            f"mse_loss {reduction}",
            lambda a, b, r=reduction: F.mse_loss(a, b, reduction=r),
            lambda a, b, r=reduction: TF.mse_loss(a, b, reduction=r),
            [logits, targets],
            [True, True],
        )
    compare_fn(
        "binary_cross_entropy at p in {0, 1, 1e-50}",
        lambda p, y: F.binary_cross_entropy(p, y, reduction="sum"),
        lambda p, y: TF.binary_cross_entropy(p, y, reduction="sum"),
        [edge, hard],
        [True, False],
    )
    compare_fn(
        "binary_cross_entropy_with_logits at +-80, +-1000",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="sum"),
        lambda x, y: TF.binary_cross_entropy_with_logits(x, y, reduction="sum"),
        [big, hard],
        [True, True],
    )
    weight = rng.uniform(0.5, 2, (5,))
    compare_fn(
        "binary_cross_entropy_with_logits weight",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y, mg.tensor(weight, dtype=mg.float64)),
        lambda x, y: TF.binary_cross_entropy_with_logits(x, y, to_torch(weight)),
        [logits, targets],
        [True, False],
    )
    for name, ours, theirs in [
        ("BCELoss", nn.BCELoss(), torch.nn.BCELoss()),
        ("BCEWithLogitsLoss", nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss()),
        ("MSELoss(sum)", nn.MSELoss(reduction="sum"), torch.nn.MSELoss(reduction="sum")),
    ]:
        compare_fn(name, ours, theirs, [probs, hard], [True, False])

    # KL(N(mu, exp(logvar)) || N(0, 1)), against torch.distributions.
    mu, logvar = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))

    def torch_kl(m: torch.Tensor, lv: torch.Tensor, reduction: str) -> torch.Tensor:
        q = torch.distributions.Normal(m, torch.exp(0.5 * lv))
        p = torch.distributions.Normal(torch.zeros_like(m), torch.ones_like(m))
        kl = torch.distributions.kl_divergence(q, p)
        return {"mean": kl.mean(), "sum": kl.sum(), "none": kl, "batchmean": kl.sum() / m.shape[0]}[
            reduction
        ]

    for reduction in ("mean", "sum", "none", "batchmean"):
        compare_fn(
            f"gaussian_kl {reduction} (vs torch.distributions)",
            lambda m, lv, r=reduction: F.gaussian_kl(m, lv, reduction=r),
            lambda m, lv, r=reduction: torch_kl(m, lv, r),
            [mu, logvar],
            [True, True],
        )


def main() -> int:
    torch.manual_seed(0)
    mg.manual_seed(0)
    layers()
    losses()
    width = max(len(c) for c, _, _ in RESULTS)
    failures = 0
    for case, what, diff in RESULTS:
        bad = not diff <= TOLERANCE
        failures += bad
        print(
            f"{case:<{width}}  {what:<22} max|diff| = {diff:.2e}" + ("   MISMATCH" if bad else "")
        )
    worst = max(d for _, _, d in RESULTS)
    print(
        f"\n{len(RESULTS)} comparisons, {failures} over {TOLERANCE:g}; "
        f"largest difference {worst:.2e}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
