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


# -- copies of batches through pinned memory (minigen/backend/pinned.py) ---------------------------
def test_pinned_copies_are_a_no_op_on_the_cpu_and_a_plain_copy_on_strict():
    from minigen.backend.pinned import host_to_device, pinned_empty

    host = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert host_to_device(host, "cpu") is host
    on_strict = host_to_device(host, "strict")
    assert mg.Tensor.wrap(on_strict).device == "strict"
    np.testing.assert_array_equal(mg.Tensor.wrap(on_strict).numpy(), host)
    for device in ("cpu", "strict"):
        buffer = pinned_empty((2, 5), np.int64, device)
        assert type(buffer) is np.ndarray and buffer.shape == (2, 5) and buffer.dtype == np.int64


@pytest.mark.parametrize("shape, dtype, chunk", [
    ((5, 7), np.float32, 16),  # 140 bytes in 16-byte chunks: the last one short, mid-element
    ((64, 1, 28, 28), np.float32, 4096),
    ((3,), np.int64, 1 << 20),  # smaller than one chunk
    ((0, 4), np.float32, 16),  # nothing to send
])
def test_staging_sends_every_byte_once_in_order(shape, dtype, chunk):
    from minigen.backend.pinned import stage

    rng = np.random.default_rng(0)
    host = rng.standard_normal(shape).astype(dtype)[::-1]  # not contiguous: staged from a copy
    received = bytearray(host.nbytes)
    offsets = []

    def send(staged, offset):
        offsets.append(offset)
        received[offset:offset + staged.size] = staged.tobytes()

    chunks = stage(host, lambda size: np.empty(size, np.uint8), send, chunk=chunk)
    assert chunks == len(offsets) == -(-host.nbytes // chunk)
    assert offsets == sorted(offsets) and len(set(offsets)) == len(offsets)
    assert bytes(received) == np.ascontiguousarray(host).tobytes()


def test_prefetch_goes_one_batch_ahead_and_passes_through_on_the_cpu():
    from minigen.backend.pinned import prefetch_to_device

    rng = np.random.default_rng(1)
    batches = [(rng.random((2, 3), dtype=np.float32), None if i == 1 else np.arange(2) + i)
               for i in range(4)]
    pulled = []

    def source():
        for i, batch in enumerate(batches):
            pulled.append(i)
            yield batch

    on_cpu = list(prefetch_to_device(source(), "cpu"))
    assert all(a is b for got, want in zip(on_cpu, batches, strict=True)
               for a, b in zip(got, want, strict=True))
    pulled.clear()
    seen = 0
    for i, (x, y) in enumerate(prefetch_to_device(source(), "strict")):
        assert pulled == list(range(min(i + 2, len(batches))))  # batch i+1 already sent
        assert mg.Tensor.wrap(x).device == "strict"
        np.testing.assert_array_equal(mg.Tensor.wrap(x).numpy(), batches[i][0])
        assert (y is None) == (batches[i][1] is None)
        seen += 1
    assert seen == len(batches)
    assert list(prefetch_to_device(iter([]), "strict")) == []


def test_batch_to_device_shares_on_the_cpu_and_copies_elsewhere():
    from minigen.train.common import batch_to_device

    host = np.ones((2, 3), dtype=np.float32)
    assert batch_to_device(None, mg.Device("strict")) is None
    on_cpu = batch_to_device(host, mg.Device("cpu"))
    assert np.shares_memory(on_cpu.array, host)
    on_strict = batch_to_device(host, mg.Device("strict"))
    assert on_strict.device == "strict" and on_strict.numpy().tolist() == host.tolist()
    assert batch_to_device(on_strict.array, mg.Device("strict")).array is on_strict.array
    back = batch_to_device(on_strict.array, mg.Device("cpu"))
    assert back.device == "cpu" and back.numpy().tolist() == host.tolist()


@pytest.mark.skipif(cuda.is_available(), reason="this machine has a GPU")
def test_pinned_copies_to_cuda_without_a_gpu_give_the_clear_error():
    pytest.importorskip("cupy")
    from minigen.backend.pinned import host_to_device, pinned_empty

    with pytest.raises(cuda.CudaUnavailableError, match="is installed but found no usable GPU"):
        host_to_device(np.ones(3, dtype=np.float32), "cuda")
    with pytest.raises(cuda.CudaUnavailableError):
        pinned_empty((3,), np.float32, "cuda")


@pytest.mark.gpu
@needs_gpu
def test_gpu_copies_through_pinned_memory_arrive_whole_and_in_order():
    import cupy

    from minigen.backend import pinned

    rng = np.random.default_rng(2)
    chunk_floats = pinned.CHUNK_BYTES // 4
    sources = [
        rng.random((128, 1, 28, 28), dtype=np.float32),  # a batch
        rng.integers(0, 10, 64),  # its labels, int64
        rng.standard_normal(2 * chunk_floats + 3).astype(np.float32),  # 2 chunks and a bit
        rng.standard_normal((300, 400)).astype(np.float32).T,  # not contiguous
        np.zeros((0, 3), dtype=np.float32),
    ]
    for host in sources:
        keep = host.copy()
        out = pinned.host_to_device(host, "cuda")
        host[...] = -1 if host.size else host  # the caller may reuse its array at once
        assert isinstance(out, cupy.ndarray) and out.dtype == keep.dtype and out.shape == keep.shape
        np.testing.assert_array_equal(cupy.asnumpy(out), keep)
        # Ordered before the computation that uses it, with no wait on the host.
        np.testing.assert_array_equal(cupy.asnumpy(out * 2), keep * 2)

    locked = pinned.pinned_empty((1000, 784), np.float32, "cuda")
    assert cupy.cuda.pinned_memory.is_memory_pinned(locked.ctypes.data)
    assert not cupy.cuda.pinned_memory.is_memory_pinned(sources[0].ctypes.data)
    locked[...] = rng.random(locked.shape, dtype=np.float32)
    np.testing.assert_array_equal(cupy.asnumpy(pinned.host_to_device(locked, "cuda")), locked)
    mg.synchronize("cuda")
    pinned.host_to_device(sources[1], "cuda")
    mg.synchronize("cuda")
    pinned._release_finished()
    assert not pinned._in_flight  # every staging buffer went back to the pool


@pytest.mark.gpu
@needs_gpu
def test_gpu_batches_prefetched_and_wrapped_as_tensors():
    import cupy

    from minigen.backend.pinned import prefetch_to_device
    from minigen.train.common import batch_to_device

    rng = np.random.default_rng(3)
    batches = [(rng.random((64, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, 64))
               for _ in range(3)] + [(rng.random((7, 1, 28, 28), dtype=np.float32), None)]
    device = mg.Device("cuda")
    got = list(prefetch_to_device(iter(batches), device))
    assert len(got) == len(batches)
    for (x, y), (hx, hy) in zip(got, batches, strict=True):
        assert isinstance(x, cupy.ndarray)
        tx, ty = batch_to_device(x, device), batch_to_device(y, device)
        assert tx.device == device and tx.array is x
        np.testing.assert_array_equal(tx.numpy(), hx)
        assert (ty is None and hy is None) or ty.numpy().tolist() == hy.tolist()
    t = batch_to_device(batches[0][0], device)
    assert t.device == device
    np.testing.assert_allclose((t * 3).sum().item(), float((batches[0][0] * 3).sum()), rtol=1e-4)
