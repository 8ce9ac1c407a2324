"""In-place operations: ``x.add_(y)``, ``x += y``, ``x[0] = 5``, ``x.zero_()``, ... as PyTorch has them.

One rule serves them all (``inplace``): compute the out-of-place result with the ordinary
Function (``Add`` for ``add_``), write it into the tensor's own memory, and count one more
version. So the tensor keeps its identity: the module and the optimizer that hold a parameter
see the change, and so do its views and ``.data``.

PyTorch's rules about autograd, each checked here:

- A leaf that requires grad (a parameter) may be changed in place only under ``no_grad``: an
  in-place change while recording would lose the value the gradient is taken at.
- Otherwise, when recording and anything involved requires grad, the write enters the graph:
  the tensor's ``grad_fn`` becomes the new Function, whose input is the tensor's old value. If
  that Function's backward needs the old value (``x.mul_(y)`` needs x for y's gradient), it
  keeps a copy, as PyTorch keeps ``original_self``.
- A view (``x[0]``, ``x.reshape(...)``) changed while recording changes its base too, so the
  base's history must change: ``x[0].mul_(3)`` becomes ``x[0] = x[0] * 3`` on the base. PyTorch
  does this for every kind of view; minigen for views made by indexing the base directly, and
  refuses the rest (views of views, reshape, permute, expand) with a clear error.
- The version counter catches the rest: a backward that needs a value changed since the
  forward saw it stops with PyTorch's error (see autograd/version.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minigen.autograd.grad_mode import is_grad_enabled, no_grad
from minigen.autograd.tensor import Tensor
from minigen.backend import random as _random
from minigen.backend.array_module import get_array_module
from minigen.backend.transfer import as_array_like
from minigen.errors import DeviceMismatchError, GradError, ShapeError
from minigen.functions.assign import Assign, SetItem
from minigen.functions.indexing import GetItem, index_key


def inplace(target: Tensor, name: str, compute: Callable[[Tensor], Tensor], *operands: Any) -> Tensor:
    """Apply ``compute`` (an out-of-place operation) to ``target`` and store the result in it."""
    recording = is_grad_enabled() and (
        target.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in operands)
    )
    if not recording:
        with no_grad():
            result = compute(target)
        _write(target, result.array, name)
        return target
    if target.requires_grad and target.grad_fn is None:
        raise GradError(
            f"a leaf Variable that requires grad is being used in an in-place operation ({name}). "
            "Change a parameter inside `with mg.no_grad():`, as an optimizer does"
        )
    if target._base is not None:
        return _inplace_on_view(target, name, compute)
    before = _alias(target)
    result = compute(before)
    _keep_original(result.grad_fn, before)
    _write(target, result.array, name)
    target.grad_fn = result.grad_fn
    target.requires_grad = True
    return target


def _inplace_on_view(target: Tensor, name: str, compute: Callable[[Tensor], Tensor]) -> Tensor:
    """``x[0].mul_(3)`` while recording: the write goes into the base's history as
    ``x[0] = x[0] * 3`` (a SetItem), and the view becomes ``x[0]`` of the new x."""
    fn, base = target.grad_fn, target._base
    if base.requires_grad and base.grad_fn is None:
        raise GradError(
            f"a view of a leaf Variable that requires grad is being used in an in-place operation "
            f"({name}). Change a parameter inside `with mg.no_grad():`"
        )
    if not (isinstance(fn, GetItem) and fn.inputs is not None and fn.inputs[0] is base):
        raise GradError(
            f"{name} on a view while recording a graph: minigen rewrites the base's history "
            "only for a view made by indexing the base directly (x[0].mul_(2)); for views of "
            "views, reshape, permute or expand, write on the base (x[i] = ...), on a .clone(), "
            "or under mg.no_grad()"
        )
    before = _alias(target)
    result = compute(before)
    _keep_original(result.grad_fn, before)
    setitem(base, fn.key, result)
    fresh = GetItem.apply(base, key=fn.key)  # the view, read again from the new base
    target.grad_fn, target.requires_grad = fresh.grad_fn, True
    return target


def setitem(target: Tensor, key: Any, value: Any) -> None:
    """``target[key] = value``: written straight into memory unless the write is recorded."""
    array_key = index_key(target, key)
    if isinstance(value, Tensor) and value.device != target.device:
        raise DeviceMismatchError(
            f"x[key] = value: value is on {value.device}, x on {target.device}; move it with .to()"
        )
    recording = is_grad_enabled() and (target.requires_grad or (isinstance(value, Tensor) and value.requires_grad))
    if recording:
        inplace(target, "x[key] = value", lambda t: SetItem.apply(t, value, key=array_key), value)
        return
    values = value.array if isinstance(value, Tensor) else as_array_like(value, target.array)
    xp = get_array_module(target.array)
    _check_cast(target.array.dtype, values.dtype, xp, "x[key] = value")
    try:
        target.array[array_key] = xp.astype(values, target.array.dtype)
    except ValueError as error:
        shape = tuple(values.shape)
        raise ShapeError(f"x[key] = value: cannot write a value of shape {shape} there: {error}") from None
    target._version_counter.bump()


def assign(target: Tensor, src: Any) -> Tensor:
    """The out-of-place half of ``copy_``: ``src`` broadcast to ``target``'s shape and dtype."""
    if isinstance(src, Tensor) and src.device != target.device:
        src = src.to(target.device)  # copy_ may cross devices, as in PyTorch: one explicit copy
    return Assign.apply(target, src)


