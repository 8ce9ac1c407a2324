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

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.nn.module_to import move_tensors
from minigen.nn.parameter import Parameter, clear_grads
from minigen.nn.state_dict import IncompatibleKeys, StateDictError, collect_state, load_state

__all__ = ["IncompatibleKeys", "Module", "StateDictError"]


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
        """Move and/or cast every parameter and buffer in place; returns self: ``model.to("cuda")``,
        ``model.to(mg.float64)``, ``model.to(device="strict")``. The Parameter objects stay the
        same (their ``.array`` is replaced), so an optimizer built on ``model.parameters()`` keeps
        working. Only floating-point tensors change dtype (``num_batches_tracked`` stays int64)."""
        move_tensors([*self.parameters(), *self.buffers()], args, device, dtype)
        return self

    def double(self) -> Module:
        return self.to(dtype="float64")

    def float(self) -> Module:
        return self.to(dtype="float32")

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, index: int = 0) -> Module:
        return self.to(f"cuda:{index}")

    # -- saving and loading (the work is in state_dict.py) -----------------------------------
    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in registration order: detached
        Tensors sharing memory with the parameters (``keep_vars=True``: the Parameters themselves).
        A module's own entries come before its children's, as in PyTorch: ``weight``, ``bias``,
        ``running_mean``, ``0.weight``, ``net.1.bias``."""
        return collect_state(self, prefix, keep_vars)

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
        return load_state(self, state_dict, strict)

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

