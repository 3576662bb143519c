"""Chapter 5's exercise checkers: right answers pass, typical mistakes are named."""

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import assert_checker

from gnet_lib.exercises import check
from gnet_lib.training.settings.recipes import get_recipe

ONE_CROP = 1_582_671_872
LN100 = math.log(100)  # a uniform guess over CIFAR-100's classes
# the entropy of a target smoothed by 0.1 over 100 classes: 0.901 on the true class, 0.001 on each other
SMOOTHED = -(0.901 * math.log(0.901) + 99 * 0.001 * math.log(0.001))
COMPARISON = Path(__file__).resolve().parents[2] / "results" / "recipes" / "cpu-short3-cifar10-jpeg-10000x2000"

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    # at initialisation every head guesses about uniformly: ln 100 per head; training adds the two
    # auxiliary heads at 0.3 each (1.6 ln 100), evaluation reads the main head alone (ln 100); label
    # smoothing changes nothing against a uniform guess
    "5.1": ((1.6 * LN100, LN100), [((LN100, LN100), "adds each auxiliary head"), ((1.3 * LN100, LN100), "two auxiliary heads"),
                                   ((1.6 * LN100, 1.6 * LN100), "main head's alone"), ((3 * LN100, LN100), "not 1"),
                                   ((1.6 * math.log(10), math.log(10)), "not CIFAR-10's 10"), ((3.2, 2.0), "natural logarithm"),
                                   ((1.6 * (LN100 + SMOOTHED), LN100 + SMOOTHED), "label smoothing"),
                                   ((1.6 * LN100, 9.0), "one of the two is right")]),
    # the stored histories (read below): fast's epoch 1 (test loss 4.42) and seed's epoch 2 (2.64)
    # are the only epochs above ln 10 = 2.303
    "5.2": ({"fast": [1], "seed": [2]}, [({"fast": [0], "seed": [1]}, "count from 1"),
                                         ({"fast": [], "seed": []}, "at least one"),
                                         ({"fast": [1, 2, 3, 4, 5, 6], "seed": [1, 2, 3, 4]}, "natural logarithm"),
                                         ({"fast": [1]}, "an entry for each"),
                                         ({"fast": [1], "seed": [2, 3]}, "compare each epoch")]),
    # 0.96 ** 16 = 0.520 is still above one half, 0.96 ** 17 = 0.4996 is not: 17 cuts of 8 epochs
    "5.4": (136, [(100, "compound"), (17, "number of cuts"), (128, "one cut short"), (144, "one cut too many"),
                  (138, "approximation"), (135.8, "whole cuts")]),
    # GoogLeNet without auxiliary heads: 1,582,671,872 MACs per 224x224 crop; 7 models x 144 crops, each model
    # taken at inception-v1's cost (one was wider, so this is a lower bound)
    "5.5": (7 * 144 * ONE_CROP, [(144 * ONE_CROP, "ensemble"), (7 * ONE_CROP, "every crop"), (6 * 144 * ONE_CROP, "all 7"),
                                 (7 * 120 * ONE_CROP, "six views"), (7 * 72 * ONE_CROP, "mirrored"),
                                 (7 * 144 * 1_591_044_096, "auxiliary"), (2 * 7 * 144 * ONE_CROP, "FLOPs")]),
    # 390 whole batches of 128 per epoch, 4,290 steps in 11 epochs, int(0.2 x 4,290) = 858
    "5.6": (858, [(860, "drop_last"), (859, "round down"), (78, "whole run"), (4290, "total number of steps"),
                 (1716, "recount")]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_the_stored_histories_behind_5_2():
    """Read from the raw result files: which epochs ended with a test loss above ln 10."""
    above = {}
    for path in sorted(COMPARISON.glob("*.json")):
        history = json.loads(path.read_text())["history"]
        above[path.stem] = [h["epoch"] for h in history if h["test_loss"] > math.log(10)]
    assert above == CASES["5.2"][0]


def test_answers_of_the_wrong_form_are_told_what_is_expected():
    assert "two numbers" in check("5.1", 7.4).message
    assert "two numbers" in check("5.1", "7.4, 4.6").message
    assert "a dict" in check("5.2", [1, 2]).message
    assert "whole numbers" in check("5.2", {"fast": ["one"], "seed": []}).message


def test_recipe_change_checker():
    seed = get_recipe("seed")
    assert check("5.3", replace(seed, flip=False, batch_size=128)).ok
    assert "flips are still on" in check("5.3", replace(seed, batch_size=128)).message
    assert "also changed lr" in check("5.3", replace(seed, flip=False, batch_size=128, lr=0.1)).message
