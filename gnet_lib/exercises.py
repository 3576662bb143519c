"""Checkers for the book's exercises: right or wrong at once, and if wrong, what kind of mistake.

A checker never shows the expected answer. Call ``check("2.1", answer)``; an unanswered
exercise (``...`` or ``None``) raises ``NotImplementedError``, the one error a student edition
of the notebooks is expected to show.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import torch
from torch import nn

from .architectures import get_spec
from .bottleneck import branch_costs, conv_cost
from .fingerprint import final_features
from .layers import layer_table
from .recipes import Recipe, get_recipe
from .shapes import output_size


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer."""

    exercise: str
    ok: bool
    message: str

    def __repr__(self) -> str:
        mark = "✓" if self.ok else "✗"
        verdict = "correct" if self.ok else "not yet"
        message = self.message[:1].upper() + self.message[1:]
        return f"{mark} Exercise {self.exercise}: {verdict}. {message}".rstrip()

    __str__ = __repr__


@dataclass(frozen=True)
class Exercise:
    title: str
    checker: Callable[[Any], tuple[bool, str]]


def _number(answer: Any, kind: str = "whole number") -> float:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        if isinstance(answer, torch.Tensor) and answer.numel() == 1:
            return answer.item()
        raise TypeError(f"expected a {kind}, got {type(answer).__name__} {answer!r}")
    return answer


def _integer(answer: Any, diagnoses: dict[int, str], expected: int, what: str) -> tuple[bool, str]:
    value = _number(answer)
    if isinstance(value, float) and not value.is_integer():
        return False, f"{what} is a whole number; yours, {value}, is not (did you forget to round?)"
    value = int(value)
    if value == expected:
        return True, ""
    if value in diagnoses:
        return False, diagnoses[value]
    if expected and value == 2 * expected:
        return False, "twice too large: count a multiply-add once (MACs), not as two operations (FLOPs)"
    return False, f"that is not {what}; check your formula step by step"


# -- chapter 1 ------------------------------------------------------------------------------


def _ex_1_1(answer: Any) -> tuple[bool, str]:
    m = get_spec("inception-v1").inceptions[6]  # 4e
    expected = m.n1x1 + m.n3x3 + m.n5x5 + m.pool_proj
    return _integer(answer, {
        expected + m.n3x3_reduce + m.n5x5_reduce: "you added the reduction widths too: those 1x1 layers feed the 3x3 "
                                                  "and 5x5 convolutions, their outputs are not concatenated",
        expected - m.pool_proj: "you left out the pool branch: its 1x1 projection is concatenated too",
        m.in_channels: "that is the module's input width, not its output",
    }, expected, "the output width of inception (4e)")


def _ex_1_2(answer: Any) -> tuple[bool, str]:
    m = get_spec("inception-v1").inceptions[0]  # 3a
    expected = m.n1x1 + m.n3x3 + m.n5x5 + m.in_channels
    return _integer(answer, {
        m.n1x1 + m.n3x3 + m.n5x5: "the naive module's pool branch has no projection: the pooled input, with all its "
                                  "channels, is concatenated too",
        m.n1x1 + m.n3x3 + m.n5x5 + m.pool_proj: "the naive module has no pool projection; what width does the "
                                                "pooled input keep?",
    }, expected, "the naive module's output width")


def _ex_1_3(answer: Any) -> tuple[bool, str]:
    weights = 192 * 64
    return _integer(answer, {
        weights: "the weights are right, but every output channel also has a bias",
        9 * weights + 64: "that is a 3x3 convolution; a 1x1 kernel has one weight per input channel",
        28 * 28 * weights: "those are MACs on a 28x28 map; parameters do not depend on the map size",
    }, weights + 64, "the parameter count of that 1x1 convolution")


# -- chapter 2 ------------------------------------------------------------------------------


def _ex_2_1(answer: Any) -> tuple[bool, str]:
    expected = output_size(224, 7, 2, 3)
    return _integer(answer, {
        output_size(224, 7, 2, 0): "you left out the padding of 3 on each side",
        output_size(224, 7, 2, 3) - 1: "you forgot the +1 (the first window is at position 0)",
        output_size(224, 7, 1, 3): "the stride is 2: divide before adding 1",
        output_size(224, 7, 2, 3, ceil_mode=True): "round down: a convolution uses floor",
    }, expected, "conv1's output size")


