"""The measuring tools: Frechet distance, class coverage, the negative ELBO, metrics.csv."""

import numpy as np
import pytest

import minigen as mg
from minigen.metrics import class_coverage, frechet_distance, frechet_distance_from_stats
from minigen.metrics.elbo import negative_elbo
from minigen.models import VAE
from minigen.train.metrics_log import MetricsLog, read_metrics
from minigen.train.vae_step import vae_loss


def test_frechet_distance_of_known_gaussians():
    # N(0, I) vs N(m, 4 I) in D dims: |m|^2 + D (1 + 4 - 2 * 2) = |m|^2 + D.
    d = 3
    mu = np.array([1.0, 2.0, 0.0])
    value = frechet_distance_from_stats(np.zeros(d), np.eye(d), mu, 4 * np.eye(d))
    assert value == pytest.approx(5.0 + d)


def test_frechet_distance_of_samples():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((20000, 4))
    assert frechet_distance(a, rng.standard_normal((20000, 4))) < 0.01
    assert frechet_distance(a, rng.standard_normal((20000, 4)) + 1) == pytest.approx(4, abs=0.1)


def test_class_coverage():
    predictions = np.array([0] * 50 + [1] * 49 + [2])
    c = class_coverage(predictions, num_classes=10)
    assert c.covered == 2  # class 2 holds 1% < 2%
    p = np.array([0.5, 0.49, 0.01])
    assert c.entropy == pytest.approx(-(p * np.log(p)).sum())
    uniform = class_coverage(np.arange(1000) % 10)
    assert uniform.covered == 10 and uniform.entropy == pytest.approx(np.log(10))


def test_negative_elbo_matches_the_training_loss():
    mg.manual_seed(0)
    model = VAE()
    x = mg.rand(16, 1, 28, 28)
    mg.manual_seed(5)
    value = negative_elbo(model, x.numpy(), batch_size=16)
    mg.manual_seed(5)
    with mg.no_grad():
        logits, mu, logvar = model(x)  # the same z draw as negative_elbo made
        loss, *_ = vae_loss(logits, x, mu, logvar)
    assert value == pytest.approx(loss.item(), rel=1e-5)


def test_metrics_log_writes_one_row_per_step(tmp_path):
    log = MetricsLog(tmp_path / "m.csv")
    for step in range(1, 6):
        metrics = {"loss": mg.tensor(float(step)), "w": 0.5, "kl_dim": mg.tensor([1.0, 2.0])}
        log.add(step, 1, metrics)
    rows = log.flush()
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5] and rows[0]["kl_dim_1"] == 2.0
    # A run resumed from step 3 appends steps 4 and 5 again: the file keeps every row, the
    # history read back is the resumed run's.
    again = MetricsLog(tmp_path / "m.csv")
    assert again.rows == 5
    for step in (4, 5):
        again.add(step, 1, {"loss": mg.tensor(10.0 * step), "w": 0.5, "kl_dim": mg.zeros(2)})
    again.flush()
    assert len((tmp_path / "m.csv").read_text().splitlines()) == 1 + 7
    m = read_metrics(tmp_path / "m.csv")
    assert m["step"].tolist() == [1, 2, 3, 4, 5] and m["loss"].tolist() == [1, 2, 3, 40, 50]
