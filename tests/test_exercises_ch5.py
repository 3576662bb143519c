"""Chapter 5's exercise checkers: right answers pass, typical mistakes are named."""

import math
from dataclasses import replace

import pytest
from conftest import assert_checker

from gnet_lib.exercises import check
from gnet_lib.recipes import get_recipe

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "5.1": (0.7**4, [(0.7**5, "one decay too many"), (1 - 1.2, "multiplied by 0.7")]),
    "5.2": (50_000 // 512, [(math.ceil(50_000 / 512), "drop_last")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_recipe_change_checker():
    seed = get_recipe("seed")
    assert check("5.3", replace(seed, flip=False, batch_size=128)).ok
    assert "flips are still on" in check("5.3", replace(seed, batch_size=128)).message
    assert "also changed lr" in check("5.3", replace(seed, flip=False, batch_size=128, lr=0.1)).message
