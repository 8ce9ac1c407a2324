"""Gradient-check cases for the layers and losses (minigen.nn): inputs AND every parameter.

Each layer is built in float64 and its parameters are listed among the checked inputs, so
gradcheck perturbs them too (it swaps their ``.array``). Shapes are small and non-square so the
full element-by-element check stays fast and a swapped height/width would show.
"""

from __future__ import annotations

import numpy as np
from gradcases import GradCase, rand64

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F

CASES: list[GradCase] = []


def case(name: str, directional: bool | None = None, **options: float):
    def register(build):
        CASES.append(GradCase(name, build, directional, tuple(options.items())))
        return build

    return register


def layer_case(layer: nn.Module, x: mg.Tensor):
    """(fn, inputs) checking the input and every parameter of a float64 layer."""
    layer.double()
    params = list(layer.parameters())
    return (lambda x, *p: layer(x)), [x, *params]


# -- Linear --------------------------------------------------------------------------------------
@case("nn Linear with bias")
def _():
    return layer_case(nn.Linear(5, 3), rand64(4, 5))


@case("nn Linear without bias, 3-D input")
def _():
    return layer_case(nn.Linear(4, 2, bias=False), rand64(2, 3, 4))


@case("nn Linear on a 1-D input")
def _():
    return layer_case(nn.Linear(3, 2), rand64(3))


# -- Conv2d: several kernels, strides, paddings, non-square inputs --------------------------------
CONV_CONFIGS = [
    # (in, out, kernel, stride, padding, input (N, C, H, W))
    (2, 3, 3, 1, 1, (2, 2, 5, 4)),
    (2, 3, 4, 2, 1, (2, 2, 7, 6)),  # the DCGAN discriminator's configuration
    (1, 2, (3, 2), (2, 1), (0, 1), (2, 1, 6, 5)),
    (2, 2, 3, 3, 2, (1, 2, 5, 7)),  # stride == kernel, floor drops a column
    (3, 2, 1, 1, 0, (2, 3, 3, 2)),  # 1x1
    (16, 2, 4, 2, 1, (1, 16, 6, 6)),  # wide input: dL/dx takes the sub-pixel path
    (3, 2, (3, 2), 1, 0, (2, 3, 3, 2)),  # the kernel covers the image: one window, a dense layer
]


def _conv_name(c):
    cin, cout, k, s, p, shape = c
    return f"nn Conv2d({cin},{cout}) k={k} s={s} p={p} on {shape}"


def _add_conv(config):
    cin, cout, k, s, p, shape = config

    @case(_conv_name(config))
    def _():
        return layer_case(nn.Conv2d(cin, cout, k, s, p), rand64(*shape))


for _config in CONV_CONFIGS:
    _add_conv(_config)


@case("nn Conv2d without bias, unbatched input")
def _():
    return layer_case(nn.Conv2d(2, 2, 3, 2, 1, bias=False), rand64(2, 5, 4))


# -- ConvTranspose2d: strides, paddings and output_padding ---------------------------------------
CONVT_CONFIGS = [
    # (in, out, kernel, stride, padding, output_padding, input)
    (2, 3, 4, 2, 1, 0, (2, 2, 3, 4)),  # the DCGAN generator's configuration
    (2, 2, 3, 2, 1, 1, (2, 2, 3, 2)),
    (1, 2, (3, 2), (3, 2), (1, 0), (2, 1), (2, 1, 2, 3)),
    (3, 2, 3, 1, 0, 0, (1, 3, 3, 2)),
    (2, 16, 4, 2, 1, 0, (1, 2, 3, 3)),  # wide output: the forward takes the sub-pixel path
    (2, 64, 3, 1, 1, 0, (1, 2, 4, 4)),  # stride 1, wide: the sub-pixel path as a full correlation
    (3, 2, (3, 2), 2, 0, 0, (2, 3, 1, 1)),  # a 1x1 input: one window, a dense layer
]


def _add_convt(config):
    cin, cout, k, s, p, op, shape = config

    @case(f"nn ConvTranspose2d({cin},{cout}) k={k} s={s} p={p} op={op} on {shape}")
    def _():
        return layer_case(nn.ConvTranspose2d(cin, cout, k, s, p, op), rand64(*shape))


for _config in CONVT_CONFIGS:
    _add_convt(_config)


@case("nn ConvTranspose2d without bias")
def _():
    return layer_case(nn.ConvTranspose2d(2, 2, 4, 2, 1, bias=False), rand64(1, 2, 2, 3))


