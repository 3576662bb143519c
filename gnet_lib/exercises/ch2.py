"""Chapter 2's exercises (shapes and padding)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..core.anatomy import row_stages
from ..core.architectures import get_spec
from ..core.errors import InputTooSmallError
from ..core.geometry import (
    receptive_fields,
    stride_two_rows,
    tensor_bytes,
    tf_same_output,
    tf_same_padding,
)
from ..core.layers import layer_table
from ..core.shapes import output_size
from .checks import AnswerTypeError, Exercise, integer, number, whole_number

#: Exercise 2.1: the input size at which the stem's sizes are asked for, under both pool conventions.
STEM_SIZE = 227
#: Exercise 2.6: the stages whose activation memory is asked for.
STAGES = ("stem", "3", "4", "5")
#: Exercise 2.2: the input size at which TensorFlow's paddings are asked for.
TF_SIZE = 299


def _stem_sizes(size: int, pool_rounding: str) -> list[int]:
    """The output side of conv1 and pool1 ... pool4 at a ``size`` x ``size`` input, as built with
    ``pool_rounding``."""
    rows = stride_two_rows(layer_table("inception-v1", (3, size, size), aux_logits=False,
                                       pool_rounding=pool_rounding).layer_rows)
    return [r.out_shape[1] for r in rows]


def _chain(first: int, step: Callable[[int], int]) -> list[int]:
    """conv1's output, then the four pools, each applying ``step`` to the size before it."""
    sizes = [first]
    for _ in range(4):
        sizes.append(step(sizes[-1]))
    return sizes


def _size_list(values: Any, which: str) -> list[int]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)) or len(values) != 5:
        raise AnswerTypeError(f"{which}: expected five sizes, for conv1, pool1, pool2, pool3 and pool4")
    return [whole_number(v) for v in values]


def _ex_2_1(answer: Any) -> tuple[bool, str]:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)) or len(answer) != 2:
        raise AnswerTypeError("expected a pair of lists: (ceil mode without padding, padding 1 with floor)")
    ceil_ans, pad_ans = _size_list(answer[0], "the first list"), _size_list(answer[1], "the second list")
    ceil_ok, pad_ok = _stem_sizes(STEM_SIZE, "ceil"), _stem_sizes(STEM_SIZE, "pad")
    if (ceil_ans, pad_ans) == (ceil_ok, pad_ok):
        return True, "the two conventions part at the first pool that receives an odd size."
    if (ceil_ans, pad_ans) == (pad_ok, ceil_ok):
        return False, "your two lists are swapped: the first is ceil mode without padding, the second padding 1 with floor"
    if ceil_ans[0] != ceil_ok[0] or pad_ans[0] != pad_ok[0]:
        if output_size(STEM_SIZE, 7, 2, 0) in (ceil_ans[0], pad_ans[0]):
            return False, "for conv1 you left out its padding of 3 on each side"
        if output_size(STEM_SIZE, 7, 2, 3) - 1 in (ceil_ans[0], pad_ans[0]):
            return False, "for conv1 you forgot the +1 (the first window starts at position 0)"
        return False, "the size after conv1 is not right yet: (n + 2p - k) / s, rounded down, plus 1"
    if ceil_ans == pad_ans:
        return False, "your two lists are the same; do the two conventions give the same size for an odd input?"
    if ceil_ans != ceil_ok:
        if ceil_ans == _chain(ceil_ok[0], lambda n: output_size(n, 3, 2, 0)):
            return False, "the first list: you rounded (n - 3) / 2 down (floor); a pool in ceil mode rounds it up"
        return False, "the first list is not right yet: each pool reads the size the layer before it gives, ceil((n - 3) / 2) + 1"
    if pad_ans == _chain(pad_ok[0], lambda n: output_size(n, 3, 2, 1, ceil_mode=True)):
        return False, "the second list: with padding 1 the pool rounds down (floor), as a convolution does"
    return False, "the second list is not right yet: each pool reads the size the layer before it gives, floor((n + 2 - 3) / 2) + 1"


def _smallest_input() -> int:
    for n in range(1, 512):
        try:
            layer_table("inception-v1", input_size=(3, n, n), aux_logits=False)
            return n
        except InputTooSmallError:
            continue
    raise AssertionError("inception-v1 accepts no input below 512")


def _ex_2_3(answer: Any) -> tuple[bool, str]:
    n = whole_number(answer)
    expected = _smallest_input()
    if n == expected:
        return True, ""
    if n < 1:
        return False, f"an image is at least one pixel a side; {n} is no input size"
    if n < expected:
        try:
            layer_table("inception-v1", input_size=(3, n, n), aux_logits=False)
        except InputTooSmallError as exc:
            return False, f"{n}x{n} is too small: {exc.layer} would produce an empty output"
        return False, f"{n}x{n} is too small"
    return False, f"{n}x{n} works, but so does a smaller input; search downwards"


def _rf_variant(module_kernel: int, scale_by_jump: bool = True, jump_after: bool = False) -> int:
    """The receptive field after 5b, computed right or with one typical slip."""
    size, jump = 1, 1
    for rf in receptive_fields(get_spec("inception-v1")):
        kernel = module_kernel if rf.layer[0].isdigit() else rf.kernel
        step = (jump * rf.stride if jump_after else jump) if scale_by_jump else 1
        size += (kernel - 1) * step
        jump *= rf.stride
    return size


