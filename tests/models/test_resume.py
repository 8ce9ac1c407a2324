"""Save, resume and sample round trips: a resumed run is the uninterrupted run, exactly."""

import numpy as np
import pytest

import minigen as mg
from minigen.train import TrainConfig, load_model, train


def parameters(run):
    model, _ = load_model(run)
    return {k: v.numpy() for k, v in model.state_dict().items()}


def assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize(
    "model, total, stop, batch, options",
    [
        ("vae", 70, 60, 128, {}),  # crosses the epoch end (66 batches) after the resume
        ("dcgan", 6, 3, 16, {}),  # batchnorm buffers, two optimizers
        ("vae", 6, 3, 32, {"beta": 0.5, "kl_warmup": 5}),  # resumed in the middle of the ramp
        # Stopped between G steps: the next D-only step repeats the last G metrics (issue 13:
        # this was a KeyError).
        ("gan", 5, 3, 8, {"d_steps": 2, "label_smoothing": 0.1}),
        # The rest of the models and options (-m slow):
        pytest.param("cgan", 4, 3, 8, {"d_steps": 2}, marks=pytest.mark.slow),
        pytest.param("ae", 5, 2, 32, {}, marks=pytest.mark.slow),
        pytest.param("conv-vae", 3, 1, 8, {}, marks=pytest.mark.slow),
        pytest.param("gan", 7, 4, 16, {"d_steps": 3, "label_smoothing": 0.1},
                     marks=pytest.mark.slow),
        pytest.param("gan", 5, 3, 16, {"d_steps": 2, "saturating": True}, marks=pytest.mark.slow),
        pytest.param("classifier", 5, 2, 32, {}, marks=pytest.mark.slow),
    ],
)
def test_resume_equals_uninterrupted(tmp_path, model, total, stop, batch, options):
    common = dict(model=model, batch_size=batch, epochs=2, log_every=5, **options)
    whole = train(TrainConfig(out=str(tmp_path / "a"), max_steps=total, **common), progress=False)
    first = train(TrainConfig(out=str(tmp_path / "b"), max_steps=stop, **common), progress=False)
    assert first.step == stop
    second = train(TrainConfig(model=model, out=str(tmp_path / "b"), max_steps=total),
                   resume=True, progress=False)
    assert whole.step == second.step == total
    assert_same(parameters(tmp_path / "a"), parameters(tmp_path / "b"))
    a = (tmp_path / "a" / "metrics.csv").read_text()
    b = (tmp_path / "b" / "metrics.csv").read_text()
    assert a == b  # the same losses, step by step


def test_resume_restores_optimizer_and_step(tmp_path):
    config = dict(model="gan", batch_size=16, log_every=2)
    train(TrainConfig(out=str(tmp_path / "g"), max_steps=4, **config), progress=False)
    from minigen.train import load_checkpoint

    state = load_checkpoint(tmp_path / "g")
    assert state["position"] == {"step": 4, "epoch": 0, "batch": 4, "rows": 4}
    assert state["trainer"]["steps"] == 4
    assert set(state["trainer"]["last_g"]) == {"loss_g", "grad_norm_g"}
    # Adam moments for every parameter: D has 3 Linear layers (6 tensors), G has 4 (8).
    assert len(state["trainer"]["opt_d"]["state"]) == 6
    assert len(state["trainer"]["opt_g"]["state"]) == 8


def test_sample_round_trip(tmp_path):
    train(TrainConfig(model="gan", out=str(tmp_path / "g"), batch_size=16, max_steps=2),
          progress=False)
    from minigen.metrics import draw_samples

    model, _ = load_model(tmp_path / "g")
    again, _ = load_model(tmp_path / "g")  # (building a model draws its initial weights)
    mg.manual_seed(1)
    a = draw_samples(model, 7)
    mg.manual_seed(1)
    b = draw_samples(again, 7)
    assert a.shape == (7, 1, 28, 28) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)


def test_training_loop_on_the_strict_device(tmp_path):
    """The whole loop (batches, steps, logs, checkpoint, pictures) on the CuPy stand-in."""
    result = train(TrainConfig(model="vae", out=str(tmp_path / "s"), device="strict",
                               max_steps=3, log_every=2), progress=False)
    assert result.step == 3 and (tmp_path / "s" / "checkpoint.mg").exists()
