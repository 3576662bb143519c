"""Diagrams drawn from specs: one Inception module, the whole network."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..specs import LRN, AuxHead, Conv, Inception, Network, Pool, inception_out_channels


def draw_inception_module(module: Inception, five_by_five: str = "5x5") -> Figure:
    """The four branches of one module and their concatenation, channel numbers from the spec."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.set_xlim(0, 8)
    ax.set_ylim(0, 5)
    ax.axis("off")

    def box(x, y, text, color):
        ax.add_patch(FancyBboxPatch((x - 0.85, y - 0.28), 1.7, 0.56, boxstyle="round,pad=0.05", fc=color, ec="black"))
        ax.text(x, y, text, ha="center", va="center", fontsize=8)

    five = {"5x5": "5x5 conv", "3x3": "3x3 conv", "3x3-3x3": "3x3, 3x3 conv"}[five_by_five]
    c_in = module.in_channels
    box(4, 4.5, f"previous layer ({c_in} ch)" if c_in else "previous layer", "#eeeeee")
    branches = [
        [(f"1x1 conv, {module.n1x1}", "#ffd27f")],
        ([(f"1x1 conv, {module.n3x3_reduce}", "#ffd27f")] if module.n3x3_reduce else []) + [(f"3x3 conv, {module.n3x3}", "#9fd3ff")],
        ([(f"1x1 conv, {module.n5x5_reduce}", "#ffd27f")] if module.n5x5_reduce else []) + [(f"{five}, {module.n5x5}", "#b8e986")],
        [("3x3 max pool", "#f5a3a3")] + ([(f"1x1 conv, {module.pool_proj}", "#ffd27f")] if module.pool_proj else []),
    ]
    out = inception_out_channels(module, c_in or 0)
    for i, branch in enumerate(branches):
        x = 1 + 2 * i
        ax.annotate("", (x, 3.4), (4, 4.2), arrowprops={"arrowstyle": "->"})
        for j, (text, color) in enumerate(branch):
            box(x, 3.1 - 1.0 * j, text, color)
        ax.annotate("", (4, 0.8), (x, 3.1 - 1.0 * (len(branch) - 1) - 0.3), arrowprops={"arrowstyle": "->"})
    box(4, 0.5, f"concatenate: {out} ch", "#eeeeee")
    ax.set_title(f"inception ({module.name})")
    return fig


def draw_network(spec: Network) -> Figure:
    """The whole network as a column of blocks, input at the top; auxiliary heads branch off
    to the right of the module they read."""
    main: list[tuple[str, str]] = [(f"input {'x'.join(map(str, spec.input_size))}", "#eeeeee")]
    side: dict[int, str] = {}
    for layer in spec.layers:
        if isinstance(layer, Conv):
            k = layer.kernel if isinstance(layer.kernel, int) else layer.kernel[0]
            main.append((f"{layer.name}: {k}x{k} conv/{layer.stride}, {layer.out_channels}", "#ffd27f"))
        elif isinstance(layer, Pool):
            main.append((f"{layer.name}: {layer.kernel}x{layer.kernel} {layer.kind} pool/{layer.stride}", "#f5a3a3"))
        elif isinstance(layer, LRN):
            main.append((f"{layer.name}: local response norm", "#dddddd"))
        elif isinstance(layer, Inception):
            main.append((f"inception ({layer.name})", "#9fd3ff"))
        elif isinstance(layer, AuxHead):
            side[len(main) - 1] = f"{layer.name}: auxiliary classifier\n(training only)"
    main += [("global average pool", "#f5a3a3"), (f"dropout {spec.classifier.dropout:.0%}", "#dddddd"),
             (f"linear -> {spec.num_classes} classes", "#ffd27f")]
    n = len(main)
    fig, ax = plt.subplots(figsize=(7, 0.32 * n + 0.6))
    ax.set_xlim(0, 1.45)
    ax.set_ylim(-0.5, n - 0.5)
    ax.axis("off")
    for i, (text, color) in enumerate(main):
        y = n - 1 - i
        ax.add_patch(FancyBboxPatch((0.05, y - 0.35), 0.8, 0.7, boxstyle="round,pad=0.01", fc=color, ec="black", lw=0.6))
        ax.text(0.45, y, text, ha="center", va="center", fontsize=7)
        if i in side:
            ax.annotate("", (0.98, y), (0.86, y), arrowprops={"arrowstyle": "->"})
            ax.add_patch(FancyBboxPatch((0.99, y - 0.45), 0.44, 0.9, boxstyle="round,pad=0.01", fc="#b8e986", ec="black", lw=0.6))
            ax.text(1.21, y, side[i], ha="center", va="center", fontsize=6.5)
    ax.set_title(spec.title, fontsize=9)
    fig.tight_layout()
    return fig
