"""The quality runs of issue 5, in one command: train, measure, write docs/results.md.

    python benchmarks/quality.py --data-dir ../shared/data/fashion-mnist

On the full Fashion-MNIST, with each model's recipe (fixed seed 0):

1. the measuring classifier, 3 epochs (its test accuracy is reported);
2. VAE 10 epochs, ConvVAE 10 epochs: test-set negative ELBO (targets: <= 245 and <= 241);
3. GAN 10 epochs, DCGAN 5 epochs: classifier Frechet distance and class coverage of
   10,000 samples (target: all 10 classes covered);

then the "Quality" section of docs/results.md (between its markers; the rest of the file is
left alone) and one sample grid per model in docs/images/. Runs live in --out
(default runs/quality); a finished run is reused and an unfinished one resumed, so the
command can be stopped and run again, and ``--models vae`` does one model at a time.
Everything goes through the ``minigen`` command line, as a user would run it.
``--report-only`` rewrites the section from the runs already there.

From scratch it takes about 35 minutes on 2 CPU cores (DCGAN about 20 of them). The
numbers in docs/results.md were taken with this machine's old-OpenBLAS settings removed
(``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/quality.py ...``), as on a
user's machine, which has neither; tests and CI keep them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results_file import replace_block  # noqa: E402  (benchmarks/, the script's folder)

from minigen.cli.main import main as minigen  # noqa: E402

#: model -> (epochs, the target in words)
PLAN = {
    "classifier": (3, "test accuracy reported"),
    "vae": (10, "negative ELBO <= 245 (PyTorch: 244.1)"),
    "conv-vae": (10, "negative ELBO <= 241 (PyTorch: 239.8)"),
    "gan": (10, "all 10 classes covered"),
    "dcgan": (5, "all 10 classes covered"),
}
BEGIN, END = "<!-- quality:begin -->", "<!-- quality:end -->"


def finished_epochs(run: Path) -> int:
    path = run / "epochs.csv"
    if not path.exists():
        return 0
    with open(path, newline="") as f:
        return max((int(r["epoch"]) for r in csv.DictReader(f)), default=0)


def epoch_seconds(run: Path) -> list[float]:
    """Training seconds of each finished epoch (pictures and checks excluded)."""
    path = run / "epochs.csv"
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [float(r["seconds"]) for r in csv.DictReader(f)]


def call(args: list[str]) -> None:
    print("$ minigen " + " ".join(args), flush=True)
    status = minigen(args)
    if status != 0:
        raise SystemExit(f"minigen {args[0]} failed with status {status}")


def run_model(name: str, out: Path, data_dir: str, device: str, progress: bool) -> float:
    """Train (or resume, or reuse) one model and measure it; returns the wall seconds."""
    epochs, _ = PLAN[name]
    run = out / name
    start = time.perf_counter()
    if finished_epochs(run) < epochs:
        args = ["train", name, "--data", "fashion-mnist", "--data-dir", data_dir,
                "--epochs", str(epochs), "--out", str(run), "--device", device, "--seed", "0"]
        if (run / "checkpoint.mg").exists():
            args.append("--resume")
        if not progress:
            args.append("--no-progress")
        call(args)
    if name != "classifier":
        eval_args = ["eval", str(run), "--device", device, "--data-dir", data_dir]
        if name in ("gan", "dcgan") or (out / "classifier" / "checkpoint.mg").exists():
            eval_args += ["--classifier", str(out / "classifier")]
        call(eval_args)
        grid = ROOT / "docs" / "images" / f"quality_{name}.png"
        call(["sample", str(run), "-n", "64", "--grid", str(grid), "--device", device])
    else:
        call(["eval", str(run), "--device", device, "--data-dir", data_dir])
    return time.perf_counter() - start


def fmt(value: object, digits: int = 1) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return "-" if value is None else str(value)


def section(out: Path, wall: dict[str, float]) -> str:
    """The Markdown of the quality section, from the run folders' eval.json and epochs.csv."""
    rows, grids = [], []
    for name, (_, target) in PLAN.items():
        run = out / name
        result_file = run / "eval.json"
        if not result_file.exists():
            continue
        r = json.loads(result_file.read_text())
        seconds = epoch_seconds(run)
        timing = "-"
        if seconds:
            timing = f"{statistics.median(seconds):.1f} ({sum(seconds) / len(seconds):.1f})"
        rows.append(
            f"| {name} | {finished_epochs(run)} | {timing} | {fmt(sum(seconds) / 60)} | "
            f"{fmt(r.get('test_neg_elbo_nats'))} | "
            f"{fmt(r.get('classifier_frechet_distance'), 2)} | "
            f"{fmt(r.get('classes_covered'))} | {fmt(r.get('class_histogram_entropy'), 3)} | "
            f"{fmt(r.get('test_accuracy', r.get('classifier_test_accuracy')), 4)} | {target} |"
        )
        if name != "classifier":
            grids.append(f"![{name} samples](images/quality_{name}.png)")
    cpu = f"{os.cpu_count()} CPU cores, {platform.processor() or platform.machine()}"
    lines = [
        BEGIN,
        "## Quality (issue 5): the generative models on Fashion-MNIST",
        "",
        "Produced by `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/quality.py "
        "--data-dir ../shared/data/fashion-mnist` (about 35 minutes from scratch) "
        f"on {cpu}, device `cpu`, seed 0, each model with its recipe (VAEs: Adam 1e-3, batch "
        "128; GANs: Adam 2e-4, betas (0.5, 0.999), batch 64). Seconds per epoch are training "
        "time only (pictures and checks excluded); the median is shown first because other "
        "jobs may share the machine and slow single epochs down.",
        "",
        "The negative ELBO is in nats per test image with one z sample per image. The "
        "*classifier Frechet distance* compares 10,000 samples with the 10,000 test images in "
        "the 128-d feature space of the small CNN that `minigen train classifier` trains "
        "(its test accuracy is in the last numeric column): it is not FID and is comparable "
        "only between minigen runs. Classes covered: classes holding at least 2% of the "
        "10,000 samples, as the same classifier labels them; entropy of the class histogram "
        "in nats (ln 10 = 2.303 for a perfectly even spread).",
        "",
        "| model | epochs | s / epoch, median (mean) | training (min) | test -ELBO (nats) | "
        "classifier Frechet distance | classes covered | class entropy | classifier accuracy "
        "| target |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    if wall:
        lines.append("Wall time of the last invocation, per model (training when it was not "
                     "already done, then measuring and drawing): " + ", ".join(
                         f"{k} {v / 60:.1f} min" for k, v in wall.items()) + ".")
        lines.append("")
    lines += [*grids, END]
    return "\n".join(lines)


def write_section(text: str, path: Path) -> None:
    """Replace the quality section of ``path`` (or append it), keeping everything else."""
    replace_block(path, BEGIN, END, text)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_data = ROOT.parent / "shared" / "data" / "fashion-mnist"
    parser.add_argument("--data-dir", default=str(default_data))
    parser.add_argument("--models", default=",".join(PLAN),
                        help="comma-separated, from: " + ", ".join(PLAN))
    parser.add_argument("--out", default=str(ROOT / "runs" / "quality"))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--progress", action="store_true", help="show progress bars")
    parser.add_argument("--results", default=str(ROOT / "docs" / "results.md"))
    parser.add_argument("--report-only", action="store_true",
                        help="only rewrite the section from the runs already in --out")
    args = parser.parse_args()
    out = Path(args.out)
    if args.report_only:
        write_section(section(out, {}), Path(args.results))
        print(f"wrote the quality section of {args.results}")
        return
    wanted = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in wanted if m not in PLAN]
    if unknown:
        raise SystemExit(f"unknown model(s) {unknown}; choose from {list(PLAN)}")
    if any(m in ("gan", "dcgan") for m in wanted) and "classifier" not in wanted:
        if finished_epochs(out / "classifier") < PLAN["classifier"][0]:
            wanted.insert(0, "classifier")  # the GANs are measured with it
    wall = {}
    for name in wanted:
        wall[name] = run_model(name, out, args.data_dir, args.device, args.progress)
        write_section(section(out, wall), Path(args.results))  # after each: partial results
        print(f"{name}: {wall[name] / 60:.1f} min", flush=True)
    print(f"wrote the quality section of {args.results}")


if __name__ == "__main__":
    main()
