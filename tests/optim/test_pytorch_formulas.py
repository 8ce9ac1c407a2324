"""AdamW, RMSprop and Adadelta against NumPy transcriptions of PyTorch's code: equal to the last
bit in float32 and float64, in every mode, and the same numbers on the strict device."""

from __future__ import annotations

import numpy as np
import pytest
from adaptive_reference import torch_adadelta, torch_adamw, torch_rmsprop
from optim_reference import random_problem, run_minigen

import minigen as mg

# optimizer -> (minigen class, reference, {config name: options})
CASES = {
    "adamw": (mg.optim.AdamW, torch_adamw, {
        "defaults": {},
        "dcgan-betas": {"lr": 2e-4, "betas": (0.5, 0.999)},  # lerp's second branch (weight 0.5)
        "strong-decay": {"lr": 1e-2, "weight_decay": 0.3, "eps": 1e-6},
        "amsgrad": {"lr": 1e-2, "amsgrad": True},
        "maximize": {"lr": 1e-2, "maximize": True, "weight_decay": 0.0},
    }),
    "rmsprop": (mg.optim.RMSprop, torch_rmsprop, {
        "defaults": {},
        "centered": {"lr": 1e-3, "centered": True},
        "momentum": {"lr": 1e-3, "momentum": 0.9},
        "all": {"lr": 5e-3, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.1, "momentum": 0.5,
                "centered": True},
        "maximize-centered": {"maximize": True, "alpha": 0.3, "centered": True},  # lerp weight 0.7
    }),
    "adadelta": (mg.optim.Adadelta, torch_adadelta, {
        "defaults": {},
        "tuned": {"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.05},
        "maximize": {"maximize": True},
    }),
}
IDS = [(name, config) for name, (_, _, configs) in CASES.items() for config in configs]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, config", IDS, ids=[f"{n}-{c}" for n, c in IDS])
def test_matches_pytorch_formulas_exactly(name, config, dtype):
    cls, reference, configs = CASES[name]
    options = configs[config]
    p0, grads = random_problem(dtype, steps=7)
    ours = run_minigen(lambda ps: cls(ps, **options), p0, grads)
    for got, want in zip(ours, reference(p0, grads, **options), strict=True):
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, want)


STRICT = {
    "adamw": lambda ps: mg.optim.AdamW(ps, lr=0.01, amsgrad=True, betas=(0.5, 0.9)),
    "rmsprop": lambda ps: mg.optim.RMSprop(ps, momentum=0.9, centered=True, weight_decay=0.01),
    "adadelta": lambda ps: mg.optim.Adadelta(ps, weight_decay=0.01),
}


@pytest.mark.parametrize("name", list(STRICT))
def test_strict_device_matches_cpu_and_keeps_float32(name):
    p0, grads = random_problem(np.float32)
    on_cpu = run_minigen(STRICT[name], p0, grads)
    on_strict = run_minigen(STRICT[name], p0, grads, device="strict")
    for a, b in zip(on_cpu, on_strict, strict=True):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(a, b)
