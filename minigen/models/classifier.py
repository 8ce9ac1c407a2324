"""``Classifier``: a small CNN that minigen trains itself to *measure* generative models.

Its 128 penultimate features give the space in which the classifier Frechet distance
compares generated and real images, and its predictions give the class coverage. It is
not a GAN part: it judges them.
"""

from __future__ import annotations

import minigen as mg
from minigen import nn


class Classifier(nn.Module):
    """Conv(1,32,4,2,1)-ReLU-Conv(32,64,4,2,1)-ReLU-Flatten-Linear(3136,128)-ReLU-Linear(128,10).

    Images (B, 1, 28, 28) in [0, 1] -> class logits (B, 10).
    """

    pixel_scale = "unit"

    def __init__(self, num_classes: int = 10, feature_dim: int = 128) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.ReLU(),  # 28 -> 14
            nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),  # 14 -> 7
            nn.Flatten(), nn.Linear(64 * 7 * 7, feature_dim), nn.ReLU(),
        )
        self.head = nn.Linear(feature_dim, num_classes)

    def forward(self, x: mg.Tensor) -> mg.Tensor:
        """Class logits (B, num_classes)."""
        return self.head(self.features(x))
