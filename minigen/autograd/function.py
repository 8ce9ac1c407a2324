"""``Function``: one differentiable operation, a forward on arrays and a backward on arrays.

A Function sees raw arrays (NumPy, CuPy, ...) and never Tensors: ``forward(*arrays)`` returns
the output array and keeps what backward needs as attributes; ``backward(grad_output)`` returns
one gradient per input (``None`` where an input needs none). ``apply`` wraps the arrays in
Tensors and, when any input requires grad, records the Function as the output's ``grad_fn``.

    class Mul(Function):
        def forward(self, a, b):
            self.a, self.b = a, b
            return a * b

        def backward(self, gy):
            return sum_to(gy * self.b, self.a.shape), sum_to(gy * self.a, self.b.shape)

Hyper-parameters are the keywords of ``apply``, which passes them to the Function's own
``__init__``: ``Pow.apply(x, exponent=3)`` runs ``Pow(exponent=3)``, whose ``__init__`` calls
``super().__init__()`` and keeps ``self.exponent``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigen.autograd.grad_mode import _GradMode
from minigen.autograd.tensor import Tensor
from minigen.autograd.version import SavedVersion, saved_versions
from minigen.backend.transfer import as_array_like
from minigen.errors import DeviceMismatchError, MinigenError, ShapeError


class Function:
    """Base class of every differentiable operation (see the module docstring)."""

    #: The input Tensors, kept while the graph lives; None once backward has freed it.
    inputs: list[Tensor] | None
    #: Per input: the Function that had made it when this one ran (None for a leaf).
    input_grad_fns: tuple[Function | None, ...] = ()
    #: Per input: did it require grad when the Function ran? Backward fills only those.
    needs_input_grad: tuple[bool, ...] = ()
    #: The arrays kept for backward, with their versions then (see autograd/version.py).
    saved: list[SavedVersion] = []
    #: True for Functions whose output is a view of their first input's memory (reshape,
    #: permute, basic indexing): the two share a version counter.
    view: bool = False

    def __init__(self) -> None:
        # A Function with hyper-parameters (an axis, a stride, a slope) declares them in its
        # own __init__, which ``apply`` calls with the keywords it was given.
        self.inputs = None

    # -- to be written by each operation ---------------------------------------------------
    def forward(self, *xs: Any) -> Any:
        raise NotImplementedError

    def backward(self, gy: Any) -> Any:
        raise NotImplementedError

    # -- the machinery ----------------------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **params: Any) -> Tensor:
        """Run ``forward`` on the inputs' arrays and record the graph when grads are needed.

        What the graph records is decided here, when the operation runs, as in PyTorch: which
        inputs need a gradient (``needs_input_grad``) and the version of every array the
        Function kept for its backward. Changing ``requires_grad`` afterwards changes nothing
        for this graph.
        """
        fn = cls(**params)
        inputs = _as_tensors(cls.__name__, args)
        try:
            y = fn.forward(*[t.array for t in inputs])
        except MinigenError:
            raise
        except (ValueError, TypeError) as error:
            if not cls.__module__.startswith("minigen."):
                raise  # your own Function: its error and traceback line stay as they are
            shapes = " and ".join(str(tuple(t.shape)) for t in inputs)
            raise ShapeError(f"{cls.__name__} cannot take inputs of shapes {shapes}: {error}") from error
        out = Tensor.wrap(y)
        if fn.view:
            out.share_memory_of(inputs[0])
        if _GradMode.enabled:
            needs = tuple(t.requires_grad for t in inputs)
            if True in needs:
                fn.inputs = inputs
                # The graph's edges, fixed now: an in-place op may give an input a new
                # grad_fn later, which must not reroute this Function's gradient.
                fn.input_grad_fns = tuple(t.grad_fn for t in inputs)
                fn.needs_input_grad = needs
                fn.saved = saved_versions(fn, inputs, out)
                out.requires_grad = True
                out.grad_fn = fn
        return out

    @property
    def freed(self) -> bool:
        return self.inputs is None

    def free(self) -> None:
        """Drop the inputs and saved arrays so their memory can go (after backward)."""
        self.__dict__.clear()
        self.inputs = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward>"


def _as_tensors(op: str, args: tuple[Any, ...]) -> list[Tensor]:
    """Tensors pass through; Python numbers become arrays like the first Tensor's."""
    like = next((a for a in args if isinstance(a, Tensor)), None)
    if like is None:
        raise TypeError(f"{op} needs at least one Tensor among its inputs")
    tensors = [a if isinstance(a, Tensor) else Tensor.wrap(as_array_like(a, like.array)) for a in args]
    if len(tensors) > 1:
        kind = type(tensors[0].array)
        mixed = any(type(t.array) is not kind for t in tensors)
        if mixed or (kind is not np.ndarray and len({t.device for t in tensors}) > 1):
            devices = ", ".join(str(t.device) for t in tensors)
            raise DeviceMismatchError(
                f"{op}: inputs are on different devices ({devices}); move them with .to(device)"
            )
    return tensors
