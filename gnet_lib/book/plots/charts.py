"""Charts of numbers: costs per block, training curves, errors against parameters and time."""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from ...core.architectures import CIFAR_MODEL_NAMES
from ...core.layers import LayerTable
from ...core.published import SOURCE_000
from ...training.results.results import cumulative_seconds


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
    """Top-1 test error against parameter count (log scale, ticks 1-2-5 per decade, in millions)."""
    fig = _error_against(results, published, lambda r: r["model"]["params"], lambda p: p.params,
                         "parameters (millions, log scale)", "source 000")
    ax = fig.axes[0]
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator([m * 10**e for e in range(5, 10) for m in (1, 2, 5)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value / 1e6:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
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
    """Parameters and MACs of every block, side by side as horizontal bars (the input side at the
    top), both in millions so that the axes need no offset such as "1e8"."""
    blocks = table.block_totals()
    names = blocks.column("block")
    positions = list(range(len(names)))
    fig, (ax_p, ax_m) = plt.subplots(1, 2, figsize=(9, 0.25 * len(names) + 1.4), sharey=True)
    ax_p.barh(positions, [p / 1e6 for p in blocks.column("params")], color="tab:blue")
    ax_m.barh(positions, [m / 1e6 for m in blocks.column("MACs")], color="tab:orange")
    ax_p.set_yticks(positions, names)
    ax_p.invert_yaxis()
    ax_p.set_xlabel("parameters (millions)")
    ax_m.set_xlabel("MACs per image (millions)")
    fig.suptitle(table.title, fontsize=10)
    fig.tight_layout()
    return fig
