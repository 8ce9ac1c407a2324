"""Solutions to the "implement it" exercises of walkthroughs/05_gan_step_by_step.py.

Each function replaces the skeleton of the same name in the lesson (tests/test_exercises.py
runs the lesson's check cells with it).
"""

import minigen as mg
import minigen.nn.functional as F
from minigen.train import set_requires_grad


def gan_training_step(gan, opt_d, opt_g, real):
    """One iteration of the GAN recipe on the batch ``real``; returns (loss_d, loss_g) as floats."""
    ones = mg.ones(len(real), device=real.device)
    zeros = mg.zeros(len(real), device=real.device)
    z = gan.noise(len(real), real.device)  # 1. noise
    fake = gan.generate(z)  # 2. fakes
    # 3-5. D: real -> 1, fake -> 0; detach() keeps D's loss from reaching G.
    loss_d = (F.binary_cross_entropy_with_logits(gan.discriminate(real), ones)
              + F.binary_cross_entropy_with_logits(gan.discriminate(fake.detach()), zeros))
    opt_d.zero_grad()
    loss_d.backward()
    opt_d.step()
    # 6. the same fakes through the updated D, frozen: the gradient flows through D into G.
    set_requires_grad(gan.discriminator, False)
    loss_g = F.binary_cross_entropy_with_logits(gan.discriminate(fake), ones)  # 7. non-saturating
    opt_g.zero_grad()
    loss_g.backward()
    set_requires_grad(gan.discriminator, True)
    opt_g.step()
    return loss_d.item(), loss_g.item()
