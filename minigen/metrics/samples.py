"""Drawing many samples from a trained generative model, in batches, as float32 [0, 1]."""

from __future__ import annotations

import numpy as np

import minigen as mg
from minigen import nn
from minigen.metrics.batches import model_device
from minigen.models import Sampler


def draw_samples(
    model: nn.Module, n: int, device: mg.Device | str | None = None, batch_size: int = 500,
    label: int | None = None,
) -> np.ndarray:
    """``n`` samples of ``model`` as a float32 (n, 1, 28, 28) array in [0, 1].

    ``label`` asks a conditional model for one class. The model is put in eval mode (its
    batchnorm layers use their running statistics).
    """
    if not isinstance(model, Sampler):
        raise ValueError(f"{type(model).__name__} is not a generative model: it has no sample()")
    if label is not None and model.num_classes is None:
        raise ValueError(f"--label needs a conditional model (cgan), not {type(model).__name__}")
    device = model_device(model, device)
    model.eval()
    chunks = []
    for start in range(0, n, batch_size):
        size = min(batch_size, n - start)
        if model.num_classes is None:
            images = model.sample(size, device=device)
        else:  # all ``label``, or balanced classes: the 0, 1, ..., 9 cycle goes on across batches
            images = model.sample(size, device=device,
                                  labels=model.sample_labels(size, label, first=start))
        chunks.append(images.numpy())
    return np.clip(np.concatenate(chunks), 0.0, 1.0).astype(np.float32)
