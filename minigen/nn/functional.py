"""``minigen.nn.functional``: the layers and losses as functions, with PyTorch's signatures.

    import minigen.nn.functional as F
    y = F.conv2d(x, weight, bias, stride=2, padding=1)
    loss = F.binary_cross_entropy_with_logits(logits, targets)

Each function checks its arguments (shapes, dtypes, devices) and says clearly what is wrong,
then calls one Function from ``minigen.functions`` (or composes a few). PyTorch keeps them in
one module; minigen writes each family beside its layer and gathers them here:

    functional_linear.py   linear                 functional_conv.py     conv2d, conv_transpose2d
    functional_batchnorm.py batch_norm            functional_pooling.py  max_pool2d, avg_pool2d
    functional_activation.py relu, ..., softmax   functional_dropout.py  dropout
    functional_embedding.py embedding, one_hot    functional_flatten.py  flatten, unflatten
    functional_losses.py   BCE, MSE, L1, KL       functional_classification_losses.py  nll, CE
    functional_upsampling.py interpolate          functional_pad.py      pad

The argument checks shared with the layers are in ``checks.py``: a layer and its function call
the same checked computation once, the layer passing itself so that an error names it.
"""

from minigen.nn.checks import (
    IntPair,
    check_conv_input,
    check_conv_size,
    check_input,
    check_output_padding,
    pair,
)
from minigen.nn.functional_activation import (
    leaky_relu,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from minigen.nn.functional_batchnorm import batch_norm
from minigen.nn.functional_classification_losses import cross_entropy, nll_loss
from minigen.nn.functional_conv import conv2d, conv_transpose2d
from minigen.nn.functional_dropout import dropout
from minigen.nn.functional_embedding import embedding, embedding_lookup, one_hot
from minigen.nn.functional_flatten import flatten, unflatten
from minigen.nn.functional_linear import linear
from minigen.nn.functional_losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    gaussian_kl,
    l1_loss,
    legacy_reduction,
    mse_loss,
    smooth_l1_loss,
)
from minigen.nn.functional_pad import pad
from minigen.nn.functional_pooling import avg_pool2d, max_pool2d
from minigen.nn.functional_upsampling import interpolate

__all__ = [
    "avg_pool2d", "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "conv2d", "conv_transpose2d", "cross_entropy", "dropout", "embedding", "flatten",
    "gaussian_kl", "interpolate", "l1_loss", "leaky_relu", "linear", "log_softmax", "max_pool2d",
    "mse_loss", "nll_loss", "one_hot", "pad", "relu", "sigmoid", "smooth_l1_loss", "softmax",
    "tanh", "unflatten",
]

# Shared with the layers, importable from here as before (not part of PyTorch's F).
_ = (IntPair, pair, check_input, check_conv_input, check_conv_size, check_output_padding,
     embedding_lookup, legacy_reduction)
