"""Chapter 1's exercises (the Inception idea)."""

from __future__ import annotations

from typing import Any

from ..architectures import get_spec
from .checks import Exercise, integer


def _ex_1_1(answer: Any) -> tuple[bool, str]:
    m = get_spec("inception-v1").inceptions[6]  # 4e
    expected = m.n1x1 + m.n3x3 + m.n5x5 + m.pool_proj
    return integer(answer, {
        expected + m.n3x3_reduce + m.n5x5_reduce: "you added the reduction widths too: those 1x1 layers feed the 3x3 "
                                                  "and 5x5 convolutions, their outputs are not concatenated",
        expected - m.pool_proj: "you left out the pool branch: its 1x1 projection is concatenated too",
        m.in_channels: "that is the module's input width, not its output",
    }, expected, "the output width of inception (4e)")


def _ex_1_2(answer: Any) -> tuple[bool, str]:
    m = get_spec("inception-v1").inceptions[0]  # 3a
    expected = m.n1x1 + m.n3x3 + m.n5x5 + m.in_channels
    return integer(answer, {
        m.n1x1 + m.n3x3 + m.n5x5: "the naive module's pool branch has no projection: the pooled input, with all its "
                                  "channels, is concatenated too",
        m.n1x1 + m.n3x3 + m.n5x5 + m.pool_proj: "the naive module has no pool projection; what width does the "
                                                "pooled input keep?",
    }, expected, "the naive module's output width")


def _ex_1_3(answer: Any) -> tuple[bool, str]:
    weights = 192 * 64
    return integer(answer, {
        weights: "the weights are right, but every output channel also has a bias",
        9 * weights + 64: "that is a 3x3 convolution; a 1x1 kernel has one weight per input channel",
        28 * 28 * weights: "those are MACs on a 28x28 map; parameters do not depend on the map size",
    }, weights + 64, "the parameter count of that 1x1 convolution")


EXERCISES: dict[str, Exercise] = {
    "1.1": Exercise("Output width of inception (4e)", _ex_1_1),
    "1.2": Exercise("Output width of a naive module", _ex_1_2),
    "1.3": Exercise("Parameters of a 1x1 convolution", _ex_1_3),
}