def _ex_2_2(answer: Any) -> tuple[bool, str]:
    expected = output_size(56, 3, 2, 0, ceil_mode=True)
    return _integer(answer, {
        output_size(56, 3, 2, 0, ceil_mode=False): "you used floor where this pool uses ceil mode",
        output_size(56, 3, 2, 1, ceil_mode=True): "this pool has no padding",
        output_size(56, 3, 1, 0, ceil_mode=True): "the stride is 2",
    }, expected, "the pool's output size")


def _ex_2_3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise TypeError("expected two numbers: (ceil mode without padding, padding 1 with floor)")
    ceil_ans, pad_ans = (int(_number(a)) for a in answer)
    ceil_ok, pad_ok = output_size(75, 3, 2, 0, True), output_size(75, 3, 2, 1, False)
    if (ceil_ans, pad_ans) == (ceil_ok, pad_ok):
        return True, "on odd sizes the two conventions differ by one."
    if (ceil_ans, pad_ans) == (pad_ok, ceil_ok):
        return False, "your two numbers are swapped: which convention adds a pixel on each side?"
    if pad_ans != pad_ok and pad_ans == output_size(75, 3, 2, 0, False):
        return False, "for the second: you left out the padding of 1 on each side"
    wrong = [name for name, ok in (("the first (ceil mode)", ceil_ans == ceil_ok), ("the second (padding 1)", pad_ans == pad_ok)) if not ok]
    return False, f"{' and '.join(wrong)} is not right yet; apply out = round((n + 2p - k) / s) + 1 with the right rounding"


def _smallest_input() -> int:
    for n in range(1, 512):
        try:
            layer_table("inception-v1", input_size=(3, n, n), aux_logits=False)
            return n
        except ValueError:
            continue
    raise AssertionError("inception-v1 accepts no input below 512")


def _ex_2_4(answer: Any) -> tuple[bool, str]:
    n = int(_number(answer))
    expected = _smallest_input()
    if n == expected:
        return True, ""
    if n < expected:
        try:
            layer_table("inception-v1", input_size=(3, n, n), aux_logits=False)
        except ValueError as exc:
            layer = str(exc).split("layer '")[1].split("'")[0] if "layer '" in str(exc) else "a layer"
            return False, f"{n}x{n} is too small: {layer} would produce an empty output"
        return False, f"{n}x{n} is too small"
    return False, f"{n}x{n} works, but so does a smaller input; search downwards"


# -- chapter 3 ------------------------------------------------------------------------------


def _ex_3_1(answer: Any) -> tuple[bool, str]:
    direct, reduced = branch_costs(28, 28, 192, 128, 3, 96)
    reduce_only = conv_cost(28, 28, 192, 96, 1).macs
    return _integer(answer, {
        direct.macs: "that is the branch without its 1x1 reduction (192 channels into the 3x3)",
        reduced.macs - reduce_only: "you counted the 3x3 but not the 1x1 reduction in front of it",
        reduce_only: "you counted only the 1x1 reduction",
        reduced.weights: "those are the weights; MACs multiply each weight by the 28x28 output positions",
    }, reduced.macs, "the branch's MACs")


def _ex_3_2(answer: Any) -> tuple[bool, str]:
    expected = conv_cost(14, 14, 528, 128, 5).weights
    return _integer(answer, {
        expected + 128: "count the weights only (no bias), as Table 1 does",
        conv_cost(14, 14, 32, 128, 5).weights: "that uses the 32-channel reduction; the exercise removes it",
        528 * 128: "a 5x5 kernel has 25 weights per input-output channel pair",
        conv_cost(14, 14, 528, 128, 5).macs: "those are MACs; weights do not depend on the 14x14 map",
    }, expected, "the weight count")


