"""Figures of the book, drawn from specs and result files (matplotlib): diagrams in
:mod:`.diagrams`, charts of numbers in :mod:`.charts`."""

from .augmentation import augmentation_grid
from .charts import (
    cost_per_block,
    error_vs_params,
    error_vs_time,
    recipe_curves,
    training_curves,
)
from .diagrams import draw_inception_module, draw_network, draw_pool_windows
from .heads import draw_aux_head
from .inspection import branch_map_grid, confusion_heatmap, image_grid
from .shares import branch_share_chart

__all__ = [
    "augmentation_grid",
    "branch_map_grid",
    "branch_share_chart",
    "confusion_heatmap",
    "cost_per_block",
    "draw_aux_head",
    "draw_inception_module",
    "draw_network",
    "draw_pool_windows",
    "error_vs_params",
    "error_vs_time",
    "image_grid",
    "recipe_curves",
    "training_curves",
]
