"""minigen.viz.graph: the computation graph that backward() walks, found and drawn."""

from __future__ import annotations

import pytest

import minigen as mg
import minigen.nn.functional as F
from minigen.viz.graph import build_graph, draw_graph

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def engine_example():
    """The worked example of docs/engine.md: L = sum(x * w + x)."""
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, -1.0], requires_grad=True)
    L = (x * w + x).sum()
    return x, w, L


def by_label(nodes):
    return {node.label.split("\n")[0]: node for node in nodes.values()}


def test_build_graph_finds_every_function_and_leaf_with_longest_path_depths():
    x, w, L = engine_example()
    nodes = by_label(build_graph(L, names={"x": x, "w": w, "L": L}))
    assert set(nodes) == {"L", "Sum", "Add", "Mul", "x", "w"}
    depths = {label: node.depth for label, node in nodes.items()}
    # x feeds both Add (depth 2) and Mul (depth 3): it sits one layer before the deeper one.
    assert depths == {"L": 0, "Sum": 1, "Add": 2, "Mul": 3, "x": 4, "w": 4}
    assert nodes["x"].kind == nodes["w"].kind == "param"
    assert nodes["Add"].kind == "function" and nodes["L"].kind == "root"
    assert nodes["Mul"].label == "Mul\n(2,)" and nodes["Sum"].label == "Sum\n()"


def test_every_arrow_goes_from_a_deeper_layer_to_a_shallower_one():
    mg.manual_seed(0)
    x, y = mg.randn(8, 3), mg.ones(8, 1)
    model = mg.nn.Sequential(mg.nn.Linear(3, 4), mg.nn.ReLU(), mg.nn.Linear(4, 1))
    loss = F.binary_cross_entropy_with_logits(model(x), y)
    nodes = build_graph(loss, names=dict(model.named_parameters()))
    # Drop the shape line; a long Function name is split over two lines.
    labels = sorted("".join(node.label.split("\n")[:-1]) for node in nodes.values())
    # The loss and its mean are one Function, as PyTorch's BinaryCrossEntropyWithLogitsBackward0.
    assert labels == ["0.bias", "0.weight", "2.bias", "2.weight", "BinaryCrossEntropyWithLogits",
                      "Linear", "Linear", "ReLU", "output", "tensor", "tensor"]
    assert "BinaryCross\nEntropyWithLogits\n()" in [n.label for n in nodes.values()]
    for node in nodes.values():
        for key in node.inputs:
            assert nodes[key].depth > node.depth
    # The heights within each layer are distinct: no two boxes on top of each other.
    places = [(node.depth, node.y) for node in nodes.values()]
    assert len(set(places)) == len(places)


def test_an_input_used_twice_is_listed_twice_and_constants_show_their_value():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    nodes = by_label(build_graph(x * x * 2))
    assert nodes["leaf"].key in nodes["Mul"].inputs
    inner = [n for n in build_graph(x * x).values() if n.kind == "function"][0]
    assert inner.inputs == [id(x), id(x)]
    assert nodes["2"].kind == "const"


def test_draw_graph_writes_a_png_and_creates_its_folder(tmp_path):
    x, w, L = engine_example()
    path = draw_graph(L, tmp_path / "deep" / "graph.png", names={"x": x}, title="L = sum(xw + x)")
    assert path == tmp_path / "deep" / "graph.png"
    assert path.read_bytes()[:8] == PNG_MAGIC
    # Drawing reads the graph without using it up: backward still works afterwards.
    L.backward()
    assert x.grad.tolist() == [4.0, 0.0] and w.grad.tolist() == [1.0, 2.0]


def test_a_freed_graph_is_refused_with_the_fix_and_retain_graph_keeps_it(tmp_path):
    x, w, L = engine_example()
    L.backward(retain_graph=True)
    draw_graph(L, tmp_path / "kept.png")
    L.backward()
    with pytest.raises(ValueError, match="retain_graph=True"):
        draw_graph(L, tmp_path / "freed.png")


def test_a_leaf_is_a_graph_of_one_node(tmp_path):
    x = mg.randn(3, requires_grad=True)
    nodes = build_graph(x, names={"x": x})
    assert [node.label for node in nodes.values()] == ["x\n(3,)"]
    assert draw_graph(x, tmp_path / "leaf.png").read_bytes()[:8] == PNG_MAGIC


def test_a_deep_chain_is_walked_without_recursion():
    x = mg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    nodes = build_graph(y)
    assert len(nodes) == 3000 + 3000 + 2  # Muls, their constants, the leaf, the root
    assert max(node.depth for node in nodes.values()) == 3001


def test_draw_graph_takes_only_tensors(tmp_path):
    with pytest.raises(TypeError, match="takes a Tensor"):
        draw_graph([1.0], tmp_path / "x.png")


def test_a_part_freed_by_an_earlier_backward_is_drawn_as_freed(tmp_path):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    h.sum().backward()  # frees Exp
    nodes = by_label(build_graph(h * 2))
    assert nodes["Exp"].kind == "freed" and nodes["Exp"].inputs == []
    assert draw_graph(h * 2, tmp_path / "freed.png").read_bytes()[:8] == PNG_MAGIC
