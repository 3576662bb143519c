"""A recipe's optimizer and learning-rate schedule as PyTorch objects.

:mod:`gnet_lib.training.settings.recipes` holds recipes as plain data (no PyTorch); this module turns one into the
``torch.optim`` optimizer and scheduler the trainer steps.
"""

from __future__ import annotations

import torch
from torch import nn

from ..settings.recipes import Recipe
from .flat_adadelta import FlatAdadelta


def make_optimizer(recipe: Recipe, model: nn.Module, graph_safe: bool = False, flat: bool = False) -> torch.optim.Optimizer:
    """The recipe's optimizer; weight decay skips biases and batch-norm parameters.

    ``graph_safe`` (CUDA only) keeps every state on the GPU, so that the update can be captured
    in a CUDA graph (:mod:`gnet_lib.training.engine.graphs`): Adadelta with ``capturable=True``, SGD fused. The
    trainer then turns the learning rate into a GPU tensor that the scheduler updates in place.
    ``flat``: Adadelta on one flat buffer (:class:`~gnet_lib.training.engine.flat_adadelta.FlatAdadelta`,
    the same update); the model's parameters become views into it.
    """
    if recipe.optimizer == "adadelta":
        extra = dict(capturable=True, foreach=True) if graph_safe else {}
        if flat:
            return FlatAdadelta(model.parameters(), lr=recipe.lr, **extra)
        return torch.optim.Adadelta(model.parameters(), lr=recipe.lr, **extra)
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": recipe.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    extra = dict(fused=True) if graph_safe else {}
    return torch.optim.SGD(groups, lr=recipe.lr, momentum=recipe.momentum, nesterov=recipe.momentum > 0, **extra)


def make_scheduler(recipe: Recipe, optimizer: torch.optim.Optimizer, steps_per_epoch: int) -> torch.optim.lr_scheduler.LRScheduler:
    """Stepped once per optimisation step. ``step``: the rate times ``gamma`` after every
    epoch (source 000's StepLR(step_size=1)); ``onecycle``: linear up to ``lr`` over the
    warm-up, then linear down to zero at the last step."""
    if recipe.schedule == "step":
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: recipe.gamma ** (step // steps_per_epoch))
    total = recipe.epochs * steps_per_epoch
    warmup = max(1, int(recipe.warmup_fraction * total))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