# -- BatchNorm -------------------------------------------------------------------------------------
@case("nn BatchNorm2d train mode")
def _():
    bn = nn.BatchNorm2d(3)
    fn, inputs = layer_case(bn, rand64(4, 3, 2, 3))
    _perturb_affine(bn)
    return fn, inputs


@case("nn BatchNorm2d eval mode (running statistics)")
def _():
    bn = nn.BatchNorm2d(3)
    fn, inputs = layer_case(bn, rand64(2, 3, 2, 3))
    _perturb_affine(bn)
    with mg.no_grad():
        bn.running_mean.data = _on(bn.running_mean, [0.2, -0.3, 0.1])
        bn.running_var.data = _on(bn.running_var, [0.5, 1.5, 2.0])
    bn.eval()
    return fn, inputs


@case("nn BatchNorm1d train mode on (N, C) and (N, C, L)")
def _():
    bn = nn.BatchNorm1d(3).double()
    _perturb_affine(bn)
    return (lambda a, b, *p: bn(a).sum(0) + bn(b).sum((0, 2))), [
        rand64(5, 3),
        rand64(3, 3, 4, seed=2),
        *bn.parameters(),
    ]


@case("nn BatchNorm2d without affine, train mode")
def _():
    return layer_case(nn.BatchNorm2d(2, affine=False), rand64(3, 2, 2, 2))


@case("nn functional batch_norm with weight only, eval")
def _():
    weight = rand64(3, seed=5)
    mean, var = (
        mg.tensor([0.1, 0.0, -0.2], dtype=mg.float64),
        mg.tensor([1.0, 0.5, 2.0], dtype=mg.float64),
    )
    return (lambda x, w: F.batch_norm(x, mean, var, weight=w)), [rand64(4, 3), weight]


def _perturb_affine(bn):
    """Non-trivial gamma and beta, so a wrong sign or a missing gamma would show."""
    if bn.affine:
        with mg.no_grad():
            bn.weight.data = _on(bn.weight, np.linspace(0.5, 1.5, bn.num_features))
            bn.bias.data = _on(bn.bias, np.linspace(-0.2, 0.3, bn.num_features))


def _on(like, values):
    """``values`` as a tensor with the dtype and device of ``like``: a case builds every tensor
    on the device under test (a host array here would move a parameter off a GPU)."""
    return mg.tensor(np.asarray(values), dtype=like.dtype, device=like.device)


# -- Dropout, Embedding ----------------------------------------------------------------------------
@case("nn Dropout train mode (fixed seed each call)")
def _():
    layer = nn.Dropout(0.4)

    def fn(x):
        mg.manual_seed(123)  # the same mask on every call, so the function is deterministic
        return layer(x)

    return fn, [rand64(5, 6)]


@case("nn Embedding with repeated indices")
def _():
    emb = nn.Embedding(6, 3).double()
    index = mg.tensor([[0, 2, 2], [5, 0, 2]])
    return (lambda w: emb(index)), [emb.weight]


# -- losses ----------------------------------------------------------------------------------
@case("nn binary_cross_entropy on probabilities, targets too")
def _():
    p = rand64(3, 4, low=0.05, high=0.95)
    y = rand64(3, 4, seed=3, low=0.0, high=1.0)
    return (lambda p, y: F.binary_cross_entropy(p, y)), [p, y]


@case("nn BCELoss sum with weight")
def _():
    p = rand64(4, 2, low=0.1, high=0.9)
    y = mg.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], dtype=mg.float64)
    loss = nn.BCELoss(weight=mg.tensor([0.5, 2.0], dtype=mg.float64), reduction="sum")
    return (lambda p: loss(p, y)), [p]


@case("nn binary_cross_entropy_with_logits at logits of +-80")
def _():
    x = mg.tensor([[80.0, -80.0, 3.0], [-2.5, 0.7, 79.0]], dtype=mg.float64, requires_grad=True)
    y = rand64(2, 3, seed=4, low=0.0, high=1.0)
    return (lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="sum")), [x, y]


@case("nn binary_cross_entropy_with_logits mean, and with a weight")
def _():
    x = rand64(3, 4, low=-5.0, high=5.0)
    y = rand64(3, 4, seed=5, low=0.0, high=1.0)
    w = rand64(4, seed=6, low=0.5, high=2.0, requires_grad=False)
    return (lambda x, y: F.binary_cross_entropy_with_logits(x, y)
            + F.binary_cross_entropy_with_logits(x, y, weight=w)), [x, y]


@case("nn BCEWithLogitsLoss none")
def _():
    y = mg.tensor([[1.0, 0.0, 1.0]], dtype=mg.float64)
    return (lambda x: nn.BCEWithLogitsLoss(reduction="none")(x, y)), [
        rand64(1, 3, low=-4.0, high=4.0)
    ]


