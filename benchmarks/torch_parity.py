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


# -- the operations, losses and layers of issue 12 -----------------------------------------------
def compare_indices(name: str, ours: Any, theirs: Any) -> None:
    """Integer results (indices, one-hot rows) must be equal, not close."""
    a = ours.numpy() if isinstance(ours, mg.Tensor) else np.asarray(ours)
    b = theirs.numpy()
    same = a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
    RESULTS.append((name, f"equal {a.dtype}", 0.0 if same else float("inf")))


def more_operations() -> None:
    rng = np.random.default_rng(12)
    x = rng.standard_normal((4, 5))
    tiny = np.array([1e-12, -1e-10, 3e-9, 0.5, -0.7, 2.0])
    compare_fn("log1p (tiny and ordinary x)", lambda a: mg.functions.log1p(a),
               torch.log1p, [tiny], [True])
    compare_fn("expm1 (tiny and ordinary x)", lambda a: mg.functions.expm1(a),
               torch.expm1, [tiny], [True])
    big = x.copy()
    big[0] = [1000.0, -1000.0, 0.0, 999.0, 3.0]  # log-sum-exp must not overflow
    for dim in (0, 1, -1):
        compare_fn(f"softmax dim={dim}", lambda a, d=dim: F.softmax(a, d),
                   lambda a, d=dim: torch.softmax(a, d), [big], [True])
        compare_fn(f"log_softmax dim={dim}", lambda a, d=dim: F.log_softmax(a, d),
                   lambda a, d=dim: torch.log_softmax(a, d), [big], [True])
    compare_fn("log_softmax on (2, 3, 4) dim=1", lambda a: F.log_softmax(a, 1),
               lambda a: torch.log_softmax(a, 1), [rng.standard_normal((2, 3, 4))], [True])
    for dim, index in ((1, [[0, 4, 4], [1, 1, 0], [3, 2, 1]]), (0, [[3, 0], [3, 3]])):
        compare_fn(f"gather dim={dim}, index {np.array(index).shape}, repeats",
                   lambda a, d=dim, i=index: mg.functions.gather(a, d, mg.tensor(i)),
                   lambda a, d=dim, i=index: torch.gather(a, d, torch.tensor(i)), [x], [True])
    ties = np.array([[1.0, 3.0, 1.0], [2.0, 2.0, 5.0]])
    compare_fn("min (ties split)", lambda a: mg.functions.min(a), torch.min, [ties], [True])
    compare_fn("min(dim=1).values (ties: first)", lambda a: mg.functions.min(a, 1).values,
               lambda a: torch.min(a, 1).values, [ties], [True])
    compare_indices("min(dim=1).indices", mg.functions.min(mg.tensor(ties), 1).indices,
                    torch.min(torch.tensor(ties), 1).indices)
    compare_indices("argmin(dim=0)", mg.functions.argmin(mg.tensor(ties), 0), torch.argmin(torch.tensor(ties), 0))
    compare_fn("minimum (ties split)", lambda a, b: mg.functions.minimum(a, b), torch.minimum,
               [ties, np.array([[1.0, 0.0, 2.0], [2.0, 3.0, 5.0]])], [True, True])
    const_row = x.copy()
    const_row[1] = 0.25  # std 0: PyTorch's gradient is 0 there, not NaN
    for kwargs in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": 1, "correction": 0}):
        compare_fn(f"std {kwargs} (a constant row)", lambda a, k=kwargs: mg.functions.std(a, **k),
                   lambda a, k=kwargs: torch.std(a, **k), [const_row], [True])
    compare_fn("std(unbiased=False)", lambda a: mg.functions.std(a, unbiased=False),
               lambda a: torch.std(a, unbiased=False), [x], [True])
    zero_row = x.copy()
    zero_row[2] = 0.0  # norm 0: gradient 0
    zero_row[0, 1] = 0.0
    for p in (2, 1, 3, 0.5, float("inf"), "fro"):
        for dim in (None, 1):
            compare_fn(f"norm p={p} dim={dim} (a zero row)",
                       lambda a, p=p, d=dim: mg.functions.norm(a, p, d),
                       lambda a, p=p, d=dim: torch.norm(a, p, d), [zero_row], [True])
    compare_fn("norm dim=(0, 1) keepdim", lambda a: mg.functions.norm(a, dim=(0, 1), keepdim=True),
               lambda a: torch.norm(a, dim=(0, 1), keepdim=True), [x], [True])
    compare_fn("repeat (2, 1, 3) of (4, 5)", lambda a: mg.functions.repeat(a, 2, 1, 3),
               lambda a: a.repeat(2, 1, 3), [x], [True])
    w = rng.standard_normal(5)

    def weighted(pieces: Any, lib: Any) -> Any:
        return lib.cat([p * (i + 1) for i, p in enumerate(pieces)], 1) * lib.tensor(w)

    compare_fn("chunk(3, dim=1) of 5 columns", lambda a: weighted(mg.functions.chunk(a, 3, 1), mg),
               lambda a: weighted(torch.chunk(a, 3, 1), torch), [x], [True])
    compare_fn("split([1, 3, 1], dim=1)", lambda a: weighted(mg.functions.split(a, [1, 3, 1], 1), mg),
               lambda a: weighted(torch.split(a, [1, 3, 1], 1), torch), [x], [True])
    compare_fn("split(2, dim=1)", lambda a: weighted(mg.functions.split(a, 2, 1), mg),
               lambda a: weighted(torch.split(a, 2, 1), torch), [x], [True])
    compare_fn("mm", lambda a, b: mg.functions.mm(a, b), torch.mm, [x, rng.standard_normal((5, 3))],
               [True, True])
    cube = rng.standard_normal((3, 4, 5))
    for label, key in [
        ("x[arange(4), target]", lambda lib: (lib.arange(4), lib.tensor([4, 0, 4, 2]))),
        ("x[idx, :, idx2] (apart: axes first)",
         lambda lib: (lib.tensor([2, -1, 0]), slice(None), lib.tensor([[1], [4]]))),
        ("x[0, :, idx] (int selects first)", lambda lib: (0, slice(None), lib.tensor([3, 3, 1]))),
        ("x[:, idx, idx2] (side by side)", lambda lib: (slice(None), lib.tensor([1, 1]), lib.tensor([0, 4]))),
        ("x[None, idx, 1:, idx2]", lambda lib: (None, lib.tensor([0, 2]), slice(1, None), lib.tensor([3, 0]))),
    ]:
        data = x if label.startswith("x[arange") else cube
        compare_fn(f"indexing {label}", lambda a, k=key: a[k(mg)], lambda a, k=key: a[k(torch)], [data], [True])


