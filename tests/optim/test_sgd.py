"""SGD: PyTorch's update to the last bit, convergence on a quadratic, dtype and device kept."""

from __future__ import annotations

import numpy as np
import pytest
from optim_reference import random_problem, run_minigen, torch_sgd

import minigen as mg


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "options",
    [{"lr": 0.1}, {"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1}],
)
def test_sgd_matches_pytorch_formulas_exactly(dtype, options):
    p0, grads = random_problem(dtype)
    ours = run_minigen(lambda ps: mg.optim.SGD(ps, **options), p0, grads)
    for got, want in zip(ours, torch_sgd(p0, grads, **options), strict=True):
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, want)


def test_sgd_on_strict_device_matches_cpu():
    p0, grads = random_problem(np.float32)

    def make(ps):
        return mg.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01)

    on_cpu = run_minigen(make, p0, grads)
    on_strict = run_minigen(make, p0, grads, device="strict")
    for a, b in zip(on_cpu, on_strict, strict=True):
        np.testing.assert_array_equal(a, b)


def test_momentum_buffer_starts_at_first_gradient_and_is_a_copy():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    opt = mg.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = mg.tensor([0.5, -1.0])
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    np.testing.assert_array_equal(buf.numpy(), [0.5, -1.0])  # PyTorch: not (1 - 0.9) * g
    assert buf.array is not p.grad.array
    np.testing.assert_allclose(p.numpy(), [0.95, 2.1], rtol=1e-6)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_converges_to_the_minimum_of_a_quadratic(momentum):
    # f(x) = 1/2 sum a_i (x_i - c_i)^2 has its minimum at c; the curvatures a differ 10x.
    a = mg.tensor([1.0, 3.0, 10.0])
    c = mg.tensor([1.0, -2.0, 0.5])
    x = mg.zeros(3, requires_grad=True)
    opt = mg.optim.SGD([x], lr=0.05, momentum=momentum)
    for _ in range(300):
        opt.zero_grad()
        loss = (a * (x - c) ** 2).sum() * 0.5
        loss.backward()
        opt.step()
    np.testing.assert_allclose(x.numpy(), c.numpy(), atol=1e-5)
    assert x.dtype == mg.float32


def test_update_is_in_place_and_float32_survives_numpy_float64_hyperparameters():
    p = mg.tensor([1.0, 2.0], requires_grad=True)
    array = p.array
    opt = mg.optim.SGD([p], lr=np.float64(0.1), momentum=np.float64(0.9), weight_decay=0.01)
    opt.param_groups[0]["lr"] = np.float64(0.2)  # a schedule may set NumPy scalars
    for _ in range(2):
        p.grad = mg.tensor([1.0, 1.0])
        opt.step()
    assert p.array is array and p.array.dtype == np.float32
    assert opt.state[p]["momentum_buffer"].dtype == mg.float32


def test_params_without_grad_are_skipped():
    p = mg.tensor([1.0], requires_grad=True)
    q = mg.tensor([1.0], requires_grad=True)
    opt = mg.optim.SGD([p, q], lr=0.1, momentum=0.9)
    p.grad = mg.tensor([1.0])
    opt.step()
    assert q.numpy()[0] == 1.0 and q not in opt.state


@pytest.mark.parametrize("bad", [{"lr": -0.1}, {"momentum": -1.0}, {"weight_decay": -1e-4}])
def test_sgd_rejects_negative_hyperparameters(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        mg.optim.SGD([mg.zeros(2, requires_grad=True)], **{"lr": 0.1, **bad})
