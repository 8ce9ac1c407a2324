"""``draw_graph``: a picture of the computation graph behind a tensor, drawn with matplotlib.

The graph is the one ``backward()`` walks (see docs/engine.md): from a tensor's ``grad_fn``,
each Function lists its input Tensors in ``inputs``, and each input either has a ``grad_fn``
of its own (an intermediate result) or is a leaf (data, a parameter, a constant). This module
walks that structure and draws it, without graphviz:

- nodes: one box per Function (its class name and the shape of its output), one per leaf
  tensor (its name if given, and its shape), and one for the tensor itself;
- layers: a node's depth is its longest distance from the tensor, so every arrow points the
  same way, from inputs on the left to the result on the right;
- order within a layer: a few sweeps of the barycentre heuristic (each node moves to the
  mean height of its neighbours), which removes most crossings in small graphs;
- drawing: matplotlib text boxes and arrows on an Agg canvas, written to PNG.

Draw before ``backward()``: backward frees each Function's inputs as it goes, unless
``backward(retain_graph=True)``, and a freed graph has nothing left to draw.

    from minigen.viz.graph import draw_graph
    loss = model(x).mean()
    draw_graph(loss, "graph.png", names=dict(model.named_parameters()))
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minigen.autograd.tensor import Tensor

#: Box colours: leaves that want a gradient (parameters), leaves that do not (data,
#: constants), Functions, and the tensor the graph was drawn for.
COLORS = {
    "param": "#cfe2f3",
    "const": "#eeeeee",
    "function": "#fff2cc",
    "freed": "#f4cccc",
    "root": "#d9ead3",
}


@dataclass
class Node:
    """One box: a Function, a leaf Tensor or the root Tensor."""

    key: int
    label: str
    kind: str  # a key of COLORS
    inputs: list[int] = field(default_factory=list)  # keys of the nodes with arrows into this one
    depth: int = 0
    y: float = 0.0


def build_graph(tensor: Tensor, names: Mapping[str, Tensor] | None = None) -> dict[int, Node]:
    """The nodes of ``tensor``'s graph, keyed by ``id`` of the Function or leaf Tensor.

    ``names`` maps a name to a tensor (``dict(model.named_parameters())``, ``{"x": x}``); leaves
    found in it are labelled with their name. Every node gets ``depth``: 0 for ``tensor``,
    and one more than the deepest node it feeds, so arrows always go from deeper to shallower;
    and ``y``, its height within its layer (distinct heights, ordered to avoid crossings).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"draw_graph takes a Tensor, not {type(tensor).__name__}")
    fn = tensor.grad_fn
    if fn is not None and fn.freed:
        raise ValueError(
            "the graph behind this tensor was freed by backward(); draw it before calling "
            "backward(), or call backward(retain_graph=True)"
        )
    label_of = {id(t): name for name, t in (names or {}).items()}
    nodes: dict[int, Node] = {}
    root_key = id(tensor)
    root_label = _tensor_label(tensor, label_of.get(root_key, "output"))
    nodes[root_key] = Node(root_key, root_label, "root")

    def node_for(t: Tensor, producer: Any) -> int:
        """The key of the node that produces ``t``: ``producer`` (the Function that had made
        it when it was used; an in-place op may have moved ``t.grad_fn`` on since), or ``t``
        itself for a leaf."""
        if producer is not None:
            key = id(producer)
            if key not in nodes:
                kind = "freed" if producer.freed else "function"
                label = _function_name(producer) + f"\n{_shape(t)}"
                if producer.freed:
                    label += "\n(freed)"
                nodes[key] = Node(key, label, kind)
                stack.append(producer)
            return key
        key = id(t)
        if key not in nodes:
            kind = "param" if t.requires_grad else "const"
            nodes[key] = Node(key, _tensor_label(t, label_of.get(key)), kind)
        return key

    stack: list[Any] = []
    if fn is None:  # a leaf: the graph is the tensor alone
        return nodes
    nodes[root_key].inputs.append(node_for(tensor, tensor.grad_fn))
    while stack:
        f = stack.pop()
        if f.freed:
            continue
        node = nodes[id(f)]
        for t, producer in zip(f.inputs, f.input_grad_fns, strict=True):
            node.inputs.append(node_for(t, producer))
    _assign_depths(nodes, root_key)
    _order_layers(nodes)
    return nodes


def draw_graph(
    tensor: Tensor,
    path: str | os.PathLike,
    names: Mapping[str, Tensor] | None = None,
    title: str | None = None,
    legend: bool = True,
) -> Path:
    """Draw ``tensor``'s computation graph as a PNG at ``path`` (folders created); return it.

    Arrows point forward, from the inputs of each operation to its result: ``backward()``
    walks them in the opposite direction. Leaves are blue when they require grad (they will
    receive ``.grad``) and grey when they do not; Functions are yellow, labelled with their
    class name and output shape; the tensor itself is green. An input used twice by one
    Function gets one arrow marked with the count. ``legend`` adds a key to the colours.
    """
    nodes = build_graph(tensor, names)
    fig = _new_figure(nodes)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    depth = max(n.depth for n in nodes.values())
    rows = max(_layer_sizes(nodes).values())
    ax.set_xlim(-0.6, depth + 0.6)
    bottom = (rows - 1) / 2 + (1.1 if legend else 0.7)
    ax.set_ylim(-bottom, (rows - 1) / 2 + (0.9 if title else 0.7))
    boxes = {}
    for node in nodes.values():
        boxes[node.key] = ax.text(
            depth - node.depth, node.y, node.label, ha="center", va="center", fontsize=9,
            family="monospace", zorder=3,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": COLORS[node.kind],
                  "edgecolor": "#555555"},
        )
    for node in nodes.values():
        counts: dict[int, int] = {}
        for key in node.inputs:
            counts[key] = counts.get(key, 0) + 1
        for key, count in counts.items():
            _arrow(ax, boxes[key], boxes[node.key], count)
    if title:
        ax.text(depth / 2, (rows - 1) / 2 + 0.7, title, ha="center", va="center", fontsize=11)
    if legend:
        _legend(ax, {node.kind for node in nodes.values()})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=100)
    return path


