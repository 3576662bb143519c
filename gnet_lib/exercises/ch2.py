"""Chapter 2's exercises (shapes and padding)."""

from __future__ import annotations

from typing import Any

from ..models import layer_table
from ..shapes import output_size
from .checks import Exercise, integer, number


def _ex_2_1(answer: Any) -> tuple[bool, str]:
    expected = output_size(224, 7, 2, 3)
    return integer(answer, {
        output_size(224, 7, 2, 0): "you left out the padding of 3 on each side",
        output_size(224, 7, 2, 3) - 1: "you forgot the +1 (the first window is at position 0)",
        output_size(224, 7, 1, 3): "the stride is 2: divide before adding 1",
        output_size(224, 7, 2, 3, ceil_mode=True): "round down: a convolution uses floor",
    }, expected, "conv1's output size")


def _ex_2_2(answer: Any) -> tuple[bool, str]:
    expected = output_size(56, 3, 2, 0, ceil_mode=True)
    return integer(answer, {
        output_size(56, 3, 2, 0, ceil_mode=False): "you used floor where this pool uses ceil mode",
        output_size(56, 3, 2, 1, ceil_mode=True): "this pool has no padding",
        output_size(56, 3, 1, 0, ceil_mode=True): "the stride is 2",
    }, expected, "the pool's output size")


def _ex_2_3(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise TypeError("expected two numbers: (ceil mode without padding, padding 1 with floor)")
    ceil_ans, pad_ans = (int(number(a)) for a in answer)
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
    n = int(number(answer))
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


EXERCISES: dict[str, Exercise] = {
    "2.1": Exercise("conv1's output size", _ex_2_1),
    "2.2": Exercise("A pool in ceil mode", _ex_2_2),
    "2.3": Exercise("Ceil mode against padding on an odd size", _ex_2_3),
    "2.4": Exercise("The smallest input", _ex_2_4),
}
