"""cross_entropy, nll_loss, one_hot, l1_loss and smooth_l1_loss (and their layers) against NumPy
references written out sample by sample."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F
from minigen.errors import ShapeError


def np_log_softmax(x, axis=1):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def np_cross_entropy(logits, target, weight=None, ignore_index=-100, reduction="mean", smoothing=0.0):
    """PyTorch's definition, one sample at a time: (1 - e) w[t] (-logp[t]) + e / C sum_c w[c]
    (-logp[c]); "mean" divides by the sum of w[t] over the samples that are not ignored."""
    n, c = logits.shape
    w = np.ones(c) if weight is None else weight
    logp = np_log_softmax(logits)
    losses, total = [], 0.0
    for i in range(n):
        if target[i] == ignore_index:
            losses.append(0.0)
            continue
        nll = -w[target[i]] * logp[i, target[i]]
        smooth = -(w * logp[i]).sum()
        losses.append((1 - smoothing) * nll + smoothing / c * smooth)
        total += w[target[i]]
    losses = np.array(losses)
    return {"none": losses, "sum": losses.sum(), "mean": losses.sum() / total}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_matches_the_per_sample_definition(reduction, smoothing, weighted):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 4)) * 3
    target = np.array([0, 3, -100, 1, 3, 2])
    weight = rng.uniform(0.5, 2, 4) if weighted else None
    loss = F.cross_entropy(
        mg.tensor(logits), mg.tensor(target), None if weight is None else mg.tensor(weight),
        reduction=reduction, label_smoothing=smoothing,
    )
    expected = np_cross_entropy(logits, target, weight, reduction=reduction, smoothing=smoothing)
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-12)


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((5, 3))
    target = np.array([0, 2, 2, 1, 0])
    x = mg.tensor(logits, requires_grad=True)
    nn.CrossEntropyLoss()(x, mg.tensor(target)).backward()
    expected = (np.exp(np_log_softmax(logits)) - np.eye(3)[target]) / 5
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-15)


def test_cross_entropy_on_image_shaped_logits_and_an_unbatched_sample():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((2, 3, 4, 5))
    target = rng.integers(0, 3, (2, 4, 5))
    flat_logits = np.moveaxis(logits, 1, -1).reshape(-1, 3)
    loss = F.cross_entropy(mg.tensor(logits), mg.tensor(target), reduction="none")
    assert loss.shape == (2, 4, 5)
    np.testing.assert_allclose(
        loss.numpy().reshape(-1), np_cross_entropy(flat_logits, target.reshape(-1), reduction="none"),
        rtol=1e-12,
    )
    single = F.cross_entropy(mg.tensor(logits[0, :, 0, 0]), mg.tensor(1))
    assert single.shape == () and single.item() == pytest.approx(-np_log_softmax(logits[:1, :, 0, 0])[0, 1])


def test_cross_entropy_with_class_probabilities():
    rng = np.random.default_rng(3)
    logits, probs = rng.standard_normal((4, 3)), rng.dirichlet(np.ones(3), size=4)
    weight = np.array([1.0, 2.0, 0.5])
    smoothed = probs * 0.8 + 0.2 / 3
    expected = -(weight * smoothed * np_log_softmax(logits)).sum(1)
    loss = F.cross_entropy(mg.tensor(logits), mg.tensor(probs), mg.tensor(weight), label_smoothing=0.2)
    assert loss.item() == pytest.approx(expected.mean(), rel=1e-12)  # divided by N, not the weights
    with pytest.raises(ValueError, match="ignore_index is not supported for class-probability targets"):
        F.cross_entropy(mg.tensor(logits), mg.tensor(probs), ignore_index=0)


def test_every_target_ignored_gives_nan_as_pytorch():
    with np.errstate(invalid="ignore"):
        loss = F.cross_entropy(mg.tensor(np.zeros((2, 3))), mg.tensor([-100, -100]))
    assert np.isnan(loss.item())


def test_nll_loss_and_layers():
    rng = np.random.default_rng(4)
    logp = np_log_softmax(rng.standard_normal((5, 4)))
    target = np.array([3, 0, 0, 7, 1])
    weight = np.array([0.5, 1.0, 2.0, 1.5])
    picked = np.array([-weight[t] * logp[i, t] if t != 7 else 0.0 for i, t in enumerate(target)])
    total = sum(weight[t] for t in target if t != 7)
    layer = nn.NLLLoss(mg.tensor(weight), ignore_index=7)
    assert layer(mg.tensor(logp), mg.tensor(target)).item() == pytest.approx(picked.sum() / total, rel=1e-12)
    assert F.nll_loss(mg.tensor(logp), mg.tensor(target), mg.tensor(weight), ignore_index=7,
                      reduction="sum").item() == pytest.approx(picked.sum(), rel=1e-12)
    assert [n for n, _ in layer.named_buffers()] == ["weight"]  # in the state_dict, as PyTorch
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


def test_classification_losses_refuse_bad_targets_clearly():
    x = mg.zeros(2, 3)
    with pytest.raises(TypeError, match="cross_entropy: class-index targets must be int64, got int32"):
        F.cross_entropy(x, mg.tensor([0, 1], dtype=mg.int32))
    with pytest.raises(IndexError, match=r"nll_loss: target 3 is out of bounds for 3 classes \[0, 3\)"):
        F.nll_loss(x, mg.tensor([0, 3]))
    with pytest.raises(IndexError, match="target -2 is out of bounds"):
        F.cross_entropy(x, mg.tensor([-2, 0]))
    with pytest.raises(ShapeError, match=r"target of shape \(3,\) does not fit input of shape \(2, 3\)"):
        F.cross_entropy(x, mg.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"weight must be a float32 tensor of shape \(3,\)"):
        F.cross_entropy(x, mg.tensor([0, 1]), weight=mg.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, mg.tensor([0, 1]), label_smoothing=1.5)


def test_legacy_size_average_and_reduce_map_to_reduction_with_a_warning():
    x, t = mg.tensor([[0.0, 1.0]]), mg.tensor([1])
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        layer = nn.CrossEntropyLoss(size_average=False)
    assert layer.reduction == "sum"
    with pytest.warns(UserWarning):
        assert F.l1_loss(x, mg.zeros(1, 2), reduce=False).shape == (1, 2)
    assert nn.NLLLoss(reduction="none")(x, t).shape == (1,)


def test_one_hot_is_int64_as_pytorch():
    y = F.one_hot(mg.tensor([[0, 3], [2, 2]]), 5)
    assert y.dtype == mg.int64 and y.shape == (2, 2, 5)
    np.testing.assert_array_equal(y.numpy(), np.eye(5, dtype=np.int64)[[[0, 3], [2, 2]]])
    assert F.one_hot(mg.tensor([1, 4])).shape == (2, 5)  # num_classes=-1: the largest + 1
    with pytest.raises(TypeError, match="one_hot: expected an int64 tensor of class indices, got float32"):
        F.one_hot(mg.tensor([1.0]))
    with pytest.raises(ValueError, match="one_hot: class value 5 is not smaller than num_classes=5"):
        F.one_hot(mg.tensor([5]), 5)
    with pytest.raises(ValueError, match="class values must be non-negative"):
        F.one_hot(mg.tensor([-1]), 5)


@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
def test_l1_and_smooth_l1_losses_and_their_gradients(beta):
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((4, 3)) * 2, rng.standard_normal((4, 3))
    d = a - b
    if beta:
        elementwise = np.where(np.abs(d) < beta, 0.5 * d**2 / beta, np.abs(d) - 0.5 * beta)
        slope = np.clip(d / beta, -1, 1)
    else:
        elementwise, slope = np.abs(d), np.sign(d)
    x = mg.tensor(a, requires_grad=True)
    loss = nn.SmoothL1Loss(beta=beta)(x, mg.tensor(b))
    assert loss.item() == pytest.approx(elementwise.mean(), rel=1e-12)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), slope / d.size, rtol=1e-12)
    x.grad = None
    nn.L1Loss(reduction="sum")(x, mg.tensor(b)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.sign(d))
    assert F.l1_loss(x, mg.tensor(b), reduction="none").shape == (4, 3)
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must be >= 0"):
        F.smooth_l1_loss(x, mg.tensor(b), beta=-1.0)


def test_float32_losses_stay_float32():
    x, t = mg.randn(4, 3), mg.tensor([0, 1, 2, 0])
    for loss in (F.cross_entropy(x, t), F.nll_loss(F.log_softmax(x, 1), t), F.l1_loss(x, x * 2),
                 F.smooth_l1_loss(x, x * 2), F.cross_entropy(x, F.softmax(x * 2, 1), label_smoothing=0.1)):
        assert loss.dtype == mg.float32
