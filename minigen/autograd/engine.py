"""``backward()``: walk the graph from the output to the leaves in reverse topological order.

Each Function's ``backward`` turns the gradient of its output into gradients of its inputs
(the chain rule, one link at a time). A tensor used twice receives the sum of both gradients.
After the walk the graph is freed, so its saved arrays can go; ``retain_graph=True`` keeps it.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.function import Function, check_grad_shape
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module
from minigen.errors import GradError


def run_backward(root: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
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
        grad_array = get_array_module(root.array).ones_like(root.array)
    else:
        grad_array = grad.array if isinstance(grad, Tensor) else grad
        if tuple(grad_array.shape) != root.shape:
            raise GradError(
                f"backward(grad): grad has shape {tuple(grad_array.shape)}, output has {root.shape}"
            )

    if root.grad_fn is None:  # a leaf: d(root)/d(root) = 1
        _accumulate(root, grad_array)
        return

    grads: dict[Function, Any] = {root.grad_fn: grad_array}
    for fn in _topological_order(root.grad_fn):
        gy = grads.pop(fn)
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
                    _accumulate(t, g)
            elif producer in grads:
                grads[producer] = grads[producer] + g  # a tensor used twice: sum the paths
            else:
                grads[producer] = g
        if not retain_graph:
            fn.free()


def _accumulate(leaf: Tensor, g: Any) -> None:
    """Leaves add up gradients across backward calls until zero_grad(), as in PyTorch."""
    if leaf.grad is None:
        leaf.grad = Tensor.wrap(g)
    else:
        leaf.grad.array = leaf.grad.array + g  # new array: g may be shared with other nodes


def _topological_order(root: Function) -> list[Function]:
    """Functions ordered so each comes before every Function that produced its inputs."""
    order: list[Function] = []
    visited: set[int] = set()
    stack: list[tuple[Function, bool]] = [(root, False)]
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
