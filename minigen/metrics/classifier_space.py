"""Measuring generated images with minigen's own trained classifier.

- :func:`classify`: the classifier's features (the 128 penultimate activations) and its
  predicted classes for many images;
- :func:`classifier_frechet_distance`: the Frechet distance between the features of
  samples and of test images;
- :func:`accuracy`: the classifier's own test accuracy (report it with the distances: a
  distance in the space of a poor classifier means little).
"""

from __future__ import annotations

import numpy as np

import minigen as mg
from minigen.metrics.batches import map_batches, model_device
from minigen.metrics.frechet import frechet_distance
from minigen.models import Classifier


def classify(
    classifier: Classifier, images: np.ndarray, device: mg.Device | str | None = None,
    batch_size: int = 500,
) -> tuple[np.ndarray, np.ndarray]:
    """(features (N, 128) float32, predicted classes (N,)) of images (N, 1, 28, 28) in [0, 1]."""
    device = model_device(classifier, device)
    classifier.eval()
    features = map_batches(classifier.features, images, device, batch_size)
    # The head is one Linear layer: apply it on the host copy's device twin, batch by batch.
    logits = map_batches(classifier.head, features, device, batch_size)
    return features, logits.argmax(axis=1)


def classifier_frechet_distance(
    classifier: Classifier, samples: np.ndarray, real: np.ndarray,
    device: mg.Device | str | None = None,
) -> float:
    """Frechet distance between samples and real images in the classifier's feature space."""
    f_samples, _ = classify(classifier, samples, device)
    f_real, _ = classify(classifier, real, device)
    return frechet_distance(f_samples, f_real)


def accuracy(
    classifier: Classifier, images: np.ndarray, labels: np.ndarray, device: mg.Device | str | None = None
) -> float:
    """Fraction of ``images`` whose predicted class is ``labels``."""
    _, predicted = classify(classifier, images, device)
    return float((predicted == np.asarray(labels)).mean())
