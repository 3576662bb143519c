"""Chapter 4's chart of two networks' cost by stage (:mod:`gnet_lib.core.stage_cost`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ...core.layers import LayerTable
from ...core.stage_cost import resized_macs, same_modules, size_label, stage_costs


def stage_cost_chart(other: LayerTable, reference: LayerTable) -> Figure:
    """Horizontal bars of MACs per image for each stage (stem at the top): ``reference``, its own
    modules on ``other``'s maps where a stage holds the same modules, and ``other``; each bar
    labelled with the maps it works on. The legend sits below the axes, away from the bars."""
    a, b = reference.spec.name, other.spec.name
    ref, mine = stage_costs(reference), {s.stage: s for s in stage_costs(other)}
    stages = [s for s in ref if s.stage in mine]
    y = np.arange(len(stages))
    resized = [resized_macs(s, mine[s.stage].side_in) if same_modules(s, mine[s.stage]) else None for s in stages]
    series = [  # label, MACs per stage, the maps each bar is labelled with, colour, hatch
        (f"{a} at {size_label(reference)}: {reference.main_path_macs / 1e9:.2f} G in all",
         [s.macs for s in stages], [s.maps for s in stages], "tab:blue", ""),
        (f"{a}'s modules on {b}'s maps",
         [r or 0 for r in resized], [mine[s.stage].maps if r else "" for s, r in zip(stages, resized)], "white", "//"),
        (f"{b} at {size_label(other)}: {other.main_path_macs / 1e9:.2f} G in all",
         [mine[s.stage].macs for s in stages], [mine[s.stage].maps for s in stages], "tab:orange", ""),
    ]
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    height = 0.26
    largest = max(max(values) for _, values, _, _, _ in series)
    for k, (label, values, maps, colour, hatch) in enumerate(series):
        positions = y + (k - 1) * height
        millions = np.array(values) / 1e6
        ax.barh(positions, millions, height=height, color=colour, edgecolor="tab:blue" if hatch else colour,
                hatch=hatch, label=label)
        for pos, value, text in zip(positions, millions, maps):
            if text:
                ax.text(value + largest / 1e6 * 0.01, pos, text, va="center", fontsize=7)
    ax.set_yticks(y, [s.stage if s.stage in ("stem", "head") else f"stage {s.stage}" for s in stages])
    ax.invert_yaxis()
    ax.set_xlim(0, largest / 1e6 * 1.22)
    ax.set_xlabel("MACs per image (millions)")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
