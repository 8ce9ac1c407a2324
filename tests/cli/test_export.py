"""``minigen export RUN --to model.safetensors``: a run's weights, PyTorch's names, one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import load_file

import minigen as mg
from minigen.cli.main import main
from minigen.models import DCGAN
from minigen.safetensors_file import read_safetensors_metadata
from minigen.train import TrainConfig
from minigen.train.checkpoint import save_checkpoint


@pytest.fixture
def dcgan_run(tmp_path):
    """A run folder holding a DCGAN checkpoint (no training needed to test the export)."""
    mg.manual_seed(0)
    model = DCGAN()
    model.discriminate(model.generate(model.noise(4)))  # running statistics move off their start
    run = tmp_path / "dcgan"
    run.mkdir()
    config = TrainConfig(model="dcgan", out=str(run), latent_dim=100, device="cpu")
    save_checkpoint(run, config, model, {}, {"step": 1, "epoch": 0, "batch": 1})
    return run, model


def test_export_writes_the_models_state_dict(dcgan_run, tmp_path, capsys):
    run, model = dcgan_run
    target = tmp_path / "out" / "model.safetensors"
    assert main(["export", str(run), "--to", str(target)]) == 0
    printed = capsys.readouterr().out
    assert "safetensors.torch.load_file" in printed and "dcgan" in printed
    arrays = load_file(target)
    state = model.state_dict()
    assert list(sorted(arrays)) == sorted(state)
    for name, value in state.items():
        np.testing.assert_array_equal(arrays[name], value.numpy(), err_msg=name)
    meta = read_safetensors_metadata(target)
    assert meta["format"] == "pt" and meta["minigen_model"] == "dcgan"
    assert json.loads(meta["minigen_config"])["model"] == "dcgan"


def test_export_defaults_into_the_run_folder_and_loads_back(dcgan_run):
    run, model = dcgan_run
    assert main(["export", str(run)]) == 0
    fresh = DCGAN()
    fresh.load_state_dict(run / "model.safetensors")
    z = mg.randn(3, 100)
    fresh.eval()
    model.eval()
    np.testing.assert_array_equal(fresh.generate(z).numpy(), model.generate(z).numpy())


def test_export_of_a_missing_run_is_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("minigen export: error: no checkpoint in") and err.count("\n") == 1
