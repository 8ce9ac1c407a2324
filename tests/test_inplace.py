"""In-place operations, ``.data`` and version counters, with PyTorch's rules (docs/engine.md).

Every expected value here is worked out by hand from the rule it states; the PyTorch oracle for
the same cases is benchmarks/torch_semantics.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
from minigen.errors import DeviceMismatchError, GradError


def leaf(*values: float) -> mg.Tensor:
    return mg.tensor(list(values), requires_grad=True)


# -- updating parameters by hand -------------------------------------------------------------
def test_sgd_by_hand_changes_the_parameter_the_model_holds():
    model = mg.nn.Linear(2, 1)
    w = model.weight
    before = w.numpy().copy()
    model(mg.ones(1, 2)).sum().backward()
    with mg.no_grad():
        for p in model.parameters():
            p -= 0.5 * p.grad  # in place, as in PyTorch: no rebinding of the name
    assert model.weight is w and w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.numpy(), before - 0.5 * np.ones((1, 2)), rtol=1e-6)


def test_augmented_operators_keep_identity():
    x = mg.zeros(3)
    alias = x
    x += 2
    x *= 3
    x -= 1
    x /= 5
    assert x is alias
    np.testing.assert_allclose(x.numpy(), [1.0, 1.0, 1.0])


def test_in_place_change_of_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = leaf(1.0, 2.0)
    changes = (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.__setitem__(0, 5.0))
    for change in changes:
        with pytest.raises(GradError, match="a leaf Variable that requires grad is being used in an in-place"):
            change()
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])
    with mg.no_grad():
        w.add_(1)
    np.testing.assert_array_equal(w.numpy(), [2.0, 3.0])


def test_each_in_place_op_gives_pytorchs_values():
    x = mg.tensor([1.0, -2.0, 3.0])
    assert x.add_(mg.tensor([1.0, 1.0, 1.0]), alpha=2) is x
    np.testing.assert_array_equal(x.numpy(), [3.0, 0.0, 5.0])
    x.sub_(1, alpha=0.5).mul_(2).div_(4)
    np.testing.assert_array_equal(x.numpy(), [1.25, -0.25, 2.25])
    x.clamp_(0.0, 2.0)
    np.testing.assert_array_equal(x.numpy(), [1.25, 0.0, 2.0])
    x.copy_(mg.tensor([7.0]))
    np.testing.assert_array_equal(x.numpy(), [7.0, 7.0, 7.0])
    x.fill_(-1).zero_()
    np.testing.assert_array_equal(x.numpy(), [0.0, 0.0, 0.0])
    ints = mg.tensor([1, 2])
    ints.fill_(1.7)  # fill_ casts its value, as in PyTorch
    assert ints.dtype == mg.int64 and ints.tolist() == [1, 1]


def test_random_fills_follow_manual_seed_and_their_parameters():
    mg.manual_seed(0)
    a = mg.zeros(2000).normal_(3.0, 0.5)
    mg.manual_seed(0)
    b = mg.zeros(2000).normal_(3.0, 0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert abs(float(a.mean()) - 3.0) < 0.05 and abs(float(a.var()) ** 0.5 - 0.5) < 0.05
    u = mg.zeros(2000).uniform_(-2.0, -1.0).numpy()
    assert u.min() >= -2.0 and u.max() < -1.0


def test_in_place_dtype_rules_are_pytorchs():
    x = mg.ones(2, dtype=mg.int64)
    with pytest.raises(TypeError, match="can't be cast to the desired output type int64"):
        x += 1.5
    with pytest.raises(TypeError, match="can't be cast"):
        x.div_(2)
    y = mg.ones(2)
    y += mg.ones(2, dtype=mg.float64)  # narrowing within floats is allowed: y stays float32
    assert y.dtype == mg.float32 and y.tolist() == [2.0, 2.0]


def test_in_place_result_must_keep_the_shape():
    with pytest.raises(ValueError, match="doesn't match the broadcast shape"):
        mg.zeros(3).add_(mg.zeros(2, 3))


# -- .data ------------------------------------------------------------------------------------
def test_data_shares_memory_without_history_or_version():
    w = leaf(1.0, 2.0)
    d = w.data
    assert isinstance(d, mg.Tensor) and not d.requires_grad and d.grad_fn is None
    d.mul_(10)  # allowed outside no_grad, and not tracked: w's version does not move
    np.testing.assert_array_equal(w.numpy(), [10.0, 20.0])
    assert w._version == 0 and d._version == 1
    w.data.add_(1)
    np.testing.assert_array_equal(w.numpy(), [11.0, 21.0])


def test_assigning_data_swaps_storage_after_checks():
    w = mg.nn.Parameter(mg.zeros(2))
    w.data = mg.tensor([3.0, 4.0])
    assert w.tolist() == [3.0, 4.0] and w.requires_grad
    with pytest.raises(ValueError, match="shape"):
        w.data = mg.zeros(3)
    with pytest.raises(ValueError, match="float64"):
        w.data = mg.zeros(2, dtype=mg.float64)
    with pytest.raises(ValueError, match="strict"):
        w.data = mg.zeros(2, device="strict")
    with pytest.raises(TypeError, match="must be assigned a Tensor"):
        w.data = np.zeros(2, dtype=np.float32)


# -- version counters -------------------------------------------------------------------------
def test_backward_refuses_a_saved_value_changed_in_place():
    a = leaf(1.0, 2.0)
    y = a.exp()  # Exp keeps its output for the backward
    z = y.sum()
    y.mul_(2)
    expected = "modified by an inplace operation.*the output of ExpBackward.*version 1; expected version 0"
    with pytest.raises(GradError, match=expected):
        z.backward()


def test_a_value_nobody_saved_may_change_in_place():
    a = leaf(1.0, 2.0)
    x = a * 1.0
    y = x + 2.0  # Add keeps no input: changing x afterwards cannot spoil y's gradient
    x.mul_(3)
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])


def test_views_and_detach_share_the_version_counter():
    x = mg.zeros(2, 3)
    row, flat, det = x[0], x.reshape(6), x.detach()
    row.add_(1)
    assert x._version == row._version == flat._version == det._version == 1
    det.add_(1)
    assert x._version == 2 and x.numpy()[0].tolist() == [2.0, 2.0, 2.0]
    picked = x[mg.tensor([0, 1])]  # an index array copies: its own counter
    picked.add_(1)
    assert x._version == 2


def test_optimizer_step_counts_as_an_in_place_write():
    """The classic GAN mistake: step D, then backward through a graph that saved D's old weights."""
    model = mg.nn.Linear(3, 1)
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    x = mg.randn(4, 3, requires_grad=True)
    out = model(x).sum()
    model(mg.randn(4, 3)).sum().backward()
    opt.step()
    assert model.weight._version == 1
    with pytest.raises(GradError, match="modified by an inplace operation"):
        out.backward()


