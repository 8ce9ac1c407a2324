"""z = mu + exp(logvar / 2) * eps samples N(mu, sigma^2), and gradients reach mu and logvar."""

import numpy as np

import minigen as mg
from minigen.models import reparameterize


def test_samples_have_mean_mu_and_std_sigma():
    n = 200_000
    mu = mg.full((n, 2), 0.0)
    mu[:, 0] = 1.5
    mu[:, 1] = -3.0
    sigma = np.array([0.5, 2.0], dtype=np.float32)
    logvar = mg.tensor(np.broadcast_to(np.log(sigma**2), (n, 2)).copy())
    z = reparameterize(mu, logvar).numpy().astype(np.float64)
    # Standard error of the mean is sigma / sqrt(n) (< 0.005 here): 5 of them is generous.
    np.testing.assert_allclose(z.mean(axis=0), [1.5, -3.0], atol=5 * 2.0 / np.sqrt(n))
    np.testing.assert_allclose(z.std(axis=0), sigma, rtol=0.01)
    assert z.dtype == np.float64 and reparameterize(mu, logvar).dtype == mg.float32


def test_gradients_flow_to_mu_and_logvar():
    mg.manual_seed(3)
    mu = mg.zeros(4, 3, requires_grad=True)
    logvar = mg.zeros(4, 3, requires_grad=True)
    z = reparameterize(mu, logvar)
    z.sum().backward()
    mg.manual_seed(3)
    eps = mg.randn(4, 3).numpy()  # the same draw: dz/dlogvar = 0.5 * sigma * eps
    np.testing.assert_allclose(mu.grad.numpy(), 1.0)
    np.testing.assert_allclose(logvar.grad.numpy(), 0.5 * eps, rtol=1e-6)
