"""The PyTorch reference for minigen's GANs: same architectures, same recipe, same evaluator.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice -n 19 \\
        python benchmarks/torch_reference.py --data-dir ../shared/data/fashion-mnist

Issue 5 asks minigen's MLP GAN (10 epochs) and DCGAN (5 epochs) to give samples as good as a
PyTorch implementation of the same model trained the same way. This script is that PyTorch
implementation, and the judge:

1. trains ``GAN`` and ``DCGAN`` in PyTorch (``torch.set_num_threads(2)``) on the full
   Fashion-MNIST, with batches made by ``minigen.data.DataLoader`` exactly as ``minigen train``
   makes them (pixels in [-1, 1], batch 64, shuffled with seed 0, last short batch dropped),
   and the recipe of ``minigen.train.gan_step``: Adam lr 2e-4, betas (0.5, 0.999); BCE with
   logits; D on the real and the fake batch separately; the non-saturating G loss on the
   fakes scored again by the updated, frozen D. Initialisation: PyTorch's default for the
   MLP GAN (minigen's Linear mimics it), N(0, 0.02) weights, N(1, 0.02) batchnorm weights
   and zero biases for the DCGAN;
2. writes 10,000 samples of each as float32 (N, 1, 28, 28) in [0, 1] (the format of
   ``minigen sample RUN -n 10000 --out x.npy``), and has ``minigen sample`` write 10,000
   samples of minigen's own runs of ``benchmarks/quality.py`` (``runs/quality/gan`` and
   ``runs/quality/dcgan``); plus a second draw of each PyTorch model (seed 1), to show how
   much the distance moves by sampling alone;
3. measures both with the same evaluator, minigen's ``runs/quality/classifier`` through
   ``minigen.metrics``: the classifier Frechet distance against the 10,000 test images, the
   classes holding at least 2% of the samples, and the entropy of the class histogram; plus
   10,000 real training images as the floor the distance can reach;
4. prints the side-by-side table and writes it to docs/results.md between the
   ``<!-- torch-reference:start -->`` and ``<!-- torch-reference:end -->`` markers, right
   after the quality section (the rest of the file is left alone).

Outputs go to --out (default runs/torch_reference): the sample files, one JSON per trained
PyTorch model, table.json, and a checkpoint per model after each epoch and on SIGTERM or
Ctrl-C, so an interrupted run continues exactly where it stopped when the same command is
run again (``--retrain`` starts afresh). ``--budget-min M`` stops training (with a
checkpoint) 5 minutes before M minutes of wall time, to measure what exists; the table then
says how many epochs were done and the note how long the rest would take. ``--quick``
checks the whole script end to end in a few minutes (200 steps per model, 2,000 samples,
into runs/torch_reference_quick, docs not written).

From scratch on this 2-core machine it takes about 15 minutes when nothing else runs
(PyTorch: ~13 s per GAN epoch, ~75 s per DCGAN epoch, plus sampling and measuring), and
much longer under ``nice -n 19`` while others use the machine.

PyTorch is not a dependency of minigen: install it yourself (``pip install torch``) to run
this script; without it the script says so and exits with status 1.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import signal
import statistics
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

try:
    import torch
    from torch import nn
    from torch.nn import functional as F
except ImportError:
    print("torch_reference: PyTorch is not installed. It is not a dependency of minigen; "
          "install it (pip install torch) to train the PyTorch reference models.",
          file=sys.stderr)
    sys.exit(1)

from results_file import replace_block  # noqa: E402  (benchmarks/, the script's folder)

from minigen.cli.main import main as minigen_cli  # noqa: E402
from minigen.data import DataLoader, get_dataset  # noqa: E402
from minigen.metrics import class_coverage, classify, frechet_distance  # noqa: E402
from minigen.metrics.batches import unit_images  # noqa: E402
from minigen.train import load_model  # noqa: E402

#: model -> epochs of the issue-5 recipe
EPOCHS = {"gan": 10, "dcgan": 5}
BATCH, LR, BETAS, LATENT, SEED = 64, 2e-4, (0.5, 0.999), 100, 0
QUICK_STEPS, QUICK_SAMPLES = 200, 2000
EVAL_RESERVE_MIN = 5.0
START, END = "<!-- torch-reference:start -->", "<!-- torch-reference:end -->"
QUALITY_END = "<!-- quality:end -->"


# --- the two models, layer for layer as minigen/models/gan.py and dcgan.py -------------------

class GAN(nn.Module):
    """G: 100-256-512-1024-784, LeakyReLU(0.2), Tanh. D: 784-512-256-1, LeakyReLU(0.2), a logit.
    PyTorch's default initialisation (minigen's Linear draws the same distributions)."""

    def __init__(self, latent_dim: int = LATENT) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = nn.Sequential(
            nn.Linear(latent_dim, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 1024), nn.LeakyReLU(0.2),
            nn.Linear(1024, 784), nn.Tanh(),
            nn.Unflatten(1, (1, 28, 28)),
        )
        self.discriminator = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 1),
        )

    def noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.latent_dim)

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(z)

    def discriminate(self, x: torch.Tensor) -> torch.Tensor:
        return self.discriminator(x).reshape(-1)


class DCGAN(GAN):
    """G: ConvT(100,256,7,1,0)-BN-ReLU-ConvT(256,128,4,2,1)-BN-ReLU-ConvT(128,1,4,2,1)-Tanh.
    D: Conv(1,64,4,2,1)-LReLU-Conv(64,128,4,2,1)-BN-LReLU-Conv(128,1,7,1,0), a logit."""

    def __init__(self, latent_dim: int = LATENT) -> None:
        nn.Module.__init__(self)
        self.latent_dim = latent_dim
        self.generator = nn.Sequential(
            nn.ConvTranspose2d(latent_dim, 256, 7, 1, 0), nn.BatchNorm2d(256), nn.ReLU(),
            nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(),
            nn.ConvTranspose2d(128, 1, 4, 2, 1), nn.Tanh(),
        )
        self.discriminator = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 1, 7, 1, 0),
        )
        for m in self.modules():  # DCGAN init, as minigen.models.dcgan.dcgan_init
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, 0.02)
            else:
                continue
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    def generate(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(z.reshape(z.shape[0], self.latent_dim, 1, 1))


MODELS = {"gan": GAN, "dcgan": DCGAN}
#: set by SIGTERM or Ctrl-C: training checkpoints at the next step and the script exits
STOP: list[int] = []


def _request_stop(signum: int, frame: Any) -> None:
    STOP.append(signum)


class Step:
    """One iteration in minigen.train.gan_step.GANStep's order (k = 1, no label smoothing)."""

    def __init__(self, model: GAN) -> None:
        self.model = model
        self.opt_d = torch.optim.Adam(model.discriminator.parameters(), lr=LR, betas=BETAS)
        self.opt_g = torch.optim.Adam(model.generator.parameters(), lr=LR, betas=BETAS)

    def __call__(self, real: torch.Tensor) -> tuple[float, float]:
        model, batch = self.model, real.shape[0]
        ones, zeros = torch.ones(batch), torch.zeros(batch)
        fake = model.generate(model.noise(batch))                     # 1. noise, 2. fakes
        d_real = model.discriminate(real)                             # 3. real and fake
        d_fake = model.discriminate(fake.detach())                    #    batches apart
        loss_d = (F.binary_cross_entropy_with_logits(d_real, ones)    # 4. real -> 1,
                  + F.binary_cross_entropy_with_logits(d_fake, zeros))  #  fake -> 0
        self.opt_d.zero_grad()                                        # 5. update D only
        loss_d.backward()
        self.opt_d.step()
        model.discriminator.requires_grad_(False)                     # 6. the updated D,
        d_fake = model.discriminate(fake)                             #    frozen
        model.discriminator.requires_grad_(True)
        loss_g = F.binary_cross_entropy_with_logits(d_fake, ones)     # 7. non-saturating
        self.opt_g.zero_grad()
        loss_g.backward()
        self.opt_g.step()
        return loss_d.item(), loss_g.item()


