"""Chapter 6's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
from conftest import assert_checker

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "6.3": (4944, [(4944 - 192, "stem"), (896, "pool branch"), (1024, "projection"), (4048, "input")]),
    "6.4": ((79 * 4) / (782 * 14), [(20_000 / 700_000, "drop_last"), (4 / 14, "epochs only"), (0.1, "images only")]),
    "6.1": ((65_736_148 - 65_291_098) // 90 - 1, [((65_736_148 - 65_291_098) // 90, "bias"), ((65_736_148 - 65_291_098) // 100, "90 classes")]),
    "6.2": ("3a 3b | 4a 4d 4e | 5a 5b", [("3a 3b | 4a 4b 4c 4d 4e | 5a 5b", "parameters against"), ("3a | 9z", "cannot be built")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])
