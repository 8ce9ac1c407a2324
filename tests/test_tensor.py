"""Creating tensors: dtypes, devices, factories, seeds and the properties PyTorch users expect."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg


def test_python_floats_become_float32_and_ints_int64():
    assert mg.tensor([1.0, 2.0]).dtype == mg.float32
    assert mg.tensor(3.5).dtype == mg.float32
    assert mg.tensor([1, 2]).dtype == mg.int64
    assert mg.tensor([True, False]).dtype == mg.bool_


def test_numpy_array_keeps_its_dtype_and_is_copied():
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = mg.tensor(a)
    assert t.dtype == mg.float64
    a[0, 0] = 100
    assert t.numpy()[0, 0] == 0  # mg.tensor copies, as torch.tensor does
    assert mg.tensor(np.zeros(3, dtype=np.uint8)).dtype == mg.uint8


def test_dtype_argument_converts():
    t = mg.tensor([1, 2, 3], dtype=mg.float64)
    assert t.dtype == mg.float64 and t.numpy().dtype == np.float64
    assert mg.tensor([1.0], dtype="float64").dtype == mg.float64
    assert mg.tensor([1.0], dtype=np.float64).dtype == mg.float64


def test_properties():
    t = mg.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and t.ndim == 3 and t.size() == (2, 3, 4) and t.size(1) == 3
    assert t.size(-1) == 4 and t.numel() == 24 and len(t) == 2
    assert str(t.device) == "cpu" and t.device == "cpu" and t.dtype == mg.float32


def test_factories_shapes_values_and_dtypes():
    assert np.array_equal(mg.ones((2, 2)).numpy(), np.ones((2, 2), np.float32))
    assert mg.full((2, 3), 7.0).numpy().tolist() == [[7.0] * 3] * 2
    assert mg.arange(5).dtype == mg.int64 and mg.arange(5).numpy().tolist() == [0, 1, 2, 3, 4]
    assert mg.arange(0, 1, 0.25).dtype == mg.float32
    x = mg.randn(3, 4, dtype=mg.float64)
    assert x.dtype == mg.float64
    for like in (mg.zeros_like(x), mg.ones_like(x), mg.randn_like(x), mg.rand_like(x)):
        assert like.shape == x.shape and like.dtype == mg.float64 and like.device == x.device
    assert mg.zeros_like(x, dtype=mg.float32).dtype == mg.float32


def test_randn_and_rand_statistics():
    n = mg.randn(200_000).numpy()
    u = mg.rand(200_000).numpy()
    assert n.dtype == np.float32 and u.dtype == np.float32
    assert abs(n.mean()) < 0.01 and abs(n.std() - 1) < 0.01
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01


def test_manual_seed_gives_the_same_numbers_run_after_run():
    mg.manual_seed(123)
    a = mg.randn(5).numpy().copy()
    b = mg.rand(3).numpy().copy()
    mg.manual_seed(123)
    assert np.array_equal(mg.randn(5).numpy(), a)
    assert np.array_equal(mg.rand(3).numpy(), b)
    mg.manual_seed(124)
    assert not np.array_equal(mg.randn(5).numpy(), a)


def test_rng_state_round_trip():
    state = mg.get_rng_state()
    a = mg.randn(4).numpy().copy()
    mg.set_rng_state(state)
    assert np.array_equal(mg.randn(4).numpy(), a)


def test_item_numpy_tolist():
    t = mg.tensor([[2.5]])
    assert t.item() == 2.5 and isinstance(t.item(), float)
    with pytest.raises(ValueError, match="one element"):
        mg.tensor([1.0, 2.0]).item()
    assert mg.tensor([1.0, 2.0]).tolist() == [1.0, 2.0]


def test_to_changes_dtype_and_returns_self_when_nothing_changes():
    t = mg.tensor([1.0, 2.0])
    assert t.to("cpu") is t and t.to(mg.float32) is t
    assert t.to(mg.float64).dtype == mg.float64
    assert t.to(device="cpu", dtype="float64").dtype == mg.float64
    assert t.double().dtype == mg.float64 and t.double().float().dtype == mg.float32


def test_default_device_and_environment_variable(monkeypatch):
    from minigen.backend import device

    assert mg.get_default_device() == "cpu"
    mg.set_default_device("strict")
    try:
        assert mg.zeros(2).device == "strict"
    finally:
        mg.set_default_device("cpu")
    device._default.clear()
    monkeypatch.setenv("MINIGEN_DEVICE", "strict")
    assert mg.get_default_device() == "strict"
    device._default.clear()
    monkeypatch.delenv("MINIGEN_DEVICE")
    assert mg.get_default_device() == "cpu"


def test_device_parsing():
    assert str(mg.Device("cuda")) == "cuda:0" and str(mg.Device("cuda:1")) == "cuda:1"
    assert mg.Device("CPU") == mg.Device("cpu")
    with pytest.raises(ValueError, match="unknown device"):
        mg.Device("tpu")
    with pytest.raises(ValueError, match="only 'cuda' takes an index"):
        mg.Device("cpu:1")


def test_repr_is_readable():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    x = mg.tensor([1.0], requires_grad=True)
    assert "requires_grad=True" in repr(x)
    assert "grad_fn=<MulBackward>" in repr(x * 2)
    assert "dtype=minigen.float64" in repr(mg.tensor([1.0], dtype=mg.float64))


def test_comparisons_give_bool_tensors():
    t = mg.tensor([1.0, 2.0, 3.0])
    assert (t > 1.5).dtype == mg.bool_ and (t > 1.5).tolist() == [False, True, True]
    assert t.eq(2.0).tolist() == [False, True, False]


def test_setitem_without_grad_and_refused_on_leaf_with_grad():
    t = mg.zeros(3)
    t[1] = 5.0
    assert t.tolist() == [0.0, 5.0, 0.0]
    w = mg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w[0] = 1.0
    with mg.no_grad():
        w[0] = 1.0
    assert w.tolist()[0] == 1.0


def test_max_with_dim_returns_values_and_indices():
    t = mg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = t.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert t.max().item() == 7.0 and t.argmax().item() == 3


def test_integer_tensors_meeting_floats_become_float32_as_in_pytorch():
    i = mg.tensor([1, 2])
    assert (i / 2).dtype == mg.float32 and (i / 2).tolist() == [0.5, 1.0]
    assert (i * 2.5).dtype == mg.float32 and (2.5 * i).dtype == mg.float32
    assert (i + mg.tensor([0.5, 0.5], dtype=mg.float64)).dtype == mg.float64
    assert (i * 2).dtype == mg.int64 and (i + i).dtype == mg.int64
    assert (i / i).dtype == mg.float32
    s = mg.tensor([1, 2], device="strict")
    assert (s * 0.5).dtype == mg.float32 and (s * 0.5).device == "strict"
