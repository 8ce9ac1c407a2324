"""The CuPy path proven without a GPU: the engine on a strict stand-in device.

array-api-strict arrays on a non-default device refuse implicit conversion to NumPy and refuse
mixing with arrays of another device, as CuPy arrays do. A forward and backward there must
equal the NumPy results, which shows the engine takes its array module from its arrays and
copies between host and device only where it says so.
"""

from __future__ import annotations

import numpy as np
import pytest
from placement import assert_on_device, off_device

import minigen as mg
import minigen.nn as nn
from minigen.errors import DeviceMismatchError

array_api_strict = pytest.importorskip("array_api_strict")


def small_network_step(device: str, params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray):
    """Forward and backward of a 2-layer MLP with BCE written from engine operations."""
    w1, b1, w2, b2 = (mg.tensor(params[k], device=device, requires_grad=True) for k in ("w1", "b1", "w2", "b2"))
    xt, yt = mg.tensor(x, device=device), mg.tensor(y, device=device)
    assert_on_device(device, inputs=[w1, b1, w2, b2, xt, yt])
    h = (xt @ w1.T + b1).relu()
    logits = h @ w2.T + b2
    p = logits.sigmoid().clamp(1e-7, 1 - 1e-7)
    loss = -(yt * p.log() + (1 - yt) * (1 - p).log()).mean()
    extra = mg.cat([h[:, :2], h[:, 2:]], dim=1).var(0).sum() + mg.stack([h.max(1).values, h.mean(1)]).sum()
    total = loss + 0.01 * extra + (h.tanh() * h.abs()).sum() * 0.001 + mg.where(h > 0.5, h, h * 0).sum() * 0.001
    total.backward()
    return total, [w1.grad, b1.grad, w2.grad, b2.grad]


def test_network_forward_and_backward_match_numpy():
    rng = np.random.default_rng(0)
    params = {
        "w1": rng.standard_normal((5, 3)).astype(np.float32),
        "b1": rng.standard_normal(5).astype(np.float32),
        "w2": rng.standard_normal((1, 5)).astype(np.float32),
        "b2": rng.standard_normal(1).astype(np.float32),
    }
    x = rng.standard_normal((8, 3)).astype(np.float32)
    y = (rng.random((8, 1)) > 0.5).astype(np.float32)
    cpu_loss, cpu_grads = small_network_step("cpu", params, x, y)
    strict_loss, strict_grads = small_network_step("strict", params, x, y)
    assert strict_loss.device == "strict" and strict_grads[0].device == "strict"
    assert strict_loss.dtype == mg.float32
    np.testing.assert_allclose(strict_loss.numpy(), cpu_loss.numpy(), rtol=1e-6)
    for gs, gc in zip(strict_grads, cpu_grads, strict=True):
        np.testing.assert_allclose(gs.numpy(), gc.numpy(), rtol=1e-5, atol=1e-6)


def test_strict_arrays_refuse_implicit_host_conversion():
    t = mg.ones(3, device="strict")
    with pytest.raises(TypeError, match="does not convert to NumPy implicitly"):
        np.asarray(t)
    assert t.numpy().tolist() == [1.0, 1.0, 1.0]  # the explicit copy works


def test_mixing_devices_is_a_clear_error():
    with pytest.raises(DeviceMismatchError, match=r"Add: inputs are on different devices \(cpu, strict\)"):
        mg.ones(2) + mg.ones(2, device="strict")
    with pytest.raises(TypeError, match="cannot meet a tensor on strict"):
        mg.ones(2, device="strict") + np.ones(2, dtype=np.float32)


def test_factories_and_random_on_the_strict_device():
    for t in (mg.zeros(2, 3, device="strict"), mg.randn(2, 3, device="strict"), mg.rand(4, device="strict"),
              mg.arange(3, device="strict"), mg.full((2,), 3.0, device="strict")):
        assert t.device == "strict"
    mg.manual_seed(5)
    a = mg.randn(4, device="strict").numpy()
    mg.manual_seed(5)
    assert np.array_equal(mg.randn(4, device="strict").numpy(), a)
    assert mg.randn_like(mg.zeros(2, device="strict")).device == "strict"


def test_to_moves_between_devices_and_gradients_flow_back():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    s = x.to("strict")
    assert s.device == "strict" and s.requires_grad
    (s * 3).sum().backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [3.0, 3.0]
    back = mg.tensor([1.0], device="strict").to("cpu")
    assert back.device == "cpu"


def test_indexing_and_int_index_gradients_on_strict():
    x = mg.tensor(np.arange(6.0, dtype=np.float32).reshape(3, 2), device="strict", requires_grad=True)
    idx = mg.tensor([0, 2, 0], device="strict")
    (x[idx].sum() + x[1:, ::2].sum() + x[x > 2].sum()).backward()
    assert x.grad.numpy().tolist() == [[2.0, 2.0], [1.0, 1.0], [3.0, 2.0]]


def test_a_tensor_left_on_the_host_is_named():
    """The placement check the strict tests rely on finds a host tensor wherever it is held:
    a parameter or buffer of a layer that a case's function captures, or an input."""
    bn = nn.BatchNorm1d(3).to("strict")
    linear = nn.Linear(3, 2).to("strict")
    fn = lambda x: linear(bn(x))  # noqa: E731 - a case's function, holding its layers
    x = mg.ones(4, 3, device="strict")
    assert off_device("strict", inputs=[x], fn=fn) == []
    with mg.no_grad():
        bn.running_var.array = np.ones(3, dtype=np.float32)  # what the old BatchNorm cases did
        linear.bias.array = np.zeros(2, dtype=np.float32)
    assert sorted(off_device("strict", inputs=[x, mg.ones(1)], fn=fn)) == [
        "fn:bn.running_var on cpu", "fn:linear.bias on cpu", "inputs[1] on cpu"]
    with pytest.raises(AssertionError, match="fn:linear.bias on cpu"):
        assert_on_device("strict", fn=fn)
