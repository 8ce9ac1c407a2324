"""Where a test's tensors live: every input, parameter and buffer must be on the device under test.

A gradient-check case or a model that leaves one tensor on the host fails on a GPU (CuPy refuses
to mix devices) but may pass on the CPU, where everything is on the host anyway. The strict
stand-in device refuses the mix too, but only where the tensor is used; these helpers find every
tensor a case holds, including the layers captured by its function, and name the ones that sit
elsewhere, so such a builder fails on the strict device without a GPU.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import minigen as mg
from minigen import nn


def held_tensors(**roots: Any) -> Iterator[tuple[str, mg.Tensor]]:
    """(name, tensor) for every tensor reachable from the named ``roots``: tensors themselves,
    the parameters and buffers of modules, and what functions hold in their closures."""
    seen: set[int] = set()
    stack = list(roots.items())[::-1]  # popped in the order given
    while stack:
        label, obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, mg.Tensor):
            yield label, obj
        elif isinstance(obj, nn.Module):
            for kind in ("named_parameters", "named_buffers"):
                for sub, t in getattr(obj, kind)():
                    stack.append((f"{label}.{sub}", t))
        elif isinstance(obj, (list, tuple)):
            stack += [(f"{label}[{i}]", item) for i, item in enumerate(obj)]
        elif isinstance(obj, dict):
            stack += [(f"{label}[{key!r}]", item) for key, item in obj.items()]
        elif hasattr(obj, "__self__") and callable(obj):  # a bound method: its object
            stack.append((f"{label}.__self__", obj.__self__))
        elif hasattr(obj, "__code__"):  # a function: what its closure and defaults hold
            cells = zip(obj.__code__.co_freevars, obj.__closure__ or (), strict=True)
            for var, cell in cells:
                try:
                    stack.append((f"{label}:{var}", cell.cell_contents))
                except ValueError:  # an empty cell (a variable not assigned yet)
                    pass
            stack += [(f"{label}:default{i}", d) for i, d in enumerate(obj.__defaults__ or ())]


def off_device(device: str | mg.Device, **roots: Any) -> list[str]:
    """The tensors held by ``roots`` that are not on ``device``, as "name on device" lines."""
    want = mg.Device(device)
    return [f"{label} on {t.device}" for label, t in held_tensors(**roots) if t.device != want]


def assert_on_device(device: str | mg.Device, **roots: Any) -> None:
    """Fail, naming each tensor, unless every tensor held by ``roots`` is on ``device``."""
    away = off_device(device, **roots)
    assert not away, f"tensors off the device under test ({device}): " + ", ".join(away)
