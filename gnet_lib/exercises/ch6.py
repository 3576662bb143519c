"""Chapter 6's exercises (the CIFAR ablation)."""

from __future__ import annotations

import math
from typing import Any

from ..core.architectures import cifar_network, get_spec
from ..core.errors import UsageError
from ..core.fingerprint import final_features
from ..core.layers import layer_table
from ..core.published import SOURCE_000
from ..training.recipes import get_recipe
from .checks import AnswerTypeError, Exercise, integer, number


def _ex_6_1(answer: Any) -> tuple[bool, str]:
    a, b = SOURCE_000["cifar10"]["naive"].params, SOURCE_000["cifar100"]["naive"].params
    expected = final_features(a, 10, b, 100)
    return integer(answer, {
        expected + 1: "each class adds a weight per feature plus one bias: subtract the bias",
        (b - a) // 100: "the two counts differ by 90 classes, not 100",
    }, expected, "the width of the last layer's input")


def _ex_6_2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        raise AnswerTypeError('expected a layout string such as "3a 3b | 4a 4b 4c 4d 4e | 5a 5b"')
    try:
        params = layer_table(cifar_network("yours", answer)).total_params
    except UsageError as exc:
        return False, f"that layout cannot be built: {exc}"
    target = SOURCE_000["cifar10"]["short"].params
    if params == target:
        return True, "an exact match, parameter for parameter."
    return False, f"your layout has {params:,} parameters against the published {target:,} ({params - target:+,})"


def _ex_6_3(answer: Any) -> tuple[bool, str]:
    spec = get_spec("naive")
    modules = spec.inceptions
    stem = modules[0].in_channels
    expected = layer_table("naive").where(name="linear")[0]["weights"] // spec.num_classes
    last = modules[-1]
    assert last.in_channels, "the naive spec states 5b's input width"
    own = last.n1x1 + last.n3x3 + last.n5x5
    return integer(answer, {
        1024: "1024 is what 5b gives when its pool branch has a projection; the naive module has none",
        own: "those are 5b's three convolution branches only; its pool branch passes 5b's whole input on too",
        last.in_channels: "that is 5b's input; its own three convolution branches add to it",
        expected - stem: "close: you left out the stem's channels, which every pool branch has passed on since 3a",
    }, expected, "the width the naive model's linear layer reads")


def _ex_6_4(answer: Any) -> tuple[bool, str]:
    value = number(answer, "fraction")
    seed = get_recipe("seed")

    def steps(images: int, epochs: int) -> int:
        return seed.steps_per_epoch(images) * epochs

    expected = steps(5000, 4) / steps(50_000, seed.epochs)
    if math.isclose(value, expected, rel_tol=1e-4):
        return True, "the CPU-scale runs make under 3% of a full run's updates."
    if math.isclose(value, (5000 * 4) / (50_000 * seed.epochs), rel_tol=1e-4):
        return False, "close: count steps, not images; the seed recipe keeps the last, smaller batch (drop_last is off)"
    if math.isclose(value, 4 / seed.epochs, rel_tol=1e-3):
        return False, "that is the share of epochs only; the subset is also a tenth of the training set"
    if math.isclose(value, 5000 / 50_000, rel_tol=1e-3):
        return False, "that is the share of images only; the CPU runs also stop after 4 of the 14 epochs"
    return False, "count the optimisation steps of each protocol: batches per epoch times epochs"


EXERCISES: dict[str, Exercise] = {
    "6.1": Exercise("The last layer's width from two counts", _ex_6_1),
    "6.2": Exercise("The layout behind a parameter count", _ex_6_2),
    "6.3": Exercise("Why the naive model's last layer is so wide", _ex_6_3),
    "6.4": Exercise("How much of a full run the CPU-scale protocol is", _ex_6_4),
}
