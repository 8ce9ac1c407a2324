"""One training iteration of a GAN (MLP, DCGAN or conditional), the textbook order:

1. draw noise z ~ N(0, I);
2. generate fakes G(z);
3. D scores the real batch and the fake batch (separately: batchnorm sees one kind at a time);
4. D's loss: real labelled 1, fake labelled 0 (binary cross-entropy on D's logits);
5. update D only (the fakes are detached, so no gradient reaches G);
6. score the fakes again with the updated D, frozen for this forward (no gradient for D's weights);
7. update G only, with the non-saturating loss: G wants D to say "real" (label 1).

Options for the lessons: one-sided label smoothing (real labelled 0.9), the original
saturating loss (G minimises log(1 - D(G(z))), whose gradient vanishes when D wins),
and k D-steps per G-step.
"""

from __future__ import annotations

from typing import Any

import minigen as mg
from minigen import nn
from minigen.nn import functional as F
from minigen.optim import Adam
from minigen.train.common import grad_norm, set_requires_grad
from minigen.train.step_state import StepState


class GANStep(StepState):
    """Train a GAN one real batch at a time: ``metrics = step(real, labels)``.

    Each call makes one D step; every ``d_steps``-th call also makes one G step (on the
    other calls the G metrics repeat the last G step's). Adam with lr 2e-4, betas
    (0.5, 0.999): the DCGAN paper's settings (a lower beta1 keeps the adversarial game from
    oscillating).
    """

    OPTIMIZERS = ("opt_d", "opt_g")

    def __init__(
        self,
        model: nn.Module,
        lr: float = 2e-4,
        betas: tuple[float, float] = (0.5, 0.999),
        label_smoothing: float = 0.0,
        saturating: bool = False,
        d_steps: int = 1,
    ) -> None:
        if d_steps < 1:
            raise ValueError(f"d_steps must be at least 1, not {d_steps}")
        self.model = model
        self.opt_d = Adam(model.discriminator.parameters(), lr=lr, betas=betas)
        self.opt_g = Adam(model.generator.parameters(), lr=lr, betas=betas)
        self.real_label = 1.0 - label_smoothing
        self.saturating = saturating
        self.d_steps = d_steps
        self.steps = 0
        self._last_g: dict[str, Any] = {}

    def __call__(self, real: mg.Tensor, labels: mg.Tensor | None = None) -> dict[str, Any]:
        model, batch, device = self.model, real.shape[0], real.device
        ones = mg.ones(batch, device=device)
        zeros = mg.zeros(batch, device=device)

        # 1. noise, 2. fakes.
        z = model.noise(batch, device)
        fake = model.generate(z, labels)

        # 3. D scores a real batch and a fake batch; detach() cuts the fakes from G.
        d_real = model.discriminate(real, labels)
        d_fake = model.discriminate(fake.detach(), labels)

        # 4. D's loss: real -> 1 (or 0.9 with label smoothing), fake -> 0.
        loss_d_real = F.binary_cross_entropy_with_logits(d_real, ones * self.real_label)
        loss_d_fake = F.binary_cross_entropy_with_logits(d_fake, zeros)
        loss_d = loss_d_real + loss_d_fake

        # 5. update D only.
        self.opt_d.zero_grad()
        loss_d.backward()
        norm_d = grad_norm(model.discriminator.parameters())
        self.opt_d.step()

        self.steps += 1
        if (self.steps - 1) % self.d_steps == 0:
            self._last_g = self._generator_step(fake, labels, ones, zeros)

        with mg.no_grad():  # D's verdicts as probabilities, for the progress bar
            p_real = mg.sigmoid(d_real.detach()).mean()
            p_fake = mg.sigmoid(d_fake.detach()).mean()
        return {
            "loss_d": loss_d.detach(), "loss_g": self._last_g["loss_g"],
            "d_real": p_real, "d_fake": p_fake,
            "grad_norm_d": norm_d, "grad_norm_g": self._last_g["grad_norm_g"],
        }

    def _generator_step(
        self, fake: mg.Tensor, labels: mg.Tensor | None, ones: mg.Tensor, zeros: mg.Tensor
    ) -> dict[str, Any]:
        model = self.model
        # 6. score the same fakes again with the updated D, frozen while this forward runs:
        #    the graph is built without edges to D's weights (requires_grad is read when an
        #    operation runs, as in PyTorch), so backward sends gradients through D into G but
        #    computes none for D's weights and leaves their .grad as it was. Unfreezing right
        #    after the forward changes nothing for this graph.
        set_requires_grad(model.discriminator, False)
        d_fake = model.discriminate(fake, labels)
        set_requires_grad(model.discriminator, True)

        # 7. G's loss and update.
        if self.saturating:
            # The original minimax loss: minimise log(1 - D(G(z))) = -BCE(D(G(z)), 0).
            # When D confidently rejects the fakes, this is flat: G's gradient vanishes.
            loss_g = -F.binary_cross_entropy_with_logits(d_fake, zeros)
        else:
            # Non-saturating: maximise log D(G(z)), i.e. BCE against the label "real".
            loss_g = F.binary_cross_entropy_with_logits(d_fake, ones)
        self.opt_g.zero_grad()
        loss_g.backward()
        norm_g = grad_norm(model.generator.parameters())
        self.opt_g.step()
        return {"loss_g": loss_g.detach(), "grad_norm_g": norm_g}

    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed run needs to continue bit for bit: both optimizers, the step
        counter and the last G metrics (repeated on the D-only steps of ``d_steps > 1``)."""
        state = super().state_dict()
        if self._last_g:
            state["last_g"] = dict(self._last_g)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        steps = state["steps"]
        if type(steps) is not int or steps < 0:
            raise ValueError(f"GANStep: 'steps' is {steps!r}, not a whole number")
        last_g = state.get("last_g") or {}
        if not isinstance(last_g, dict) or not all(
                isinstance(v, mg.Tensor) for v in last_g.values()):
            raise ValueError("GANStep: 'last_g' is not a dict of tensors")
        if steps % self.d_steps and set(last_g) != {"loss_g", "grad_norm_g"}:
            # The next call makes no G step and repeats the last G metrics: they must be here.
            raise ValueError(f"GANStep: the state is {steps} steps in, between G steps of "
                             f"d_steps={self.d_steps}, and lacks the last G metrics")
        super().load_state_dict(state)
        device = next(iter(self.model.generator.parameters())).device
        self._last_g = {key: value.to(device) for key, value in last_g.items()}
