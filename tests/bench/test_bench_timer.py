"""The timer measures what it should: warm-up first, a sync before every clock read, the
median and spread of the repeats, and interleaved rounds. All on fake clocks: no real time."""

from __future__ import annotations

import pytest

from minigen.bench.timer import Candidate, Timing, interleaved, measure


class FakeClock:
    """A clock that moves only when told: each call of ``work`` costs the next duration."""

    def __init__(self, durations):
        self.now = 0.0
        self.durations = list(durations)
        self.calls = 0

    def __call__(self) -> float:
        return self.now

    def work(self) -> None:
        self.now += self.durations[self.calls % len(self.durations)]
        self.calls += 1


def test_median_and_spread_of_the_timed_repeats_skip_the_warmup():
    # Two slow warm-up calls (compiling, growing pools), then five timed calls.
    clock = FakeClock([9.0, 9.0, 1.0, 3.0, 2.0, 5.0, 4.0])
    t = measure(clock.work, warmup=2, repeats=5, clock=clock)
    assert t.times == (1.0, 3.0, 2.0, 5.0, 4.0)  # the 9 s warm-ups are not counted
    assert t.median == 3.0
    assert t.spread == 2.0  # interquartile range: 4 - 2
    assert t.relative_spread == pytest.approx(2 / 3)
    assert t.best == 1.0
    assert clock.calls == 7


def test_number_times_several_calls_per_clock_read_and_reports_per_call():
    clock = FakeClock([0.5])
    t = measure(clock.work, warmup=0, repeats=3, number=4, clock=clock)
    assert t.times == (0.5, 0.5, 0.5) and t.number == 4
    assert clock.calls == 12


def test_sync_is_called_before_every_clock_read():
    events = []

    def clock() -> float:
        events.append("clock")
        return float(len(events))

    measure(lambda: events.append("fn"), sync=lambda: events.append("sync"), warmup=2,
            repeats=3, number=2, clock=clock)
    assert events[:2] == ["fn", "fn"]  # warm-up, before any clock read
    timed = events[2:]
    assert timed.count("clock") == 6  # a start and a stop per repeat
    for i, event in enumerate(timed):
        if event == "clock":
            assert timed[i - 1] == "sync", f"clock read without a sync first: {timed}"
    assert timed == ["sync", "clock", "fn", "fn", "sync", "clock"] * 3


class FakeGPU:
    """Work is queued and returns at once, as on a GPU; ``synchronize`` waits for it."""

    def __init__(self, kernel_seconds: float):
        self.clock = FakeClock([0.0])
        self.kernel_seconds = kernel_seconds
        self.queued = 0.0

    def launch(self) -> None:
        self.clock.now += 1e-6  # launching costs a microsecond of the CPU's time
        self.queued += self.kernel_seconds

    def synchronize(self) -> None:
        self.clock.now += self.queued  # the CPU waits until the queue is empty
        self.queued = 0.0


def test_without_a_sync_an_asynchronous_device_looks_free():
    gpu = FakeGPU(kernel_seconds=0.010)
    wrong = measure(gpu.launch, warmup=1, repeats=5, clock=gpu.clock)  # no sync
    assert wrong.median == pytest.approx(1e-6)  # measures the launch only
    gpu = FakeGPU(kernel_seconds=0.010)
    right = measure(gpu.launch, sync=gpu.synchronize, warmup=1, repeats=5, clock=gpu.clock)
    assert right.median == pytest.approx(0.010 + 1e-6)
    assert right.times == pytest.approx([0.010 + 1e-6] * 5)  # the warm-up's work is not counted


def test_interleaved_alternates_the_candidates_round_by_round():
    order = []
    clock = FakeClock([1.0])

    def make(name):
        def fn():
            order.append(name)
            clock.work()
        return fn

    a, b = Candidate("a", make("a")), Candidate("b", make("b"), number=2)
    timings = interleaved([a, b], rounds=3, repeats=2, warmup=1, clock=clock)
    # round 1 warms each up once; then a a | b b b b, three times
    assert order == ["a", "a", "a", "b", "b", "b", "b", "b"] + ["a", "a", "b", "b", "b", "b"] * 2
    assert len(timings["a"].times) == len(timings["b"].times) == 6
    assert timings["a"].median == timings["b"].median == 1.0


def test_bad_arguments_and_a_single_repeat():
    with pytest.raises(ValueError):
        measure(lambda: None, repeats=0)
    assert Timing((2.0,)).spread == 0.0
