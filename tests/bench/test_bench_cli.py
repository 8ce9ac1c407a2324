"""``minigen bench`` end to end, and its rows built on a device that is not NumPy's."""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigen as mg
from minigen.bench.rows import build_minigen, row_specs
from minigen.bench.timer import measure

REPO = Path(__file__).resolve().parents[2]


def test_quick_bench_on_a_machine_without_a_gpu_says_so_and_times_the_cpu(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["CUDA_VISIBLE_DEVICES"] = ""  # hide any GPU: this test is about the machine without one
    # A default device that is not there must not matter: the CPU rows are built on the CPU
    # (the H200 run's suite under MINIGEN_DEVICE=cuda failed here).
    env["MINIGEN_DEVICE"] = "cuda"
    done = subprocess.run(
        [sys.executable, "-m", "minigen.cli", "bench", "--quick", "--out", str(tmp_path)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "no GPU found" in done.stdout
    assert "BLAS:" in done.stdout  # the kernel in use is part of every report
    for name in ("matmul 512x512", "Conv2d B=16", "ConvTranspose2d B=1", "BatchNorm2d B=16",
                 "tanh B=1024", "dcgan step (batch 64)", "conv-vae step (batch 128)"):
        assert name in done.stdout
    with open(tmp_path / "bench.csv") as f:
        lines = list(csv.DictReader(f))
    assert {line["device"] for line in lines} == {"cpu"}
    assert all(float(line["median_ms"]) > 0 for line in lines)
    assert len({line["family"] for line in lines}) == 6  # every family but the GPU's copies
    assert (tmp_path / "speedup.png").stat().st_size > 10_000
    assert (tmp_path / "bench.md").read_text().startswith("| row | minigen ms")
    assert "no GPU found" in (tmp_path / "bench.txt").read_text()


def test_bad_rows_are_refused(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "minigen.cli", "bench", "--rows", "nope"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_rows_run_on_the_strict_stand_in_device():
    """The GPU half's code path (arrays that are not NumPy's, copies to and from the device)
    runs on the strict device, which refuses implicit host copies as CuPy does."""
    device = mg.Device("strict")
    wanted = {("matmul", 64), ("elementwise", 16), ("conv2d", 1), ("batchnorm2d", 1),
              ("h2d", 4096), ("h2d_batch", 4096), ("h2d_pinned", 4096), ("d2h", 4096)}
    specs = [s for s in row_specs(quick=True) if (s.family, s.size) in wanted]
    specs += [s for s in row_specs(["train_step"]) if s.params["model"] == "ae"]
    assert len(specs) == 9
    for spec in specs:
        fn = build_minigen(spec, device)
        assert measure(fn, warmup=1, repeats=1).median > 0
    d2h = build_minigen(next(s for s in specs if s.family == "d2h"), device)
    assert isinstance(d2h(), np.ndarray)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="PyTorch not installed")
def test_torch_rows_mirror_minigen_models_and_run():
    import torch

    from minigen.bench import torch_rows
    from minigen.train.recipes import RECIPES, build_model

    models = torch_rows._models()
    for name in ("ae", "vae", "conv-vae", "gan", "dcgan"):
        ours = build_model(name, RECIPES[name].latent_dim)
        theirs = models[name]()
        shapes = sorted(tuple(p.shape) for p in ours.parameters())
        assert shapes == sorted(tuple(p.shape) for p in theirs.parameters()), name
    for spec in row_specs(["train_step"]):
        if spec.params["model"] not in ("vae", "dcgan"):  # one of each kind of step
            continue
        out = torch_rows.build_torch(spec, "cpu")()
        if isinstance(out, dict):
            assert all(bool(torch.isfinite(v).all()) for v in out.values())
