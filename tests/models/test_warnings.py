"""The teaching warnings fire when their lesson happens, and only then."""

import math

import pytest

from minigen.train.warnings import TeachingWarnings, TrainingDiverged, check_finite


def block(step, d_fake, g_norm, n=5):
    return [{"step": step - n + i + 1, "d_fake": d_fake, "grad_norm_g": g_norm} for i in range(n)]


def test_d_overpowering_g():
    teacher = TeachingWarnings()
    assert teacher.check_block(block(50, 0.4, 5.0)) == []
    assert teacher.check_block(block(100, 0.01, 3.0)) == []  # D wins, but G still gets signal
    (message,) = teacher.check_block(block(150, 0.01, 0.05))
    assert "step 150" in message and "D overpowers G" in message
    assert teacher.check_block(block(200, 0.01, 0.05)) == []  # said once, not every block


def test_mode_collapse_warning():
    teacher = TeachingWarnings()
    assert teacher.check_coverage(1, 9, 10) == []
    assert teacher.check_coverage(2, 10, 10) == []
    (message,) = teacher.check_coverage(3, 6, 10)
    assert "epoch 3" in message and "6 of 10" in message and "mode collapse" in message


def test_nan_names_the_step():
    rows = [{"step": 7, "loss": 1.0}, {"step": 8, "loss": math.nan}]
    with pytest.raises(TrainingDiverged, match="step 8: loss is nan"):
        check_finite(rows, ("loss",))
    with pytest.raises(TrainingDiverged, match="step 3: loss_d is inf"):
        check_finite([{"step": 3, "loss_d": math.inf}], ("loss_d",))
    check_finite(rows[:1], ("loss",))
