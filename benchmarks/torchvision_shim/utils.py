"""``torchvision.utils.make_grid`` and ``save_image``: minigen.viz has both, same arguments."""

from minigen.viz import make_grid, save_image

__all__ = ["make_grid", "save_image"]
