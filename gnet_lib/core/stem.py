"""The first convolution of GoogLeNet, dense or depthwise separable, beside Table 1's conv1 row.

Table 1 prints 2.7K params and 34M ops for the 7x7/2 convolution from 3 to 64 channels at
112x112, far below a dense convolution's count. A depthwise-separable 7x7 matches both: a
depthwise 7x7 that gives every input channel ``multiplier`` filters of its own, then a 1x1
(pointwise) convolution from the ``3 * multiplier`` channels to 64. TF-slim's Inception v2
builds its stem that way, with ``multiplier = min(64 // 3, 8) = 8``.
"""

from __future__ import annotations

from .bottleneck import Cost, conv_cost
from .table1 import TABLE_1, parse_count
from .tables import Table

#: conv1 as Table 1 specifies it: 3 -> 64 channels, 7x7 kernel, stride 2, 112x112 output.
C_IN, C_OUT, KERNEL, OUT_SIZE = 3, 64, 7, 112


def separable_cost(h: int, w: int, c_in: int, c_out: int, kernel: int, multiplier: int) -> Cost:
    """A depthwise ``kernel x kernel`` convolution (``multiplier`` filters per input channel)
    followed by a 1x1 convolution to ``c_out``, on an ``h x w`` output (biases not counted)."""
    depthwise = kernel * kernel * c_in * multiplier
    return Cost(h * w * depthwise, depthwise) + conv_cost(h, w, c_in * multiplier, c_out, 1)


def slim_multiplier(c_in: int = C_IN, c_out: int = C_OUT, cap: int = 8) -> int:
    """TF-slim's depth multiplier for the stem: as many filters per input channel as keeps
    ``c_in * multiplier <= c_out``, at most ``cap``."""
    return min(c_out // c_in, cap)


def separable_stem(multiplier: int | None = None) -> Cost:
    """conv1 as a depthwise-separable 7x7 with ``multiplier`` (TF-slim's by default)."""
    m = slim_multiplier() if multiplier is None else multiplier
    return separable_cost(OUT_SIZE, OUT_SIZE, C_IN, C_OUT, KERNEL, m)


def stem_costs(multiplier: int | None = None) -> dict[str, Cost]:
    """conv1 dense, and depthwise separable with ``multiplier`` (TF-slim's by default)."""
    m = slim_multiplier() if multiplier is None else multiplier
    return {
        "dense 7x7 (as specified)": conv_cost(OUT_SIZE, OUT_SIZE, C_IN, C_OUT, KERNEL),
        f"separable 7x7, multiplier {m}": separable_stem(m),
    }


def stem_comparison(multiplier: int | None = None) -> Table:
    """Both readings of conv1 beside Table 1's printed params and ops."""
    printed = TABLE_1[0]
    params, ops = parse_count(printed.params), parse_count(printed.ops)
    assert params and ops, "Table 1 prints conv1's params and ops"
    rows = [{"conv1": name, "weights": c.weights, f"weights / {printed.params}": round(c.weights / params, 3),
             "MACs": c.macs, f"MACs / {printed.ops}": round(c.macs / ops, 3)}
            for name, c in stem_costs(multiplier).items()]
    title = f"Table 1's conv1 row: which convolution has {printed.params} weights and {printed.ops} MACs?"
    ratios = (f"weights / {printed.params}", f"MACs / {printed.ops}")
    return Table(tuple(rows[0]), rows, title=title, formats=dict.fromkeys(ratios, ".3f"))


def multiplier_sweep(multipliers: range = range(1, 13)) -> Table:
    """The separable stem's weights and MACs for each depth multiplier, in the printed units."""
    rows = []
    for m in multipliers:
        c = separable_cost(OUT_SIZE, OUT_SIZE, C_IN, C_OUT, KERNEL, m)
        rows.append({"multiplier": m, "weights": c.weights, "in K": f"{c.weights / 1e3:.1f}K",
                     "MACs": c.macs, "in M": f"{c.macs / 1e6:.0f}M"})
    return Table(tuple(rows[0]), rows, title="separable 7x7 stem, 3 -> 64 channels at 112x112")
