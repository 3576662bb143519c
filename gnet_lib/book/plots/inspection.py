"""Figures of a trained model: its confusions, its surest mistakes, its branches' responses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from torch import Tensor


def confusion_heatmap(matrix: Tensor, classes: list[str]) -> Figure:
    """Rows: the true class; columns: the predicted class; each cell's count written in it."""
    n = len(classes)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    image = ax.imshow(matrix.numpy(), cmap="Blues")
    ax.set_xticks(range(n), classes, rotation=45, ha="right")
    ax.set_yticks(range(n), classes)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    top = int(matrix.max())
    for i in range(n):
        for j in range(n):
            value = int(matrix[i, j])
            ax.text(j, i, str(value), ha="center", va="center", fontsize=7,
                    color="white" if value > top / 2 else "black")
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def image_grid(images: Tensor, titles: list[str], columns: int = 6) -> Figure:
    """uint8 images ``(B, 3, H, W)`` in a grid, each with its title (one or more lines) above it;
    each row is made tall enough for its titles, so a title never runs into the image above."""
    if len(titles) != len(images):
        raise ValueError(f"image_grid got {len(images)} images and {len(titles)} titles; give one title per image")
    rows = -(-len(images) // columns)
    lines = max((title.count("\n") + 1 for title in titles), default=1)
    fig, axes = plt.subplots(rows, columns, figsize=(1.7 * columns, (1.6 + 0.17 * lines) * rows), squeeze=False,
                             layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(image.permute(1, 2, 0).numpy())
        ax.set_title(title, fontsize=7)
    return fig


def branch_map_grid(images: Tensor, maps: dict[str, Tensor], block: str) -> Figure:
    """One row per image: the image, then each branch's mean response (its own colour scale)."""
    names = list(maps)
    fig, axes = plt.subplots(len(images), len(names) + 1, figsize=(1.9 * (len(names) + 1), 1.9 * len(images)),
                             squeeze=False)
    for row, image in enumerate(images):
        axes[row, 0].imshow(image.permute(1, 2, 0).numpy())
        for col, name in enumerate(names, start=1):
            axes[row, col].imshow(maps[name][row].numpy(), cmap="magma")
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
    axes[0, 0].set_title("image", fontsize=8)
    for col, name in enumerate(names, start=1):
        axes[0, col].set_title(f"{block} / {name}", fontsize=8)
    fig.tight_layout()
    return fig
