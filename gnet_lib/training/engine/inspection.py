"""Looking inside a trained model: its predictions, its mistakes, and what each branch of an
Inception module responds to."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ...core.errors import UsageError
from ...core.specs import BRANCH_NAMES, inception_key
from ...model.builder import GoogLeNet, InceptionBlock
from ..data.data import Normalise
from ..settings.recipes import Recipe


def normalise(images: Tensor, recipe: Recipe) -> Tensor:
    """uint8 images ``(B, 3, H, W)`` as the model saw them in training (no augmentation)."""
    return Normalise(recipe.mean, recipe.std, images.device)(images)


@dataclass(frozen=True)
class Predictions:
    """The model's answer for every test image: the label it gives and how sure it is."""

    labels: Tensor  # the true classes
    predicted: Tensor
    confidence: Tensor  # softmax probability of the predicted class

    @property
    def error(self) -> float:
        return (self.predicted != self.labels).float().mean().item()


@torch.no_grad()
@torch.no_grad()
def predict(model: GoogLeNet, images: Tensor, labels: Tensor, recipe: Recipe, batch_size: int = 500) -> Predictions:
    """Run ``model`` (eval mode, no autograd graph kept) over uint8 ``images`` in batches."""
    model.eval()
    probs = torch.cat([model(normalise(images[i : i + batch_size], recipe)).softmax(dim=1)
                       for i in range(0, len(images), batch_size)])
    confidence, predicted = probs.max(dim=1)
    return Predictions(labels, predicted, confidence)


def confusion_matrix(p: Predictions, num_classes: int) -> Tensor:
    """``m[i, j]``: how many test images of class ``i`` the model called ``j``."""
    return torch.bincount(p.labels * num_classes + p.predicted, minlength=num_classes**2).view(num_classes, num_classes)


def confident_mistakes(p: Predictions, k: int) -> Tensor:
    """Indices of the ``k`` wrong answers the model was surest of, surest first."""
    wrong = torch.nonzero(p.predicted != p.labels).flatten()
    return wrong[p.confidence[wrong].argsort(descending=True)[:k]]


@torch.no_grad()
def branch_maps(model: GoogLeNet, block: str, images: Tensor, recipe: Recipe) -> dict[str, Tensor]:
    """For each branch of Inception ``block`` (e.g. ``"3a"``): its output for ``images``,
    reduced to one map per image, the mean over the branch's channels: ``(B, H, W)``."""
    key = inception_key(block)
    module = model.blocks[key] if key in model.blocks else None  # noqa: SIM401 (an nn.ModuleDict has no get)
    if not isinstance(module, InceptionBlock):
        modules = [m.name for m in model.spec.inceptions]
        raise UsageError(f"block {block!r} is not an Inception module of this model; it has {', '.join(modules)}")
    maps: dict[str, Tensor] = {}
    hooks = [getattr(module, name).register_forward_hook(_keep(maps, name)) for name in BRANCH_NAMES]
    try:
        model.eval()
        model(normalise(images, recipe))
    finally:
        for hook in hooks:
            hook.remove()
    return maps


def _keep(maps: dict[str, Tensor], name: str):
    def hook(_: nn.Module, __: tuple, output: Tensor) -> None:
        maps[name] = output.float().mean(dim=1)

    return hook
