"""Chapter 5's exercises (training)."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

from ..core.layers import layer_table
from ..training.analysis.paper_training import ENSEMBLE_MODELS, ensemble_macs
from ..training.engine.loss_terms import smoothed_floor
from ..training.engine.lr_schedules import PAPER_LR_CUT, PAPER_LR_EVERY, epochs_until
from ..training.results.results import default_results_dir, load_folder
from ..training.settings.recipes import Recipe, get_recipe
from .checks import AnswerTypeError, Exercise, integer, number

CIFAR10_TRAIN = 50_000


#: Exercise 5.1's set-up: source 000's CIFAR googlenet with the paper's auxiliary heads, on
#: CIFAR-100, trained with the seed recipe plus label smoothing 0.1.
EX_5_1_CLASSES = 100
EX_5_1_SMOOTHING = 0.1


def _two_numbers(answer: Any, what: str) -> tuple[float, float]:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise AnswerTypeError(f"expected two numbers, ({what}), e.g. a tuple (7.5, 4.5)")
    first, second = answer
    return number(first, "number"), number(second, "number")


def _ex_5_1(answer: Any) -> tuple[bool, str]:
    train, test = _two_numbers(answer, "first training loss, first test loss")
    r = get_recipe("seed")
    per_head = math.log(EX_5_1_CLASSES)
    heads = 1 + 2 * r.aux_weight
    floor = smoothed_floor(EX_5_1_CLASSES, EX_5_1_SMOOTHING)

    def near(value: float, target: float) -> bool:
        return math.isclose(value, target, rel_tol=0.03)

    if near(train, heads * per_head) and near(test, per_head):
        return True, ""
    if near(train, heads * math.log10(EX_5_1_CLASSES)) or near(test, math.log10(EX_5_1_CLASSES)):
        return False, "cross-entropy uses the natural logarithm: a uniform guess costs ln C, not log10 C"
    if near(train, heads * math.log(10)) or near(test, math.log(10)):
        return False, f"this network has {EX_5_1_CLASSES} classes (CIFAR-100), not CIFAR-10's 10"
    if near(train, heads * (per_head + floor)) or near(test, per_head + floor):
        return False, ("label smoothing changes the target, but against a uniform guess every class costs ln C, whatever "
                       "the target's weights, so the loss at chance stays ln C")
    if near(test, heads * per_head):
        return False, "the test loss is the main head's alone: in evaluation mode the model returns only its main logits"
    if near(train, per_head):
        return False, f"the training loss adds each auxiliary head's cross-entropy, weighted {r.aux_weight:g}"
    if near(train, (1 + r.aux_weight) * per_head):
        return False, "the model has two auxiliary heads (after 4a and 4d), each weighted the same"
    if near(train, 3 * per_head):
        return False, f"the auxiliary heads' losses count {r.aux_weight:g} each, not 1"
    if near(test, per_head) or near(train, heads * per_head):
        return False, "one of the two is right; check the other against what the training loop and the evaluation compute"
    return False, "start from the loss of a uniform guess over the classes, then count which heads each loss adds up"


def _stored_comparison() -> dict[str, dict[str, Any]]:
    folders = sorted(p for p in (default_results_dir() / "recipes").glob("*/") if p.is_dir())
    if not folders:
        raise AnswerTypeError("no recipe comparison is stored in this installation's results, so 5.2 cannot be checked")
    return load_folder(folders[0])


def _epochs_above(results: dict[str, dict[str, Any]], key: str, level: float) -> dict[str, list[int]]:
    return {name: [h["epoch"] for h in r["history"] if h[key] > level] for name, r in results.items()}


def _ex_5_2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict):
        raise AnswerTypeError("expected a dict from recipe name to a list of epochs, e.g. {'seed': [...], 'fast': [...]}")
    results = _stored_comparison()
    try:
        given = {str(name): sorted(int(e) for e in epochs) for name, epochs in answer.items()}
    except (TypeError, ValueError):
        raise AnswerTypeError("each recipe's epochs must be a list of whole numbers, e.g. [1, 3]") from None
    if set(given) != set(results):
        return False, f"give an entry for each stored recipe ({', '.join(sorted(results))}), an empty list where none rose above chance"
    classes = next(iter(results.values()))["data"]["num_classes"]
    chance = math.log(classes)
    expected = _epochs_above(results, "test_loss", chance)
    if given == expected:
        return True, ""
    mistakes = [
        ({n: [e - 1 for e in es] for n, es in expected.items()}, "the history's epochs count from 1"),
        ({n: [] for n in expected}, "at least one stored epoch ended with a test loss above ln C; read every epoch's test_loss"),
        (_epochs_above(results, "train_loss", chance), "that is the training loss; the question is about the test loss"),
        (_epochs_above(results, "test_loss", math.log10(classes)), "chance level for cross-entropy is ln C, with the natural logarithm"),
        ({n: [h["epoch"] for h in r["history"] if h["test_top1_err"] > 1 - 1 / classes] for n, r in results.items()},
         "that compares the error with chance; the question compares the test loss with ln C"),
    ]
    for wrong, message in mistakes:  # a mistake that lands on the answer is not one
        if given == wrong and wrong != expected:
            return False, message
    return False, "compare each epoch's test_loss in the stored histories with the loss of a uniform guess, ln C"


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
        ensemble_macs(one, crops, models=1): "that is one model's cost; the submission averaged an ensemble of 7 models",
        ensemble_macs(one, 1): "every model sees every crop of the image, not one view",
        ensemble_macs(one, 4 * 3 * 5 * 2): "each square gives six views: four corners, the centre, and the whole square resized",
        ensemble_macs(one, 4 * 3 * 6): "the mirrored versions double the crops",
        ensemble_macs(one, crops, models=ENSEMBLE_MODELS - 1): (
            "count all 7 models: the wider one costs at least as much as inception-v1, so the bound includes it at that cost"),
        ensemble_macs(with_aux, crops): "the auxiliary classifiers are discarded at inference: use the table without them",
    }, ensemble_macs(one, crops), "the lower bound on the MACs per test image")


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


#: Exercises answered in words, with a worked model answer in the hidden solution (no checker).
OPEN_EXERCISES = ("5.7",)

EXERCISES: dict[str, Exercise] = {
    "5.1": Exercise("Predict the first loss, then measure it", _ex_5_1),
    "5.2": Exercise("A test loss worse than guessing", _ex_5_2),
    "5.3": Exercise("A recipe change", _ex_5_3),
    "5.4": Exercise("Halving the paper's learning rate", _ex_5_4),
    "5.5": Exercise("The cost of the winning entry", _ex_5_5),
    "5.6": Exercise("The warm-up under drop_last", _ex_5_6),
}
