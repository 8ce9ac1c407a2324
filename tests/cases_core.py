"""Gradient-check cases for the engine core's Functions (arithmetic, shapes, reductions, ...).

Each case covers broadcasting, non-contiguous inputs (transposed views) and repeated use of
one tensor where the operation allows it.
"""

from __future__ import annotations

from gradcases import GradCase, rand64

import minigen as mg


def case(name: str, directional: bool | None = None, **options: float):
    def register(build):
        CASES.append(GradCase(name, build, directional, tuple(options.items())))
        return build

    return register


CASES: list[GradCase] = []


@case("add broadcast (3,1)+(2,3,4)")
def _():
    return (lambda a, b: a + b), [rand64(3, 1), rand64(2, 3, 4, seed=1)]


@case("sub with scalar and broadcast row")
def _():
    return (lambda a, b: (a - b) - 2.5), [rand64(4, 3), rand64(3, seed=1)]


@case("mul repeated use x*x*y")
def _():
    return (lambda x, y: x * x * y), [rand64(2, 3), rand64(1, 3, seed=2)]


@case("div broadcast, denominator away from 0")
def _():
    return (lambda a, b: a / b), [rand64(2, 3), rand64(2, 1, seed=3, low=0.5, high=2.0)]


@case("rdiv and rsub by Python numbers")
def _():
    return (lambda a: 1.0 / a + (3.0 - a)), [rand64(5, low=0.5, high=2.0)]


@case("neg")
def _():
    return (lambda a: -a), [rand64(3, 2)]


@case("pow constant exponent 3 and 0.5")
def _():
    return (lambda a: a**3 + a**0.5), [rand64(4, low=0.5, high=2.0)]


@case("pow tensor exponent")
def _():
    return (lambda a, b: a**b), [rand64(3, low=0.5, high=2.0), rand64(3, seed=4)]


@case("matmul 2-D non-contiguous (transposed) input")
def _():
    return (lambda a, b: a.T @ b), [rand64(4, 3), rand64(4, 2, seed=1)]


@case("matmul batched with broadcast batch dims")
def _():
    return (lambda a, b: a @ b), [rand64(2, 3, 4), rand64(4, 5, seed=1)]


@case("matmul vector @ matrix and matrix @ vector")
def _():
    return (lambda v, m: (v @ m).sum() + (m @ (v @ m)).sum()), [rand64(3), rand64(3, 3, seed=1)]


@case("exp log sqrt abs")
def _():
    return (lambda a: a.exp() + (a * a + 1).log() + (a * a + 0.5).sqrt() + a.abs()), [rand64(6)]


@case("tanh sigmoid relu")
def _():
    return (lambda a: a.tanh() * 2 + a.sigmoid() + a.relu()), [rand64(3, 4)]


@case("leaky relu")
def _():
    from minigen.functions import leaky_relu

    return (lambda a: leaky_relu(a, 0.2)), [rand64(3, 4)]


@case("leaky relu with a slope above 1")
def _():
    from minigen.functions import leaky_relu

    return (lambda a: leaky_relu(a, 1.5)), [rand64(3, 4)]


@case("clamp away from the bounds")
def _():
    return (lambda a: a.clamp(-0.5, 0.6) + a.clamp(min=0.3)), [rand64(10, seed=7)]


@case("maximum broadcast")
def _():
    return (lambda a, b: mg.maximum(a, b)), [rand64(3, 4), rand64(4, seed=9)]


@case("where with broadcast branches")
def _():
    return (lambda a, b: mg.where(a > 0, a * 2, b)), [rand64(3, 4), rand64(1, 4, seed=2)]


@case("sum over dims, keepdim and not")
def _():
    return (lambda a: a.sum(1) * 2 + a.sum((0, 2), keepdim=True).sum() + a.sum()), [rand64(2, 3, 4)]


@case("mean over dims")
def _():
    return (lambda a: a.mean(-1, keepdim=True) * a.mean(0)), [rand64(3, 4)]


@case("var unbiased and biased")
def _():
    return (lambda a: a.var(0) + a.var(1, unbiased=False, keepdim=True).sum() + a.var()), [rand64(4, 3)]


@case("max over a dim and overall")
def _():
    return (lambda a: a.max(1).values * 2 + a.max()), [rand64(3, 5, seed=11)]


@case("reshape view flatten unsqueeze squeeze")
def _():
    return (
        lambda a: a.reshape(4, 3).view(2, 6).flatten().unsqueeze(0).squeeze(0).reshape(3, 4)
    ), [rand64(3, 4)]


@case("permute transpose T")
def _():
    return (lambda a: a.permute(2, 0, 1).transpose(0, 1).T), [rand64(2, 3, 4)]


@case("expand (broadcast_to)")
def _():
    return (lambda a: a.expand(4, 3, 2)), [rand64(3, 1)]


@case("cat along dim 1, one input repeated")
def _():
    return (lambda a, b: mg.cat([a, b, a], dim=1)), [rand64(2, 3), rand64(2, 1, seed=1)]


