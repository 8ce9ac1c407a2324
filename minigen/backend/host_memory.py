"""Host memory: keep freed array memory for the next step, the CPU twin of CuPy's memory pool.

A training step allocates the same large arrays every step (activations, gradients, im2col
matrices) and frees them at the end. With its default settings, glibc's ``malloc`` serves a
large request with a fresh ``mmap`` and gives the block back to the operating system on
``free``; the next step's array then starts as untouched pages, and the kernel must fault in
and zero every page when NumPy first writes it. For 6 MB activations that costs several times
the arithmetic of the operations writing them (measured on 1.6 M float32: two products
``x * 2.0`` and ``x * 3.0`` whose results are alive together take 2.5 ms with fresh pages and
0.27 ms with reused memory).

CuPy avoids the same cost on the GPU with its memory pool: freed device memory stays with CuPy
and the next allocation of that size reuses it. On the CPU the equivalent is two ``mallopt``
settings, applied once when minigen is imported (glibc on Linux only; elsewhere nothing
changes):

- ``M_MMAP_THRESHOLD`` = 32 MiB: blocks up to that size come from the heap, not from ``mmap``;
- ``M_TRIM_THRESHOLD`` = 1 GiB: freed heap memory is kept for reuse rather than returned.

The process then holds on to its peak heap, as PyTorch's and CuPy's caching allocators hold on
to theirs. Set ``MINIGEN_HOST_POOL=0`` to keep glibc's defaults.

Host memory that a GPU's copy engine reads directly (page-locked, for copies of batches to the
device) is a different pool, CuPy's: see pinned.py.
"""

from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD = -1  # glibc's malloc.h parameter numbers
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 2**30

_configured: bool | None = None


def keep_freed_memory() -> bool:
    """Apply the settings above once; True when they are in effect (glibc), else False."""
    global _configured
    if _configured is not None:
        return _configured
    _configured = False
    if os.environ.get("MINIGEN_HOST_POOL", "1") == "0" or not _is_glibc():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _configured = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return _configured


def _is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):  # not a GNU system (macOS, musl, Windows)
        return False
