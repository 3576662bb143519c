"""Chapter 6's exercises (the CIFAR ablation)."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

from ..core.architectures import cifar_network, get_spec
from ..core.errors import UsageError
from ..core.fingerprint import final_features
from ..core.layers import layer_table
from ..core.published import SOURCE_000
from ..core.specs import inception_out_channels
from ..training.analysis.statistics import final_test_predictions, independent_error_difference, same_test_set
from ..training.experiments.midscale import RUNS
from ..training.results.results import default_results_dir, load_result
from ..training.settings.recipes import get_recipe
from .checks import AnswerTypeError, Exercise, integer, number

#: The variant of exercise 6.1: the base model with 5b removed, so that 5a is its last module.
LAYOUT_6_1 = "3a 3b | 4a 4b 4c 4d 4e | 5a"

#: The variant of exercise 6.2: the base model without 4a and 4c, a layout the chapter never prints;
#: no other pair of removed modules (5b kept last) gives its parameter count.
LAYOUT_6_2 = "3a 3b | 4b 4d 4e | 5a 5b"


def counts_6_1() -> tuple[int, int]:
    """The CIFAR-10 and CIFAR-100 parameter counts exercise 6.1 gives the student."""
    network = cifar_network("mystery", LAYOUT_6_1)
    return layer_table(network, num_classes=10).total_params, layer_table(network, num_classes=100).total_params


def _ex_6_1(answer: Any) -> tuple[bool, str]:
    if not (isinstance(answer, tuple) and len(answer) == 2):
        raise AnswerTypeError("expected a pair (width, modules): a whole number and a set of module names like {\"4a\"}")
    width, modules = answer
    c10, c100 = counts_6_1()
    expected = final_features(c10, 10, c100, 100)
    ok, message = integer(width, {
        expected + 1: "each extra class adds one weight per feature plus one bias: subtract the bias",
        (c100 - c10) // 100: "the two counts differ by 90 classes, not 100",
    }, expected, "the width of the last layer's input")
    if not ok:
        return False, message
    if isinstance(modules, str) or not isinstance(modules, (set, frozenset, list, tuple)):
        raise AnswerTypeError("expected the modules as a set of names, e.g. {\"4a\", \"4b\"}")
    spec = get_spec("googlenet")
    widths = {m.name: inception_out_channels(m, m.in_channels or 0) for m in spec.inceptions}
    right = {name for name, w in widths.items() if w == expected}
    given = set(modules)
    if given == right:
        return True, "two counts give a width, and in this family that width fits more than one module."
    unknown = sorted(given - set(widths))
    if unknown:
        return False, f"{', '.join(unknown)} is not a module of the base model; its modules are {', '.join(widths)}"
    wrong = sorted(given - right)
    if wrong:
        return False, f"{', '.join(wrong)} does not give that many channels: add up each module's four branch widths"
    return False, "the width is right, but another module of the base model gives the same number of channels"


def count_6_2() -> int:
    """The CIFAR-10 parameter count exercise 6.2 gives the student."""
    return layer_table(cifar_network("mystery", LAYOUT_6_2)).total_params


def _ex_6_2(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, str):
        raise AnswerTypeError('expected a layout string such as "3a 3b | 4a 4b 4c 4d 4e | 5a 5b"')
    try:
        params = layer_table(cifar_network("yours", answer)).total_params
    except UsageError as exc:
        return False, f"that layout cannot be built: {exc}"
    target = count_6_2()
    if params == target:
        return True, "an exact match, parameter for parameter."
    if params == SOURCE_000["cifar10"]["short"].params:
        return False, f"that is Short's layout ({params:,} parameters); the count to match is {target:,}"
    return False, f"your layout has {params:,} parameters against the {target:,} asked for ({params - target:+,})"


def _ex_6_3(answer: Any) -> tuple[bool, str]:
    spec = get_spec("naive")
    modules = spec.inceptions
    stem = modules[0].in_channels
    expected = layer_table("naive").where(name="linear")[0]["weights"] // spec.num_classes
    last = modules[-1]
    assert last.in_channels, "the naive spec states 5b's input width"
    own = last.n1x1 + last.n3x3 + last.n5x5
    return integer(answer, {
        1024: "1024 is what 5b gives when its pool branch has a projection; the naive module has none",
        own: "those are 5b's three convolution branches only; its pool branch passes 5b's whole input on too",
        last.in_channels: "that is 5b's input; its own three convolution branches add to it",
        expected - stem: "close: you left out the stem's channels, which every pool branch has passed on since 3a",
    }, expected, "the width the naive model's linear layer reads")


def _ex_6_4(answer: Any) -> tuple[bool, str]:
    value = number(answer, "fraction")
    seed = get_recipe("seed")

    def steps(images: int, epochs: int) -> int:
        return seed.steps_per_epoch(images) * epochs

    expected = steps(5000, 4) / steps(50_000, seed.epochs)
    if math.isclose(value, expected, rel_tol=1e-4):
        return True, "the 4-epoch runs make under 3% of a full run's updates."
    if math.isclose(value, (5000 * 4) / (50_000 * seed.epochs), rel_tol=1e-4):
        return False, "close: count steps, not images; the seed recipe keeps the last, smaller batch (drop_last is off)"
    if math.isclose(value, 4 / seed.epochs, rel_tol=1e-3):
        return False, "that is the share of epochs only; the subset is also a tenth of the training set"
    if math.isclose(value, 5000 / 50_000, rel_tol=1e-3):
        return False, "that is the share of images only; the 4-epoch runs also stop after 4 of the 14 epochs"
    return False, "count the optimisation steps of each protocol: batches per epoch times epochs"


def _paired_6_5() -> tuple[list[int], list[int], list[int]]:
    """short4's and googlenet's seed-1 mid-scale predictions and the labels, as exercise 6.5 reads them."""
    runs = {r.label: r for r in RUNS}
    folder = default_results_dir()
    short4, googlenet = (load_result(runs[label].result_file(folder)) for label in ("short4-s1", "googlenet-s1"))
    same_test_set(short4, googlenet)
    (a, labels), (b, _) = final_test_predictions(short4), final_test_predictions(googlenet)
    return a, b, labels


def _ex_6_5(answer: Any) -> tuple[bool, str]:
    if not (isinstance(answer, tuple) and len(answer) == 3):
        raise AnswerTypeError("expected a triple (difference, low, high) of numbers")
    difference, low, high = (number(v, "number") for v in answer)
    a, b, labels = _paired_6_5()
    d = [(x != y) - (z != y) for x, z, y in zip(a, b, labels)]
    n = len(d)
    mean = sum(d) / n
    se = math.sqrt(sum((v - mean) ** 2 for v in d) / (n - 1) / n)
    z = NormalDist().inv_cdf(0.975)
    error_a, error_b = sum(x != y for x, y in zip(a, labels)) / n, sum(x != y for x, y in zip(b, labels)) / n

    def near(x: float, y: float) -> bool:
        return abs(x - y) < 2e-4

    if near(difference, -mean):
        return False, "the sign: short4's error minus googlenet's (short4 errs more often, so the difference is positive)"
    if not near(difference, mean):
        return False, ("that is not short4's error minus googlenet's on the 10,000 test images; use final_test (not "
                       "final, which is the last epoch on the 2,000-image curve subset)")
    if near(low, mean - se) and near(high, mean + se):
        return False, "that interval is one standard error either side; a 95% interval spans about 1.96 of them"
    _, unpaired_low, unpaired_high = independent_error_difference(error_a, error_b, n)
    if near(low, unpaired_low) and near(high, unpaired_high):
        return False, ("that is the interval of two independent samples; both models saw the same images, so pair them: "
                       "take each image's (short4 wrong) - (googlenet wrong) and the standard error of its mean")
    if near(low, mean - z * se) and near(high, mean + z * se):
        return True, "paired on the same images; and it is one seed, so it says nothing yet about other seeds."
    return False, "the difference is right; the interval is the mean of the per-image differences ± 1.96 of its standard errors"


#: Exercises answered in words, with a worked model answer in the hidden solution (no checker).
OPEN_EXERCISES = ("6.6",)

EXERCISES: dict[str, Exercise] = {
    "6.1": Exercise("What two counts reveal, and what they do not", _ex_6_1),
    "6.2": Exercise("The layout behind a parameter count", _ex_6_2),
    "6.3": Exercise("Why the naive model's last layer is so wide", _ex_6_3),
    "6.4": Exercise("How much of a full run the 4-epoch protocol is", _ex_6_4),
    "6.5": Exercise("A paired interval from the stored predictions", _ex_6_5),
}
