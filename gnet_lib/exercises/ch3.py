"""Chapter 3's exercises (counting cost)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from ..core.architectures import get_spec, naive_network
from ..core.bottleneck import bottleneck_table, conv_cost
from ..core.factorisation import FIVE_AS_TWO_THREES, THREE_AS_ASYMMETRIC
from ..core.layers import layer_table
from ..core.normalisation import GOOGLENET_LRN, lrn_cost
from ..core.specs import Inception
from ..core.stem import C_IN, KERNEL, OUT_SIZE, separable_stem, slim_multiplier
from ..core.table1 import PAPER_TOTAL_OPS
from .checks import AnswerTypeError, Exercise, integer, number, whole_number

#: Exercise 3.1: the map of lrn2 (conv2's output) whose arithmetic is counted.
LRN_SHAPE = (192, 56, 56)
#: Exercise 3.3: the branches whose 1x1 reductions are removed, one kind at a time.
REDUCTIONS = ("3x3", "5x5")

#: Exercise 3.4: the widths around the middle layer of two 3x3 convolutions replacing a 5x5; then
#: the input width for which the output widths that make the rule of thumb exact are asked, and
#: the output widths to search.
FACTOR_IN, FACTOR_OUT = 160, 96
RULE_INPUT, RULE_OUTPUTS = 100, range(1, 401)
#: Exercise 3.5: the input, output width and MAC budget of the module to design.
DESIGN_INPUT, DESIGN_OUTPUT, DESIGN_BUDGET = (192, 28, 28), 256, 100_000_000
DESIGN_COLUMNS = ("#1x1", "#3x3 reduce", "#3x3", "#5x5 reduce", "#5x5", "pool proj")


def _ex_3_1(answer: Any) -> tuple[bool, str]:
    channels, h, w = LRN_SHAPE
    sliding = lrn_cost(LRN_SHAPE, GOOGLENET_LRN, "sliding")
    size, pixels = GOOGLENET_LRN.size, h * w
    other_lrn = lrn_cost((64, h, w), GOOGLENET_LRN, "sliding").macs
    return integer(answer, {
        lrn_cost(LRN_SHAPE, GOOGLENET_LRN).macs: "that counts every window afresh, as the formula reads; Caffe updates "
                                                 "the previous channel's sum instead",
        pixels * 2 * (channels - 1): "the first channel's sum is built from scratch: count its additions too",
        pixels * 2 * channels: "the first channel's sum is built from the whole window, not updated with two",
        pixels * (size // 2 + 1 + 2 * (channels - 1)): "the first channel's window holds zero padding before the "
                                                        "first channel, and Caffe adds those squares like the others: "
                                                        "count every square of the window, padding included",
        sliding.macs + sliding.values: "the squares are lone multiplications, not multiply-accumulates: leave them out of the MACs",
        size + 2 * (channels - 1): "that is one pixel; the map has H x W of them",
        (h // 2) * (w // 2) * (size + 2 * (channels - 1)): "the layer sits before pool2: lrn2 normalises conv2's 56x56 map",
        other_lrn: "that is lrn1 (64 channels); lrn2 normalises conv2's output",
    }, sliding.macs, "lrn2's MACs in Caffe's way")


def _ex_3_2(answer: Any) -> tuple[bool, str]:
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


def _without_reductions(branch: str) -> int:
    """The paper network's MACs at inference with one kind of 1x1 reduction removed in every
    module (``branch`` "3x3" or "5x5"); every module keeps its output width."""
    spec = get_spec("inception-v1", aux_logits=False)

    def without(module: Inception) -> Inception:
        return replace(module, n3x3_reduce=None) if branch == "3x3" else replace(module, n5x5_reduce=None)

    layers = tuple(without(layer) if isinstance(layer, Inception) else layer for layer in spec.layers)
    return layer_table(replace(spec, layers=layers)).total_macs


def _ex_3_3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or set(answer) != set(REDUCTIONS):
        raise AnswerTypeError(f"expected a dict with the keys {', '.join(repr(k) for k in REDUCTIONS)}: the network's "
                              "MACs with that branch's 1x1 reductions removed")
    value = {k: number(answer[k]) for k in REDUCTIONS}
    expected = {k: _without_reductions(k) for k in REDUCTIONS}
    if value == expected:
        return True, "the 5x5 reductions save more in all, but by far less than their ratios suggest."
    base = layer_table("inception-v1", aux_logits=False)
    saved = {k: expected[k] - base.total_macs for k in REDUCTIONS}
    if value == {"3x3": expected["5x5"], "5x5": expected["3x3"]}:
        return False, "your two totals are swapped"
    if value == saved:
        return False, "those are the MACs each kind of reduction saves; the exercise asks for the network's total without them"
    naive = layer_table(naive_network(get_spec("inception-v1", aux_logits=False))).total_macs
    if naive in value.values():
        return False, ("that is the naive network, which also drops the pool projections, so its widths pile up; "
                       "here only one kind of reduction goes and every module keeps its output width")
    aux = layer_table("inception-v1").total_macs - base.total_macs
    if value == {k: v + aux for k, v in expected.items()}:
        return False, "leave out the auxiliary heads: they run only in training"
    savings = bottleneck_table()
    without = {k: sum(r["MACs without"] for r in savings.where(branch=k)) for k in REDUCTIONS}
    if value == {k: base.total_macs + without[k] for k in REDUCTIONS}:
        return False, "the branches' cost with their reductions is already in the total: add the difference, not the whole cost without"
    if value == without:
        return False, "that is only the branches' cost; the rest of the network still costs what it did"
    return False, "start from the network's total and, for every module, replace the branch's cost with its reduction by its cost without"


def _widest_middle(answer: Any) -> tuple[bool, str]:
    """Exercise 3.4's first part: the widest middle width that still saves for FACTOR_IN -> FACTOR_OUT."""
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


