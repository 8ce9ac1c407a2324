"""The Optimizer base class: param groups, zero_grad, closures, state_dict layout and loading."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg


def leaf(*values):
    return mg.tensor(list(values), requires_grad=True)


def test_param_groups_take_their_own_hyperparameters():
    a, b = leaf(1.0), leaf(1.0)
    opt = mg.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.0}], lr=0.5, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.5, 0.0]
    assert opt.param_groups[1]["momentum"] == 0.9  # missing options come from the defaults
    a.grad, b.grad = mg.tensor([1.0]), mg.tensor([1.0])
    opt.step()
    assert a.numpy()[0] == 0.5 and b.numpy()[0] == 1.0


def test_add_param_group_and_its_checks():
    a, b = leaf(1.0), leaf(2.0)
    opt = mg.optim.Adam([a])
    opt.add_param_group({"params": [b], "lr": 0.1})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [a]})


@pytest.mark.parametrize(
    "params, error, words",
    [
        (lambda: leaf(1.0), TypeError, "iterable"),
        (lambda: [], ValueError, "empty"),
        (lambda: [leaf(1.0) * 2], ValueError, "non-leaf"),
        (lambda: [np.zeros(2)], TypeError, "ndarray"),
        (lambda: [mg.tensor([1, 2])], TypeError, "floating"),
        (lambda: [{"params": {leaf(1.0)}}], TypeError, "set"),
    ],
)
def test_bad_params_are_refused_clearly(params, error, words):
    with pytest.raises(error, match=words):
        mg.optim.SGD(params(), lr=0.1)


def test_a_generator_of_params_is_read_once():
    params = [leaf(1.0), leaf(2.0)]
    opt = mg.optim.SGD((p for p in params), lr=0.1)
    assert opt.param_groups[0]["params"] == params


def test_zero_grad_sets_to_none_or_to_zeros():
    p = leaf(1.0, 2.0)
    opt = mg.optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_returns_the_loss():
    p = leaf(3.0)
    opt = mg.optim.SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with mg.no_grad():  # the closure still records its graph, as in PyTorch
        loss = opt.step(closure)
    assert loss.item() == 9.0 and p.numpy()[0] == 1.5


def test_gradient_of_another_dtype_is_refused():
    p = leaf(1.0)
    p.grad = mg.tensor([1.0], dtype=mg.float64)
    with pytest.raises(ValueError, match="float64"):
        mg.optim.Adam([p]).step()


def adam_after_steps(steps=3):
    a, b, c = mg.randn(2, 3, requires_grad=True), leaf(1.0, 2.0), leaf(5.0)
    opt = mg.optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], betas=(0.5, 0.9))
    for _ in range(steps):
        a.grad, b.grad = mg.randn(2, 3), mg.randn(2)  # c never gets a gradient: no state
        opt.step()
    return opt, (a, b, c)


def test_state_dict_has_pytorchs_layout():
    opt, (a, b, _) = adam_after_steps()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert list(sd["state"]) == [0, 1]  # numbered by position in the groups; c has no state
    assert sd["state"][0]["step"] == 3 and sd["state"][0]["exp_avg"] is opt.state[a]["exp_avg"]
    assert sd["param_groups"] == [
        {"lr": 1e-3, "betas": (0.5, 0.9), "eps": 1e-8, "weight_decay": 0, "params": [0, 1]},
        {"lr": 0.5, "betas": (0.5, 0.9), "eps": 1e-8, "weight_decay": 0, "params": [2]},
    ]


def test_load_state_dict_copies_onto_the_new_params_device_and_dtype():
    opt, _ = adam_after_steps()
    sd = opt.state_dict()
    params = [mg.zeros(2, 3, device="strict", requires_grad=True),
              mg.zeros(2, device="strict", requires_grad=True),
              mg.zeros(1, device="strict", requires_grad=True)]
    fresh = mg.optim.Adam([{"params": params[:2]}, {"params": params[2:]}])
    fresh.load_state_dict(sd)
    state = fresh.state[params[0]]
    assert state["exp_avg"].device == mg.device("strict") and state["step"] == 3
    np.testing.assert_array_equal(state["exp_avg"].numpy(), sd["state"][0]["exp_avg"].numpy())
    assert state["exp_avg"].array is not sd["state"][0]["exp_avg"].array  # its own copy
    assert fresh.param_groups[1]["lr"] == 0.5 and fresh.param_groups[0]["betas"] == (0.5, 0.9)
    assert fresh.param_groups[1]["params"][0] is params[2]


def test_load_state_dict_says_what_does_not_match():
    opt, _ = adam_after_steps()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="2 parameter group.*has 1"):
        mg.optim.Adam([mg.zeros(2, 3, requires_grad=True)]).load_state_dict(sd)
    with pytest.raises(ValueError, match="group 0 .* 2 parameter"):
        mg.optim.Adam([{"params": [leaf(1.0)]}, {"params": [leaf(1.0)]}]).load_state_dict(sd)
    wrong_shape = [mg.zeros(3, 2, requires_grad=True), leaf(1.0, 2.0)]
    with pytest.raises(ValueError, match=r"exp_avg.*\(2, 3\).*\(3, 2\)"):
        mg.optim.Adam([{"params": wrong_shape}, {"params": [leaf(1.0)]}]).load_state_dict(sd)
