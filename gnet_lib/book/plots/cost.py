"""Chapter 3's charts: what the bottleneck saves, what the printed params imply, when a
factorisation pays. Each draws a table of :mod:`gnet_lib.core.bottleneck`, :mod:`gnet_lib.core.paper`
or :mod:`gnet_lib.core.factorisation`."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ...core.factorisation import Factorisation
from ...core.tables import Table


def bottleneck_ratios(savings: Table) -> Figure:
    """MACs without / with the 1x1 reduction, for the 3x3 and 5x5 branch of every module."""
    modules = [r["module"] for r in savings.where(branch="3x3")]
    x = np.arange(len(modules))
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for offset, branch in ((-0.2, "3x3"), (0.2, "5x5")):
        ax.bar(x + offset, [r["ratio"] for r in savings.where(branch=branch)], width=0.4, label=f"{branch} branch")
    ax.set_xticks(x, modules)
    ax.set_ylabel("cost without / with the reduction")
    ax.legend()
    fig.tight_layout()
    return fig


#: The units of :func:`module_cost_bars`' two axes: (count, divisor, axis label).
MODULE_BAR_UNITS = (("weights", 1e3, "weights (thousands)"), ("MACs", 1e6, "MACs per image (millions)"))


def module_cost_bars(comparison: Table) -> Figure:
    """Weights (in thousands) and MACs (in millions) of one module, naive against reduced,
    stacked by branch."""
    branches = [r for r in comparison if r["branch"] != "module"]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.5))
    for ax, (count, unit, label) in zip(axes, MODULE_BAR_UNITS):
        bottom = np.zeros(2)
        for r in branches:
            heights = np.array([r[f"naive {count}"], r[f"reduced {count}"]], dtype=float) / unit
            ax.bar(["naive", "reduced"], heights, bottom=bottom, label=f"{r['branch']} branch")
            bottom += heights
        ax.set_ylabel(label)
    axes[1].legend()
    fig.suptitle(comparison.title.split(":")[0])
    fig.tight_layout()
    return fig


def implied_units_chart(units: Table) -> Figure:
    """Each printed params cell's implied unit, with the range that rounds to the printed number."""
    rows = units.rows
    x = np.arange(len(rows))
    implied = np.array([r["implied unit"] for r in rows])
    low = implied - np.array([r["lowest unit"] for r in rows])
    high = np.array([r["highest unit"] for r in rows]) - implied
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.errorbar(x, implied, yerr=[low, high], fmt="o", capsize=3, color="black", label="unit that prints the cell")
    for unit, style in ((1000, "--"), (1024, ":")):
        ax.axhline(unit, linestyle=style, color="tab:blue", label=f"K = {unit}")
    ax.set_xticks(x, [r["row"] for r in rows])
    ax.set_ylabel("our weights / printed number")
    ax.legend()
    fig.tight_layout()
    return fig


def break_even_chart(factorisations: tuple[Factorisation, ...], c_in: int, c_out: int) -> Figure:
    """Weights after / before each factorisation as the middle layer widens."""
    middles = np.arange(1, 2 * max(c_in, c_out) + 1)
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for f in factorisations:
        ax.plot(middles, [f.ratio(c_in, int(m), c_out) for m in middles], label=f.name)
    ax.axhline(1, color="black", linewidth=0.8)
    ax.axvline(c_in, color="grey", linestyle="--", label=f"middle as wide as the input ({c_in})")
    ax.set_xlabel("width of the middle layer")
    ax.set_ylabel("weights after / before")
    ax.set_title(f"{c_in} -> middle -> {c_out} channels")
    ax.legend()
    fig.tight_layout()
    return fig