# --- training -----------------------------------------------------------------------------

def train(name: str, loader: DataLoader, out: Path, epochs: int, max_steps: int | None,
          deadline: float | None, retrain: bool) -> dict[str, Any]:
    """Train (or continue) the PyTorch ``name``; returns its record (also in out/torch_NAME.json).

    A checkpoint (models, optimizers, torch's RNG, the position in the epoch) after each
    epoch and when the deadline stops training lets a later call continue: the data order
    of epoch k depends on (seed, k) only, so it continues exactly where it stopped.
    """
    ckpt_path, record_path = out / f"torch_{name}.pt", out / f"torch_{name}.json"
    torch.manual_seed(SEED)
    model = MODELS[name]()
    step = Step(model)
    record: dict[str, Any] = {"model": name, "target_epochs": epochs, "epochs": 0, "batch": 0,
                              "steps": 0, "epoch_seconds": [], "partial_seconds": 0.0}
    if ckpt_path.exists() and not retrain:
        state = torch.load(ckpt_path, weights_only=False)
        model.load_state_dict(state["model"])
        step.opt_d.load_state_dict(state["opt_d"])
        step.opt_g.load_state_dict(state["opt_g"])
        torch.set_rng_state(state["rng"])
        record = state["record"]
        print(f"[torch {name}] continuing at epoch {record['epochs'] + 1}, "
              f"batch {record['batch']}", flush=True)
    record["target_epochs"] = epochs

    def save() -> None:
        torch.save({"model": model.state_dict(), "opt_d": step.opt_d.state_dict(),
                    "opt_g": step.opt_g.state_dict(), "rng": torch.get_rng_state(),
                    "record": record}, ckpt_path)

    model.train()
    per_epoch, stopped = len(loader), False
    while record["epochs"] < epochs and not stopped:
        epoch, start, losses = record["epochs"], time.perf_counter(), []
        begun_at, spent_before = record["batch"], record["partial_seconds"]
        for x, _ in islice(loader.numpy_batches(epoch), begun_at, None):
            if max_steps is not None and record["steps"] >= max_steps:
                stopped = True
                break
            if STOP:
                stopped = True
                break
            if deadline is not None and time.time() > deadline:
                print(f"[torch {name}] --budget-min reached at epoch {epoch + 1}, batch "
                      f"{record['batch']}/{per_epoch}", flush=True)
                stopped = True
                break
            losses.append(step(torch.from_numpy(x)))
            record["batch"] += 1
            record["steps"] += 1
            if record["batch"] % 100 == 0:
                d, g = np.mean(losses[-100:], axis=0)
                print(f"[torch {name}] epoch {epoch + 1}/{epochs} step {record['batch']}/"
                      f"{per_epoch} loss_d {d:.3f} loss_g {g:.3f} "
                      f"({time.perf_counter() - start:.0f} s)", flush=True)
        seconds = spent_before + time.perf_counter() - start
        if record["batch"] == per_epoch:  # a whole epoch
            record["epochs"] += 1
            record["batch"], record["partial_seconds"] = 0, 0.0
            record["epoch_seconds"].append(seconds)
            print(f"[torch {name}] epoch {epoch + 1} done in {seconds:.1f} s", flush=True)
        else:
            record["partial_seconds"] = seconds
        save()
    if STOP:
        print(f"[torch {name}] interrupted: checkpoint saved at epoch {record['epochs'] + 1}, "
              f"batch {record['batch']}; run the same command again to continue", flush=True)
        record["interrupted"] = True
    if record["batch"] and not record["epoch_seconds"]:
        # Only part of one epoch (--quick, or a short budget): scale it up to a whole one.
        record["epoch_seconds_estimate"] = record["partial_seconds"] * per_epoch / record["batch"]
    record["epochs_done"] = record["epochs"] + record["batch"] / per_epoch
    record_path.write_text(json.dumps(record, indent=2))
    record["net"] = model
    return record


