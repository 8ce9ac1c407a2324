"""Honest numbers for generative models.

- ``negative_elbo``: a VAE's test-set negative ELBO in nats per image (one z per image);
- ``classifier_frechet_distance``: the Frechet distance between samples and test images in
  the feature space of a classifier minigen trains itself (``minigen train classifier``),
  named for what it is: not FID, which uses Inception-v3 features;
- ``class_coverage``: how many classes the samples cover (>= 2% each) and the entropy of
  their class histogram.
"""

from minigen.metrics.classifier_space import accuracy, classifier_frechet_distance, classify
from minigen.metrics.coverage import Coverage, class_coverage
from minigen.metrics.elbo import negative_elbo
from minigen.metrics.frechet import frechet_distance, frechet_distance_from_stats, gaussian_stats
from minigen.metrics.samples import draw_samples

__all__ = [
    "Coverage", "accuracy", "class_coverage", "classifier_frechet_distance", "classify",
    "draw_samples", "frechet_distance", "frechet_distance_from_stats", "gaussian_stats",
    "negative_elbo",
]
