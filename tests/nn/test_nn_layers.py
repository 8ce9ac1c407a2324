"""Layers: shapes, dtype preservation, BatchNorm statistics, Dropout, Embedding, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
import minigen.nn as nn
import minigen.nn.functional as F
from minigen.errors import ShapeError

LAYERS = [
    (lambda: nn.Linear(6, 4), (3, 6), (3, 4)),
    (lambda: nn.Conv2d(2, 3, 3, 2, 1), (2, 2, 7, 5), (2, 3, 4, 3)),
    (lambda: nn.ConvTranspose2d(3, 2, 4, 2, 1), (2, 3, 4, 3), (2, 2, 8, 6)),
    (lambda: nn.BatchNorm1d(4), (5, 4), (5, 4)),
    (lambda: nn.BatchNorm2d(3), (2, 3, 4, 5), (2, 3, 4, 5)),
    (lambda: nn.ReLU(), (3, 4), (3, 4)),
    (lambda: nn.LeakyReLU(0.2), (3, 4), (3, 4)),
    (lambda: nn.Tanh(), (3, 4), (3, 4)),
    (lambda: nn.Sigmoid(), (3, 4), (3, 4)),
    (lambda: nn.Dropout(0.5), (3, 4), (3, 4)),
    (lambda: nn.Flatten(), (2, 3, 4, 5), (2, 60)),
    (lambda: nn.Unflatten(1, (3, 4)), (2, 12), (2, 3, 4)),
]


@pytest.mark.parametrize(
    "make, in_shape, out_shape", LAYERS, ids=lambda v: getattr(v, "__name__", None)
)
def test_float32_in_float32_out_with_float32_gradients(make, in_shape, out_shape):
    layer = make()
    x = mg.randn(*in_shape, requires_grad=True)
    y = layer(x)
    assert y.shape == out_shape and y.dtype == mg.float32
    y.sum().backward()
    assert x.grad.dtype == mg.float32
    assert all(p.grad.dtype == mg.float32 for p in layer.parameters())
    assert all(b.dtype in (mg.float32, mg.int64) for b in layer.buffers())


@pytest.mark.parametrize(
    "make, in_shape, out_shape", LAYERS, ids=lambda v: getattr(v, "__name__", None)
)
def test_float64_layers_give_float64(make, in_shape, out_shape):
    layer = make().double()
    y = layer(mg.randn(*in_shape, dtype=mg.float64))
    assert y.dtype == mg.float64 and y.shape == out_shape


def test_linear_computes_x_wt_plus_b():
    layer = nn.Linear(3, 2)
    x = mg.randn(4, 3)
    expected = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-6)
    assert layer(mg.randn(2, 5, 3)).shape == (2, 5, 2)


def test_linear_errors_name_the_layer():
    layer = nn.Linear(784, 400)
    with pytest.raises(TypeError) as error:
        layer(mg.randn(64, 784, dtype=mg.float64))
    assert str(error.value) == (
        "Linear(in_features=784, out_features=400, bias=True): input is float64 but the layer's "
        "parameters are float32; call .float() on the input or .double() on the layer"
    )
    with pytest.raises(
        ShapeError,
        match=r"Linear\(in_features=784, out_features=400, bias=True\): "
        r"expected input of shape \(\*, 784\), got \(64, 100\)",
    ):
        layer(mg.randn(64, 100))
    with pytest.raises(
        TypeError, match="input is uint8 but the layer's parameters are float32; convert it"
    ):
        layer(mg.tensor(np.zeros((2, 784), dtype=np.uint8)))
    with pytest.raises(
        TypeError,
        match=r"input is float32 but .* float64; call .double\(\) on the input or "
        r".float\(\) on the layer",
    ):
        nn.Linear(3, 2).double()(mg.randn(1, 3))


def test_batchnorm_running_statistics_follow_a_numpy_reference():
    """Five training steps: running mean/var move by momentum towards the batch mean and the
    UNBIASED batch variance; the output is normalised with the BIASED variance."""
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm2d(3, momentum=0.2)
    mean_ref, var_ref = np.zeros(3), np.ones(3)
    for _ in range(5):
        x = rng.standard_normal((4, 3, 5, 2)).astype(np.float32) * 2 + 1
        y = bn(mg.tensor(x))
        m = x.mean(axis=(0, 2, 3))
        v_biased = x.var(axis=(0, 2, 3))
        v_unbiased = x.var(axis=(0, 2, 3), ddof=1)
        mean_ref = 0.8 * mean_ref + 0.2 * m
        var_ref = 0.8 * var_ref + 0.2 * v_unbiased
        expected = (x - m[None, :, None, None]) / np.sqrt(v_biased[None, :, None, None] + 1e-5)
        np.testing.assert_allclose(y.numpy(), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.running_mean.numpy(), mean_ref, rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(), var_ref, rtol=1e-5)
    assert bn.num_batches_tracked.item() == 5
    assert bn.running_mean.dtype == mg.float32


def test_batchnorm_eval_uses_running_statistics_and_does_not_update_them():
    bn = nn.BatchNorm1d(2)
    with mg.no_grad():
        bn.running_mean.array = np.array([1.0, -1.0], dtype=np.float32)
        bn.running_var.array = np.array([4.0, 0.25], dtype=np.float32)
        bn.weight.array = np.array([2.0, 1.0], dtype=np.float32)
        bn.bias.array = np.array([0.5, 0.0], dtype=np.float32)
    bn.eval()
    x = np.array([[3.0, 0.0], [1.0, -1.0]], dtype=np.float32)
    y = bn(mg.tensor(x)).numpy()
    expected = (x - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) * [2.0, 1.0] + [0.5, 0.0]
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    assert bn.running_mean.numpy().tolist() == [1.0, -1.0]
    assert bn.num_batches_tracked.item() == 0
    single = bn(mg.randn(1, 2))  # one sample is fine in eval mode
    assert single.shape == (1, 2)


def test_batchnorm_momentum_none_is_a_cumulative_average():
    rng = np.random.default_rng(1)
    bn = nn.BatchNorm1d(2, momentum=None)
    batches = [rng.standard_normal((6, 2)).astype(np.float32) for _ in range(3)]
    for x in batches:
        bn(mg.tensor(x))
    np.testing.assert_allclose(
        bn.running_mean.numpy(), np.mean([b.mean(0) for b in batches], axis=0), rtol=1e-5
    )
    assert bn.running_mean.dtype == mg.float32 and bn.running_var.dtype == mg.float32


@pytest.mark.parametrize("device", ["cpu", "strict"])
def test_batchnorm_momentum_none_never_syncs_with_the_host(device, monkeypatch):
    """The 1/n weight of the cumulative average stays on the device: no .item() per step (on a
    GPU that would make every training step wait for the device)."""
    if device == "strict":
        pytest.importorskip("array_api_strict")
    bn = nn.BatchNorm1d(2, momentum=None).to(device)
    x = mg.randn(5, 2, device=device)

    def refuse(self):
        raise AssertionError("BatchNorm called .item() in a training step")

    monkeypatch.setattr(mg.Tensor, "item", refuse)
    bn(x)
    bn(x * 2)
    monkeypatch.undo()
    expected = (x.numpy().mean(0) + (x * 2).numpy().mean(0)) / 2
    np.testing.assert_allclose(bn.running_mean.numpy(), expected, rtol=1e-5)


def test_batchnorm_bad_input_is_a_clear_error():
    with pytest.raises(
        ShapeError,
        match=r"BatchNorm2d\(8, eps=1e-05.*\): expected input of shape \(N, 8, H, W\), "
        r"got \(4, 3, 5, 5\)",
    ):
        nn.BatchNorm2d(8)(mg.randn(4, 3, 5, 5))
    with pytest.raises(
        ShapeError, match=r"expected input of shape \(N, 4\) or \(N, 4, L\), got \(2, 4, 3, 3\)"
    ):
        nn.BatchNorm1d(4)(mg.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match="more than 1 value per channel when training"):
        nn.BatchNorm1d(4)(mg.randn(1, 4))
    with pytest.raises(TypeError, match=r"BatchNorm1d\(4.*input is float64"):
        nn.BatchNorm1d(4)(mg.randn(3, 4, dtype=mg.float64))


def test_batchnorm_without_running_stats_always_uses_the_batch():
    bn = nn.BatchNorm1d(3, track_running_stats=False).eval()
    x = mg.randn(8, 3) * 3 + 2
    y = bn(x).numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    assert list(bn.state_dict()) == ["weight", "bias"]


def test_dropout_scales_survivors_and_is_the_identity_in_eval():
    mg.manual_seed(3)
    drop = nn.Dropout(0.25)
    x = mg.ones(200, 100)
    y = drop(x).numpy()
    assert np.unique(y).tolist() == [0.0, pytest.approx(1 / 0.75)]
    assert (y == 0).mean() == pytest.approx(0.25, abs=0.01)
    assert y.mean() == pytest.approx(1.0, abs=0.02)  # inverted dropout keeps the expectation
    drop.eval()
    assert drop(x) is x


def test_dropout_masks_follow_the_seed_and_the_gradient_uses_the_same_mask():
    x = mg.randn(5, 7, requires_grad=True)
    mg.manual_seed(11)
    y1 = F.dropout(x, 0.5)
    mg.manual_seed(11)
    y2 = F.dropout(x, 0.5)
    np.testing.assert_array_equal(y1.numpy(), y2.numpy())
    y1.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy() != 0, y1.numpy() != 0)
    assert F.dropout(x, 0.0) is x
    assert np.all(F.dropout(x, 1.0).numpy() == 0)
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)


def test_embedding_looks_up_rows():
    emb = nn.Embedding(10, 3)
    index = mg.tensor([[1, 1], [9, 0]])
    y = emb(index)
    assert y.shape == (2, 2, 3) and y.dtype == mg.float32
    np.testing.assert_array_equal(y.numpy()[1, 0], emb.weight.numpy()[9])
    y.sum().backward()
    counts = emb.weight.grad.numpy()[:, 0]
    assert counts.tolist() == [1, 2, 0, 0, 0, 0, 0, 0, 0, 1]  # repeated rows add up


def test_embedding_bad_indices():
    emb = nn.Embedding(10, 3)
    with pytest.raises(
        IndexError, match=r"Embedding\(10, 3\): index 10 is out of range for 10 embeddings"
    ):
        emb(mg.tensor([3, 10]))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        emb(mg.tensor([-1]))
    with pytest.raises(
        TypeError, match=r"indices must be an integer tensor \(int64\), got float32"
    ):
        emb(mg.tensor([1.0, 2.0]))


def test_activations_and_reshaping_layers():
    x = mg.tensor([[-2.0, 0.0, 3.0]])
    assert nn.ReLU()(x).tolist() == [[0.0, 0.0, 3.0]]
    assert nn.LeakyReLU(0.1)(x).numpy()[0].tolist() == pytest.approx([-0.2, 0.0, 3.0])
    np.testing.assert_allclose(nn.Tanh()(x).numpy(), np.tanh(x.numpy()), rtol=1e-6)
    np.testing.assert_allclose(nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp(-x.numpy())), rtol=1e-6)
    assert nn.Flatten(0)(mg.zeros(2, 3, 4)).shape == (24,)
    assert nn.Flatten(1, 2)(mg.zeros(2, 3, 4, 5)).shape == (2, 12, 5)
    assert nn.Unflatten(1, (-1, 7, 7))(mg.zeros(3, 98)).shape == (3, 2, 7, 7)
    with pytest.raises(
        ShapeError, match=r"unflatten: sizes \(3, 5\) do not multiply to the size 12"
    ):
        nn.Unflatten(1, (3, 5))(mg.zeros(2, 12))


def test_layers_built_on_a_device_and_dtype():
    layer = nn.Linear(3, 2, dtype=mg.float64)
    assert layer.weight.dtype == mg.float64 and layer.bias.dtype == mg.float64
    bn = nn.BatchNorm2d(2, dtype=mg.float64)
    assert bn.running_var.dtype == mg.float64 and bn.num_batches_tracked.dtype == mg.int64


def test_numpy_float64_hyperparameters_do_not_promote_float32():
    x = mg.randn(4, 3, 2, 2)
    assert nn.LeakyReLU(np.float64(0.2))(x).dtype == mg.float32
    assert F.leaky_relu(x, np.float64(0.2)).dtype == mg.float32
    assert nn.Dropout(np.float64(0.5))(x).dtype == mg.float32
    bn = nn.BatchNorm2d(3, eps=np.float64(1e-5), momentum=np.float64(0.1))
    assert bn(x).dtype == mg.float32 and bn.running_var.dtype == mg.float32


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6), (2, 3, 4, 5)])
def test_channels_last_round_trips_and_batch_norm_sums_per_channel(shape):
    """BatchNorm's channels-last view holds each channel on the last axis, comes back to the
    input's layout, and is contiguous when the channel axis is last in memory (as convolutions
    return it); its per-channel sums and means are NumPy's over every axis but 1."""
    from minigen.functions.batchnorm import channel_means, channel_sums
    from minigen.functions.layout import channels_first, channels_last

    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    last = channels_last(x)
    assert last.shape == (shape[0], *shape[2:], shape[1])
    np.testing.assert_array_equal(channels_first(last), x)
    per_channel = tuple(i for i in range(x.ndim) if i != 1)
    np.testing.assert_allclose(channel_sums(last), x.sum(axis=per_channel))
    np.testing.assert_allclose(channel_means(last), x.mean(axis=per_channel))
    stored_last = np.moveaxis(rng.standard_normal(shape[:1] + shape[2:] + shape[1:2]), -1, 1)
    assert channels_last(stored_last).flags["C_CONTIGUOUS"]


