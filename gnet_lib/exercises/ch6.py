"""Chapter 6's exercises (the CIFAR ablation)."""

from __future__ import annotations

from typing import Any

from ..architectures import cifar_network
from ..fingerprint import final_features
from ..models import layer_table
from ..published import SOURCE_000
from .checks import Exercise, integer


def _ex_6_1(answer: Any) -> tuple[bool, str]:
    a, b = SOURCE_000["cifar10"]["naive"].params, SOURCE_000["cifar100"]["naive"].params
    expected = final_features(a, 10, b, 100)
    return integer(answer, {
        expected + 1: "each class adds a weight per feature plus one bias: subtract the bias",
        (b - a) // 100: "the two counts differ by 90 classes, not 100",
    }, expected, "the width of the last layer's input")


def _ex_6_2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        raise TypeError('expected a layout string such as "3a 3b | 4a 4b 4c 4d 4e | 5a 5b"')
    try:
        params = layer_table(cifar_network("yours", answer)).total_params
    except (ValueError, KeyError) as exc:
        return False, f"that layout cannot be built: {exc}"
    target = SOURCE_000["cifar10"]["short"].params
    if params == target:
        return True, "an exact match, parameter for parameter."
    return False, f"your layout has {params:,} parameters against the published {target:,} ({params - target:+,})"


EXERCISES: dict[str, Exercise] = {
    "6.1": Exercise("The last layer's width from two counts", _ex_6_1),
    "6.2": Exercise("The layout behind a parameter count", _ex_6_2),
}
