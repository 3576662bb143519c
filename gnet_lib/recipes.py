"""Training recipes: everything about *how* a model is trained, as data.

``seed`` reproduces source 000: Adadelta at learning rate 1.0, the rate multiplied by 0.7
after every epoch, 14 epochs, batch 64, random horizontal flips, inputs normalised with mean
0.5 and std 0.5. One deliberate difference: the source also flipped its test images at random;
here evaluation never augments, so a result does not depend on a coin toss.

``fast`` aims at ``seed``'s final accuracy in at most half of ``seed``'s time: SGD with
Nesterov momentum and a one-cycle schedule (linear warm-up over the first fifth of the steps,
then linear decay to zero) at peak rate 0.2, weight decay, random flips, and 8 epochs instead of 14.

- Batch 128: on a CPU an image costs about the same at any batch size, so what counts is the
  number of updates, and 128 still gives 78 of them per epoch on a 10,000-image subset (512 gave
  19, and the earlier 10-epoch, batch-512 version of this recipe ended far above ``seed``'s
  error on that subset); on a GPU, 128 is twice ``seed``'s 64, at which the GPU waits on the
  host (``results/bench``), with 390 updates per epoch on the full training set.
- Epochs: as many as fit in 0.45 of ``seed``'s time at the speed measured on the CPU-scale
  comparison (short3, 10,000 images): an epoch of ``fast`` took about 0.05 of ``seed``'s 14.
- Chosen on a validation split carved from the training images (``gnet compare --validation``;
  the runs are stored under ``results/tuning/``), never on the test set: the peak rate (0.1
  against 0.2), and whether to add random 4-pixel shifts and label smoothing 0.1. In so short a
  run they only slowed learning: the lowest validation error came without them. A first try with
  6 epochs underfitted (training error as high as validation error).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import torch
from torch import nn

from .errors import UsageError


@dataclass(frozen=True)
class Recipe:
    name: str
    epochs: int
    batch_size: int
    optimizer: Literal["adadelta", "sgd"]
    lr: float
    schedule: Literal["step", "onecycle"]
    gamma: float = 0.7
    warmup_fraction: float = 0.0
    momentum: float = 0.0
    weight_decay: float = 0.0
    label_smoothing: float = 0.0
    flip: bool = True
    crop_padding: int = 0
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    drop_last: bool = False
    eval_batch_size: int = 1000
    aux_weight: float = 0.3
    grad_clip: float | None = None  # clip the gradients' total norm to this (after fp16's unscaling)
    # Progressive resizing: (epochs, side) stages at the start of a run, in which the images are
    # scaled down to side x side for training and evaluation; the later epochs use the data's size.
    resize_stages: tuple[tuple[int, int], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The recipe as stored in results; ``resize_stages`` only when set, so that recipes
        stored before it existed keep their identity."""
        fields = asdict(self)
        if not self.resize_stages:
            del fields["resize_stages"]
        return fields

    def image_side(self, epoch: int) -> int | None:
        """The image side of (0-based) ``epoch`` under ``resize_stages``; ``None``: the data's own."""
        end = 0
        for epochs, side in self.resize_stages:
            end += epochs
            if epoch < end:
                return side
        return None

    def check_resize(self, image_side: int | None = None) -> None:
        """A usage error unless the run ends at the images' own size and every stage shrinks
        images of ``image_side`` (not checked without it)."""
        staged = sum(epochs for epochs, _ in self.resize_stages)
        if self.resize_stages and staged >= self.epochs:
            raise UsageError(
                f"recipe {self.name} trains its first {staged} epochs on smaller images and {self.epochs} in all, "
                f"so it would never train at the images' own size; give more than {staged} epochs (--epochs)"
            )
        too_big = [side for _, side in self.resize_stages if image_side is not None and not 0 < side < image_side]
        if too_big:
            raise UsageError(f"recipe {self.name} resizes to side {too_big[0]}, which does not shrink "
                             f"{image_side}x{image_side} images; resize stages need sides from 1 to {image_side - 1}")

    def with_changes(self, epochs: int | None = None, batch_size: int | None = None, lr: float | None = None) -> "Recipe":
        """The same recipe with some fields overridden (``None`` keeps the recipe's own)."""
        changes = {k: v for k, v in (("epochs", epochs), ("batch_size", batch_size), ("lr", lr)) if v is not None}
        for key, value in changes.items():
            if value <= 0:
                raise UsageError(f"{key} must be positive, got {value}")
        return replace(self, **changes)


RECIPES: dict[str, Recipe] = {
    "seed": Recipe(name="seed", epochs=14, batch_size=64, optimizer="adadelta", lr=1.0, schedule="step", gamma=0.7, flip=True),
    "fast": Recipe(
        name="fast",
        epochs=11,
        batch_size=128,
        optimizer="sgd",
        lr=0.2,
        schedule="onecycle",
        warmup_fraction=0.2,
        momentum=0.9,
        weight_decay=5e-4,
        label_smoothing=0.0,
        flip=True,
        crop_padding=0,
        mean=(0.4914, 0.4822, 0.4465),
        std=(0.2470, 0.2435, 0.2616),
        drop_last=True,
        resize_stages=((4, 16), (4, 24)),
    ),
}


def get_recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise UsageError(f"unknown recipe {name!r}; choose one of: {', '.join(RECIPES)}")
    return RECIPES[name]


def make_optimizer(recipe: Recipe, model: nn.Module, graph_safe: bool = False) -> torch.optim.Optimizer:
    """The recipe's optimizer; weight decay skips biases and batch-norm parameters.

    ``graph_safe`` (CUDA only) keeps every state on the GPU, so that the update can be captured
    in a CUDA graph (:mod:`gnet_lib.graphs`): Adadelta with ``capturable=True``, SGD fused. The
    trainer then turns the learning rate into a GPU tensor that the scheduler updates in place.
    """
    if recipe.optimizer == "adadelta":
        extra = dict(capturable=True, foreach=True) if graph_safe else {}
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
