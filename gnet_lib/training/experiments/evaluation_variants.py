"""How a trained model's test error depends on how it is tested.

Source 000 tests with its training transform, so every test image is flipped left-right with
probability 1/2; this book's engine tests every image as it is. Two more ways are common: the
mirror image alone, and the average of the model's answers for an image and its mirror (flip
averaging, the cheapest test-time augmentation). Batch norm adds one more question: its running
statistics are an exponential average collected during training, while the weights kept
changing; recomputing them from the training images with the final weights (recalibration)
shows how much that lag costs.

:func:`evaluate_variants` gives each variant's top-1 error and every test image's prediction,
so each can be compared with plain testing on the same images (McNemar, paired bootstrap).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from ...core.errors import UsageError
from ..data.data import ImageData
from ..engine.inspection import normalise
from ..engine.train import run_data
from ..engine.weights import load_weights
from ..results.class_strings import encode_labels
from ..results.provenance import environment, now
from ..settings.config import TrainConfig
from ..settings.recipes import Recipe, get_recipe

#: The variants, in the order they are reported, with what each does to a test image.
VARIANTS: dict[str, str] = {
    "plain": "every test image as it is (this book's engine)",
    "random flip": "each test image flipped with probability 1/2 (source 000's test transform)",
    "all flipped": "every test image flipped left-right",
    "flip average": "the mean of the softmax outputs for the image and its mirror",
    "recalibrated BN": "plain, after recomputing every batch norm's statistics from the training images",
}


@dataclass(frozen=True)
class VariantResult:
    """One way of testing: its top-1 error and the predicted class of every test image."""

    name: str
    top1_err: float
    predictions: list[int]


@torch.no_grad()
def _probabilities(model: nn.Module, images: Tensor, recipe: Recipe, batch_size: int,
                   flip: Callable[[Tensor, int], Tensor]) -> Tensor:
    model.eval()
    out = []
    for start in range(0, len(images), batch_size):
        batch = flip(images[start:start + batch_size], start)
        out.append(model(normalise(batch, recipe)).softmax(dim=1))
    return torch.cat(out)


def random_flip_mask(n: int, seed: int) -> Tensor:
    """Which of ``n`` images a seeded random flip with probability 1/2 mirrors."""
    return torch.rand(n, generator=torch.Generator().manual_seed(seed)) < 0.5


@torch.no_grad()
def recalibrate_batch_norm(model: nn.Module, images: Tensor, recipe: Recipe, batch_size: int = 500) -> nn.Module:
    """A copy of ``model`` whose batch norms' running mean and variance are the plain average
    over ``images`` (the training images, as the model saw them without augmentation) of the
    batch statistics each batch gives with the final weights; the weights are unchanged."""
    fresh = copy.deepcopy(model)
    norms = [m for m in fresh.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for bn in norms:
        bn.reset_running_stats()
        bn.momentum = None  # a cumulative average over every batch
    fresh.train()
    for start in range(0, len(images), batch_size):
        fresh(normalise(images[start:start + batch_size], recipe))
    return fresh.eval()


def evaluate_variants(model: nn.Module, test_images: Tensor, test_labels: Tensor, train_images: Tensor,
                       recipe: Recipe, seed: int = 0, batch_size: int = 500) -> dict[str, VariantResult]:
    """Each of :data:`VARIANTS` on the same test images: top-1 error and every prediction.

    ``train_images`` are the images the model was trained on (for the recalibration); ``seed``
    draws the random flip."""
    mask = random_flip_mask(len(test_images), seed)

    def mirrored(batch: Tensor, start: int) -> Tensor:
        return batch.flip(-1)

    def randomly(batch: Tensor, start: int) -> Tensor:
        m = mask[start:start + len(batch)].view(-1, 1, 1, 1)
        return torch.where(m, batch.flip(-1), batch)

    def unchanged(batch: Tensor, start: int) -> Tensor:
        return batch

    plain = _probabilities(model, test_images, recipe, batch_size, unchanged)
    flipped = _probabilities(model, test_images, recipe, batch_size, mirrored)
    recalibrated = recalibrate_batch_norm(model, train_images, recipe, batch_size)
    probabilities = {
        "plain": plain,
        "random flip": _probabilities(model, test_images, recipe, batch_size, randomly),
        "all flipped": flipped,
        "flip average": (plain + flipped) / 2,
        "recalibrated BN": _probabilities(recalibrated, test_images, recipe, batch_size, unchanged),
    }
    results = {}
    for name in VARIANTS:
        predicted = probabilities[name].argmax(dim=1)
        error = (predicted != test_labels).float().mean().item()
        results[name] = VariantResult(name, round(error, 6), predicted.tolist())
    return results


def trained_images(identity: dict[str, Any], data: ImageData) -> ImageData:
    """The images a stored run trained on, drawn again from ``data`` by the rule the run used
    (:func:`gnet_lib.training.engine.train.run_data`): the class-balanced subset of its subset seed
    (which may be 0), less its held-out validation images."""
    validation = identity.get("validation")
    config = TrainConfig(model=identity["model"], seed=identity["seed"], subset_seed=identity.get("subset_seed"),
                         train_subset=identity["train_size"] + (validation or 0), validation=validation, final_test=True)
    return run_data(config, data)


def evaluate_stored_weights(weights: str | Path, data: ImageData, seed: int = 0) -> dict[str, Any]:
    """:func:`evaluate_variants` for a weights file on the whole test split of ``data``, as a
    result to store: the weights' training identity, the data, every variant's error and
    predictions, the labels, and where and when it ran. The recalibration uses the training
    images the weights were trained on (the same class-balanced subset, drawn again)."""
    model, info = load_weights(weights)
    identity = info["identity"]
    if identity["dataset"] != data.key:
        raise UsageError(f"{weights} was trained on {identity['dataset']} but the data given is {data.key}; "
                         "point --data-dir at the data it was trained on")
    trained_on = trained_images(identity, data)
    recipe = get_recipe(identity["recipe"]["name"])
    start, started = time.perf_counter(), now()
    variants = evaluate_variants(model, data.test_x, data.test_y, trained_on.train_x, recipe, seed=seed)
    return {
        "weights": Path(weights).name,
        "trained": identity,
        "data": {"name": data.display_name, "key": data.key, "fingerprint": data.fingerprint,
                 "test_images": len(data.test_y), "recalibration_images": len(trained_on.train_y)},
        "flip_seed": seed,
        "precision": "fp32",
        "variants": {name: {"what": VARIANTS[name], "top1_err": v.top1_err,
                            "predictions": encode_labels(v.predictions, data.num_classes)} for name, v in variants.items()},
        "labels": encode_labels(data.test_y.tolist(), data.num_classes),
        "num_classes": data.num_classes,
        "environment": environment(torch.device("cpu")),
        "started": started,
        "wall_time_s": round(time.perf_counter() - start, 1),
    }
