"""``Softmax``, ``LogSoftmax`` and ``Identity``, and softmax's implicit-dim rule."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F


def test_softmax_layers_normalise_along_their_dim():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    y = nn.Softmax(dim=1)(mg.tensor(x)).numpy()
    np.testing.assert_allclose(y, np.exp(x) / np.exp(x).sum(1, keepdims=True), rtol=1e-13)
    logp = nn.LogSoftmax(dim=-1)(mg.tensor(x)).numpy()
    np.testing.assert_allclose(np.exp(logp).sum(-1), 1.0, rtol=1e-13)
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)" and repr(nn.LogSoftmax()) == "LogSoftmax(dim=None)"


@pytest.mark.parametrize("shape, dim", [((5,), 0), ((2, 5), 1), ((2, 3, 5), 0), ((2, 3, 4, 5), 1)])
def test_softmax_without_dim_warns_and_picks_pytorchs_dim(shape, dim):
    x = mg.randn(*shape)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        y = F.softmax(x)
    np.testing.assert_allclose(y.numpy(), F.softmax(x, dim).numpy())
    with pytest.warns(UserWarning, match="log_softmax"):
        nn.LogSoftmax()(x)


def test_identity_returns_its_input_and_ignores_arguments():
    x = mg.randn(2, 3, requires_grad=True)
    layer = nn.Identity(54, unused_argument=0.1)
    assert layer(x) is x and list(layer.parameters()) == [] and repr(layer) == "Identity()"
