"""torchvision's data names that PyTorch's examples import, backed by minigen.

``benchmarks/pytorch_examples.py`` rewrites an example's ``from torchvision import datasets,
transforms`` (and ``torchvision.utils``'s ``save_image``) to this package, so the example runs
on minigen's shipped MNIST sample with no download and no torchvision:

- ``datasets``: ``MNIST`` (the shipped 10,000-digit sample, whatever ``root`` says) and
  ``FakeData`` (random images);
- ``transforms``: ``Compose``, ``ToTensor``, ``Normalize``, ``Lambda``, ``Resize``,
  ``CenterCrop``;
- ``utils``: ``make_grid`` and ``save_image`` (minigen.viz's, torchvision's arguments).

The images are uint8 NumPy arrays (H, W) or (H, W, C) where torchvision gives PIL images;
``ToTensor`` turns either into a float32 (C, H, W) tensor in [0, 1].

With ``TORCHVISION_SHIM_LIB=torch`` in the environment the tensors are PyTorch's instead: the
runner's ``--torch`` runs the unchanged example under PyTorch on the same data, for comparison.
"""

from torchvision_shim import datasets, transforms, utils

__all__ = ["datasets", "transforms", "utils"]
