"""Small networks really learn fixed synthetic tasks (thresholds far below chance level)."""

from __future__ import annotations

import numpy as np

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F
from minigen.optim import SGD, Adam


def circles(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two noisy concentric rings: not linearly separable, so a hidden layer is needed."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    radius = np.where(label == 1, 1.0, 2.0) + rng.normal(0, 0.15, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1).astype(np.float32)
    return x, label.astype(np.float32)[:, None]


def test_an_mlp_learns_two_rings():
    x, y = circles(256, seed=0)
    model = nn.Sequential(
        nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1)
    )
    opt = Adam(model.parameters(), lr=0.01)
    xt, yt = mg.tensor(x), mg.tensor(y)
    first = None
    for _ in range(300):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(xt), yt)
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
    assert first > 0.6  # chance level is log 2 = 0.69
    assert loss.item() < 0.01
    x_test, y_test = circles(512, seed=1)
    with mg.no_grad():
        predicted = model(mg.tensor(x_test)).numpy() > 0
    assert (predicted == (y_test > 0.5)).mean() > 0.98


def bars(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """8x8 images with one horizontal (label 0) or vertical (label 1) bar, plus noise."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    images = rng.normal(0, 0.3, (n, 1, 8, 8)).astype(np.float32)
    where = rng.integers(0, 8, n)
    for i in range(n):  # building the data set, not the model: a loop is fine here
        if label[i]:
            images[i, 0, :, where[i]] += 1.0
        else:
            images[i, 0, where[i], :] += 1.0
    return images, label.astype(np.float32)[:, None]


def test_a_conv_net_with_batchnorm_and_dropout_learns_bar_orientation():
    x, y = bars(128, seed=0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, 1, 1),
        nn.BatchNorm2d(8),
        nn.LeakyReLU(0.2),
        nn.Conv2d(8, 8, 4, 2, 1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dropout(0.1),
        nn.Linear(8 * 4 * 4, 1),
    )
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    xt, yt = mg.tensor(x), mg.tensor(y)
    for _ in range(60):
        opt.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(xt), yt)
        loss.backward()
        opt.step()
    x_test, y_test = bars(256, seed=1)
    model.eval()
    with mg.no_grad():
        predicted = model(mg.tensor(x_test)).numpy() > 0
    assert (predicted == (y_test > 0.5)).mean() > 0.95


def test_a_conv_autoencoder_with_transposed_convs_reconstructs():
    x, _ = bars(64, seed=2)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 4, 2, 1),
        nn.ReLU(),
        nn.Conv2d(8, 16, 4, 2, 1),
        nn.ReLU(),
        nn.ConvTranspose2d(16, 8, 4, 2, 1),
        nn.ReLU(),
        nn.ConvTranspose2d(8, 1, 4, 2, 1),
    )
    opt = Adam(model.parameters(), lr=0.01)
    xt = mg.tensor(x)
    baseline = float(((x - x.mean()) ** 2).mean())  # predicting the mean pixel
    for _ in range(150):
        opt.zero_grad()
        loss = F.mse_loss(model(xt), xt)
        loss.backward()
        opt.step()
    assert loss.item() < 0.35 * baseline
