"""The names PyTorch's official examples call as tensor methods and as ``mg.*`` (x.norm, x.mm,
mg.log1p, ...): each against NumPy, and each method equal to its function."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg

RNG = np.random.default_rng(12)
A = RNG.standard_normal((4, 5))
B = RNG.standard_normal((5, 3))


def t(a: np.ndarray) -> mg.Tensor:
    return mg.tensor(a, dtype=mg.float64)


def _softmax(a: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = [  # (name, method call, mg.* call or None, NumPy reference)
    ("mm", lambda x: x.mm(t(B)), lambda x: mg.mm(x, t(B)), lambda a: a @ B),
    ("norm p=2 dim=1 keepdim", lambda x: x.norm(2, 1, keepdim=True), lambda x: mg.norm(x, 2, 1, True),
     lambda a: np.sqrt((a * a).sum(1, keepdims=True))),
    ("norm (all)", lambda x: x.norm(), lambda x: mg.norm(x), lambda a: np.sqrt((a * a).sum())),
    ("std dim=1", lambda x: x.std(1), lambda x: mg.std(x, 1), lambda a: a.std(axis=1, ddof=1)),
    ("std correction=0", lambda x: x.std(0, correction=0), lambda x: mg.std(x, 0, correction=0),
     lambda a: a.std(axis=0)),
    ("min", lambda x: x.min(), lambda x: mg.min(x), lambda a: a.min()),
    ("min dim values", lambda x: x.min(1).values, lambda x: mg.min(x, 1)[0], lambda a: a.min(1)),
    ("min dim indices", lambda x: x.min(1).indices, lambda x: mg.min(x, 1)[1], lambda a: a.argmin(1)),
    ("minimum", lambda x: x.minimum(t(-A)), lambda x: mg.minimum(x, t(-A)), lambda a: np.minimum(a, -a)),
    ("log1p", lambda x: x.abs().log1p(), lambda x: mg.log1p(x.abs()), lambda a: np.log1p(np.abs(a))),
    ("expm1", lambda x: x.expm1(), lambda x: mg.expm1(x), np.expm1),
    ("softmax", lambda x: x.softmax(1), lambda x: mg.softmax(x, 1), lambda a: _softmax(a, 1)),
    ("log_softmax", lambda x: x.log_softmax(0), lambda x: mg.log_softmax(x, 0),
     lambda a: np.log(_softmax(a, 0))),
    ("gather", lambda x: x.gather(1, mg.tensor([[0, 4], [1, 1], [3, 2], [2, 0]])),
     lambda x: mg.gather(x, 1, mg.tensor([[0, 4], [1, 1], [3, 2], [2, 0]])),
     lambda a: np.take_along_axis(a, np.array([[0, 4], [1, 1], [3, 2], [2, 0]]), axis=1)),
    ("repeat", lambda x: x.repeat(2, 1, 3), None, lambda a: np.tile(a, (2, 1, 3))),
]


@pytest.mark.parametrize("name, method, function, reference", CASES, ids=[c[0] for c in CASES])
def test_method_and_function_match_numpy(name, method, function, reference):
    expected = reference(A)
    got = method(t(A)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    if function is not None:
        np.testing.assert_array_equal(function(t(A)).numpy(), got)


def test_split_and_chunk_as_pytorch():
    x = t(A)
    pieces = x.split(2, 1)
    assert [p.shape for p in pieces] == [(4, 2), (4, 2), (4, 1)]
    np.testing.assert_array_equal(np.concatenate([p.numpy() for p in pieces], 1), A)
    assert [p.shape for p in x.split([1, 3], 0)] == [(1, 5), (3, 5)]
    assert [p.shape for p in mg.split(x, 3)] == [(3, 5), (1, 5)]
    assert [p.shape for p in x.chunk(3, 1)] == [(4, 2), (4, 2), (4, 1)]  # ceil(5 / 3) = 2 each
    assert [p.shape for p in mg.chunk(x, 3)] == [(2, 5), (2, 5)]  # 4 rows in 3 chunks: 2 + 2


def test_methods_pass_gradients():
    x = mg.tensor(A, dtype=mg.float64, requires_grad=True)
    (x.norm(2, 1) + x.std(1)).sum().backward()
    row_norm = np.sqrt((A * A).sum(1, keepdims=True))
    n = A.shape[1]
    centred = A - A.mean(1, keepdims=True)
    expected = A / row_norm + centred / ((n - 1) * A.std(1, ddof=1, keepdims=True))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_device_flags_and_randint_keywords():
    x = mg.ones(2)
    assert x.is_xpu is False and x.is_mps is False and x.is_cuda is False
    mg.manual_seed(3)
    r = mg.randint(10, size=(1,))
    assert r.shape == (1,) and r.dtype == mg.int64 and 0 <= r.item() < 10
    r = mg.randint(low=2, high=5, size=(200,))
    assert set(r.tolist()) == {2, 3, 4}
    mg.manual_seed(4)
    a = mg.randint(3, 9, (6,)).tolist()
    mg.manual_seed(4)
    assert mg.randint(3, high=9, size=(6,)).tolist() == a  # same draw, keywords or not
    with pytest.raises(TypeError, match="unexpected keyword argument 'hi'"):
        mg.randint(5, hi=3)
