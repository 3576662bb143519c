"""Chapter 5's exercise checkers: right answers pass, typical mistakes are named."""

import math
from dataclasses import replace

import pytest
from conftest import assert_checker

from gnet_lib.exercises import check
from gnet_lib.training.recipes import get_recipe

ONE_CROP = 1_582_671_872

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "5.1": (0.7**4, [(0.7**5, "one decay too many"), (1 - 1.2, "multiplied by 0.7")]),
    "5.2": (50_000 // 128, [(math.ceil(50_000 / 128), "drop_last"), (50_000 // 64, "batch is 128, not 64")]),
    # 0.96 ** 16 = 0.520 is still above one half, 0.96 ** 17 = 0.4996 is not: 17 cuts of 8 epochs
    "5.4": (136, [(100, "compound"), (17, "number of cuts"), (128, "one cut short"), (144, "one cut too many"),
                  (138, "approximation"), (135.8, "whole cuts")]),
    # GoogLeNet without auxiliary heads: 1,582,671,872 MACs per 224x224 crop; 7 models x 144 crops
    "5.5": (7 * 144 * ONE_CROP, [(144 * ONE_CROP, "ensemble"), (7 * ONE_CROP, "every crop"),
                                 (7 * 120 * ONE_CROP, "six views"), (7 * 72 * ONE_CROP, "mirrored"),
                                 (7 * 144 * 1_591_044_096, "auxiliary"), (2 * 7 * 144 * ONE_CROP, "FLOPs")]),
    # 390 whole batches of 128 per epoch, 4,290 steps in 11 epochs, int(0.2 x 4,290) = 858
    "5.6": (858, [(860, "drop_last"), (859, "round down"), (78, "whole run"), (4290, "total number of steps"),
                 (1716, "recount")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_recipe_change_checker():
    seed = get_recipe("seed")
    assert check("5.3", replace(seed, flip=False, batch_size=128)).ok
    assert "flips are still on" in check("5.3", replace(seed, batch_size=128)).message
    assert "also changed lr" in check("5.3", replace(seed, flip=False, batch_size=128, lr=0.1)).message
