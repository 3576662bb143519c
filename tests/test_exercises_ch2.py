"""Chapter 2's exercise checkers: right answers pass, typical mistakes are named."""

import math

import pytest
from conftest import assert_checker

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "2.1": ((224 + 6 - 7) // 2 + 1, [((224 - 7) // 2 + 1, "padding"), ((224 + 6 - 7) // 2, "+1"), (113, "floor")]),
    "2.2": (math.ceil((56 - 3) / 2) + 1, [((56 - 3) // 2 + 1, "floor where this pool uses ceil")]),
    "2.3": ((36 + 1, 37 + 1), [((38, 37), "swapped"), ((37, 37), "padding")]),
    "2.4": (31, [(30, "too small"), (32, "smaller input")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])