# -- layout ---------------------------------------------------------------------------------------
def _assign_depths(nodes: dict[int, Node], root_key: int) -> None:
    """depth(node) = the longest path from it to the root (a DAG, so Kahn's order works)."""
    consumers: dict[int, int] = {key: 0 for key in nodes}
    for node in nodes.values():
        for key in set(node.inputs):
            consumers[key] += 1
    ready = [root_key]
    while ready:
        node = nodes[ready.pop()]
        for key in set(node.inputs):
            nodes[key].depth = max(nodes[key].depth, node.depth + 1)
            consumers[key] -= 1
            if consumers[key] == 0:
                ready.append(key)


def _layer_sizes(nodes: dict[int, Node]) -> dict[int, int]:
    sizes: dict[int, int] = {}
    for node in nodes.values():
        sizes[node.depth] = sizes.get(node.depth, 0) + 1
    return sizes


def _order_layers(nodes: dict[int, Node], sweeps: int = 4) -> None:
    """Place the nodes of each layer at heights 0, 1, ... centred on 0, in barycentre order."""
    layers: dict[int, list[Node]] = {}
    for node in nodes.values():  # discovery order: a reasonable start
        layers.setdefault(node.depth, []).append(node)
    neighbours: dict[int, list[int]] = {key: [] for key in nodes}
    for node in nodes.values():
        for key in node.inputs:
            neighbours[node.key].append(key)
            neighbours[key].append(node.key)

    def place(layer: list[Node]) -> None:
        for i, node in enumerate(layer):
            node.y = (len(layer) - 1) / 2 - i  # top to bottom

    for layer in layers.values():
        place(layer)
    depths = sorted(layers)
    for sweep in range(sweeps):
        order = depths if sweep % 2 == 0 else depths[::-1]
        for d in order:
            layer = layers[d]
            centre = {
                n.key: (sum(nodes[k].y for k in neighbours[n.key]) / len(neighbours[n.key])
                        if neighbours[n.key] else n.y)
                for n in layer
            }
            layer.sort(key=lambda n: -centre[n.key])  # stable: ties keep their order
            place(layer)


# -- drawing --------------------------------------------------------------------------------------
def _new_figure(nodes: dict[int, Node]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    columns = max(n.depth for n in nodes.values()) + 1
    rows = max(_layer_sizes(nodes).values())
    fig = Figure(figsize=(1.7 * columns + 0.6, 0.85 * rows + 1.2), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _arrow(ax: Any, source: Any, target: Any, count: int) -> None:
    """An arrow from one text box to another, clipped at both boxes' edges."""
    ax.annotate(
        "", xy=target.get_position(), xytext=source.get_position(), zorder=4,
        arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.0,
                    "patchA": source.get_bbox_patch(), "patchB": target.get_bbox_patch(),
                    "shrinkA": 2, "shrinkB": 2},
    )
    if count > 1:
        (x0, y0), (x1, y1) = source.get_position(), target.get_position()
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.08, f"x{count}", ha="center", fontsize=8,
                color="#b45f06", zorder=4)


#: What each colour means, for the legend.
MEANINGS = {
    "param": "leaf, requires grad",
    "const": "leaf, no grad",
    "function": "Function (output shape)",
    "freed": "freed Function",
    "root": "the tensor drawn",
}


def _legend(ax: Any, kinds: set[str]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=COLORS[k], edgecolor="#555555", label=MEANINGS[k])
               for k in COLORS if k in kinds]
    ax.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8)


# -- labels ---------------------------------------------------------------------------------------
def _shape(t: Tensor) -> str:
    return "(" + ", ".join(str(s) for s in t.shape) + ("," if t.ndim == 1 else "") + ")"


def _function_name(fn: Any) -> str:
    """The class name; a long CamelCase one on two lines at the capital nearest its middle."""
    name = type(fn).__name__
    if len(name) <= 16:
        return name
    capitals = [i for i, ch in enumerate(name) if ch.isupper() and i > 0]
    if not capitals:
        return name
    cut = min(capitals, key=lambda i: abs(i - len(name) / 2))
    return name[:cut] + "\n" + name[cut:]


def _tensor_label(t: Tensor, name: str | None) -> str:
    if name is not None:
        return f"{name}\n{_shape(t)}"
    if t.numel() == 1 and not t.requires_grad:  # a constant such as the 2 in x * 2
        value = t.item()
        return f"{value:.4g}" if isinstance(value, float) else str(value)
    return f"{'leaf' if t.requires_grad else 'tensor'}\n{_shape(t)}"
