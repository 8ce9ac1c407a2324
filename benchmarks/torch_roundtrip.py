"""Weights move between minigen and PyTorch: train in minigen, export, continue in PyTorch.

    python benchmarks/torch_roundtrip.py [--steps 3] [--out runs/torch_roundtrip]

For each of minigen's models (AE, VAE, ConvVAE, GAN, DCGAN, cGAN, classifier) the script

1. trains it ``--steps`` steps with the command line (``minigen train MODEL --max-steps N``
   on the shipped MNIST sample);
2. exports the run (``minigen export RUN --to MODEL.safetensors``);
3. builds the same model in PyTorch (GAN and DCGAN are benchmarks/torch_reference.py's
   definitions; the others are written below, layer for layer as minigen/models/) and loads
   the file with ``torch_model.load_state_dict(safetensors.torch.load_file(path))``,
   ``strict=True``: every name, shape and dtype must match;
4. runs both on the same float32 input (real images, fixed noise, fixed labels), in eval
   mode and, for the models with batchnorm, in training mode too, and compares every output
   with ``np.allclose(minigen, torch, rtol=1e-5, atol=1e-6)``;
5. goes back: the PyTorch model's state_dict, written by ``safetensors.torch.save_file``,
   loads into a fresh minigen model that must give PyTorch's outputs again.

Then the DCGAN *continues training in PyTorch* from the exported file (a few steps of
torch_reference.py's GAN step with Adam), the path a student takes when a model outgrows one
machine (next: torch.nn.parallel.DistributedDataParallel; see docs/coming_from_pytorch.md).
Exits 1 if any comparison fails. About a minute on two cores.

Needs PyTorch (``pip install torch``); it is not a dependency of minigen.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

try:
    import torch
    from safetensors.torch import load_file, save_file
    from torch import nn
    from torch.nn import functional as F
except ImportError:
    print("torch_roundtrip: PyTorch is not installed. It is not a dependency of minigen; "
          "install it (pip install torch) to load minigen's weights into PyTorch.",
          file=sys.stderr)
    sys.exit(1)

from torch_reference import DCGAN as TorchDCGAN  # noqa: E402  (benchmarks/, this folder)
from torch_reference import GAN as TorchGAN  # noqa: E402
from torch_reference import Step as TorchGANStep  # noqa: E402

import minigen as mg  # noqa: E402
import minigen.models  # noqa: E402, F401  (mg.models)
from minigen.cli.main import main as minigen_cli  # noqa: E402
from minigen.data import DataLoader, MNISTSample  # noqa: E402
from minigen.train import load_model  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6
BATCH = 16


# --- the models minigen has and torch_reference.py does not, as minigen/models/ builds them ----

class AE(nn.Module):
    def __init__(self, latent_dim: int = 20, hidden: int = 400) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
                                     nn.Linear(hidden, latent_dim))
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(),
                                     nn.Linear(hidden, 784), nn.Unflatten(1, (1, 28, 28)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class VAE(nn.Module):
    def __init__(self, latent_dim: int = 20, hidden: int = 400) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent_dim)
        self.logvar = nn.Linear(hidden, latent_dim)
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(),
                                     nn.Linear(hidden, 784), nn.Unflatten(1, (1, 28, 28)))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.encoder(x)
        return self.mu(h), torch.clamp(self.logvar(h), -20.0, 20.0)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)


class ConvVAE(VAE):
    def __init__(self, latent_dim: int = 16) -> None:
        nn.Module.__init__(self)
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU())
        self.mu = nn.Linear(256, latent_dim)
        self.logvar = nn.Linear(256, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 256), nn.ReLU(), nn.Linear(256, 64 * 7 * 7), nn.ReLU(),
            nn.Unflatten(1, (64, 7, 7)), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 4, 2, 1))


class ConditionalGAN(TorchDCGAN):
    """torch_reference's DCGAN with the label as 10 more input channels of G and of D."""

    def __init__(self, latent_dim: int = 100, num_classes: int = 10) -> None:
        super().__init__(latent_dim)
        self.num_classes = num_classes
        self.generator[0] = nn.ConvTranspose2d(latent_dim + num_classes, 256, 7, 1, 0)
        self.discriminator[0] = nn.Conv2d(1 + num_classes, 64, 4, 2, 1)

    def generate(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        zy = torch.cat([z, F.one_hot(labels, self.num_classes).float()], dim=1)
        return self.generator(zy.reshape(zy.shape[0], zy.shape[1], 1, 1))

    def discriminate(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        maps = F.one_hot(labels, self.num_classes).float().reshape(b, self.num_classes, 1, 1)
        return self.discriminator(torch.cat([x, maps.expand(b, self.num_classes, h, w)], 1)).reshape(-1)


class Classifier(nn.Module):
    def __init__(self, num_classes: int = 10, feature_dim: int = 128) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(64 * 7 * 7, feature_dim), nn.ReLU())
        self.head = nn.Linear(feature_dim, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


TORCH_MODELS: dict[str, Callable[[], nn.Module]] = {
    "ae": AE, "vae": VAE, "conv-vae": ConvVAE, "gan": TorchGAN, "dcgan": TorchDCGAN,
    "cgan": ConditionalGAN, "classifier": Classifier,
}


# --- what each model computes, called the same way in both libraries ------------------------

def outputs(name: str, model: Any, x: Any, z: Any, labels: Any) -> dict[str, Any]:
    """The deterministic outputs of model ``name`` (sampling noise is passed in as ``z``)."""
    if name == "ae":
        return {"forward(x)": model(x)}
    if name in ("vae", "conv-vae"):
        mu, logvar = model.encode(x)
        return {"mu": mu, "logvar": logvar, "decode_logits(z)": model.decode_logits(z)}
    if name == "cgan":
        return {"generate(z, y)": model.generate(z, labels),
                "discriminate(x, y)": model.discriminate(x, labels)}
    if name in ("gan", "dcgan"):
        return {"generate(z)": model.generate(z), "discriminate(x)": model.discriminate(x)}
    return {"forward(x)": model(x)}


def inputs(name: str, latent_dim: int | None) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    ds = MNISTSample(train=False)
    scale = "symmetric" if name in ("gan", "dcgan", "cgan") else "unit"
    x, labels = next(DataLoader(ds, batch_size=BATCH, scale=scale).numpy_batches())
    z = None
    if latent_dim is not None:
        z = np.random.default_rng(1).standard_normal((BATCH, latent_dim)).astype(np.float32)
    return x, z, labels


def compare(ours: dict[str, Any], theirs: dict[str, Any]) -> list[tuple[str, float, float, bool]]:
    rows = []
    for key, a in ours.items():
        a = a.numpy()
        b = theirs[key].detach().numpy()
        assert a.dtype == b.dtype == np.float32, (key, a.dtype, b.dtype)
        diff = float(np.max(np.abs(a - b)))
        rel = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-30)))
        rows.append((key, diff, rel, bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))))
    return rows


