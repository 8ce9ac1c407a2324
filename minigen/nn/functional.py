"""``minigen.nn.functional``: the layers and losses as functions, with PyTorch's signatures.

    import minigen.nn.functional as F
    y = F.conv2d(x, weight, bias, stride=2, padding=1)
    loss = F.binary_cross_entropy_with_logits(logits, targets)

Each function checks its arguments (shapes, dtypes, devices) and says clearly what is wrong,
then calls one Function from ``minigen.functions`` (or composes a few). The ``check_*`` helpers
are shared with the layers in ``minigen.nn``, which pass their own description as ``who`` so
an error names the layer.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any, Union

from minigen.autograd.grad_mode import no_grad
from minigen.autograd.tensor import Tensor
from minigen.backend import random as _random
from minigen.backend.array_module import get_array_module
from minigen.creation import ones, tensor, zeros
from minigen.errors import DeviceMismatchError, ShapeError
from minigen.functions import exp, flatten, mean, relu, reshape, sigmoid, tanh
from minigen.functions import leaky_relu as _leaky_relu
from minigen.functions import sum as _sum
from minigen.functions.batchnorm import BatchNorm, batch_statistics
from minigen.functions.conv import Conv2d, ConvTranspose2d
from minigen.functions.dropout import Dropout
from minigen.functions.embedding import Embedding
from minigen.functions.layout import channels_last
from minigen.functions.linear import Linear
from minigen.functions.losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits

IntPair = Union[int, Sequence[int]]  # noqa: UP007  (a runtime alias on Python 3.10)

__all__ = [
    "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv2d",
    "conv_transpose2d", "dropout", "embedding", "flatten", "gaussian_kl", "leaky_relu", "linear",
    "mse_loss", "relu", "sigmoid", "tanh", "unflatten",
]

_ = (relu, tanh, sigmoid, flatten)  # re-exported: the activations are core Functions


# -- argument checks shared with the layers ----------------------------------------------------
def pair(value: IntPair, name: str) -> tuple[int, int]:
    """An int or a pair of ints as a pair (kernel_size=4 means (4, 4)), as PyTorch accepts."""
    if isinstance(value, int):
        return (value, value)
    values = tuple(value)
    if len(values) != 2 or not all(isinstance(v, int) for v in values):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return (values[0], values[1])


def check_input(who: object, x: Any, weight: Tensor) -> None:
    """x is a Tensor with weight's floating dtype, on weight's device.

    ``who`` names the caller in messages: a function's name, or a layer (formatted with its
    repr only when there is an error to report).
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}: expected a Tensor input, got {type(x).__name__}")
    if x.dtype != weight.dtype:
        if not x.dtype.is_floating_point:
            fix = f"convert it with .to(minigen.{weight.dtype.name}) (e.g. .float())"
        else:
            to_input = "float" if weight.dtype.name == "float32" else "double"
            to_layer = "double" if x.dtype.name == "float64" else "float"
            fix = f"call .{to_input}() on the input or .{to_layer}() on the layer"
        raise TypeError(
            f"{who}: input is {x.dtype.name} but the layer's parameters are "
            f"{weight.dtype.name}; {fix}"
        )
    if x.device != weight.device:
        raise DeviceMismatchError(
            f"{who}: input is on {x.device} but the layer's parameters are on {weight.device}; "
            f"move one of them with .to(...)"
        )


def check_conv_input(who: object, x: Tensor, channels: int) -> None:
    """x is (N, channels, H, W) or unbatched (channels, H, W)."""
    if x.ndim not in (3, 4) or x.shape[-3] != channels:
        raise ShapeError(
            f"{who}: expected input of shape (N, {channels}, H, W), got {tuple(x.shape)}"
        )


def check_conv_size(
    who: object, x: Tensor, kernel: tuple[int, int], padding: tuple[int, int]
) -> None:
    h, w = x.shape[-2:]
    if h + 2 * padding[0] < kernel[0] or w + 2 * padding[1] < kernel[1]:
        raise ShapeError(
            f"{who}: input of spatial size ({h}, {w}) with padding {padding} is smaller than "
            f"the kernel {kernel}"
        )


