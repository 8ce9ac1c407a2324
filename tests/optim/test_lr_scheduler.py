"""Learning-rate schedulers: PyTorch's recursive updates, their closed forms, state_dict, warnings."""

from __future__ import annotations

import math
import warnings

import pytest

import minigen as mg
from minigen.optim import lr_scheduler


def optimizer(*lrs):
    groups = [{"params": [mg.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return mg.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def run(scheduler, epochs):
    """The lr of each group at epochs 0..epochs-1, stepping as a training loop does."""
    seen = [scheduler.get_last_lr()]
    for _ in range(epochs - 1):
        scheduler.optimizer.step()
        scheduler.step()
        seen.append(scheduler.get_last_lr())
    return seen


# -- the numbers, against PyTorch's formulas written out here ------------------------------------
def test_step_lr_decays_every_step_size_epochs():
    got = run(lr_scheduler.StepLR(optimizer(0.1, 1.0), step_size=3, gamma=0.5), 10)
    want, lrs = [], [0.1, 1.0]
    for epoch in range(10):  # recursive: multiply the current lr when epoch hits a multiple
        if epoch > 0 and epoch % 3 == 0:
            lrs = [lr * 0.5 for lr in lrs]
        want.append(list(lrs))
    assert got == want
    for epoch, lrs in enumerate(got):  # and it is the closed form base * gamma^(epoch // 3)
        assert lrs == pytest.approx([b * 0.5 ** (epoch // 3) for b in (0.1, 1.0)], rel=1e-15)


def test_exponential_lr_multiplies_every_epoch():
    got = run(lr_scheduler.ExponentialLR(optimizer(0.3), gamma=0.9), 12)
    lr = 0.3
    for epoch, lrs in enumerate(got):
        assert lrs == [lr]
        assert lr == pytest.approx(0.3 * 0.9**epoch, rel=1e-14)
        lr *= 0.9


def cosine_closed_form(base, eta_min, t_max, epoch):
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * epoch / t_max)) / 2


@pytest.mark.parametrize("eta_min", [0.0, 0.01])
def test_cosine_annealing_follows_the_half_cosine_and_climbs_back_after_t_max(eta_min):
    t_max, base = 10, 0.1
    got = run(lr_scheduler.CosineAnnealingLR(optimizer(base), T_max=t_max, eta_min=eta_min), 35)
    for epoch, (lr,) in enumerate(got):
        assert lr == pytest.approx(cosine_closed_form(base, eta_min, t_max, epoch), abs=1e-15)
    assert got[t_max][0] == pytest.approx(eta_min, abs=1e-15)  # the bottom at T_max
    assert got[2 * t_max][0] == pytest.approx(base, rel=1e-12)  # back at the top (no restart)


def test_cosine_annealing_is_recursive_like_pytorchs():
    # The recursive form scales (lr - eta_min) by a ratio of cosines: a change made to the lr
    # between steps (here: halved once) carries through, which the closed form would ignore.
    opt = optimizer(1.0)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=8)
    opt.step()
    sched.step()
    opt.param_groups[0]["lr"] *= 0.5
    opt.step()
    sched.step()
    ratio = (1 + math.cos(math.pi * 2 / 8)) / (1 + math.cos(math.pi * 1 / 8))
    assert sched.get_last_lr() == [cosine_closed_form(1.0, 0.0, 8, 1) * 0.5 * ratio]


def test_lambda_lr_multiplies_the_initial_lr_per_group():
    opt = optimizer(0.1, 0.2)
    sched = lr_scheduler.LambdaLR(opt, [lambda e: 0.95**e, lambda e: 1.0 / (e + 1)])
    for epoch, lrs in enumerate(run(sched, 6)):
        assert lrs == [0.1 * 0.95**epoch, 0.2 * (1.0 / (epoch + 1))]
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(optimizer(0.1, 0.2), [lambda e: 1.0])


def test_the_scheduler_writes_the_optimizers_lr_and_keeps_initial_lr():
    opt = optimizer(0.1)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)
    assert opt.param_groups[0]["initial_lr"] == 0.1 and sched.base_lrs == [0.1]
    assert sched.last_epoch == 0
    opt.step()
    sched.step()
    assert sched.last_epoch == 1
    assert opt.param_groups[0]["lr"] == sched.get_last_lr()[0] == pytest.approx(0.01, rel=1e-15)


def test_step_with_an_epoch_jumps_with_the_closed_form_and_warns():
    opt = optimizer(1.0)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(7)
    assert sched.last_epoch == 7 and sched.get_last_lr() == [0.5**3]


# -- saving and resuming ----------------------------------------------------------------------
TORCH_STATE_KEYS = {  # PyTorch 2.13's scheduler state_dict keys
    "StepLR": ["step_size", "gamma", "base_lrs", "last_epoch", "_step_count", "_is_initial",
               "_get_lr_called_within_step", "_last_lr"],
    "LambdaLR": ["base_lrs", "last_epoch", "_step_count", "_is_initial",
                 "_get_lr_called_within_step", "_last_lr", "lr_lambdas"],
}


def test_state_dict_has_pytorchs_keys():
    step = lr_scheduler.StepLR(optimizer(0.1), 3)
    assert list(step.state_dict()) == TORCH_STATE_KEYS["StepLR"]
    lam = lr_scheduler.LambdaLR(optimizer(0.1), lambda e: 1.0)
    assert list(lam.state_dict()) == TORCH_STATE_KEYS["LambdaLR"]
    assert lam.state_dict()["lr_lambdas"] == [None]  # a plain function is not saved


@pytest.mark.parametrize(
    "make",
    [lambda o: lr_scheduler.StepLR(o, 2, 0.5), lambda o: lr_scheduler.ExponentialLR(o, 0.8),
     lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.001),
     lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + e))],
    ids=["step", "exponential", "cosine", "lambda"],
)
def test_a_resumed_schedule_continues_exactly(tmp_path, make):
    opt = optimizer(0.1)
    sched = make(opt)
    run(sched, 4)
    mg.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt")
    uninterrupted = run(sched, 8)

    fresh_opt = optimizer(0.5)  # as in a new process: built again, then loaded
    fresh = make(fresh_opt)
    saved = mg.load(tmp_path / "ckpt")
    fresh_opt.load_state_dict(saved["opt"])
    fresh.load_state_dict(saved["sched"])
    assert run(fresh, 8) == uninterrupted


