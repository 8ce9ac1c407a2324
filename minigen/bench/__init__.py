"""``minigen bench``: timing the engine on the CPU and the GPU, measured properly.

- ``timer``: warm-up, a synchronised clock, the median and spread of repeats, interleaving;
- ``rows``: what is timed (matmul sweep, layers over batch sizes, each model's training step,
  host<->device copies) and how each row is built in minigen;
- ``torch_rows``: the same rows in PyTorch, for ``--compare-torch`` (PyTorch is optional);
- ``runner``: runs the rows on each device and describes the machine;
- ``report``: the table, the CSV file and the speedup plot.

The command line is ``minigen bench`` (minigen/cli/bench.py); the lesson on why each step of
the measurement matters is walkthroughs/09_timing.py.
"""

from minigen.bench.timer import Candidate, Timing, interleaved, measure, no_sync

__all__ = ["Candidate", "Timing", "interleaved", "measure", "no_sync"]
