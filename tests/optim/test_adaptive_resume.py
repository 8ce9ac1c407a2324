"""AdamW, RMSprop and Adadelta resume exactly from a saved state_dict, on any device."""

from __future__ import annotations

import numpy as np
import pytest
from test_optim_resume import fresh_model, train

import minigen as mg

OPTIMIZERS = {
    "adamw": lambda ps: mg.optim.AdamW(ps, lr=0.01, amsgrad=True),
    "rmsprop": lambda ps: mg.optim.RMSprop(
        [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.002}], lr=0.001, momentum=0.9,
        centered=True),
    "adadelta": lambda ps: mg.optim.Adadelta(ps, weight_decay=0.01),
}


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
@pytest.mark.parametrize("saved_on, resumed_on", [("cpu", "cpu"), ("strict", "cpu")])
def test_adaptive_optimizers_resume_exactly(tmp_path, kind, saved_on, resumed_on):
    mg.manual_seed(0)
    model = fresh_model(saved_on)
    optimizer = OPTIMIZERS[kind](list(model.values()))
    train(model, optimizer, 4, saved_on)
    mg.save({"model": model, "optimizer": optimizer.state_dict(), "rng": mg.get_rng_state()},
            tmp_path / "run.ckpt")
    train(model, optimizer, 4, saved_on)
    uninterrupted = {name: p.numpy() for name, p in model.items()}

    mg.manual_seed(123)
    model = fresh_model(resumed_on)
    optimizer = OPTIMIZERS[kind](list(model.values()))
    checkpoint = mg.load(tmp_path / "run.ckpt", map_location=resumed_on)
    with mg.no_grad():
        for name, p in model.items():
            p[...] = checkpoint["model"][name]
    optimizer.load_state_dict(checkpoint["optimizer"])
    mg.set_rng_state(checkpoint["rng"])
    train(model, optimizer, 4, resumed_on)
    for name, p in model.items():
        np.testing.assert_array_equal(p.numpy(), uninterrupted[name], err_msg=name)
