"""``minigen.nn.parallel``, as ``torch.nn.parallel``, for one device: ``data_parallel`` and
``DataParallel`` run the module where it is; more than one device is an error that points to
PyTorch's ``DistributedDataParallel`` (see docs/coming_from_pytorch.md)."""

from minigen.nn.parallel.data_parallel import (
    DataParallel,
    DistributedDataParallel,
    MultiDeviceError,
    data_parallel,
)

__all__ = ["DataParallel", "DistributedDataParallel", "MultiDeviceError", "data_parallel"]
