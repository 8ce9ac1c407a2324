"""The same training code on a GPU (CuPy): float32, finite, and an exact resume.

Skipped where no CUDA GPU is usable; the strict stand-in device covers the code path there
(test_training_steps.py and test_resume.py).
"""

import numpy as np
import pytest

import minigen as mg
from minigen.train import TrainConfig, load_model, train

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not mg.cuda.is_available(), reason="needs a CUDA GPU and CuPy"),
]


@pytest.mark.parametrize("model", ["vae", "dcgan"])
def test_train_and_resume_on_the_gpu(tmp_path, model):
    common = dict(model=model, batch_size=16, epochs=1, log_every=4, device="cuda")
    train(TrainConfig(out=str(tmp_path / "a"), max_steps=8, **common), progress=False)
    train(TrainConfig(out=str(tmp_path / "b"), max_steps=4, **common), progress=False)
    train(TrainConfig(out=str(tmp_path / "b"), max_steps=8, **common), resume=True,
          progress=False)
    a, _ = load_model(tmp_path / "a", "cuda")
    b, _ = load_model(tmp_path / "b", "cuda")
    for (name, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert p.device.type == "cuda" and p.dtype in (mg.float32, mg.int64)
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)
        assert np.all(np.isfinite(p.numpy()))
