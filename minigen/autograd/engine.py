"""``backward()``: walk the graph from the output to the leaves in reverse topological order.

Each Function's ``backward`` turns the gradient of its output into gradients of its inputs
(the chain rule, one link at a time). A tensor used twice receives the sum of both gradients.
After the walk the graph is freed, so its saved arrays can go; ``retain_graph=True`` keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from minigen.backend.array_module import get_array_module
from minigen.errors import GradError


# The walk is written against what it reads, not against the classes: tensor.py imports this
# module (for Tensor.backward), so importing Tensor or Function here would be a cycle.
class Tensor(Protocol):
    """What the walk needs of a tensor (``minigen.Tensor`` is one)."""

    array: Any
    grad: Any
    grad_fn: Function | None
    requires_grad: bool

    @property
    def shape(self) -> tuple[int, ...]: ...
    def numel(self) -> int: ...
    @classmethod
    def wrap(cls, array: Any, requires_grad: bool = False) -> Any: ...


class Function(Protocol):
    """What the walk needs of a graph node (``minigen.autograd.Function`` is one)."""

    inputs: list[Tensor] | None
    input_grad_fns: tuple[Function | None, ...]
    needs_input_grad: tuple[bool, ...]
    saved: list[Any]

    def backward(self, gy: Any) -> Any: ...
    def free(self) -> None: ...


def run_backward(root: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """``root.backward(grad)``: gradients of ``root`` into the ``.grad`` of every leaf."""
    _walk([root], [grad], retain_graph, _accumulate)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """``mg.autograd.grad``: the gradients of ``outputs`` with respect to ``inputs``, returned
    (one per input) instead of added into ``.grad``, as ``torch.autograd.grad``.

    ``inputs`` may be leaves or computed tensors. No ``.grad`` anywhere changes. An input
    that the outputs do not depend on raises, unless ``allow_unused=True`` (then its entry is
    None). ``create_graph=True`` (gradients of gradients) is not supported: minigen's
    backward functions work on raw arrays, so the gradients carry no graph.
    """
    if create_graph:
        raise GradError(
            "mg.autograd.grad(create_graph=True): minigen's backward runs on raw arrays, so "
            "gradients of gradients are not available; compute them with PyTorch"
        )
    outputs = [outputs] if _is_tensor(outputs) else list(outputs)
    inputs = [inputs] if _is_tensor(inputs) else list(inputs)
    if grad_outputs is None or _is_tensor(grad_outputs):
        grad_outputs = [grad_outputs] * len(outputs)
    found: dict[int, Any] = {}
    wanted_leaves = {id(t) for t in inputs if t.grad_fn is None}
    wanted_fns = {t.grad_fn: id(t) for t in inputs if t.grad_fn is not None}

    def deliver(leaf: Tensor, g: Any) -> None:
        if id(leaf) in wanted_leaves:
            found[id(leaf)] = found[id(leaf)] + g if id(leaf) in found else g

    def seen(fn: Function, gy: Any) -> None:
        if fn in wanted_fns:
            found[wanted_fns[fn]] = gy

    keep = bool(retain_graph) if retain_graph is not None else False
    _walk(outputs, list(grad_outputs), keep, deliver, seen)
    results: list[Tensor | None] = []
    for i, t in enumerate(inputs):
        if id(t) not in found:
            if not allow_unused:
                raise GradError(
                    f"mg.autograd.grad: input {i} (shape {t.shape}) was not used to compute the "
                    "outputs; pass allow_unused=True to get None for it"
                )
            results.append(None)
        else:
            results.append(type(t).wrap(found[id(t)]))
    return tuple(results)


def _walk(
    roots: list[Tensor],
    seeds: list[Any],
    retain_graph: bool,
    deliver: Callable[[Tensor, Any], None],
    seen: Callable[[Function, Any], None] | None = None,
) -> None:
    """The backward walk from ``roots``; leaves' gradients go to ``deliver``."""
    grads: dict[Function, Any] = {}
    starts = []
    for root, grad in zip(roots, seeds, strict=True):
        grad_array = _seed(root, grad)
        if root.grad_fn is None:  # a leaf: d(root)/d(root) = 1
            deliver(root, grad_array)
            continue
        fn0 = root.grad_fn
        grads[fn0] = grads[fn0] + grad_array if fn0 in grads else grad_array
        starts.append(fn0)
    if not starts:
        return

    for fn in _topological_order(starts):
        gy = grads.pop(fn)
        if seen is not None:
            seen(fn, gy)
        for saved in fn.saved:  # an array this backward reads was changed in place since
            saved.check(repr(fn)[1:-1])
        gxs = fn.backward(gy)
        if not isinstance(gxs, tuple):
            gxs = (gxs,)
        # needs_input_grad was fixed when fn ran: flags toggled since change nothing here.
        edges = zip(fn.inputs, fn.input_grad_fns, fn.needs_input_grad, gxs, strict=False)
        for t, producer, needed, g in edges:
            if g is None or not needed:  # an optional input (bias) may be absent: zip stops
                continue
            check_grad_shape(fn, t, g)
            if g.dtype != t.array.dtype:  # float32 w * float64 x: w.grad is float32, as PyTorch
                g = get_array_module(g).astype(g, t.array.dtype)
            if producer is None:
                if t.requires_grad:  # a leaf frozen since keeps no gradient (AccumulateGrad)
                    deliver(t, g)
            elif producer in grads:
                grads[producer] = grads[producer] + g  # a tensor used twice: sum the paths
            else:
                grads[producer] = g
        if not retain_graph:
            fn.free()


