"""The registry of gradient-check cases: every Function must appear in at least one.

A case is a name and a builder returning ``(fn, inputs)``: ``mg.gradcheck(fn, inputs)`` must
pass, and the Functions found in the graph of ``fn(*inputs)`` count as covered. Cases live in
``tests/cases_*.py`` by theme; this module collects them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import minigen as mg


@dataclass(frozen=True)
class GradCase:
    name: str
    build: Callable[[], tuple[Callable[..., mg.Tensor], list[mg.Tensor]]]
    directional: bool | None = None
    #: extra gradcheck arguments, e.g. a larger eps where the case passes through float32
    options: tuple[tuple[str, float], ...] = ()


def all_cases() -> list[GradCase]:
    cases: list[GradCase] = []
    here = Path(__file__).parent
    for path in sorted(here.glob("cases_*.py")):
        module = importlib.import_module(path.stem)
        cases.extend(module.CASES)
    return cases


def functions_in_graph(out: mg.Tensor) -> set[type]:
    """The Function classes in the graph that produced ``out``."""
    seen: set[type] = set()
    stack = [out.grad_fn] if out.grad_fn is not None else []
    visited: set[int] = set()
    while stack:
        fn = stack.pop()
        if id(fn) in visited:
            continue
        visited.add(id(fn))
        seen.add(type(fn))
        stack.extend(p for p in fn.input_grad_fns if p is not None)
    return seen


def all_function_classes() -> set[type]:
    """Every subclass of mg.Function defined inside the minigen package."""
    import minigen

    for info in pkgutil.walk_packages(minigen.__path__, "minigen."):
        if ".cli" in info.name:
            continue
        importlib.import_module(info.name)
    found: set[type] = set()
    stack: list[Any] = [mg.Function]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("minigen."):
                found.add(sub)
            stack.append(sub)
    return found


def rand64(*shape: int, seed: int = 0, requires_grad: bool = True, low: float = -1.0, high: float = 1.0) -> mg.Tensor:
    """A float64 tensor of uniform values, away from the kinks of ReLU and friends at 0."""
    import numpy as np

    rng = np.random.default_rng(seed + 1000 * len(shape) + sum(shape))
    values = rng.uniform(low, high, size=shape)
    values = np.where(np.abs(values) < 0.05, 0.05 * np.sign(values + 1e-12) + values, values)
    return mg.tensor(values, dtype=mg.float64, requires_grad=requires_grad)
