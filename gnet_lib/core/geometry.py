"""Where the windows of a layer fall: padding conventions, alignment and receptive fields.

:mod:`gnet_lib.core.shapes` says how many outputs a layer gives; this module says which input
pixels each output reads. Three conventions are compared for a stride-2 layer on ``n`` pixels:

* PyTorch with symmetric padding ``p`` (floor rounding): windows start at ``-p``;
* PyTorch's ceil mode without padding: windows start at 0 and the last one may hang over the
  right edge (the pixels it would read there do not exist and are ignored);
* TensorFlow's ``"SAME"`` padding: ``ceil(n / s)`` outputs, with the padding the last window
  needs, ``max((ceil(n / s) - 1) * s + k - n, 0)`` pixels in all, split so that the odd pixel
  goes after (bottom / right).
"""

from __future__ import annotations

from dataclasses import dataclass

from .layers import LayerRow, layer_table
from .shapes import output_size
from .specs import (
    LRN,
    AuxHead,
    Conv,
    Inception,
    Network,
    Pool,
    as_pair,
    inception_branches,
    visit,
)
from .tables import Table


@dataclass(frozen=True)
class Windows:
    """``count`` windows of ``kernel`` pixels, ``stride`` apart, the first starting at ``-before``
    on an input of ``n`` pixels."""

    n: int
    kernel: int
    stride: int
    before: int
    count: int

    @property
    def starts(self) -> list[int]:
        """The first input pixel of each window (negative: in the padding)."""
        return [-self.before + i * self.stride for i in range(self.count)]

    @property
    def after(self) -> int:
        """Pixels past the right edge that the last window covers (negative: input pixels that
        no window reads)."""
        return self.starts[-1] + self.kernel - self.n

    @property
    def padding(self) -> tuple[int, int]:
        """Pixels of padding the windows really cover: (before, after)."""
        return (self.before, self.after)

    @property
    def first_centre(self) -> float:
        """The input position the first window is centred on."""
        return -self.before + (self.kernel - 1) / 2


