"""How a trained model's test error depends on how it is tested.

Source 000 tests with its training transform, so every test image is flipped left-right with
probability 1/2; this book's engine tests every image as it is. Two more ways are common: the
mirror image alone, and the average of the model's answers for an image and its mirror (flip
averaging, the cheapest test-time augmentation). Batch norm adds one more question: its running
statistics are an exponential average collected during training, while the weights kept
changing; recomputing them from the training images with the final weights (recalibration)
shows how much that lag costs. Last, the arithmetic: the GPU campaign may test in bf16
(``-evalbf16``), which rounds the activations and can flip an image whose two best classes are
nearly tied; ``plain in bf16`` measures how many.

:func:`evaluate_variants` gives each variant's top-1 error and every test image's prediction,
so each can be compared with plain testing on the same images (McNemar, paired bootstrap);
:func:`add_variants` measures variants a stored evaluation lacks and adds them to it.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import torch
from torch import Tensor, nn

from ...core.errors import UsageError
from ...model.builder import GoogLeNet
from ..data.data import ImageData
from ..engine.evaluation import eval_logits
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
    "plain in bf16": "plain, the network up to its last feature map in bf16 autocast (the GPU campaign's -evalbf16)",
}


@dataclass(frozen=True)
class VariantResult:
    """One way of testing: its top-1 error and the predicted class of every test image."""

    name: str
    top1_err: float
    predictions: list[int]


@torch.no_grad()
def _probabilities(model: nn.Module, images: Tensor, recipe: Recipe, batch_size: int,
                   flip: Callable[[Tensor, int], Tensor], precision: str = "fp32") -> Tensor:
    if precision != "fp32" and not isinstance(model, GoogLeNet):
        raise UsageError(f"testing in {precision} runs the engine's evaluation, which needs a GoogLeNet from "
                         f"gnet_lib's builder, not a {type(model).__name__}")
    model.eval()
    out = []
    for start in range(0, len(images), batch_size):
        x = normalise(flip(images[start:start + batch_size], start), recipe)
        logits = model(x) if precision == "fp32" else eval_logits(cast(GoogLeNet, model), model, x, precision)
        out.append(logits.softmax(dim=1))
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
                      recipe: Recipe, seed: int = 0, batch_size: int = 500,
                      names: Sequence[str] | None = None) -> dict[str, VariantResult]:
    """Each of :data:`VARIANTS` (or just ``names``) on the same test images: top-1 error and every
    prediction.

    ``train_images`` are the images the model was trained on (for the recalibration); ``seed``
    draws the random flip."""
    chosen = list(VARIANTS) if names is None else list(names)
    unknown = [name for name in chosen if name not in VARIANTS]
    if unknown:
        raise UsageError(f"unknown test variant {', '.join(map(repr, unknown))}; choose from: {', '.join(VARIANTS)}")
    mask = random_flip_mask(len(test_images), seed)

    def mirrored(batch: Tensor, start: int) -> Tensor:
        return batch.flip(-1)

    def randomly(batch: Tensor, start: int) -> Tensor:
        m = mask[start:start + len(batch)].view(-1, 1, 1, 1)
        return torch.where(m, batch.flip(-1), batch)

    def unchanged(batch: Tensor, start: int) -> Tensor:
        return batch

    def tested(flip: Callable[[Tensor, int], Tensor], net: nn.Module = model, precision: str = "fp32") -> Callable[[], Tensor]:
        return lambda: _probabilities(net, test_images, recipe, batch_size, flip, precision)

    made: dict[str, Tensor] = {}

    def probabilities(name: str) -> Tensor:
        if name not in made:
            made[name] = ways[name]()
        return made[name]

    ways: dict[str, Callable[[], Tensor]] = {
        "plain": tested(unchanged),
        "random flip": tested(randomly),
        "all flipped": tested(mirrored),
        "flip average": lambda: (probabilities("plain") + probabilities("all flipped")) / 2,
        "recalibrated BN": lambda: tested(unchanged, recalibrate_batch_norm(model, train_images, recipe, batch_size))(),
        "plain in bf16": tested(unchanged, precision="bf16"),
    }
    results = {}
    for name in chosen:
        predicted = probabilities(name).argmax(dim=1)
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


def _prepared(weights: str | Path, data: ImageData) -> tuple[nn.Module, dict[str, Any], ImageData, Recipe]:
    model, info = load_weights(weights)
    identity = info["identity"]
    if identity["dataset"] != data.key:
        raise UsageError(f"{weights} was trained on {identity['dataset']} but the data given is {data.key}; "
                         "point --data-dir at the data it was trained on")
    return model, identity, trained_images(identity, data), get_recipe(identity["recipe"]["name"])


def _encoded(variants: dict[str, VariantResult], num_classes: int) -> dict[str, dict[str, Any]]:
    return {name: {"what": VARIANTS[name], "top1_err": v.top1_err, "predictions": encode_labels(v.predictions, num_classes)}
            for name, v in variants.items()}


def evaluate_stored_weights(weights: str | Path, data: ImageData, seed: int = 0,
                            names: Sequence[str] | None = None) -> dict[str, Any]:
    """:func:`evaluate_variants` for a weights file on the whole test split of ``data``, as a
    result to store: the weights' training identity, the data, every variant's error and
    predictions, the labels, and where and when it ran. The recalibration uses the training
    images the weights were trained on (the same class-balanced subset, drawn again)."""
    model, identity, trained_on, recipe = _prepared(weights, data)
    start, started = time.perf_counter(), now()
    variants = evaluate_variants(model, data.test_x, data.test_y, trained_on.train_x, recipe, seed=seed, names=names)
    return {
        "weights": Path(weights).name,
        "trained": identity,
        "data": {"name": data.display_name, "key": data.key, "fingerprint": data.fingerprint,
                 "test_images": len(data.test_y), "recalibration_images": len(trained_on.train_y)},
        "flip_seed": seed,
        "precision": "fp32",
        "variants": _encoded(variants, data.num_classes),
        "labels": encode_labels(data.test_y.tolist(), data.num_classes),
        "num_classes": data.num_classes,
        "environment": environment(torch.device("cpu")),
        "started": started,
        "wall_time_s": round(time.perf_counter() - start, 1),
    }


def add_variants(stored: dict[str, Any], weights: str | Path, data: ImageData, names: Sequence[str]) -> dict[str, Any]:
    """A copy of the stored evaluation ``stored`` with the variants ``names`` measured on the same
    weights, data and flip seed and added, and a record of the addition (which, where, when) in
    ``additions``. Refuses other weights or data, and a variant already stored."""
    if Path(weights).name != stored["weights"]:
        raise UsageError(f"this evaluation tested {stored['weights']}, not {Path(weights).name}; give the same weights")
    if data.fingerprint != stored["data"]["fingerprint"]:
        raise UsageError(f"this evaluation used data {stored['data']['fingerprint']}, the data given is "
                         f"{data.fingerprint}; point --data-dir at the same copy")
    present = [name for name in names if name in stored["variants"]]
    if present:
        raise UsageError(f"{', '.join(present)} already stored; add only variants the evaluation lacks")
    model, _, trained_on, recipe = _prepared(weights, data)
    start, started = time.perf_counter(), now()
    variants = evaluate_variants(model, data.test_x, data.test_y, trained_on.train_x, recipe,
                                 seed=stored["flip_seed"], names=names)
    addition = {"variants": list(names), "environment": environment(torch.device("cpu")), "started": started,
                "wall_time_s": round(time.perf_counter() - start, 1)}
    return {**stored, "variants": {**stored["variants"], **_encoded(variants, data.num_classes)},
            "additions": [*stored.get("additions", []), addition]}
