"""Table 1 of the paper beside our exact values, row by row (the data is in :mod:`.table1`),
and what the printed params column can and cannot tell us."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from .layers import LayerRow, LayerTable, layer_table
from .stem import separable_stem
from .table1 import PAPER_TOTAL_OPS, TABLE_1, PaperRow, paper_block, parse_count
from .tables import Table

#: The narrow views of :func:`compare_with_paper`, in the order of its columns.
PARTS: dict[str, tuple[str, ...]] = {
    "outputs": ("type", "paper output", "our output", "output matches"),
    "params": ("type", "paper params", "our weights", "weights - printed", "weights / printed"),
    "ops": ("type", "paper ops", "our MACs", "our MACs, rounded", "MACs / printed"),
}
#: Every ratio column shows three decimals (``1.000``, not ``1``).
RATIO_FORMATS = {"weights / printed": ".3f", "MACs / printed": ".3f"}

#: Source 000's figure for the whole network: "about 6.8 million" parameters.
SOURCE_000_PARAMS = 6.8e6

Rounding = Literal["nearest", "down"]


def _paper_table() -> LayerTable:
    return layer_table("inception-v1", aux_logits=False, batch_norm=False)


def _our_rows(row: PaperRow, table: LayerTable) -> list[LayerRow]:
    block = paper_block(row)
    if block is not None:
        return [r for r in table.layer_rows if r.block == block]
    return [r for r in table.layer_rows if r.name in row.ours]


def _fmt_shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"1x1x{shape[0]}"
    c, h, w = shape
    return f"{h}x{w}x{c}"


def _against(exact: int, printed: float | None) -> tuple[int | None, float | None]:
    """``exact - printed`` and ``exact / printed``; ``None`` where the paper prints nothing."""
    if not printed:
        return None, None
    return round(exact - printed), round(exact / printed, 3)


def _comparison_row(paper_row: PaperRow, ours: list[LayerRow], output: str) -> dict:
    weights, macs = sum(r.weights for r in ours), sum(r.macs for r in ours)
    weights_diff, weights_ratio = _against(weights, parse_count(paper_row.params))
    macs_diff, macs_ratio = _against(macs, parse_count(paper_row.ops))
    macs_rounded = written_like(macs, paper_row.ops) if paper_row.ops and ours else None
    return {
        "type": paper_row.type,
        "paper output": paper_row.output,
        "our output": output,
        "output matches": paper_row.output == output,
        "paper params": paper_row.params,
        "our weights": weights if ours else None,
        "weights - printed": weights_diff,
        "weights / printed": weights_ratio,
        "paper ops": paper_row.ops,
        "our MACs": macs if ours else None,
        "MACs - printed": macs_diff,
        "our MACs, rounded": macs_rounded,
        "MACs / printed": macs_ratio,
    }


def _totals_note(table: LayerTable) -> str:
    weights = sum(r.weights for r in table.layer_rows if r.main_path)
    return (
        f"exact total: {table.main_path_params:,} parameters with biases, {weights:,} weights, "
        f"{table.main_path_macs:,} MACs (paper: about {PAPER_TOTAL_OPS:.1e} multiply-adds)"
    )


def compare_with_paper() -> Table:
    """Table 1 row by row: the printed output, params and ops beside our exact values.

    ``weights`` are the convolution/linear weights only (no biases, no auxiliary heads);
    ``MACs`` are exact multiply-accumulates per image. The difference columns are exact minus
    printed (K read as 1,000, M as 1,000,000), the ratio columns exact / printed, and
    ``our MACs, rounded`` the exact MACs written as the ops cell is (to its last digit, a half
    rounded up): where it equals the printed cell, rounding explains the whole difference.
    Whether the paper's params include biases is not stated: :func:`unit_readings` weighs the
    evidence.
    """
    table = _paper_table()
    rows, shape = [], table.input_size
    for paper_row in TABLE_1:
        ours = _our_rows(paper_row, table)
        shape = ours[-1].out_shape if ours else shape
        rows.append(_comparison_row(paper_row, ours, _fmt_shape(shape)))
    columns = tuple(dict.fromkeys(c for part in PARTS.values() for c in part))
    return Table(
        columns,
        rows,
        title="Table 1 of the paper beside exact values (inception-v1, 224x224, no auxiliary heads)",
        notes=[_totals_note(table)],
        formats=RATIO_FORMATS,
    )


def comparison_part(part: str, comparison: Table | None = None) -> Table:
    """One narrow view of :func:`compare_with_paper`: ``"outputs"`` (every row), ``"params"`` or
    ``"ops"`` (the rows where the paper prints that count)."""
    comparison = compare_with_paper() if comparison is None else comparison
    columns = PARTS[part]
    rows = comparison.rows if part == "outputs" else [r for r in comparison if r[f"paper {part}"]]
    return Table(columns, rows, title=f"Table 1 beside exact values: {part}", formats=RATIO_FORMATS)


def printed_self_consistency(tolerance: float = 0.05) -> Table:
    """Each row with both counts printed: do its printed ops equal its printed params times the
    output positions, as they must for a convolution, within ``tolerance``?"""
    rows = []
    for paper_row in TABLE_1:
        params, ops = parse_count(paper_row.params), parse_count(paper_row.ops)
        if not (params and ops):
            continue
        positions = int(paper_row.output.split("x")[0]) ** 2
        implied = ops / params
        if abs(implied / positions - 1) <= tolerance:
            verdict = "printed params and ops agree"
        else:
            verdict = "printed params too low for the printed ops" if implied > positions else "printed params too high"
        rows.append({"type": paper_row.type, "H x W": positions, "printed ops / params": round(implied), "verdict": verdict})
    return Table(tuple(rows[0]), rows, title="Table 1 against itself: ops = params x output positions?")


def params_rows(separable: bool = True) -> list[dict]:
    """The rows with printed params: a short label, the printed cell, our weights and our
    parameters with biases. With ``separable`` conv1 is the separable stem of
    :mod:`gnet_lib.core.stem` (its biases as the dense layer's: one per output channel)."""
    table = _paper_table()
    out = []
    for paper_row in TABLE_1:
        if not paper_row.params:
            continue
        ours = _our_rows(paper_row, table)
        weights, params = sum(r.weights for r in ours), sum(r.params for r in ours)
        if separable and ours[0].name == "conv1":
            stem = separable_stem().weights
            weights, params = stem, params - weights + stem
        out.append({"row": paper_block(paper_row) or ours[-1].name, "printed": paper_row.params,
                    "weights": weights, "with biases": params})
    return out


#: The units of a printed count: Table 1 writes params in K and ops in M.
PRINTED_UNITS = {"K": 1000, "M": 1_000_000}


def _printed_number(cell: str) -> tuple[Fraction, Fraction]:
    """``"2.7K"`` -> (27/10, 1/10): the number in the cell's unit (K or M) and the step of its
    last digit."""
    if not cell or cell[-1] not in PRINTED_UNITS:
        raise ValueError(f"expected a count in K or M, such as '2.7K' or '34M', got {cell!r}")
    number = cell[:-1]
    return Fraction(number), Fraction(1, 10 ** len(number.partition(".")[2]))


def _rounded(x: Fraction, step: Fraction, rounding: Rounding) -> Fraction:
    """``x`` rounded to a multiple of ``step``: to the nearest (a half up) or down."""
    steps = x / step + (Fraction(1, 2) if rounding == "nearest" else 0)
    return (steps.numerator // steps.denominator) * step


def prints_as(exact: int, cell: str, unit: int, rounding: Rounding = "nearest") -> bool:
    """Whether ``exact / unit``, rounded to the precision of ``cell``, gives ``cell``.

    ``"nearest"`` rounds a half up, as is usual: 163,328 / 1024 = 159.5 exactly prints as 160K,
    not 159K (it gives 159K only rounded ``"down"``).
    """
    value, step = _printed_number(cell)
    return _rounded(Fraction(exact, unit), step, rounding) == value


def written_like(exact: int, cell: str) -> str:
    """``exact`` written as ``cell`` is written: in its unit (K or M), to its last digit, a half
    rounded up. ``written_like(73_608_192, "73M")`` is ``"74M"``."""
    step = _printed_number(cell)[1]
    rounded = _rounded(Fraction(exact, PRINTED_UNITS[cell[-1]]), step, "nearest")
    decimals = len(cell[:-1].partition(".")[2])
    return f"{float(rounded):.{decimals}f}{cell[-1]}"


def _distance(exact: int, cell: str, unit: int) -> Fraction:
    """How far ``exact / unit`` is from the number printed in ``cell``."""
    return abs(Fraction(exact, unit) - _printed_number(cell)[0])


def implied_units(separable: bool = True) -> Table:
    """For each printed params cell: the unit ("K") it implies, our weights divided by the
    printed number, and the range of units that print it when rounded to nearest."""
    rows = []
    for r in params_rows(separable):
        value, step = _printed_number(r["printed"])
        rows.append({"row": r["row"], "printed": r["printed"], "weights": r["weights"],
                     "implied unit": round(r["weights"] / float(value), 1),
                     "lowest unit": round(r["weights"] / float(value + step / 2), 1),
                     "highest unit": round(r["weights"] / float(value - step / 2), 1)})
    return Table(tuple(rows[0]), rows, title="What 'K' would have to mean for each printed params cell")


def unit_readings(units: tuple[int, ...] = (1000, 1024), separable: bool = True) -> Table:
    """How many printed params cells each reading reproduces exactly: weights or weights plus
    biases, divided by each unit, rounded to nearest or down."""
    rows_in = params_rows(separable)
    rows = []
    for count in ("weights", "with biases"):
        for unit in units:
            for rounding in ("nearest", "down"):
                hits = [r["row"] for r in rows_in if prints_as(r[count], r["printed"], unit, rounding)]
                rows.append({"count": count, "unit": unit, "rounding": rounding,
                             "cells reproduced": len(hits), "which": ", ".join(hits)})
    return Table(tuple(rows[0]), rows, title=f"Readings of the params column ({len(rows_in)} printed cells)")


def unit_scores(units: tuple[int, ...], separable: bool = True) -> Table:
    """For each unit: in how many rows ``weights / unit`` is closer to the printed number than
    ``weights / 1000``, and in how many it reproduces the cell (rounded to nearest)."""
    rows_in = params_rows(separable)
    rows = []
    for unit in units:
        closer = sum(_distance(r["weights"], r["printed"], unit) < _distance(r["weights"], r["printed"], 1000) for r in rows_in)
        exact = sum(prints_as(r["weights"], r["printed"], unit) for r in rows_in)
        rows.append({"unit": unit, "closer than 1000": closer, "cells reproduced": exact})
    return Table(tuple(rows[0]), rows, title=f"Is a unit 'closer' than 1000? ({len(rows_in)} printed cells)")


def printed_totals() -> Table:
    """The printed columns summed, beside the exact totals and source 000's figure."""
    table = _paper_table()
    printed_params = sum(parse_count(r.params) or 0 for r in TABLE_1)
    printed_ops = sum(parse_count(r.ops) or 0 for r in TABLE_1)
    weights = sum(r.weights for r in table.layer_rows if r.main_path)
    rows: list[dict[str, Any]] = [
        {"total": "Table 1's params column, summed", "params": round(printed_params), "MACs": None},
        {"total": "Table 1's ops column, summed", "params": None, "MACs": round(printed_ops)},
        {"total": "the paper's round figure", "params": None, "MACs": round(PAPER_TOTAL_OPS)},
        {"total": "source 000's figure", "params": round(SOURCE_000_PARAMS), "MACs": None},
        {"total": "exact (dense stem, no biases)", "params": weights, "MACs": table.main_path_macs},
    ]
    return Table(("total", "params", "MACs"), rows, title="The whole network: printed, quoted and exact")
