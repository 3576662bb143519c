"""The paper's Table 1 as printed: the data the paper network is built from.

Szegedy et al., "Going deeper with convolutions" (CVPR 2015), Table 1. The cells are kept
as printed (strings such as ``"2.7K"``) so that nothing is silently "corrected";
:func:`gnet_lib.core.paper.compare_with_paper` computes every cell from the architecture and shows
both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaperRow:
    """One row of Table 1, cells as printed ('' where the paper leaves the cell empty)."""

    type: str
    patch_stride: str
    output: str
    depth: int
    n1x1: str = ""
    n3x3_reduce: str = ""
    n3x3: str = ""
    n5x5_reduce: str = ""
    n5x5: str = ""
    pool_proj: str = ""
    params: str = ""
    ops: str = ""
    #: Not printed: the names of our layer-table rows this row stands for. Inception rows
    #: stand for every layer of their block; softmax lives in the loss, not in the model.
    ours: tuple[str, ...] = ()


def _inception(name: str, output: str, channels: str, params: str, ops: str) -> PaperRow:
    n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj = channels.split()
    return PaperRow(f"inception ({name})", "", output, 2, n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj,
                    params=params, ops=ops)


TABLE_1: tuple[PaperRow, ...] = (
    PaperRow("convolution", "7x7/2", "112x112x64", 1, params="2.7K", ops="34M", ours=("conv1",)),
    PaperRow("max pool", "3x3/2", "56x56x64", 0, ours=("pool1",)),
    PaperRow(
        "convolution", "3x3/1", "56x56x192", 2, n3x3_reduce="64", n3x3="192", params="112K", ops="360M",
        ours=("conv2_reduce", "conv2"),
    ),
    PaperRow("max pool", "3x3/2", "28x28x192", 0, ours=("pool2",)),
    _inception("3a", "28x28x256", "64 96 128 16 32 32", "159K", "128M"),
    _inception("3b", "28x28x480", "128 128 192 32 96 64", "380K", "304M"),
    PaperRow("max pool", "3x3/2", "14x14x480", 0, ours=("pool3",)),
    _inception("4a", "14x14x512", "192 96 208 16 48 64", "364K", "73M"),
    _inception("4b", "14x14x512", "160 112 224 24 64 64", "437K", "88M"),
    _inception("4c", "14x14x512", "128 128 256 24 64 64", "463K", "100M"),
    _inception("4d", "14x14x528", "112 144 288 32 64 64", "580K", "119M"),
    _inception("4e", "14x14x832", "256 160 320 32 128 128", "840K", "170M"),
    PaperRow("max pool", "3x3/2", "7x7x832", 0, ours=("pool4",)),
    _inception("5a", "7x7x832", "256 160 320 32 128 128", "1072K", "54M"),
    _inception("5b", "7x7x1024", "384 192 384 48 128 128", "1388K", "71M"),
    PaperRow("avg pool", "7x7/1", "1x1x1024", 0, ours=("avg pool",)),
    PaperRow("dropout (40%)", "", "1x1x1024", 0, ours=("dropout",)),
    PaperRow("linear", "", "1x1x1000", 1, params="1000K", ops="1M", ours=("linear",)),
    PaperRow("softmax", "", "1x1x1000", 0),
)

#: The paper's round figure for the whole network: "1.5 billion multiply-adds at inference".
PAPER_TOTAL_OPS = 1.5e9


def parse_count(cell: str) -> float | None:
    """``"2.7K"`` -> 2700.0, ``"34M"`` -> 34e6; ``""`` -> None (the paper leaves it empty)."""
    if not cell:
        return None
    scale = {"K": 1e3, "M": 1e6}
    return float(cell[:-1]) * scale[cell[-1]] if cell[-1] in scale else float(cell)


def inception_channels(row: PaperRow) -> tuple[int, int, int, int, int, int]:
    """The six channel columns of an Inception row, as integers."""
    cells = (row.n1x1, row.n3x3_reduce, row.n3x3, row.n5x5_reduce, row.n5x5, row.pool_proj)
    return tuple(int(c) for c in cells)  # type: ignore[return-value]


def paper_block(row: PaperRow) -> str | None:
    """``"inception (3a)"`` -> ``"3a"``; ``None`` for rows that are not Inception modules."""
    return row.type[len("inception (") : -1] if row.type.startswith("inception (") else None
