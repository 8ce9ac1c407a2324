"""Issue 16's budget: a training step's array operations (what bounds a GPU step from below)
stay at most a third of the 2026-12-04 baseline for the DCGAN and at most half for every other
model (docs/results.md, "Array operations per training step"). A change that adds operations
to a step fails here with the count and the budget, before a GPU ever runs it."""

from __future__ import annotations

import pytest

from minigen.bench.op_count import MODELS, step_op_count

pytest.importorskip("array_api_strict")

#: The counts at commit 3c03c13, before the cut.
BASELINE = {"ae": 198, "vae": 286, "conv-vae": 759, "gan": 504, "dcgan": 1397, "cgan": 1429}
SHARE = {"dcgan": 1 / 3}  # every other model: 1/2


@pytest.mark.parametrize("name", MODELS)
def test_a_training_step_stays_within_its_operation_budget(name):
    budget = int(BASELINE[name] * SHARE.get(name, 1 / 2))
    count = step_op_count(name, 2)  # the count does not depend on the batch size
    assert count.total <= budget, (
        f"{name}: {count.total} array operations per step, over the budget of {budget} "
        f"({SHARE.get(name, 1 / 2):.2f} of {BASELINE[name]}); the most frequent: {count.top(5)}, "
        f"by file: {count.top_sources(5)}"
    )