# -- in-place ops in the graph ------------------------------------------------------------------
def test_in_place_on_a_non_leaf_is_recorded():
    a = leaf(1.0, 2.0)
    b = leaf(3.0, 4.0)
    x = a * 1.0
    x.mul_(b)  # x = a*b; Mul needs x's old value for b's gradient: it keeps a copy
    x.add_(a)
    assert x.grad_fn is not None and not x.is_leaf
    x.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [4.0, 5.0])  # b + 1
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0])  # a


def test_in_place_with_a_grad_operand_makes_a_plain_tensor_part_of_the_graph():
    w = leaf(2.0, 3.0)
    x = mg.ones(2)
    x.mul_(w)
    assert x.requires_grad and x.grad_fn is not None
    x.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 1.0])


def test_setitem_and_views_write_into_the_graph():
    a = leaf(1.0, 1.0, 1.0)
    x = a * 2.0
    x[0] = 0.0
    x.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 2.0, 2.0])
    a.grad = None
    x = a * 2.0
    x[1].mul_(3)  # a view of x written while recording: x's history gets the write
    assert x.tolist() == [2.0, 6.0, 2.0]
    x.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2.0, 6.0, 2.0])


def test_views_minigen_cannot_rebase_are_refused_not_miscomputed():
    a = leaf(1.0, 2.0, 3.0, 4.0)
    x = a * 1.0
    with pytest.raises(GradError, match="on a view while recording"):
        x.reshape(2, 2).mul_(2)
    with pytest.raises(GradError, match="view of a leaf Variable"):
        a[0].mul_(2)


def test_setitem_without_grad_writes_memory_directly():
    x = mg.arange(6).reshape(2, 3)
    x[x > 2] = 0
    x[0, 1] = 9
    assert x.tolist() == [[0, 9, 2], [0, 0, 0]]
    with pytest.raises(DeviceMismatchError):
        mg.zeros(2)[0] = mg.ones((), device="strict")


def test_in_place_ops_on_the_strict_device_stay_there():
    x = mg.zeros(2, 3, device="strict")
    x += 1
    x[0] = mg.full((3,), 2.0, device="strict")
    x.mul_(mg.ones(3, device="strict")).clamp_(max=1.5)
    assert x.device == mg.Device("strict")
    assert x.tolist() == [[1.5, 1.5, 1.5], [1.0, 1.0, 1.0]]