def torch_samples(model: GAN, n: int, path: Path, seed: int = SEED,
                  batch_size: int = 500) -> np.ndarray:
    """n samples as float32 (n, 1, 28, 28) in [0, 1], G in eval mode (batchnorm's running
    statistics), as minigen.metrics.draw_samples makes them; saved to ``path``."""
    model.eval()
    torch.manual_seed(seed)
    chunks = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            size = min(batch_size, n - start)
            chunks.append(((model.generate(model.noise(size)) + 1) * 0.5).numpy())
    samples = np.clip(np.concatenate(chunks), 0.0, 1.0).astype(np.float32)
    np.save(path, samples)
    return samples


def minigen_samples(run: Path, n: int, path: Path) -> np.ndarray | None:
    """n samples of minigen's run folder, written by ``minigen sample`` itself (seed 0)."""
    if not (run / "checkpoint.mg").exists():
        print(f"minigen run {run} is missing (run benchmarks/quality.py first); "
              "its row is left out", flush=True)
        return None
    status = minigen_cli(["sample", str(run), "-n", str(n), "--out", str(path),
                          "--device", "cpu", "--seed", str(SEED)])
    if status != 0:
        print(f"minigen sample {run} failed with status {status}; its row is left out")
        return None
    return np.load(path)


def epochs_csv(run: Path) -> list[float]:
    """Training seconds of each epoch of a minigen run (its epochs.csv)."""
    path = run / "epochs.csv"
    if not path.exists():
        return []
    lines = path.read_text().splitlines()[1:]
    return [float(line.split(",")[2]) for line in lines if line.strip()]


