"""Table 1 of the paper beside our exact values, row by row (the data is in :mod:`.table1`)."""

from __future__ import annotations

from .layers import LayerTable
from .models import layer_table
from .table1 import PAPER_TOTAL_OPS, TABLE_1, PaperRow, paper_block, parse_count
from .tables import Table


def _our_rows(row: PaperRow, table: LayerTable) -> list:
    block = paper_block(row)
    if block is not None:
        return [r for r in table.layer_rows if r.block == block]
    return [r for r in table.layer_rows if r.name in row.ours]


def _fmt_shape(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return f"1x1x{shape[0]}"
    c, h, w = shape
    return f"{h}x{w}x{c}"


def compare_with_paper() -> Table:
    """Table 1 row by row: the printed output, params and ops beside our exact values.

    ``weights`` are the convolution/linear weights only (what the paper counts: no biases,
    no auxiliary heads); ``MACs`` are exact multiply-accumulates per image. The difference
    columns are exact minus printed (K read as 1,000, M as 1,000,000), the ratio columns
    exact / printed.
    """
    table = layer_table("inception-v1", aux_logits=False, batch_norm=False)
    rows = []
    shape = table.input_size
    for paper_row in TABLE_1:
        ours = _our_rows(paper_row, table)
        shape = ours[-1].out_shape if ours else shape
        output = _fmt_shape(shape)
        weights = sum(r.weights for r in ours)
        macs = sum(r.macs for r in ours)
        printed_params, printed_ops = parse_count(paper_row.params), parse_count(paper_row.ops)
        rows.append(
            {
                "type": paper_row.type,
                "paper output": paper_row.output,
                "our output": output,
                "output matches": paper_row.output == output,
                "paper params": paper_row.params,
                "our weights": weights if ours else None,
                "weights - printed": round(weights - printed_params) if printed_params else None,
                "weights / printed": round(weights / printed_params, 3) if printed_params else None,
                "paper ops": paper_row.ops,
                "our MACs": macs if ours else None,
                "MACs - printed": round(macs - printed_ops) if printed_ops else None,
                "MACs / printed": round(macs / printed_ops, 3) if printed_ops else None,
            }
        )
    columns = (
        "type",
        "paper output",
        "our output",
        "output matches",
        "paper params",
        "our weights",
        "weights - printed",
        "weights / printed",
        "paper ops",
        "our MACs",
        "MACs - printed",
        "MACs / printed",
    )
    total_macs = table.main_path_macs
    return Table(
        columns,
        rows,
        title="Table 1 of the paper beside exact values (inception-v1, 224x224, no auxiliary heads)",
        notes=[
            f"exact total: {table.main_path_params:,} parameters with biases, "
            f"{sum(r.weights for r in table.layer_rows if r.main_path):,} weights, "
            f"{total_macs:,} MACs (paper: about {PAPER_TOTAL_OPS:.1e} multiply-adds)"
        ],
    )
