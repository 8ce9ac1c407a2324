"""Weights as safetensors: the round trip, every model's names and layouts, and bad files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

import minigen as mg
from minigen.safetensors_file import WeightsFileError, read_safetensors_metadata
from minigen.train.recipes import MODELS


def test_state_dict_round_trip_through_a_file(tmp_path):
    model = mg.nn.Sequential(mg.nn.Conv2d(1, 4, 3), mg.nn.BatchNorm2d(4), mg.nn.ReLU())
    model(mg.randn(2, 1, 5, 5))  # moves the running statistics and num_batches_tracked
    path = mg.save_safetensors(model.state_dict(), tmp_path / "m.safetensors")
    fresh = mg.nn.Sequential(mg.nn.Conv2d(1, 4, 3), mg.nn.BatchNorm2d(4), mg.nn.ReLU())
    fresh.load_state_dict(path)  # a path: minigen's extension to load_state_dict
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items(),
                                 strict=True):
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)


def test_the_file_is_plain_safetensors_with_pytorchs_dtypes(tmp_path):
    model = mg.nn.BatchNorm1d(3)
    mg.save_safetensors(model.state_dict(), tmp_path / "bn.safetensors", {"note": "hi"})
    arrays = load_file(tmp_path / "bn.safetensors")  # the library itself, no minigen
    assert set(arrays) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
    assert arrays["weight"].dtype == np.float32
    assert arrays["num_batches_tracked"].dtype == np.int64 and arrays["num_batches_tracked"].shape == ()
    with safe_open(str(tmp_path / "bn.safetensors"), framework="np") as f:
        assert f.metadata() == {"format": "pt", "note": "hi"}


def test_a_file_written_by_the_library_loads_into_a_minigen_model(tmp_path):
    # What safetensors.torch.save_file(torch_model.state_dict(), path) writes, made here with
    # the NumPy API: a Linear's weight is (out_features, in_features).
    rng = np.random.default_rng(0)
    weight, bias = rng.standard_normal((3, 2)).astype(np.float32), np.ones(3, np.float32)
    save_file({"weight": weight, "bias": bias}, str(tmp_path / "t.safetensors"))
    layer = mg.nn.Linear(2, 3)
    layer.load_state_dict(str(tmp_path / "t.safetensors"))
    x = rng.standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_allclose(layer(mg.tensor(x)).numpy(), x @ weight.T + bias, rtol=1e-6)


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_exports_pytorch_names_shapes_and_dtypes(tmp_path, name):
    model = MODELS[name]()
    mg.save_safetensors(model.state_dict(), tmp_path / "w.safetensors")
    arrays = load_file(tmp_path / "w.safetensors")
    state = model.state_dict()
    assert set(arrays) == set(state)
    for key, value in state.items():
        assert arrays[key].shape == value.shape and arrays[key].dtype.name == value.dtype.name, key
    fresh = MODELS[name]()
    assert fresh.load_state_dict(tmp_path / "w.safetensors") == ([], [])


def test_loading_onto_another_device(tmp_path):
    mg.save_safetensors({"w": mg.ones(2, 2)}, tmp_path / "w.safetensors")
    loaded = mg.load_safetensors(tmp_path / "w.safetensors", device="strict")
    assert loaded["w"].device == mg.device("strict")
    strict_layer = mg.nn.Linear(2, 2).to("strict")
    mg.save_safetensors(strict_layer.state_dict(), tmp_path / "s.safetensors")  # from the device
    assert load_file(tmp_path / "s.safetensors")["weight"].shape == (2, 2)


def test_a_wrong_model_lists_every_problem(tmp_path):
    mg.save_safetensors(mg.nn.Linear(2, 3).state_dict(), tmp_path / "w.safetensors")
    with pytest.raises(mg.nn.StateDictError, match="size mismatch for 'weight'"):
        mg.nn.Linear(2, 4).load_state_dict(tmp_path / "w.safetensors")


def test_bad_files_are_one_clear_error(tmp_path):
    (tmp_path / "junk.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(WeightsFileError, match="cannot read .*junk.safetensors as safetensors"):
        mg.load_safetensors(tmp_path / "junk.safetensors")
    with pytest.raises(FileNotFoundError, match="no safetensors file"):
        mg.nn.Linear(1, 1).load_state_dict(str(tmp_path / "missing.safetensors"))


def test_metadata_can_be_read_back(tmp_path):
    mg.save_safetensors({"w": mg.ones(1)}, tmp_path / "w.safetensors", {"config": json.dumps({"a": 1})})
    assert json.loads(read_safetensors_metadata(tmp_path / "w.safetensors")["config"]) == {"a": 1}
