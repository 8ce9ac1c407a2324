"""Autograd semantics: accumulation, freed graphs, no_grad, detach, and clear misuse errors."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
from minigen.errors import GradError, ShapeError


def test_gradient_of_a_small_expression_matches_the_hand_derivative():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x * 3 + x).sum()  # dy/dx = 6x + 1
    y.backward()
    assert np.allclose(x.grad.numpy(), 6 * np.array([1.0, 2.0, 3.0]) + 1)


def test_a_tensor_used_twice_receives_the_sum_of_both_gradients():
    x = mg.tensor([2.0], requires_grad=True)
    a = x * 3
    y = a * a + a  # dy/dx = (2a + 1) * 3
    y.sum().backward()
    assert x.grad.item() == pytest.approx((2 * 6 + 1) * 3)


def test_gradients_accumulate_across_backward_calls_until_cleared():
    x = mg.tensor([1.0, -1.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]
    x.grad = None
    (x * 5).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_deep_graph_does_not_hit_the_recursion_limit():
    x = mg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y + 0.001
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_second_backward_through_a_freed_graph_raises_clearly():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(GradError, match="second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_backward_frees_saved_arrays():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    fn = y.grad_fn
    y.sum().backward()
    assert fn.inputs is None and not hasattr(fn, "y")


def test_backward_on_a_non_scalar_needs_a_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GradError, match="scalar output"):
        (x * 2).backward()
    (x * 2).backward(mg.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 20.0]
    with pytest.raises(GradError, match="grad has shape"):
        (x * 2).backward(mg.tensor([1.0]))


def test_backward_without_requires_grad_raises():
    with pytest.raises(GradError, match="does not require grad"):
        mg.tensor([1.0]).sum().backward()


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(GradError, match="floating-point"):
        mg.tensor([1, 2], requires_grad=True)
    with pytest.raises(GradError, match="floating-point"):
        mg.arange(3).requires_grad_()


def test_no_grad_records_nothing_and_restores():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.no_grad():
        y = x * 2
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @mg.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad


def test_detach_cuts_the_graph_and_requires_grad_():
    x = mg.tensor([3.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    d.requires_grad_()
    (d * x).sum().backward()
    assert x.grad.item() == 6.0 and d.grad.item() == 3.0


def test_non_leaf_tensors_get_no_grad_field_but_leaves_do():
    x = mg.tensor([1.0], requires_grad=True)
    h = x * 2
    (h * 3).sum().backward()
    assert h.grad is None and x.grad.item() == 6.0


def test_shape_mismatch_names_the_operation_and_both_shapes():
    with pytest.raises(ShapeError, match=r"Add.*\(2, 3\) and \(4,\)"):
        mg.zeros(2, 3) + mg.zeros(4)
    with pytest.raises(ShapeError, match=r"MatMul.*\(2, 3\) and \(2, 3\)"):
        mg.zeros(2, 3) @ mg.zeros(2, 3)


def test_float32_stays_float32_with_python_scalars():
    x = mg.randn(3, requires_grad=True)
    y = ((x * 0.5 + 1.0) ** 2 / 3.0 - 0.1).exp().mean()
    assert y.dtype == mg.float32
    y.backward()
    assert x.grad.dtype == mg.float32


def test_gradients_through_dtype_and_device_changes():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == mg.float32 and x.grad.tolist() == [3.0, 3.0]


def test_in_place_grad_is_not_shared_between_leaves():
    a = mg.tensor([1.0], requires_grad=True)
    b = mg.tensor([1.0], requires_grad=True)
    (a + b).sum().backward()
    (a + b).sum().backward()
    assert a.grad.tolist() == [2.0] and b.grad.tolist() == [2.0]
