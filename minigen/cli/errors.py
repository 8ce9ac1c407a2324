"""``CLIError``: a mistake in the command line or its inputs, reported without a traceback;
:func:`describe_os_error`: what the OS refused, as one line naming the path and what to do."""

from __future__ import annotations

import argparse
import errno
import math


class CLIError(Exception):
    """Bad options or inputs: ``minigen`` prints the message and exits with status 2."""


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    value = finite_float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value}")
    return value


def finite_float(text: str) -> float:
    """argparse type: a finite number (not nan or inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


#: What each OS refusal means for the user, and what to do about it.
_OS_ERRORS = {
    errno.ENOSPC: "no space left on the device: free some space and run the command again",
    errno.EDQUOT: "disk quota exceeded: free some space and run the command again",
    errno.EROFS: "the file system is read-only: choose a folder you can write to",
    errno.EACCES: "permission denied: choose a folder you can write to (or fix its permissions)",
    errno.EPERM: "operation not permitted: choose a folder you can write to",
    errno.EEXIST: "exists and is not a folder: choose another path",
    errno.ENOTDIR: "a part of this path is a file, not a folder: choose another path",
    errno.EISDIR: "is a folder, not a file: name a file",
    errno.ENOENT: "no such file or folder",
    errno.ENAMETOOLONG: "the name is too long: choose a shorter path",
}


def describe_os_error(error: OSError) -> str:
    """One line for an ``OSError``: the path, what went wrong, what to do."""
    where = error.filename if error.filename is not None else "(no file name)"
    if error.filename2 is not None:
        where = f"{where} -> {error.filename2}"
    what = _OS_ERRORS.get(error.errno) if error.errno is not None else None
    if what is None:
        what = error.strerror or str(error) or type(error).__name__
    return f"{where}: {what}"