def _ex_3_3(answer: Any) -> tuple[bool, str]:
    value = _number(answer, "fraction")
    expected = 1 - 6 / 9
    if math.isclose(value, expected, abs_tol=0.005):
        return True, ""
    if math.isclose(value, 100 * expected, abs_tol=0.5):
        return False, "give the saving as a fraction between 0 and 1, not as a percentage"
    if math.isclose(value, 6 / 9, abs_tol=0.005):
        return False, "that is the fraction that remains, not the fraction saved"
    if math.isclose(value, 1 - 18 / 25, abs_tol=0.005):
        return False, "that is the saving of two 3x3 convolutions against a 5x5"
    return False, "compare the weights of 1x3 + 3x1 with those of 3x3 when all widths are equal"


# -- chapter 4 ------------------------------------------------------------------------------


def _ex_4_1(answer: Any) -> tuple[bool, str]:
    if not (isinstance(answer, type) and issubclass(answer, nn.Module)):
        raise TypeError("expected your nn.Module subclass itself (the class, not an instance)")
    module = answer(192, 64, 96, 128, 16, 32, 32)
    x = torch.randn(2, 192, 28, 28)
    module.eval()
    with torch.no_grad():
        y = module(x)
    if not isinstance(y, torch.Tensor):
        return False, "forward should return one tensor: the four branch outputs concatenated"
    if y.shape[0] != 2:
        return False, "the batch dimension changed: concatenate along the channels (dim=1)"
    if y.shape[2:] != (28, 28):
        return False, (f"the output is {y.shape[2]}x{y.shape[3]}, not 28x28: every branch must keep the size "
                       "(padding 1 for 3x3, 2 for 5x5, and stride 1 padding 1 for the pool)")
    if y.shape[1] != 256:
        if y.shape[1] == 256 + 96 + 16:
            return False, "the reductions were concatenated too; only each branch's last layer is"
        return False, f"the output has {y.shape[1]} channels; concatenate the four branches' last layers"
    table = layer_table("inception-v1", aux_logits=False)
    expected = sum(r.params for r in table.layer_rows if r.block == "3a")
    weights = sum(r.weights for r in table.layer_rows if r.block == "3a")
    params = sum(p.numel() for p in module.parameters())
    if params == expected:
        if (y < 0).any():
            return False, "every convolution is followed by a ReLU, so the output cannot be negative"
        return True, "shape, parameters and activations all match the paper's module."
    if params == weights:
        return False, "the shapes are right, but your convolutions have no bias; the paper's have one"
    if params > expected and any(isinstance(m, nn.BatchNorm2d) for m in module.modules()):
        return False, "the paper's module has no batch normalisation (it came a year later, in Inception v2)"
    return False, f"the shapes are right but the parameter count is off by {params - expected:+,}; check each branch's kernels"


def _ex_4_2(answer: Any) -> tuple[bool, str]:
    rows = [r for r in layer_table("inception-v1").layer_rows if r.block == "aux1"]
    expected = sum(r.params for r in rows)
    fc = next(r for r in rows if r.name.endswith("/ fc"))
    return _integer(answer, {
        expected - fc.params: "you left out the fully connected layer of 1024 units",
        sum(r.weights for r in rows): "count the biases too (every layer here has them)",
        expected - fc.params + 128 * 14 * 14 * 1024 + 1024: "the 5x5/3 average pool shrinks 14x14 to 4x4 before the fc layer",
    }, expected, "the auxiliary classifier's parameter count")


# -- chapter 5 ------------------------------------------------------------------------------


def _ex_5_1(answer: Any) -> tuple[bool, str]:
    r = get_recipe("seed")
    expected = r.lr * r.gamma**4
    value = _number(answer, "number")
    if math.isclose(value, expected, rel_tol=1e-6):
        return True, ""
    if math.isclose(value, r.lr * r.gamma**5, rel_tol=1e-6):
        return False, "one decay too many: epoch 1 trains at the initial rate"
    if math.isclose(value, r.lr * (1 - 0.3 * 4), rel_tol=1e-6):
        return False, "the rate is multiplied by 0.7 after each epoch, not reduced by 0.3 each time"
    return False, "the rate starts at 1.0 and is multiplied by gamma after every finished epoch"


