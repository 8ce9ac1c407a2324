"""The issue-12 layers, losses and operations on the strict stand-in device give the CPU's
numbers, forward and backward (strict arrays refuse NumPy-only calls and host copies)."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
import minigen.functions as Fn
import minigen.nn as nn
import minigen.nn.functional as F

pytest.importorskip("array_api_strict")


class Classifier(nn.Module):
    """A small network through every new layer."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3, 1, 1)
        self.pool = nn.MaxPool2d(2)
        self.avg = nn.AvgPool2d(3, 1, 1, count_include_pad=False)
        self.up = nn.Upsample(scale_factor=1.5, mode="bilinear")
        self.near = nn.Upsample(size=(3, 5))
        self.head = nn.Sequential(nn.Flatten(), nn.Identity(), nn.Linear(3 * 3 * 5, 4))

    def forward(self, x):
        h = self.avg(self.pool(self.conv(x)))
        h = F.pad(self.up(h), (1, 0, 0, 1), mode="reflect") + F.pad(self.up(h), (0, 1, 1, 0), value=0.5)
        return self.head(self.near(h))


def step(model, device, x, target, probs):
    xt = mg.tensor(x, device=device, requires_grad=True)
    logits = model(xt)
    t = mg.tensor(target, device=device)
    loss = (
        nn.CrossEntropyLoss(mg.tensor([1.0, 2.0, 0.5, 1.0], device=device), label_smoothing=0.1)(logits, t)
        + F.cross_entropy(logits, mg.tensor(probs, device=device))
        + nn.NLLLoss()(nn.LogSoftmax(dim=1)(logits), t)
        + nn.L1Loss()(nn.Softmax(dim=1)(logits), F.one_hot(t.clamp(0, 3), 4).float())
        + nn.SmoothL1Loss(beta=0.5)(logits, mg.zeros_like(logits))
        + logits[mg.arange(5, device=device), t.clamp(0, 3)].sum()
        + Fn.gather(logits, 1, mg.tensor([[0], [1], [2], [3], [3]], device=device)).sum()
        + Fn.std(logits, 1).sum() + Fn.norm(logits, dim=0).sum() + Fn.norm(logits, float("inf"))
        + Fn.min(logits, 1).values.sum() + Fn.log1p(logits.abs()).sum() + Fn.expm1(logits * 0.1).sum()
        + Fn.repeat(logits, 2, 1).sum() * 0.1 + Fn.mm(logits, logits.T).sum() * 0.01
        + F.pad(logits, (2, 1), mode="circular").sum() + F.pad(logits, (1, 1), mode="replicate").mean()
    )
    loss.backward()
    return loss, xt.grad, {n: p.grad for n, p in model.named_parameters()}


def test_new_layers_and_losses_on_strict_match_the_cpu():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 1, 6, 8)).astype(np.float32)
    target = np.array([0, 3, -100, 1, 2])
    probs = rng.dirichlet(np.ones(4), size=5).astype(np.float32)
    cpu, strict = Classifier(), Classifier()
    strict.load_state_dict(cpu.state_dict())
    strict.to("strict")
    (loss_c, gx_c, grads_c), (loss_s, gx_s, grads_s) = (
        step(cpu, "cpu", x, target, probs), step(strict, "strict", x, target, probs))
    assert loss_s.device.type == "strict" and loss_s.dtype == mg.float32
    np.testing.assert_allclose(loss_s.numpy(), loss_c.numpy(), rtol=1e-5)
    np.testing.assert_allclose(gx_s.numpy(), gx_c.numpy(), rtol=1e-4, atol=1e-6)
    for name, g in grads_c.items():
        assert grads_s[name].device.type == "strict", name
        np.testing.assert_allclose(grads_s[name].numpy(), g.numpy(), rtol=1e-4, atol=1e-6, err_msg=name)


def test_max_pool_indices_and_one_hot_on_strict():
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 4)).astype(np.float32)
    _, ours = F.max_pool2d(mg.tensor(x, device="strict"), 3, 2, 1, return_indices=True)
    _, cpu = F.max_pool2d(mg.tensor(x), 3, 2, 1, return_indices=True)
    assert ours.device.type == "strict" and ours.dtype == mg.int64
    np.testing.assert_array_equal(ours.numpy(), cpu.numpy())
    assert F.one_hot(mg.tensor([2, 0], device="strict"), 3).numpy().tolist() == [[0, 0, 1], [1, 0, 0]]
