"""Version counters: how ``backward()`` notices that a saved value was changed in place.

Every tensor carries a counter, shared with its views (``x[0]``, ``x.reshape(...)``,
``x.detach()``), since they are windows on the same memory. Each in-place write
(``x.add_(1)``, ``x[0] = 5``, ``optimizer.step()``) adds one to it.

When a Function records itself in the graph it notes which input or output arrays it kept for
its backward and the counter value of each at that moment. ``backward()`` compares: a changed
value means the array the backward would read no longer holds what the forward saw, and the
gradient would be silently wrong, so it stops with PyTorch's error instead.

A Function that keeps only shapes, or its own copies (``Add``, a convolution's im2col
columns), saves nothing here: changing its inputs afterwards cannot spoil its gradient, and
PyTorch raises nothing either.
"""

from __future__ import annotations

from typing import Any

from minigen.errors import GradError


class VersionCounter:
    """How many in-place writes the memory of a tensor (and of its views) has seen."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        self.value += 1


class SavedVersion:
    """One array a Function kept for its backward: whose counter, and its value then."""

    __slots__ = ("counter", "expected", "what", "shape", "dtype")

    def __init__(self, counter: VersionCounter, what: str, array: Any) -> None:
        self.counter = counter
        self.expected = counter.value
        self.what = what
        self.shape, self.dtype = tuple(array.shape), array.dtype

    def check(self, fn_name: str) -> None:
        if self.counter.value != self.expected:
            dtype = str(self.dtype).rsplit(".", 1)[-1]
            raise GradError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: the {dtype} tensor of shape {self.shape}, {self.what} of "
                f"{fn_name}, is at version {self.counter.value}; expected version "
                f"{self.expected} instead. Hint: change a .clone() of it, or change it only "
                "after backward()"
            )


def saved_versions(fn: Any, inputs: list[Any], out: Any) -> list[SavedVersion]:
    """The arrays among ``fn``'s attributes that are an input's or the output's own array.

    Found by identity after ``forward`` ran, so each Function states what it saves in the
    plain way (``self.x = x``) and nothing else has to be declared.
    """
    kept = [value for value in fn.__dict__.values() if hasattr(value, "shape")]
    if not kept:
        return []
    saved = []
    for i, t in enumerate(inputs):
        if any(value is t.array for value in kept):
            saved.append(SavedVersion(t._version_counter, f"input {i}", t.array))
    if any(value is out.array for value in kept):
        saved.append(SavedVersion(out._version_counter, "the output", out.array))
    return saved
