"""The CUDA device: one clear error where it cannot work, and the same numbers where it can.

Tests marked ``gpu`` run the engine on CuPy and compare with NumPy; on a machine without a
GPU they are skipped with the reason.
"""

from __future__ import annotations

import builtins

import numpy as np
import pytest

import minigen as mg
from minigen.backend import cuda

needs_gpu = pytest.mark.skipif(not cuda.is_available(), reason="no CUDA GPU usable by CuPy here")


def test_missing_cupy_gives_one_clear_error(monkeypatch):
    real_import = builtins.__import__

    def no_cupy(name, *args, **kwargs):
        if name == "cupy" or name.startswith("cupy."):
            raise ImportError("No module named 'cupy'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cupy)
    monkeypatch.setattr(cuda.importlib, "import_module", lambda name: no_cupy(name))
    assert not mg.cuda.is_available()
    with pytest.raises(cuda.CudaUnavailableError, match=r"needs CuPy, which is not installed.*minigen\[gpu\]"):
        mg.zeros(2, device="cuda")


@pytest.mark.skipif(cuda.is_available(), reason="this machine has a GPU")
def test_cupy_without_a_gpu_gives_one_clear_error():
    pytest.importorskip("cupy")  # CuPy imports fine without a GPU; it fails at first allocation
    assert mg.cuda.device_count() == 0 and not mg.cuda.is_available()
    with pytest.raises(cuda.CudaUnavailableError, match="is installed but found no usable GPU"):
        mg.tensor([1.0], device="cuda")
    with pytest.raises(cuda.CudaUnavailableError):
        mg.set_default_device("cuda")
    with pytest.raises(cuda.CudaUnavailableError):
        mg.zeros(1).to("cuda")


@pytest.mark.gpu
@needs_gpu
def test_gpu_forward_backward_matches_cpu():
    from test_strict_device import small_network_step

    rng = np.random.default_rng(0)
    params = {"w1": rng.standard_normal((5, 3)), "b1": rng.standard_normal(5),
              "w2": rng.standard_normal((1, 5)), "b2": rng.standard_normal(1)}
    params = {k: v.astype(np.float32) for k, v in params.items()}
    x = rng.standard_normal((8, 3)).astype(np.float32)
    y = (rng.random((8, 1)) > 0.5).astype(np.float32)
    cpu_loss, cpu_grads = small_network_step("cpu", params, x, y)
    gpu_loss, gpu_grads = small_network_step("cuda", params, x, y)
    assert gpu_loss.device == "cuda:0"
    np.testing.assert_allclose(gpu_loss.numpy(), cpu_loss.numpy(), rtol=1e-5)
    for g, c in zip(gpu_grads, cpu_grads, strict=True):
        np.testing.assert_allclose(g.numpy(), c.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.gpu
@needs_gpu
def test_gpu_factories_seed_and_copies():
    mg.manual_seed(3)
    a = mg.randn(1000, device="cuda").numpy()
    mg.manual_seed(3)
    assert np.array_equal(mg.randn(1000, device="cuda").numpy(), a)
    assert abs(a.mean()) < 0.1 and a.dtype == np.float32
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x.to("cuda") * 2).sum().backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [2.0, 2.0]
    mg.synchronize("cuda")


@pytest.mark.gpu
@needs_gpu
def test_gpu_gradcheck_cases():
    from gradcases import all_cases
    from placement import assert_on_device

    mg.set_default_device("cuda")  # the builders make their tensors and layers there
    try:
        for case in all_cases():
            fn, inputs = case.build()
            assert_on_device("cuda", inputs=inputs, fn=fn)
            assert mg.gradcheck(fn, inputs, directional=case.directional, **dict(case.options)), case.name
    finally:
        mg.set_default_device("cpu")
