"""``mg.backends``, as ``torch.backends``: settings PyTorch code writes, accepted as no-ops.

``mg.backends.cudnn.benchmark = True`` (PyTorch's DCGAN example) and ``deterministic`` are
plain attributes that minigen never reads: its convolutions are its own matrix products
(docs/derivations/conv2d.md), not cuDNN's, so there is no algorithm to pick and the results
are already deterministic. ``mg.backends.mps.is_available()`` is False: minigen has no Apple
GPU backend. (minigen's own array backends live in ``minigen.backend``, singular.)
"""

from minigen.backends import cudnn, mps

__all__ = ["cudnn", "mps"]