def test_callable_objects_in_lambda_lr_are_saved():
    class Warmup:
        def __init__(self):
            self.steps = 4

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.steps)

    warm = Warmup()
    sched = lr_scheduler.LambdaLR(optimizer(0.1), warm)
    warm.steps = 10
    state = sched.state_dict()
    other = Warmup()
    lr_scheduler.LambdaLR(optimizer(0.1), other).load_state_dict(state)
    assert other.steps == 10 and "lr_lambdas" in state


def test_resuming_with_last_epoch_needs_initial_lr():
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(optimizer(0.1), 3, last_epoch=5)


# -- PyTorch's warnings -----------------------------------------------------------------------
def test_stepping_the_scheduler_before_the_optimizer_warns():
    sched = lr_scheduler.StepLR(optimizer(0.1), 3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


def test_the_right_order_does_not_warn():
    opt = optimizer(0.1)
    sched = lr_scheduler.ExponentialLR(opt, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.step()
            sched.step()


def test_get_lr_outside_step_points_to_get_last_lr():
    sched = lr_scheduler.StepLR(optimizer(0.1), 3)
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_a_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([mg.zeros(1)], 3)


def test_wrapping_step_does_not_keep_the_optimizer_alive():
    import gc
    import weakref

    opt = optimizer(0.1)
    lr_scheduler.StepLR(opt, 3)
    ref = weakref.ref(opt)
    del opt
    gc.collect()
    assert ref() is None


def test_a_custom_schedule_subclasses_lr_scheduler():
    class Halving(lr_scheduler.LRScheduler):  # as a PyTorch user writes one
        def get_lr(self):
            return [base * 0.5**self.last_epoch for base in self.base_lrs]

    assert [lrs[0] for lrs in run(Halving(optimizer(1.0)), 4)] == [1.0, 0.5, 0.25, 0.125]
