"""Chapter 6's exercise checkers: right answers pass, typical mistakes are named."""

import json
import math
from pathlib import Path

import pytest
from conftest import assert_checker

from gnet_lib.exercises import check

ROOT = Path(__file__).resolve().parents[2]
MIDSCALE = ROOT / "results" / "cifar10-jpeg" / "seed" / "10000x10000-c2000-e14-s1-d1"


def _paired_answers():
    """Exercise 6.5 worked here from the two JSON files, without the library: each image's
    (short4 wrong) - (googlenet wrong), its mean and the standard error of the mean."""
    short4, googlenet = (json.loads((MIDSCALE / f"{m}.json").read_text()) for m in ("short4", "googlenet"))
    labels = short4["final_test"]["labels"]
    assert labels == googlenet["final_test"]["labels"]
    wrong_a = [p != y for p, y in zip(short4["final_test"]["predictions"], labels)]
    wrong_b = [p != y for p, y in zip(googlenet["final_test"]["predictions"], labels)]
    d = [a - b for a, b in zip(wrong_a, wrong_b)]
    n = len(d)
    mean = sum(d) / n
    se = math.sqrt(sum((v - mean) ** 2 for v in d) / (n - 1) / n)
    ea, eb = sum(wrong_a) / n, sum(wrong_b) / n
    unpaired = 1.959964 * math.sqrt((ea * (1 - ea) + eb * (1 - eb)) / n)
    curve = short4["final"]["test_top1_err"] - googlenet["final"]["test_top1_err"]
    right = (mean, mean - 1.959964 * se, mean + 1.959964 * se)
    return right, [((-mean, right[1], right[2]), "sign"), ((curve, curve - 0.01, curve + 0.01), "final_test"),
                   ((mean, mean - se, mean + se), "one standard error"), ((mean, mean - unpaired, mean + unpaired), "pair them"),
                   ((mean, mean - 0.05, mean + 0.05), "1.96 of its standard errors")]


# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "6.1": ((832, {"4e", "5a"}), [((833, {"4e", "5a"}), "bias"), ((749, {"5a"}), "90 classes"),
                                  ((832, {"5a"}), "another module"), ((832, {"5a", "5b"}), "5b does not give"),
                                  ((832, {"4e", "6a"}), "6a is not a module")]),
    "6.2": ("3a 3b | 4b 4d 4e | 5a 5b", [("3a 3b | 4a 4b 4c 4d 4e | 5a 5b", "asked for"),
                                         ("3a 3b | 4a 4d 4e | 5a 5b", "Short's layout"), ("3a | 9z", "cannot be built")]),
    "6.3": (4944, [(4944 - 192, "stem"), (896, "pool branch"), (1024, "projection"), (4048, "input")]),
    "6.4": ((79 * 4) / (782 * 14), [(20_000 / 700_000, "drop_last"), (4 / 14, "epochs only"), (0.1, "images only")]),
    "6.5": _paired_answers(),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_the_counts_of_exercise_6_1_differ_by_ninety_classes_of_833_weights():
    from gnet_lib.exercises.ch6 import counts_6_1

    c10, c100 = counts_6_1()
    assert c100 - c10 == 90 * (832 + 1)  # 5a's 832 channels (256 + 320 + 128 + 128), plus a bias per class


def test_exercise_6_2_asks_for_a_count_that_one_pair_of_removed_modules_gives():
    """Every way to remove two of the eight modules before 5b (which stays last), counted: exactly
    one gives the count the exercise prints, and it is not Short's, whose layout the chapter shows."""
    from itertools import combinations

    from gnet_lib.core.architectures import cifar_network
    from gnet_lib.core.layers import layer_table
    from gnet_lib.core.published import SOURCE_000
    from gnet_lib.exercises.ch6 import count_6_2

    modules = ["3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a"]
    matches = []
    for removed in combinations(modules, 2):
        stages: dict[str, list[str]] = {}
        for m in [m for m in modules if m not in removed] + ["5b"]:
            stages.setdefault(m[0], []).append(m)
        layout = " | ".join(" ".join(stage) for stage in stages.values())
        if layer_table(cifar_network("candidate", layout)).total_params == count_6_2():
            matches.append(removed)
    assert matches == [("4a", "4c")] and count_6_2() != SOURCE_000["cifar10"]["short"].params


@pytest.mark.parametrize("exercise, answer, words", [("6.1", 832, "pair (width, modules)"),
                                                     ("6.1", (832, "5a"), "set of names"),
                                                     ("6.5", (0.06, 0.05), "triple (difference, low, high)"),
                                                     ("6.5", ("0.06", 0.05, 0.07), "expected a number")])
def test_answers_of_the_wrong_form_say_what_form_is_expected(exercise, answer, words):
    feedback = check(exercise, answer)
    assert not feedback.ok and words in feedback.message
