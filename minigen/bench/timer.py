"""Timing done right: warm up, synchronise before every clock read, repeat, take the median.

Three mistakes make naive timings wrong, and each has its line below:

1. **No warm-up.** The first calls pay one-off costs: CuPy compiles its kernels, memory pools
   grow, caches fill. ``measure`` runs ``warmup`` calls before the clock starts.
2. **No synchronisation.** A GPU runs asynchronously: ``y = a @ b`` on CuPy only *queues* the
   product and returns at once, so a clock read right after it measures the queueing, not the
   work. ``measure`` calls ``sync()`` (e.g. ``lambda: mg.synchronize("cuda")``) before reading
   the clock, at the start (nothing left over from before) and at the end (everything done).
3. **One run.** Other programs, the OS and the CPU's clock speed add noise, always upwards.
   ``measure`` repeats and reports the median (robust to a few slow runs) and the spread
   (the interquartile range: how much runs disagree).

``interleaved`` times several implementations in alternating rounds, so background load that
comes and goes hits all of them alike: their *ratio* is then trustworthy on a busy machine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


def no_sync() -> None:
    """The CPU computes synchronously: when a call returns, its work is done."""


@dataclass(frozen=True)
class Timing:
    """The seconds per call of each timed repeat, and their statistics."""

    times: tuple[float, ...]
    warmup: int = 0
    number: int = 1  # calls per timed repeat (the times are per call)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def spread(self) -> float:
        """The interquartile range (75th minus 25th percentile) of the repeats, in seconds."""
        if len(self.times) < 2:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.times, n=4, method="inclusive")
        return q3 - q1

    @property
    def relative_spread(self) -> float:
        """The spread as a fraction of the median (0.05 means runs disagree by about 5%)."""
        return self.spread / self.median if self.median > 0 else 0.0

    @property
    def best(self) -> float:
        return min(self.times)


def measure(
    fn: Callable[[], Any],
    sync: Callable[[], None] = no_sync,
    warmup: int = 3,
    repeats: int = 10,
    number: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> Timing:
    """Time ``fn()``: ``warmup`` untimed calls, then ``repeats`` timed runs of ``number`` calls.

    ``sync`` must wait until all work that ``fn`` queued has finished (a no-op on the CPU).
    ``number`` > 1 times several calls per clock read, for calls so short that the clock's own
    cost would show; the result is per call.
    """
    if repeats < 1 or number < 1:
        raise ValueError("repeats and number must be at least 1")
    for _ in range(warmup):  # compile kernels, grow memory pools, fill caches: not timed
        fn()
    times = []
    for _ in range(repeats):
        sync()  # start from an idle device: nothing queued earlier is counted
        start = clock()
        for _ in range(number):
            fn()
        sync()  # the GPU may still be working: wait before reading the clock
        times.append((clock() - start) / number)
    return Timing(tuple(times), warmup, number)


@dataclass
class Candidate:
    """One implementation to time: a callable and the sync of the device it runs on."""

    name: str
    fn: Callable[[], Any]
    sync: Callable[[], None] = no_sync
    number: int = 1  # calls per clock read
    times: list[float] = field(default_factory=list)


def interleaved(
    candidates: Sequence[Candidate],
    rounds: int = 3,
    repeats: int = 5,
    warmup: int = 2,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Timing]:
    """Time each candidate in ``rounds`` alternating rounds of ``repeats`` runs each.

    A burst of background load then lands on every candidate's samples rather than on one
    candidate's, and the medians over all rounds compare fairly. Only the first round warms up.
    """
    for c in candidates:
        c.times = []
    for r in range(rounds):
        for c in candidates:
            t = measure(c.fn, c.sync, warmup if r == 0 else 0, repeats, c.number, clock)
            c.times.extend(t.times)
    return {c.name: Timing(tuple(c.times), warmup, c.number) for c in candidates}