def more_losses() -> None:
    rng = np.random.default_rng(13)
    TF = torch.nn.functional
    logits = rng.standard_normal((6, 4)) * 2
    target = np.array([0, 3, 3, 1, 2, 1])
    ignored = np.array([0, 3, -100, 1, 2, 7])  # ignore_index -100 and 7
    weight = rng.uniform(0.5, 2, 4)

    def both(t: np.ndarray) -> tuple[mg.Tensor, torch.Tensor]:
        return mg.tensor(t), torch.tensor(t)

    for reduction in ("mean", "sum", "none"):
        for ls in (0.0, 0.2):
            for wt in (None, weight):
                for ign, tgt in ((-100, target), (7, ignored)):
                    name = (f"cross_entropy {reduction} ls={ls} weight={wt is not None} "
                            f"ignore_index={ign}")
                    tgt = np.where(tgt == -100, 7, tgt) if ign == 7 else tgt
                    tm, tt = both(tgt)
                    compare_fn(
                        name,
                        lambda a, r=reduction, s=ls, w=wt, i=ign, t=tm: F.cross_entropy(
                            a, t, None if w is None else mg.tensor(w), ignore_index=i, reduction=r,
                            label_smoothing=s),
                        lambda a, r=reduction, s=ls, w=wt, i=ign, t=tt: TF.cross_entropy(
                            a, t, None if w is None else torch.tensor(w), ignore_index=i,
                            reduction=r, label_smoothing=s),
                        [logits], [True])
        tm, tt = both(np.where(ignored == 7, -100, ignored))
        compare_fn(f"nll_loss {reduction} weight ignore_index",
                   lambda a, r=reduction, t=tm: F.nll_loss(F.log_softmax(a, 1), t, mg.tensor(weight), reduction=r),
                   lambda a, r=reduction, t=tt: TF.nll_loss(TF.log_softmax(a, 1), t, torch.tensor(weight), reduction=r),
                   [logits], [True])
        probs = rng.dirichlet(np.ones(4), size=6)
        for ls in (0.0, 0.1):
            compare_fn(f"cross_entropy probability targets {reduction} ls={ls} weight",
                       lambda a, p, r=reduction, s=ls: F.cross_entropy(
                           a, p, mg.tensor(weight), reduction=r, label_smoothing=s),
                       lambda a, p, r=reduction, s=ls: TF.cross_entropy(
                           a, p, torch.tensor(weight), reduction=r, label_smoothing=s),
                       [logits, probs], [True, True])
        a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
        b[0, :2] = a[0, :2] + [0.5, -1.0]  # exactly at beta = 0.5 and beta = 1
        compare_fn(f"l1_loss {reduction}", lambda p, q, r=reduction: F.l1_loss(p, q, reduction=r),
                   lambda p, q, r=reduction: TF.l1_loss(p, q, reduction=r), [a, b], [True, True])
        for beta in (1.0, 0.5, 0.0):
            compare_fn(f"smooth_l1_loss {reduction} beta={beta}",
                       lambda p, q, r=reduction, be=beta: F.smooth_l1_loss(p, q, reduction=r, beta=be),
                       lambda p, q, r=reduction, be=beta: TF.smooth_l1_loss(p, q, reduction=r, beta=be),
                       [a, b], [True, True])
    seg = rng.standard_normal((2, 4, 3, 5))
    seg_t = rng.integers(0, 4, (2, 3, 5))
    seg_t[0, 0, :2] = -100
    tm, tt = both(seg_t)
    compare_fn("cross_entropy (N, C, H, W) ls=0.1 ignore", lambda a: F.cross_entropy(a, tm, label_smoothing=0.1),
               lambda a: TF.cross_entropy(a, tt, label_smoothing=0.1), [seg], [True])
    compare_fn("cross_entropy unbatched (C,)", lambda a: F.cross_entropy(a, mg.tensor(2)),
               lambda a: TF.cross_entropy(a, torch.tensor(2)), [logits[0]], [True])
    tm, tt = both(target)
    for name, ours, theirs in [
        ("CrossEntropyLoss(weight, label_smoothing=0.1)",
         nn.CrossEntropyLoss(mg.tensor(weight), label_smoothing=0.1),
         torch.nn.CrossEntropyLoss(torch.tensor(weight), label_smoothing=0.1)),
        ("NLLLoss(reduction='sum')", nn.NLLLoss(reduction="sum"), torch.nn.NLLLoss(reduction="sum")),
    ]:
        compare_fn(name, lambda a, m=ours: m(a, tm), lambda a, m=theirs: m(a, tt), [logits], [True])
    compare_indices("one_hot", F.one_hot(mg.tensor([[0, 3], [2, 2]]), 5),
                    TF.one_hot(torch.tensor([[0, 3], [2, 2]]), 5))
    compare_indices("one_hot num_classes=-1", F.one_hot(mg.tensor([1, 4])), TF.one_hot(torch.tensor([1, 4])))


