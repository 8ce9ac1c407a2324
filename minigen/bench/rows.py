"""What ``minigen bench`` times: the rows, and how to build each one in minigen.

A row is one measurement at one size: a matrix product of n x n matrices, a layer's forward and
backward at batch size B, a model's whole training step, a copy of some bytes. ``RowSpec`` says
what it is and how much work it does (FLOPs or bytes, for the GFLOP/s or GB/s column);
``build_minigen(spec, device)`` returns the zero-argument function to time, with every input
already on the device (only the copy rows move data between host and device). The same specs
are built in PyTorch by ``minigen.bench.torch_rows``.

Everything is float32, the dtype of training on a GPU (float64 runs at 1/2 the speed on a CPU
and at 1/32 or less on most consumer GPUs).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import minigen as mg
from minigen import nn
from minigen.backend import device as device_module
from minigen.backend.pinned import host_to_device, pinned_empty
from minigen.train.common import batch_to_device
from minigen.train.config import TrainConfig
from minigen.train.recipes import RECIPES, build_model, build_step, resolve

#: The families of rows, in the order the table shows them, and what each times.
FAMILIES = {
    "matmul": "a @ b of two n x n matrices (forward only)",
    "conv2d": "Conv2d(64, 128, 4, 2, 1) on (B, 64, 14, 14), forward + backward",
    "conv_transpose2d": "ConvTranspose2d(256, 128, 4, 2, 1) on (B, 256, 7, 7), forward + backward",
    "batchnorm2d": "BatchNorm2d(128) in training mode on (B, 128, 14, 14), forward + backward",
    "elementwise": "tanh of a (B, 4096) tensor (forward only)",
    "train_step": "one full training step (forward, backward, Adam) at the model's batch size",
    "h2d": "copy host -> device: mg.tensor(array, device=...) from pageable memory",
    "h2d_batch": "copy host -> device as training batches go: batch_to_device, from pageable "
                 "memory through pinned buffers in chunks (minigen/backend/pinned.py)",
    "h2d_pinned": "copy host -> device from page-locked memory (pinned_empty): the DMA alone",
    "d2h": "copy device -> host",
}

#: The families that copy between host and device: only a GPU gets them.
COPIES = ("h2d", "h2d_batch", "h2d_pinned", "d2h")

#: The models whose training step is timed, at the batch size their recipe trains with.
STEP_BATCH = {"ae": 128, "vae": 128, "conv-vae": 128, "gan": 64, "dcgan": 64}

#: The sizes of each sweep: full and --quick.
SWEEPS = {
    "matmul": ([32, 64, 128, 256, 512, 1024, 2048], [64, 512]),
    "conv2d": ([1, 4, 16, 64, 256], [1, 16]),
    "conv_transpose2d": ([1, 4, 16, 64, 256], [1, 16]),
    "batchnorm2d": ([1, 4, 16, 64, 256], [1, 16]),
    "elementwise": ([1, 16, 256, 4096], [16, 1024]),
    "h2d": ([2**12, 2**18, 2**22, 2**26], [2**12, 2**22]),  # bytes
    "h2d_batch": ([2**12, 2**18, 2**22, 2**26], [2**12, 2**22]),
    "h2d_pinned": ([2**12, 2**18, 2**22, 2**26], [2**12, 2**22]),
    "d2h": ([2**12, 2**18, 2**22, 2**26], [2**12, 2**22]),
}

CONV_FLOPS_PER_IMAGE = 2 * 7 * 7 * 128 * 64 * 4 * 4  # Conv2d(64,128,4,2,1) at 14x14 -> 7x7
CONVT_FLOPS_PER_IMAGE = 2 * 7 * 7 * 256 * 128 * 4 * 4  # ConvT(256,128,4,2,1) at 7x7 -> 14x14


@dataclass(frozen=True)
class RowSpec:
    """One row: a ``family`` at one ``size`` (n, batch size or bytes) and its work per call."""

    family: str
    size: int
    label: str
    work: float  # FLOPs, bytes or images per call, in ``unit``'s numerator
    unit: str  # "GFLOP/s", "GB/s" or "img/s"
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def throughput(self, seconds: float) -> float:
        """Work per second in ``unit`` (GFLOP/s and GB/s are 1e9 per second)."""
        scale = 1.0 if self.unit == "img/s" else 1e-9
        return self.work * scale / seconds if seconds > 0 else float("nan")


def row_specs(families: list[str] | None = None, quick: bool = False) -> list[RowSpec]:
    """The rows of the chosen families (all by default), full sweeps or --quick ones."""
    chosen = list(FAMILIES) if not families else families
    unknown = [f for f in chosen if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown row families {unknown}; choose from {list(FAMILIES)}")
    specs = []
    for family in FAMILIES:  # always in the table's order
        if family not in chosen:
            continue
        if family == "train_step":
            for name, batch in STEP_BATCH.items():
                specs.append(RowSpec(family, batch, f"{name} step (batch {batch})", batch,
                                     "img/s", {"model": name}))
            continue
        for size in SWEEPS[family][1 if quick else 0]:
            specs.append(_spec(family, size))
    return specs


def _spec(family: str, size: int) -> RowSpec:
    if family == "matmul":
        return RowSpec(family, size, f"matmul {size}x{size}", 2.0 * size**3, "GFLOP/s")
    if family == "conv2d":  # forward, input gradient, weight gradient: 3 products
        return RowSpec(family, size, f"Conv2d B={size}", 3.0 * CONV_FLOPS_PER_IMAGE * size,
                       "GFLOP/s")
    if family == "conv_transpose2d":
        return RowSpec(family, size, f"ConvTranspose2d B={size}",
                       3.0 * CONVT_FLOPS_PER_IMAGE * size, "GFLOP/s")
    if family == "batchnorm2d":  # the least traffic: read x, write y; read dy, write dx
        return RowSpec(family, size, f"BatchNorm2d B={size}", 4.0 * 4 * size * 128 * 14 * 14,
                       "GB/s")
    if family == "elementwise":  # read x, write y
        return RowSpec(family, size, f"tanh B={size}", 2.0 * 4 * size * 4096, "GB/s")
    if family in COPIES:
        return RowSpec(family, size, f"{family} {_bytes(size)}", float(size), "GB/s")
    raise ValueError(family)


def _bytes(n: int) -> str:
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n // scale} {unit}"
    return f"{n} B"


def host_inputs(spec: RowSpec, seed: int = 0) -> dict[str, np.ndarray]:
    """The float32 input arrays of a row, made on the host from a seed: minigen and PyTorch
    get the same numbers."""
    rng = np.random.default_rng(seed)

    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=np.float32)

    f, n = spec.family, spec.size
    if f == "matmul":
        return {"a": normal(n, n), "b": normal(n, n)}
    if f == "conv2d":
        return {"x": normal(n, 64, 14, 14), "gy": normal(n, 128, 7, 7)}
    if f == "conv_transpose2d":
        return {"x": normal(n, 256, 7, 7), "gy": normal(n, 128, 14, 14)}
    if f == "batchnorm2d":
        return {"x": normal(n, 128, 14, 14), "gy": normal(n, 128, 14, 14)}
    if f == "elementwise":
        return {"x": normal(n, 4096)}
    if f in COPIES:
        return {"x": normal(n // 4)}
    if f == "train_step":
        images = rng.random((n, 1, 28, 28), dtype=np.float32)
        if spec.params["model"] in ("gan", "dcgan"):  # generators end in tanh: [-1, 1]
            images = images * 2 - 1
        return {"x": images}
    raise ValueError(f)


@contextlib.contextmanager
def building_on(device: mg.Device) -> Iterator[None]:
    """Make ``device`` the default device while a row's layers and model are built.

    Layers and models are made on the default device and then moved; with
    ``MINIGEN_DEVICE=cuda`` a CPU row would otherwise start on the GPU, and fail on a machine
    without one even though the bench times only the CPU there.
    """
    saved = list(device_module._default)
    device_module._default[:] = [device]
    try:
        yield
    finally:
        device_module._default[:] = saved


def build_minigen(spec: RowSpec, device: mg.Device) -> Callable[[], Any]:
    """The function that runs ``spec`` once in minigen on ``device``, inputs already there."""
    with building_on(device):
        return _build_minigen(spec, device)


def _build_minigen(spec: RowSpec, device: mg.Device) -> Callable[[], Any]:
    arrays = host_inputs(spec)
    mg.manual_seed(0)

    def on_device(name: str, requires_grad: bool = False) -> mg.Tensor:
        return mg.tensor(arrays[name], device=device, requires_grad=requires_grad)

    f = spec.family
    if f == "matmul":
        a, b = on_device("a"), on_device("b")

        def run() -> Any:
            with mg.no_grad():
                return a @ b

        return run
    if f in ("conv2d", "conv_transpose2d", "batchnorm2d"):
        if f == "conv2d":
            layer = nn.Conv2d(64, 128, 4, 2, 1)
        elif f == "conv_transpose2d":
            layer = nn.ConvTranspose2d(256, 128, 4, 2, 1)
        else:
            layer = nn.BatchNorm2d(128)
        layer.to(device)
        x, gy = on_device("x", requires_grad=True), on_device("gy")

        def run() -> Any:
            layer.zero_grad()
            x.grad = None
            layer(x).backward(gy)

        return run
    if f == "elementwise":
        x = on_device("x")

        def run() -> Any:
            with mg.no_grad():
                return mg.tanh(x)

        return run
    if f == "h2d":
        host = arrays["x"]
        return lambda: mg.tensor(host, device=device)
    if f == "h2d_batch":
        host = arrays["x"]
        return lambda: batch_to_device(host, device)
    if f == "h2d_pinned":
        host = pinned_empty(arrays["x"].shape, arrays["x"].dtype, device)
        host[...] = arrays["x"]
        return lambda: host_to_device(host, device)
    if f == "d2h":
        x = on_device("x")
        return lambda: x.numpy()
    if f == "train_step":
        return _minigen_train_step(spec, device, on_device("x"))
    raise ValueError(f)


def _minigen_train_step(spec: RowSpec, device: mg.Device, x: mg.Tensor) -> Callable[[], Any]:
    """The models engineer's training step for the model, as ``minigen train`` builds it."""
    name = spec.params["model"]
    config = resolve(TrainConfig(model=name, out="", device=str(device)))
    model = build_model(name, RECIPES[name].latent_dim and config.latent_dim)
    model.to(device)
    model.train()
    step = build_step(config, model)
    return lambda: step(x, None)
