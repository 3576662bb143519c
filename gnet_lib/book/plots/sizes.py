"""Chapter 2's charts: the map the last stage works on at every input size, and how far one
output sees, layer by layer."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ...core.geometry import ReceptiveField
from ...core.layers import layer_table

#: The two pool conventions of chapter 2, as ``layer_table``'s ``pool_rounding`` and a label.
CONVENTIONS = (("ceil", "ceil mode, no padding"), ("pad", "padding 1, floor"))


def last_stage_sizes(sizes: Sequence[int], pool_rounding: str, name: str = "inception-v1") -> list[int]:
    """For each square input size, the side of the map the last stage works on (the map the
    head's global average pool reads), with the stride-2 pools in ``pool_rounding``."""
    return [layer_table(name, (3, n, n), aux_logits=False, pool_rounding=pool_rounding).last_feature_map[1]
            for n in sizes]


def last_stage_chart(sizes: Sequence[int], name: str = "inception-v1") -> Figure:
    """The last stage's map side against the input size, one step line per pool convention."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for rounding, label in CONVENTIONS:
        ax.step(sizes, last_stage_sizes(sizes, rounding, name), where="post", label=f"{rounding}: {label}")
    ax.set_xlabel("input size (pixels)")
    ax.set_ylabel("map side in stage 5 (pixels)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig


def receptive_field_chart(fields: Sequence[ReceptiveField], input_size: int) -> Figure:
    """The receptive field after each block, with the input's size as a dashed line."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    positions = list(range(len(fields)))
    ax.plot(positions, [rf.size for rf in fields], "o-", label="receptive field")
    ax.set_xticks(positions, [rf.layer for rf in fields])
    ax.axhline(input_size, color="grey", ls="--", label=f"input size ({input_size})")
    ax.set_xlabel("block (input side to output side)")
    ax.set_ylabel("receptive field (pixels)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    return fig