@case("stack along a new last dim")
def _():
    return (lambda a, b: mg.stack([a, b], dim=-1)), [rand64(2, 3), rand64(2, 3, seed=1)]


@case("indexing: slices with steps, ints, None, Ellipsis")
def _():
    return (lambda a: a[1:, ::2] * 2 + a[0, None, 1::2]), [rand64(3, 4)]


@case("indexing: boolean mask")
def _():
    def fn(a):
        return a[a > 0]

    return fn, [rand64(4, 3)]


@case("indexing: integer index array with repeats")
def _():
    index = mg.tensor([0, 2, 0, 1])
    return (lambda a: a[index] * 3), [rand64(3, 2)]


@case("cast float64 -> float32 -> float64 (float32 precision)", eps=1e-3, atol=1e-3, rtol=1e-2)
def _():
    return (lambda a: a.float().double() * a), [rand64(4)]


@case("device copy to the same device is a no-op, clone")
def _():
    return (lambda a: a.to(a.device).clone() * a), [rand64(4)]


@case("device copy cpu -> strict -> cpu")
def _():
    import pytest

    pytest.importorskip("array_api_strict")
    return (lambda a: (a.to("strict") * 2).to(a.device) + a), [rand64(3)]


# -- issue 12: log1p, expm1, softmax, gather, min, std, norm, repeat, split, mm, indexing ---------
@case("log1p and expm1")
def _():
    from minigen.functions import expm1, log1p

    return (lambda a: log1p(a) * 2 + expm1(a) * a), [rand64(3, 4, low=-0.9, high=2.0)]


@case("softmax and log_softmax on a middle axis, non-contiguous input")
def _():
    from minigen.functions import log_softmax, softmax

    return (lambda a: softmax(a.transpose(0, 1), 1).sum() * 3 + log_softmax(a, -1)), [rand64(3, 4, 2)]


@case("softmax of a scalar and of large logits")
def _():
    from minigen.functions import log_softmax, softmax

    big = mg.tensor([[40.0, -3.0, 41.5], [0.2, -1.0, 0.7]], dtype=mg.float64, requires_grad=True)
    return (lambda a, s: log_softmax(a, 1).sum() + softmax(s, 0)), [big, rand64(1).reshape(())]


@case("gather along dim 1 with repeats and along dim 0, index smaller than the input")
def _():
    from minigen.functions import gather

    rows = mg.tensor([[0, 3, 3], [2, 2, 1], [1, 0, 3]])
    cols = mg.tensor([[2, 0, 2, 1]])
    return (lambda a: gather(a, 1, rows) * 2 + gather(a, 0, cols).sum()), [rand64(3, 4)]


@case("min with and without dim, and minimum")
def _():
    from minigen.functions import min, minimum

    return (lambda a, b: min(a) + min(a, 1).values.sum() + minimum(a, b).sum()), [
        rand64(3, 4), rand64(4, seed=2)]


@case("std over all, dim with keepdim, correction 0")
def _():
    from minigen.functions import std

    return (lambda a: std(a) + std(a, 0, keepdim=True).sum() + std(a, 1, correction=0).sum()), [
        rand64(3, 4)]


@case("norm p = 2, 1, 3, 0.5 and inf, over dims")
def _():
    from minigen.functions import norm

    def fn(a):
        return norm(a) + norm(a, 1, 1).sum() + norm(a, 3, 0).sum() + norm(a, 0.5) + norm(a, float("inf"), 1).sum()

    return fn, [rand64(3, 4)]


@case("repeat, chunk, split and mm (composed)")
def _():
    from minigen.functions import chunk, mm, repeat, split

    def fn(a, b):
        top, bottom = chunk(a, 2, 0)
        first, rest = split(a, [1, 3], 1)
        return repeat(top, 2, 1, 2).sum() * 0.5 + mm(bottom, b) + (first * 2).sum() + rest.sum()

    return fn, [rand64(4, 4), rand64(4, 3, seed=1)]


@case("indexing: integer arrays on two axes x[arange(n), target], with repeats")
def _():
    rows, target = mg.arange(4), mg.tensor([2, 0, 2, 2])
    return (lambda a: a[rows, target] * 3 + a[mg.tensor([1, 1]), mg.tensor([0, 0])].sum()), [rand64(4, 3)]


@case("indexing: arrays apart (axes first), int selecting first, None and a slice")
def _():
    i, j = mg.tensor([2, -1, 0]), mg.tensor([[1], [3]])

    def fn(a):
        return a[i, :, j].sum(0) + a[0, :, mg.tensor([3, 3, 1])].sum() + a[None, mg.tensor([1]), 1:, j].sum()

    return fn, [rand64(3, 2, 4)]


@case("pad constant with a value, and cropping (negative widths)")
def _():
    import minigen.nn.functional as F

    return (lambda a: F.pad(a, (1, 2, 0, 1), value=0.5).sum(0) * F.pad(a, (-1, 2, 1, -1))[1:3].sum()), [
        rand64(3, 2, 4)]
