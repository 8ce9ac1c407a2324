"""Gradient-check cases for in-place operations recorded in the graph (PyTorch's rules).

Each case changes a non-leaf in place while recording; the gradient must be that of the same
computation written out of place, which central differences check.
"""

from __future__ import annotations

from gradcases import GradCase, rand64


def case(name: str):
    def register(build):
        CASES.append(GradCase(name, build))
        return build

    return register


CASES: list[GradCase] = []


@case("in-place mul_ and add_ on a non-leaf, mul_ keeping the original")
def _():
    def fn(a, b):
        y = a * 1.0
        y.mul_(b)  # Mul keeps y's old value for b's gradient: a copy, as PyTorch's original_self
        y.add_(a, alpha=2.0)
        y *= 3.0
        return y

    return fn, [rand64(2, 3), rand64(1, 3, seed=1)]


@case("copy_ broadcast (1,3) into (2,3), then fill_ of a row-sized non-leaf")
def _():
    def fn(a, b):
        y = a * 2.0
        y.copy_(b)  # dL/da = 0 through y: every element was overwritten
        z = a + 0.0
        z.fill_(1.5)
        return y * a + z

    return fn, [rand64(2, 3), rand64(1, 3, seed=2)]


@case("setitem: x[0] = b, x[:, 1] = 0.5, x[mask] = c")
def _():
    def fn(a, b, c):
        y = a * 3.0
        y[0] = b  # b (3,) lands in row 0
        y[:, 1] = 0.5
        y[y.detach() > 1.0] = c  # c () broadcast to every masked position
        return y * a

    return fn, [rand64(2, 3), rand64(3, seed=3), rand64(seed=4)]
