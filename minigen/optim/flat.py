"""``FlatGroup``: a param group's parameters, and their state, as views into flat arrays.

A DCGAN has 18 parameter tensors; an elementwise update such as Adam's takes 13 array
operations, so updating them one by one launches 234 small kernels a step, and on a GPU each
launch costs the host 10-20 us whatever its size. PyTorch's answer is a "foreach" or fused
update over all the tensors at once. Here, with the same effect and plain array code: when an
optimizer is built, each group's parameters are copied into ONE flat array and each ``p.array``
becomes a reshaped view of its slice (the model keeps the same Parameter objects, and every
layer reads its weights through the view). Each per-parameter state array (Adam's moments)
lives in a flat array the same way. One step then gathers the gradients into one flat array
(one ``concat``) and runs the update formula once on the flat arrays: its writes land in every
parameter's view. The formula is the per-parameter one applied elementwise, so the values are
the same to the last bit.

This is what a GPU needs. On the CPU the loop over the parameters is faster: one small
parameter's arrays stay in the cache for all 13 passes of Adam, while the flat arrays of a
whole model do not (a flat Adam step measured 12-25% slower on the CPU for the models here).
So, as PyTorch's optimizers do by default (``foreach`` on GPUs, a for-loop on the CPU), the
flat arrays are used on GPUs and on the strict stand-in for one (``fused_on``), and CPU
parameters keep their own arrays and the per-parameter loop.

Whatever rebinds ``p.array`` (``Module.to``, ``load_state_dict``, a gradient check) leaves the
parameter outside the buffer; ``holds`` sees that and the optimizer flattens the group again.
On a GPU, then, a tensor that shared a parameter's old array (``p.data`` taken before the
optimizer was built, or the tensor a Parameter was made from) no longer shares it afterwards.
"""

from __future__ import annotations

from typing import Any

from minigen.autograd.tensor import Tensor
from minigen.backend.array_module import get_array_module


def fused_on(device: Any) -> bool:
    """Whether an update on ``device`` runs once over flat arrays (GPUs and the strict
    stand-in for one) rather than once per tensor (the CPU): see the module docstring."""
    return device.type != "cpu"


class FlatGroup:
    """Parameters (``params``) whose arrays are views of one flat array (``array``)."""

    def __init__(self, params: list[Tensor]) -> None:
        self.params = list(params)
        self.shapes = [tuple(p.array.shape) for p in self.params]
        self.ends: list[int] = []
        end = 0
        for p in self.params:
            end += p.numel()
            self.ends.append(end)
        self.array = self.flatten([p.array for p in self.params])  # a copy of the values
        self.views = self.split(self.array)
        for p, view in zip(self.params, self.views, strict=True):
            p.array = view
        #: Per state name: the flat array whose views are the parameters' state arrays, and
        #: those views.
        self.buffers: dict[str, tuple[Any, list[Any]]] = {}

    @staticmethod
    def fits(params: list[Tensor]) -> bool:
        """Whether ``params`` should share one flat array: one dtype, one device where updates
        are fused (``fused_on``), no repeats."""
        first, device = params[0].array, params[0].device
        return fused_on(device) and all(
            p.array.dtype == first.dtype and p.device == device for p in params
        ) and len({id(p) for p in params}) == len(params)

    def holds(self, params: list[Tensor]) -> bool:
        """Whether these are the group's parameters and each array is still its view."""
        return len(params) == len(self.params) and all(
            p is q and p.array is view
            for p, q, view in zip(params, self.params, self.views, strict=True)
        )

    def flatten(self, arrays: list[Any]) -> Any:
        """One new flat array holding ``arrays`` (shaped like the parameters) one after another."""
        return get_array_module(arrays[0]).concat(arrays, axis=None)

    def split(self, flat: Any) -> list[Any]:
        """Each parameter's slice of ``flat``, as a view of its shape."""
        xp = get_array_module(flat)
        starts = [0, *self.ends[:-1]]
        return [xp.reshape(flat[a:b], shape)
                for a, b, shape in zip(starts, self.ends, self.shapes, strict=True)]

    def gradient(self) -> Any:
        """Every parameter's gradient in one flat array (a new array), in the group's order."""
        return self.flatten([p.grad.array for p in self.params])

    def new_buffer(self, name: str, flat: Any, state: dict[Tensor, dict[str, Any]]) -> Any:
        """Make ``flat`` the group's ``name`` state: ``state[p][name]`` becomes a tensor
        viewing p's slice of it, for every parameter p."""
        views = self.split(flat)
        for p, view in zip(self.params, views, strict=True):
            state.setdefault(p, {})[name] = Tensor.wrap(view)
        self.buffers[name] = (flat, views)
        return flat

    def buffer(self, name: str, state: dict[Tensor, dict[str, Any]]) -> Any:
        """The flat array behind ``state[p][name]`` for every parameter p of the group.

        The first time (or after ``load_state_dict`` put new tensors there), the per-parameter
        arrays are copied into one flat array and each state tensor becomes a view of its
        slice; the tensors stay the same objects, so a ``state_dict()`` handed out earlier
        still shows the live values, as in PyTorch.
        """
        tensors = [state[p][name] for p in self.params]
        flat, views = self.buffers.get(name, (None, []))
        if flat is not None and all(t.array is v for t, v in zip(tensors, views, strict=True)):
            return flat
        flat = self.flatten([t.array for t in tensors])
        views = self.split(flat)
        for t, view in zip(tensors, views, strict=True):
            t.array = view
        self.buffers[name] = (flat, views)
        return flat