def _seed(root: Tensor, grad: Any) -> Any:
    """dL/dL: ones for a scalar root, else the ``grad`` given for it (checked)."""
    if not root.requires_grad:
        raise GradError(
            "backward() on a tensor that does not require grad: no input of the computation "
            "had requires_grad=True (or it ran under mg.no_grad())"
        )
    if grad is None:
        if root.numel() != 1:
            raise GradError(
                f"backward() without a gradient needs a scalar output; this one has shape "
                f"{root.shape}. Reduce it first (e.g. loss.sum() or loss.mean()), or pass "
                "backward(grad) with a gradient of that shape"
            )
        return get_array_module(root.array).ones_like(root.array)
    grad_array = grad.array if _is_tensor(grad) else grad
    if tuple(grad_array.shape) != root.shape:
        raise GradError(
            f"backward(grad): grad has shape {tuple(grad_array.shape)}, output has {root.shape}"
        )
    return grad_array


def _accumulate(leaf: Tensor, g: Any) -> None:
    """Leaves add up gradients across backward calls until zero_grad(), as in PyTorch."""
    if leaf.grad is None:
        leaf.grad = type(leaf).wrap(g)
    else:
        leaf.grad.array = leaf.grad.array + g  # new array: g may be shared with other nodes


def check_grad_shape(fn: Function, t: Tensor, g: Any) -> None:
    """A backward that returns a gradient of the wrong shape is a bug in that Function."""
    if tuple(g.shape) != tuple(t.array.shape):
        raise GradError(
            f"{type(fn).__name__}.backward returned a gradient of shape {tuple(g.shape)} "
            f"for an input of shape {tuple(t.array.shape)}"
        )


def _is_tensor(x: Any) -> bool:
    """A tensor rather than a sequence of them (or a raw array)."""
    return hasattr(x, "grad_fn") and hasattr(x, "array")


def _topological_order(roots: list[Function]) -> list[Function]:
    """Functions ordered so each comes before every Function that produced its inputs."""
    order: list[Function] = []
    visited: set[int] = set()
    stack: list[tuple[Function, bool]] = [(root, False) for root in reversed(roots)]
    while stack:  # iterative depth-first search: deep graphs must not hit the recursion limit
        fn, children_done = stack.pop()
        if children_done:
            order.append(fn)
            continue
        if id(fn) in visited:
            continue
        if fn.inputs is None:
            raise GradError(
                "trying to backward through the graph a second time: its saved values were "
                "freed by the first backward(). Use backward(retain_graph=True) the first "
                "time, or compute the output again"
            )
        visited.add(id(fn))
        stack.append((fn, True))
        for producer in fn.input_grad_fns:
            if producer is not None and id(producer) not in visited:
                stack.append((producer, False))
    order.reverse()
    return order
