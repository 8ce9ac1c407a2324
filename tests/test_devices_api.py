"""PyTorch's device idioms: mg.accelerator, mg.backends (no-op settings), nn.parallel on one device."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
from minigen import nn
from minigen.backend import cuda


def test_accelerator_answers_as_cupy_sees_the_gpu(monkeypatch):
    monkeypatch.setattr(cuda, "_probe", lambda: (0, "no GPU"))
    assert mg.accelerator.is_available() is False
    assert mg.accelerator.current_accelerator() is None
    assert mg.accelerator.current_accelerator(check_available=True) is None
    assert mg.accelerator.device_count() == 0
    monkeypatch.setattr(cuda, "_probe", lambda: (2, ""))
    assert mg.accelerator.is_available() is True
    assert mg.accelerator.current_accelerator() == mg.device("cuda")
    assert mg.accelerator.device_count() == 2


def test_the_official_examples_device_choice_runs_on_this_machine():
    # pytorch/examples mnist/main.py, with only the import changed:
    use_accel = mg.accelerator.is_available()
    device = mg.accelerator.current_accelerator() if use_accel else mg.device("cpu")
    model = nn.Linear(3, 2).to(device)
    assert model(mg.randn(4, 3, device=device)).device == device


def test_backends_settings_are_accepted(monkeypatch):
    monkeypatch.setattr(mg.backends.cudnn, "benchmark", mg.backends.cudnn.benchmark)
    monkeypatch.setattr(mg.backends.cudnn, "deterministic", mg.backends.cudnn.deterministic)
    mg.backends.cudnn.benchmark = True  # the DCGAN example's line
    mg.backends.cudnn.deterministic = True
    assert mg.backends.cudnn.benchmark is True
    assert mg.backends.cudnn.is_available() is False
    assert mg.backends.mps.is_available() is False


def test_data_parallel_runs_the_module_on_its_device():
    model = nn.Linear(3, 2)
    x = mg.randn(5, 3)
    want = model(x).numpy()
    np.testing.assert_array_equal(nn.parallel.data_parallel(model, x).numpy(), want)
    np.testing.assert_array_equal(nn.parallel.data_parallel(model, (x,), ["cpu"]).numpy(), want)


def test_data_parallel_moves_the_inputs_to_the_modules_device():
    model = nn.Linear(3, 2).to("strict")
    x = mg.randn(5, 3)
    out = nn.parallel.data_parallel(model, x, device_ids=["strict"])
    assert out.device == mg.device("strict")
    with pytest.raises(RuntimeError, match="module must have its parameters and buffers on device"):
        nn.parallel.data_parallel(nn.Linear(3, 2), x, device_ids=["strict"])


def test_data_parallel_passes_gradients_through():
    model = nn.Linear(3, 1)
    nn.parallel.data_parallel(model, mg.randn(4, 3)).sum().backward()
    assert model.weight.grad is not None


@pytest.mark.parametrize("device_ids", [[0, 1], ["cuda:0", "cuda:1"], [0, 1, 2, 3]])
def test_several_devices_is_one_clear_error_pointing_to_pytorch(device_ids):
    with pytest.raises(nn.parallel.MultiDeviceError) as info:
        nn.parallel.data_parallel(nn.Linear(3, 2), mg.randn(2, 3), device_ids=device_ids)
    message = str(info.value)
    assert "multi-GPU data parallelism is PyTorch's job" in message
    assert "DistributedDataParallel" in message and "minigen export" in message
    assert "\n" not in message
    with pytest.raises(nn.parallel.MultiDeviceError):
        nn.parallel.DataParallel(nn.Linear(3, 2), device_ids=device_ids)


def test_data_parallel_module_wraps_as_pytorchs():
    assert nn.DataParallel is nn.parallel.DataParallel
    inner = nn.Linear(3, 2)
    wrapped = nn.parallel.DataParallel(inner)
    x = mg.randn(4, 3)
    np.testing.assert_array_equal(wrapped(x).numpy(), inner(x).numpy())
    assert list(wrapped.state_dict()) == ["module.weight", "module.bias"]


def test_distributed_data_parallel_says_where_to_go():
    with pytest.raises(nn.parallel.MultiDeviceError, match="PyTorch's job"):
        nn.parallel.DistributedDataParallel(nn.Linear(1, 1))
