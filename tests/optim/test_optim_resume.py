"""Save mid-training, load into a fresh model and optimizer, continue: exactly the same run.

This is the promise of ``state_dict`` plus ``mg.save``/``mg.load``: parameters, optimizer
state (moments, momentum buffers, step counts), hyperparameters and the RNG all come back.
"""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg

SHAPES = {"w1": (4, 8), "b1": (8,), "w2": (8, 1)}
OPTIMIZERS = {
    "sgd": lambda ps: mg.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3),
    "adam": lambda ps: mg.optim.Adam(
        [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.02}], lr=0.01, betas=(0.5, 0.999)
    ),
}


def fresh_model(device):
    return {name: (mg.randn(*shape) * 0.5).to(device).requires_grad_() for name, shape in
            SHAPES.items()}


def train(model, optimizer, steps, device):
    for _ in range(steps):
        x = mg.randn(16, 4).to(device)  # data from the CPU generator, whose state is saved
        y = x.sum(1, keepdim=True).tanh()
        out = (x @ model["w1"] + model["b1"]).tanh() @ model["w2"]
        loss = ((out - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
@pytest.mark.parametrize(
    "saved_on, resumed_on", [("cpu", "cpu"), ("strict", "cpu"), ("cpu", "strict")]
)
def test_training_resumes_exactly(tmp_path, kind, saved_on, resumed_on):
    mg.manual_seed(0)
    model = fresh_model(saved_on)
    optimizer = OPTIMIZERS[kind](list(model.values()))
    train(model, optimizer, 6, saved_on)
    path = tmp_path / "run.ckpt"
    mg.save({"model": model, "optimizer": optimizer.state_dict(), "epoch": 6,
             "rng": mg.get_rng_state()}, path)
    train(model, optimizer, 6, saved_on)
    uninterrupted = {name: p.numpy() for name, p in model.items()}

    mg.manual_seed(123)  # as in a new process: other weights, another random stream
    model = fresh_model(resumed_on)
    optimizer = OPTIMIZERS[kind](list(model.values()))
    checkpoint = mg.load(path, map_location=resumed_on)
    with mg.no_grad():
        for name, p in model.items():
            p[...] = checkpoint["model"][name]
    optimizer.load_state_dict(checkpoint["optimizer"])
    mg.set_rng_state(checkpoint["rng"])
    assert checkpoint["epoch"] == 6
    train(model, optimizer, 6, resumed_on)

    for name, p in model.items():
        assert p.device == mg.device(resumed_on) and p.dtype == mg.float32
        np.testing.assert_array_equal(p.numpy(), uninterrupted[name], err_msg=name)


def test_resumed_hyperparameters_come_from_the_checkpoint(tmp_path):
    p = mg.zeros(2, requires_grad=True)
    opt = mg.optim.Adam([p], lr=0.123, betas=(0.5, 0.9), eps=1e-6)
    mg.save(opt.state_dict(), tmp_path / "opt.ckpt")
    fresh = mg.optim.Adam([mg.zeros(2, requires_grad=True)])
    fresh.load_state_dict(mg.load(tmp_path / "opt.ckpt"))
    group = fresh.param_groups[0]
    assert (group["lr"], group["betas"], group["eps"]) == (0.123, (0.5, 0.9), 1e-6)
