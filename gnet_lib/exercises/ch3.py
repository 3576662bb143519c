"""Chapter 3's exercises (counting cost)."""

from __future__ import annotations

import math
from typing import Any

from ..bottleneck import branch_costs, conv_cost
from .checks import Exercise, integer, number


def _ex_3_1(answer: Any) -> tuple[bool, str]:
    direct, reduced = branch_costs(28, 28, 192, 128, 3, 96)
    reduce_only = conv_cost(28, 28, 192, 96, 1).macs
    return integer(answer, {
        direct.macs: "that is the branch without its 1x1 reduction (192 channels into the 3x3)",
        reduced.macs - reduce_only: "you counted the 3x3 but not the 1x1 reduction in front of it",
        reduce_only: "you counted only the 1x1 reduction",
        reduced.weights: "those are the weights; MACs multiply each weight by the 28x28 output positions",
    }, reduced.macs, "the branch's MACs")


def _ex_3_2(answer: Any) -> tuple[bool, str]:
    expected = conv_cost(14, 14, 528, 128, 5).weights
    return integer(answer, {
        expected + 128: "count the weights only (no bias), as Table 1 does",
        conv_cost(14, 14, 32, 128, 5).weights: "that uses the 32-channel reduction; the exercise removes it",
        528 * 128: "a 5x5 kernel has 25 weights per input-output channel pair",
        conv_cost(14, 14, 528, 128, 5).macs: "those are MACs; weights do not depend on the 14x14 map",
    }, expected, "the weight count")


def _ex_3_3(answer: Any) -> tuple[bool, str]:
    value = number(answer, "fraction")
    expected = 1 - 6 / 9
    if math.isclose(value, expected, abs_tol=0.005):
        return True, ""
    if math.isclose(value, 100 * expected, abs_tol=0.5):
        return False, "give the saving as a fraction between 0 and 1, not as a percentage"
    if math.isclose(value, 6 / 9, abs_tol=0.005):
        return False, "that is the fraction that remains, not the fraction saved"
    if math.isclose(value, 1 - 18 / 25, abs_tol=0.005):
        return False, "that is the saving of two 3x3 convolutions against a 5x5"
    return False, "compare the weights of 1x3 + 3x1 with those of 3x3 when all widths are equal"


EXERCISES: dict[str, Exercise] = {
    "3.1": Exercise("MACs of a branch with its bottleneck", _ex_3_1),
    "3.2": Exercise("Weights of a branch without its bottleneck", _ex_3_2),
    "3.3": Exercise("What 1x3 + 3x1 saves", _ex_3_3),
}
