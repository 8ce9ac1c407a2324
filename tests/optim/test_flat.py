"""Fused steps: a group's parameters in one flat array give the per-parameter numbers exactly.

Fused steps run on GPUs and on the strict stand-in for one (the CPU keeps PyTorch's default,
a loop over the parameters). Each test runs the same problem twice on the strict device:
with the optimizer as it is (one update of the whole group's flat arrays) and with
``fused = False`` (the per-parameter loop, which the formula tests in test_adam.py and
test_sgd.py check against PyTorch's code), and asks for equal bits.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
from minigen.bench.op_count import count_ops
from minigen.optim.flat import FlatGroup

SHAPES = [(4, 3), (3,), (2, 3, 2, 2), (1,)]
OPTIMIZERS = {
    "adam": lambda ps: mg.optim.Adam(ps, lr=0.01, betas=(0.5, 0.999)),
    "adam-wd": lambda ps: mg.optim.Adam(ps, lr=0.01, weight_decay=0.1, eps=1e-6),
    "sgd": lambda ps: mg.optim.SGD(ps, lr=0.1),
    "sgd-momentum": lambda ps: mg.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3),
}


def per_parameter(make):
    """The same optimizer with its fused step switched off."""
    def build(params):
        optimizer = make(params)
        optimizer.fused = False
        return optimizer
    return build


def run(make, steps=5, device="strict", missing=None, rebind_at=None):
    """Parameters after ``steps`` steps on fixed gradients. ``missing``: step -> index of a
    parameter left without a gradient; ``rebind_at``: a step before which every p.array is
    replaced by a copy (what Module.to or load_state_dict do)."""
    rng = np.random.default_rng(0)
    params = [mg.tensor(rng.standard_normal(s).astype(np.float32), device=device,
                        requires_grad=True) for s in SHAPES]
    optimizer = make(params)
    for step in range(steps):
        if step == rebind_at:
            for p in params:
                p.array = mg.tensor(p.numpy().copy(), device=device).array
        for i, (p, shape) in enumerate(zip(params, SHAPES, strict=True)):
            g = rng.standard_normal(shape).astype(np.float32)
            p.grad = None if missing and missing.get(step) == i else mg.tensor(g, device=device)
        optimizer.step()
    return [p.numpy().copy() for p in params], optimizer


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_fused_step_equals_the_per_parameter_steps_bit_for_bit(name):
    fused, optimizer = run(OPTIMIZERS[name])
    assert optimizer._flat  # the fused path ran
    reference, _ = run(per_parameter(OPTIMIZERS[name]))
    for got, want in zip(fused, reference, strict=True):
        np.testing.assert_array_equal(got, want)
    on_cpu, cpu_optimizer = run(OPTIMIZERS[name], device="cpu")
    assert not cpu_optimizer._flat  # the CPU loops over the parameters, as PyTorch does
    for got, want in zip(on_cpu, reference, strict=True):
        np.testing.assert_array_equal(got, want)


def test_cpu_parameters_keep_their_arrays():
    params = [mg.zeros(*s, requires_grad=True) for s in SHAPES]
    arrays = [p.array for p in params]
    optimizer = mg.optim.Adam(params)
    for p in params:
        p.grad = mg.ones(*p.shape)
    optimizer.step()
    assert all(p.array is a for p, a in zip(params, arrays, strict=True))


@pytest.mark.parametrize("name", ["adam", "sgd-momentum"])
def test_missing_gradients_and_rebound_arrays_keep_the_numbers(name):
    # A step where one parameter has no gradient goes per parameter (Adam's step counts
    # then differ, and stay per parameter); rebound arrays are flattened again.
    cases = [{"missing": {2: 1}}, {"rebind_at": 3}, {"missing": {0: 3}, "rebind_at": 2}]
    for case in cases:
        fused, _ = run(OPTIMIZERS[name], steps=6, **case)
        reference, _ = run(per_parameter(OPTIMIZERS[name]), steps=6, **case)
        for got, want in zip(fused, reference, strict=True):
            np.testing.assert_array_equal(got, want, err_msg=str(case))


def test_parameters_are_views_of_the_flat_array_and_state_keeps_pytorchs_layout():
    params = [mg.zeros(*s, device="strict", requires_grad=True) for s in SHAPES]
    optimizer = mg.optim.Adam(params)
    flat = optimizer._flat[0]
    assert flat.array.shape == (sum(int(np.prod(s)) for s in SHAPES),)
    for p in params:
        p.grad = mg.ones(*p.shape, device="strict")
    sd = optimizer.state_dict()  # before the step: no state yet
    optimizer.step()
    flat.array[...] = 7.0  # the parameters see writes to the flat array
    assert all((p.numpy() == 7.0).all() for p in params)
    sd = optimizer.state_dict()
    for i, (p, shape) in enumerate(zip(params, SHAPES, strict=True)):
        state = sd["state"][i]
        assert state["step"] == 1 and state["exp_avg"].shape == shape == p.shape
        assert state["exp_avg"] is optimizer.state[p]["exp_avg"]
    optimizer.step()  # the tensors handed out are live, as PyTorch's state_dict()
    assert sd["state"][0]["step"] == 1 and optimizer.state[params[0]]["step"] == 2
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"].numpy(),
                                  optimizer.state[params[0]]["exp_avg"].numpy())


@pytest.mark.parametrize("device", ["cpu", "strict"])
def test_every_parameter_counts_the_step_as_a_write(device):
    w = mg.ones(2, 2, device=device, requires_grad=True)
    b = mg.ones(2, device=device, requires_grad=True)
    optimizer = mg.optim.Adam([w, b])
    losses = [(w * w).sum(), (b * b).sum()]  # each saves its parameter for backward
    for loss in losses:
        loss.backward(retain_graph=True)
    optimizer.step()
    for loss in losses:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_mixed_dtypes_stay_per_parameter():
    params = [mg.zeros(2, device="strict", requires_grad=True),
              mg.zeros(2, dtype=mg.float64, device="strict", requires_grad=True)]
    assert not FlatGroup.fits(params) and FlatGroup.fits(params[:1])
    optimizer = mg.optim.Adam(params)
    for p in params:
        p.grad = mg.ones(2, dtype=p.dtype, device="strict")
    optimizer.step()
    assert not optimizer._flat and params[1].dtype == mg.float64


def test_a_fused_step_takes_the_same_few_operations_for_any_number_of_parameters():
    def step_ops(count):
        params = [mg.zeros(3, 2, device="strict", requires_grad=True) for _ in range(count)]
        optimizer = mg.optim.Adam(params)
        for p in params:
            p.grad = mg.ones(3, 2, device="strict")
        optimizer.step()  # creates the state
        return count_ops(optimizer.step).total

    assert step_ops(2) == step_ops(12) <= 15  # one concat of the gradients + 13 for the formula
