"""Do minigen's optimizers, schedules and gradient clipping give PyTorch's numbers?

    python benchmarks/torch_optim_parity.py

For each case both libraries start from the same parameters and are fed the same gradients;
the script prints the largest difference of the parameters after every step, in units in the
last place (ulp) of the parameter's dtype, and exits 1 if a case exceeds its tolerance:

- AdamW, RMSprop, Adadelta (and SGD, Adam for scale), 25 steps, float32 and float64: at most
  a few ulp of the largest parameter (tolerance 16). The tests (tests/optim/) check minigen
  against NumPy transcriptions of PyTorch's code to the last bit; PyTorch itself differs by
  the fused multiply-adds of its vectorised CPU kernels (one rounding for a + b*c instead of
  two), which compound slowly over steps.
- The learning-rate schedulers, fresh and resumed with ``last_epoch``: the lr of every epoch,
  exactly equal (Python floats on both sides, the same formulas), and the same state_dict keys.
- clip_grad_norm_ (norms 2, 1, inf) and clip_grad_value_: the total norm and the clipped
  gradients, to float32 rounding of a sum of ~9,000 terms accumulated in another order
  (relative tolerance 1e-5).
- Normalize: torchvision's formula ``tensor.sub_(mean).div_(std)`` written in torch.

Needs PyTorch (``pip install torch``); it is not a dependency of minigen.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

try:
    import torch
except ImportError:  # pragma: no cover - the script is meaningless without torch
    print("torch_optim_parity: PyTorch is not installed (pip install torch); nothing to compare")
    sys.exit(0)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigen as mg  # noqa: E402
from minigen.data import Normalize  # noqa: E402

STEPS = 25
ROWS: list[tuple[str, str, float, float]] = []  # case, measure, value, tolerance


def record(case: str, measure: str, value: float, tolerance: float) -> None:
    ROWS.append((case, measure, value, tolerance))


def ulps(a: np.ndarray, b: np.ndarray) -> float:
    """The largest |a - b| in units of the last place of b's largest entry (parameters near 0,
    where one rounding of the update is many of their own ulps, are judged at that scale)."""
    spacing = float(np.spacing(np.abs(b).max().astype(b.dtype)))
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))) / spacing)


OPTIMIZERS: dict[str, tuple[Callable, Callable, dict]] = {
    "SGD momentum": (mg.optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    "Adam": (mg.optim.Adam, torch.optim.Adam, {"lr": 1e-2}),
    "AdamW": (mg.optim.AdamW, torch.optim.AdamW, {"lr": 1e-2}),
    "AdamW dcgan betas": (mg.optim.AdamW, torch.optim.AdamW,
                          {"lr": 2e-4, "betas": (0.5, 0.999), "weight_decay": 0.1}),
    "AdamW amsgrad": (mg.optim.AdamW, torch.optim.AdamW, {"lr": 1e-2, "amsgrad": True}),
    "AdamW maximize": (mg.optim.AdamW, torch.optim.AdamW, {"lr": 1e-2, "maximize": True}),
    "RMSprop": (mg.optim.RMSprop, torch.optim.RMSprop, {}),
    "RMSprop centered momentum wd": (mg.optim.RMSprop, torch.optim.RMSprop,
                                     {"lr": 1e-3, "momentum": 0.9, "centered": True,
                                      "weight_decay": 0.01, "alpha": 0.9}),
    "Adadelta": (mg.optim.Adadelta, torch.optim.Adadelta, {}),
    "Adadelta tuned wd": (mg.optim.Adadelta, torch.optim.Adadelta,
                          {"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.05}),
}


def compare_optimizer(name: str, ours: Callable, theirs: Callable, options: dict, dtype) -> None:
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((64, 33)).astype(dtype)  # 64 x 33: SIMD body and scalar tail
    p_mg = mg.tensor(p0, requires_grad=True)
    p_t = torch.tensor(p0, requires_grad=True)
    opt_mg, opt_t = ours([p_mg], **options), theirs([p_t], **options)
    worst = 0.0
    for _ in range(STEPS):
        g = rng.standard_normal(p0.shape).astype(dtype)
        p_mg.grad = mg.tensor(g)
        p_t.grad = torch.tensor(g)
        opt_mg.step()
        opt_t.step()
        worst = max(worst, ulps(p_mg.numpy(), p_t.detach().numpy()))
    record(f"{name} ({np.dtype(dtype).name})", f"max ulp over {STEPS} steps", worst, 16.0)


SCHEDULERS = {
    "StepLR": (lambda m, o, e: m.StepLR(o, step_size=3, gamma=0.5, last_epoch=e)),
    "ExponentialLR": (lambda m, o, e: m.ExponentialLR(o, gamma=0.93, last_epoch=e)),
    "CosineAnnealingLR": (lambda m, o, e: m.CosineAnnealingLR(o, T_max=7, eta_min=1e-4, last_epoch=e)),
    "LambdaLR": (lambda m, o, e: m.LambdaLR(o, [lambda k: 0.9**k, lambda k: 1 / (1 + k)], last_epoch=e)),
}


def compare_scheduler(name: str, make: Callable) -> None:
    def lrs(lib, sched_module, tensor, resume_at):
        a, b = tensor(np.zeros(2, np.float32)), tensor(np.zeros(2, np.float32))
        opt = lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.3}], lr=0.1)
        if resume_at != -1:  # as after loading an optimizer that a scheduler had run
            for group in opt.param_groups:
                group["initial_lr"] = group["lr"]
        sched = make(sched_module, opt, resume_at)
        seen = [sched.get_last_lr()]
        for _ in range(30):  # past T_max: the cosine's climb back is compared too
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr())
        return seen, list(sched.state_dict())

    for resume_at in (-1, 4):
        ours, ours_keys = lrs(mg, mg.optim.lr_scheduler,
                              lambda x: mg.tensor(x, requires_grad=True), resume_at)
        theirs, their_keys = lrs(torch, torch.optim.lr_scheduler,
                                 lambda x: torch.tensor(x, requires_grad=True), resume_at)
        case = name if resume_at == -1 else f"{name} (last_epoch={resume_at})"
        differ = sum(a != b for a, b in zip(ours, theirs, strict=True))
        worst = max(abs(x - y) for a, b in zip(ours, theirs, strict=True)
                    for x, y in zip(a, b, strict=True))
        record(case, "epochs whose lr differs (of 31)", differ, 0)
        record(case, "max |lr difference|", worst, 0.0)
        record(case, "state_dict keys differ", float(ours_keys != their_keys), 0)


def compare_clipping() -> None:
    rng = np.random.default_rng(1)
    shapes = [(128, 64), (64,), (10, 3, 3, 3)]
    grads = [(rng.standard_normal(s) * 3).astype(np.float32) for s in shapes]
    for norm_type in (2.0, 1.0, math.inf):
        ps_mg = [mg.zeros(*s, requires_grad=True) for s in shapes]
        ps_t = [torch.zeros(*s, requires_grad=True) for s in shapes]
        for p, q, g in zip(ps_mg, ps_t, grads, strict=True):
            p.grad, q.grad = mg.tensor(g), torch.tensor(g)
        total_mg = mg.nn.utils.clip_grad_norm_(ps_mg, 5.0, norm_type=norm_type)
        total_t = torch.nn.utils.clip_grad_norm_(ps_t, 5.0, norm_type=norm_type)
        case = f"clip_grad_norm_ (norm {norm_type})"
        record(case, "total norm, relative difference",
               abs(total_mg.item() - total_t.item()) / total_t.item(), 1e-5)
        record(case, "clipped grads, max relative difference",
               max(float(np.max(np.abs(p.grad.numpy() - q.grad.numpy()) / np.abs(q.grad.numpy()).max()))
                   for p, q in zip(ps_mg, ps_t, strict=True)), 1e-5)
    p, q = mg.zeros(50, requires_grad=True), torch.zeros(50, requires_grad=True)
    g = (rng.standard_normal(50) * 3).astype(np.float32)
    p.grad, q.grad = mg.tensor(g), torch.tensor(g)
    mg.nn.utils.clip_grad_value_([p], 1.5)
    torch.nn.utils.clip_grad_value_([q], 1.5)
    record("clip_grad_value_", "max |difference|", float(np.max(np.abs(p.grad.numpy() - q.grad.numpy()))), 0.0)


def compare_normalize() -> None:
    rng = np.random.default_rng(2)
    x = rng.random((8, 3, 5, 5)).astype(np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    ours = Normalize(mean, std)(mg.tensor(x)).numpy()
    t = torch.tensor(x).clone()  # torchvision.transforms.functional.normalize, line by line
    m = torch.as_tensor(mean, dtype=t.dtype).view(-1, 1, 1)
    s = torch.as_tensor(std, dtype=t.dtype).view(-1, 1, 1)
    theirs = t.sub_(m).div_(s).numpy()
    record("Normalize (ImageNet mean/std)", "max |difference|", float(np.max(np.abs(ours - theirs))), 0.0)


def main() -> int:
    torch.set_num_threads(1)
    for name, (ours, theirs, options) in OPTIMIZERS.items():
        for dtype in (np.float32, np.float64):
            compare_optimizer(name, ours, theirs, options, dtype)
    for name, make in SCHEDULERS.items():
        compare_scheduler(name, make)
    compare_clipping()
    compare_normalize()
    width = max(len(case) for case, *_ in ROWS)
    failed = 0
    print(f"minigen {mg.__version__} vs torch {torch.__version__}")
    for case, measure, value, tolerance in ROWS:
        ok = value <= tolerance
        failed += not ok
        print(f"{case:<{width}}  {measure:<38} {value:<10.3g} {'ok' if ok else 'FAIL'} (<= {tolerance:g})")
    print(f"{len(ROWS) - failed} of {len(ROWS)} within tolerance")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
