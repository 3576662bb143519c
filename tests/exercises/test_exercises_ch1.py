"""Chapter 1's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
from conftest import assert_checker

from gnet_lib.exercises import check

# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "1.1": (256 + 320 + 128 + 128, [(256 + 160 + 320 + 32 + 128 + 128, "reduction"), (256 + 320 + 128, "pool branch")]),
    "1.2": (64 + 128 + 32 + 192, [(64 + 128 + 32, "pooled input"), (64 + 128 + 32 + 32, "no pool projection")]),
    "1.3": (192 * 64 + 64, [(192 * 64, "bias"), (9 * 192 * 64 + 64, "3x3")]),
    # MAC shares of the 3x3 + 5x5 branches, reductions included (worked out by hand from Table 1):
    # 3a .887, 3b .873, 4a .673, 4b .744, 4c .807, 4d .851, 4e .766, 5a .694, 5b .705
    "1.4": (["3b", "4a", "4e", "5a"], [
        (["3b", "4a", "4e", "5b"], "output channels"),   # the falls of the output-channel share
        (["4a", "4e", "5a"], "reductions"),              # the reductions' MACs left out
        (["3a", "3b", "4a", "4e", "5a"], "first module"),
        (["4a", "4e"], "missing"),
        (["3b", "4a", "4b", "4e", "5a"], "rises"),
    ]),
    # one more convolution on the longest path of each of the nine modules: 22 + 9, 27 + 9
    "1.5": ((31, 36), [((22, 27), "paper's figures"), ((36, 31), "swapped"), ((31, 27), "pooling"), ((40, 45), "not two")]),
    # inception (4d) reads 4c's 512 channels; its 3x3 reads the 144 of its reduction, its 5x5 the 32
    "1.6": ((512, 512, 144, 512, 32, 512), [
        ((512, 512, 512, 512, 512, 512), "reduction"),
        ((512, 512, 144, 512, 32, 64), "pool"),
        ((528, 528, 144, 528, 32, 528), "own output"),
        ((480, 480, 144, 480, 32, 480), "module before"),
    ]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_answers_in_the_wrong_form_are_explained():
    assert "list of module names" in check("1.4", "3b").message
    assert "unknown module" in check("1.4", ["6a"]).message
    assert "two numbers" in check("1.5", 31).message
    assert "six numbers" in check("1.6", (512, 144)).message
