"""The host memory setting (minigen/backend/host_memory.py): on where glibc is, off on request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from minigen.backend import host_memory

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not host_memory._is_glibc(), reason="the setting exists for glibc only")
def test_importing_minigen_keeps_freed_host_memory_on_glibc():
    assert host_memory.keep_freed_memory() is True


def test_minigen_host_pool_0_leaves_malloc_alone():
    env = dict(os.environ, MINIGEN_HOST_POOL="0", PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", "import minigen.backend.host_memory as h; print(h._configured)"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