def _batched(x: Tensor, op: Any) -> Tensor:
    """Run ``op`` on a 4-D batch; an unbatched (C, H, W) input is a batch of one, as in PyTorch."""
    if x.ndim == 4:
        return op(x)
    y = op(reshape(x, (1,) + x.shape))
    return reshape(y, y.shape[1:])


def _with_bias(fn: Any, x: Tensor, weight: Tensor, bias: Tensor | None, **params: Any) -> Tensor:
    # An absent bias is left out of the inputs (a Function's inputs are all Tensors).
    if bias is None:
        return fn.apply(x, weight, **params)
    return fn.apply(x, weight, bias, **params)


# -- layers --------------------------------------------------------------------------------------
def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    # float(): a NumPy float64 slope would turn a float32 input into float64 (NumPy 2 rules).
    return _leaky_relu(input, float(negative_slope))


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, W of shape (out_features, in_features); x of shape (*, in_features)."""
    check_input("linear", input, weight)
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ShapeError(
            f"linear: input of shape {tuple(input.shape)} does not match weight of shape "
            f"{tuple(weight.shape)}: expected input of shape (*, {weight.shape[1]})"
        )
    return _with_bias(Linear, input, weight, bias)


def conv2d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntPair = 1,
    padding: IntPair = 0,
) -> Tensor:
    """2-D convolution of (N, C_in, H, W) with weight (C_out, C_in, kh, kw).

    Output (N, C_out, OH, OW) with OH = floor((H + 2 padding - kh) / stride) + 1.
    """
    stride, padding = pair(stride, "stride"), pair(padding, "padding")
    check_input("conv2d", input, weight)
    check_conv_input("conv2d", input, weight.shape[1])
    kernel = (weight.shape[2], weight.shape[3])
    check_conv_size("conv2d", input, kernel, padding)
    return _batched(
        input, lambda x: _with_bias(Conv2d, x, weight, bias, stride=stride, padding=padding)
    )


def conv_transpose2d(
    input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntPair = 1,
    padding: IntPair = 0, output_padding: IntPair = 0,
) -> Tensor:
    """Transposed convolution of (N, C_in, H, W) with weight (C_in, C_out, kh, kw).

    The adjoint of conv2d. Output (N, C_out, H_out, W_out) with
    H_out = (H - 1) stride - 2 padding + kh + output_padding.
    """
    stride, padding = pair(stride, "stride"), pair(padding, "padding")
    output_padding = pair(output_padding, "output_padding")
    check_input("conv_transpose2d", input, weight)
    check_conv_input("conv_transpose2d", input, weight.shape[0])
    check_output_padding("conv_transpose2d", output_padding, stride)
    kernel = (weight.shape[2], weight.shape[3])
    out = [(n - 1) * s - 2 * p + k + o for n, s, p, k, o in
           zip(input.shape[-2:], stride, padding, kernel, output_padding, strict=True)]
    if min(out) < 1:
        raise ShapeError(
            f"conv_transpose2d: input of spatial size {tuple(input.shape[-2:])} gives an empty "
            f"output of size {tuple(out)} with kernel {kernel}, stride {stride}, padding {padding}"
        )
    return _batched(input, lambda x: _with_bias(
        ConvTranspose2d, x, weight, bias, stride=stride, padding=padding,
        output_padding=output_padding,
    ))


def check_output_padding(
    who: object, output_padding: tuple[int, int], stride: tuple[int, int]
) -> None:
    # Of the s input sizes a stride-s conv maps to the same output size, output_padding picks
    # one; a value >= s would ask for a size no window of the conv reaches.
    if any(o < 0 or o >= s for o, s in zip(output_padding, stride, strict=True)):
        raise ValueError(
            f"{who}: output_padding {output_padding} must be smaller than the stride {stride}"
        )


def batch_norm(
    input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
    weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
    momentum: Any = 0.1, eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) of (N, C), (N, C, L) or (N, C, H, W).

    Training: with the batch's mean and biased variance; the running statistics (when given)
    move towards the batch's mean and UNBIASED variance: r <- (1 - momentum) r + momentum b.
    Evaluation: with the running statistics.
    """
    eps = float(eps)  # NumPy float64 scalars would promote float32
    if isinstance(momentum, numbers.Real):  # a 0-d array (BatchNorm's 1/n) stays on its device
        momentum = float(momentum)
    if input.ndim < 2:
        raise ShapeError(
            f"batch_norm: expected input of shape (N, C, ...), got {tuple(input.shape)}"
        )
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (channels,):
            raise ShapeError(
                f"batch_norm: {name} has shape {tuple(t.shape)} but the input of shape "
                f"{tuple(input.shape)} has {channels} channels"
            )
    if training:
        per_channel = input.numel() // channels
        if per_channel <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input "
                f"of shape {tuple(input.shape)}"
            )
        mean_, var_, centered = batch_statistics(channels_last(input.array))
        if running_mean is not None and running_var is not None:
            with no_grad():
                # r <- (1 - momentum) r + momentum b, with b the unbiased variance
                # var * m / (m - 1) for running_var (the factor folded into the momentum)
                var_weight = momentum * (per_channel / (per_channel - 1))
                running_mean.array = (1 - momentum) * running_mean.array + momentum * mean_
                running_var.array = (1 - momentum) * running_var.array + var_weight * var_
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                "batch_norm: evaluation (training=False) needs running_mean and running_var"
            )
        mean_, var_, centered = running_mean.array, running_var.array, None
    stats = {"mean": mean_, "var": var_, "centered": centered}
    if weight is None and bias is None:
        return BatchNorm.apply(input, training=training, eps=eps, **stats)
    if weight is None:
        weight = ones(channels, dtype=input.dtype, device=input.device)
    if bias is None:
        bias = zeros(channels, dtype=input.dtype, device=input.device)
    return BatchNorm.apply(input, weight, bias, training=training, eps=eps, **stats)


