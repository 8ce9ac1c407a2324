"""Saving and loading a Module's state: what ``Module.state_dict`` and
``Module.load_state_dict`` do (PyTorch keeps the same helpers beside its Module class).

Names are dotted paths (``fc1.weight``, ``net.1.bias``), the names PyTorch uses, so weights
move between the two libraries.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, NamedTuple

from minigen.autograd.tensor import Tensor
from minigen.creation import tensor
from minigen.errors import MinigenError
from minigen.safetensors_file import load_safetensors

if TYPE_CHECKING:  # for annotations only: module.py imports this file
    from minigen.nn.module import Module


class StateDictError(MinigenError, RuntimeError):
    """``load_state_dict`` found missing, unexpected or mis-shaped entries (all listed)."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped, as PyTorch returns it."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def collect_state(module: Module, prefix: str, keep_vars: bool) -> OrderedDict[str, Tensor]:
    """``module.state_dict(prefix, keep_vars)``: its own entries, then its children's."""
    out: OrderedDict[str, Tensor] = OrderedDict()
    for name, p in module._parameters.items():
        if p is not None:
            out[prefix + name] = p if keep_vars else p.detach()
    for name, b in module._buffers.items():
        if b is not None and name not in module._non_persistent:
            out[prefix + name] = b if keep_vars else b.detach()
    for name, child in module.named_children():
        out.update(child.state_dict(prefix=f"{prefix}{name}.", keep_vars=keep_vars))
    return out


def load_state(module: Module, state_dict: Any, strict: bool) -> IncompatibleKeys:
    """``module.load_state_dict(state_dict, strict)``: check every name and shape, then copy."""
    if isinstance(state_dict, (str, os.PathLike)):
        state_dict = load_safetensors(state_dict)
    own = module.state_dict(keep_vars=True)
    values = {k: _as_tensor(v) for k, v in state_dict.items()}
    missing = [k for k in own if k not in values]
    unexpected = [k for k in values if k not in own]
    mismatched = [
        k for k in own if k in values and tuple(values[k].shape) != tuple(own[k].shape)
    ]
    if mismatched or (strict and (missing or unexpected)):
        report = _load_report(module, own, values, missing, unexpected, mismatched, strict)
        raise StateDictError(report)
    for name, target in own.items():
        if name in values:
            target.array = _copy_onto(values[name], target)
    return IncompatibleKeys(missing, unexpected)


def _load_report(
    module: Module, own: dict[str, Tensor], values: dict[str, Tensor], missing: list[str],
    unexpected: list[str], mismatched: list[str], strict: bool,
) -> str:
    owners = {f"{path}.{n}" if path else n: m for path, m in module.named_modules()
              for n in [*m._parameters, *m._buffers]}
    lines = [f"Error(s) in loading state_dict for {type(module).__name__}:"]
    if strict and missing:
        lines.append("  missing keys: " + ", ".join(repr(k) for k in missing))
    if strict and unexpected:
        lines.append("  unexpected keys: " + ", ".join(repr(k) for k in unexpected))
    for k in mismatched:
        lines.append(
            f"  size mismatch for {k!r} in {_one_line(owners[k])}: the state_dict has shape "
            f"{tuple(values[k].shape)}, the model has shape {tuple(own[k].shape)}"
        )
    return "\n".join(lines)


def _one_line(module: Module) -> str:
    return f"{type(module).__name__}({module.extra_repr()})"


def _as_tensor(value: Any) -> Tensor:
    """A state_dict value (Tensor, NumPy/CuPy array, number) as a Tensor."""
    return value if isinstance(value, Tensor) else tensor(value)


def _copy_onto(value: Tensor, target: Tensor) -> Any:
    """A copy of ``value``'s data with ``target``'s dtype, on ``target``'s device."""
    return tensor(value, dtype=target.dtype, device=target.device).array
