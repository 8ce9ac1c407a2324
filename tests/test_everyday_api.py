"""The everyday PyTorch names on tensors, creation and autograd (issue 12), each against
numbers worked out independently (NumPy or by hand)."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
from minigen.errors import GradError


def test_creation_functions():
    mg.manual_seed(0)
    r = mg.randint(3, 7, (2, 5))
    assert r.dtype == mg.int64 and r.shape == (2, 5) and 3 <= int(r.numpy().min()) and int(r.numpy().max()) < 7
    assert mg.randint(4, (3,)).numpy().max() < 4
    p = mg.randperm(10)
    assert p.dtype == mg.int64 and sorted(p.tolist()) == list(range(10))
    mg.manual_seed(1)
    a = mg.randperm(50).tolist()
    mg.manual_seed(1)
    assert mg.randperm(50).tolist() == a  # follows manual_seed
    np.testing.assert_allclose(mg.linspace(-1, 1, 5).numpy(), np.linspace(-1, 1, 5, dtype=np.float32))
    np.testing.assert_array_equal(mg.eye(2, 3).numpy(), np.eye(2, 3, dtype=np.float32))
    assert mg.empty(2, 3).shape == (2, 3) and mg.empty(2, 3).dtype == mg.float32
    assert mg.full((2,), 3).dtype == mg.int64 and mg.full((2,), 3.0).dtype == mg.float32
    assert mg.full((1,), True).dtype == mg.bool_
    assert mg.is_tensor(mg.ones(1)) and mg.is_tensor(mg.nn.Parameter(mg.ones(1))) and not mg.is_tensor(1.0)
    with pytest.raises(ValueError, match="high"):
        mg.randint(5, 5, (2,))


def test_dtype_aliases_are_pytorchs():
    assert (mg.long, mg.int, mg.double, mg.float, mg.half, mg.bool) == (
        mg.int64, mg.int32, mg.float64, mg.float32, mg.float16, mg.bool_)
    x = mg.tensor([1.5, -2.5])
    assert x.long().tolist() == [1, -2] and x.int().dtype == mg.int32 and x.double().dtype == mg.float64
    assert x.half().dtype == mg.float16 and x.bool().tolist() == [True, True]
    assert x.type() == "minigen.FloatTensor" and x.type(mg.float64).dtype == mg.float64


def test_new_tensors_take_dtype_and_device_from_self():
    x = mg.ones(2, dtype=mg.float64)
    assert x.new_zeros(3).dtype == mg.float64 and x.new_zeros((2, 2)).shape == (2, 2)
    assert x.new_ones(2).tolist() == [1.0, 1.0] and x.new_full((2,), 7).tolist() == [7.0, 7.0]
    assert x.new_tensor([1, 2]).dtype == mg.float64 and x.new_empty(4).shape == (4,)
    s = mg.ones(2, device="strict")
    assert s.new_zeros(3).device == mg.Device("strict") and not s.is_cuda


def test_shape_helpers_and_argmin():
    x = mg.tensor([[1.0, 5.0, 2.0], [3.0, 0.0, 4.0]])
    assert x.t().tolist() == [[1.0, 3.0], [5.0, 0.0], [2.0, 4.0]] and x.T.shape == (3, 2)
    assert mg.ones(3).t().shape == (3,)
    with pytest.raises(ValueError, match="<= 2 dimensions"):
        mg.ones(2, 2, 2).t()
    assert x.view_as(mg.zeros(3, 2)).shape == (3, 2) and x.reshape_as(mg.zeros(6)).shape == (6,)
    assert x.argmin(1).tolist() == [0, 1] and int(mg.argmin(x)) == 4 and int(mg.argmax(x)) == 1
    assert x.pow(2).tolist() == [[1.0, 25.0, 4.0], [9.0, 0.0, 16.0]]


def test_autograd_grad_returns_gradients_and_leaves_grad_alone():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = (y * 3).sum()
    gx, gy = mg.autograd.grad(z, [x, y], retain_graph=True)
    assert gx.tolist() == [6.0, 12.0] and gy.tolist() == [3.0, 3.0] and x.grad is None
    (gx2,) = mg.autograd.grad([y.sum(), z], x, retain_graph=True)  # several outputs add up
    assert gx2.tolist() == [8.0, 16.0]
    w = mg.ones(2, requires_grad=True)
    with pytest.raises(GradError, match="not used"):
        mg.autograd.grad(z, [w], retain_graph=True)
    assert mg.autograd.grad(z, [x, w], allow_unused=True)[1] is None
    with pytest.raises(GradError, match="create_graph"):
        mg.autograd.grad(z, x, create_graph=True)


def test_no_grad_and_enable_grad_as_bare_decorators():
    @mg.no_grad
    def scaled(t):
        return t * 2

    @mg.enable_grad
    def recorded(t):
        return t * 2

    x = mg.ones(2, requires_grad=True)
    assert not scaled(x).requires_grad and scaled.__name__ == "scaled"
    with mg.no_grad():
        assert recorded(x).requires_grad
    with mg.no_grad():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
