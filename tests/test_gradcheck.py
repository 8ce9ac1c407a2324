"""Every Function is gradient-checked: the cases, and the meta-test that proves coverage."""

from __future__ import annotations

import pytest
from gradcases import all_cases, all_function_classes, functions_in_graph

import minigen as mg

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
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