def tf_same_padding(n: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's ``"SAME"`` padding (before, after) along one dimension; the odd pixel goes after."""
    total = max((tf_same_output(n, stride) - 1) * stride + kernel - n, 0)
    return (total // 2, total - total // 2)


def tf_same_output(n: int, stride: int) -> int:
    """TensorFlow's ``"SAME"`` output size: ``ceil(n / stride)``, whatever the kernel."""
    return -(-n // stride)


def tf_same_windows(n: int, kernel: int, stride: int) -> Windows:
    """The windows of a TensorFlow ``"SAME"`` layer."""
    return Windows(n, kernel, stride, tf_same_padding(n, kernel, stride)[0], tf_same_output(n, stride))


def pytorch_windows(n: int, kernel: int, stride: int, padding: int = 0, ceil_mode: bool = False) -> Windows:
    """The windows of a PyTorch convolution or pool with symmetric ``padding``."""
    return Windows(n, kernel, stride, padding, output_size(n, kernel, stride, padding, ceil_mode))


def _row_windows(row: LayerRow, n: int) -> Windows:
    kernel, stride, padding = row.window()
    return pytorch_windows(n, kernel[0], stride, padding[0], row.ceil_mode)


def stride_two_rows(table_rows: list[LayerRow]) -> list[LayerRow]:
    """The rows of the main path that halve the map (stride 2)."""
    return [r for r in table_rows if r.main_path and r.stride == 2]


def padding_comparison(name: str = "inception-v1", size: int = 224, pool_rounding: str | None = None) -> Table:
    """Every stride-2 layer of the main path at a ``size`` x ``size`` input: the padding PyTorch
    really uses (as the model is built) and TensorFlow's ``"SAME"``, the output sizes, and how
    far the centre of each framework's output grid sits from the centre of the image (pixels).

    Stride-1 layers between them use symmetric "same" padding in both frameworks and move
    nothing, so the two chains are followed through the stride-2 layers alone, each framework
    with its own sizes.
    """
    rows = layer_table(name, input_size=(3, size, size), aux_logits=False, pool_rounding=pool_rounding).layer_rows
    grids = {"PyTorch": (0.0, 1), "TF": (0.0, 1)}  # (centre of the first output, spacing) in image pixels
    tf_n, out = size, []
    for row in stride_two_rows(rows):
        kernel, stride, _ = row.window()
        windows = {"PyTorch": _row_windows(row, row.in_shape[1]), "TF": tf_same_windows(tf_n, kernel[0], stride)}
        grids = {k: _next_grid(grids[k], w) for k, w in windows.items()}
        tf_n = windows["TF"].count
        out.append(_comparison_row(row, windows, grids, size))
    title = f"{name} at {size}x{size}, pools {pool_rounding or 'as built'}: PyTorch against TensorFlow 'SAME'"
    return Table(tuple(out[0]), out, title=title, notes=[
        "covers, SAME: padding pixels the windows reach before / after the input (negative: input pixels left unread)",
        "grid offset: centre of the output grid minus centre of the image, in input pixels"])


def _comparison_row(row: LayerRow, windows: dict[str, Windows], grids: dict[str, tuple[float, int]], size: int) -> dict:
    torch, tf = windows["PyTorch"], windows["TF"]
    kernel, stride, padding = row.window()
    return {
        "layer": row.name,
        "kernel/stride": f"{kernel[0]}x{kernel[1]}/{stride}",
        "input": torch.n if torch.n == tf.n else f"{torch.n} / {tf.n}",
        "PyTorch declared": _pair(padding) + (" ceil" if row.ceil_mode else ""),
        "PyTorch covers": _pair(torch.padding),
        "TF SAME": _pair(tf.padding),
        "PyTorch output": torch.count,
        "TF output": tf.count,
        "PyTorch grid offset": grid_offset(grids["PyTorch"], torch.count, size),
        "TF grid offset": grid_offset(grids["TF"], tf.count, size),
    }


def _pair(values: tuple[int, int]) -> str:
    return f"({values[0]}, {values[1]})"


def _next_grid(grid: tuple[float, int], windows: Windows) -> tuple[float, int]:
    first, spacing = grid
    return (first + spacing * windows.first_centre, spacing * windows.stride)


def grid_offset(grid: tuple[float, int], count: int, size: int) -> float:
    """How far the centre of a ``count``-wide output grid (first centre, spacing) lies from the
    centre of a ``size``-pixel image."""
    first, spacing = grid
    return first + spacing * (count - 1) / 2 - (size - 1) / 2


@dataclass(frozen=True)
class ReceptiveField:
    """After one layer: how many input pixels one output sees (``size``) and how many input
    pixels apart neighbouring outputs are (``jump``)."""

    layer: str
    kernel: int
    stride: int
    size: int
    jump: int


class _Extent:
    """A layer as one window on the main path: ``(kernel, stride)``, or ``None`` for a layer that
    sees no wider (LRN, an auxiliary head, which is off the main path). A module acts like its
    widest branch."""

    def __init__(self, spec: Network) -> None:
        self.spec = spec

    def on_conv(self, layer: Conv) -> tuple[int, int] | None:
        return as_pair(layer.kernel)[0], layer.stride

    def on_pool(self, layer: Pool) -> tuple[int, int] | None:
        return layer.kernel, layer.stride

    def on_lrn(self, layer: LRN) -> tuple[int, int] | None:
        return None

    def on_inception(self, layer: Inception) -> tuple[int, int] | None:
        branches = inception_branches(layer, self.spec.five_by_five).values()
        return 1 + max(sum(unit.kernel - 1 for unit in units) for units in branches), 1

    def on_aux_head(self, layer: AuxHead) -> tuple[int, int] | None:
        return None


def receptive_fields(spec: Network) -> list[ReceptiveField]:
    """The receptive field after every layer of the main path up to the head. Each layer adds
    ``(k - 1) * jump`` pixels and multiplies the jump by its stride; padding changes where a
    window sits, not how wide it is. LRN and auxiliary heads add nothing and are skipped."""
    size, jump, out = 1, 1, []
    extent = _Extent(spec)
    for layer in spec.layers:
        window = visit(layer, extent)
        if window is None:
            continue
        kernel, stride = window
        size += (kernel - 1) * jump
        jump *= stride
        out.append(ReceptiveField(layer.name, kernel, stride, size, jump))
    return out


def tensor_bytes(shape: tuple[int, ...], bytes_per_value: int = 4) -> int:
    """Memory of one tensor of ``shape`` (4 bytes a value in fp32, 2 in fp16 or bf16)."""
    values = 1
    for dim in shape:
        values *= dim
    return values * bytes_per_value
