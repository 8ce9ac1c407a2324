"""One random generator per device, all seeded by ``manual_seed``.

NumPy's and CuPy's generators are separate streams, so the same seed gives the same numbers on
the CPU run after run, and (separately) the same numbers on a GPU run after run. The strict test
device draws on the host and copies, since it only stands in for a GPU.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigen.backend.device import CPU, Device
from minigen.dtypes import DType

_state: dict[str, Any] = {"seed": None, "generators": {}}


def manual_seed(seed: int) -> None:
    """Seed the generators of every device (those made later included)."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed takes a non-negative integer, not {seed!r}")
    _state["seed"] = int(seed)
    _state["generators"] = {}


def initial_seed() -> int | None:
    """The seed last given to ``manual_seed`` (None before any)."""
    return _state["seed"]


def generator(device: Device) -> Any:
    """The generator for ``device`` (NumPy's Generator on the CPU, CuPy's on a GPU)."""
    generators = _state["generators"]
    if device not in generators:
        seed = _state["seed"]
        if device.type == "cuda":
            _ = device.xp  # raises the clear CUDA error where there is none
            import cupy

            # Each GPU gets its own stream of numbers, derived from the seed and its index.
            gpu_seed = None if seed is None else int(
                np.random.SeedSequence([seed, device.index]).generate_state(1)[0]
            )
            with device.context():
                generators[device] = cupy.random.default_rng(gpu_seed)
        else:
            generators[device] = np.random.default_rng(seed)
    return generators[device]


class Generator:
    """A random stream of its own, as ``torch.Generator``: ``g = mg.Generator().manual_seed(0)``.

    Handed to ``DataLoader(generator=g)`` it decides the shuffling alone, untouched by the
    draws of ``mg.randn`` and friends. Host (NumPy) streams only: shuffling happens on the host.
    """

    def __init__(self, device: Any = "cpu") -> None:
        if str(device) != "cpu":
            raise ValueError(f"mg.Generator: only 'cpu' generators exist in minigen, not {device!r}")
        self.device = Device("cpu")
        self._seed: int | None = None
        self.rng = np.random.default_rng()

    def manual_seed(self, seed: int) -> Generator:
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"Generator.manual_seed takes a non-negative integer, not {seed!r}")
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int | None:
        return self._seed

    def get_state(self) -> dict[str, Any]:
        return self.rng.bit_generator.state

    def set_state(self, state: dict[str, Any]) -> Generator:
        self.rng.bit_generator.state = state
        return self


def draw_seed(source: Generator | None = None) -> int:
    """A fresh 63-bit seed from ``source``, or from minigen's CPU generator (``manual_seed``).

    What a shuffling DataLoader draws at the start of each epoch, as PyTorch's sampler does.
    """
    return int(_host_rng(source).integers(0, 2**63 - 1))


def get_rng_state() -> dict[str, Any]:
    """The CPU generator's state (plain JSON-able values), for checkpoints."""
    return generator(CPU).bit_generator.state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the CPU generator from ``get_rng_state()``."""
    generator(CPU).bit_generator.state = state


def _draw(kind: str, shape: tuple[int, ...], dtype: DType, device: Device) -> Any:
    gen = generator(device)
    if device.type == "cuda":
        with device.context():
            native = dtype.native(np)
            return gen.standard_normal(shape, dtype=native) if kind == "normal" else gen.random(
                shape, dtype=native
            )
    host_dtype = dtype.native(np)
    host = (
        gen.standard_normal(shape, dtype=host_dtype)
        if kind == "normal"
        else gen.random(shape, dtype=host_dtype)
    )
    if device.type == "cpu":
        return host
    return device.xp.asarray(host, device=device.native)


def _host_rng(source: Any) -> Any:
    return source.rng if source is not None else generator(CPU)


def integers(low: int, high: int, shape: tuple[int, ...], dtype: DType, device: Device,
             source: Generator | None = None) -> Any:
    """Integers in [low, high), drawn on the host (minigen's CPU stream or ``source``)."""
    host = _host_rng(source).integers(low, high, size=shape, dtype=dtype.native(np))
    return host if device.type == "cpu" else _to_device(host, device)


def permutation(n: int, dtype: DType, device: Device, source: Generator | None = None) -> Any:
    """A random permutation of 0..n-1, drawn on the host."""
    host = _host_rng(source).permutation(n).astype(dtype.native(np))
    return host if device.type == "cpu" else _to_device(host, device)


def _to_device(host: Any, device: Device) -> Any:
    with device.context():
        return device.xp.asarray(host, device=device.native)


def standard_normal(shape: tuple[int, ...], dtype: DType, device: Device) -> Any:
    """An array of N(0, 1) draws."""
    return _draw("normal", shape, dtype, device)


def uniform(shape: tuple[int, ...], dtype: DType, device: Device) -> Any:
    """An array of U[0, 1) draws."""
    return _draw("uniform", shape, dtype, device)
