"""Integer index arrays on several axes (``logits[arange(n), target]``), against NumPy.

The reference for the backward is ``np.add.at``, NumPy's scatter-add, which minigen cannot use
(it is not in the array API standard): an independent computation of the same sums.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg


def numpy_grad(x: np.ndarray, key: tuple, g: np.ndarray) -> np.ndarray:
    gx = np.zeros_like(x)
    np.add.at(gx, key, g)
    return gx


@pytest.mark.parametrize("key_of", [
    lambda lib: (lib([0, 1, 2, 1]), lib([3, 0, 3, 3])),
    lambda lib: (slice(None), lib([1, 1, -1]), lib([0, 4, 4])),
    lambda lib: (lib([[2], [0]]), slice(None), lib([1, -5, 1])),
    lambda lib: (lib([2, 0, 2]), slice(1, None)),
    lambda lib: (Ellipsis, lib([4, 0, 4])),
], ids=["two leading axes", "middle and last", "apart, broadcast", "array then slice", "ellipsis"])
def test_two_axis_index_reads_and_scatters_like_numpy(key_of):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 5))
    xt = mg.tensor(x, requires_grad=True)
    y = xt[key_of(mg.tensor)]
    expected = x[key_of(np.array)]
    assert y.shape == expected.shape
    np.testing.assert_array_equal(y.numpy(), expected)
    g = rng.standard_normal(expected.shape)
    y.backward(mg.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), numpy_grad(x, key_of(np.array), g), rtol=1e-12)


def test_an_integer_selects_first_as_in_pytorch_not_numpy():
    """x[0, :, idx]: PyTorch selects with the 0 first, so the result is (3, len(idx)); NumPy
    treats the 0 as one more index array apart from idx and gives (len(idx), 3)."""
    x = np.arange(24.0).reshape(2, 3, 4)
    y = mg.tensor(x)[0, :, mg.tensor([3, 1])]
    assert y.shape == (3, 2)
    np.testing.assert_array_equal(y.numpy(), x[0][:, [3, 1]])


def test_logits_at_targets_and_its_gradient():
    logits = np.arange(12.0).reshape(4, 3)
    target = np.array([2, 0, 2, 1])
    t = mg.tensor(logits, requires_grad=True)
    picked = t[mg.arange(4), mg.tensor(target)]
    assert picked.tolist() == [2.0, 3.0, 8.0, 10.0]
    picked.sum().backward()
    expected = np.zeros((4, 3))
    expected[np.arange(4), target] = 1.0
    assert t.grad.tolist() == expected.tolist()


def test_lists_inside_a_key_are_index_arrays():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    assert x[[0, 1], [2, 2]].tolist() == [2.0, 5.0]


def test_an_index_out_of_range_on_one_axis_is_refused_not_wrapped():
    # 5 is out of range for axis 1 (size 4), though the flat position 0 * 4 + 5 exists
    x = mg.tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match="out of range for an axis of size 4"):
        x[mg.tensor([0]), mg.tensor([5])]
    with pytest.raises(IndexError, match="out of range for an axis of size 3"):
        x[mg.tensor([-4]), mg.tensor([0])]


def test_a_mask_combined_with_other_indices_is_refused_clearly():
    x = mg.tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match="boolean mask alone"):
        x[mg.tensor([True, False, True]), mg.tensor([0, 1])]
