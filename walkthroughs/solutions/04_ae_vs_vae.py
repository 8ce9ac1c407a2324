"""Solutions to the "implement it" exercises of walkthroughs/04_ae_vs_vae.py.

Each function replaces the skeleton of the same name in the lesson (tests/test_exercises.py
runs the lesson's check cells with it).
"""

import numpy as np


def kl_and_gradients(mu, logvar):
    """(kl, grad_mu, grad_logvar): KL(N(mu, exp(logvar)) || N(0, I)) summed over the latent
    dimensions and averaged over the batch (a number), and its gradients, shaped like mu."""
    batch = mu.shape[0]
    kl = 0.5 * (mu**2 + np.exp(logvar) - logvar - 1).sum() / batch
    grad_mu = mu / batch  # d/dmu of mu^2 / 2
    grad_logvar = 0.5 * (np.exp(logvar) - 1) / batch  # d/dlogvar of (e^logvar - logvar) / 2
    return kl, grad_mu, grad_logvar
