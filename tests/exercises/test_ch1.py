"""Chapter 1's exercise checkers: right answers pass, typical mistakes are named."""

import pytest
import torch
from conftest import assert_checker
from torch import nn

from gnet_lib.exercises import check
from gnet_lib.exercises.ch1 import LRN_PIXEL

MODULES = ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")
# Exercise 1.1, by hand from Table 1: a naive module outputs n1x1 + n3x3 + n5x5 of its own plus
# every channel it receives; 3a receives 192 and each module the whole output of the one before.
OWN = (64 + 128 + 32, 128 + 192 + 96, 192 + 208 + 48, 160 + 224 + 64, 128 + 256 + 64, 112 + 288 + 64,
       256 + 320 + 128, 256 + 320 + 128, 384 + 384 + 128)
NAIVE_IN = [192]
for own in OWN[:-1]:
    NAIVE_IN.append(NAIVE_IN[-1] + own)
OWN_SHARE = {m: own / (own + c_in) for m, own, c_in in zip(MODULES, OWN, NAIVE_IN)}
# the inputs of the network with reductions: 192, then each module's Table 1 output width
REDUCED_IN = (192, 256, 480, 512, 512, 512, 528, 832, 832)


def _lrn(pixel, alpha=1e-4, size=5):
    """PyTorch's LocalResponseNorm (beta 0.75, k 1) of one pixel."""
    x = torch.tensor(pixel, dtype=torch.float64).view(1, len(pixel), 1, 1)
    return nn.LocalResponseNorm(size, alpha=alpha, beta=0.75, k=1.0)(x).flatten().tolist()


def _ahead(pixel):
    """The window taken from the channel onwards (c ... c + 4) instead of centred on it."""
    return [v / (1 + 1e-4 / 5 * sum(w * w for w in pixel[c:c + 5])) ** 0.75 for c, v in enumerate(pixel)]


# exercise -> (a correct answer, [(a wrong answer, words the diagnosis must contain)])
CASES = {
    "1.1": (OWN_SHARE, [
        ({m: 1 - s for m, s in OWN_SHARE.items()}, "passed through"),
        (dict.fromkeys(MODULES, 1.0), "pool branch computes nothing"),
        ({m: own / (own + c_in) for m, own, c_in in zip(MODULES, OWN, REDUCED_IN)}, "network with reductions"),
        ({m: (own + c_in) / own for m, own, c_in in zip(MODULES, OWN, NAIVE_IN)}, "divide by the output width"),
        ({**OWN_SHARE, "4c": 0.5}, "inception (4c)"),
    ]),
    # MAC shares of the 3x3 + 5x5 branches, reductions included (worked out by hand from Table 1):
    # 3a .887, 3b .873, 4a .673, 4b .744, 4c .807, 4d .851, 4e .766, 5a .694, 5b .705
    "1.2": (["3b", "4a", "4e", "5a"], [
        (["3b", "4a", "4e", "5b"], "output channels"),   # the falls of the output-channel share
        (["4a", "4e", "5a"], "reductions"),              # the reductions' MACs left out
        (["3a", "3b", "4a", "4e", "5a"], "first module"),
        (["4a", "4e"], "missing"),
        (["3b", "4a", "4b", "4e", "5a"], "rises"),
    ]),
    # inception (4d) reads 4c's 512 channels; its 3x3 reads the 144 of its reduction, its 5x5 the 32
    "1.4": ((512, 512, 144, 512, 32, 512), [
        ((512, 512, 512, 512, 512, 512), "reduction"),
        ((512, 512, 144, 512, 32, 64), "pool"),
        ((528, 528, 144, 528, 32, 528), "own output"),
        ((480, 480, 144, 480, 32, 480), "module before"),
    ]),
    # one more convolution on the longest path of each of the nine modules: 22 + 9, 27 + 9
    "1.5": ((31, 36), [((22, 27), "paper's figures"), ((36, 31), "swapped"), ((31, 27), "pooling"), ((40, 45), "not two"),
                       ((31, 35), "average pool")]),   # four pools on the longest path, the head's average pool forgotten
    "1.6": (_lrn(LRN_PIXEL), [
        (list(LRN_PIXEL), "input values"),
        (_lrn(LRN_PIXEL, alpha=5e-4), "alpha / n"),          # alpha not divided by the window size
        (_ahead(LRN_PIXEL), "centred"),
        ([v * (1 + 2e-5 * sum(w * w for w in LRN_PIXEL[max(0, c - 2):c + 3])) ** 0.75 for c, v in enumerate(LRN_PIXEL)],
         "divided"),
        ([v / (1 + 2e-5 * sum(LRN_PIXEL[max(0, c - 2):c + 3])) ** 0.75 for c, v in enumerate(LRN_PIXEL)], "squares"),
        ([v / (1 + 2e-5 * sum(LRN_PIXEL[j % 8] ** 2 for j in range(c - 2, c + 3))) ** 0.75 for c, v in enumerate(LRN_PIXEL)],
         "wrap"),
    ]),
}


@pytest.mark.parametrize("exercise", sorted(CASES))
def test_right_answers_pass_and_mistakes_are_named(exercise):
    assert_checker(exercise, *CASES[exercise])


def test_lrn_values_rounded_to_two_decimals_pass_and_coarser_ones_are_named():
    exact = _lrn(LRN_PIXEL)
    assert check("1.6", [round(v, 2) for v in exact]).ok and check("1.6", [round(v, 4) for v in exact]).ok
    assert not check("1.6", [v + 0.011 for v in exact]).ok
    feedback = check("1.6", [round(v, 1) for v in exact])
    assert not feedback.ok and "rounded too coarsely" in feedback.message


def test_every_named_lrn_mistake_is_far_outside_the_rounding_tolerance():
    """The tolerance accepts two-decimal values (0.005 a channel); each anticipated mistake moves
    some channel by more than 2, so rounding can neither pass it nor hide it."""
    exact = _lrn(LRN_PIXEL)
    for wrong, _ in CASES["1.6"][1]:
        assert max(abs(a - b) for a, b in zip(wrong, exact)) > 2


def test_the_naive_shares_fall_to_under_a_fifth():
    assert OWN_SHARE["3a"] == 224 / 416 and min(OWN_SHARE.values()) == OWN_SHARE["5a"] < 0.2


def test_answers_in_the_wrong_form_are_explained():
    assert "one share per module" in check("1.1", [0.5] * 9).message
    assert "list of module names" in check("1.2", "3b").message
    assert "unknown module" in check("1.2", ["6a"]).message
    assert "six numbers" in check("1.4", (512, 144)).message
    assert "two numbers" in check("1.5", 31).message
    assert "list of 8 numbers" in check("1.6", [1.0, 2.0]).message
    assert "expected a number" in check("1.6", ["a"] * 8).message
    assert check("1.6", torch.tensor(_lrn(LRN_PIXEL))).ok  # a tensor of the right values is an answer too
