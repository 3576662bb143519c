"""Chapter 3's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
from conftest import assert_checker

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "3.1": (28 * 28 * 192 * 96 + 28 * 28 * 9 * 96 * 128,
            [(28 * 28 * 9 * 192 * 128, "without its 1x1"), (28 * 28 * 9 * 96 * 128, "not the 1x1 reduction"),
             (192 * 96 + 9 * 96 * 128, "weights"), (2 * (28 * 28 * 192 * 96 + 28 * 28 * 9 * 96 * 128), "FLOPs")]),
    "3.2": (25 * 528 * 128, [(25 * 528 * 128 + 128, "no bias"), (25 * 32 * 128, "reduction"), (528 * 128, "25 weights")]),
    "3.3": (1 / 3, [(100 / 3, "percentage"), (2 / 3, "remains")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])
