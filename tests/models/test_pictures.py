"""The end-of-epoch pictures and checks of each kind of model, written as real PNGs."""

from pathlib import Path

import pytest

import minigen as mg
from minigen.data import MNISTSample
from minigen.train import TrainConfig, build_model, train
from minigen.train.pictures import EpochPictures
from minigen.train.recipes import RECIPES, resolve

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def classifier_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("clf") / "classifier"
    train(TrainConfig(model="classifier", out=str(out), max_steps=2), progress=False)
    return out


@pytest.mark.parametrize(
    "name, files, checks",
    [
        ("vae", ["samples/epoch_001.png", "reconstructions.png", "interpolations.png",
                 "latent_space.png", "manifold.png"], ["test_neg_elbo"]),
        ("ae", ["samples/epoch_001.png", "reconstructions.png", "interpolations.png"], []),
        ("gan", ["samples/epoch_001.png", "interpolations.png"],
         ["classes_covered", "class_entropy"]),
        ("cgan", ["samples/epoch_001.png", "interpolations.png"],
         ["classes_covered", "class_entropy"]),
        ("classifier", [], ["test_accuracy"]),
    ],
)
def test_end_of_epoch(tmp_path, classifier_run, name, files, checks):
    config = resolve(TrainConfig(model=name, out=str(tmp_path), classifier=str(classifier_run),
                                 latent_dim=2 if name == "vae" else None))
    kind = RECIPES[name].kind
    model = build_model(name, config.latent_dim if RECIPES[name].latent_dim else None)
    pictures = EpochPictures(Path(tmp_path), config, model, kind, MNISTSample(train=False),
                             mg.Device("cpu"))
    extra = pictures.end_of_epoch(1)
    assert sorted(extra) == sorted(checks)
    for f in files:
        assert (tmp_path / f).read_bytes()[:8] == PNG, f
    assert model.training  # back in training mode afterwards