@case("nn mse_loss mean and MSELoss sum")
def _():
    return (lambda a, b: F.mse_loss(a, b) + nn.MSELoss(reduction="sum")(a, b)), [
        rand64(3, 4),
        rand64(3, 4, seed=2),
    ]


@case("nn gaussian_kl batchmean and none")
def _():
    return (
        lambda mu, lv: (
            F.gaussian_kl(mu, lv, reduction="batchmean") + F.gaussian_kl(mu, lv, reduction="none")
        )
    ), [rand64(4, 3), rand64(4, 3, seed=6)]


# -- a small network through every layer at once ---------------------------------------------------
@case("nn DCGAN-like stack: conv, batchnorm, leaky relu, flatten, linear, convT, tanh")
def _():
    mg.manual_seed(7)
    net = nn.Sequential(
        nn.Conv2d(1, 2, 4, 2, 1),
        nn.BatchNorm2d(2),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        nn.Linear(2 * 3 * 2, 6),
        nn.Unflatten(1, (3, 1, 2)),
        nn.ConvTranspose2d(3, 1, 4, 2, 1),
        nn.Tanh(),
    ).double()
    x = rand64(2, 1, 6, 4)
    return (lambda x, *p: net(x)), [x, *net.parameters()]


# -- issue 12: classification and L1 losses, pooling, resizing, padding ---------------------------
@case("nn cross_entropy: weight, ignore_index, label smoothing, mean")
def _():
    target = mg.tensor([0, 3, -100, 1, 3])
    weight = mg.tensor([0.5, 1.0, 2.0, 1.5], dtype=mg.float64)
    return (lambda x: F.cross_entropy(x, target, weight, label_smoothing=0.2)), [rand64(5, 4)]


@case("nn CrossEntropyLoss on (N, C, H, W) none, and probability targets")
def _():
    target = mg.tensor([[[0, 2], [1, 1]], [[2, 2], [0, 1]]])
    probs = mg.tensor(np.random.default_rng(1).dirichlet(np.ones(3), size=4), dtype=mg.float64)
    loss = nn.CrossEntropyLoss(reduction="none")
    return (lambda x, y: loss(x, target).sum() + F.cross_entropy(y, probs, label_smoothing=0.1)), [
        rand64(2, 3, 2, 2), rand64(4, 3, seed=2)]


@case("nn nll_loss sum with weight, NLLLoss of LogSoftmax")
def _():
    target = mg.tensor([2, 0, 1])
    weight = mg.tensor([1.0, 2.0, 0.5], dtype=mg.float64)
    net = nn.Sequential(nn.LogSoftmax(dim=1))
    return (lambda x: F.nll_loss(x, target, weight, reduction="sum") + nn.NLLLoss()(net(x), target)), [
        rand64(3, 3)]


@case("nn l1_loss and SmoothL1Loss (beta 0.5 and 1)")
def _():
    def fn(a, b):
        return F.l1_loss(a, b) + nn.SmoothL1Loss(beta=0.5)(a, b) + F.smooth_l1_loss(a, b, reduction="sum")

    return fn, [rand64(3, 4, low=-2.0, high=2.0), rand64(3, 4, seed=3)]


@case("nn MaxPool2d 3x3 stride 2 padding 1 ceil_mode, and 2x2")
def _():
    x = rand64(2, 2, 7, 6)
    return (lambda x: nn.MaxPool2d(3, 2, 1, ceil_mode=True)(x).sum() * 0.5 + F.max_pool2d(x, 2)), [x]


@case("nn AvgPool2d overlapping, count_include_pad False, divisor_override, unbatched")
def _():
    def fn(x):
        a = nn.AvgPool2d(3, 2, 1, count_include_pad=False)(x)
        return a.sum() + F.avg_pool2d(x[0], (2, 3), 1, divisor_override=4)

    return fn, [rand64(2, 2, 5, 6)]


@case("nn Upsample nearest x2 and bilinear, interpolate to a size")
def _():
    def fn(x):
        near = nn.Upsample(scale_factor=2)(x)
        bil = F.interpolate(x, size=(7, 3), mode="bilinear")
        corners = F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True)
        return near.sum(1) * 0.5 + bil.mean() + corners.sum()

    return fn, [rand64(2, 2, 4, 5)]


@case("nn pad reflect, replicate and circular")
def _():
    def fn(x):
        return F.pad(x, (2, 1, 1, 2), mode="reflect").sum(1) * F.pad(x, (1, 0, 2, 1), mode="replicate").mean() + (
            F.pad(x, (3, 1), mode="circular") ** 2).sum()

    return fn, [rand64(2, 3, 4)]