def dropout(input: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p); identity when
    not training. The mask comes from minigen's seeded generator on the input's device."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    p = float(p)  # a NumPy float64 p would make the float32 mask float64
    if not training or p == 0.0:
        return input
    xp = get_array_module(input.array)
    u = _random.uniform(tuple(input.shape), input.dtype, input.device)
    keep = xp.astype(u >= p, input.array.dtype)  # P(u >= p) = 1 - p
    mask = keep * (1.0 / (1.0 - p)) if p < 1.0 else keep  # p = 1: every element dropped
    return Dropout.apply(input, mask=mask)


def embedding(input: Any, weight: Tensor) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer tensor ``input``."""
    return embedding_lookup("embedding", input, weight)


def embedding_lookup(who: object, input: Any, weight: Tensor) -> Tensor:
    if not isinstance(input, Tensor):
        input = tensor(input, device=weight.device)
    if input.dtype.is_floating_point or input.dtype.name == "bool":
        raise TypeError(
            f"{who}: indices must be an integer tensor (int64), got {input.dtype.name}; "
            "convert them with .long()"
        )
    if input.device != weight.device:
        raise DeviceMismatchError(
            f"{who}: indices are on {input.device} but the weight is on {weight.device}"
        )
    n = weight.shape[0]
    if input.numel():
        xp = get_array_module(input.array)
        low, high = int(xp.min(input.array)), int(xp.max(input.array))  # one host sync on a GPU
        if low < 0 or high >= n:
            bad = low if low < 0 else high
            raise IndexError(f"{who}: index {bad} is out of range for {n} embeddings [0, {n})")
    return Embedding.apply(weight, indices=input.array)


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one may be -1)."""
    dim = dim % input.ndim
    sizes = tuple(sizes)
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if -1 in sizes:
        sizes = tuple(input.shape[dim] // known if s == -1 else s for s in sizes)
        known = input.shape[dim]
    if known != input.shape[dim]:
        raise ShapeError(
            f"unflatten: sizes {sizes} do not multiply to the size {input.shape[dim]} of "
            f"dimension {dim} of an input of shape {tuple(input.shape)}"
        )
    return reshape(input, input.shape[:dim] + sizes + input.shape[dim + 1:])


# -- losses --------------------------------------------------------------------------------------
_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return _sum(loss)
    return loss


def _check_reduction(reduction: str, allowed: tuple[str, ...] = _REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{reduction!r} is not a valid value for reduction: use one of {allowed}")


def _as_target(who: str, target: Any, input: Tensor, same_shape: bool) -> Tensor:
    if not isinstance(target, Tensor):
        target = tensor(target, dtype=input.dtype, device=input.device)
    if target.dtype != input.dtype:
        raise TypeError(
            f"{who}: target is {target.dtype.name} but input is {input.dtype.name}; convert the "
            f"target with .to(minigen.{input.dtype.name})"
        )
    if same_shape and tuple(target.shape) != tuple(input.shape):
        raise ShapeError(
            f"{who}: target of shape {tuple(target.shape)} must have the same shape as the input "
            f"{tuple(input.shape)}"
        )
    return target


def binary_cross_entropy(
    input: Tensor, target: Any, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """-(y log p + (1 - y) log(1 - p)) on probabilities p, each log clamped at >= -100."""
    _check_reduction(reduction)
    target = _as_target("binary_cross_entropy", target, input, same_shape=True)
    xp = get_array_module(input.array)
    if bool(xp.any((input.array < 0) | (input.array > 1))):
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 "
            "(probabilities); for logits use binary_cross_entropy_with_logits"
        )
    if weight is None:  # the Function reduces: no separate mean or sum
        return BinaryCrossEntropy.apply(input, target, reduction=reduction)
    return _reduce(BinaryCrossEntropy.apply(input, target) * weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Any, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """BCE of sigmoid(input), computed from the logits as max(x, 0) - x y + log(1 + e^{-|x|}),
    which is finite and accurate for logits of any size."""
    _check_reduction(reduction)
    target = _as_target("binary_cross_entropy_with_logits", target, input, same_shape=True)
    if weight is None:  # the Function reduces: no separate mean or sum
        return BinaryCrossEntropyWithLogits.apply(input, target, reduction=reduction)
    return _reduce(BinaryCrossEntropyWithLogits.apply(input, target) * weight, reduction)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """(input - target)^2, averaged ("mean"), summed ("sum") or elementwise ("none")."""
    _check_reduction(reduction)
    target = _as_target("mse_loss", target, input, same_shape=False)
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(  # PyTorch's warning: broadcasting (N, 1) against (N,) is rarely meant
            f"Using a target size {tuple(target.shape)} that is different to the input size "
            f"{tuple(input.shape)}. This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning, stacklevel=2,
        )
    diff = input - target
    return _reduce(diff * diff, reduction)


def gaussian_kl(mu: Tensor, logvar: Tensor, reduction: str = "mean") -> Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) of a diagonal Gaussian, elementwise:

        -0.5 * (1 + logvar - mu^2 - exp(logvar))

    ``reduction``: "none" gives that per element; "sum" the sum over every element; "mean" the
    mean over every element (PyTorch's convention for elementwise losses, so it is divided by
    batch * latent_dim); "batchmean" the sum divided by the batch size mu.shape[0] (PyTorch's
    ``kl_div`` convention): the KL per sample, summed over the latent dimensions and averaged
    over the batch, which is the term of a VAE's ELBO.
    """
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    if tuple(mu.shape) != tuple(logvar.shape):
        raise ShapeError(
            f"gaussian_kl: mu of shape {tuple(mu.shape)} and logvar of shape "
            f"{tuple(logvar.shape)} must have the same shape"
        )
    kl = (mu * mu + exp(logvar) - logvar - 1) * 0.5
    if reduction == "batchmean":
        return _sum(kl) / (mu.shape[0] if mu.ndim else 1)
    return _reduce(kl, reduction)
