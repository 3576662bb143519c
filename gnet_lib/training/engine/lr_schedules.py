"""Learning rates as numbers: a recipe's rate step by step, what the rate means for each
optimizer, and the paper's schedule (the rate cut by 4% every 8 epochs) beside ``seed``'s.

A step-decay schedule multiplies the rate by ``1 - cut`` after every ``every`` epochs, so
after ``e`` finished epochs it is ``(1 - cut) ** (e // every)`` times the initial rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from ...core.tables import Table
from ..settings.recipes import Recipe
from .optimizers import make_optimizer, make_scheduler

#: The paper's schedule: the learning rate decreased by 4% every 8 epochs.
PAPER_LR_CUT = 0.04
PAPER_LR_EVERY = 8

#: What the ``lr`` of each optimizer is, as an axis label.
LR_MEANING = {
    "sgd": "SGD's lr: the step size\n(update = lr x gradient, summed with momentum)",
    "adadelta": "Adadelta's lr: a scale on its own step\n(no unit; 1.0 is Zeiler's update)",
}


@dataclass(frozen=True)
class LrTrace:
    """A recipe's learning rate at every optimisation step of a run."""

    recipe: str
    optimizer: str
    epochs: list[float]  # the step's position in epochs (0 = first step of epoch 1)
    lrs: list[float]


def lr_trace(recipe: Recipe, train_size: int) -> LrTrace:
    """Step the recipe's scheduler through a whole run and record the rate before each step."""
    per_epoch = recipe.steps_per_epoch(train_size)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=recipe.lr)
    scheduler = make_scheduler(recipe, optimizer, per_epoch)
    lrs = []
    for _ in range(recipe.epochs * per_epoch):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return LrTrace(recipe.name, recipe.optimizer, [i / per_epoch for i in range(len(lrs))], lrs)


def update_sizes(recipe: Recipe, gradient: float, steps: int = 3) -> list[float]:
    """How far one parameter moves in each of ``steps`` updates of the recipe's optimizer (at the
    recipe's ``lr``, no schedule) when its gradient is ``gradient`` every time."""
    holder, w = nn.Module(), nn.Parameter(torch.zeros(1, dtype=torch.float64))
    holder.register_parameter("w", w)
    optimizer = make_optimizer(recipe, holder)
    sizes = []
    for _ in range(steps):
        before = w.detach().clone()
        w.grad = torch.full_like(w, gradient)
        optimizer.step()
        sizes.append(abs((w.detach() - before).item()))
    return sizes


def update_size_table(recipes: dict[str, Recipe], gradients: Sequence[float], steps: int = 3) -> Table:
    """:func:`update_sizes` for each recipe and gradient, one row per gradient."""
    rows = []
    for gradient in gradients:
        row: dict[str, float] = {"gradient": gradient}
        for name, recipe in recipes.items():
            row.update({f"{name}: step {i + 1}": size for i, size in enumerate(update_sizes(recipe, gradient, steps))})
        rows.append(row)
    return Table(tuple(rows[0]), rows, title="How far one weight moves per update, its gradient constant (each recipe's lr, no schedule)")


def step_decay(epochs_done: int, cut: float, every: int) -> float:
    """The rate, as a fraction of the initial one, after ``epochs_done`` finished epochs."""
    return (1 - cut) ** (epochs_done // every)


def paper_lr_factor(epochs_done: int) -> float:
    """The paper's rate after ``epochs_done`` epochs, as a fraction of its initial rate."""
    return step_decay(epochs_done, PAPER_LR_CUT, PAPER_LR_EVERY)


def epochs_until(fraction: float, cut: float, every: int) -> int:
    """The fewest whole epochs after which the rate is at most ``fraction`` of the initial one."""
    if not 0 < fraction < 1 or not 0 < cut < 1:
        raise ValueError(f"fraction and cut must lie strictly between 0 and 1, got {fraction} and {cut}")
    cuts, factor = 0, 1.0
    while factor > fraction:
        factor *= 1 - cut
        cuts += 1
    return cuts * every


def decay_curve(cut: float, every: int, epochs: int) -> tuple[list[int], list[float]]:
    """``step_decay`` after 0, 1, ..., ``epochs`` finished epochs (for a step plot)."""
    done = list(range(epochs + 1))
    return done, [step_decay(e, cut, every) for e in done]
