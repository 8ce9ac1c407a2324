"""Count the array operations of a training step: the number that bounds a GPU step from below.

On a GPU each array operation costs the host a fixed 10-20 us of Python and CuPy dispatch
(checking arguments, choosing and launching a kernel), whatever the size of the arrays. For the
models here the GPU finishes each kernel in a few microseconds, so a step cannot take less than
(number of operations) x (dispatch cost), and the way to a faster GPU step is fewer operations.
The count needs no GPU: the engine runs the same code on every device, so it is counted on the
strict stand-in device.

How: while ``counting_ops()`` is active, the strict device's namespace is replaced by a proxy
that counts each call of its functions (``xp.matmul``, ``xp.sum``, ...), and the strict array
type's operators and methods (``a + b``, ``a[i]``, ``a.T``, ...) are wrapped to count each call.
Engine code is unchanged: it asks ``get_array_module`` for its namespace and gets the proxy.
Only the engine's own calls are counted: a call made inside another counted call (the strict
library implementing one function with another) is part of that one operation. Calls that only
inspect dtypes (``isdtype``, ``finfo``, ...) or build device objects touch no array and are not
counted.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

import minigen as mg
from minigen.backend import array_module
from minigen.backend import device as device_module
from minigen.bench.rows import building_on
from minigen.train.config import TrainConfig
from minigen.train.recipes import RECIPES, build_model, build_step, resolve

#: Namespace names that inspect dtypes or make device objects: no array, no kernel.
NOT_ARRAY_OPS = frozenset({"isdtype", "finfo", "iinfo", "result_type", "can_cast", "Device",
                           "__array_namespace_info__"})

#: Array attributes that are Python bookkeeping, not operations on the array's values.
ARRAY_BOOKKEEPING = frozenset({
    "__array_namespace__", "__class__", "__delattr__", "__dir__", "__doc__", "__format__",
    "__getattribute__", "__getstate__", "__hash__", "__init__", "__init_subclass__", "__new__",
    "__reduce__", "__reduce_ex__", "__repr__", "__setattr__", "__sizeof__", "__str__",
    "__subclasshook__", "__dlpack_device__", "__len__", "__iter__", "__buffer__",
})

#: The models whose training step is counted (the generative ones, from the recipes table), at
#: the batch size their recipe trains with.
MODELS = tuple(name for name, recipe in RECIPES.items() if recipe.kind != "classifier")

#: The host's cost of one array operation on a GPU, in seconds: CuPy's dispatch, measured as
#: 10-20 us per operation on the H200 run of 2026-12-04 (docs/results.md).
DISPATCH_SECONDS = (10e-6, 20e-6)


@dataclass(frozen=True)
class OpCount:
    """How many array operations one call made: the total, each operation's count, and each
    engine file's (the file whose code made the call: where to look to cut them)."""

    by_name: dict[str, int]
    by_source: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_name.values())

    def floor_seconds(self, per_op: float = DISPATCH_SECONDS[0]) -> float:
        """The least time these operations take on a GPU at ``per_op`` seconds each."""
        return self.total * per_op

    def top(self, n: int = 5) -> list[tuple[str, int]]:
        """The ``n`` most frequent operations (ties in name order, so runs agree)."""
        return _most(self.by_name, n)

    def top_sources(self, n: int = 5) -> list[tuple[str, int]]:
        """The ``n`` engine files that make the most operations."""
        return _most(self.by_source, n)


