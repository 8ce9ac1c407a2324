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

import math
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
from minigen.functions import abs as _abs
from minigen.functions import (
    exp,
    flatten,
    gather,
    getitem,
    matmul,
    mean,
    relu,
    reshape,
    sigmoid,
    squeeze,
    tanh,
    where,
)
from minigen.functions import leaky_relu as _leaky_relu
from minigen.functions import log_softmax as _log_softmax
from minigen.functions import softmax as _softmax
from minigen.functions import sum as _sum
from minigen.functions.batchnorm import BatchNorm, batch_statistics
from minigen.functions.conv import Conv2d, ConvTranspose2d
from minigen.functions.dropout import Dropout
from minigen.functions.embedding import Embedding
from minigen.functions.interpolate import linear_matrix, source_positions
from minigen.functions.layout import channels_last
from minigen.functions.linear import Linear
from minigen.functions.losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits
from minigen.functions.pad import Pad, border_index
from minigen.functions.pooling import AvgPool2d, MaxPool2d, max_pool_indices, pool_output_size

IntPair = Union[int, Sequence[int]]  # noqa: UP007  (a runtime alias on Python 3.10)

__all__ = [
    "avg_pool2d", "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "conv2d", "conv_transpose2d", "cross_entropy", "dropout", "embedding", "flatten",
    "gaussian_kl", "interpolate", "l1_loss", "leaky_relu", "linear", "log_softmax", "max_pool2d",
    "mse_loss", "nll_loss", "one_hot", "pad", "relu", "sigmoid", "smooth_l1_loss", "softmax",
    "tanh", "unflatten",
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
    if bool(xp.any((target.array < 0) | (target.array > 1))):
        raise ValueError(
            "binary_cross_entropy: all elements of target should be between 0 and 1 (a "
            "probability of the label 1); a target outside gives a loss without a minimum"
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


def _warn_if_broadcast(target: Tensor, input: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(  # PyTorch's warning: broadcasting (N, 1) against (N,) is rarely meant
            f"Using a target size {tuple(target.shape)} that is different to the input size "
            f"{tuple(input.shape)}. This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning, stacklevel=3,
        )


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """(input - target)^2, averaged ("mean"), summed ("sum") or elementwise ("none")."""
    _check_reduction(reduction)
    target = _as_target("mse_loss", target, input, same_shape=False)
    _warn_if_broadcast(target, input)
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


# -- softmax, classification losses, L1 losses, pooling, resizing and padding (issue 12) ----------
def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's old ``size_average`` / ``reduce`` flags as a ``reduction`` (with its warning)."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction='"
        f"{'none' if reduce is False else 'mean' if size_average is not False else 'sum'}' "
        "instead.", UserWarning, stacklevel=3,
    )
    if reduce is False:
        return "none"
    return "mean" if size_average is not False else "sum"


def _softmax_dim(name: str, ndim: int) -> int:
    warnings.warn(  # PyTorch's guess, and its warning
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.", UserWarning, stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """e^x / sum e^x along ``dim``: the entries along it are positive and add up to 1."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return _softmax(input, dim, dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """log(softmax(x)) along ``dim``, computed as x - logsumexp(x): finite for any logits."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return _log_softmax(input, dim, dtype)


def _class_targets(
    who: str, input: Tensor, target: Any, weight: Tensor | None, ignore_index: int
) -> tuple[Any, Any, Any]:
    """Class-index targets checked, as (the targets with ignored ones set to class 0; the weight
    of each target: weight[target], or 1, and 0 where ignored; where not ignored)."""
    if input.ndim == 0:
        raise ShapeError(f"{who}: expected input of shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    if not isinstance(target, Tensor):
        target = tensor(target, device=input.device)
    if target.dtype.name != "int64":
        raise TypeError(
            f"{who}: class-index targets must be int64, got {target.dtype.name}; convert them "
            "with .long() (class probabilities are a float target of the input's shape)"
        )
    if target.device != input.device:
        raise DeviceMismatchError(
            f"{who}: target is on {target.device} but the input is on {input.device}"
        )
    expected = tuple(input.shape[:1] + input.shape[2:]) if input.ndim > 1 else ()
    if tuple(target.shape) != expected:
        raise ShapeError(
            f"{who}: target of shape {tuple(target.shape)} does not fit input of shape "
            f"{tuple(input.shape)}: expected a target of shape {expected}"
        )
    classes = input.shape[0 if input.ndim == 1 else 1]
    if weight is not None and (tuple(weight.shape) != (classes,) or weight.dtype != input.dtype):
        raise ValueError(
            f"{who}: weight must be a {input.dtype.name} tensor of shape ({classes},), one "
            f"number per class, got {weight.dtype.name} of shape {tuple(weight.shape)}"
        )
    xp = get_array_module(input.array)
    t = target.array
    counted = t != ignore_index
    safe = xp.where(counted, t, xp.zeros_like(t))
    if safe.size and bool(xp.any((safe < 0) | (safe >= classes))):  # one host sync on a GPU
        bad = int(xp.min(safe)) if int(xp.min(safe)) < 0 else int(xp.max(safe))
        raise IndexError(f"{who}: target {bad} is out of bounds for {classes} classes [0, {classes})")
    w = xp.astype(counted, input.array.dtype)
    if weight is not None:
        w = w * xp.reshape(xp.take(weight.array, xp.reshape(safe, (-1,)), axis=0), t.shape)
    return safe, w, counted


def _nll(input: Tensor, safe: Any, w: Any, reduction: str) -> Tensor:
    """-w[n] input[n, target[n]], reduced; "mean" divides by the sum of the weights w."""
    xp = get_array_module(input.array)
    class_dim = 0 if input.ndim == 1 else 1
    index = Tensor.wrap(xp.expand_dims(safe, axis=class_dim))
    picked = squeeze(gather(input, class_dim, index), class_dim)
    loss = -(picked * Tensor.wrap(w))
    if reduction == "mean":
        return _sum(loss) / Tensor.wrap(xp.sum(w))
    return _reduce(loss, reduction)


def nll_loss(
    input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
    ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class-index targets from log-probabilities (N, C, ...):
    -weight[t] input[n, t] for t = target[n]; "mean" divides by the sum of those weights.
    Targets equal to ``ignore_index`` count for nothing."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    safe, w, _ = _class_targets("nll_loss", input, target, weight, ignore_index)
    return _nll(input, safe, w, reduction)


def cross_entropy(
    input: Tensor, target: Any, weight: Tensor | None = None, size_average: bool | None = None,
    ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits (N, C, ...) against class indices (N, ...) or, as a float target
    of the input's shape, class probabilities: nll_loss(log_softmax(input, 1), target).

    ``label_smoothing`` e mixes the target with the uniform distribution: (1 - e) times the
    loss of the target plus e / C times the loss summed over every class, as in PyTorch.
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    logp = _log_softmax(input, class_dim)
    if isinstance(target, Tensor) and target.dtype.is_floating_point:
        return _cross_entropy_probabilities(logp, target, weight, ignore_index, reduction, label_smoothing)
    safe, w, counted = _class_targets("cross_entropy", input, target, weight, ignore_index)
    loss = _nll(logp, safe, w, reduction)
    if label_smoothing == 0.0:
        return loss
    every_class = logp if weight is None else logp * _along_classes(weight, logp.ndim)
    smooth = where(counted, -_sum(every_class, class_dim), 0.0)  # 0 for an ignored target
    if reduction == "mean":
        smooth = _sum(smooth) / Tensor.wrap(get_array_module(w).sum(w))
    else:
        smooth = _reduce(smooth, reduction)
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / logp.shape[class_dim])


def _along_classes(weight: Tensor, ndim: int) -> Tensor:
    """weight (C,) shaped to broadcast along axis 1 of an (N, C, d1, ...) tensor."""
    return weight if ndim == 1 else reshape(weight, (1, weight.shape[0]) + (1,) * (ndim - 2))


def _cross_entropy_probabilities(
    logp: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int, reduction: str,
    label_smoothing: float,
) -> Tensor:
    """-sum_c weight[c] target[n, c] logp[n, c] for class-probability targets; "mean" divides
    by the number of samples N (times d1 ...), not by the weights (PyTorch's rule)."""
    if tuple(target.shape) != tuple(logp.shape):
        raise ShapeError(
            f"cross_entropy: a float target holds class probabilities and must have the input's "
            f"shape {tuple(logp.shape)}, got {tuple(target.shape)}; class indices are int64"
        )
    if target.dtype != logp.dtype:
        raise TypeError(
            f"cross_entropy: target is {target.dtype.name} but input is {logp.dtype.name}; convert "
            f"the target with .to(minigen.{logp.dtype.name})"
        )
    if ignore_index >= 0:
        raise ValueError("cross_entropy: ignore_index is not supported for class-probability targets")
    class_dim = 0 if logp.ndim == 1 else 1
    classes = logp.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    terms = logp * target
    if weight is not None:
        terms = terms * _along_classes(weight, logp.ndim)
    if reduction == "mean":
        return -_sum(terms) / (logp.numel() // classes)
    if reduction == "sum":
        return -_sum(terms)
    return -_sum(terms, class_dim)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """(..., ) class indices -> (..., num_classes) int64 rows with a single 1, as PyTorch.
    ``num_classes=-1`` takes the largest index + 1."""
    if not isinstance(tensor, Tensor) or tensor.dtype.name != "int64":
        got = tensor.dtype.name if isinstance(tensor, Tensor) else type(tensor).__name__
        raise TypeError(f"one_hot: expected an int64 tensor of class indices, got {got}; use .long()")
    xp = get_array_module(tensor.array)
    if tensor.numel() == 0 and num_classes == -1:
        raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; pass num_classes")
    if tensor.numel():
        low, high = int(xp.min(tensor.array)), int(xp.max(tensor.array))  # host sync on a GPU
        if low < 0:
            raise ValueError(f"one_hot: class values must be non-negative, got {low}")
        num_classes = high + 1 if num_classes == -1 else num_classes
        if high >= num_classes:
            raise ValueError(f"one_hot: class value {high} is not smaller than num_classes={num_classes}")
    classes = xp.arange(num_classes, device=tensor.array.device)
    return Tensor.wrap(xp.astype(tensor.array[..., None] == classes, xp.int64))


def l1_loss(
    input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """|input - target|, averaged ("mean"), summed ("sum") or elementwise ("none")."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    target = _as_target("l1_loss", target, input, same_shape=False)
    _warn_if_broadcast(target, input)
    return _reduce(_abs(input - target), reduction)


def smooth_l1_loss(
    input: Tensor, target: Any, size_average: bool | None = None, reduce: bool | None = None,
    reduction: str = "mean", beta: float = 1.0,
) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta, for d = input - target: quadratic
    near 0, linear (so robust to outliers) beyond beta. beta = 0 is the L1 loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:  # the quadratic part would divide by 0; the loss is L1 exactly
        return l1_loss(input, target, reduction=reduction)
    beta = float(beta)
    target = _as_target("smooth_l1_loss", target, input, same_shape=False)
    _warn_if_broadcast(target, input)
    a = _abs(input - target)
    return _reduce(where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta), reduction)


def _pool_args(
    who: str, input: Tensor, kernel_size: IntPair, stride: Any, padding: IntPair, ceil_mode: bool
) -> dict[str, Any]:
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] else pair(stride, "stride")
    padding = pair(padding, "padding")
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        shape = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise ShapeError(f"{who}: expected input of shape (N, C, H, W) or (C, H, W), got {shape}")
    if not input.dtype.is_floating_point:
        raise TypeError(f"{who}: expected a floating point input, got {input.dtype.name}; use .float()")
    if min(kernel) < 1 or min(stride) < 1 or min(padding) < 0:
        raise ValueError(
            f"{who}: kernel_size {kernel} and stride {stride} must be positive and padding "
            f"{padding} non-negative"
        )
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(
            f"{who}: padding {padding} should be at most half of the kernel size {kernel}"
        )
    out = [pool_output_size(n, k, s, p, ceil_mode)
           for n, k, s, p in zip(input.shape[-2:], kernel, stride, padding, strict=True)]
    if min(out) < 1:
        raise ShapeError(
            f"{who}: input of spatial size {tuple(input.shape[-2:])} is too small for kernel "
            f"{kernel} with padding {padding}: the output would be {tuple(out)}"
        )
    return {"kernel": kernel, "stride": stride, "padding": padding, "ceil_mode": bool(ceil_mode)}


def max_pool2d(
    input: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
    dilation: IntPair = 1, ceil_mode: bool = False, return_indices: bool = False,
) -> Any:
    """The maximum of each kh x kw window of (N, C, H, W), per channel; stride defaults to the
    kernel size (windows side by side), padding is -inf. With ``return_indices``, also each
    maximum's flat position h * W + w in its input plane (int64)."""
    if pair(dilation, "dilation") != (1, 1):
        raise NotImplementedError("max_pool2d: minigen supports dilation=1 only")
    params = _pool_args("max_pool2d", input, kernel_size, stride, padding, ceil_mode)
    y = _batched(input, lambda x: MaxPool2d.apply(x, **params))
    if not return_indices:
        return y
    x = input.array if input.ndim == 4 else get_array_module(input.array).expand_dims(input.array, axis=0)
    indices = max_pool_indices(x, **params)
    return y, Tensor.wrap(indices if input.ndim == 4 else indices[0])


def avg_pool2d(
    input: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0,
    ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None,
) -> Tensor:
    """The mean of each kh x kw window of (N, C, H, W), per channel; stride defaults to the
    kernel size. The zero padding counts in the divisor unless ``count_include_pad=False``;
    ``divisor_override`` replaces the divisor."""
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor_override must not be zero")
    params = _pool_args("avg_pool2d", input, kernel_size, stride, padding, ceil_mode)
    return _batched(input, lambda x: AvgPool2d.apply(
        x, **params, count_include_pad=bool(count_include_pad), divisor_override=divisor_override,
    ))


_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5}


def interpolate(
    input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
    align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial axes of (N, C, W), (N, C, H, W) or (N, C, D, H, W) to ``size`` or by
    ``scale_factor``: mode "nearest" / "nearest-exact" copies pixels, "linear" / "bilinear" /
    "trilinear" interpolates (``align_corners`` as in PyTorch, default False)."""
    if mode not in ("nearest", "nearest-exact", *_LINEAR_MODES):
        raise NotImplementedError(
            f"interpolate: mode {mode!r} is not supported; use 'nearest', 'nearest-exact', "
            "'linear', 'bilinear' or 'trilinear'"
        )
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    nearest = mode.startswith("nearest")
    if nearest and align_corners is not None:
        raise ValueError(
            "interpolate: align_corners can only be set with the interpolating modes: "
            "linear | bilinear | trilinear"
        )
    spatial = input.ndim - 2
    if not 1 <= spatial <= 3 or (not nearest and input.ndim != _LINEAR_MODES[mode]):
        need = "3-D, 4-D or 5-D" if nearest else f"{_LINEAR_MODES[mode]}-D"
        raise ShapeError(
            f"interpolate: mode {mode!r} needs a {need} input (N, C, *spatial), got shape "
            f"{tuple(input.shape)}"
        )
    if not nearest and not input.dtype.is_floating_point:
        raise TypeError(f"interpolate: mode {mode!r} needs a floating point input, got {input.dtype.name}")
    sizes, scales = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    xp = get_array_module(input.array)
    device = input.array.device
    y = input
    # Last axis first: y = A_h @ (x @ A_w^T) adds the products in the order of PyTorch's kernel.
    resized = list(zip(range(2, input.ndim), input.shape[2:], sizes, scales, strict=True))
    for axis, n_in, n_out, scale in reversed(resized):
        if nearest:
            index = source_positions(
                xp, n_in, n_out, scale, mode == "nearest-exact", device, shortcuts=spatial == 2,
                wide=spatial != 2 and input.dtype.name == "float64",
            )
            y = getitem(y, (slice(None),) * axis + (Tensor.wrap(index),))
            continue
        if n_out == n_in:  # PyTorch copies an axis whose size does not change, whatever the scale
            continue
        a = linear_matrix(xp, n_in, n_out, bool(align_corners), scale, input.array.dtype, device)
        if axis == y.ndim - 1:  # y @ A^T along the last axis
            y = matmul(y, Tensor.wrap(a.T))
        elif axis == y.ndim - 2:  # A @ y along the second to last
            y = matmul(Tensor.wrap(a), y)
        else:  # depth: move it last, resize, move it back
            y = matmul(y.transpose(axis, -1), Tensor.wrap(a.T)).transpose(axis, -1)
    return y


def _output_sizes(
    input: Tensor, size: Any, scale_factor: Any, recompute_scale_factor: bool | None
) -> tuple[list[int], list[float | None]]:
    """The output size of each spatial axis, and the scale PyTorch's kernels compute positions
    with: the given factor, or None (then input size / output size)."""
    spatial = input.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None:
        sizes = [size] * spatial if isinstance(size, int) else list(size)
        if len(sizes) != spatial:
            raise ValueError(
                f"interpolate: size {size} has {len(sizes)} entries for {spatial} spatial dimensions"
            )
        scales: list[float | None] = [None] * spatial
    else:
        factors = [scale_factor] * spatial if isinstance(scale_factor, numbers.Real) else list(scale_factor)
        if len(factors) != spatial:
            raise ValueError(
                f"interpolate: scale_factor {scale_factor} has {len(factors)} entries for "
                f"{spatial} spatial dimensions"
            )
        sizes = [math.floor(n * float(f)) for n, f in zip(input.shape[2:], factors, strict=True)]
        scales = [None if recompute_scale_factor else float(f) for f in factors]
    if min(sizes) < 1:
        raise ValueError(f"interpolate: the output size {tuple(sizes)} must be at least 1 everywhere")
    return sizes, scales


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 dimensions: pad = (left, right) for the last, then (top,
    bottom) for the one before, ... as PyTorch. Negative widths crop. Modes: "constant"
    (``value``, default 0), "reflect", "replicate", "circular"."""
    widths_last_first = list(pad)
    if len(widths_last_first) % 2:
        raise ValueError(f"pad: the padding {tuple(pad)} must have an even length (pairs)")
    k = len(widths_last_first) // 2
    if k > input.ndim:
        raise ValueError(f"pad: padding {tuple(pad)} pads {k} dimensions of a {input.ndim}-D input")
    widths = [(0, 0)] * (input.ndim - k) + [
        (widths_last_first[2 * i], widths_last_first[2 * i + 1]) for i in reversed(range(k))
    ]
    if any(n + b + a < 0 for n, (b, a) in zip(input.shape, widths, strict=True)):
        raise ValueError(f"pad: padding {tuple(pad)} crops more than the input {tuple(input.shape)} has")
    if mode == "constant":
        return Pad.apply(input, widths=tuple(widths), value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(
            f"pad: mode {mode!r} is not supported; use 'constant', 'reflect', 'replicate' or 'circular'"
        )
    if value is not None and value != 0:
        raise ValueError(f"pad: mode {mode!r} does not take a value")
    if input.ndim not in (k + 1, k + 2) or k > 3:
        raise NotImplementedError(
            f"pad: mode {mode!r} pads the last 1, 2 or 3 dimensions of a (N, C, ...) or (C, ...) "
            f"input; padding of length {len(widths_last_first)} does not fit a {input.ndim}-D input"
        )
    # Crop first (negative widths), then read each padded axis through the mode's index map.
    y = getitem(input, tuple(slice(max(-b, 0), n - max(-a, 0)) for n, (b, a) in zip(input.shape, widths, strict=True)))
    xp = get_array_module(input.array)
    for axis, (before, after) in enumerate(widths):
        before, after, n = max(before, 0), max(after, 0), y.shape[axis]
        if not (before or after):
            continue
        if (mode == "reflect" and max(before, after) >= n) or (mode == "circular" and max(before, after) > n) or n == 0:
            raise ValueError(
                f"pad: {mode} padding ({before}, {after}) of dimension {axis} must be smaller than "
                f"its size {n}" + (" (or equal, for circular)" if mode == "circular" else "")
            )
        index = border_index(xp, n, before, after, mode, input.array.device)
        y = getitem(y, (slice(None),) * axis + (Tensor.wrap(index),))
    return y
