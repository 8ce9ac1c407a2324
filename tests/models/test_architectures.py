"""The models have the issue's layers, shapes, dtypes and (for the DCGANs) initialisation."""

import numpy as np
import pytest

import minigen as mg
from minigen import nn
from minigen.models import (
    AE,
    DCGAN,
    GAN,
    VAE,
    Classifier,
    ConditionalGAN,
    ConvVAE,
    one_hot,
)
from minigen.train.recipes import MODELS


def images(n=4, scale="unit"):
    x = mg.rand(n, 1, 28, 28)
    return x * 2 - 1 if scale == "symmetric" else x


@pytest.mark.parametrize("name", sorted(MODELS))
def test_parameters_are_float32(name):
    model = MODELS[name]()
    assert all(p.dtype == mg.float32 for p in model.parameters())


def test_vae_shapes_and_heads():
    model = VAE()
    logits, mu, logvar = model(images())
    assert logits.shape == (4, 1, 28, 28) and mu.shape == (4, 20) and logvar.shape == (4, 20)
    assert [type(m) for m in model.encoder] == [nn.Flatten, nn.Linear, nn.ReLU]
    assert model.encoder[1].weight.shape == (400, 784)
    assert model.mu.weight.shape == (20, 400) and model.logvar.weight.shape == (20, 400)
    assert model.decoder[0].weight.shape == (400, 20)
    assert model.decoder[2].weight.shape == (784, 400)
    s = model.sample(5)
    assert s.shape == (5, 1, 28, 28) and 0 <= s.numpy().min() and s.numpy().max() <= 1


def test_latent_size_is_a_parameter():
    assert VAE(latent_dim=2)(images())[1].shape == (4, 2)
    assert AE(latent_dim=2).encode(images()).shape == (4, 2)
    assert ConvVAE(latent_dim=2)(images())[1].shape == (4, 2)


def test_logvar_is_clamped_against_overflow():
    model = VAE()
    with mg.no_grad():
        model.logvar.bias.array[...] = 500.0  # exp(500) is inf in float32
        _, _, logvar = model(images())
    assert np.isfinite(np.exp(logvar.numpy().astype(np.float64))).all()
    assert logvar.numpy().max() <= 20


def test_conv_vae_layers():
    model = ConvVAE()
    convs = [m for m in model.encoder if isinstance(m, nn.Conv2d)]
    assert [tuple(c.weight.shape) for c in convs] == [(32, 1, 4, 4), (64, 32, 4, 4)]
    ups = [m for m in model.decoder if isinstance(m, nn.ConvTranspose2d)]
    assert [tuple(c.weight.shape) for c in ups] == [(64, 32, 4, 4), (32, 1, 4, 4)]
    logits, mu, _ = model(images())
    assert logits.shape == (4, 1, 28, 28) and mu.shape == (4, 16)


def test_gan_shapes():
    model = GAN()
    fake = model.generate(model.noise(3))
    assert fake.shape == (3, 1, 28, 28) and np.abs(fake.numpy()).max() <= 1
    assert model.discriminate(fake).shape == (3,)
    widths = [m.weight.shape[0] for m in model.generator if isinstance(m, nn.Linear)]
    assert widths == [256, 512, 1024, 784]
    widths = [m.weight.shape[0] for m in model.discriminator if isinstance(m, nn.Linear)]
    assert widths == [512, 256, 1]


def test_dcgan_layers_and_initialisation():
    mg.manual_seed(1)
    model = DCGAN()
    g = [m for m in model.generator if isinstance(m, nn.ConvTranspose2d)]
    shapes = [tuple(m.weight.shape) for m in g]
    assert shapes == [(100, 256, 7, 7), (256, 128, 4, 4), (128, 1, 4, 4)]
    d = [m for m in model.discriminator if isinstance(m, nn.Conv2d)]
    assert [tuple(m.weight.shape) for m in d] == [(64, 1, 4, 4), (128, 64, 4, 4), (1, 128, 7, 7)]
    assert not any(isinstance(m, nn.Linear) for m in model.modules())  # all-convolutional
    weights = np.concatenate([m.weight.numpy().ravel() for m in g + d])
    assert abs(weights.mean()) < 0.002 and abs(weights.std() - 0.02) < 0.001
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    bn = np.concatenate([m.weight.numpy() for m in norms])
    assert abs(bn.mean() - 1) < 0.01 and abs(bn.std() - 0.02) < 0.005
    assert all(np.all(m.bias.numpy() == 0) for m in g + d)
    fake = model.generate(model.noise(2))
    assert fake.shape == (2, 1, 28, 28) and model.discriminate(fake).shape == (2,)


def test_conditional_gan_sees_the_label():
    model = ConditionalGAN()
    labels = mg.tensor([3, 7])
    fake = model.generate(model.noise(2), labels)
    assert fake.shape == (2, 1, 28, 28)
    assert model.discriminate(fake, labels).shape == (2,)
    # Same noise, different label: a different image.
    z = model.noise(1)
    with mg.no_grad():
        a = model.generate(z, mg.tensor([1])).numpy()
        b = model.generate(z, mg.tensor([2])).numpy()
    assert not np.allclose(a, b)
    assert model.sample(4, label=3).shape == (4, 1, 28, 28)


def test_one_hot():
    assert one_hot(mg.tensor([2, 0]), 3).numpy().tolist() == [[0, 0, 1], [1, 0, 0]]
    assert one_hot(mg.tensor([2, 0]), 3).dtype == mg.float32


def test_classifier_shapes():
    model = Classifier()
    assert model(images()).shape == (4, 10)
    assert model.features(images()).shape == (4, 128)


def test_sampling_leaves_batchnorm_statistics_and_mode_untouched():
    from minigen.models import DCGAN

    model = DCGAN()
    model.train()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items() if "running" in k}
    model.sample(4)
    after = {k: v.numpy() for k, v in model.state_dict().items() if "running" in k}
    assert model.training
    assert all(np.array_equal(before[k], after[k]) for k in before)
