"""Chapter 2's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
from conftest import assert_checker

from gnet_lib.exercises import check

# Stage totals for exercise 2.6, from Table 1's channels: every layer's output, C x H x W values.
STEM = 64 * 112 * 112 + 3 * 64 * 56 * 56 + 2 * 192 * 56 * 56 + 192 * 28 * 28  # conv1, pool1, lrn1, reduce, conv2, lrn2, pool2
# per module: 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool (all input channels), pool proj, concat
STAGE_3 = 28 * 28 * ((64 + 96 + 128 + 16 + 32 + 192 + 32 + 256) + (128 + 128 + 192 + 32 + 96 + 256 + 64 + 480))
STAGE_4 = 14 * 14 * ((192 + 96 + 208 + 16 + 48 + 480 + 64 + 512) + (160 + 112 + 224 + 24 + 64 + 512 + 64 + 512)
                     + (128 + 128 + 256 + 24 + 64 + 512 + 64 + 512) + (112 + 144 + 288 + 32 + 64 + 512 + 64 + 528)
                     + (256 + 160 + 320 + 32 + 128 + 528 + 128 + 832))
STAGE_5 = 7 * 7 * ((256 + 160 + 320 + 32 + 128 + 832 + 128 + 832) + (384 + 192 + 384 + 48 + 128 + 832 + 128 + 1024))
VALUES = {"stem": STEM, "3": STAGE_3, "4": STAGE_4, "5": STAGE_5}
BYTES = {k: 4 * v for k, v in VALUES.items()}

# Exercise 2.1 at 227, by hand. conv1: (227 + 6 - 7) // 2 + 1 = 114. Ceil mode: ceil((n - 3) / 2) + 1,
# 114 -> 57 -> 28 -> 14 -> 7. Padding 1 and floor: (n + 2 - 3) // 2 + 1, 114 -> 57 -> 29 -> 15 -> 8.
CEIL_227, PAD_227 = [114, 57, 28, 14, 7], [114, 57, 29, 15, 8]

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "2.1": ((CEIL_227, PAD_227), [
        ((PAD_227, CEIL_227), "swapped"),
        ((CEIL_227, CEIL_227), "the same"),
        (([114, 56, 27, 13, 6], PAD_227), "floor"),           # floor ((n - 3) / 2) + 1 in the first list
        (([111, 56, 28, 14, 7], PAD_227), "padding of 3"),     # conv1 without its padding
        (([113, 56, 28, 14, 7], PAD_227), "+1"),
        ((CEIL_227, [114, 58, 30, 16, 9]), "rounds down"),     # padding 1 with ceil rounding
        ((CEIL_227, [114, 57, 29, 15, 9]), "second list"),
    ]),
    # TensorFlow at 299: sizes 299 -> 150 -> 75 -> 38 -> 19, padding max((ceil(n/2) - 1) * 2 + k - n, 0)
    "2.2": ([(3, 3), (0, 1), (1, 1), (0, 1), (1, 1)], [
        ([(3, 3), (1, 0), (1, 1), (1, 0), (1, 1)], "odd pixel after"),
        ([(3, 3), (1, 1), (1, 1), (1, 1), (1, 1)], "symmetric"),
        ([(3, 3), (0, 1), (1, 1), (1, 1), (0, 1)], "ceil mode"),   # PyTorch's sizes 75 -> 37 -> 18
        ([(3, 3), (1, 1), (0, 1), (1, 1), (0, 1)], "not down"),    # sizes halved with floor: 149, 74, 37, 18
    ]),
    "2.3": (31, [(30, "too small"), (32, "smaller input")]),
    # 27 after pool2 (jump 8); each module adds 4 x jump (its 5x5 path), each pool 2 x jump
    "2.5": (27 + 2 * 32 + 16 + 5 * 64 + 32 + 2 * 128, [
        (27 + 2 * 16 + 16 + 5 * 32 + 32 + 2 * 64, "5x5"),   # modules taken as 3x3 windows
        (224, "input crop"),
        (1 + 6 + 2 + 0 + 2 + 2 + 9 * 4 + 2 + 2, "times the jump"),       # every layer adding k - 1 alone
        (1 + 6 * 2 + 2 * 4 + 2 * 4 + 2 * 8 + 2 * 4 * 8 + 2 * 16 + 5 * 4 * 16 + 2 * 32 + 2 * 4 * 32, "before its own stride"),
    ]),
    "2.6": (BYTES, [
        (VALUES, "4 bytes"),
        ({**BYTES, "4": BYTES["4"] / 2**20}, "not MiB"),
        ({**BYTES, "3": 4 * 28 * 28 * (256 + 480)}, "concatenations only"),
    ]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_answers_in_the_wrong_form_are_explained():
    assert "pair of lists" in check("2.1", CEIL_227).message
    assert "five sizes" in check("2.1", (CEIL_227, [114])).message
    assert "five (before, after) pairs" in check("2.2", [(3, 3)]).message
    assert "five (before, after) pairs" in check("2.2", [3, 0, 1, 0, 1]).message  # a flat list: no pairs
    assert "five (before, after) pairs" in check("2.2", ["ab"] * 5).message
    assert "keys" in check("2.6", {"stem": 1}).message


@pytest.mark.parametrize("answer", [0, -1, 2.5, float("nan"), float("inf")])
def test_an_impossible_input_size_gets_feedback_not_an_error(answer):
    feedback = check("2.3", answer)
    assert not feedback.ok and ("pixel" in feedback.message or "whole number" in feedback.message)
