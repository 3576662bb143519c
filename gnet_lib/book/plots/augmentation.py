"""What the recipes do to a training image: the originals above, each recipe's views below."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from torch import Tensor

    from ...training.data.recipe_views import RecipeView


def augmentation_grid(originals: Tensor, titles: list[str], views: dict[str, RecipeView]) -> Figure:
    """One column per image: the original (uint8, with its title) in the first row, then one row
    per entry of ``views`` (its label on the left), each panel at the size the model sees it and
    marked "flipped" where the view is mirrored."""
    if len(titles) != len(originals) or any(len(v.images) != len(originals) for v in views.values()):
        raise ValueError("augmentation_grid needs one title and one view per original image")
    columns, rows = len(originals), 1 + len(views)
    fig, axes = plt.subplots(rows, columns, figsize=(1.05 * columns + 1.2, 1.3 * rows), squeeze=False, layout="constrained")
    panels = [("original", [img.permute(1, 2, 0).numpy() for img in originals], titles)]
    panels += [(label, [img.permute(1, 2, 0).numpy() for img in view.images],
                ["flipped" if f else "" for f in view.flipped]) for label, view in views.items()]
    for row, (label, images, names) in enumerate(panels):
        for col, (image, name) in enumerate(zip(images, names)):
            ax = axes[row, col]
            ax.imshow(image, interpolation="nearest")  # a 16x16 view shows as 16x16 blocks
            ax.set_xticks([])
            ax.set_yticks([])
            if name:
                ax.set_title(name, fontsize=7)
        axes[row, 0].set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    return fig
