"""How each Inception module divides its output channels among its four branches (chapter 1)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ...core.design import BranchShare
from ...core.tables import half_up

#: Bottom to top: the 3x3 and 5x5 branches first, so that their stack's top is their joint share.
ORDER = (("b3x3", "3x3", "#9fd3ff"), ("b5x5", "5x5", "#b8e986"), ("b1x1", "1x1", "#ffd27f"), ("bpool", "pool proj", "#f5a3a3"))


def branch_share_chart(shares: list[BranchShare]) -> Figure:
    """Stacked bars of each module's output share by branch, with the 3x3 + 5x5 share marked."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    positions = list(range(len(shares)))
    bottom = [0.0] * len(shares)
    for branch, label, color in ORDER:
        heights = [s.share(branch) for s in shares]
        ax.bar(positions, heights, bottom=bottom, color=color, edgecolor="black", lw=0.5, label=label)
        bottom = [b + h for b, h in zip(bottom, heights)]
    large = [s.large_share for s in shares]
    ax.plot(positions, large, "k-o", ms=4, lw=1, label="3x3 + 5x5")
    for x, value in zip(positions, large):
        ax.annotate(half_up(value), (x, value), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=7)
    ax.set_xticks(positions, [s.module for s in shares])
    ax.set_ylim(0, 1)
    ax.set_xlabel("Inception module (input side to output side)")
    ax.set_ylabel("share of the module's output channels")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=5, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
