"""The errors minigen raises on purpose: each names the operation or layer and the values at fault."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


class MinigenError(Exception):
    """Base class: an error minigen raised itself, with a message meant for a person."""


class ShapeError(MinigenError, ValueError):
    """Shapes that an operation or layer cannot combine; the message names both."""


class DeviceMismatchError(MinigenError, RuntimeError):
    """Tensors on different devices met in one operation (as CuPy and NumPy arrays cannot)."""


class GradError(MinigenError, RuntimeError):
    """A misuse of autograd: backward on a non-scalar, a freed graph, an integer tensor with grad."""


@contextlib.contextmanager
def os_errors_name(path: str | os.PathLike) -> Iterator[None]:
    """Give ``path`` to the OS errors raised inside that name no file (a ``write`` that meets a
    full disk says only "No space left on device"), so the one-line message can say where."""
    try:
        yield
    except OSError as error:
        if error.filename is not None or isinstance(error, MinigenError):
            raise
        raise OSError(error.errno, error.strerror or str(error), os.fspath(path)) from None
