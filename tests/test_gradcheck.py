"""Every Function is gradient-checked: the cases, and the meta-test that proves coverage.

The cases also run on the strict stand-in device, built there by the same builders (the default
device set to "strict"): every tensor a case holds must be there, and its forward and backward
must give the CPU's numbers. A builder that leaves a tensor on the host fails here without a GPU;
the full finite-difference check on strict is in the slow suite, on cuda in tests/test_cuda.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from gradcases import all_cases, all_function_classes, functions_in_graph
from placement import assert_on_device

import minigen as mg

CASES = all_cases()
IDS = [c.name for c in CASES]

#: Cases the strict device refuses for a reason in the engine, not in the case: each is a bug
#: to fix, and strict xfail turns green into a failure once it is fixed, so the entry goes.
STRICT_ENGINE_BUGS: dict[str, str] = {}


def _on_strict(case):
    reason = STRICT_ENGINE_BUGS.get(case.name)
    return pytest.param(case, marks=pytest.mark.xfail(reason=reason, strict=True)) if reason else case


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck(case):
    fn, inputs = case.build()
    assert mg.gradcheck(fn, inputs, directional=case.directional, **dict(case.options))


def test_every_function_has_a_gradcheck_case():
    covered: set[type] = set()
    for case in CASES:
        fn, inputs = case.build()
        covered |= functions_in_graph(fn(*inputs))
    missing = sorted(cls.__module__ + "." + cls.__name__ for cls in all_function_classes() - covered)
    assert not missing, f"Functions with no gradcheck case: {missing}"


def build_on(case, device: str):
    """The case built with ``device`` as the default device, from seed 0 (layers draw their
    initial weights from the generator, so the same seed gives the same case everywhere)."""
    mg.set_default_device(device)
    try:
        mg.manual_seed(0)
        return case.build()
    finally:
        mg.set_default_device("cpu")


def forward_backward(fn, inputs) -> list[np.ndarray]:
    """The output and every input's gradient for a fixed upstream gradient, on the host."""
    for t in inputs:
        t.grad = None
    out = fn(*inputs)
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(mg.tensor(upstream, dtype=out.dtype, device=out.device))
    grads = [np.zeros(t.shape) if t.grad is None else t.grad.numpy() for t in inputs]
    return [out.numpy(), *grads]


@pytest.mark.parametrize("case", [_on_strict(c) for c in CASES], ids=IDS)
def test_case_on_strict_holds_everything_there_and_matches_the_cpu(case):
    fn, inputs = build_on(case, "strict")
    assert_on_device("strict", inputs=inputs, fn=fn)
    cpu = forward_backward(*build_on(case, "cpu"))
    for got, want in zip(forward_backward(fn, inputs), cpu, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("case", [_on_strict(c) for c in CASES], ids=IDS)
def test_gradcheck_on_strict(case):
    fn, inputs = build_on(case, "strict")
    assert mg.gradcheck(fn, inputs, directional=case.directional, **dict(case.options))
