"""Diagrams drawn from specs: one Inception module, the whole network, and the windows of a
stride-2 layer under each padding convention.

Every box is drawn from the spec and every shape from the same layer walk as the tables. The
module diagram is laid out first (:func:`inception_layout`: boxes and the edges between them,
read from :func:`gnet_lib.core.specs.inception_branches`) and then drawn, one arrow per edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from ...core.design import module_rows
from ...core.geometry import Windows, pytorch_windows, tf_same_windows
from ...core.layers import LayerRow, walk
from ...core.specs import (
    LRN,
    AuxHead,
    BranchUnit,
    Conv,
    FiveByFive,
    Inception,
    Network,
    Pool,
    inception_branches,
    inception_out_channels,
    visit,
)

BOX_W, BOX_H, WIDE = 1.7, 0.62, 7.7
COLORS = {1: "#ffd27f", 3: "#9fd3ff", 5: "#b8e986", "pool": "#f5a3a3", "io": "#eeeeee"}


def shape_text(shape: tuple[int, ...]) -> str:
    """``(64, 56, 56)`` -> ``"64x56x56"`` (channels first, as PyTorch stores a tensor)."""
    return "x".join(str(v) for v in shape)


@dataclass(frozen=True)
class Box:
    """One box of a diagram: its key, centre, text and width."""

    key: str
    x: float
    y: float
    text: str
    color: str
    width: float = BOX_W


@dataclass(frozen=True)
class ModuleLayout:
    """The boxes of a module diagram and the edges (source key, destination key) between them."""

    boxes: dict[str, Box]
    edges: tuple[tuple[str, str], ...]


def unit_key(branch: str, index: int) -> str:
    """The key of the ``index``-th layer of ``branch`` in a module layout."""
    return f"{branch}.{index}"


def _unit_text(unit: BranchUnit) -> str:
    if unit.is_pool:
        return f"{unit.kernel}x{unit.kernel} max pool"
    return f"{unit.kernel}x{unit.kernel} conv, {unit.width}"


def _io_texts(module: Inception, input_shape: tuple[int, ...] | None,
              shapes: dict[str, tuple[int, ...]]) -> tuple[str, str]:
    """The texts of the input and concatenation boxes: shapes when known, else channel counts."""
    if shapes and input_shape is not None:
        return f"previous layer\n{shape_text(input_shape)}", f"concatenate\n{shape_text(shapes[f'{module.name} / concat'])}"
    c_in = module.in_channels
    out = f"concatenate: {inception_out_channels(module, c_in)} ch" if c_in else "concatenate"
    return (f"previous layer ({c_in} ch)" if c_in else "previous layer"), out


def inception_layout(module: Inception, five_by_five: FiveByFive = "5x5",
                     input_shape: tuple[int, ...] | None = None) -> ModuleLayout:
    """Boxes and edges of one module: the input feeds the first layer of each branch, each
    layer feeds the next one of its branch, and each branch's last layer feeds the concatenation.
    With ``input_shape`` (C, H, W) every box also shows its output shape."""
    branches = inception_branches(module, five_by_five)
    rows = module_rows(module, input_shape, five_by_five) if input_shape else []
    shapes = {r.name: r.out_shape for r in rows}
    depth = max(len(units) for units in branches.values())
    input_text, concat_text = _io_texts(module, input_shape, shapes)
    boxes = {"input": Box("input", 4.0, depth + 1.0, input_text, COLORS["io"], WIDE),
             "concat": Box("concat", 4.0, 0.0, concat_text, COLORS["io"], WIDE)}
    edges = []
    for i, (branch, units) in enumerate(branches.items()):
        previous = "input"
        for j, unit in enumerate(units):
            key, text = unit_key(branch, j), _unit_text(unit)
            shape = shapes.get(f"{module.name} / {unit.label}")
            color = COLORS["pool"] if unit.is_pool else COLORS.get(unit.kernel, COLORS[3])
            boxes[key] = Box(key, 1.0 + 2.0 * i, depth - j, f"{text}\n{shape_text(shape)}" if shape else text, color)
            edges.append((previous, key))
            previous = key
        edges.append((previous, "concat"))
    return ModuleLayout(boxes, tuple(edges))


def _draw_box(ax: Axes, box: Box, height: float = BOX_H, fontsize: float = 8) -> None:
    patch = FancyBboxPatch((box.x - box.width / 2, box.y - height / 2), box.width, height, boxstyle="round,pad=0.04",
                           fc=box.color, ec="black", lw=0.8)
    patch.set_gid(box.key)
    ax.add_patch(patch)
    ax.text(box.x, box.y, box.text, ha="center", va="center", fontsize=fontsize)


def _draw_edge(ax: Axes, src: Box, dst: Box, height: float = BOX_H) -> None:
    """A vertical arrow from the bottom of ``src`` to the top of ``dst``, in the column of the
    narrower box (the input and the concatenation span every column)."""
    x = src.x if src.width <= dst.width else dst.x
    arrow = ax.annotate("", xy=(x, dst.y + height / 2), xytext=(x, src.y - height / 2),
                        arrowprops={"arrowstyle": "->", "lw": 0.9, "shrinkA": 0, "shrinkB": 0})
    arrow.set_gid(f"{src.key}->{dst.key}")


def draw_inception_module(module: Inception, five_by_five: FiveByFive = "5x5",
                          input_shape: tuple[int, ...] | None = None) -> Figure:
    """The module's branches, every layer wired to the one it feeds, channel numbers from the
    spec and (with ``input_shape``, C x H x W) every layer's output shape."""
    layout = inception_layout(module, five_by_five, input_shape)
    top = max(box.y for box in layout.boxes.values())
    fig, ax = plt.subplots(figsize=(8, 1.05 * (top + 1) + 0.4))
    ax.set_xlim(-0.1, 8.1)
    ax.set_ylim(-0.55, top + 0.55)
    ax.axis("off")
    for box in layout.boxes.values():
        _draw_box(ax, box)
    for src, dst in layout.edges:
        _draw_edge(ax, layout.boxes[src], layout.boxes[dst])
    ax.set_title(f"inception ({module.name})" + (" naive" if module.is_naive else ""))
    fig.tight_layout()
    return fig


