"""Check the analytic layer table against the real PyTorch model.

For every row of :func:`gnet_lib.layer_table`, the module it names is measured three ways:
its output shape (a forward hook), its parameters (``parameters()``) and its MACs
(``torch.utils.flop_counter.FlopCounterMode``, which counts 2 FLOPs per multiply-accumulate
of convolutions and linear layers).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from ..core.architectures import get_spec
from ..core.layers import LayerRow, LayerTable, layer_table
from ..core.tables import Table
from .builder import build_network


def leaf_modules(model: nn.Module) -> Counter[str]:
    """How many modules of each type ``model`` is built from (modules without children)."""
    return Counter(type(m).__name__ for m in model.modules() if next(m.children(), None) is None)


@dataclass(frozen=True)
class Measured:
    """What the real module gave for one row."""

    row: LayerRow
    shape: tuple[int, ...]
    params: int
    macs: int
    expected_params: int
    expected_macs: int

    @property
    def ok(self) -> bool:
        return self.shape == self.row.out_shape and self.params == self.expected_params and self.macs == self.expected_macs


def _expected(table: LayerTable, row: LayerRow) -> tuple[int, int]:
    """A concat row's module is the whole Inception block: expect the block's sums."""
    if row.kind != "concat":
        return row.params, row.macs
    block = [r for r in table.layer_rows if r.block == row.block]
    return sum(r.params for r in block), sum(r.macs for r in block)


def measure(table: LayerTable, model: nn.Module, batch: int = 2) -> list[Measured]:
    """Run ``model`` once (training mode, so auxiliary heads run too) and measure each row."""
    shapes: dict[str, tuple[int, ...]] = {}
    handles = []
    for row in table.layer_rows:
        module = model.get_submodule(row.module)

        def hook(_m: nn.Module, _inp: Any, out: torch.Tensor, key: str = row.module) -> None:
            shapes[key] = tuple(out.shape[1:])

        handles.append(module.register_forward_hook(hook))
    x = torch.randn(batch, *table.input_size)
    model.train()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(x)
    finally:
        for h in handles:
            h.remove()
    prefix = type(model).__name__
    flops = {k: sum(v.values()) for k, v in counter.get_flop_counts().items()}
    out = []
    for row in table.layer_rows:
        module = model.get_submodule(row.module)
        expected_params, expected_macs = _expected(table, row)
        out.append(
            Measured(
                row=row,
                shape=shapes[row.module],
                params=sum(p.numel() for p in module.parameters()),
                macs=flops.get(f"{prefix}.{row.module}", 0) // (2 * batch),
                expected_params=expected_params,
                expected_macs=expected_macs,
            )
        )
    return out


def check_model(
    name: str,
    input_size: tuple[int, ...] | None = None,
    num_classes: int | None = None,
    **options: Any,
) -> Table:
    """Build ``name`` and compare every row of its layer table with the real module.

    The returned table has one row per layer plus a ``total`` row (the model's
    ``parameters()`` and ``FlopCounterMode``'s total against the table's totals); its
    ``ok`` column is ``True`` where all three measurements agree exactly.
    """
    torch.manual_seed(0)
    spec = get_spec(name, **options)
    table = layer_table(spec, input_size=input_size, num_classes=num_classes)
    model = build_network(spec, num_classes, table.input_size)
    results = measure(table, model)
    rows: list[dict[str, Any]] = [
        {
            "name": m.row.name,
            "table shape": m.row.out_shape,
            "hook shape": m.shape,
            "table params": m.expected_params,
            "model params": m.params,
            "table MACs": m.expected_macs,
            "counted MACs": m.macs,
            "ok": m.ok,
        }
        for m in results
    ]
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model.train()(torch.randn(2, *table.input_size))
    total_params = sum(p.numel() for p in model.parameters())
    total_macs = counter.get_total_flops() // 4
    rows.append(
        {
            "name": "total",
            "table params": table.total_params,
            "model params": total_params,
            "table MACs": table.total_macs,
            "counted MACs": total_macs,
            "ok": total_params == table.total_params and total_macs == table.total_macs,
        }
    )
    columns = ("name", "table shape", "hook shape", "table params", "model params", "table MACs", "counted MACs", "ok")
    n_ok = sum(r["ok"] for r in rows)
    return Table(columns, rows, title=f"{table.title}: analytic table against the real model",
                 notes=[f"{n_ok} of {len(rows)} rows agree exactly"])
