"""``Optimizer``: the base class of ``SGD`` and ``Adam``, with PyTorch's param groups and state.

An optimizer holds ``param_groups`` (a list of dicts: ``"params"`` plus hyperparameters such as
``"lr"``, which a schedule may change between steps) and ``state`` (a dict from each parameter
to its own buffers, e.g. Adam's moments). ``step()`` walks every parameter that has a gradient
and calls the subclass's ``_update``, which writes the new values into ``p.array`` in place.

On a GPU, an optimizer with a fused update (``Adam``, ``SGD``) keeps each group's parameters
in one flat array (minigen/optim/flat.py) and updates them all with one run of its formula: a
handful of array operations per step instead of a dozen per parameter tensor. On the CPU, and
for groups where some parameter has no gradient or whose state does not line up, the same
formula runs once per parameter (as PyTorch's default: ``foreach`` on GPUs only).

``state_dict()`` uses PyTorch's layout, with parameters replaced by their position in the
groups (0, 1, 2, ... in group order), so it can be saved and loaded into a fresh optimizer
built over a fresh model with the same parameter order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from minigen.autograd.grad_mode import enable_grad, no_grad
from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import device_of_array, get_array_module
from minigen.backend.transfer import move_array
from minigen.nn.parameter import clear_grads
from minigen.optim.flat import FlatGroup

ParamsLike = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class: keeps ``param_groups`` and per-parameter ``state``; subclasses add ``_update``
    (one parameter) and, for a fused step, ``_fused_update`` (a whole group at once).

    ``params`` is an iterable of tensors (one group) or of dicts, each with ``"params"`` and
    any hyperparameters that differ from ``defaults`` for that group, as in PyTorch.
    """

    #: Whether the subclass has ``_fused_update``: its groups then live in flat arrays.
    fused: bool = False

    def __init__(self, params: ParamsLike, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._flat: dict[int, FlatGroup] = {}  # group position -> its flat arrays
        if isinstance(params, Tensor):
            raise TypeError(
                "params should be an iterable of tensors or of dicts, but got one tensor: "
                "pass [tensor] or model.parameters()"
            )
        groups = list(params)  # a generator such as model.parameters() can be read only once
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    # -- groups -----------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters (e.g. a layer to fine-tune) with its own hyperparameters."""
        if not isinstance(param_group, dict):
            raise TypeError(f"a param group is a dict with a 'params' entry, not {param_group!r}")
        group = dict(param_group)
        params = group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            # A set's order changes from run to run, and state_dict() numbers params by order.
            raise TypeError("optimizer parameters must be in an ordered collection, not a set")
        group["params"] = list(params) if params is not None else []
        for p in group["params"]:
            _check_param(p)
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_group(group)

        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in group["params"]]
        if len(set(ids)) != len(ids) or seen.intersection(ids):
            raise ValueError("some parameters appear more than once (in one group or in two)")
        self.param_groups.append(group)
        if self.fused and group["params"] and FlatGroup.fits(group["params"]):
            self._flat[len(self.param_groups) - 1] = FlatGroup(group["params"])

    def _check_group(self, group: dict[str, Any]) -> None:
        """Subclasses reject impossible hyperparameters here (a negative lr, betas >= 1, ...)."""

    # -- gradients and steps ---------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients before the next backward (they add up otherwise).

        ``set_to_none=True`` (PyTorch's default) frees them: ``p.grad`` becomes None, and
        ``step()`` skips such parameters. ``False`` fills them with zeros instead.
        """
        for group in self.param_groups:
            clear_grads(group["params"], set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given.

        The update runs under ``no_grad`` and writes into ``p.array`` in place, so the parameter
        keeps its identity, dtype and device (modules and other optimizers still hold it). Each
        write counts as a new version of ``p``: a graph built before the step that needs the
        old weights refuses to backward, as in PyTorch (compute the loss again after a step).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for i, group in enumerate(self.param_groups):
                params = [p for p in group["params"] if p.grad is not None]
                for p in params:
                    _check_grad(p, p.grad.array)
                flat = self._flat_group(i, group, params)
                if flat is not None:
                    self._fused_update(flat, group)
                else:
                    for p in params:
                        self._update(p, p.grad.array, self.state.setdefault(p, {}), group)
                for p in params:
                    p._version_counter.bump()  # an in-place write, as PyTorch counts it
        return loss

    def _flat_group(self, i: int, group: dict[str, Any], params: list[Tensor]) -> FlatGroup | None:
        """Group ``i``'s flat arrays when one fused update can step it, else None.

        It can when every parameter of the group has a gradient and the subclass accepts the
        states (``_can_fuse``). A parameter whose array was rebound since (``Module.to``,
        ``load_state_dict``) is copied back in with the rest: the group is flattened again.
        """
        if not self.fused or not params or len(params) != len(group["params"]):
            return None
        flat = self._flat.get(i)
        if flat is None or not flat.holds(params):
            if not FlatGroup.fits(params):
                return None
            flat = self._flat[i] = FlatGroup(params)
        if not self._can_fuse([self.state.get(p, {}) for p in params]):
            return None
        return flat

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Subclasses: change ``p.array`` in place from ``grad`` (an array), state and group."""
        raise NotImplementedError

    def _can_fuse(self, states: list[dict[str, Any]]) -> bool:
        """Fused subclasses: whether these per-parameter states can be stepped as one."""
        return False

    def _fused_update(self, flat: FlatGroup, group: dict[str, Any]) -> None:
        """Fused subclasses: ``_update``'s formula once on the group's flat arrays."""
        raise NotImplementedError

    # -- saving and resuming ---------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{hyperparameters, "params": [indices]}]}``.

        As in PyTorch, the state tensors are the optimizer's own (not copies): ``mg.save`` it
        right away, or ``copy.deepcopy`` it to keep a snapshot while training goes on.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: dict(self.state[p])
            for group in self.param_groups
            for p in group["params"]
            if self.state.get(p)
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by ``state_dict()`` (possibly via mg.load).

        The optimizer must have been built over the same number of groups and parameters, in
        the same order. State arrays are copied onto each parameter's device and dtype (a
        checkpoint from a GPU resumes on the CPU), so training continues exactly.
        """
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                "an optimizer state_dict is a dict with exactly 'state' and 'param_groups'"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state_dict has {len(saved_groups)} parameter group(s), "
                f"this optimizer has {len(self.param_groups)}"
            )
        params_by_index: dict[int, Tensor] = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"parameter group {i} of the loaded state_dict has {len(saved['params'])} "
                    f"parameter(s), this optimizer's has {len(group['params'])}"
                )
            params_by_index.update(zip(saved["params"], group["params"], strict=True))

        state: dict[Tensor, dict[str, Any]] = {}
        for key, values in state_dict["state"].items():
            if key not in params_by_index:
                raise ValueError(
                    f"loaded state_dict has state for parameter {key!r}, which no group lists"
                )
            p = params_by_index[key]
            state[p] = {name: _restore(value, p, key, name) for name, value in values.items()}

        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            restored = {key: value for key, value in saved.items() if key != "params"}
            if isinstance(restored.get("betas"), list):  # a JSON-ish round trip may give a list
                restored["betas"] = tuple(restored["betas"])
            restored["params"] = group["params"]
            self._check_group(restored)
            new_groups.append(restored)
        self.param_groups = new_groups
        self.state = state


def _check_param(p: Any) -> None:
    if not isinstance(p, Tensor):
        raise TypeError(f"optimizer can only optimize tensors, not {type(p).__name__}")
    if not p.is_leaf:
        raise ValueError("can't optimize a non-leaf tensor (one computed from others); use a leaf")
    if not p.dtype.is_floating_point:
        raise TypeError(f"optimizer parameters must be floating point, not {p.dtype}")


def _check_grad(p: Tensor, grad: Any) -> None:
    # A float64 grad on a float32 parameter would upcast the update (or fail on a GPU).
    if tuple(grad.shape) != p.shape or grad.dtype != p.array.dtype:
        raise ValueError(
            f"gradient of shape {tuple(grad.shape)} and dtype {grad.dtype} does not match its "
            f"parameter's shape {p.shape} and dtype {p.dtype}"
        )


def _restore(value: Any, p: Tensor, key: int, name: str) -> Any:
    """One state entry of parameter ``p``: counts as ints, arrays as new tensors like ``p``."""
    if name == "step":
        return int(value.item() if isinstance(value, Tensor) else value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    array = value.array if isinstance(value, Tensor) else value
    if tuple(array.shape) != p.shape:
        raise ValueError(
            f"loaded state {name!r} of parameter {key} has shape {tuple(array.shape)}, "
            f"but the parameter has shape {p.shape}"
        )
    # A copy on p's device with p's dtype: the optimizer then owns it and updates it in place.
    array = move_array(array, p.device) if device_of_array(array) != p.device else array
    xp = get_array_module(array)
    return Tensor.wrap(xp.asarray(xp.astype(array, p.array.dtype), copy=True))