class _Boxes:
    """The boxes of :func:`draw_network`, one layer at a time: the main column as (label, colour,
    output shape), and the auxiliary heads as {index of the box they branch from: label}."""

    def __init__(self, rows: list[LayerRow]) -> None:
        self.out = {r.name: shape_text(r.out_shape) for r in rows}
        self.main = [("input", COLORS["io"], shape_text(rows[0].in_shape))]
        self.side: dict[int, str] = {}

    def on_conv(self, layer: Conv) -> None:
        k = layer.kernel if isinstance(layer.kernel, int) else layer.kernel[0]
        self.main.append((f"{layer.name}: {k}x{k} conv/{layer.stride}, {layer.out_channels}", COLORS[1], self.out[layer.name]))

    def on_pool(self, layer: Pool) -> None:
        label = f"{layer.name}: {layer.kernel}x{layer.kernel} {layer.kind} pool/{layer.stride}"
        self.main.append((label, COLORS["pool"], self.out[layer.name]))

    def on_lrn(self, layer: LRN) -> None:
        self.main.append((f"{layer.name}: local response norm, {layer.size} channels", "#dddddd", self.out[layer.name]))

    def on_inception(self, layer: Inception) -> None:
        self.main.append((f"inception ({layer.name})", COLORS[3], self.out[f"{layer.name} / concat"]))

    def on_aux_head(self, layer: AuxHead) -> None:
        self.side[len(self.main) - 1] = f"{layer.name}: auxiliary classifier\n(training only) -> {self.out[f'{layer.name} / linear']}"


def network_boxes(spec: Network, rows: list[LayerRow]) -> tuple[list[tuple[str, str, str]], dict[int, str]]:
    """The main column of :func:`draw_network` as (label, colour, output shape) and the auxiliary
    heads as {index of the box they branch from: label}."""
    boxes = _Boxes(rows)
    for layer in spec.layers:
        visit(layer, boxes)
    main, side, out = boxes.main, boxes.side, boxes.out
    main += [("global average pool", COLORS["pool"], out["avg pool"]),
             (f"dropout {spec.classifier.dropout:.0%}", "#dddddd", out["dropout"]),
             (f"linear -> {spec.num_classes} classes", COLORS[1], out["linear"])]
    return main, side


#: The network figure's columns, in axis units: the main column's boxes, the auxiliary heads' boxes.
MAIN_X, MAIN_W, AUX_X, AUX_W = 0.05, 1.0, 1.25, 0.5


