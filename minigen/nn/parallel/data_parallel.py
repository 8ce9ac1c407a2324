"""Data parallelism on one device: PyTorch's names, so course code runs, without replicas.

PyTorch's ``data_parallel(module, inputs, device_ids)`` splits a batch across several GPUs,
runs a copy of the module on each and gathers the outputs. minigen computes on one device
(its point is an engine small enough to read), so with one device these run the module there,
as PyTorch does with one device, and with several they raise :class:`MultiDeviceError`, which
says how to move the model to PyTorch for multi-GPU training.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.device import Device, as_device
from minigen.errors import MinigenError
from minigen.nn.module import Module

DeviceLike = int | str | Device

MULTI_DEVICE_ADVICE = (
    "multi-GPU data parallelism is PyTorch's job: minigen runs a model on one device. Export the "
    "weights (minigen export RUN --to model.safetensors, or mg.save_safetensors(model.state_dict(),"
    " path)), load them into the same model in PyTorch (model.load_state_dict("
    "safetensors.torch.load_file(path))) and train it with "
    "torch.nn.parallel.DistributedDataParallel; docs/coming_from_pytorch.md shows the steps"
)


class MultiDeviceError(MinigenError, RuntimeError):
    """Asked to spread a module over several devices, which minigen does not do."""


def data_parallel(
    module: Module,
    inputs: Any,
    device_ids: Sequence[DeviceLike] | None = None,
    output_device: DeviceLike | None = None,
    dim: int = 0,
    module_kwargs: dict[str, Any] | None = None,
) -> Any:
    """``module(*inputs, **module_kwargs)`` on one device, as ``torch.nn.parallel.data_parallel``
    with a single device.

    ``device_ids``: None (the device the module is on) or one device (``0`` is ``"cuda:0"``);
    the module must already be there, and tensor inputs are moved there. As in PyTorch with
    one device, the output stays there (``output_device`` is not used) and ``dim`` (the axis
    PyTorch splits the batch along) does not matter. Several devices raise MultiDeviceError.
    """
    target = _one_device(module, device_ids, "data_parallel")
    for t in [*module.parameters(), *module.buffers()]:
        if t.device != target:
            raise RuntimeError(
                f"module must have its parameters and buffers on device {target} "
                f"(device_ids[0]) but found one of them on device: {t.device}"
            )
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*_moved(inputs, target), **_moved(module_kwargs or {}, target))


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)`` on one device: its
    forward is :func:`data_parallel`. As in PyTorch, the wrapped model is ``.module``, so the
    state_dict names gain a ``module.`` prefix."""

    def __init__(
        self,
        module: Module,
        device_ids: Sequence[DeviceLike] | None = None,
        output_device: DeviceLike | None = None,
        dim: int = 0,
    ) -> None:
        super().__init__()
        _one_device(module, device_ids, "DataParallel")  # fail at construction, as PyTorch does
        self.module = module
        self.device_ids = None if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return data_parallel(self.module, inputs, self.device_ids, self.output_device, self.dim,
                             kwargs)


class DistributedDataParallel(Module):
    """Not in minigen: constructing it raises :class:`MultiDeviceError` with the way to PyTorch."""

    def __init__(self, module: Module, *args: Any, **kwargs: Any) -> None:
        raise MultiDeviceError(f"DistributedDataParallel: {MULTI_DEVICE_ADVICE}")


def _one_device(module: Module, device_ids: Sequence[DeviceLike] | None, name: str) -> Device:
    """The single device ``device_ids`` names (the module's own device when None)."""
    if device_ids is None:
        first = next(iter([*module.parameters(), *module.buffers()]), None)
        return first.device if first is not None else as_device(None)
    if isinstance(device_ids, (int, str, Device)):
        raise TypeError(f"{name}: device_ids is a list of devices, such as [0], not {device_ids!r}")
    devices = list(dict.fromkeys(_as_device(d) for d in device_ids))
    if len(devices) > 1:
        names = ", ".join(str(d) for d in devices)
        raise MultiDeviceError(f"{name}: device_ids asks for {len(devices)} devices ({names}); "
                               f"{MULTI_DEVICE_ADVICE}")
    return devices[0] if devices else as_device(None)


def _as_device(device: DeviceLike) -> Device:
    # An integer names a GPU, as in PyTorch (device_ids=[0] is cuda:0).
    return Device("cuda", device) if isinstance(device, int) else as_device(device)


def _moved(value: Any, target: Device) -> Any:
    """``value`` with every tensor in it (nested in tuples, lists, dicts) moved to ``target``."""
    if isinstance(value, Tensor):
        return value.to(target)
    if isinstance(value, (tuple, list)):
        return type(value)(_moved(v, target) for v in value)
    if isinstance(value, dict):
        return {k: _moved(v, target) for k, v in value.items()}
    return value
