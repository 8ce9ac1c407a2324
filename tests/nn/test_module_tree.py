"""Walking a module tree as PyTorch does: apply, named_modules, children, named_children, and
ModuleDict."""

from __future__ import annotations

import numpy as np
import pytest

import minigen as mg
from minigen import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        self.head = nn.Linear(3, 1)


def test_named_modules_is_depth_first_in_registration_order_with_dotted_paths():
    model = nn.Sequential(Block(), nn.Tanh())
    assert [name for name, _ in model.named_modules()] == [
        "", "0", "0.body", "0.body.0", "0.body.1", "0.head", "1"]
    assert [name for name, _ in model.named_modules(prefix="model")][:2] == ["model", "model.0"]
    assert [type(m).__name__ for m in model.modules()][:3] == ["Sequential", "Block", "Sequential"]


def test_a_shared_module_is_listed_once_unless_asked():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [name for name, _ in model.named_modules()] == ["", "0", "1"]
    assert [name for name, _ in model.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
    assert [name for name, _ in model.named_children()] == ["0", "1"]
    assert len(list(model.children())) == 2


def test_children_are_the_direct_submodules_only():
    block = Block()
    assert [name for name, _ in block.named_children()] == ["body", "head"]
    assert [type(m).__name__ for m in block.children()] == ["Sequential", "Linear"]


def test_apply_visits_children_first_then_self_and_returns_self():
    model = nn.Sequential(Block(), nn.Tanh())
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Sequential", "Linear", "Block", "Tanh", "Sequential"]


def test_apply_as_a_custom_initialisation():
    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    model = Block().apply(init_weights)
    for name, p in model.named_parameters():
        want = 0.5 if name.endswith("weight") else 0.0
        np.testing.assert_array_equal(p.numpy(), np.full(p.shape, want, np.float32), err_msg=name)


@pytest.mark.parametrize(
    "name, error", [(1, TypeError), ("a.b", KeyError), ("", KeyError)]
)
def test_add_module_rejects_names_a_state_dict_could_not_hold(name, error):
    with pytest.raises(error, match="module name"):
        nn.Module().add_module(name, nn.ReLU())


def test_register_module_is_add_module():
    m = nn.Module()
    m.register_module("act", nn.ReLU())
    assert isinstance(m.act, nn.ReLU)


# -- ModuleDict ---------------------------------------------------------------------------
def test_module_dict_registers_its_modules_in_insertion_order():
    heads = nn.ModuleDict({"b": nn.Linear(2, 3), "a": nn.Linear(2, 1)})
    assert list(heads) == list(heads.keys()) == ["b", "a"]
    assert list(heads.state_dict()) == ["b.weight", "b.bias", "a.weight", "a.bias"]
    assert len(list(heads.parameters())) == 4 and len(heads) == 2
    assert "a" in heads and "c" not in heads
    assert [k for k, _ in heads.items()] == ["b", "a"]
    assert all(isinstance(v, nn.Linear) for v in heads.values())


def test_module_dict_inside_a_model_is_seen_by_parameters_to_and_state_dict():
    class MultiHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = nn.ModuleDict([("digit", nn.Linear(4, 10)), ("parity", nn.Linear(4, 2))])

        def forward(self, x, task):
            return self.heads[task](x)

    model = MultiHead()
    assert model(mg.randn(3, 4), "parity").shape == (3, 2)
    assert "heads.digit.weight" in model.state_dict()
    model.double()
    assert model.heads["digit"].weight.dtype == mg.float64


def test_module_dict_set_delete_pop_update_clear():
    d = nn.ModuleDict()
    d["act"] = nn.ReLU()
    d.update({"out": nn.Linear(1, 1)})
    d.update(nn.ModuleDict({"tanh": nn.Tanh()}))
    assert list(d) == ["act", "out", "tanh"]
    assert isinstance(d.pop("act"), nn.ReLU) and list(d) == ["out", "tanh"]
    del d["out"]
    assert list(d) == ["tanh"]
    d.clear()
    assert len(d) == 0
    with pytest.raises(KeyError):
        d["missing"]


@pytest.mark.parametrize(
    "bad, error, words",
    [(3, TypeError, "iterable of key/value pairs"), ([("x",)], ValueError, "has length 1"),
     ([3], TypeError, "element #0 should be Iterable")],
)
def test_module_dict_update_explains_bad_input(bad, error, words):
    with pytest.raises(error, match=words):
        nn.ModuleDict().update(bad)


def test_module_dict_has_no_forward():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.ModuleDict({"a": nn.ReLU()})(mg.zeros(1))
