"""Chapter 2's exercises (shapes and padding)."""

from __future__ import annotations

import math
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
from .checks import AnswerTypeError, Exercise, integer, number

#: Exercise 2.6: the stages whose activation memory is asked for.
STAGES = ("stem", "3", "4", "5")
#: Exercise 2.7: the input size at which TensorFlow's paddings are asked for.
TF_SIZE = 299


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
        raise AnswerTypeError("expected two numbers: (ceil mode without padding, padding 1 with floor)")
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
        except InputTooSmallError:
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


def _ex_2_7(answer: Any) -> tuple[bool, str]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 5 or any(len(p) != 2 for p in answer):
        raise AnswerTypeError("expected five (before, after) pairs: conv1, pool1, pool2, pool3, pool4")
    value = [tuple(int(number(v)) for v in pair) for pair in answer]
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


EXERCISES: dict[str, Exercise] = {
    "2.1": Exercise("conv1's output size", _ex_2_1),
    "2.2": Exercise("A pool in ceil mode", _ex_2_2),
    "2.3": Exercise("Ceil mode against padding on an odd size", _ex_2_3),
    "2.4": Exercise("The smallest input", _ex_2_4),
    "2.5": Exercise("The receptive field of 5b", _ex_2_5),
    "2.6": Exercise("Activation memory per stage", _ex_2_6),
    "2.7": Exercise(f"TensorFlow's SAME padding at {TF_SIZE}x{TF_SIZE}", _ex_2_7),
}