def _ex_2_5(answer: Any) -> tuple[bool, str]:
    expected = receptive_fields(get_spec("inception-v1"))[-1].size
    return integer(answer, {
        _rf_variant(3): "a module's widest path runs through its 5x5 convolution, not a 3x3",
        _rf_variant(5, scale_by_jump=False): "each layer adds (k - 1) times the jump, the distance in input pixels "
                                              "between neighbouring positions of the map it reads",
        _rf_variant(5, jump_after=True): "a layer's (k - 1) is multiplied by the jump of the map it reads, before its own stride",
        224: "that is the input crop, which the paper calls its receptive field; the theoretical one of 5b is larger",
    }, expected, "the receptive field of 5b")


def _stage_bytes(values_only: bool = False, outputs_only: bool = False) -> dict[str, int]:
    """fp32 bytes (or values) that the layers of each stage write for one image at 224x224 (the pools
    between stages and the head left out, as the exercise says)."""
    totals = dict.fromkeys(STAGES, 0)
    rows = layer_table("inception-v1", aux_logits=False).layer_rows
    for row, (stage, between) in zip(rows, row_stages(rows), strict=True):
        if stage in totals and not between and not (outputs_only and stage != "stem" and row.kind != "concat"):
            totals[stage] += tensor_bytes(row.out_shape, 1 if values_only else 4)
    return totals


def _ex_2_6(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, dict) or set(answer) != set(STAGES):
        raise AnswerTypeError(f"expected a dict with the keys {', '.join(repr(k) for k in STAGES)}")
    expected, values, outputs = _stage_bytes(), _stage_bytes(values_only=True), _stage_bytes(outputs_only=True)
    for stage in STAGES:
        got = number(answer[stage])
        if got == expected[stage]:
            continue
        if got == values[stage]:
            return False, f"stage {stage}: that counts values; an fp32 value takes 4 bytes"
        if math.isclose(got, expected[stage] / 2**20, rel_tol=1e-3) or math.isclose(got, expected[stage] / 1e6, rel_tol=1e-3):
            return False, f"stage {stage}: give bytes, not MiB or MB"
        if got == outputs[stage]:
            return False, f"stage {stage}: you counted the concatenations only; every layer inside a module writes its output too"
        return False, f"stage {stage} is not right yet; add C x H x W x 4 over every layer of the stage"
    return True, ""


def _tf_chain(sizes: list[int]) -> list[tuple[int, int]]:
    """TensorFlow's padding of each stride-2 layer, given the size each one reads."""
    rows = stride_two_rows(layer_table("inception-v1", aux_logits=False).layer_rows)
    windows = [r.window() for r in rows]
    return [tf_same_padding(n, kernel[0], stride) for n, (kernel, stride, _) in zip(sizes, windows)]


def _tf_sizes(size: int, step) -> list[int]:
    sizes = [size]
    for _ in range(4):
        sizes.append(step(sizes[-1]))
    return sizes


def _ex_2_2(answer: Any) -> tuple[bool, str]:
    if (not isinstance(answer, (tuple, list)) or len(answer) != 5
            or any(not isinstance(p, (tuple, list)) or len(p) != 2 for p in answer)):
        raise AnswerTypeError("expected a list of five (before, after) pairs, one pair per layer: conv1, pool1, pool2, "
                              "pool3, pool4")
    value = [tuple(whole_number(v) for v in pair) for pair in answer]
    expected = _tf_chain(_tf_sizes(TF_SIZE, lambda n: tf_same_output(n, 2)))
    if value == expected:
        return True, ""
    if value == [(b, a) for a, b in expected]:
        return False, "TensorFlow puts the odd pixel after the input (bottom, right), not before"
    if all(before == after for before, after in value):
        return False, "that is symmetric, PyTorch-style padding; SAME pads only what the last window needs, odd pixel after"
    ceil_mode_sizes = [TF_SIZE] + [r.out_shape[1] for r in stride_two_rows(
        layer_table("inception-v1", input_size=(3, TF_SIZE, TF_SIZE), aux_logits=False).layer_rows)][:4]
    if value == _tf_chain(ceil_mode_sizes):
        return False, "you followed the sizes of PyTorch's ceil mode; a TensorFlow layer gives ceil(n / 2) outputs"
    if value == _tf_chain(_tf_sizes(TF_SIZE, lambda n: n // 2)):
        return False, "a TensorFlow SAME layer rounds n / 2 up, not down"
    return False, "follow the size through the chain: each layer reads what the one before gives, ceil(n / 2)"


#: Exercises answered in words, with a worked model answer in the hidden solution (no checker).
OPEN_EXERCISES = ("2.4",)

EXERCISES: dict[str, Exercise] = {
    "2.1": Exercise(f"The stem at {STEM_SIZE}x{STEM_SIZE}, both pool conventions", _ex_2_1),
    "2.2": Exercise(f"TensorFlow's SAME padding at {TF_SIZE}x{TF_SIZE}", _ex_2_2),
    "2.3": Exercise("The smallest input", _ex_2_3),
    "2.5": Exercise("The receptive field of 5b", _ex_2_5),
    "2.6": Exercise("Activation memory per stage", _ex_2_6),
}
