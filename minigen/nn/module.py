"""``Module``: the base class of layers and models, as in PyTorch.

A Module owns Parameters (trained), buffers (state that is saved but not trained, such as
BatchNorm's running statistics) and child Modules, each registered by assigning it to an
attribute in ``__init__``:

    class MLP(Module):
        def __init__(self):
            super().__init__()
            self.fc1 = Linear(784, 400)     # a child module: its parameters become fc1.weight, ...
            self.fc2 = Linear(400, 10)

        def forward(self, x):
            return self.fc2(relu(self.fc1(x)))

``model(x)`` calls ``forward``. ``state_dict()`` names every parameter and buffer by its path
(``fc1.weight``, ``net.1.bias``), the names PyTorch uses, so weights move between the two.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.device import Device, as_device
from minigen.backend.transfer import move_array
from minigen.creation import tensor
from minigen.dtypes import DType, as_dtype, dtype_from_native
from minigen.errors import MinigenError
from minigen.nn.parameter import Parameter, clear_grads


class StateDictError(MinigenError, RuntimeError):
    """``load_state_dict`` found missing, unexpected or mis-shaped entries (all listed)."""


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped, as PyTorch returns it."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of every layer and model (see the module docstring)."""

    training: bool

    def __init__(self) -> None:
        # Plain object.__setattr__: our own __setattr__ needs these dicts to exist first.
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # -- what forward computes ------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # -- registration by attribute assignment -----------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, (Parameter, Module)) and params is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} {name!r} before Module.__init__() call "
                "(call super().__init__() first)"
            )
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name)
            self._modules[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter {name!r} "
                    "(a Parameter or None is expected)"
                )
            params[name] = None
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r}")
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r}")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Called only when ordinary lookup fails: parameters, buffers and children live in dicts.
        for store in ("_parameters", "_buffers", "_modules"):
            values = self.__dict__.get(store)
            if values is not None and name in values:
                return values[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if not self._forget(name):
            object.__delattr__(self, name)

    def _forget(self, name: str) -> bool:
        found = False
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                found = True
        self._non_persistent.discard(name)
        if name in self.__dict__:
            object.__delattr__(self, name)
        return found

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (None registers the name with no parameter, e.g. ``bias=False``)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} as parameter {name!r}")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state moved by ``to()`` and saved by ``state_dict()`` (when
        persistent) but not returned by ``parameters()``, so no optimizer updates it."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign {type(tensor).__name__} as buffer {name!r} (a Tensor or None)"
            )
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what attribute assignment does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {type(name).__name__}")
        if "." in name or not name:
            # Dotted paths are how state_dict names nested entries: a dot in a name is ambiguous.
            raise KeyError(f"module name can't contain \".\" or be empty, got: {name!r}")
        self._forget(name)
        self._modules[name] = module

    def register_module(self, name: str, module: Module | None) -> None:
        """PyTorch's other name for :meth:`add_module`."""
        self.add_module(name, module)

    # -- walking the tree -----------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct children with their attribute names, each module once (PyTorch's rule:
        a child registered under two names is listed under the first)."""
        memo: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first in registration order, with dotted
        paths ('' for self). A module reachable twice is listed once unless
        ``remove_duplicate=False``, as in PyTorch."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                path = f"{prefix}.{name}" if prefix else name
                yield from module.named_modules(memo, path, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def _named(self, store: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        modules = self.named_modules() if recurse else iter([("", self)])
        for path, module in modules:
            for name, t in getattr(module, store).items():
                if t is None or id(t) in seen:  # a parameter shared by two layers counts once
                    continue
                seen.add(id(t))
                yield (f"{path}.{name}" if path else name), t

    def named_parameters(self, recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        yield from self._named("_parameters", recurse)  # type: ignore[misc]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse):
            yield p

    def named_buffers(self, recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named("_buffers", recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse):
            yield b

    def num_parameters(self, trainable_only: bool = False) -> int:
        """How many numbers the parameters hold (only those requiring grad, if asked)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable_only)

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every descendant (children first, depth first), then on self; returns
        self. The usual custom initialisation: ``model.apply(init_weights)``."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # -- modes and gradients --------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (batch statistics, dropout on) for self and every descendant."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be a bool")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: BatchNorm uses running statistics, Dropout is the identity."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the parameters' gradients (set to None, PyTorch's default, or to zeros)."""
        clear_grads(self.parameters(), set_to_none)

    # -- devices and dtypes ---------------------------------------------------------------
    def to(self, *args: Any, device: Any = None, dtype: Any = None) -> Module:
        """Move and/or cast every parameter and buffer in place; returns self.

        ``model.to("cuda")``, ``model.to(mg.float64)``, ``model.to(device="strict")``. The
        Parameter objects stay the same (their ``.array`` is replaced), so an optimizer built on
        ``model.parameters()`` keeps working. Only floating-point tensors change dtype
        (``num_batches_tracked`` stays int64).
        """
        for arg in args:
            names_dtype = isinstance(arg, str) and arg.startswith(("float", "int", "uint", "bool"))
            if isinstance(arg, DType) or names_dtype:
                dtype = arg
            else:
                device = arg
        target_dtype = None if dtype is None else as_dtype(dtype)
        if target_dtype is not None and not target_dtype.is_floating_point:
            raise TypeError(f"Module.to only accepts floating point dtypes, got {target_dtype}")
        target_device = None if device is None else as_device(device)
        if target_device is not None:
            _ = target_device.xp  # fail now, with the clear CUDA error, before touching anything
        for t in [*self.parameters(), *self.buffers()]:
            t.array = _converted(t.array, target_dtype, target_device)
            if t.grad is not None:
                t.grad.array = _converted(t.grad.array, target_dtype, target_device)
        return self

    def double(self) -> Module:
        return self.to(dtype="float64")

    def float(self) -> Module:
        return self.to(dtype="float32")

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Module:
        return self.to(f"cuda:{index}")

    # -- saving and loading ---------------------------------------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in registration order.

        The values are detached Tensors sharing memory with the parameters (``keep_vars=True``:
        the Parameters themselves). A module's own entries come before its children's, as in
        PyTorch: ``weight``, ``bias``, ``running_mean``, ``0.weight``, ``net.1.bias``.
        """
        out: OrderedDict[str, Tensor] = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b if keep_vars else b.detach()
        for name, child in self.named_children():
            out.update(child.state_dict(prefix=f"{prefix}{name}.", keep_vars=keep_vars))
        return out

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors or NumPy arrays) into the parameters and buffers by name.

        Every name and shape is checked first; any problem raises one StateDictError listing
        all missing names, unexpected names and mis-shaped entries (with both shapes), and
        nothing is changed. ``strict=False`` tolerates missing and unexpected names (returned)
        but never a shape mismatch. Values are copied onto each parameter's current device and
        dtype; the Parameter objects stay the same.

        ``state_dict`` may also be the path of a ``.safetensors`` file (one that PyTorch's
        ``safetensors.torch.save_file(model.state_dict(), path)`` or ``minigen export``
        wrote): minigen's extension, so weights trained in either library load in the other.
        """
        if isinstance(state_dict, (str, os.PathLike)):
            from minigen.safetensors_file import load_safetensors

            state_dict = load_safetensors(state_dict)
        own = self.state_dict(keep_vars=True)
        values = {k: _as_tensor(v) for k, v in state_dict.items()}
        missing = [k for k in own if k not in values]
        unexpected = [k for k in values if k not in own]
        mismatched = [
            k for k in own if k in values and tuple(values[k].shape) != tuple(own[k].shape)
        ]
        if mismatched or (strict and (missing or unexpected)):
            report = self._load_report(own, values, missing, unexpected, mismatched, strict)
            raise StateDictError(report)
        for name, target in own.items():
            if name in values:
                target.array = _copy_onto(values[name], target)
        return IncompatibleKeys(missing, unexpected)

    def _load_report(
        self, own: dict[str, Tensor], values: dict[str, Tensor], missing: list[str],
        unexpected: list[str], mismatched: list[str], strict: bool,
    ) -> str:
        owners = {f"{path}.{n}" if path else n: m for path, m in self.named_modules()
                  for n in [*m._parameters, *m._buffers]}
        lines = [f"Error(s) in loading state_dict for {type(self).__name__}:"]
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

    # -- printing -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The layer's settings for ``repr`` (e.g. ``in_features=784, out_features=400``)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        children = [f"({name}): {_indent(repr(m))}" for name, m in self._modules.items()]
        if not children:
            return f"{type(self).__name__}({extra})"
        body = "\n  ".join(([extra] if extra else []) + children)
        return f"{type(self).__name__}(\n  {body}\n)"


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")


def _one_line(module: Module) -> str:
    return f"{type(module).__name__}({module.extra_repr()})"


def _converted(data: Any, dtype: DType | None, device: Device | None) -> Any:
    """``data`` cast to ``dtype`` (floating-point data only) and moved to ``device``."""
    xp = get_array_module(data)
    floating = dtype_from_native(data.dtype).is_floating_point
    if dtype is not None and floating and dtype_from_native(data.dtype) != dtype:
        data = xp.astype(data, dtype.native(xp))
    if device is not None and device_of_array(data) != device:
        data = move_array(data, device)
    return data


def _as_tensor(value: Any) -> Tensor:
    """A state_dict value (Tensor, NumPy/CuPy array, number) as a Tensor."""
    return value if isinstance(value, Tensor) else tensor(value)


def _copy_onto(value: Tensor, target: Tensor) -> Any:
    """A copy of ``value``'s data with ``target``'s dtype, on ``target``'s device."""
    return tensor(value, dtype=target.dtype, device=target.device).array