def _most(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../minigen


def _calling_file() -> str:
    """The minigen file (outside this one) whose code made the current call, as
    "minigen/functions/conv.py"; "elsewhere" for calls from outside the package."""
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if path.startswith(_PACKAGE) and path != __file__:
            return "minigen" + path[len(_PACKAGE):].replace(os.sep, "/")
        frame = frame.f_back
    return "elsewhere"


class _Counter:
    """Counts the outermost counted calls only (see the module docstring)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.depth = 0

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self.depth:
                return fn(*args, **kwargs)
            self.counts[name] += 1
            self.sources[_calling_file()] += 1
            self.depth += 1
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth -= 1

        return counted


class _CountingNamespace:
    """Stands in for the ``array_api_strict`` module: the same names, each call counted."""

    def __init__(self, module: ModuleType, prefix: str, counter: _Counter) -> None:
        self._module, self._prefix, self._counter = module, prefix, counter

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._module, name)
        if isinstance(attr, ModuleType):  # xp.linalg, xp.fft
            wrapped: Any = _CountingNamespace(attr, f"{self._prefix}.{name}", self._counter)
        elif callable(attr) and not isinstance(attr, type) and name not in NOT_ARRAY_OPS:
            wrapped = self._counter.wrap(f"{self._prefix}.{name}", attr)
        else:  # dtypes, constants, classes
            wrapped = attr
        setattr(self, name, wrapped)  # look each name up once
        return wrapped


def _array_operations(array_type: type) -> dict[str, Any]:
    """The operators and methods of ``array_type`` to count, with their original objects."""
    found = {}
    for name in dir(array_type):
        if name in ARRAY_BOOKKEEPING or (name.startswith("_") and not name.startswith("__")):
            continue
        attr = getattr(array_type, name)
        if isinstance(attr, property):
            if name in ("T", "mT"):  # the transposes make a new array; shape and dtype do not
                found[name] = attr
        elif callable(attr):
            found[name] = attr
    return found


@contextlib.contextmanager
def counting_ops() -> Iterator[_Counter]:
    """Count the strict device's array operations inside the ``with`` block.

    Yields the live counter (``counts``: operation name -> calls; ``sources``: engine file ->
    calls). Everything is restored on exit.
    """
    import array_api_strict

    counter = _Counter()
    array_type = type(array_api_strict.asarray(0.0))
    proxy = _CountingNamespace(array_api_strict, "xp", counter)
    originals = _array_operations(array_type)
    saved_namespace = array_module._NAMESPACE_BY_TYPE.get(array_type)
    saved_module = device_module._strict_module
    try:
        for name, attr in originals.items():
            if isinstance(attr, property):
                setattr(array_type, name, property(counter.wrap(f"array.{name}", attr.fget)))
            else:
                setattr(array_type, name, counter.wrap(f"array.{name}", attr))
        array_module._NAMESPACE_BY_TYPE[array_type] = proxy
        device_module._strict_module = lambda: proxy
        yield counter
    finally:
        for name, attr in originals.items():
            setattr(array_type, name, attr)
        if saved_namespace is None:
            array_module._NAMESPACE_BY_TYPE.pop(array_type, None)
        else:
            array_module._NAMESPACE_BY_TYPE[array_type] = saved_namespace
        device_module._strict_module = saved_module


def count_ops(fn: Callable[[], Any]) -> OpCount:
    """The array operations one call of ``fn`` makes on the strict device."""
    with counting_ops() as counter:
        fn()
    return OpCount(dict(counter.counts), dict(counter.sources))


def training_step(name: str, batch: int | None = None, device: str = "strict"
                  ) -> Callable[[], Any]:
    """One training step of model ``name`` as ``minigen train`` builds it, on ``device``, with
    a fixed batch of images (and labels for the conditional GAN) already there."""
    recipe = RECIPES[name]
    batch = batch or recipe.batch_size
    mg.manual_seed(0)
    rng = np.random.default_rng(0)
    images = rng.random((batch, 1, 28, 28), dtype=np.float32)
    if recipe.model.pixel_scale == "symmetric":  # generators end in tanh: [-1, 1]
        images = images * 2 - 1
    x = mg.tensor(images, device=device)
    config = resolve(TrainConfig(model=name, out="", device=device))
    with building_on(mg.Device(device)):
        model = build_model(name, recipe.latent_dim and config.latent_dim)
    classes = model.num_classes
    labels = None if classes is None else mg.tensor(rng.integers(0, classes, batch), device=device)
    model.to(device)
    model.train()
    step = build_step(config, model)
    return lambda: step(x, labels)


def step_op_count(name: str, batch: int | None = None) -> OpCount:
    """The array operations of one training step of model ``name`` after a first, uncounted
    step (which creates the optimizers' state): the count of every step after it."""
    step = training_step(name, batch)
    step()
    return count_ops(step)


def step_op_counts(models: tuple[str, ...] = MODELS, batch: int | None = None
                   ) -> dict[str, OpCount]:
    """``step_op_count`` of each model, in order."""
    return {name: step_op_count(name, batch) for name in models}


def table(counts: dict[str, OpCount], top: int = 3) -> str:
    """The counts as a text table: operations per step, the GPU floor they set, the most
    frequent operations."""
    low, high = (f"{s * 1e6:.0f} us" for s in DISPATCH_SECONDS)
    header = ["model", "array ops/step", f"GPU floor at {low}", f"at {high}",
              f"most frequent ({top})"]
    lines = [header]
    for name, count in counts.items():
        lines.append([name, str(count.total), f"{count.floor_seconds(DISPATCH_SECONDS[0]) * 1e3:.1f} ms",
                      f"{count.floor_seconds(DISPATCH_SECONDS[1]) * 1e3:.1f} ms",
                      ", ".join(f"{op} {n}" for op, n in count.top(top))])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) if i in (0, 4) else cell.rjust(w)
                     for i, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()
           for line in lines]
    out.insert(1, "-" * len(out[0]))
    return "\n".join(out)


def markdown(counts: dict[str, OpCount]) -> str:
    """The counts as the Markdown table docs/results.md quotes."""
    low, high = (f"{s * 1e6:.0f} µs" for s in DISPATCH_SECONDS)
    lines = [f"| model | array ops per step | GPU floor at {low} / op | at {high} / op |",
             "|---|---:|---:|---:|"]
    for name, count in counts.items():
        lines.append(f"| {name} | {count.total:,} | {count.floor_seconds(DISPATCH_SECONDS[0]) * 1e3:.1f} ms"
                     f" | {count.floor_seconds(DISPATCH_SECONDS[1]) * 1e3:.1f} ms |")
    return "\n".join(lines)


def breakdown(counts: dict[str, OpCount]) -> str:
    """Every model's operations by engine file and by name: where the count comes from."""
    parts = []
    for name, count in counts.items():
        parts.append(f"{name}: {count.total} array operations per step")
        parts += [f"  {n:5d}  {source}" for source, n in count.top_sources(len(count.by_source))]
        parts += [f"  {n:5d}  {op}" for op, n in count.top(len(count.by_name))]
    return "\n".join(parts)