def fill_value(target: Tensor, value: Any) -> Tensor:
    """A 0-d tensor holding ``value`` in ``target``'s dtype (``fill_(1.7)`` on ints writes 1)."""
    xp = get_array_module(target.array)
    if target.dtype.is_floating_point:
        value = float(value)
    else:
        value = bool(value) if target.dtype.name == "bool" else int(value)
    return Tensor.wrap(xp.asarray(value, dtype=target.array.dtype, device=target.array.device))


def random_like(target: Tensor, kind: str) -> Tensor:
    """Draws of ``kind`` ("normal": N(0, 1), "uniform": U[0, 1)) from minigen's generator."""
    if not target.dtype.is_floating_point:
        raise TypeError(f"{kind}_ needs a floating-point tensor, not {target.dtype}")
    draw = _random.standard_normal if kind == "normal" else _random.uniform
    return Tensor.wrap(draw(target.shape, target.dtype, target.device))


def _alias(t: Tensor) -> Tensor:
    """Another Tensor standing for ``t`` as it is now: its memory, version and graph.

    Its array is a new view object (``t.array[...]``) on the same memory, so ``_keep_original``
    can tell, by identity, the old value used as ``self`` from ``t`` passed as another operand
    (``x.mul_(x)``), which PyTorch does not copy and so refuses to differentiate.
    """
    before = Tensor.wrap(t.array[...])
    before._version_counter = t._version_counter
    before.grad_fn, before.requires_grad = t.grad_fn, t.requires_grad
    return before


def _keep_original(fn: Any, before: Tensor) -> None:
    """If ``fn`` kept ``before``'s memory for its backward, let it keep a copy instead, since
    that memory is about to be overwritten."""
    if fn is None:
        return
    names = [name for name, value in fn.__dict__.items() if value is before.array]
    if not names:
        return
    copy = get_array_module(before.array).asarray(before.array, copy=True)
    for name in names:
        setattr(fn, name, copy)
    copied = {f"input {i}" for i, t in enumerate(fn.inputs) if t is before}
    fn.saved = [s for s in fn.saved if s.what not in copied]


def _write(target: Tensor, values: Any, name: str) -> None:
    xp = get_array_module(target.array)
    _check_cast(target.array.dtype, values.dtype, xp, name)
    if tuple(values.shape) != target.shape:
        raise ShapeError(
            f"{name}: output with shape {target.shape} doesn't match the broadcast shape "
            f"{tuple(values.shape)}"
        )
    try:
        target.array[...] = xp.astype(values, target.array.dtype)
    except ValueError as error:  # e.g. a read-only NumPy view, such as expand()'s
        raise GradError(f"{name}: this tensor's memory cannot be written in place ({error}); "
                        "write on a .clone()") from None
    target._version_counter.bump()


def _check_cast(to: Any, frm: Any, xp: Any, name: str) -> None:
    """PyTorch's rule: an in-place result may narrow within its kind, never float -> int -> bool."""
    rank = {"bool": 0, "integral": 1, "real floating": 2}

    def kind(dtype: Any) -> int:
        return max(r for k, r in rank.items() if xp.isdtype(dtype, k))

    if kind(frm) > kind(to):
        raise TypeError(
            f"{name}: result type {_name(frm)} can't be cast to the desired output type {_name(to)}"
        )


def _name(dtype: Any) -> str:
    return str(dtype).rsplit(".", 1)[-1]
