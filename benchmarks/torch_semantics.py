"""Does minigen follow PyTorch's tensor and autograd rules? Each scenario runs in both libraries.

The scenarios are written once against the names both libraries share (``lib.tensor``,
``lib.no_grad``, ``x.add_``, ...) and run with ``lib = minigen`` and ``lib = torch``. Each
returns its values (compared to 1e-12 in float64) or raises; an error matches when both
libraries raise and the message says the same thing (the key phrase listed with the scenario).
Then the in-place operations' gradients are compared in float64 as benchmarks/torch_parity.py
does for the layers.

    python benchmarks/torch_semantics.py

Needs PyTorch (``pip install torch``); it is not a dependency of minigen. Exits 1 on any
difference; prints the one deliberate difference (views minigen refuses to rebase) as such.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import torch
except ImportError:  # pragma: no cover
    print("torch_semantics: PyTorch is not installed (pip install torch); nothing to compare")
    sys.exit(0)

import torch_parity

import minigen as mg

SCENARIOS: list[tuple[str, Callable[[Any], Any], str | None]] = []


def scenario(name: str, error: str | None = None):
    def register(fn):
        SCENARIOS.append((name, fn, error))
        return fn

    return register


def f64(lib: Any, values: Any, grad: bool = False) -> Any:
    return lib.tensor(values, dtype=lib.float64, requires_grad=grad)


@scenario("a == b elementwise; (pred == target).sum()")
def _(lib):
    A = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
    pred, target = lib.tensor([1, 2, 3, 1]), lib.tensor([1, 0, 3, 2])
    return [(A[0] == A[0]).tolist(), (A != 2).tolist(), int((pred == target).sum()),
            (lib.tensor([1, 2]) < 1.5).tolist(), (2 < A).tolist(), A == None]  # noqa: E711


@scenario("bool() of two elements", "ambiguous")
def _(lib):
    return bool(lib.tensor([1.0, 2.0]))


@scenario("float/int/complex/index/format of one element")
def _(lib):
    t = lib.tensor([2.75])
    return [float(t), int(t), complex(t), ["a", "b", "c"][lib.tensor(1)], f"{lib.tensor(2.5):.3f}"]


@scenario("float() of two elements", "one element")
def _(lib):
    return float(lib.tensor([1.0, 2.0]))


@scenario("Tensor([[1, 2], [3, 4]]) is float32; Tensor(2, 3); Tensor()")
def _(lib):
    t = lib.Tensor([[1, 2], [3, 4]])
    return [str(t.dtype).split(".")[-1], t.tolist(), tuple(lib.Tensor(2, 3).shape), tuple(lib.Tensor().shape)]


@scenario("no_grad: w -= lr * w.grad updates the parameter itself")
def _(lib):
    w = f64(lib, [1.0, 2.0], grad=True)
    alias = w
    (w * w).sum().backward()
    with lib.no_grad():
        w -= 0.5 * w.grad
    return [w is alias, w.is_leaf, w.requires_grad, w.tolist(), w._version]


@scenario("z *= z on a non-leaf: Mul saved z as its other operand", "modified by an inplace operation")
def _(lib):
    a = f64(lib, [1.0, 2.0], grad=True)
    z = a * 1.0
    z *= z
    z.sum().backward()


@scenario("in-place on a leaf that requires grad", "leaf Variable that requires grad")
def _(lib):
    lib.ones(2, requires_grad=True).add_(1)


@scenario("w.data: shares memory, no history, own version")
def _(lib):
    w = f64(lib, [1.0, 2.0], grad=True)
    d = w.data
    d.mul_(10)
    w.data.add_(1)
    return [w.tolist(), d.requires_grad, d.grad_fn is None, w._version]


@scenario("in-place dtype rule: int += 1.5", "can't be cast to the desired output type")
def _(lib):
    x = lib.ones(2, dtype=lib.int64)
    x += 1.5


@scenario("in-place narrowing float32 += float64 keeps float32")
def _(lib):
    x = lib.ones(2)
    x += lib.ones(2, dtype=lib.float64)
    return [str(x.dtype).split(".")[-1], x.tolist()]


@scenario("saved output changed in place: backward refuses", "modified by an inplace operation")
def _(lib):
    a = f64(lib, [1.0, 2.0], grad=True)
    y = a.exp()
    z = y.sum()
    y.mul_(2)
    z.backward()


@scenario("unsaved input changed in place: backward is fine")
def _(lib):
    a = f64(lib, [1.0, 2.0], grad=True)
    x = a * 1.0
    y = x + 2.0
    x.mul_(3)
    y.sum().backward()
    return a.grad.tolist()


@scenario("detach shares the version counter; views share it")
def _(lib):
    x = lib.zeros(2, 3)
    row, det = x[0], x.detach()
    row.add_(1)
    det.add_(1)
    return [x._version, row._version, det._version, x.tolist()]


@scenario("optimizer.step then backward through the old graph", "modified by an inplace operation")
def _(lib):
    w = f64(lib, [[1.0, 2.0]], grad=True)
    x = f64(lib, [[3.0], [4.0]], grad=True)
    out = (w @ x).sum()
    (w * w).sum().backward()
    lib.optim.SGD([w], lr=0.1).step()
    out.backward()


@scenario("frozen during forward, unfrozen before backward: no gradient")
def _(lib):
    x = f64(lib, [1.0, 2.0], grad=True)
    w = f64(lib, [3.0, 4.0], grad=True)
    w.requires_grad_(False)
    y = (x * w).sum()
    w.requires_grad_(True)
    y.backward()
    a = f64(lib, [1.0, 2.0], grad=True)
    z = (a * 2).sum()
    a.requires_grad_(False)
    z.backward()
    return [w.grad is None, a.grad is None, x.grad.tolist()]


@scenario("x.mul_(w) on a plain tensor joins the graph")
def _(lib):
    w = f64(lib, [2.0, 3.0], grad=True)
    x = lib.ones(2, dtype=lib.float64)
    x.mul_(w)
    x.sum().backward()
    return [x.requires_grad, x.is_leaf, w.grad.tolist()]


@scenario("x[0] = 0 and x[1].mul_(3) on a non-leaf")
def _(lib):
    a = f64(lib, [1.0, 1.0, 1.0], grad=True)
    x = a * 2.0
    x[0] = 0.0
    x[1].mul_(3)
    x.sum().backward()
    return [x.tolist(), a.grad.tolist()]


@scenario("zero_/fill_/copy_/clamp_ values; fill_ on ints casts")
def _(lib):
    x = lib.tensor([1.0, -2.0, 3.0])
    x.add_(lib.ones(3), alpha=2).sub_(1, alpha=0.5).mul_(2).div_(4).clamp_(0.0, 2.0)
    first = x.tolist()
    x.copy_(lib.tensor([7.0]))
    ints = lib.tensor([1, 2])
    ints.fill_(1.7)
    return [first, x.tolist(), ints.tolist(), lib.zeros(2).fill_(3).zero_().tolist()]


#: Where minigen refuses on purpose what PyTorch does (docs/coming_from_pytorch.md).
DELIBERATE: dict[str, str] = {}


@scenario("in-place on a reshape view while recording (minigen refuses on purpose)")
def _(lib):
    a = f64(lib, [1.0, 2.0, 3.0, 4.0], grad=True)
    x = a * 1.0
    x.reshape(2, 2).mul_(2)
    x.sum().backward()
    return a.grad.tolist()


DELIBERATE["in-place on a reshape view while recording (minigen refuses on purpose)"] = "on a view while recording"


def outcome(fn: Callable[[Any], Any], lib: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(lib)
    except Exception as error:  # the scenario's point may be the error
        return "error", f"{type(error).__name__}: {error}"


def same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= 1e-12
    return a == b


def scenarios() -> int:
    failures = 0
    for name, fn, error in SCENARIOS:
        (kind_m, got_m), (kind_t, got_t) = outcome(fn, mg), outcome(fn, torch)
        if name in DELIBERATE:
            ok = kind_m == "error" and DELIBERATE[name] in got_m and kind_t == "ok"
            verdict = "deliberate difference" if ok else "MISMATCH"
        elif error is not None:
            ok = kind_m == kind_t == "error" and error in got_m and error in got_t
            verdict = f"both raise '{error}'" if ok else "MISMATCH"
        else:
            ok = kind_m == kind_t == "ok" and same(got_m, got_t)
            verdict = "same values" if ok else "MISMATCH"
        failures += not ok
        print(f"{name:<66} {verdict}")
        if not ok:
            print(f"    minigen: {kind_m} {got_m}\n    torch:   {kind_t} {got_t}")
    return failures


def inplace_gradients() -> None:
    """float64 forward and gradients of in-place writes recorded in the graph (Assign, SetItem)."""
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((2, 3)), rng.standard_normal((1, 3)), rng.standard_normal(3)

    def chain(x, y):
        z = x * 1.0
        z.mul_(y)
        z.add_(x, alpha=2.0)
        z *= 3.0
        return z

    def copy_fill(x, y):
        z = x * 2.0
        z.copy_(y)
        w = x + 0.0
        w.fill_(1.5)
        return z * x + w

    def setitem(x, v):
        z = x * 3.0
        z[0] = v
        z[:, 1] = 0.5
        z[1].mul_(2.0)
        return z * x

    torch_parity.compare_fn("in-place mul_/add_/*= chain", chain, chain, [a, b], [True, True])
    torch_parity.compare_fn("copy_ (broadcast) and fill_", copy_fill, copy_fill, [a, b], [True, True])
    torch_parity.compare_fn("x[0] = v, x[:, 1] = 0.5, x[1].mul_(2)", setitem, setitem, [a, c], [True, True])


def main() -> int:
    failures = scenarios()
    inplace_gradients()
    print()
    for case, what, diff in torch_parity.RESULTS:
        bad = not diff <= torch_parity.TOLERANCE
        failures += bad
        print(f"{case:<40} {what:<12} max|diff| = {diff:.2e}" + ("   MISMATCH" if bad else ""))
    print(f"\n{len(SCENARIOS)} scenarios and {len(torch_parity.RESULTS)} gradient comparisons; "
          f"{failures} difference(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