def draw_network(spec: Network, input_size: tuple[int, ...] | None = None) -> Figure:
    """The whole network as a column of blocks, input at the top, each naming the layer on its
    left and its output shape (C x H x W, from the layer walk at ``input_size``, default the
    spec's) on its right; an arrow leads from the right edge of the module an auxiliary head
    reads to that head's box."""
    main, side = network_boxes(spec, walk(spec, input_size))
    n = len(main)
    fig, ax = plt.subplots(figsize=(8, 0.32 * n + 0.6))
    ax.set_xlim(0, AUX_X + AUX_W + 0.05)
    ax.set_ylim(-0.5, n - 0.5)
    ax.axis("off")
    for i, (text, color, shape) in enumerate(main):
        y = n - 1 - i
        box = FancyBboxPatch((MAIN_X, y - 0.35), MAIN_W, 0.7, boxstyle="round,pad=0.01", fc=color, ec="black", lw=0.6)
        box.set_gid(f"main.{i}")
        ax.add_patch(box)
        ax.text(MAIN_X + 0.03, y, text, ha="left", va="center", fontsize=7)
        ax.text(MAIN_X + MAIN_W - 0.03, y, shape, ha="right", va="center", fontsize=7, family="monospace")
        if i in side:
            arrow = ax.annotate("", (AUX_X, y), (MAIN_X + MAIN_W, y),
                                arrowprops={"arrowstyle": "->", "shrinkA": 0, "shrinkB": 0})
            arrow.set_gid(f"main.{i}->aux.{i}")
            head = FancyBboxPatch((AUX_X, y - 0.45), AUX_W, 0.9, boxstyle="round,pad=0.01", fc=COLORS[5], ec="black", lw=0.6)
            head.set_gid(f"aux.{i}")
            ax.add_patch(head)
            ax.text(AUX_X + AUX_W / 2, y, side[i], ha="center", va="center", fontsize=6.5)
    ax.set_title(spec.title, fontsize=9)
    fig.tight_layout()
    return fig


def pool_conventions(n: int, kernel: int = 3, stride: int = 2) -> dict[str, Windows]:
    """The windows of one stride-2 layer on ``n`` pixels under the three conventions of chapter 2."""
    return {
        "ceil mode, no padding": pytorch_windows(n, kernel, stride, 0, ceil_mode=True),
        "padding 1, floor": pytorch_windows(n, kernel, stride, 1),
        "TensorFlow SAME": tf_same_windows(n, kernel, stride),
    }


def _draw_windows(ax: Axes, windows: Windows, title: str) -> None:
    lo, hi = min(0, windows.starts[0]), max(windows.n, windows.starts[-1] + windows.kernel)
    for x in range(lo, hi):
        if 0 <= x < windows.n:
            ax.add_patch(Rectangle((x, 0), 1, 1, fc="white", ec="black", lw=0.8))
            ax.text(x + 0.5, 0.5, str(x), ha="center", va="center", fontsize=7)
        else:
            ax.add_patch(Rectangle((x, 0), 1, 1, fc="#dddddd", ec="grey", lw=0.8, ls="--", hatch="//"))
    for i, start in enumerate(windows.starts):
        y = -0.7 - 0.55 * (i % 2)
        ax.add_patch(Rectangle((start + 0.08, y), windows.kernel - 0.16, 0.4, fc="#9fd3ff", ec="#1f5f99", lw=0.8))
        ax.text(start + windows.kernel / 2, y + 0.2, str(i), ha="center", va="center", fontsize=7)
    ax.set_xlim(-2.2, windows.n + 2.2)
    ax.set_ylim(-1.9, 1.2)
    ax.set_title(f"{title}: {windows.count} outputs, padding covered {windows.padding}", fontsize=8)
    ax.axis("off")


def draw_pool_windows(sizes: tuple[int, ...] = (8, 7), kernel: int = 3, stride: int = 2) -> Figure:
    """The windows of a ``kernel``/``stride`` pool over a row of ``n`` pixels, for each size and
    each convention: input pixels white and numbered, positions outside the input that a window
    covers (padding, or the overhang of ceil mode) grey and hatched, the windows below the row,
    numbered by the output they give."""
    fig, axes = plt.subplots(3, len(sizes), figsize=(4.6 * len(sizes), 4.4), squeeze=False)
    for col, n in enumerate(sizes):
        for row, (name, windows) in enumerate(pool_conventions(n, kernel, stride).items()):
            _draw_windows(axes[row][col], windows, f"n = {n}, {name}")
    fig.suptitle(f"{kernel}x{kernel} pool, stride {stride}: where the windows fall", fontsize=10)
    fig.tight_layout()
    return fig
