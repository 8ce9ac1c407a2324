"""``minigen train``, ``sample``, ``eval`` and ``info`` from the command line, in a subprocess."""

import numpy as np
import pytest
from clihelpers import run_minigen as run


@pytest.fixture(scope="module")
def vae_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "vae"
    result = run("train", "vae", "--max-steps", "12", "--log-every", "4", "--out", out,
                 "--latent-dim", "2", "--no-progress")
    assert result.returncode == 0, result.stderr
    return out, result


def test_train_writes_the_run_folder(vae_run):
    out, result = vae_run
    assert "Trained vae: step 12" in result.stdout
    assert "Traceback" not in result.stderr
    for name in ("checkpoint.mg", "config.json", "metrics.csv", "loss_curves.png",
                 "samples/final.png"):
        assert (out / name).exists(), name
    lines = (out / "metrics.csv").read_text().splitlines()
    assert lines[0].startswith("step,epoch,loss,recon,kl,kl_weight,grad_norm,kl_dim_0,kl_dim_1")
    assert len(lines) == 13  # a row per step
    assert (out / "loss_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sample_writes_npy_and_grid(vae_run, minigen, tmp_path):
    out, _ = vae_run
    result = minigen("sample", out, "-n", "10", "--out", tmp_path / "s.npy",
                     "--grid", tmp_path / "g.png")
    assert result.returncode == 0, result.stderr
    samples = np.load(tmp_path / "s.npy")
    assert samples.shape == (10, 1, 28, 28) and samples.dtype == np.float32
    assert samples.min() >= 0 and samples.max() <= 1
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_eval_reports_the_negative_elbo(vae_run, minigen):
    out, _ = vae_run
    result = minigen("eval", out)
    assert result.returncode == 0, result.stderr
    assert "test_neg_elbo_nats:" in result.stdout
    assert (out / "eval.json").exists()


def test_info(minigen):
    result = minigen("info")
    assert result.returncode == 0 and "minigen" in result.stdout and "devices:" in result.stdout


def test_conditional_gan_samples_one_class(minigen, tmp_path):
    out = tmp_path / "cgan"
    result = minigen("train", "cgan", "--max-steps", "2", "--batch-size", "8", "--out", out,
                     "--no-progress")
    assert result.returncode == 0, result.stderr
    result = minigen("sample", out, "-n", "4", "--label", "3", "--out", tmp_path / "c.npy")
    assert result.returncode == 0, result.stderr
    assert np.load(tmp_path / "c.npy").shape == (4, 1, 28, 28)