# --- measuring ----------------------------------------------------------------------------

class Judge:
    """minigen's trained classifier, with the test images' features computed once."""

    def __init__(self, classifier_run: Path, data_dir: str) -> None:
        self.classifier, _ = load_model(classifier_run, "cpu", expect_model="classifier")
        test = get_dataset("fashion-mnist", root=data_dir, train=False, download=False)
        self.real_features, predicted = classify(self.classifier, unit_images(test), "cpu")
        self.accuracy = float((predicted == np.asarray(test.labels)).mean())

    def __call__(self, samples: np.ndarray) -> dict[str, Any]:
        features, predicted = classify(self.classifier, samples, "cpu")
        coverage = class_coverage(predicted)
        return {"frechet": frechet_distance(features, self.real_features),
                "covered": coverage.covered, "entropy": coverage.entropy,
                "counts": coverage.counts.tolist(), "n": len(samples)}


# --- report -------------------------------------------------------------------------------

def timing(seconds: list[float]) -> str:
    if not seconds:
        return "-"
    return (f"{statistics.median(seconds):.1f} ({sum(seconds) / len(seconds):.1f}; "
            f"{min(seconds):.1f})")


def table(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["| model | library | epochs | s / epoch, median (mean; fastest) | classifier Frechet "
             "distance | classes covered | class entropy | smallest class share |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        m = r["metrics"]
        share = min(m["counts"]) / max(1, m["n"])
        lines.append(f"| {r['model']} | {r['library']} | {r['epochs']} | {r['timing']} | "
                     f"{m['frechet']:.2f} | {m['covered']} | {m['entropy']:.3f} | "
                     f"{100 * share:.1f}% |")
    return lines


def comparisons(rows: list[dict[str, Any]]) -> list[str]:
    """One sentence per model measured in both libraries: minigen against PyTorch."""
    lines = []
    for name in MODELS:
        pair = {r["library"]: r for r in rows if r["model"] == name}
        if "PyTorch" not in pair or "minigen" not in pair:
            continue
        ours, theirs = pair["minigen"]["metrics"], pair["PyTorch"]["metrics"]
        again = pair["PyTorch"].get("second_draw_frechet")
        line = (f"**{name}**: minigen's classifier Frechet distance {ours['frechet']:.2f} "
                f"against PyTorch's {theirs['frechet']:.2f} "
                f"({100 * (ours['frechet'] / theirs['frechet'] - 1):+.1f}%); classes covered "
                f"{ours['covered']} against {theirs['covered']}, entropy "
                f"{ours['entropy']:.3f} against {theirs['entropy']:.3f}.")
        if again is not None:
            line += (f" A second {theirs['n']:,}-sample draw of the same PyTorch model (seed "
                     f"{SEED + 1}) gives {again:.2f}: sampling alone moves the distance by "
                     f"{abs(again - theirs['frechet']):.2f}, so differences of that order are noise "
                     "(and the spread between training seeds, not measured with one run per "
                     "library, adds to it).")
        lines.append(line)
    return [f"{line}\n" for line in lines]


def previous_wall(out: Path, fresh: bool) -> float:
    """Wall seconds of the earlier invocations whose checkpoints this one continues."""
    path = out / "wall_seconds.json"
    if fresh or not path.exists():
        return 0.0
    return float(json.loads(path.read_text())["seconds"])


def duration(seconds: float) -> str:
    return f"{seconds:.0f} seconds" if seconds < 90 else f"{seconds / 60:.0f} minutes"


def section(rows: list[dict[str, Any]], notes: list[str], command: str, wall: float,
            total: float, accuracy: float, n: int) -> str:
    today = datetime.date.today().isoformat()
    cpu = f"{os.cpu_count()} CPU cores, {platform.processor() or platform.machine()}"
    return "\n".join([
        START,
        "### PyTorch reference for the GANs (same architectures, same recipe, same evaluator)",
        "",
        f"Produced on {today} by `{command}` ({duration(wall)} of wall time"
        + (f"; {duration(total)} in all with the earlier invocations whose checkpoints it "
           "continued" if total > wall + 1 else "") + ", "
        f"torch {torch.__version__}, `torch.set_num_threads(2)`, {cpu}). PyTorch is not a "
        "dependency of minigen; this benchmark needs it installed. The PyTorch models are "
        "layer for layer minigen's `GAN` and `DCGAN`, trained with the recipe of "
        "`minigen.train.gan_step` on batches from `minigen.data.DataLoader` (pixels in "
        "[-1, 1], batch 64, seed 0, last short batch dropped): Adam 2e-4, betas (0.5, 0.999), "
        "BCE with logits, D on real and fake batches separately, the non-saturating G loss; "
        "PyTorch's default init for the MLP GAN, N(0, 0.02) / BN N(1, 0.02) / zero biases for "
        "the DCGAN. minigen's rows are its runs of `benchmarks/quality.py` "
        "(`runs/quality/gan`, `runs/quality/dcgan`), sampled with `minigen sample RUN -n "
        f"{n} --seed 0`.",
        "",
        f"Both libraries' {n:,} samples are measured by the same judge, minigen's "
        f"`runs/quality/classifier` (test accuracy {accuracy:.4f}) through `minigen.metrics`: "
        "classifier Frechet distance to the 10,000 test images (lower is better), classes "
        "holding at least 2% of the samples, entropy of the class histogram (ln 10 = 2.303 "
        "nats at most). The *real images* row is 10,000 training images: the floor of the "
        "distance. Seconds per epoch are training only; the PyTorch ones were taken "
        f"{_niceness_words()}, and minigen's when `benchmarks/quality.py` ran, so medians and "
        "means compare only roughly; the fastest epoch is the nearest to an idle machine.",
        "",
        *table(rows),
        "",
        *notes,
        END,
    ])


def write_section(text: str, path: Path) -> None:
    """Replace our block of ``path``, or insert it right after the quality section."""
    replace_block(path, START, END, text, after=QUALITY_END)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_data = ROOT.parent / "shared" / "data" / "fashion-mnist"
    parser.add_argument("--data-dir", default=str(default_data))
    parser.add_argument("--models", default="gan,dcgan", help="comma-separated: gan, dcgan")
    parser.add_argument("--epochs-gan", type=int, default=EPOCHS["gan"])
    parser.add_argument("--epochs-dcgan", type=int, default=EPOCHS["dcgan"])
    parser.add_argument("--quality-runs", default=str(ROOT / "runs" / "quality"),
                        help="benchmarks/quality.py's run folders (minigen's models and the judge)")
    parser.add_argument("--out", default=None,
                        help="default runs/torch_reference (with --quick: ..._quick)")
    parser.add_argument("-n", type=int, default=10000, help="samples per model (default 10000)")
    parser.add_argument("--quick", action="store_true",
                        help=f"end-to-end check: {QUICK_STEPS} steps per model, "
                             f"{QUICK_SAMPLES} samples, docs not written")
    parser.add_argument("--budget-min", type=float, default=None,
                        help="total wall-time budget: training stops (with a checkpoint) "
                             f"{EVAL_RESERVE_MIN:.0f} minutes before it, to measure what exists")
    parser.add_argument("--retrain", action="store_true", help="ignore saved PyTorch checkpoints")
    parser.add_argument("--results", default=str(ROOT / "docs" / "results.md"))
    parser.add_argument("--no-docs", action="store_true", help="print the table only")
    args = parser.parse_args()

    began = time.time()
    # Training stops EVAL_RESERVE_MIN before the budget ends, to leave time for measuring.
    deadline = (None if args.budget_min is None
                else began + 60 * (args.budget_min - EVAL_RESERVE_MIN))
    torch.set_num_threads(2)
    wanted = [m.strip() for m in args.models.split(",") if m.strip()]
    if unknown := [m for m in wanted if m not in MODELS]:
        raise SystemExit(f"unknown model(s) {unknown}; choose from {list(MODELS)}")
    epochs = {"gan": args.epochs_gan, "dcgan": args.epochs_dcgan}
    n = QUICK_SAMPLES if args.quick else args.n
    max_steps = QUICK_STEPS if args.quick else None
    default_out = "torch_reference_quick" if args.quick else "torch_reference"
    out = Path(args.out) if args.out else ROOT / "runs" / default_out
    out.mkdir(parents=True, exist_ok=True)
    quality = Path(args.quality_runs)
    if not Path(args.data_dir).is_dir():
        raise SystemExit(f"--data-dir {args.data_dir}: no such folder")
    if not (quality / "classifier" / "checkpoint.mg").exists():
        raise SystemExit(f"the judge {quality / 'classifier'} is missing: run "
                         "benchmarks/quality.py --models classifier first")

    train_set = get_dataset("fashion-mnist", root=args.data_dir, train=True, download=False)
    loader = DataLoader(train_set, BATCH, shuffle=True, drop_last=True, seed=SEED,
                        scale="symmetric")
    judge = Judge(quality / "classifier", args.data_dir)
    print(f"judge: {quality / 'classifier'}, test accuracy {judge.accuracy:.4f}", flush=True)

    rows, notes = [], []
    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    real = unit_images(train_set)[np.random.default_rng(SEED).permutation(len(train_set))[:n]]
    rows.append({"model": "real images", "library": "-", "epochs": "-", "timing": "-",
                 "metrics": judge(real)})
    for name in wanted:
        record = train(name, loader, out, epochs[name], max_steps, deadline,
                       args.retrain or args.quick)
        if record.get("interrupted"):
            spent = time.time() - began + previous_wall(out, args.retrain or args.quick)
            (out / "wall_seconds.json").write_text(json.dumps({"seconds": spent}))
            sys.exit(130)
        done, target = record["epochs_done"], epochs[name]
        if record["steps"] == 0:
            notes.append(f"PyTorch {name}: not trained, the time budget was spent before it "
                         "started; run the same command again (or with --models "
                         f"{name}) to train it.")
        else:
            samples = torch_samples(record["net"], n, out / f"torch_{name}_samples.npy")
            seconds = record["epoch_seconds"]
            shown = timing(seconds)
            if not seconds and "epoch_seconds_estimate" in record:
                shown = f"~{record['epoch_seconds_estimate']:.0f} (from part of one)"
            if args.quick:
                label = f"{record['steps']} steps"
            elif done >= target:
                label = f"{target}"
            else:
                label = f"{done:.2f} of {target}"
                per = statistics.median(seconds) if seconds else record.get(
                    "epoch_seconds_estimate", 0.0)
                notes.append(f"PyTorch {name}: stopped by the time budget after {done:.2f} of "
                             f"{target} epochs; the rest would take about "
                             f"{(target - done) * per / 60:.0f} more minutes at this run's pace. "
                             "The same command continues from the checkpoint.")
            # A second draw of the same model: how much the distance moves by sampling alone.
            again = torch_samples(record["net"], n, out / f"torch_{name}_samples_seed1.npy",
                                  seed=SEED + 1)
            rows.append({"model": name, "library": "PyTorch", "epochs": label,
                         "timing": shown, "metrics": judge(samples),
                         "second_draw_frechet": judge(again)["frechet"]})
        run = quality / name
        ours = minigen_samples(run, n, out / f"minigen_{name}_samples.npy")
        if ours is None:
            notes.append(f"minigen {name}: no run in {run}; run benchmarks/quality.py.")
            continue
        seconds = epochs_csv(run)
        rows.append({"model": name, "library": "minigen", "epochs": f"{len(seconds)}",
                     "timing": timing(seconds), "metrics": judge(ours)})
        print("\n".join(table(rows)), flush=True)

    notes += comparisons(rows)
    wall = time.time() - began
    total = wall + previous_wall(out, args.retrain or args.quick)
    (out / "wall_seconds.json").write_text(json.dumps({"seconds": total}))
    print()
    print("\n".join(table(rows)))
    for note in notes:
        print(note)
    print(f"wall time {wall / 60:.1f} min (with earlier invocations: {total / 60:.1f} min)")
    (out / "table.json").write_text(json.dumps(rows, indent=2))
    if args.quick or args.no_docs:
        return
    nice = f"nice -n {os.nice(0)} " if os.nice(0) > 0 else ""
    command = (f"env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE {nice}python "
               "benchmarks/torch_reference.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]))
    write_section(section(rows, notes, command.strip(), wall, total, judge.accuracy, n),
                  Path(args.results))
    print(f"wrote the torch-reference block of {args.results}")


def _niceness_words() -> str:
    """How this run shared the machine, as the table's note says it."""
    if os.nice(0) > 0:
        return f"under `nice -n {os.nice(0)}`, as other jobs may have used this 2-core machine"
    return "in a separate run on the same machine"


if __name__ == "__main__":
    main()
