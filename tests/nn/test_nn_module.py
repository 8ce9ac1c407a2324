"""Module: registration, traversal, modes, devices and dtypes, state_dict names and loading."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import minigen as mg
import minigen.nn as nn


class Block(nn.Module):
    """A custom module holding a Sequential, as user code does (names like net.1.bias)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
        self.head = nn.Linear(2, 1, bias=False)
        self.register_buffer("scale", mg.ones(1))

    def forward(self, x):
        return self.head(self.net(x)) * self.scale


def test_parameters_buffers_and_children_are_registered_by_assignment():
    block = Block()
    assert [n for n, _ in block.named_parameters()] == [
        "net.0.weight",
        "net.0.bias",
        "net.1.weight",
        "net.1.bias",
        "net.3.weight",
        "net.3.bias",
        "head.weight",
    ]
    assert [n for n, _ in block.named_buffers()] == [
        "scale",
        "net.1.running_mean",
        "net.1.running_var",
        "net.1.num_batches_tracked",
    ]
    assert [type(m).__name__ for m in block.children()] == ["Sequential", "Linear"]
    assert [n for n, _ in block.named_modules()] == [
        "",
        "net",
        "net.0",
        "net.1",
        "net.2",
        "net.3",
        "head",
    ]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in block.parameters())
    assert block.num_parameters() == 4 * 3 + 3 + 3 + 3 + 3 * 2 + 2 + 2


def test_state_dict_uses_pytorch_names_in_pytorch_order():
    block = Block()
    assert list(block.state_dict()) == [
        "scale",
        "net.0.weight",
        "net.0.bias",
        "net.1.weight",
        "net.1.bias",
        "net.1.running_mean",
        "net.1.running_var",
        "net.1.num_batches_tracked",
        "net.3.weight",
        "net.3.bias",
        "head.weight",
    ]
    state = block.state_dict()
    assert all(not t.requires_grad and t.grad_fn is None for t in state.values())
    assert state["net.1.num_batches_tracked"].dtype == mg.int64


def test_non_persistent_buffers_and_none_entries_are_not_saved():
    m = nn.Module()
    m.register_buffer("kept", mg.zeros(2))
    m.register_buffer("scratch", mg.zeros(2), persistent=False)
    m.register_parameter("bias", None)
    assert list(m.state_dict()) == ["kept"]
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]
    assert list(m.parameters()) == []


def test_a_shared_parameter_is_listed_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2


def test_assigning_a_non_parameter_over_a_parameter_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'weight'"):
        layer.weight = mg.zeros(2, 2)
    layer.bias = None  # removing a parameter is allowed
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_train_and_eval_reach_every_descendant():
    block = Block()
    assert all(m.training for m in block.modules())
    assert block.eval() is block
    assert not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())


def test_zero_grad_sets_gradients_to_none():
    layer = nn.Linear(3, 2)
    layer(mg.randn(4, 3)).sum().backward()
    assert layer.weight.grad is not None
    layer.zero_grad()
    assert layer.weight.grad is None and layer.bias.grad is None
    layer(mg.randn(4, 3)).sum().backward()
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad.numpy().tolist() == [[0.0] * 3] * 2


def test_to_dtype_keeps_the_same_parameter_objects():
    block = Block()
    params = list(block.parameters())
    assert block.double() is block
    assert [id(p) for p in block.parameters()] == [id(p) for p in params]
    assert all(p.dtype == mg.float64 for p in block.parameters())
    assert block.net[1].running_var.dtype == mg.float64
    assert block.net[1].num_batches_tracked.dtype == mg.int64  # integer buffers keep their dtype
    block.to(mg.float32)
    assert all(p.dtype == mg.float32 for p in block.parameters())
    with pytest.raises(TypeError, match="floating point"):
        block.to(mg.int64)


def test_to_device_moves_parameters_buffers_and_grads():
    pytest.importorskip("array_api_strict")
    layer = nn.BatchNorm1d(3)
    layer(mg.randn(4, 3)).sum().backward()
    weight = layer.weight
    layer.to("strict")
    assert layer.weight is weight
    assert {t.device.type for t in [*layer.parameters(), *layer.buffers()]} == {"strict"}
    assert layer.weight.grad.device.type == "strict"
    layer.cpu()
    assert layer.running_mean.device.type == "cpu"


