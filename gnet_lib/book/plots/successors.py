"""Chapter 4's chart of the published ImageNet figures after GoogLeNet (:mod:`gnet_lib.core.successors`)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ...core.published import IMAGENET_RESULTS, ImageNetResult
from ...core.successors import SETTINGS, image_set, setting

_MARKERS = dict(zip(SETTINGS, ("o", "^", "s"), strict=True))
_COLOURS = dict(zip(SETTINGS, ("tab:blue", "tab:orange", "tab:green"), strict=True))
#: How each image set is drawn: the marker's fill, its shift from the network's row, the legend's words.
_IMAGE_SETS = {
    "validation": ("full", -0.22, "all validation images"),
    "validation subset": ("left", 0.0, "a validation subset"),
    "test": ("none", 0.22, "test images"),
}


def successors_chart(results: Sequence[ImageNetResult] = IMAGENET_RESULTS) -> Figure:
    """Top-5 error of each published figure, one row per network (in the order the networks
    appeared), one marker shape per evaluation setting: filled on all the validation images,
    half-filled on a subset of them, hollow on the test images, each a little apart within its row.
    The legend sits below the axes, away from the points."""
    networks = list(dict.fromkeys(r.network for r in sorted(results, key=lambda r: r.year)))
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(networks) + 2.4))
    for which in SETTINGS:
        for images, (fill, shift, words) in _IMAGE_SETS.items():
            chosen = [r for r in results if setting(r) == which and image_set(r) == images]
            if not chosen:
                continue
            ys = [networks.index(r.network) + shift for r in chosen]
            ax.plot([r.top5 for r in chosen], ys, linestyle="none", marker=_MARKERS[which], markersize=7,
                    color=_COLOURS[which], fillstyle=fill, markerfacecoloralt="white", label=f"{which}, {words}")
    ax.set_yticks(np.arange(len(networks)), networks, fontsize=8)
    ax.set_ylim(len(networks) - 0.5, -0.5)
    ax.set_xlim(0, max(r.top5 for r in results) * 1.08)
    ax.set_xlabel("top-5 error (%)")
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.14), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    return fig
