"""The ablation's figures: error against parameters for several protocols at once, each point with
its interval, and learning curves over seeds as a mean and a band, one panel per variant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

from ...core.architectures import CIFAR_MODEL_NAMES
from ...core.published import SOURCE_000
from ...training.analysis.seed_comparison import ErrorPoint
from ...training.analysis.source_claims import ROUNDING


@dataclass(frozen=True)
class Series:
    """The points of one protocol, drawn with one marker."""

    label: str
    points: Sequence[ErrorPoint]
    marker: str = "o"


#: How far apart (in decades of parameters) the protocols of one variant are drawn, so that their
#: intervals do not hide each other.
DODGE = 0.018


#: How an interval over seeds and one run's interval over its test images are drawn apart.
SEEDS_STYLE = "filled marker, solid bar:\n95% t-interval over 2 or more seeds"
ONE_RUN_STYLE = "hollow marker, dashed bar: one run,\nWilson 95% interval over its test images"


def _draw(ax: Any, points: Sequence[ErrorPoint], offset: float, marker: str, color: str, one_run: bool) -> None:
    """One protocol's points of one kind: filled with solid bars over seeds, hollow with dashed
    bars for single runs."""
    if not points:
        return
    bars = ax.errorbar([p.params * 10 ** offset for p in points], [p.error for p in points],
                       yerr=[[p.error - p.low for p in points], [p.high - p.error for p in points]],
                       fmt=marker, ms=6, capsize=3, lw=1.2, color=color, mec=color,
                       mfc="none" if one_run else color)
    if one_run:
        for collection in bars.lines[2]:
            collection.set_linestyle((0, (3, 2)))


def error_against_params(series: Sequence[Series], published: str | None = "cifar10") -> Figure:
    """Top-1 test error against parameters (log scale): each protocol's points with their 95%
    intervals, source 000's published points with their rounding, and every variant named once
    on the top axis (rotated, so that neighbours never collide). A point over 2 or more seeds is
    filled with a solid bar (Student's t over the seeds); a single run is hollow with a dashed
    bar (Wilson's interval over its test images), so the two kinds of interval are never read
    as one. The legend sits outside the axes and names both styles."""
    fig, ax = plt.subplots(figsize=(8.6, 4.6))
    drawn = [s for s in series if s.points]
    offsets = [(i - (len(drawn) - 1) / 2) * DODGE for i in range(len(drawn) + (1 if published else 0))]
    named: dict[str, float] = {}
    handles: list[Any] = []
    for i, (s, offset) in enumerate(zip(drawn, offsets)):
        color = f"C{i}"
        _draw(ax, [p for p in s.points if p.over == "seeds"], offset, s.marker, color, one_run=False)
        _draw(ax, [p for p in s.points if p.over != "seeds"], offset, s.marker, color, one_run=True)
        handles.append(Line2D([], [], marker=s.marker, color=color, ls="none", ms=6, label=s.label))
        named.update({p.model: p.params for p in s.points})
    if published:
        handles.append(_draw_published(ax, published, offsets[-1], named))
    if drawn:
        handles += _interval_styles({p.over == "seeds" for s in drawn for p in s.points})
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator([m * 10 ** e for e in range(5, 10) for m in (1, 2, 5)]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value / 1e6:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("parameters (millions, log scale)")
    ax.set_ylabel("top-1 test error")
    ax.set_ylim(bottom=0)
    if named:
        _name_on_top(ax, named)
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def _draw_published(ax: Axes, published: str, offset: float, named: dict[str, float]) -> Line2D:
    """Source 000's points with their rounding as bars; adds its variants to ``named``; returns the
    legend entry."""
    pub = SOURCE_000[published]
    ax.errorbar([pub[n].params * 10 ** offset for n in CIFAR_MODEL_NAMES], [pub[n].top1_error for n in CIFAR_MODEL_NAMES],
                yerr=ROUNDING, fmt="x", ms=7, capsize=3, lw=1.2, color="black")
    named.update({n: named.get(n, pub[n].params) for n in CIFAR_MODEL_NAMES})
    return Line2D([], [], marker="x", color="black", ls="none", ms=7,
                  label=f"source 000, published (bar: ±{ROUNDING:g}, its rounding)")


def _interval_styles(kinds: set[bool]) -> list[Line2D]:
    """Legend entries for the two kinds of interval drawn (``True``: over seeds; ``False``: one run)."""
    handles = []
    if True in kinds:
        handles.append(Line2D([], [], marker="o", color="0.3", mfc="0.3", ms=5, lw=1.2, label=SEEDS_STYLE))
    if False in kinds:
        handles.append(Line2D([], [], marker="o", color="0.3", mfc="none", ms=5, lw=1.2, ls=(0, (3, 2)),
                              label=ONE_RUN_STYLE))
    return handles


def _name_on_top(ax: Axes, named: dict[str, float]) -> None:
    """Every variant named once on a top axis at its parameter count, rotated, with a faint line."""
    low, high = min(named.values()), max(named.values())
    ax.set_xlim(low / 1.6, high * 1.6)
    top = ax.secondary_xaxis("top")
    order = sorted(named, key=named.__getitem__)
    top.xaxis.set_major_locator(FixedLocator([named[n] for n in order]))
    top.xaxis.set_minor_locator(NullLocator())
    top.set_xticklabels(order, rotation=90, fontsize=8)
    ax.grid(axis="x", which="major", alpha=0.0)
    for n in order:
        ax.axvline(named[n], color="0.9", lw=0.8, zorder=0)


def _mean(values: Sequence[Sequence[float]]) -> list[float]:
    return [sum(column) / len(column) for column in zip(*values)]


def seed_curves(runs: dict[str, dict[int, dict[str, Any]]], reference: str | None = "googlenet",
                key: str = "test_top1_err") -> Figure:
    """One panel per variant: the test error per epoch as the mean over its seeds, shaded from the
    lowest to the highest seed, the training error's mean dashed, and the reference's mean test
    error dotted in every other panel. The legend sits below the panels."""
    names = [n for n in CIFAR_MODEL_NAMES if n in runs] + [n for n in runs if n not in CIFAR_MODEL_NAMES]
    columns = min(4, max(1, len(names)))
    rows = max(1, -(-len(names) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(2.9 * columns + 0.6, 2.5 * rows + 0.9), sharex=True, sharey=True,
                             squeeze=False)
    reference_mean = None
    if reference in runs:
        histories = [r["history"] for r in runs[reference].values()]
        reference_mean = ([h["epoch"] for h in histories[0]], _mean([[h[key] for h in hist] for hist in histories]))
    for ax, name in zip(axes.flat, names):
        histories = [r["history"] for r in runs[name].values()]
        length = min(len(h) for h in histories)
        epochs = [h["epoch"] for h in histories[0][:length]]
        test = [[h[key] for h in hist[:length]] for hist in histories]
        ax.plot(epochs, _mean(test), color="tab:blue", lw=1.8)
        if len(test) > 1:
            ax.fill_between(epochs, [min(c) for c in zip(*test)], [max(c) for c in zip(*test)], color="tab:blue", alpha=0.25, lw=0)
        train = [[h["train_top1_err"] for h in hist[:length]] for hist in histories if "train_top1_err" in hist[0]]
        if train:
            ax.plot(epochs, _mean(train), color="tab:blue", ls="--", lw=1)
        if reference_mean and name != reference:
            ax.plot(*reference_mean, color="0.35", ls=":", lw=1.5)
        ax.set_title(f"{name} ({len(test)} seed{'s' if len(test) > 1 else ''})", fontsize=9)
        ax.grid(alpha=0.3)
    last = max((len(r["history"]) for variant in runs.values() for r in variant.values()), default=1)
    step = 1 if last <= 6 else 2
    for ax in axes.flat:
        ax.set_xticks(range(step, last + 1, step))
        ax.set_xlim(0.5, last + 0.5)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for ax in axes.flat[max(0, len(names) - columns):len(names)]:  # the lowest visible panel of each column
        ax.set_xlabel("epoch")
        ax.tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel("top-1 error")
    handles = [Line2D([], [], color="tab:blue", lw=1.8, label="test error, mean over seeds"),
               Patch(color="tab:blue", alpha=0.25, label="lowest to highest seed"),
               Line2D([], [], color="tab:blue", ls="--", lw=1, label="training error, mean")]
    if reference_mean:
        handles.append(Line2D([], [], color="0.35", ls=":", lw=1.5, label=f"{reference}'s test error, mean"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.1 if rows == 1 else 0.06, 1, 1))
    return fig
