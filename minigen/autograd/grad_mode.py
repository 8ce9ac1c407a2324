"""Whether operations record the graph for backward. ``no_grad()`` turns recording off."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    enabled = True


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return _GradMode.enabled


class set_grad_enabled:
    """Context manager (and decorator) that sets recording on or off, then restores it."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.previous = _GradMode.enabled

    def __enter__(self) -> None:
        self.previous = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self.previous

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(self.mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _BareDecorator(set_grad_enabled):
    """Usable as ``with cls():``, ``@cls()`` and, as in PyTorch, the bare ``@cls``."""

    mode_of_class = False

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        instance = super().__new__(cls)
        if func is None:
            return instance
        if not callable(func):
            raise TypeError(f"{cls.__name__}() takes no arguments (or decorates a function)")
        instance.__init__()
        return instance(func)  # @mg.no_grad without parentheses: the decorated function

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        super().__init__(self.mode_of_class)


class no_grad(_BareDecorator):
    """``with mg.no_grad():`` (or ``@mg.no_grad()``, ``@mg.no_grad``): compute without
    recording a graph.

    Use it for evaluation, sampling and optimizer updates: no graph is kept, so no memory is.
    """

    mode_of_class = False


class enable_grad(_BareDecorator):
    """Turn recording back on inside a ``no_grad`` block (``with``, ``@enable_grad()`` or bare)."""

    mode_of_class = True
