"""Chapter 1's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
from conftest import assert_checker

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "1.1": (256 + 320 + 128 + 128, [(256 + 160 + 320 + 32 + 128 + 128, "reduction"), (256 + 320 + 128, "pool branch")]),
    "1.2": (64 + 128 + 32 + 192, [(64 + 128 + 32, "pooled input"), (64 + 128 + 32 + 32, "no pool projection")]),
    "1.3": (192 * 64 + 64, [(192 * 64, "bias"), (9 * 192 * 64 + 64, "3x3")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])
