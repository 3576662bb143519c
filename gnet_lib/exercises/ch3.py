"""Chapter 3's exercises (counting cost)."""

from __future__ import annotations

import math
from typing import Any

from ..core.bottleneck import branch_costs, conv_cost
from ..core.factorisation import FIVE_AS_TWO_THREES, THREE_AS_ASYMMETRIC
from ..core.layers import layer_table
from ..core.stem import C_IN, KERNEL, OUT_SIZE, separable_stem, slim_multiplier
from ..core.table1 import PAPER_TOTAL_OPS
from .checks import Exercise, integer, number

#: Exercise 3.5: the widths around the middle layer of two 3x3 convolutions replacing a 5x5.
FACTOR_IN, FACTOR_OUT = 160, 96
#: Exercise 3.6: the input, output width and MAC budget of the module to design.
DESIGN_INPUT, DESIGN_OUTPUT, DESIGN_BUDGET = (192, 28, 28), 256, 100_000_000
DESIGN_COLUMNS = ("#1x1", "#3x3 reduce", "#3x3", "#5x5 reduce", "#5x5", "pool proj")


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


def _ex_3_4(answer: Any) -> tuple[bool, str]:
    table = layer_table("inception-v1", aux_logits=False)
    dense = table.where(name="conv1")[0]["MACs"]
    stem = separable_stem()
    depthwise = OUT_SIZE * OUT_SIZE * KERNEL * KERNEL * C_IN * slim_multiplier()
    rest = table.total_macs - dense
    aux = layer_table("inception-v1").total_macs - table.total_macs
    ok, message = integer(answer, {
        table.total_macs: "that is the total with the dense 7x7 stem; swap conv1's MACs for the separable stem's",
        table.total_macs + stem.macs: "you added the separable stem but kept the dense 7x7 as well",
        rest: "you removed the dense stem but did not add the separable one",
        rest + depthwise: "you counted the depthwise 7x7 but not the 1x1 (pointwise) convolution after it",
        rest + stem.macs - depthwise: "you counted the 1x1 pointwise convolution but not the depthwise 7x7 before it",
        rest + 4 * stem.macs: "the stride-2 stem has a 112x112 output: count those positions, not the 224x224 input's",
        rest + 34_000_000: "use the exact MACs of the separable stem, not Table 1's rounded figure",
        rest + stem.weights: "you added the stem's weights; MACs multiply them by the output positions",
        rest + stem.macs + aux: "that includes the auxiliary heads, which run only during training",
    }, rest + stem.macs, "the network's MACs")
    if not ok:
        return ok, message
    return True, (f"that is {(rest + stem.macs) / PAPER_TOTAL_OPS:.3f} times the paper's 'about 1.5 billion' "
                  f"multiply-adds (with the dense stem: {table.total_macs / PAPER_TOTAL_OPS:.3f} times)")


def _ex_3_5(answer: Any) -> tuple[bool, str]:
    a, b = FACTOR_IN, FACTOR_OUT
    expected = FIVE_AS_TWO_THREES.widest_saving_middle(a, b)
    value = number(answer)
    if isinstance(value, float) and not value.is_integer():
        return False, "a layer has a whole number of channels: round the bound in the direction that still saves"
    value = int(value)
    diagnoses = {
        a: "that is the rule this chapter disproves: the middle layer may be wider than the input and still save",
        b: "'no wider than the output' is not the condition either: compare 9m(a+b) with 25ab",
        expected + 1: "at that width the pair costs at least as much as the 5x5: the inequality is strict, round down",
        THREE_AS_ASYMMETRIC.widest_saving_middle(a, b): "that is the bound for 1x3 then 3x1 replacing a 3x3, not for two 3x3 replacing a 5x5",
        (25 * a * b - 1) // (9 * a): "you counted only the first 3x3; the second (middle to output) holds weights too",
        (25 * a * b - 1) // (9 * b): "you counted only the second 3x3; the first (input to middle) holds weights too",
        (25 * a * a - 1) // (18 * a): "that bound assumes the output is as wide as the input; here it is narrower",
    }
    if value == expected:
        return True, ""
    if value in diagnoses:
        return False, diagnoses[value]
    if value > expected:
        return False, "at that width the two 3x3 convolutions hold more weights than the 5x5"
    return False, "that width saves, but a wider middle layer still saves too: find the widest"


def _design_macs(widths: tuple[int, ...]) -> dict[str, int]:
    """The MACs of each convolution of a module with the six widths of Table 1's columns."""
    c, h, w = DESIGN_INPUT
    n1, r3, n3, r5, n5, proj = widths
    return {
        "1x1 branch": conv_cost(h, w, c, n1, 1).macs,
        "3x3 reduction": conv_cost(h, w, c, r3, 1).macs,
        "3x3 convolution": conv_cost(h, w, r3, n3, 3).macs,
        "5x5 reduction": conv_cost(h, w, c, r5, 1).macs,
        "5x5 convolution": conv_cost(h, w, r5, n5, 5).macs,
        "pool projection": conv_cost(h, w, c, proj, 1).macs,
    }


def _design_shape_problem(widths: tuple[int, ...]) -> str:
    """What is wrong with the widths themselves, before any cost ('' if nothing)."""
    n1, r3, n3, r5, n5, proj = widths
    output = n1 + n3 + n5 + proj
    if max(r3, r5) >= DESIGN_INPUT[0]:
        return "a 1x1 reduction to as many channels as the input (or more) reduces nothing: make it narrower"
    if output != DESIGN_OUTPUT:
        if output + r3 + r5 == DESIGN_OUTPUT:
            return "the reductions stay inside their branches: only the four branch outputs are concatenated"
        return f"the four branch outputs concatenate to {output} channels; the module must give {DESIGN_OUTPUT}"
    if 2 * (n3 + n5) < output:
        return "the 3x3 and 5x5 branches together must give at least half of the output channels"
    return ""


def _ex_3_6(answer: Any) -> tuple[bool, str]:
    if not (isinstance(answer, (tuple, list)) and len(answer) == 6
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in answer)):
        return False, f"give six positive whole widths, in Table 1's column order: {', '.join(DESIGN_COLUMNS)}"
    widths = tuple(answer)
    problem = _design_shape_problem(widths)
    if problem:
        return False, problem
    parts = _design_macs(widths)
    total = sum(parts.values())
    if total <= DESIGN_BUDGET:
        return True, f"your module costs {total:,} MACs per image"
    if total - parts["3x3 reduction"] - parts["5x5 reduction"] <= DESIGN_BUDGET:
        return False, f"over budget ({total:,} MACs) once the 1x1 reductions are counted: they cost MACs too"
    if total - parts["pool projection"] <= DESIGN_BUDGET:
        return False, f"over budget ({total:,} MACs): the pool projection is a 1x1 convolution over all input channels"
    costliest = max(parts, key=lambda part: parts[part])
    return False, f"over budget: {total:,} MACs, the most expensive part being the {costliest} ({parts[costliest]:,})"


EXERCISES: dict[str, Exercise] = {
    "3.1": Exercise("MACs of a branch with its bottleneck", _ex_3_1),
    "3.2": Exercise("Weights of a branch without its bottleneck", _ex_3_2),
    "3.3": Exercise("What 1x3 + 3x1 saves", _ex_3_3),
    "3.4": Exercise("The whole network with a separable stem", _ex_3_4),
    "3.5": Exercise("The widest middle layer that still saves", _ex_3_5),
    "3.6": Exercise("An Inception module under a MAC budget", _ex_3_6),
}
