"""Chapter 3's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
from conftest import assert_checker

from gnet_lib.exercises import check

# The whole network's exact MACs with the dense stem, the dense stem's, the separable stem's
# (depthwise 7x7x3x8 and pointwise 24x64 at 112x112), and the two auxiliary heads' MACs.
TOTAL, DENSE = 1_582_671_872, 112 * 112 * 7 * 7 * 3 * 64
DEPTHWISE, POINTWISE = 112 * 112 * 7 * 7 * 3 * 8, 112 * 112 * 24 * 64
SEPARABLE = DEPTHWISE + POINTWISE
AUX = 4 * 4 * (512 + 528) * 128 + 2 * (2048 * 1024 + 1024 * 1000)  # on 4a (512) and 4d (528)
ANSWER_3_4 = TOTAL - DENSE + SEPARABLE

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "3.1": (28 * 28 * 192 * 96 + 28 * 28 * 9 * 96 * 128,
            [(28 * 28 * 9 * 192 * 128, "without its 1x1"), (28 * 28 * 9 * 96 * 128, "not the 1x1 reduction"),
             (192 * 96 + 9 * 96 * 128, "weights"), (2 * (28 * 28 * 192 * 96 + 28 * 28 * 9 * 96 * 128), "FLOPs")]),
    "3.2": (25 * 528 * 128, [(25 * 528 * 128 + 128, "no bias"), (25 * 32 * 128, "reduction"), (528 * 128, "25 weights")]),
    "3.3": (1 / 3, [(100 / 3, "percentage"), (2 / 3, "remains")]),
    "3.4": (ANSWER_3_4,
            [(TOTAL, "dense 7x7 stem"), (TOTAL + SEPARABLE, "kept the dense"), (TOTAL - DENSE, "did not add"),
             (TOTAL - DENSE + DEPTHWISE, "not the 1x1"), (TOTAL - DENSE + POINTWISE, "not the depthwise"),
             (TOTAL - DENSE + 4 * SEPARABLE, "112x112"), (TOTAL - DENSE + 34_000_000, "rounded"),
             (TOTAL - DENSE + 7 * 7 * 3 * 8 + 24 * 64, "weights"), (ANSWER_3_4 + AUX, "auxiliary"),
             (2 * ANSWER_3_4, "FLOPs")]),
    # 9m(160 + 96) < 25 * 160 * 96 holds up to m = 166 (at 167: 384,768 > 384,000)
    "3.5": (166, [(160, "disproves"), (96, "output"), (167, "strict"), (166.7, "whole number"),
                  (179, "1x3 then 3x1"), (266, "only the first"), (444, "only the second"), (222, "as wide as the input"),
                  (300, "more weights"), (120, "widest")]),
    # 28*28 * (192*64 + 192*64 + 9*64*128 + 192*16 + 25*16*32 + 192*32) = 94,330,880 MACs
    "3.6": ((64, 64, 128, 16, 32, 32),
            [((64, 96, 128, 16, 32, 32), "over budget"), ((64, 80, 128, 16, 32, 32), "reductions are counted"),
             ((8, 96, 112, 16, 16, 120), "pool projection"), ((64, 64, 128, 16, 32, 16), "concatenate to 240"),
             ((32, 32, 96, 16, 48, 32), "inside their branches"), ((128, 64, 64, 16, 32, 32), "at least half"),
             ((64, 192, 128, 16, 32, 32), "reduces nothing"), ((64, 64, 128, 16, 32), "six positive whole widths"),
             ((64, 64.0, 128, 16, 32, 32), "six positive whole widths")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_the_stem_constants_are_the_separable_stem():
    assert SEPARABLE == 34_019_328 and ANSWER_3_4 == 1_498_677_248


def test_any_design_within_the_rules_passes_and_reports_its_cost():
    cheap = (16, 48, 160, 16, 48, 32)  # 86,102,016 MACs
    feedback = check("3.6", cheap)
    assert feedback.ok and "86,102,016" in feedback.message
    assert check("3.6", [64, 64, 128, 16, 32, 32]).ok
