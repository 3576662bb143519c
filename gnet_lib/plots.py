"""Figures of the book, drawn from specs and result files (matplotlib)."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from .architectures import CIFAR_MODEL_NAMES
from .comparison import cumulative_seconds
from .layers import LayerTable
from .published import SOURCE_000
from .specs import LRN, AuxHead, Conv, Inception, Network, Pool


def _scatter(ax, xs, ys, labels, **style) -> None:
    ax.scatter(xs, ys, **style)
    for x, y, label in zip(xs, ys, labels):
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)


def _error_against(results: dict[str, dict[str, Any]], published: str | None, ours_x, published_x, xlabel: str,
                   published_label: str) -> Figure:
    """Top-1 test error against some x: our runs, and source 000's if ``published`` names a dataset."""
    fig, ax = plt.subplots(figsize=(6, 4))
    names = [n for n in CIFAR_MODEL_NAMES if n in results]
    if names:
        _scatter(ax, [ours_x(results[n]) for n in names], [results[n]["final"]["test_top1_err"] for n in names],
                 names, label="ours", marker="o")
    if published:
        pub = SOURCE_000[published]
        _scatter(ax, [published_x(pub[n]) for n in CIFAR_MODEL_NAMES], [pub[n].top1_error for n in CIFAR_MODEL_NAMES],
                 CIFAR_MODEL_NAMES, label=published_label, marker="x")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("top-1 test error")
    if names or published:
        ax.legend()
    fig.tight_layout()
    return fig


def error_vs_params(results: dict[str, dict[str, Any]], published: str | None = None) -> Figure:
    """Top-1 test error against parameter count (log scale)."""
    fig = _error_against(results, published, lambda r: r["model"]["params"], lambda p: p.params, "parameters", "source 000")
    fig.axes[0].set_xscale("log")
    return fig


def error_vs_time(results: dict[str, dict[str, Any]], published: str | None = None) -> Figure:
    """Top-1 test error against training wall time (minutes)."""
    return _error_against(results, published, lambda r: r["wall_time_s"] / 60, lambda p: p.seconds / 60,
                          "training time (minutes)", "source 000 (its GPU)")


def training_curves(histories: dict[str, list[dict[str, Any]]]) -> Figure:
    """Loss and top-1 error per epoch (train dashed, test solid) for each named run."""
    fig, (ax_loss, ax_err) = plt.subplots(1, 2, figsize=(10, 4))
    for name, history in histories.items():
        epochs = [h["epoch"] for h in history]
        line = ax_loss.plot(epochs, [h["test_loss"] for h in history], label=f"{name} test")[0]
        ax_loss.plot(epochs, [h["train_loss"] for h in history], "--", color=line.get_color(), label=f"{name} train")
        ax_err.plot(epochs, [h["test_top1_err"] for h in history], color=line.get_color(), label=f"{name} test")
        ax_err.plot(epochs, [h["train_top1_err"] for h in history], "--", color=line.get_color(), label=f"{name} train")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy loss")
    ax_err.set_xlabel("epoch")
    ax_err.set_ylabel("top-1 error")
    if histories:
        ax_err.legend(fontsize=7)
    fig.tight_layout()
    return fig


def recipe_curves(results: dict[str, dict[str, Any]], reference: str = "seed") -> Figure:
    """Test top-1 error of each recipe's run against epochs and against minutes of wall time;
    a dotted line marks the reference recipe's final error."""
    fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for name, r in results.items():
        errors = [h["test_top1_err"] for h in r["history"]]
        line = ax_epoch.plot([h["epoch"] for h in r["history"]], errors, marker="o", ms=3, label=name)[0]
        ax_time.plot([s / 60 for s in cumulative_seconds(r["history"])], errors, marker="o", ms=3, color=line.get_color())
    if reference in results:
        target = results[reference]["final"]["test_top1_err"]
        for ax in (ax_epoch, ax_time):
            ax.axhline(target, ls=":", color="gray", label=f"{reference}'s final error")
    ax_epoch.set_xlabel("epoch")
    ax_time.set_xlabel("training + evaluation time (minutes)")
    ax_epoch.set_ylabel("top-1 test error")
    if results:
        ax_epoch.legend()
    fig.tight_layout()
    return fig


def cost_per_block(table: LayerTable) -> Figure:
    """Parameters and MACs of every block, side by side (log scale)."""
    blocks = table.block_totals()
    names = blocks.column("block")
    fig, (ax_p, ax_m) = plt.subplots(2, 1, figsize=(9, 5), sharex=True)
    ax_p.bar(names, blocks.column("params"), color="tab:blue")
    ax_m.bar(names, blocks.column("MACs"), color="tab:orange")
    ax_p.set_ylabel("parameters")
    ax_m.set_ylabel("MACs per image")
    ax_m.tick_params(axis="x", rotation=60)
    ax_p.set_title(table.title)
    fig.tight_layout()
    return fig


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
    out = module.n1x1 + module.n3x3 + module.n5x5 + (module.pool_proj or (c_in or 0))
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
