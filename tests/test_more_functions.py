"""log1p, expm1, softmax, log_softmax, gather, min, std, norm, repeat, split, chunk and mm,
against NumPy references computed independently (loops or NumPy's own functions)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigen as mg
from minigen.functions import (
    argmin,
    chunk,
    expm1,
    gather,
    log1p,
    log_softmax,
    min,
    minimum,
    mm,
    norm,
    repeat,
    softmax,
    split,
    std,
)


def t64(a, grad=True):
    return mg.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def grad_of(fn, a, g=None):
    x = t64(a)
    y = fn(x)
    y.backward(mg.tensor(np.ones(y.shape) if g is None else g))
    return y.numpy(), x.grad.numpy()


# -- log1p and expm1 -------------------------------------------------------------------------------
def test_log1p_and_expm1_are_accurate_for_tiny_x_and_differentiate():
    x = np.array([1e-20, -3e-17, 1e-8, 0.5, 3.0])
    y, g = grad_of(log1p, x)
    np.testing.assert_allclose(y, np.log1p(x), rtol=1e-15)
    assert y[0] == 1e-20  # log(1 + x) would round 1 + 1e-20 to 1 and return 0
    np.testing.assert_allclose(g, 1 / (1 + x), rtol=1e-15)
    y, g = grad_of(expm1, x)
    assert y[0] == 1e-20
    np.testing.assert_allclose(g, np.exp(x), rtol=1e-15)
    assert log1p(mg.tensor([0.5])).dtype == mg.float32


# -- softmax and log_softmax -----------------------------------------------------------------------
def reference_log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax_match_numpy_and_their_jacobians(dim):
    rng = np.random.default_rng(dim + 5)
    x = rng.standard_normal((3, 4))
    g = rng.standard_normal((3, 4))
    logp = reference_log_softmax(x, dim)
    p = np.exp(logp)
    y, gx = grad_of(lambda t: log_softmax(t, dim), x, g)
    np.testing.assert_allclose(y, logp, rtol=1e-13)
    np.testing.assert_allclose(gx, g - p * g.sum(axis=dim, keepdims=True), rtol=1e-12, atol=1e-14)
    y, gx = grad_of(lambda t: softmax(t, dim), x, g)
    np.testing.assert_allclose(y, p, rtol=1e-13)
    # the Jacobian diag(p) - p p^T, applied one row (or column) at a time
    moved_p, moved_g = np.moveaxis(p, dim, -1), np.moveaxis(g, dim, -1)
    expected = np.stack([(np.diag(q) - np.outer(q, q)) @ h for q, h in zip(moved_p, moved_g, strict=True)])
    np.testing.assert_allclose(np.moveaxis(gx, -1, dim), expected, rtol=1e-12, atol=1e-14)


def test_log_softmax_stays_finite_where_log_of_softmax_underflows():
    x = mg.tensor([[1000.0, 0.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or log(0) warning
        y = log_softmax(x, 1).numpy()
    assert np.isfinite(y).all() and y.tolist() == [[0.0, -1000.0, -2000.0]]
    assert softmax(x, 1).tolist() == [[1.0, 0.0, 0.0]]


def test_softmax_of_a_scalar_is_one_and_integer_inputs_are_refused():
    assert softmax(mg.tensor(3.0), 0).item() == 1.0
    with pytest.raises(TypeError, match="softmax: expected a floating point tensor, got int64"):
        softmax(mg.tensor([1, 2]), 0)
    with pytest.raises(IndexError, match="dimension 2 is out of range"):
        softmax(mg.tensor([[1.0]]), 2)
    assert softmax(mg.tensor([1, 2]), 0, dtype=mg.float64).dtype == mg.float64


# -- gather ------------------------------------------------------------------------------------------
def test_gather_matches_take_along_axis_and_scatters_repeats():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 5))
    index = np.array([[4, 4, 0], [1, 2, 1], [0, 0, 0]])
    g = rng.standard_normal(index.shape)
    y, gx = grad_of(lambda t: gather(t, 1, mg.tensor(index)), x, g)
    np.testing.assert_array_equal(y, np.take_along_axis(x, index, axis=1))
    expected = np.zeros_like(x)
    for i in range(3):
        for j in range(3):
            expected[i, index[i, j]] += g[i, j]
    np.testing.assert_allclose(gx, expected, rtol=1e-15)


def test_gather_reads_only_the_corner_a_smaller_index_covers():
    x = np.arange(12.0).reshape(3, 4)
    y, gx = grad_of(lambda t: gather(t, 0, mg.tensor([[2, 0]])), x)
    assert y.tolist() == [[8.0, 1.0]]
    assert gx.tolist() == [[0, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]]


def test_gather_refuses_bad_indices_clearly():
    x = mg.tensor(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="gather: index must be an int64 tensor, got float32"):
        gather(x, 1, mg.tensor([[0.0]]))
    with pytest.raises(IndexError, match="gather: an index is out of range for dimension 1 of size 3"):
        gather(x, 1, mg.tensor([[3]]))
    with pytest.raises(IndexError, match="out of range"):
        gather(x, 1, mg.tensor([[-1]]))  # PyTorch refuses negative indices in gather too
    with pytest.raises(IndexError, match="must have the input's 2 dimensions"):
        gather(x, 1, mg.tensor([0]))


# -- min, argmin, minimum ------------------------------------------------------------------------------
def test_min_splits_ties_without_dim_and_picks_the_first_with_dim():
    """composed.md: min = -max(-x) inherits max's two tie rules, which are PyTorch's for min."""
    x = [[1.0, 3.0, 1.0], [2.0, 2.0, 5.0]]
    y, g = grad_of(min, x)
    assert y == 1.0 and g.tolist() == [[0.5, 0, 0.5], [0, 0, 0]]
    t = t64(x)
    values, indices = min(t, 1)
    values.sum().backward()
    assert values.tolist() == [1.0, 2.0] and indices.tolist() == [0, 0]
    assert t.grad.tolist() == [[1, 0, 0], [1, 0, 0]]
    assert argmin(t, 0).tolist() == [0, 1, 0] and argmin(t).item() == 0
    a, b = t64([1.0, 2.0]), t64([1.0, 3.0])
    minimum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]
    assert min(mg.tensor([1.0, 5.0]), mg.tensor([2.0, 4.0])).tolist() == [1.0, 4.0]


# -- std and norm --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, ddof", [({}, 1), ({"unbiased": False}, 0), ({"correction": 0}, 0)])
def test_std_matches_numpy_and_its_gradient(kwargs, ddof):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 5))
    y, gx = grad_of(lambda t: std(t, 1, **kwargs), x)
    s = x.std(axis=1, ddof=ddof, keepdims=True)
    np.testing.assert_allclose(y, s[:, 0], rtol=1e-13)
    n = x.shape[1]
    np.testing.assert_allclose(gx, (x - x.mean(1, keepdims=True)) / ((n - ddof) * s), rtol=1e-12)


def test_std_of_a_constant_has_a_zero_gradient_and_one_element_a_nan():
    """norms.md: PyTorch's zero subgradient where s = 0 (sqrt(var) would give 0 * inf = NaN);
    n = correction gives NaN, as in PyTorch."""
    _, g = grad_of(lambda t: std(t, 1), [[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    assert g[0].tolist() == [0.0, 0.0, 0.0] and np.isfinite(g).all()
    with np.errstate(invalid="ignore", divide="ignore"):
        y, g = grad_of(std, [4.0])
    assert np.isnan(y) and np.isnan(g).all()
    assert std(mg.tensor([1.0, 2.0]), False).item() == pytest.approx(0.5)  # std(x, unbiased)


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, float("inf"), "fro"])
def test_norm_matches_numpy_linalg_norm_and_its_gradient(p):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4))
    order = 2 if p == "fro" else p
    y, gx = grad_of(lambda t: norm(t, p, 1), x)
    np.testing.assert_allclose(y, np.linalg.norm(x, ord=order, axis=1), rtol=1e-13)
    # finite differences of NumPy's norm: an independent gradient
    eps, numeric = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        change = np.linalg.norm(up, ord=order, axis=1) - np.linalg.norm(down, ord=order, axis=1)
        numeric[idx] = change.sum() / (2 * eps)
    np.testing.assert_allclose(gx, numeric, rtol=1e-5, atol=1e-7)


def test_norm_of_zero_has_a_zero_gradient_and_inf_norm_splits_ties():
    """norms.md: 0 at y = 0 for every p (PyTorch's subgradient); p = inf shares the gradient
    evenly among the entries of largest |x|, with their signs."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0 / 0 or 0 ** negative along the way
        for p in (2, 1, 3, 0.5, float("inf")):
            y, g = grad_of(lambda t, p=p: norm(t, p), [0.0, 0.0])
            assert y == 0.0 and g.tolist() == [0.0, 0.0]
        _, g = grad_of(lambda t: norm(t, 0.5), [0.0, 4.0])
        assert g[0] == 0.0
    _, g = grad_of(lambda t: norm(t, float("inf")), [2.0, 1.0, -2.0])
    assert g.tolist() == [0.5, 0.0, -0.5]
    with pytest.raises(ValueError, match="norm: p='nuc' is not supported"):
        norm(mg.tensor([1.0]), "nuc")
    with pytest.raises(TypeError, match="norm: expected a floating point tensor"):
        norm(mg.tensor([1, 2]))


# -- repeat, split, chunk, mm -------------------------------------------------------------------------
def test_repeat_is_numpy_tile_and_sums_the_copies_back():
    x = np.arange(6.0).reshape(2, 3)
    y, g = grad_of(lambda t: repeat(t, 2, 1, 3), x)
    np.testing.assert_array_equal(y, np.tile(x, (2, 1, 3)))
    assert (g == 6.0).all()  # every element was copied 2 * 1 * 3 times
    assert repeat(mg.tensor(x), (1, 2)).shape == (2, 6)
    with pytest.raises(ValueError, match="repeat: 1 repeat sizes for a tensor with 2 dimensions"):
        repeat(mg.tensor(x), 2)


def test_split_and_chunk_pieces_as_pytorch():
    x = mg.tensor(np.arange(10.0).reshape(5, 2))
    assert [p.shape[0] for p in split(x, 2)] == [2, 2, 1]
    assert [p.shape[0] for p in split(x, [1, 4])] == [1, 4]
    assert [p.shape[0] for p in chunk(x, 3)] == [2, 2, 1]
    assert [p.shape[0] for p in chunk(mg.tensor(np.zeros(4)), 3)] == [2, 2]  # fewer than asked
    assert [p.shape[1] for p in chunk(x, 2, dim=1)] == [1, 1]
    np.testing.assert_array_equal(split(x, [1, 4])[1].numpy(), np.arange(2.0, 10.0).reshape(4, 2))
    with pytest.raises(ValueError, match=r"split: sizes \[1, 2\] add up to 3, but dimension 0 has size 5"):
        split(x, [1, 2])


def test_mm_is_the_matrix_product_of_two_matrices_only():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    np.testing.assert_allclose(mm(mg.tensor(a), mg.tensor(b)).numpy(), a @ b, rtol=1e-14)
    with pytest.raises(ValueError, match=r"mm: mat2 must be a matrix \(2-D\), got shape \(4,\)"):
        mm(mg.tensor(a), mg.tensor(b[:, 0]))
    with pytest.raises(ValueError, match=r"mm: shapes \(3, 4\) and \(3, 4\) cannot be multiplied"):
        mm(mg.tensor(a), mg.tensor(a))
