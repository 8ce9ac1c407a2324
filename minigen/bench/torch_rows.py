"""The same rows in PyTorch, for ``minigen bench --compare-torch``.

PyTorch is never a dependency of minigen: this module is imported only when asked for, and
``available()`` says whether PyTorch is installed. Each model and training step here is written
to do exactly what minigen's does (same layers, same losses, the same gradient norms, Adam with
the same settings), so the ratio of the two times compares the engines, not the recipes.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from minigen.bench.rows import RowSpec, host_inputs


def available() -> bool:
    return importlib.util.find_spec("torch") is not None


def torch_device(device_name: str) -> Any:
    import torch

    return torch.device("cuda" if device_name.startswith("cuda") else "cpu")


def cuda_available() -> bool:
    if not available():
        return False
    import torch

    return bool(torch.cuda.is_available())


def sync_for(device_name: str) -> Callable[[], None]:
    import torch

    if device_name.startswith("cuda"):
        return torch.cuda.synchronize
    return lambda: None


def build_torch(spec: RowSpec, device_name: str) -> Callable[[], Any]:
    """The function that runs ``spec`` once in PyTorch on the device, inputs already there."""
    import torch
    from torch import nn

    dev = torch_device(device_name)
    arrays = host_inputs(spec)
    torch.manual_seed(0)

    def on_device(name: str, requires_grad: bool = False) -> Any:
        return torch.from_numpy(arrays[name]).to(dev).requires_grad_(requires_grad)

    f = spec.family
    if f == "matmul":
        a, b = on_device("a"), on_device("b")

        def run() -> Any:
            with torch.no_grad():
                return a @ b

        return run
    if f in ("conv2d", "conv_transpose2d", "batchnorm2d"):
        if f == "conv2d":
            layer = nn.Conv2d(64, 128, 4, 2, 1)
        elif f == "conv_transpose2d":
            layer = nn.ConvTranspose2d(256, 128, 4, 2, 1)
        else:
            layer = nn.BatchNorm2d(128)
        layer.to(dev)
        x, gy = on_device("x", requires_grad=True), on_device("gy")

        def run() -> Any:
            layer.zero_grad()
            x.grad = None
            layer(x).backward(gy)

        return run
    if f == "elementwise":
        x = on_device("x")

        def run() -> Any:
            with torch.no_grad():
                return torch.tanh(x)

        return run
    if f in ("h2d", "h2d_batch"):  # from pageable memory, as minigen's two rows
        host = torch.from_numpy(arrays["x"])
        return lambda: host.to(dev)
    if f == "h2d_pinned":
        host = torch.from_numpy(arrays["x"])
        if dev.type == "cuda":
            host = host.pin_memory()
        return lambda: host.to(dev, non_blocking=True)
    if f == "d2h":
        x = on_device("x")
        return lambda: x.cpu()
    if f == "train_step":
        return _torch_train_step(spec.params["model"], on_device("x"), dev)
    raise ValueError(f)


# -- the models, layer for layer as in minigen.models -------------------------------------------
def _ae() -> Any:
    from torch import nn

    m = nn.Module()
    m.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 20))
    m.decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784),
                              nn.Unflatten(1, (1, 28, 28)))
    return m


def _vae() -> Any:
    from torch import nn

    m = nn.Module()
    m.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 400), nn.ReLU())
    m.mu, m.logvar = nn.Linear(400, 20), nn.Linear(400, 20)
    m.decoder = nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784),
                              nn.Unflatten(1, (1, 28, 28)))
    return m


def _conv_vae() -> Any:
    from torch import nn

    m = nn.Module()
    m.encoder = nn.Sequential(
        nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU())
    m.mu, m.logvar = nn.Linear(256, 16), nn.Linear(256, 16)
    m.decoder = nn.Sequential(
        nn.Linear(16, 256), nn.ReLU(), nn.Linear(256, 64 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (64, 7, 7)), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 4, 2, 1))
    return m


def _gan() -> Any:
    from torch import nn

    m = nn.Module()
    m.latent_dim = 100
    m.generator = nn.Sequential(
        nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 784), nn.Tanh(),
        nn.Unflatten(1, (1, 28, 28)))
    m.discriminator = nn.Sequential(
        nn.Flatten(), nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256),
        nn.LeakyReLU(0.2), nn.Linear(256, 1))
    return m


def _dcgan() -> Any:
    from torch import nn

    m = nn.Module()
    m.latent_dim = 100
    m.generator = nn.Sequential(
        nn.Unflatten(1, (100, 1, 1)),
        nn.ConvTranspose2d(100, 256, 7, 1, 0), nn.BatchNorm2d(256), nn.ReLU(),
        nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 1, 4, 2, 1), nn.Tanh())
    m.discriminator = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Conv2d(128, 1, 7, 1, 0))
    for layer in m.modules():  # DCGAN's init, as minigen.models.dcgan_init
        if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(layer.weight, 0.0, 0.02)
            nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d):
            nn.init.normal_(layer.weight, 1.0, 0.02)
            nn.init.zeros_(layer.bias)
    return m


def _models() -> dict[str, Callable[[], Any]]:
    """The PyTorch builder of each model, by its minigen name."""
    return {"ae": _ae, "vae": _vae, "conv-vae": _conv_vae, "gan": _gan, "dcgan": _dcgan}


def _grad_norm(params: Any) -> Any:
    import torch

    total = None
    for p in params:
        if p.grad is not None:
            square = (p.grad * p.grad).sum()
            total = square if total is None else total + square
    return torch.sqrt(total)


# -- the training steps, line for line as in minigen.train ---------------------------------------
def _torch_train_step(name: str, x: Any, dev: Any) -> Callable[[], Any]:
    """One step of minigen.train's recipe for ``name``, written in PyTorch."""
    model = _models()[name]().to(dev)
    model.train()
    if name in ("ae", "vae", "conv-vae"):
        return _autoencoder_step(name, model, x)
    return _gan_step(model, x, dev)


