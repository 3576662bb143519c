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
ANSWER_3_2 = TOTAL - DENSE + SEPARABLE

# Exercise 3.1: lrn2 on conv2's 192x56x56 output, size 5. Caffe: the first channel's sum adds 5
# padded squares, each later channel adds the entering square and takes away the leaving one.
LRN_SLIDING = 56 * 56 * (5 + 2 * 191)
LRN_FORMULA = 56 * 56 * (5 * 192 - 6) + 192 * 56 * 56   # every window afresh (5C - 6 terms a pixel), then the scale

# Exercise 3.3, from Table 1: (input C, H x W, #3x3 reduce, #3x3, #5x5 reduce, #5x5) of each module.
MODULES = [(192, 784, 96, 128, 16, 32), (256, 784, 128, 192, 32, 96), (480, 196, 96, 208, 16, 48),
           (512, 196, 112, 224, 24, 64), (512, 196, 128, 256, 24, 64), (512, 196, 144, 288, 32, 64),
           (528, 196, 160, 320, 32, 128), (832, 49, 160, 320, 32, 128), (832, 49, 192, 384, 48, 128)]
# Without its reduction a k x k branch costs HW k^2 C n instead of HW (C r + k^2 r n); the module's
# output width is unchanged, so nothing else in the network changes.
SAVED_3 = sum(hw * (9 * c * n3 - (c * r3 + 9 * r3 * n3)) for c, hw, r3, n3, _, _ in MODULES)
SAVED_5 = sum(hw * (25 * c * n5 - (c * r5 + 25 * r5 * n5)) for c, hw, _, _, r5, n5 in MODULES)
WITHOUT = {"3x3": TOTAL + SAVED_3, "5x5": TOTAL + SAVED_5}

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "3.1": (LRN_SLIDING, [
        (LRN_FORMULA, "afresh"), (56 * 56 * 2 * 191, "from scratch"), (56 * 56 * 2 * 192, "whole window"),
        (LRN_SLIDING + 192 * 56 * 56, "squares"), (5 + 2 * 191, "one pixel"), (28 * 28 * (5 + 2 * 191), "56x56"),
        (56 * 56 * (5 + 2 * 63), "lrn1"), (2 * LRN_SLIDING, "FLOPs"),
        (56 * 56 * (3 + 2 * 191), "padding"),   # the first window from its 3 real channels only
    ]),
    "3.2": (ANSWER_3_2,
            [(TOTAL, "dense 7x7 stem"), (TOTAL + SEPARABLE, "kept the dense"), (TOTAL - DENSE, "did not add"),
             (TOTAL - DENSE + DEPTHWISE, "not the 1x1"), (TOTAL - DENSE + POINTWISE, "not the depthwise"),
             (TOTAL - DENSE + 4 * SEPARABLE, "112x112"), (TOTAL - DENSE + 34_000_000, "rounded"),
             (TOTAL - DENSE + 7 * 7 * 3 * 8 + 24 * 64, "weights"), (ANSWER_3_2 + AUX, "auxiliary"),
             (2 * ANSWER_3_2, "FLOPs")]),
    "3.3": (WITHOUT, [
        ({"3x3": WITHOUT["5x5"], "5x5": WITHOUT["3x3"]}, "swapped"),
        ({"3x3": SAVED_3, "5x5": SAVED_5}, "save"),
        ({"3x3": 12_568_061_056, "5x5": WITHOUT["5x5"]}, "naive network"),   # chapter 3's naive total
        ({k: v + AUX for k, v in WITHOUT.items()}, "auxiliary"),
    ]),
    # 9m(160 + 96) < 25 * 160 * 96 holds up to m = 166 (at 167: 384,768 > 384,000). For a = 100 the
    # rule "saves exactly when m <= a" needs m = 100 to save, 900(100 + b) < 2500 b, so b > 56.25,
    # and m = 101 not to, 909(100 + b) >= 2500 b, so b <= 90900 / 1591 = 57.13: b = 57 alone.
    "3.4": ((166, [57]), [((160, [57]), "disproves"), ((96, [57]), "output"), ((167, [57]), "strict"),
                          ((166.7, [57]), "whole number"), ((179, [57]), "1x3 then 3x1"), ((266, [57]), "only the first"),
                          ((444, [57]), "only the second"), ((222, [57]), "as wide as the input"),
                          ((300, [57]), "more weights"), ((120, [57]), "widest"),
                          ((166, list(range(57, 401))), "one channel wider must not save"),
                          ((166, list(range(1, 58))), "must save"), ((166, []), "there is such"),
                          ((166, list(range(1, 401))), "every output width"), ((166, [56]), "m = a + 1")]),
    # 28*28 * (192*64 + 192*64 + 9*64*128 + 192*16 + 25*16*32 + 192*32) = 94,330,880 MACs
    "3.5": ((64, 64, 128, 16, 32, 32),
            [((64, 96, 128, 16, 32, 32), "over budget"), ((64, 80, 128, 16, 32, 32), "reductions are counted"),
             ((8, 96, 112, 16, 16, 120), "pool projection"), ((64, 64, 128, 16, 32, 16), "concatenate to 240"),
             ((32, 32, 96, 16, 48, 32), "inside their branches"), ((128, 64, 64, 16, 32, 32), "at least half"),
             ((64, 192, 128, 16, 32, 32), "reduces nothing"), ((64, 64, 128, 16, 32), "six widths"),
             ((64, 63.5, 128, 16, 32, 32), "whole number"), ((64, 0, 128, 16, 32, 32), "six positive whole widths")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_the_hand_derivations_agree_with_the_chapters_tables():
    from gnet_lib.core.bottleneck import bottleneck_table

    savings = bottleneck_table()
    for branch, saved in (("3x3", SAVED_3), ("5x5", SAVED_5)):
        assert sum(r["MACs without"] - r["MACs with"] for r in savings.where(branch=branch)) == saved
    assert SEPARABLE == 34_019_328 and ANSWER_3_2 == 1_498_677_248
    assert SAVED_5 > SAVED_3 and SAVED_5 < 1.5 * SAVED_3  # more in all, far from the 3-10x of the branch ratios


def test_answers_in_the_wrong_form_are_explained():
    assert "keys '3x3', '5x5'" in check("3.3", {"3x3": 1}).message
    assert "expected a pair" in check("3.4", 166).message
    assert "list of output widths" in check("3.4", (166, 57)).message


def test_the_rule_of_thumb_is_never_exactly_right_for_a_multiple_of_16():
    """b must lie in (9a/16, 9a(a+1)/(16a-9)], a window narrower than one channel; when 16 divides a
    its lower end is whole, so no whole b is inside. Checked by brute force on the inequality."""
    def saves(a, m, b):
        return 9 * m * (a + b) < 25 * a * b

    for a in range(16, 257, 16):
        assert not [b for b in range(1, 4 * a) if saves(a, a, b) and not saves(a, a + 1, b)], a
    assert [b for b in range(1, 401) if saves(100, 100, b) and not saves(100, 101, b)] == [57]


def test_any_design_within_the_rules_passes_and_reports_its_cost():
    cheap = (16, 48, 160, 16, 48, 32)  # 86,102,016 MACs
    feedback = check("3.5", cheap)
    assert feedback.ok and "86,102,016" in feedback.message
    assert check("3.5", [64, 64, 128, 16, 32, 32]).ok
    assert check("3.5", (64, 64.0, 128, 16, 32, 32)).ok  # a whole float is a whole width


def test_numpy_widths_are_widths():
    import numpy as np

    assert check("3.5", tuple(np.array([64, 64, 128, 16, 32, 32]))).ok
    assert check("3.4", (np.int64(166), np.array([57]))).ok
