"""One writer per folder: run folders and download caches, locked with the OS's advisory locks.

``with lock_folder(folder, "minigen train"):`` takes an exclusive lock on ``folder/.lock``
(``fcntl.flock``). The operating system drops the lock when the process ends, however it ends
(``kill -9`` included), so a crash never leaves a stale lock behind. A second process that
asks for the folder gets :class:`FolderBusyError` naming the process that holds it.

Only the holder of the exclusive lock removes the temporary files that killed writes leave
behind (``.NAME.RANDOM.tmp`` from :func:`minigen.serialization.atomic_write`, ``.NAME.RANDOM.part``
from a download): no other process can be writing them at that moment.

Downloads into a cache take the lock *shared* (:func:`shared_folder_lock`): several processes
may download into one cache at once (each file lands with an atomic rename), and the stale
``.part`` files are removed only when no other process holds the cache.

Where the OS has no ``fcntl`` (Windows), folders are not locked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from minigen.errors import MinigenError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".lock"

#: Temporary files of killed writes: ``.NAME.<12 hex>.tmp`` (atomic_write) and
#: ``.NAME.<random>.part`` (downloads).
STALE = re.compile(r"^\..+\.([0-9a-f]{12}\.tmp|[A-Za-z0-9_]+\.part)$")


class FolderBusyError(MinigenError, RuntimeError):
    """Another process holds the folder's lock; the message names it."""


@contextlib.contextmanager
def lock_folder(folder: str | os.PathLike, command: str, create: bool = True) -> Iterator[list[str]]:
    """Hold ``folder`` for this process alone; yields the stale temporary files it removed.

    ``create`` makes the folder (and its parents) first. Raises :class:`FolderBusyError` when
    another process holds it.
    """
    path = Path(folder)
    if create:
        path.mkdir(parents=True, exist_ok=True)
    fd = _open_lock_file(path)
    try:
        if not _try_lock(fd, path, exclusive=True):
            raise FolderBusyError(f"{path} is in use by {_holder(fd)}: wait for it to finish, "
                                  "or use another folder")
        # Who holds the folder, for the message of a second process.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {command}\n".encode(), 0)
        yield remove_stale(path)
    finally:
        os.close(fd)  # closing drops the lock


@contextlib.contextmanager
def shared_folder_lock(folder: str | os.PathLike) -> Iterator[None]:
    """Share ``folder`` with other downloaders; when none holds it, first clear stale files."""
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    fd = _open_lock_file(path)
    try:
        if _try_lock(fd, path, exclusive=True):
            remove_stale(path)
        _lock_shared(fd)
        yield
    finally:
        os.close(fd)


def remove_stale(folder: Path) -> list[str]:
    """Remove the temporary files of killed writes in ``folder``; call only holding its lock."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if STALE.match(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(entry.name)
    return sorted(removed)


def _open_lock_file(folder: Path) -> int:
    return os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)


def _try_lock(fd: int, folder: Path, exclusive: bool) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as error:
        if error.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            # A file system without locks (some network mounts): go on unlocked, and say so.
            print(f"minigen: warning: cannot lock {folder} ({error.strerror}); "
                  "make sure no other minigen writes there", file=sys.stderr)
            return True
        raise
    return True


def _lock_shared(fd: int) -> None:
    if fcntl is not None:
        with contextlib.suppress(OSError):  # (a file system without locks: go on unlocked)
            fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a peer clears stale files


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    pid, _, command = text.partition(" ")
    if not pid.isdigit():
        return "another process"
    return f"process {pid} ({command})" if command else f"process {pid}"
