"""Every layer and loss on the strict stand-in device gives the CPU's numbers.

array-api-strict arrays refuse implicit NumPy conversion and device mixing, as CuPy's do, so
this proves the layers take their array module from their arrays and never copy to the host
behind the user's back.
"""

from __future__ import annotations

import numpy as np
import pytest
from placement import assert_on_device

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F

pytest.importorskip("array_api_strict")


class Everything(nn.Module):
    """A conditional DCGAN-ish stack that passes through every layer type."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(3, 4)
        self.down = nn.Sequential(nn.Conv2d(1, 4, 4, 2, 1), nn.BatchNorm2d(4), nn.LeakyReLU(0.2))
        self.fc = nn.Sequential(
            nn.Flatten(),
            nn.Linear(4 * 4 * 3 + 4, 12),
            nn.BatchNorm1d(12),
            nn.ReLU(),
            nn.Dropout(0.3),
        )
        self.up = nn.Sequential(
            nn.Unflatten(1, (3, 2, 2)), nn.ConvTranspose2d(3, 2, 4, 2, 1, 1), nn.Tanh()
        )
        self.out = nn.Sigmoid()

    def forward(self, x, labels):
        h = self.down(x)
        h = mg.cat([nn.Flatten()(h), self.embed(labels)], dim=1)
        h = self.fc[1:](h)
        return self.up(h), self.out(h)


def run(model, device, x, labels, target):
    mg.manual_seed(42)  # the same dropout mask on both devices
    xt = mg.tensor(x, device=device, requires_grad=True)
    images, probs = model(xt, mg.tensor(labels, device=device))
    t = mg.tensor(target, device=device)
    assert_on_device(device, model=model, inputs=[xt, t])
    loss = (
        F.mse_loss(images, mg.zeros_like(images))
        + F.binary_cross_entropy(probs, t)
        + F.binary_cross_entropy_with_logits(probs * 8 - 4, t, reduction="sum")
        + F.gaussian_kl(probs[:, :6], probs[:, 6:], reduction="batchmean")
    )
    loss.backward()
    return loss, images, xt.grad, {n: p.grad for n, p in model.named_parameters()}


def test_forward_and_backward_of_every_layer_match_the_cpu():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 1, 8, 6)).astype(np.float32)
    labels = np.array([0, 2, 1, 2, 0])
    target = (rng.random((5, 12)) > 0.5).astype(np.float32)
    cpu = Everything()
    strict = Everything()
    strict.load_state_dict(cpu.state_dict())
    strict.to("strict")
    assert_on_device("strict", model=strict)  # parameters and buffers (running statistics)

    results = [run(m, d, x, labels, target) for m, d in ((cpu, "cpu"), (strict, "strict"))]
    (loss_c, img_c, gx_c, grads_c), (loss_s, img_s, gx_s, grads_s) = results
    assert loss_s.device.type == "strict" and loss_s.dtype == mg.float32
    np.testing.assert_allclose(loss_s.numpy(), loss_c.numpy(), rtol=1e-5)
    np.testing.assert_allclose(img_s.numpy(), img_c.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gx_s.numpy(), gx_c.numpy(), rtol=1e-4, atol=1e-6)
    for name, g in grads_c.items():
        assert grads_s[name].device.type == "strict", name
        np.testing.assert_allclose(
            grads_s[name].numpy(), g.numpy(), rtol=1e-4, atol=1e-6, err_msg=name
        )
    for (name, a), b in zip(cpu.state_dict().items(), strict.state_dict().values(), strict=True):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, err_msg=name)  # running stats

    cpu.eval()
    strict.eval()
    with mg.no_grad():
        a = cpu(mg.tensor(x), mg.tensor(labels))[0]
        b = strict(mg.tensor(x, device="strict"), mg.tensor(labels, device="strict"))[0]
    np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-5, atol=1e-6)


def test_layers_built_directly_on_strict_and_init_there():
    layer = nn.Conv2d(2, 3, 3, device="strict")
    assert_on_device("strict", layer=layer)
    nn.init.normal_(layer.weight, 0.0, 0.02)
    nn.init.xavier_uniform_(layer.weight)
    assert layer.weight.device.type == "strict"
    y = layer(mg.randn(1, 2, 5, 5, device="strict"))
    assert y.device.type == "strict" and y.shape == (1, 3, 3, 3)


def test_mixing_a_cpu_input_with_a_strict_layer_names_the_layer():
    from minigen.errors import DeviceMismatchError

    layer = nn.Linear(3, 2).to("strict")
    with pytest.raises(
        DeviceMismatchError,
        match=r"Linear\(in_features=3, out_features=2, bias=True\): input is on cpu but "
        r"the layer's parameters are on strict",
    ):
        layer(mg.randn(4, 3))


def test_strict_state_dict_loads_into_a_cpu_model():
    strict = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)).to("strict")
    cpu = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    cpu.load_state_dict(strict.state_dict())
    assert cpu[0].weight.device.type == "cpu"
    np.testing.assert_array_equal(cpu[0].weight.numpy(), strict[0].weight.numpy())


@pytest.mark.parametrize("make, shape", [
    (lambda: nn.Sequential(nn.ConvTranspose2d(2, 32, 4, 2, 1), nn.BatchNorm2d(32)), (3, 2, 4, 4)),
    (lambda: nn.Sequential(nn.Conv2d(32, 4, 4, 2, 1), nn.BatchNorm2d(4)), (3, 32, 8, 8)),
    (lambda: nn.ConvTranspose2d(8, 64, 3, 1, 1), (2, 8, 5, 5)),  # stride 1: s*s*C = 64
])
def test_wide_convolutions_take_the_sub_pixel_path_on_strict_too(make, shape):
    """Wide layers (the models' sizes) go through col2im_of_product's sub-pixel form and
    BatchNorm's channel rows, which the small layers above never reach; strict must give the
    CPU's numbers."""
    from minigen.functions import conv as conv_module

    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(np.float32)
    cpu, strict = make(), make()
    strict.load_state_dict(cpu.state_dict())
    strict.to("strict")
    calls = []
    original = conv_module.col2im_matmul_subpixel

    def counted(*args):
        calls.append(1)
        return original(*args)

    conv_module.col2im_matmul_subpixel = counted
    try:
        outs = []
        for model, device in ((cpu, "cpu"), (strict, "strict")):
            xt = mg.tensor(x, device=device, requires_grad=True)
            assert_on_device(device, model=model, input=xt)
            y = model(xt)
            (y * y).sum().backward()
            outs.append((y, xt.grad, [p.grad for p in model.parameters()]))
    finally:
        conv_module.col2im_matmul_subpixel = original
    assert len(calls) == 2  # once per device: the forward (transposed) or dL/dx (conv)
    (y_c, gx_c, gp_c), (y_s, gx_s, gp_s) = outs
    assert y_s.device.type == "strict"
    np.testing.assert_allclose(y_s.numpy(), y_c.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gx_s.numpy(), gx_c.numpy(), rtol=1e-4, atol=1e-4)
    for a, b in zip(gp_c, gp_s, strict=True):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-4, atol=1e-4)
