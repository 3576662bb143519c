"""Chapter 5's exercises (training)."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

from ..core.layers import layer_table
from ..training.lr_schedules import PAPER_LR_CUT, PAPER_LR_EVERY, epochs_until
from ..training.paper_training import ENSEMBLE_MODELS
from ..training.recipes import Recipe, get_recipe
from .checks import AnswerTypeError, Exercise, integer, number

CIFAR10_TRAIN = 50_000


def _ex_5_1(answer: Any) -> tuple[bool, str]:
    r = get_recipe("seed")
    expected = r.lr * r.gamma**4
    value = number(answer, "number")
    if math.isclose(value, expected, rel_tol=1e-6):
        return True, ""
    if math.isclose(value, r.lr * r.gamma**5, rel_tol=1e-6):
        return False, "one decay too many: epoch 1 trains at the initial rate"
    if math.isclose(value, r.lr * (1 - 0.3 * 4), rel_tol=1e-6):
        return False, "the rate is multiplied by 0.7 after each epoch, not reduced by 0.3 each time"
    return False, "the rate starts at 1.0 and is multiplied by gamma after every finished epoch"


def _ex_5_2(answer: Any) -> tuple[bool, str]:
    fast, seed = get_recipe("fast"), get_recipe("seed")
    return integer(answer, {
        -(-CIFAR10_TRAIN // fast.batch_size): "drop_last discards the final, incomplete batch",
        CIFAR10_TRAIN // seed.batch_size: f"the fast recipe's batch is {fast.batch_size}, not {seed.batch_size}",
    }, CIFAR10_TRAIN // fast.batch_size, "the number of steps per epoch")


def _ex_5_3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, Recipe):
        raise AnswerTypeError("expected a Recipe (hint: dataclasses.replace(get_recipe('seed'), ...))")
    seed = get_recipe("seed")
    problems = []
    if answer.flip:
        problems.append("flips are still on")
    if answer.batch_size != 128:
        problems.append(f"the batch size is {answer.batch_size}, not 128")
    changed = [f.name for f in fields(Recipe) if f.name not in ("flip", "batch_size", "name") and getattr(answer, f.name) != getattr(seed, f.name)]
    if changed:
        problems.append(f"you also changed {', '.join(changed)}; keep everything else as in the seed recipe")
    return (not problems), "; ".join(problems)


def _ex_5_4(answer: Any) -> tuple[bool, str]:
    value = number(answer, "number of epochs")
    if not float(value).is_integer():
        return False, "the rate changes only after every 8th epoch: count whole cuts (rounded up), then epochs"
    expected = epochs_until(0.5, PAPER_LR_CUT, PAPER_LR_EVERY)
    cuts = expected // PAPER_LR_EVERY
    estimate = math.log(2) / PAPER_LR_CUT * PAPER_LR_EVERY
    return integer(value, {
        round(0.5 / PAPER_LR_CUT * PAPER_LR_EVERY): "the cuts compound: each takes 4% off the current rate, not off the initial one",
        cuts: "that is the number of cuts; each cut comes after 8 epochs",
        expected - PAPER_LR_EVERY: "one cut short: after that many epochs the rate is still above half",
        expected + PAPER_LR_EVERY: "one cut too many: the rate was already at most half one cut earlier",
        math.floor(estimate): "8 x ln 2 / 4% is only an approximation; count whole cuts of 0.96",
        math.ceil(estimate): "8 x ln 2 / 4% is only an approximation; count whole cuts of 0.96",
        2 * expected: "far too many: check the factor 0.96 ** (epochs // 8) at your answer",
    }, expected, "the number of epochs")


def _one_crop_macs() -> int:
    return layer_table("inception-v1", aux_logits=False).main_path_macs


def _ex_5_5(answer: Any) -> tuple[bool, str]:
    one = _one_crop_macs()
    crops = 4 * 3 * 6 * 2
    with_aux = layer_table("inception-v1", aux_logits=True).total_macs
    return integer(answer, {
        one * crops: "that is one model's cost; the submission averaged an ensemble of 7 models",
        one * ENSEMBLE_MODELS: "every model sees every crop of the image, not one view",
        one * ENSEMBLE_MODELS * 4 * 3 * 5 * 2: "each square gives six views: four corners, the centre, and the whole square resized",
        one * ENSEMBLE_MODELS * 4 * 3 * 6: "the mirrored versions double the crops",
        with_aux * ENSEMBLE_MODELS * crops: "the auxiliary classifiers are discarded at inference: use the table without them",
    }, one * ENSEMBLE_MODELS * crops, "the MACs per test image")


def _ex_5_6(answer: Any) -> tuple[bool, str]:
    r = get_recipe("fast")
    whole, partial = CIFAR10_TRAIN // r.batch_size, -(-CIFAR10_TRAIN // r.batch_size)
    expected = int(r.warmup_fraction * r.epochs * whole)
    rounding = "round down at both stages: whole batches per epoch, and the scheduler's int() of the warm-up"
    mistakes = [
        (int(r.warmup_fraction * r.epochs * partial), "drop_last discards the final, incomplete batch of every epoch"),
        (int(r.warmup_fraction * r.epochs * CIFAR10_TRAIN / r.batch_size), rounding),
        (math.ceil(round(r.warmup_fraction * r.epochs * whole, 9)), rounding),
        (int(r.warmup_fraction * whole), "the warm-up is a fraction of the whole run (all epochs), not of one epoch"),
        (r.epochs * whole, "that is the run's total number of steps; the warm-up is a fraction of it"),
        (2 * expected, "that is not the number of warm-up steps; recount the steps per epoch under drop_last"),
    ]
    diagnoses: dict[int, str] = {}
    for value, message in mistakes:  # a mistake that lands on the answer, or on an earlier mistake, is not one
        if value != expected:
            diagnoses.setdefault(value, message)
    return integer(answer, diagnoses, expected, "the number of warm-up steps")


EXERCISES: dict[str, Exercise] = {
    "5.1": Exercise("The seed recipe's learning rate", _ex_5_1),
    "5.2": Exercise("Steps per epoch", _ex_5_2),
    "5.3": Exercise("A recipe change", _ex_5_3),
    "5.4": Exercise("Halving the paper's learning rate", _ex_5_4),
    "5.5": Exercise("The cost of the winning entry", _ex_5_5),
    "5.6": Exercise("The warm-up under drop_last", _ex_5_6),
}
