"""Figures of the book, drawn from specs and result files (matplotlib): diagrams in
:mod:`.diagrams`, charts of numbers in :mod:`.charts`."""

from .charts import (
    cost_per_block,
    error_vs_params,
    error_vs_time,
    recipe_curves,
    training_curves,
)
from .diagrams import draw_inception_module, draw_network

__all__ = [
    "cost_per_block",
    "draw_inception_module",
    "draw_network",
    "error_vs_params",
    "error_vs_time",
    "recipe_curves",
    "training_curves",
]