def run_minigen(*args: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = minigen_cli(list(args))
    if status != 0:
        raise SystemExit(f"minigen {' '.join(args)} failed ({status}):\n{out.getvalue()}")


def roundtrip(name: str, steps: int, out: Path) -> list[tuple[str, str, float, float, bool]]:
    run, path = out / name, out / f"{name}.safetensors"
    shutil.rmtree(run, ignore_errors=True)  # a fresh run each time the script runs
    run_minigen("train", name, "--max-steps", str(steps), "--out", str(run), "--no-progress",
                "--log-every", "1")
    run_minigen("export", str(run), "--to", str(path))
    model, config = load_model(run, "cpu")
    torch_model = TORCH_MODELS[name]()
    torch_model.load_state_dict(load_file(path), strict=True)

    latent = getattr(model, "latent_dim", None)
    x, z, labels = inputs(name, latent)
    ours_in = (mg.tensor(x), None if z is None else mg.tensor(z), mg.tensor(labels))
    theirs_in = (torch.from_numpy(x), None if z is None else torch.from_numpy(z),
                 torch.from_numpy(labels))
    rows = []
    modes = ["eval", "train"] if any(isinstance(m, mg.nn.BatchNorm2d) for m in model.modules()) else ["eval"]
    for mode in modes:
        model.train(mode == "train")
        torch_model.train(mode == "train")
        with mg.no_grad(), torch.no_grad():
            ours, theirs = outputs(name, model, *ours_in), outputs(name, torch_model, *theirs_in)
        rows += [(f"{mode}: {key}", *rest) for key, *rest in compare(ours, theirs)]

    # And back: PyTorch's state_dict, as PyTorch writes it, into a fresh minigen model.
    back = out / f"{name}.from_torch.safetensors"
    torch_model.eval()
    save_file({k: v.contiguous() for k, v in torch_model.state_dict().items()}, str(back))
    fresh, _ = load_model(run, "cpu")
    fresh.load_state_dict(str(back))
    fresh.eval()
    with mg.no_grad(), torch.no_grad():
        ours, theirs = outputs(name, fresh, *ours_in), outputs(name, torch_model, *theirs_in)
    rows += [(f"torch -> minigen: {key}", *rest) for key, *rest in compare(ours, theirs)]
    return [(name, *row) for row in rows]


def continue_dcgan_in_torch(out: Path, steps: int) -> tuple[list[tuple[float, float]], float]:
    """The exported DCGAN trained on in PyTorch (torch_reference.py's GAN step, Adam 2e-4), then
    loaded back into minigen: the (loss_D, loss_G) of each PyTorch step, and the largest
    difference between the two libraries' generators afterwards (eval mode, same noise)."""
    torch.manual_seed(0)
    model = TorchDCGAN()
    model.load_state_dict(load_file(out / "dcgan.safetensors"))
    step = TorchGANStep(model)
    loader = DataLoader(MNISTSample(), batch_size=64, shuffle=True, seed=0, scale="symmetric")
    losses = []
    for i, (x, _) in enumerate(loader.numpy_batches()):
        if i == steps:
            break
        losses.append(step(torch.from_numpy(x)))
    path = out / "dcgan_from_torch.safetensors"
    save_file(model.state_dict(), str(path))
    ours = mg.models.DCGAN()
    ours.load_state_dict(str(path))
    ours.eval()
    model.eval()
    z = np.random.default_rng(3).standard_normal((BATCH, 100)).astype(np.float32)
    with mg.no_grad(), torch.no_grad():
        diff = np.abs(ours.generate(mg.tensor(z)).numpy() - model.generate(torch.from_numpy(z)).numpy())
    return losses, float(diff.max())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=3, help="minigen training steps per model")
    parser.add_argument("--out", default=str(ROOT / "runs" / "torch_roundtrip"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    began = time.time()
    rows = []
    for name in TORCH_MODELS:
        rows += roundtrip(name, args.steps, out)
    print(f"minigen {mg.__version__}, torch {torch.__version__}: {args.steps} minigen training "
          f"steps per model, export, load_state_dict(strict=True), float32 outputs on {BATCH} inputs")
    print(f"{'model':<11} {'output':<40} {'max |diff|':>10} {'max rel':>9}  allclose(rtol={RTOL:g}, atol={ATOL:g})")
    for model, key, diff, rel, ok in rows:
        print(f"{model:<11} {key:<40} {diff:>10.2e} {rel:>9.1e}  {'ok' if ok else 'FAIL'}")
    failed = sum(not ok for *_, ok in rows)
    continued, back = continue_dcgan_in_torch(out, steps=5)
    print("DCGAN continuing in PyTorch from dcgan.safetensors, (loss_D, loss_G) per step: "
          + ", ".join(f"({d:.3f}, {g:.3f})" for d, g in continued))
    print(f"... saved as dcgan_from_torch.safetensors and loaded back into minigen: generators "
          f"differ by at most {back:.1e}")
    finite = all(np.isfinite(v) for pair in continued for v in pair) and back < ATOL * 10
    print(f"{len(rows) - failed} of {len(rows)} comparisons within tolerance; "
          f"{time.time() - began:.0f} s")
    return 0 if failed == 0 and finite else 1


if __name__ == "__main__":
    sys.exit(main())
