"""Pictures of training, written to PNG with matplotlib's Agg backend (no display needed).

- ``save_grid``: a grid of samples; ``plot_loss_curves``: losses, D's verdicts, grad norms;
- ``plot_reconstructions``: inputs over their reconstructions;
- ``plot_latent_space``, ``plot_manifold``, ``plot_interpolations``: the latent space;
- ``make_grid``, ``save_image``: torchvision's grid of images, same arguments and pixels.
"""

from minigen.viz.curves import plot_loss_curves
from minigen.viz.grid import image_grid, save_grid
from minigen.viz.image_file import make_grid, save_image
from minigen.viz.latent import (
    interpolate,
    manifold_codes,
    plot_interpolations,
    plot_latent_space,
    plot_manifold,
    plot_reconstructions,
)

__all__ = [
    "image_grid", "interpolate", "manifold_codes", "plot_interpolations", "plot_latent_space",
    "plot_loss_curves", "plot_manifold", "plot_reconstructions", "save_grid",
    "make_grid", "save_image",
]
