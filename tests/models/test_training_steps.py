"""Each model trains a few steps on the shipped MNIST sample and its loss falls."""

import numpy as np
import pytest

import minigen as mg
from minigen.autograd.tensor import Tensor
from minigen.models import AE, DCGAN, GAN, VAE, Classifier, ConditionalGAN, ConvVAE
from minigen.train import AEStep, ClassifierStep, GANStep, VAEStep
from minigen.train.common import as_numbers


def run_steps(step, data, scale, steps, batch):
    history = []
    for i in range(steps):
        start = (i * batch) % (len(data[scale]) - batch + 1)
        x = mg.tensor(data[scale][start : start + batch])
        y = mg.tensor(data["labels"][start : start + batch])
        history.append(as_numbers(step(x, y)))
    return history


def first_last(history, key, k=3):
    values = [h[key] for h in history]
    return np.mean(values[:k]), np.mean(values[-k:])


@pytest.mark.parametrize(
    "cls, steps, fall_to",
    [(VAE, 40, 0.6), (ConvVAE, 15, 0.75), (AE, 40, 0.6)],
)
def test_autoencoders_loss_falls(sample_batches, cls, steps, fall_to):
    mg.manual_seed(0)
    model = cls()
    step = VAEStep(model) if cls is not AE else AEStep(model)
    history = run_steps(step, sample_batches, "unit", steps, 64)
    first, last = first_last(history, "loss")
    # Initial loss is ~543 nats (784 pixels x ln 2 at p = 0.5); the VAEs reach ~55-75% of it.
    assert last < fall_to * first, (first, last)


def test_classifier_learns(sample_batches):
    mg.manual_seed(0)
    step = ClassifierStep(Classifier())
    history = run_steps(step, sample_batches, "unit", 30, 64)
    first, last = first_last(history, "loss")
    assert first > 2.0 and last < 1.0, (first, last)  # from ln 10 = 2.30 to well below
    assert first_last(history, "accuracy")[1] > 0.6


@pytest.mark.parametrize("cls", [GAN, DCGAN, ConditionalGAN])
def test_discriminator_loss_falls(sample_batches, cls):
    """In the first steps D learns to tell real from fake: its loss falls from about
    ln 4 = 1.386 (a D that cannot tell) and D(x) rises above D(G(z)). (Later G catches up
    and the losses oscillate: a GAN's losses do not simply fall.)"""
    mg.manual_seed(0)
    step = GANStep(cls())
    history = run_steps(step, sample_batches, "symmetric", 8, 32)
    first, last = first_last(history, "loss_d", 3)
    assert last < 0.8 * first, (first, last)
    assert history[-1]["d_real"] - history[-1]["d_fake"] > 0.15
    for h in history:  # G got an update each step
        assert np.isfinite(h["loss_g"]) and h["grad_norm_g"] > 0


def test_generator_step_changes_only_g(sample_batches):
    mg.manual_seed(0)
    model = GAN()
    step = GANStep(model)
    d_before = [p.numpy().copy() for p in model.discriminator.parameters()]
    g_before = [p.numpy().copy() for p in model.generator.parameters()]
    x = mg.tensor(sample_batches["symmetric"][:16])
    # The G half alone, on fresh fakes: D must come out of it unchanged.
    fake = model.generate(model.noise(16))
    d_after_d = [p.numpy().copy() for p in model.discriminator.parameters()]
    step._generator_step(fake, None, mg.ones(16), mg.zeros(16))
    assert unchanged(d_after_d, model.discriminator)
    assert not unchanged(g_before, model.generator)
    step(x)  # a full iteration changes both
    assert not unchanged(d_before, model.discriminator)


def unchanged(before, module):
    params = list(module.parameters())
    return all(np.array_equal(a, p.numpy()) for a, p in zip(before, params, strict=True))


def test_d_steps_per_g_step(sample_batches):
    mg.manual_seed(0)
    model = GAN()
    step = GANStep(model, d_steps=3)
    g_params = list(model.generator.parameters())
    changes = []
    for i in range(6):
        before = g_params[0].numpy().copy()
        step(mg.tensor(sample_batches["symmetric"][i * 16 : (i + 1) * 16]))
        changes.append(not np.array_equal(before, g_params[0].numpy()))
    assert changes == [True, False, False, True, False, False]


def test_saturating_loss_and_label_smoothing(sample_batches):
    mg.manual_seed(0)
    step = GANStep(GAN(), saturating=True, label_smoothing=0.1)
    out = as_numbers(step(mg.tensor(sample_batches["symmetric"][:16])))
    assert out["loss_g"] < 0  # log(1 - D(G(z))) is negative
    assert step.real_label == pytest.approx(0.9)


def test_kl_warmup_ramps_the_weight(sample_batches):
    step = VAEStep(VAE(), beta=2.0, kl_warmup=4)
    weights = [step(mg.tensor(sample_batches["unit"][:8]))["kl_weight"] for _ in range(6)]
    assert weights == [0.5, 1.0, 1.5, 2.0, 2.0, 2.0]


@pytest.mark.parametrize("cls", [VAE, DCGAN])
def test_float32_throughout(sample_batches, monkeypatch, cls):
    """No float64 appears in any tensor made during training: activations, losses, grads."""
    seen = set()
    original = Tensor._set  # every tensor, however made, passes through _set

    def spy(self, data, requires_grad=False):
        original(self, data, requires_grad)
        if hasattr(data, "dtype") and getattr(data.dtype, "kind", "") == "f":
            seen.add(str(data.dtype))

    mg.manual_seed(0)
    model = cls()
    step = VAEStep(model) if cls is VAE else GANStep(model)
    scale = "unit" if cls is VAE else "symmetric"
    monkeypatch.setattr(Tensor, "_set", spy)
    run_steps(step, sample_batches, scale, 2, 8)
    monkeypatch.undo()
    assert seen == {"float32"}
    assert all(p.dtype == mg.float32 and p.grad.dtype == mg.float32 for p in model.parameters())


@pytest.mark.parametrize("cls", [VAE, DCGAN])
def test_no_host_copies_inside_a_step(sample_batches, monkeypatch, cls):
    """A step returns device tensors and never reads one on the host (no .item() per step)."""
    calls = []
    monkeypatch.setattr(Tensor, "numpy", lambda self: calls.append("numpy"))
    monkeypatch.setattr(Tensor, "item", lambda self: calls.append("item"))
    mg.manual_seed(0)
    model = cls()
    step = VAEStep(model) if cls is VAE else GANStep(model)
    scale = "unit" if cls is VAE else "symmetric"
    out = step(mg.from_numpy(sample_batches[scale][:8]))
    assert calls == []
    assert all(isinstance(v, (mg.Tensor, float)) for v in out.values())


@pytest.mark.parametrize(
    "cls, step_cls", [(VAE, VAEStep), (DCGAN, GANStep), (ConditionalGAN, GANStep)]
)
def test_steps_run_on_the_strict_stand_in_device(sample_batches, cls, step_cls):
    """The strict device refuses implicit host conversion and device mixing, as CuPy does:
    a training step there is the same code path as on "cuda"."""
    device = mg.Device("strict")
    mg.manual_seed(0)
    model = cls()
    model.to(device)
    step = step_cls(model)
    scale = "unit" if cls is VAE else "symmetric"
    out = step(mg.tensor(sample_batches[scale][:8], device=device),
               mg.tensor(sample_batches["labels"][:8], device=device))
    for value in out.values():
        if isinstance(value, mg.Tensor):
            assert value.device == device and np.all(np.isfinite(value.numpy()))
