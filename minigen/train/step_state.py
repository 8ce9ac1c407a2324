"""What a training step must keep for a resumed run: its optimizers and its step counter.

Each recipe (ae_step.py, vae_step.py, gan_step.py, classifier_step.py) makes its optimizers
and calls their ``zero_grad()``/``backward()``/``step()`` itself, in the open; only the saving
and loading of that state, the same for all, lives here. The checkpoint's ``trainer`` entry is
this ``state_dict()``: each optimizer's state under its attribute name, then ``steps``
(docs/checkpoints.md).
"""

from __future__ import annotations

from typing import Any, ClassVar


class StepState:
    """Base of the training steps: ``state_dict``/``load_state_dict`` of the optimizers named in
    ``OPTIMIZERS`` (attributes of the step) and of the counter ``self.steps``."""

    #: The attributes holding the step's optimizers, in the order the state lists them.
    OPTIMIZERS: ClassVar[tuple[str, ...]] = ("optimizer",)
    steps: int

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {name: getattr(self, name).state_dict() for name in self.OPTIMIZERS}
        state["steps"] = self.steps
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name in self.OPTIMIZERS:
            getattr(self, name).load_state_dict(state[name])
        self.steps = int(state["steps"])