def _ex_5_2(answer: Any) -> tuple[bool, str]:
    return _integer(answer, {
        -(-50_000 // 512): "drop_last discards the final, incomplete batch",
        50_000 // 64: "the fast recipe's batch is 512, not 64",
    }, 50_000 // 512, "the number of steps per epoch")


def _ex_5_3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, Recipe):
        raise TypeError("expected a Recipe (hint: dataclasses.replace(get_recipe('seed'), ...))")
    seed = get_recipe("seed")
    problems = []
    if answer.flip:
        problems.append("flips are still on")
    if answer.batch_size != 128:
        problems.append(f"the batch size is {answer.batch_size}, not 128")
    changed = [f.name for f in fields(Recipe) if f.name not in ("flip", "batch_size", "name") and getattr(answer, f.name) != getattr(seed, f.name)]
    if changed:
        problems.append(f"you also changed {', '.join(changed)}; keep everything else as in the seed recipe")
    return (not problems), "; ".join(problems)


# -- chapter 6 ------------------------------------------------------------------------------


def _ex_6_1(answer: Any) -> tuple[bool, str]:
    from .published import SOURCE_000

    a, b = SOURCE_000["cifar10"]["naive"].params, SOURCE_000["cifar100"]["naive"].params
    expected = final_features(a, 10, b, 100)
    return _integer(answer, {
        expected + 1: "each class adds a weight per feature plus one bias: subtract the bias",
        (b - a) // 100: "the two counts differ by 90 classes, not 100",
    }, expected, "the width of the last layer's input")


def _ex_6_2(answer: Any) -> tuple[bool, str]:
    from .architectures import cifar_network
    from .published import SOURCE_000

    if not isinstance(answer, str):
        raise TypeError('expected a layout string such as "3a 3b | 4a 4b 4c 4d 4e | 5a 5b"')
    try:
        params = layer_table(cifar_network("yours", answer)).total_params
    except (ValueError, KeyError) as exc:
        return False, f"that layout cannot be built: {exc}"
    target = SOURCE_000["cifar10"]["short"].params
    if params == target:
        return True, "an exact match, parameter for parameter."
    return False, f"your layout has {params:,} parameters against the published {target:,} ({params - target:+,})"


EXERCISES: dict[str, Exercise] = {
    "1.1": Exercise("Output width of inception (4e)", _ex_1_1),
    "1.2": Exercise("Output width of a naive module", _ex_1_2),
    "1.3": Exercise("Parameters of a 1x1 convolution", _ex_1_3),
    "2.1": Exercise("conv1's output size", _ex_2_1),
    "2.2": Exercise("A pool in ceil mode", _ex_2_2),
    "2.3": Exercise("Ceil mode against padding on an odd size", _ex_2_3),
    "2.4": Exercise("The smallest input", _ex_2_4),
    "3.1": Exercise("MACs of a branch with its bottleneck", _ex_3_1),
    "3.2": Exercise("Weights of a branch without its bottleneck", _ex_3_2),
    "3.3": Exercise("What 1x3 + 3x1 saves", _ex_3_3),
    "4.1": Exercise("An Inception module by hand", _ex_4_1),
    "4.2": Exercise("Parameters of an auxiliary classifier", _ex_4_2),
    "5.1": Exercise("The seed recipe's learning rate", _ex_5_1),
    "5.2": Exercise("Steps per epoch", _ex_5_2),
    "5.3": Exercise("A recipe change", _ex_5_3),
    "6.1": Exercise("The last layer's width from two counts", _ex_6_1),
    "6.2": Exercise("The layout behind a parameter count", _ex_6_2),
}


def check(exercise: str, answer: Any) -> Feedback:
    """Check ``answer`` to ``exercise`` (e.g. ``"2.1"``) and say what is wrong, if anything."""
    if exercise not in EXERCISES:
        raise ValueError(f"unknown exercise {exercise!r}; the exercises are {', '.join(EXERCISES)}")
    if answer is ... or answer is None:
        raise NotImplementedError(f"exercise {exercise} is not answered yet: replace the ... in the cell above with your answer")
    try:
        ok, message = EXERCISES[exercise].checker(answer)
    except TypeError as exc:
        return Feedback(exercise, False, str(exc))
    return Feedback(exercise, ok, message)