def more_layers() -> None:
    T = torch.nn
    TF = torch.nn.functional
    rng = np.random.default_rng(14)
    for k, s, p, ceil, shape in [
        (2, None, 0, False, (2, 3, 8, 6)),
        (3, 2, 1, False, (2, 2, 9, 7)),
        ((3, 2), (2, 1), (1, 0), False, (1, 2, 7, 5)),
        (3, 2, 0, True, (2, 2, 8, 7)),
        (2, 2, 1, True, (1, 3, 5, 6)),
        (3, 1, 1, False, (3, 6, 5)),  # unbatched, overlapping windows
    ]:
        tag = f"k={k}, s={s}, p={p}, ceil={ceil} on {shape}"
        compare_layer(f"MaxPool2d({tag})", nn.MaxPool2d(k, s, p, ceil_mode=ceil),
                      T.MaxPool2d(k, s, p, ceil_mode=ceil), shape)
        for include in (True, False):
            compare_layer(f"AvgPool2d({tag}, count_include_pad={include})",
                          nn.AvgPool2d(k, s, p, ceil, include), T.AvgPool2d(k, s, p, ceil, include), shape)
        x = rng.standard_normal(shape)
        _, ours = F.max_pool2d(mg.tensor(x), k, s, p, ceil_mode=ceil, return_indices=True)
        _, theirs = TF.max_pool2d(torch.tensor(x), k, s, p, ceil_mode=ceil, return_indices=True)
        compare_indices(f"max_pool2d return_indices {tag}", ours, theirs)
    compare_layer("AvgPool2d(3, 2, 1, divisor_override=4)", nn.AvgPool2d(3, 2, 1, divisor_override=4),
                  T.AvgPool2d(3, 2, 1, divisor_override=4), (2, 2, 7, 6))
    for kwargs, shape in [
        ({"scale_factor": 2}, (2, 3, 4, 5)),
        ({"scale_factor": 1.5}, (1, 2, 5, 7)),
        ({"scale_factor": 0.5}, (1, 2, 9, 6)),
        ({"scale_factor": (2.3, 0.7), "recompute_scale_factor": True}, (1, 2, 5, 7)),
        ({"size": (7, 3)}, (2, 2, 4, 5)),
        ({"scale_factor": 1.7, "mode": "nearest-exact"}, (1, 2, 5, 6)),
        ({"size": (5, 11), "mode": "nearest-exact"}, (1, 1, 4, 5)),
        ({"scale_factor": 2, "mode": "bilinear"}, (2, 3, 4, 5)),
        ({"scale_factor": 2, "mode": "bilinear", "align_corners": True}, (2, 3, 4, 5)),
        ({"size": (7, 3), "mode": "bilinear"}, (2, 2, 4, 5)),
        ({"size": (7, 3), "mode": "bilinear", "align_corners": True}, (2, 2, 4, 5)),
        ({"scale_factor": 1.3, "mode": "bilinear"}, (1, 2, 6, 5)),
        ({"scale_factor": 0.6, "mode": "bilinear"}, (1, 2, 9, 8)),
        ({"size": 9, "mode": "linear"}, (2, 3, 5)),
        ({"scale_factor": 3, "mode": "nearest"}, (2, 3, 5)),
        ({"size": (3, 4, 5), "mode": "trilinear"}, (1, 2, 2, 3, 4)),
        ({"scale_factor": 2, "mode": "nearest"}, (1, 2, 2, 3, 4)),
    ]:
        compare_layer(f"Upsample({kwargs}) on {shape}", nn.Upsample(**kwargs), T.Upsample(**kwargs), shape)
    # float32 positions and weights, where rounding decides: the same pixels and the same weights
    for mode in ("nearest", "nearest-exact", "bilinear"):
        worst = 0.0
        for n in range(1, 31):
            for factor in (0.5, 0.7, 1.05, 1.5, 2.0, 2.03, 2.5, 3.0):
                if int(n * factor) < 1:
                    continue
                eye = np.eye(n, dtype=np.float32).reshape(n, 1, 1, n)
                ours = F.interpolate(mg.tensor(eye), scale_factor=(1.0, factor), mode=mode)
                theirs = TF.interpolate(torch.tensor(eye), scale_factor=(1.0, factor), mode=mode)
                worst = max(worst, float(np.abs(ours.numpy() - theirs.numpy()).max()))
        RESULTS.append((f"interpolate {mode} float32 on sizes 1..30, 8 factors", "weights", worst))
    compare_layer("Softmax(dim=1)", nn.Softmax(dim=1), T.Softmax(dim=1), (4, 5, 3))
    compare_layer("LogSoftmax(dim=-1)", nn.LogSoftmax(dim=-1), T.LogSoftmax(dim=-1), (4, 5))
    compare_layer("Identity", nn.Identity(54, unused=1), T.Identity(54, unused=1), (3, 4))
    x = rng.standard_normal((2, 3, 4, 5))
    for pads, mode, value in [
        ((1, 2), "constant", 0.5), ((1, 2, 0, 3), "constant", None), ((-1, 2, 1, -2), "constant", -1.0),
        ((1, 1, 2, 1, 0, 1), "constant", None), ((2, 3, 1, 2), "reflect", None),
((2, 4, 3, 1), "replicate", None), ((1, 1, 1, 1, 1, 1), "replicate", None),
        ((4, 2, 3, 0), "circular", None), ((-1, 2, 1, 0), "reflect", None), ((2, -1, 0, 1), "circular", None),
    ]:
        compare_fn(f"pad {pads} {mode}" + (f" value={value}" if value is not None else ""),
                   lambda a, q=pads, m=mode, v=value: F.pad(a, q, m, v),
                   lambda a, q=pads, m=mode, v=value: TF.pad(a, q, m, v), [x], [True])


def main() -> int:
    torch.manual_seed(0)
    mg.manual_seed(0)
    layers()
    losses()
    more_operations()
    more_losses()
    more_layers()
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