def test_load_state_dict_round_trip_with_tensors_and_numpy_arrays():
    source, target = Block(), Block()
    source(mg.randn(8, 4))  # move the running statistics away from their initial values
    state = source.state_dict()
    target.load_state_dict(state)
    for (name, a), b in zip(state.items(), target.state_dict().values(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    as_numpy = OrderedDict((k, np.array(v.numpy())) for k, v in state.items())
    other = Block()
    result = other.load_state_dict(as_numpy)
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(other.net[0].weight.numpy(), source.net[0].weight.numpy())
    as_numpy["net.0.weight"][...] = 7.0  # the model holds a copy, not the caller's array
    assert not np.any(other.net[0].weight.numpy() == 7.0)


def test_load_state_dict_casts_to_the_parameters_dtype():
    layer = nn.Linear(3, 2)
    weights = {"weight": np.arange(6, dtype=np.float64).reshape(2, 3), "bias": np.zeros(2)}
    layer.load_state_dict(weights)
    assert layer.weight.dtype == mg.float32
    assert layer.weight.numpy().tolist() == [[0, 1, 2], [3, 4, 5]]


def test_load_state_dict_reports_every_problem_at_once():
    model = nn.Sequential(nn.Linear(784, 400), nn.ReLU(), nn.Linear(400, 10))
    state = nn.Sequential(nn.Linear(100, 400), nn.ReLU(), nn.Linear(400, 10)).state_dict()
    del state["2.bias"]
    state["3.weight"] = mg.zeros(1)
    before = model[0].weight.numpy().copy()
    with pytest.raises(nn.StateDictError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "Error(s) in loading state_dict for Sequential" in message
    assert "missing keys: '2.bias'" in message
    assert "unexpected keys: '3.weight'" in message
    assert (
        "size mismatch for '0.weight' in Linear(in_features=784, out_features=400, bias=True): "
        "the state_dict has shape (400, 100), the model has shape (400, 784)"
    ) in message
    np.testing.assert_array_equal(model[0].weight.numpy(), before)  # nothing was loaded


def test_load_state_dict_non_strict_skips_names_but_not_shapes():
    model = nn.Sequential(nn.Linear(3, 2))
    result = model.load_state_dict({"0.weight": np.ones((2, 3)), "extra": np.ones(1)}, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["extra"]
    assert model[0].weight.numpy().tolist() == [[1.0] * 3] * 2
    with pytest.raises(nn.StateDictError, match=r"size mismatch for '0.weight'"):
        model.load_state_dict({"0.weight": np.ones((3, 3))}, strict=False)


def test_repr_reads_like_pytorch():
    model = nn.Sequential(
        nn.Linear(784, 400),
        nn.ReLU(True),
        nn.Conv2d(1, 32, 4, 2, 1, bias=False),
        nn.BatchNorm2d(32),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(64, 1, 4, 2, 1, 1),
        nn.Dropout(0.3),
        nn.Flatten(),
        nn.Unflatten(1, (1, 28, 28)),
        nn.Embedding(10, 16),
        nn.Sigmoid(),
        nn.Tanh(),
        nn.BCEWithLogitsLoss(),
    )
    assert repr(model) == "\n".join(
        [
            "Sequential(",
            "  (0): Linear(in_features=784, out_features=400, bias=True)",
            "  (1): ReLU(inplace=True)",
            "  (2): Conv2d(1, 32, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), bias=False)",
            "  (3): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, "
            "track_running_stats=True)",
            "  (4): LeakyReLU(negative_slope=0.2)",
            "  (5): ConvTranspose2d(64, 1, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), "
            "output_padding=(1, 1))",
            "  (6): Dropout(p=0.3, inplace=False)",
            "  (7): Flatten(start_dim=1, end_dim=-1)",
            "  (8): Unflatten(dim=1, unflattened_size=(1, 28, 28))",
            "  (9): Embedding(10, 16)",
            "  (10): Sigmoid()",
            "  (11): Tanh()",
            "  (12): BCEWithLogitsLoss()",
            ")",
        ]
    )
    nested = repr(Block())
    assert nested.startswith("Block(\n  (net): Sequential(\n    (0): Linear(in_features=4")
    assert nested.endswith("  (head): Linear(in_features=2, out_features=1, bias=False)\n)")


def test_sequential_and_module_list_behave_like_lists():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and head(mg.randn(5, 2)).shape == (5, 3)
    seq.append(nn.Sigmoid())
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    with pytest.raises(IndexError):
        seq[4]

    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.Linear(2, 1))
    assert len(layers) == 4 and [n for n, _ in layers.named_parameters()][-1] == "3.bias"
    holder = nn.Module()
    holder.layers = layers
    assert len(list(holder.parameters())) == 8


def test_apply_and_requires_grad():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Linear", "Sequential"]
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())
    assert model.num_parameters(trainable_only=True) == 0


def test_forward_missing_and_attribute_errors_are_clear():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'wieght'"):
        nn.Linear(2, 2).wieght  # noqa: B018


def test_assigning_a_parameter_before_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(mg.zeros(1))

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Broken()
