"""``atomic_write``: a file is replaced whole or not at all, whatever happens mid-write.

Every file minigen writes that a crash must not damage goes through it: ``mg.save``
checkpoints, run checkpoints, safetensors exports, ``eval.json``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import IO

from minigen.errors import os_errors_name


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """``with atomic_write(path) as f: f.write(...)``: ``path`` becomes the new content whole,
    or (on any error, Ctrl-C included) stays what it was.

    The bytes go to ``.NAME.RANDOM.tmp`` beside ``path`` (same file system, so the rename is
    atomic), are fsynced, and the file is renamed over ``path``; the temporary file is removed
    on failure (a ``kill -9`` can still leave one: the next run that locks the folder removes
    it, see minigen/folder_lock.py). OS errors name ``path``.
    """
    target = os.path.realpath(os.fspath(path))  # through a symlink, replace the real file
    directory, name = os.path.split(target)
    temp, fd = _create_temp(directory, name)
    try:
        with os_errors_name(target):
            with os.fdopen(fd, "wb") as f:
                yield f
                f.flush()
                os.fsync(f.fileno())  # the bytes reach the disk before the rename makes them current
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)  # makes the rename itself durable


def _create_temp(directory: str, name: str) -> tuple[str, int]:
    """A new file beside the target (same file system, so the rename is atomic)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            # Mode 0o666 less the umask, as for any new file (mkstemp would give 0o600).
            return temp, os.open(temp, flags, 0o666)
        except FileExistsError:
            continue


def _fsync_directory(directory: str) -> None:
    with contextlib.suppress(OSError):  # not possible on every OS (Windows); best effort
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
