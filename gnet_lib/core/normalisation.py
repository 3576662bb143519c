"""Local response normalisation (LRN) across channels: what it computes, and what it costs.

GoogLeNet's stem normalises twice (``lrn1`` after pool1, ``lrn2`` after conv2). At every pixel,
each channel's value is divided by a power of the sum of squares of the values in a window of
``size`` neighbouring channels at the same pixel:

    b_c = a_c / (k + alpha / size * sum of a_j ** 2 over the channels j of window(c)) ** beta

This is the convention of Caffe's LRN layer and of PyTorch's ``nn.LocalResponseNorm`` (alpha is
divided by the window size; AlexNet's paper writes the same formula without that division, with
k = 2). The window of channel ``c`` runs from ``c - size // 2`` to ``c + (size - 1) // 2``, cut at
the first and the last channel (the zero padding of both libraries adds nothing to the sum).

LRN has no weights, so the layer table (:mod:`gnet_lib.core.layers`) gives it no parameters and no
MACs, as PyTorch's FLOP counter does. :func:`lrn_cost` counts its arithmetic, in two ways:
the formula as written, and the way Caffe's CPU layer computes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .architectures import get_spec
from .errors import UsageError
from .layers import layer_table
from .specs import LRN
from .tables import Table

#: How the arithmetic is counted: "formula", every window sum computed afresh as the formula
#: reads; "sliding", as Caffe's CPU layer does it (each value squared once, each channel's window
#: sum updated from the previous channel's by adding the square that enters and taking away the
#: square that leaves).
Method = Literal["formula", "sliding"]
#: The settings of both LRN layers of the paper's network as the book builds it (the spec's
#: defaults): Caffe's bvlc_googlenet model uses size 5, alpha 1e-4, beta 0.75 (and Caffe's k, 1).
GOOGLENET_LRN = LRN("lrn")


def _check_layer(layer: LRN) -> None:
    if isinstance(layer.size, bool) or not isinstance(layer.size, int) or layer.size < 1:
        raise UsageError(f"an LRN window must be a positive whole number of channels, got size={layer.size!r}")


def lrn_window(channel: int, channels: int, size: int) -> range:
    """The channels whose squares enter channel ``channel``'s sum, out of ``channels``.

    >>> list(lrn_window(0, 64, 5)), list(lrn_window(10, 64, 5))
    ([0, 1, 2], [8, 9, 10, 11, 12])
    """
    if not 0 <= channel < channels:
        raise UsageError(f"channel {channel} is not one of the {channels} channels (0 to {channels - 1})")
    return range(max(0, channel - size // 2), min(channels, channel + (size - 1) // 2 + 1))


def local_response_norm(values: Sequence[float], layer: LRN = GOOGLENET_LRN) -> list[float]:
    """LRN of one pixel: ``values`` holds its channels in order; returns the normalised values.

    >>> [round(v, 3) for v in local_response_norm([0.0, 100.0, 0.0])]
    [0.0, 87.22, 0.0]
    """
    _check_layer(layer)
    if not values:
        raise UsageError("a pixel needs at least one channel")
    squares = [float(v) * float(v) for v in values]
    out = []
    for c, value in enumerate(values):
        window_sum = sum(squares[j] for j in lrn_window(c, len(values), layer.size))
        out.append(value / (layer.k + layer.alpha / layer.size * window_sum) ** layer.beta)
    return out


@dataclass(frozen=True)
class LRNCost:
    """The arithmetic of one LRN layer for one image.

    ``macs``: multiply-accumulates (a square added into a window sum; with the formula also
    ``k + alpha / size * sum``, one multiply and one add); ``multiplies``: lone multiplications (the
    final ``a * scale ** -beta``; in the sliding count also each value's square); ``powers``:
    evaluations of ``scale ** -beta``, one per value, each costing far more than a multiply."""

    values: int
    macs: int
    multiplies: int
    powers: int

    @property
    def macs_per_value(self) -> float:
        return self.macs / self.values


def lrn_cost(shape: tuple[int, ...], layer: LRN = GOOGLENET_LRN, method: Method = "formula") -> LRNCost:
    """What one LRN layer computes on a ``(C, H, W)`` map, counted by ``method``.

    ``"formula"``: every value's window sum from scratch, one MAC per channel in its window (the
    windows of the first and last channels are shorter), then one MAC for ``k + alpha / size *
    sum``, one power and one multiply per value.

    ``"sliding"`` (Caffe's ``CrossChannelForward_cpu``): one square per value; the first channel's
    sum adds ``size`` squares of the zero-padded channels (alpha / size folded into each add), and
    every further channel's sum is the previous one plus the entering square minus the leaving
    one (two MACs); then one power and one multiply per value.
    """
    _check_layer(layer)
    if len(shape) != 3 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in shape):
        raise UsageError(f"an LRN layer's map must be (C, H, W) with positive whole numbers, got {shape!r}")
    channels, h, w = shape
    pixels, values = h * w, channels * h * w
    if method == "formula":
        terms = sum(len(lrn_window(c, channels, layer.size)) for c in range(channels))
        return LRNCost(values, pixels * terms + values, values, values)
    if method == "sliding":
        return LRNCost(values, pixels * (layer.size + 2 * (channels - 1)), 2 * values, values)
    raise UsageError(f"unknown counting method {method!r}; use 'formula' or 'sliding'")


def stem_arithmetic(name: str = "inception-v1", **options: Any) -> Table:
    """The stem of a model (its layers before the first Inception module), layer by layer: each convolution's weights and MACs beside each LRN
    layer's arithmetic (:func:`lrn_cost`, the formula as written), and each layer's share of the
    stem's MACs. Pools are listed with no count (their comparisons are not arithmetic)."""
    spec = get_spec(name, **options)
    lrns = {layer.name: layer for layer in spec.layers if isinstance(layer, LRN)}
    table = layer_table(spec)
    first_module = next((i for i, r in enumerate(table.layer_rows) if r.block != "stem"), len(table.layer_rows))
    stem = table.layer_rows[:first_module]
    rows: list[dict[str, Any]] = []
    for r in stem:
        row: dict[str, Any] = {"layer": r.name, "kind": r.kind, "output": r.out_shape, "weights": r.weights,
                               "MACs": r.macs, "powers": None, "multiplies": None}
        if r.name in lrns:
            cost = lrn_cost(r.out_shape, lrns[r.name])
            row.update({"MACs": cost.macs, "powers": cost.powers, "multiplies": cost.multiplies})
        elif r.kind.endswith("pool"):
            row["MACs"] = None
        rows.append(row)
    total = sum(row["MACs"] or 0 for row in rows)
    for row in rows:
        row["share of MACs"] = None if row["MACs"] is None else round(row["MACs"] / total, 4)
    return Table(("layer", "kind", "output", "weights", "MACs", "share of MACs", "powers", "multiplies"), rows,
                 title=f"{spec.title}: the stem's arithmetic per image, LRN counted as its formula reads",
                 notes=[("LRN MACs: one per channel in each value's window (a square added to the sum), plus one "
                         "for k + alpha/size * sum; powers: scale ** -beta, one per value; multiplies: a * that power")],
                 formats={"share of MACs": ".4f"})
