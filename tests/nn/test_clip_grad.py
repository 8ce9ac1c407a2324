"""nn.utils.clip_grad_norm_ and clip_grad_value_: PyTorch's total norm, scaling and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigen as mg
from minigen.nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm


def params_with_grads(dtype=np.float32, device="cpu", seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,), (2, 2, 2)]
    params, grads = [], []
    for shape in shapes:
        p = mg.tensor(rng.standard_normal(shape).astype(dtype), device=device, requires_grad=True)
        g = (rng.standard_normal(shape) * scale).astype(dtype)
        p.grad = mg.tensor(g, device=device)
        params.append(p)
        grads.append(g)
    return params, grads


def reference_norm(grads, p):
    flat = np.concatenate([g.ravel().astype(np.float64) for g in grads])
    if p == math.inf:
        return np.abs(flat).max()
    return (np.abs(flat) ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_scales_by_max_norm_over_the_total(norm_type, max_norm):
    params, grads = params_with_grads()
    p = float(norm_type)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    want_total = reference_norm(grads, p)
    assert isinstance(total, mg.Tensor) and total.shape == () and total.dtype == mg.float32
    np.testing.assert_allclose(total.item(), want_total, rtol=1e-6)
    coef = min(max_norm / (want_total + 1e-6), 1.0)
    for param, g in zip(params, grads, strict=True):
        assert param.grad.dtype == mg.float32
        np.testing.assert_allclose(param.grad.numpy(), g * coef, rtol=1e-6)
    if max_norm < want_total:  # clipped: the new total norm is max_norm (up to the 1e-6)
        np.testing.assert_allclose(reference_norm([q.grad.numpy() for q in params], p), max_norm,
                                   rtol=1e-5)


def test_float64_gradients_are_clipped_in_float64():
    params, grads = params_with_grads(np.float64)
    total = clip_grad_norm_(params, 1.0)
    assert total.dtype == mg.float64
    np.testing.assert_allclose(total.item(), reference_norm(grads, 2), rtol=1e-14)
    coef = 1.0 / (reference_norm(grads, 2) + 1e-6)
    np.testing.assert_allclose(params[0].grad.numpy(), grads[0] * coef, rtol=1e-14)


def test_parameters_without_gradients_are_skipped_and_a_single_tensor_is_accepted():
    params, grads = params_with_grads()
    params[1].grad = None
    total = clip_grad_norm_(iter(params), 1.0)
    np.testing.assert_allclose(total.item(), reference_norm([grads[0], grads[2]], 2), rtol=1e-6)
    one = mg.zeros(3, requires_grad=True)
    one.grad = mg.tensor([3.0, 4.0, 0.0])
    np.testing.assert_allclose(clip_grad_norm_(one, 1.0).item(), 5.0, rtol=1e-7)
    np.testing.assert_allclose(one.grad.numpy(), [3 / (5 + 1e-6), 4 / (5 + 1e-6), 0], rtol=1e-6)


def test_no_gradients_gives_a_zero_norm_and_an_empty_generator_warns():
    p = mg.zeros(2, requires_grad=True)
    assert clip_grad_norm_([p], 1.0).item() == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_norm_((q for q in []), 1.0)


def test_the_grad_tensor_keeps_its_identity():
    params, _ = params_with_grads()
    before = [p.grad for p in params]
    clip_grad_norm_(params, 0.1)
    assert all(p.grad is g for p, g in zip(params, before, strict=True))


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # inf * 0 -> nan, on purpose
def test_nonfinite_norm_raises_only_when_asked():
    params, _ = params_with_grads()
    params[0].grad = mg.tensor(np.full((4, 3), np.inf, dtype=np.float32))
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_(params, 1.0)  # scaled by inf anyway, as PyTorch does
    assert math.isinf(total.item())


def test_clip_grad_value_clamps_each_entry():
    params, grads = params_with_grads()
    clip_grad_value_(params, 1.5)
    for p, g in zip(params, grads, strict=True):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(g, -1.5, 1.5))
        assert p.grad.dtype == mg.float32


def test_get_total_norm_of_tensors():
    a, b = mg.tensor([3.0, 0.0]), mg.tensor([[4.0]])
    assert get_total_norm([a, b]).item() == pytest.approx(5.0)
    assert get_total_norm([a, b], norm_type=math.inf).item() == 4.0
    assert get_total_norm([a, b], norm_type=1).item() == 7.0


def test_clipping_on_the_strict_device_matches_the_cpu():
    cpu, _ = params_with_grads()
    strict, _ = params_with_grads(device="strict")
    a, b = clip_grad_norm_(cpu, 0.7), clip_grad_norm_(strict, 0.7)
    assert b.device == mg.device("strict")
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    for p, q in zip(cpu, strict, strict=True):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
    clip_grad_value_(strict, 0.01)
    assert strict[0].grad.device == mg.device("strict")


def test_clipping_in_a_training_step_bounds_the_update():
    model = mg.nn.Linear(5, 1)
    x, y = mg.randn(8, 5) * 100, mg.randn(8, 1)
    ((model(x) - y) ** 2).mean().backward()
    before = clip_grad_norm_(model.parameters(), max_norm=1.0)
    after = get_total_norm([p.grad for p in model.parameters()])
    assert before.item() > 1.0 and after.item() == pytest.approx(1.0, rel=1e-5)


def test_clip_grads_with_norm_uses_the_norm_it_is_given():
    from minigen.nn.utils import clip_grads_with_norm_

    params, grads = params_with_grads(np.float64)
    clip_grads_with_norm_(params, 2.0, mg.tensor(8.0, dtype=mg.float64))
    np.testing.assert_allclose(params[0].grad.numpy(), grads[0] * 2.0 / (8.0 + 1e-6), rtol=1e-15)
    clip_grads_with_norm_(params, 2.0, mg.tensor(1.0, dtype=mg.float64))  # never scales up
    np.testing.assert_allclose(params[0].grad.numpy(), grads[0] * 2.0 / (8.0 + 1e-6), rtol=1e-15)
