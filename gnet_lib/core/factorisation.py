"""Factorising convolutions (BN-Inception, Inception v3) and reducing the grid, in exact integers.

A factorisation replaces one convolution ``c_in -> c_out`` by two stacked ones
``c_in -> c_mid -> c_out``. With kernels of ``big`` taps before and ``first`` and ``second``
taps after, it saves weights (and MACs, at the same output size) exactly when

    c_mid * (first * c_in + second * c_out) < big * c_in * c_out,

so for a 5x5 as two 3x3 ``9 m (a + b) < 25 a b`` and for a 3x3 as 1x3 then 3x1
``3 m (a + b) < 9 a b``: whether it saves depends on all three widths, not on the middle
one alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .bottleneck import Cost, conv_cost
from .specs import Pair
from .tables import Table


@dataclass(frozen=True)
class Factorisation:
    """One convolution of kernel ``big`` replaced by ``first`` then ``second``."""

    name: str
    big: Pair
    first: Pair
    second: Pair

    def costs(self, c_in: int, c_mid: int, c_out: int, h: int = 1, w: int = 1) -> tuple[Cost, Cost]:
        """The convolution and its factorised replacement on an ``h x w`` output."""
        before = conv_cost(h, w, c_in, c_out, *self.big)
        after = conv_cost(h, w, c_in, c_mid, *self.first) + conv_cost(h, w, c_mid, c_out, *self.second)
        return before, after

    def ratio(self, c_in: int, c_mid: int, c_out: int) -> float:
        """Weights (or MACs) of the replacement over those of the convolution it replaces."""
        before, after = self.costs(c_in, c_mid, c_out)
        return after.weights / before.weights

    def saves(self, c_in: int, c_mid: int, c_out: int) -> bool:
        """Whether the replacement holds fewer weights than the convolution it replaces."""
        before, after = self.costs(c_in, c_mid, c_out)
        return after.weights < before.weights

    def widest_saving_middle(self, c_in: int, c_out: int) -> int:
        """The largest ``c_mid`` for which the replacement still saves weights (0 if none)."""
        big = self.big[0] * self.big[1]
        first, second = self.first[0] * self.first[1], self.second[0] * self.second[1]
        return (big * c_in * c_out - 1) // (first * c_in + second * c_out)


FIVE_AS_TWO_THREES = Factorisation("5x5 as 3x3 then 3x3", (5, 5), (3, 3), (3, 3))
THREE_AS_ASYMMETRIC = Factorisation("3x3 as 1x3 then 3x1", (3, 3), (1, 3), (3, 1))
SEVEN_AS_ASYMMETRIC = Factorisation("7x7 as 1x7 then 7x1", (7, 7), (1, 7), (7, 1))
FACTORISATIONS = (FIVE_AS_TWO_THREES, THREE_AS_ASYMMETRIC, SEVEN_AS_ASYMMETRIC)


def factorisations(c_in: int, c_out: int, c_mid: int | None = None, h: int = 1, w: int = 1) -> Table:
    """Each factorisation of :data:`FACTORISATIONS` for ``c_in -> c_mid -> c_out`` channels
    (``c_mid = c_out`` unless given) on an ``h x w`` output: weights, MACs and the saving.

    With ``c_in == c_mid == c_out`` the savings are 1 - 18/25 = 28%, 1 - 6/9 = 33% and
    1 - 14/49 = 71%; with other widths they differ, and can be negative.
    """
    mid = c_out if c_mid is None else c_mid
    rows = []
    for f in FACTORISATIONS:
        before, after = f.costs(c_in, mid, c_out, h, w)
        rows.append({"factorisation": f.name, "weights before": before.weights, "weights after": after.weights,
                     "MACs before": before.macs, "MACs after": after.macs,
                     "saving": round(1 - after.weights / before.weights, 4)})
    return Table(tuple(rows[0]), rows, title=f"factorising a convolution {c_in} -> {mid} -> {c_out} channels at {h}x{w}",
                 formats={"saving": ".3f"})


def verdicts(f: Factorisation, widths: Iterable[tuple[int, int, int]]) -> Table:
    """For each ``(c_in, c_mid, c_out)``: is the middle wider than the input, and does ``f`` save?"""
    rows = []
    for a, m, b in widths:
        before, after = f.costs(a, m, b)
        rows.append({"widths a -> m -> b": f"{a} -> {m} -> {b}", "m > a": m > a, "weights before": before.weights,
                     "weights after": after.weights, "saves": f.saves(a, m, b),
                     "widest saving m": f.widest_saving_middle(a, b)})
    return Table(tuple(rows[0]), rows, title=f"{f.name}: the verdict depends on all three widths")


def parallel_split(c_in: int, c_out: int, n: int, h: int = 1, w: int = 1) -> Table:
    """Inception v3's expanded block: a ``1 x n`` and an ``n x 1`` convolution side by side on
    the same input, concatenated to ``2 * c_out`` channels, against the ``n x n`` convolution
    that gives as many channels and against the stacked pair that gives half as many."""
    options = {
        f"{n}x{n} to {2 * c_out}": (conv_cost(h, w, c_in, 2 * c_out, n), 2 * c_out),
        f"1x{n} then {n}x1 (stacked)": (conv_cost(h, w, c_in, c_out, 1, n) + conv_cost(h, w, c_out, c_out, n, 1), c_out),
        f"1x{n} beside {n}x1 (concatenated)": (conv_cost(h, w, c_in, c_out, 1, n) + conv_cost(h, w, c_in, c_out, n, 1), 2 * c_out),
    }
    rows = [{"block": name, "output channels": out, "weights": cost.weights, "MACs": cost.macs}
            for name, (cost, out) in options.items()]
    return Table(tuple(rows[0]), rows, title=f"from {c_in} channels at {h}x{w}: a wider output for fewer weights")


def grid_reduction_options(d: int, k: int, kernel: int = 3) -> Table:
    """Three ways from a ``d x d x k`` map to a ``d/2 x d/2 x 2k`` one (Inception v3, section 5).

    ``kernel`` is the convolution's size; with ``kernel=1`` the first two options cost the
    paper's ``2 d^2 k^2`` and ``2 (d/2)^2 k^2`` MACs. "Narrowest" is the smallest number of
    values per image on the way, input and output included: a drop there is the
    representational bottleneck the paper warns of.
    """
    half = d // 2
    conv_then_pool = conv_cost(d, d, k, 2 * k, kernel)
    pool_then_conv = conv_cost(half, half, k, 2 * k, kernel)
    side_by_side = conv_cost(half, half, k, k, kernel)
    start, end = d * d * k, half * half * 2 * k
    options = {
        "conv (stride 1) to 2k, then pool": (conv_then_pool, min(start, d * d * 2 * k, end)),
        "pool, then conv to 2k": (pool_then_conv, min(start, half * half * k, end)),
        "stride-2 conv to k beside a stride-2 pool": (side_by_side, min(start, end)),
    }
    rows = [{"option": name, "MACs": cost.macs, "MACs / first": round(cost.macs / conv_then_pool.macs, 3),
             "weights": cost.weights, "narrowest (values)": narrowest}
            for name, (cost, narrowest) in options.items()]
    return Table(tuple(rows[0]), rows, title=f"{d}x{d}x{k} -> {half}x{half}x{2 * k} with {kernel}x{kernel} convolutions",
                 formats={"MACs / first": ".3f"})
