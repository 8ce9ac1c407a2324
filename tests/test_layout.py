"""The test tree itself: pytest's default import mode needs unique test file names."""

from collections import Counter
from pathlib import Path


def test_test_file_basenames_are_unique():
    names = Counter(p.name for p in Path(__file__).parent.rglob("test_*.py"))
    assert not [n for n, c in names.items() if c > 1], "rename: pytest imports test files by basename"