def _rule_right(a: int, outputs: Iterable[int], saves_at_a: bool = True, fails_above_a: bool = True) -> list[int]:
    """The output widths ``b`` for which 'two 3x3 save against a 5x5 exactly when the middle is no
    wider than the input' is right for input width ``a``: the pair saves at ``m = a`` and not at
    ``m = a + 1``. Leaving out one of the two conditions gives a typical wrong answer."""
    f = FIVE_AS_TWO_THREES
    return [b for b in outputs
            if (not saves_at_a or f.saves(a, a, b)) and (not fails_above_a or not f.saves(a, a + 1, b))]


def _rule_widths(answer: Any) -> tuple[bool, str]:
    """Exercise 3.4's second part: the output widths for which the rule of thumb is exactly right."""
    if isinstance(answer, (str, bytes, dict)) or not isinstance(answer, Iterable):
        raise AnswerTypeError("the second part is a list of output widths b (possibly empty)")
    value = sorted(whole_number(b) for b in answer)
    expected = _rule_right(RULE_INPUT, RULE_OUTPUTS)
    if value == expected:
        return True, ""
    diagnoses = (
        (_rule_right(RULE_INPUT, RULE_OUTPUTS, fails_above_a=False),
         ("you kept every b for which a middle as wide as the input saves; the rule also says that one channel "
          "wider must not save")),
        (_rule_right(RULE_INPUT, RULE_OUTPUTS, saves_at_a=False),
         ("you kept every b for which one channel wider than the input does not save; the rule also says that a "
          "middle as wide as the input must save")),
        (list(RULE_OUTPUTS), "the rule is not right for every output width: test each b"),
    )
    for wrong, message in diagnoses:
        if value == wrong:
            return False, message
    if not value:
        return False, "there is such an output width for this input width: test each b against 9m(a+b) < 25ab at m = a and m = a + 1"
    return False, "for each b, test the pair at m = a (it must save) and at m = a + 1 (it must not); keep the b that pass both"


def _ex_3_4(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, (str, bytes, dict)) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise AnswerTypeError("expected a pair: (the widest middle width, the list of output widths b for which the "
                              "rule of thumb is exactly right)")
    widest_ok, widest_message = _widest_middle(answer[0])
    if not widest_ok:
        return False, f"the widest middle width: {widest_message}"
    rule_ok, rule_message = _rule_widths(answer[1])
    if not rule_ok:
        return False, f"the first part is right; the output widths: {rule_message}"
    return True, "the rule of thumb is exactly right only in a band of output widths narrower than one channel, just above 9a/16."


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


def _ex_3_5(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 6:
        raise AnswerTypeError(f"expected six widths, in Table 1's column order: {', '.join(DESIGN_COLUMNS)}")
    widths = tuple(whole_number(v) for v in answer)
    if min(widths) <= 0:
        return False, f"give six positive whole widths, in Table 1's column order: {', '.join(DESIGN_COLUMNS)}"
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


#: Exercises answered in words, with a worked model answer in the hidden solution (no checker).
OPEN_EXERCISES = ("3.6",)

EXERCISES: dict[str, Exercise] = {
    "3.1": Exercise("LRN the way Caffe computes it", _ex_3_1),
    "3.2": Exercise("The whole network with a separable stem", _ex_3_2),
    "3.3": Exercise("Which reductions save the most?", _ex_3_3),
    "3.4": Exercise("The widest middle layer, and when the rule of thumb is right", _ex_3_4),
    "3.5": Exercise("An Inception module under a MAC budget", _ex_3_5),
}
