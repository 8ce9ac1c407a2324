"""A GAN on the 8-Gaussians ring finds most of the modes within a few hundred steps."""

import minigen as mg
from minigen.data import mode_coverage, ring_of_gaussians
from minigen.models import ToyGAN
from minigen.train import GANStep


def test_gan_covers_most_modes_of_the_ring():
    mg.manual_seed(0)
    # A wider ring (std 0.1 instead of 0.02) so a few hundred steps suffice.
    points, _ = ring_of_gaussians(400 * 256, std=0.1, seed=0)
    model = ToyGAN()
    step = GANStep(model, lr=2e-3)
    for i in range(400):
        step(mg.from_numpy(points[i * 256 : (i + 1) * 256]))
    coverage = mode_coverage(model.sample(2000), std=0.1, min_count=20)
    assert coverage.n_covered >= 6, str(coverage)  # typically 8/8 by now
    assert coverage.high_quality > 0.15, str(coverage)  # samples within 3 std of a mode
