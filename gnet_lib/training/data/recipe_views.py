"""What a recipe does to its training images, epoch by epoch: the views its batch stream makes.

A recipe's augmentation is data (:class:`~gnet_lib.training.settings.recipes.Recipe`: ``flip``,
``crop_padding``, ``resize_stages``, ``mean`` and ``std``). :func:`training_views` runs the same
:class:`~gnet_lib.training.data.data.BatchStream` a training run builds from those fields and undoes the
normalisation, so that a figure shows what the model is given, not a picture of the idea.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ...core.errors import UsageError
from ..settings.recipes import Recipe
from .data import Augment, BatchStream


@dataclass(frozen=True)
class RecipeView:
    """Images as one epoch of a recipe hands them to the model, on the 0..1 scale for display."""

    images: Tensor  # float (N, C, side, side), 0..1
    flipped: list[bool]  # per image: mirrored left to right in this epoch
    side: int  # the side the images were trained at in this epoch


def one_per_class(labels: Tensor, num_classes: int) -> list[int]:
    """The index of the first image of each class: a mix of classes from a split, whatever its order
    (CIFAR's JPEG mirror is sorted by class, so its first images are all airplanes)."""
    missing = [c for c in range(num_classes) if not bool((labels == c).any())]
    if missing:
        raise UsageError(f"no image of class {missing[0]} among these {len(labels)} labels; give a split that holds every class")
    return [int((labels == c).nonzero()[0]) for c in range(num_classes)]


def stages(recipe: Recipe) -> list[tuple[int, int, int | None]]:
    """The recipe's run as ``(first epoch, last epoch, image side)`` stages, epochs counted from 1,
    side ``None`` for the images' own size."""
    out: list[tuple[int, int, int | None]] = []
    for epoch in range(recipe.epochs):
        side = recipe.image_side(epoch)
        if out and out[-1][2] == side:
            out[-1] = (out[-1][0], epoch + 1, side)
        else:
            out.append((epoch + 1, epoch + 1, side))
    return out


def _stream(images: Tensor, recipe: Recipe, augment: Augment, seed: int) -> BatchStream:
    return BatchStream(images, torch.zeros(len(images), dtype=torch.long), batch_size=len(images), mean=recipe.mean,
                       std=recipe.std, device=torch.device("cpu"), augment=augment, seed=seed)


def training_views(images: Tensor, recipe: Recipe, epoch: int, seed: int = 0) -> RecipeView:
    """``images`` (uint8, N x C x H x W) as the recipe's batch stream gives them in (0-based)
    ``epoch``: its random flips and shifts drawn with ``seed``, scaled to the epoch's resize stage,
    then mapped back from the recipe's normalisation to 0..1."""
    if not 0 <= epoch < recipe.epochs:
        raise UsageError(f"recipe {recipe.name} trains epochs 0 to {recipe.epochs - 1} (counted from 0), not {epoch}")
    side = recipe.image_side(epoch)
    augmented, _ = next(_stream(images, recipe, Augment(recipe.crop_padding, recipe.flip), seed).epoch(epoch, side))
    # the same shifts without the flips (the stream draws the shifts first, so they are the same draws)
    plain, _ = next(_stream(images, recipe, Augment(recipe.crop_padding, flip=False), seed).epoch(epoch, side))
    flipped = [bool(torch.allclose(a, p.flip(-1), atol=1e-5)) and not bool(torch.allclose(a, p, atol=1e-5))
               for a, p in zip(augmented, plain)]
    mean = torch.tensor(recipe.mean).view(1, -1, 1, 1)
    std = torch.tensor(recipe.std).view(1, -1, 1, 1)
    return RecipeView((augmented * std + mean).clamp(0, 1), flipped, augmented.shape[-1])


def stage_views(images: Tensor, recipes: dict[str, Recipe], seed: int = 0) -> dict[str, RecipeView]:
    """For each recipe and each of its resize stages, the views of the stage's first epoch, drawn
    by a stream of just these images with ``seed`` (so not the flips of any stored run), labelled
    with the recipe, that epoch, and the side and epochs of its stage, e.g.
    ``"fast, epoch 1\\n(16x16 for epochs 1-4)"``: the flips shown are that one epoch's."""
    views = {}
    for name, recipe in recipes.items():
        for first, last, _ in stages(recipe):
            view = training_views(images, recipe, first - 1, seed)
            epochs = f"epochs {first}-{last}" if last > first else f"epoch {first}"
            views[f"{name}, epoch {first}\n({view.side}x{view.side} for {epochs})"] = view
    return views
