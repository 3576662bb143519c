"""One auxiliary classifier drawn step by step, with the shape of the data after every step.

The steps and their shapes come from the layer table of the spec (:mod:`gnet_lib.core.layers`), so
the figure shows what the builder really makes: a fixed or an adaptive pool, any number of
classes, any input size the head accepts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ...core.errors import UsageError
from ...core.layers import layer_table
from ...core.specs import AuxHead, Inception, Network
from ...core.tables import format_cell


@dataclass(frozen=True)
class HeadStep:
    """One step of a head: what it does, the shape of its output, its parameters."""

    label: str
    shape: tuple[int, ...]
    params: int


def _head(spec: Network, name: str) -> tuple[AuxHead, str]:
    """The auxiliary head called ``name`` and the Inception module it reads."""
    source = ""
    for layer in spec.layers:
        if isinstance(layer, Inception):
            source = layer.name
        elif isinstance(layer, AuxHead) and layer.name == name:
            return layer, source
    names = ", ".join(h.name for h in spec.aux_heads) or "none"
    raise UsageError(f"{spec.name} has no auxiliary head {name!r} (its heads: {names})")


def aux_head_steps(spec: Network, name: str = "aux1", input_size: tuple[int, ...] | None = None,
                   num_classes: int | None = None) -> list[HeadStep]:
    """The steps of auxiliary head ``name`` from the module it reads to its logits."""
    head, source = _head(spec, name)
    rows = {r.name.split(" / ")[1]: r for r in layer_table(spec, input_size, num_classes).layer_rows if r.block == name}
    pool, conv, fc, dropout, linear = (rows[k] for k in ("avg pool", "1x1 conv", "fc", "dropout", "linear"))
    if head.adaptive:
        pool_label = f"adaptive avg pool to {head.adaptive_size}x{head.adaptive_size}"
    else:
        pool_label = f"{head.pool_kernel}x{head.pool_kernel} avg pool, stride {head.pool_stride}"
    return [
        HeadStep(f"inception ({source}) output", pool.in_shape, 0),
        HeadStep(pool_label, pool.out_shape, pool.params),
        HeadStep(f"1x1 conv to {head.conv_channels}, ReLU", conv.out_shape, conv.params),
        HeadStep("flatten", (math.prod(conv.out_shape),), 0),
        HeadStep(f"fully connected {head.fc_features}, ReLU", fc.out_shape, fc.params),
        HeadStep(f"dropout {head.dropout:.0%}", dropout.out_shape, 0),
        HeadStep(f"linear to {linear.out_shape[0]} classes", linear.out_shape, linear.params),
    ]


def draw_aux_head(spec: Network, name: str = "aux1", loss_weight: float | None = None,
                  input_size: tuple[int, ...] | None = None, num_classes: int | None = None) -> Figure:
    """A column of boxes, one per step of head ``name``: the step on the left, the output shape
    and the parameters on the right; ``loss_weight`` adds the loss the logits feed in training."""
    steps = aux_head_steps(spec, name, input_size, num_classes)
    labels = [(s.label, f"{format_cell(s.shape)}" + (f"   {s.params:,} params" if s.params else "")) for s in steps]
    if loss_weight is not None:
        labels.append((f"softmax, cross-entropy x {loss_weight:g} in the loss", "training only"))
    n = len(labels)
    fig, ax = plt.subplots(figsize=(7, 0.62 * n + 0.5))
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, n - 0.4)
    ax.axis("off")
    for i, (step, shape) in enumerate(labels):
        y = n - 1 - i
        color = "#eeeeee" if i == 0 else "#b8e986"
        ax.add_patch(FancyBboxPatch((0.03, y - 0.3), 0.5, 0.6, boxstyle="round,pad=0.01", fc=color, ec="black", lw=0.6))
        ax.text(0.28, y, step, ha="center", va="center", fontsize=8)
        ax.text(0.56, y, shape, ha="left", va="center", fontsize=8, family="monospace")
        if i:
            ax.annotate("", (0.28, y + 0.3), (0.28, y + 0.7), arrowprops={"arrowstyle": "->"})
    ax.set_title(f"Auxiliary classifier {name} of {spec.name} (shapes: channels x height x width)", fontsize=9)
    fig.tight_layout()
    return fig