def _autoencoder_step(name: str, model: Any, x: Any) -> Callable[[], Any]:
    """AEStep / VAEStep: the loss of the batch, then one Adam step."""
    import torch

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_of = _ae_loss if name == "ae" else _vae_loss

    def autoencoder_step() -> Any:
        loss, out = loss_of(model, x)
        opt.zero_grad()
        loss.backward()
        out["grad_norm"] = _grad_norm(model.parameters())
        opt.step()
        return out

    return autoencoder_step


def _ae_loss(model: Any, x: Any) -> tuple[Any, dict[str, Any]]:
    import torch.nn.functional as F

    logits = model.decoder(model.encoder(x))
    loss = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
    return loss, {"loss": loss.detach()}


def _vae_loss(model: Any, x: Any) -> tuple[Any, dict[str, Any]]:
    import torch
    import torch.nn.functional as F

    h = model.encoder(x)
    mu, logvar = model.mu(h), torch.clamp(model.logvar(h), -20.0, 20.0)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    logits = model.decoder(z)
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
    kl_dims = (-0.5 * (1 + logvar - mu * mu - torch.exp(logvar))).mean(dim=0)
    kl = kl_dims.sum()
    loss = recon + 1.0 * kl
    return loss, {"loss": loss.detach(), "recon": recon.detach(), "kl": kl.detach(),
                  "kl_dim": kl_dims.detach()}


def _gan_step(model: Any, x: Any, dev: Any) -> Callable[[], Any]:
    """GANStep with its defaults: one D step, then one G step."""
    import torch
    import torch.nn.functional as F

    betas = (0.5, 0.999)
    opt_d = torch.optim.Adam(model.discriminator.parameters(), lr=2e-4, betas=betas)
    opt_g = torch.optim.Adam(model.generator.parameters(), lr=2e-4, betas=betas)

    def gan_step() -> Any:
        batch = x.shape[0]
        ones = torch.ones(batch, device=dev)
        zeros = torch.zeros(batch, device=dev)
        z = torch.randn(batch, model.latent_dim, device=dev)
        fake = model.generator(z)
        d_real = model.discriminator(x).reshape(-1)
        d_fake = model.discriminator(fake.detach()).reshape(-1)
        loss_d = (F.binary_cross_entropy_with_logits(d_real, ones * 1.0)
                  + F.binary_cross_entropy_with_logits(d_fake, zeros))
        opt_d.zero_grad()
        loss_d.backward()
        norm_d = _grad_norm(model.discriminator.parameters())
        opt_d.step()

        model.discriminator.requires_grad_(False)
        d_fake_g = model.discriminator(fake).reshape(-1)
        model.discriminator.requires_grad_(True)
        loss_g = F.binary_cross_entropy_with_logits(d_fake_g, ones)
        opt_g.zero_grad()
        loss_g.backward()
        norm_g = _grad_norm(model.generator.parameters())
        opt_g.step()
        with torch.no_grad():
            p_real = torch.sigmoid(d_real.detach()).mean()
            p_fake = torch.sigmoid(d_fake.detach()).mean()
        return {"loss_d": loss_d.detach(), "loss_g": loss_g.detach(), "d_real": p_real,
                "d_fake": p_fake, "grad_norm_d": norm_d, "grad_norm_g": norm_g}

    return gan_step
