"""The training loss, term by term: what the loop minimises, and what a loss value means.

The loop's loss is :func:`gnet_lib.training.engine.train.compute_loss`: the main head's cross-entropy,
plus ``aux_weight`` times each auxiliary head's (the paper's 0.3). :func:`loss_terms` takes it
apart and checks that the parts add up to what the loop computes.
"""

from __future__ import annotations

import math
from typing import Any

import torch.nn.functional as F
from torch import Tensor

from ...core.tables import Table
from ...model.builder import ModelOutput
from ..settings.recipes import Recipe
from .train import compute_loss


def chance_loss(num_classes: int) -> float:
    """The cross-entropy of a model that gives every class the same probability: ``ln C``."""
    if num_classes < 2:
        raise ValueError(f"a classifier needs at least 2 classes, got {num_classes}")
    return math.log(num_classes)


def smoothed_floor(num_classes: int, smoothing: float) -> float:
    """The lowest cross-entropy a model can reach against labels smoothed by ``smoothing``: the
    entropy of the target, which keeps ``1 - smoothing + smoothing / C`` on the true class and
    ``smoothing / C`` on each other class (0 without smoothing)."""
    if not 0 <= smoothing < 1:
        raise ValueError(f"label smoothing must be in [0, 1), got {smoothing}")
    if smoothing == 0:
        return 0.0
    true, other = 1 - smoothing + smoothing / num_classes, smoothing / num_classes
    return -(true * math.log(true) + (num_classes - 1) * other * math.log(other))


def loss_terms(out: Tensor | ModelOutput, y: Tensor, recipe: Recipe, head_names: tuple[str, ...] = ()) -> Table:
    """One row per head: its cross-entropy on the batch, its weight in the loss and its weighted
    share; the last row is the loss the training loop minimises (:func:`compute_loss`), which the
    rows add up to. ``head_names`` names the auxiliary heads in the order the model returns them."""
    main, aux = (out.logits, out.aux) if isinstance(out, ModelOutput) else (out, ())
    names = head_names or tuple(f"aux{i + 1}" for i in range(len(aux)))
    if len(names) != len(aux):
        raise ValueError(f"{len(names)} head names for {len(aux)} auxiliary heads")
    terms = [("main", F.cross_entropy(main, y, label_smoothing=recipe.label_smoothing).item(), 1.0)]
    terms += [(name, F.cross_entropy(logits, y, label_smoothing=recipe.label_smoothing).item(), recipe.aux_weight)
              for name, logits in zip(names, aux)]
    total = compute_loss(out, y, recipe)[0].item()
    summed = sum(weight * loss for _, loss, weight in terms)
    if not math.isclose(total, summed, rel_tol=1e-5):
        raise AssertionError(f"the heads' weighted losses add up to {summed}, the training loop's loss is {total}")
    rows: list[dict[str, Any]] = [{"head": name, "cross-entropy": round(loss, 4), "weight": weight,
                                   "weighted": round(weight * loss, 4)} for name, loss, weight in terms]
    rows.append({"head": "the loss the loop minimises", "cross-entropy": None, "weight": None, "weighted": round(total, 4)})
    return Table(("head", "cross-entropy", "weight", "weighted"), rows,
                 title=f"The training loss, head by head (recipe {recipe.name}, {len(y)} images)")
