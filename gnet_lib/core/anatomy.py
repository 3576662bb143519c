"""Where a network's parameters, multiply-accumulates and activations go.

Small questions asked of a :class:`~gnet_lib.core.layers.LayerTable`: how many convolution biases it
has (what source 003 left out), what the auxiliary heads cost, what a fully connected head would
cost instead of global average pooling, and how the work and the feature maps spread over the
stem and the three stages of Inception modules.
"""

from __future__ import annotations

import math
from dataclasses import replace

from .layers import LayerRow, LayerTable, walk
from .specs import Inception, Network
from .tables import Table


def conv_bias_count(table: LayerTable) -> int:
    """The convolution biases in ``table``: one per output channel of every convolution, or none
    when the network's convolutions are built without bias."""
    if not table.spec.conv_bias:
        return 0
    return sum(r.out_shape[0] for r in table.layer_rows if r.kind == "conv")


def without_conv_bias(spec: Network) -> Network:
    """The same network with ``bias=False`` in every convolution (and nothing in its place)."""
    return replace(spec, name=f"{spec.name} (no conv bias)", title=f"{spec.title}, no conv bias", conv_bias=False)


def aux_head_table(table: LayerTable) -> Table:
    """The training-time model split into the inference network and each auxiliary head:
    parameters, their share of the whole, and MACs per image."""
    total = table.total_params
    parts: dict[str, list] = {"inference network": [r for r in table.layer_rows if r.main_path]}
    for head in table.spec.aux_heads:
        parts[head.name] = [r for r in table.layer_rows if r.block == head.name]
    aux = [r for r in table.layer_rows if not r.main_path]
    parts["auxiliary heads together"] = aux
    rows = [{"part": name, "parameters": sum(r.params for r in rs), "share": sum(r.params for r in rs) / total,
             "MACs": sum(r.macs for r in rs)} for name, rs in parts.items()]
    rows.append({"part": "training-time model", "parameters": total, "share": 1.0, "MACs": table.total_macs})
    return Table(("part", "parameters", "share", "MACs"), rows, title=f"{table.title}: where the parameters are")


def dense_head_params(table: LayerTable, hidden: int | None = None) -> int:
    """Parameters of a head that flattens the last feature map instead of averaging it: one linear
    layer to the classes, or, with ``hidden``, a fully connected layer of that many units first."""
    features = math.prod(table.last_feature_map)
    classes = table.output_shape[0]
    if hidden is None:
        return features * classes + classes
    return features * hidden + hidden + hidden * classes + classes


def head_table(table: LayerTable, hidden: int | None = None) -> Table:
    """The pooled head beside a linear layer on the flattened feature map (and, with ``hidden``, a
    fully connected layer of that many units before it): what each reads, its parameters, and the
    whole inference network's parameters with it."""
    c, h, w = table.last_feature_map
    linear = next(r for r in table.layer_rows if r.block == "head" and r.kind == "linear")
    base = table.main_path_params - linear.params
    heads = {"average pool, linear (the paper)": (c, linear.params), "flatten, linear": (c * h * w, dense_head_params(table))}
    if hidden is not None:
        heads[f"flatten, fc {hidden}, linear"] = (c * h * w, dense_head_params(table, hidden))
    rows = [{"head": name, "reads": reads, "head parameters": params, "network parameters": base + params,
             "head share": params / (base + params)} for name, (reads, params) in heads.items()]
    return Table(("head", "reads", "head parameters", "network parameters", "head share"), rows,
                 title=f"Classifier heads on the {h}x{w}x{c} output of the last module")


def row_stages(rows: list[LayerRow]) -> list[tuple[str, bool]]:
    """Each main-path row's stage, and whether the row lies between two stages.

    The stem runs up to the first Inception module; stage "3" is the modules 3a, 3b (every branch
    layer and concatenation), and so on; the head ("head") follows the last module. A top-level
    layer after the first module (the paper's pool3 and pool4) lies between two stages and is given
    the stage it leads into, flagged, so that a count can leave it out or add it to that stage."""
    ahead, stages = "head", []
    for r in reversed(rows):
        if r.block == "head":
            stages.append(("head", False))
        elif r.block == "stem":
            stages.append((ahead, True))
        else:
            ahead = r.block[0]
            stages.append((ahead, False))
    stages.reverse()
    first = next((i for i, r in enumerate(rows) if r.block not in ("stem", "head")), len(rows))
    return [("stem", False)] * first + stages[first:]


def _stage_names(rows: list[LayerRow]) -> list[str]:
    """Stage names for :func:`stage_table`: a pool between two stages opens the stage it leads into."""
    return [s if s in ("stem", "head") else f"stage {s}" for s, _ in row_stages(rows)]


def stage_table(table: LayerTable) -> Table:
    """The inference path by stage (stem, each stage of Inception modules, head; stages 4 and 5
    include the pool that opens them, while pool2 closes the stem, so stage 3 is its modules
    alone): the values its layers write per image (what training keeps for the backward pass),
    parameters and MACs, each with its share of the whole."""
    rows = [r for r in table.layer_rows if r.main_path]
    totals = {"values": sum(math.prod(r.out_shape) for r in rows), "params": sum(r.params for r in rows),
              "MACs": sum(r.macs for r in rows)}
    stages: dict[str, dict[str, int]] = {}
    for r, stage in zip(rows, _stage_names(rows), strict=True):
        entry = stages.setdefault(stage, {"values": 0, "params": 0, "MACs": 0})
        entry["values"] += math.prod(r.out_shape)
        entry["params"] += r.params
        entry["MACs"] += r.macs
    out = [{"stage": name, "values written": s["values"], "values share": s["values"] / totals["values"],
            "parameters": s["params"], "params share": s["params"] / totals["params"],
            "MACs share": s["MACs"] / totals["MACs"]} for name, s in stages.items()]
    return Table(("stage", "values written", "values share", "parameters", "params share", "MACs share"), out,
                 title=f"{table.title}: where the work and the feature maps are")


def module_footprint(module: Inception, in_channels: int, size: int) -> dict[str, int]:
    """One Inception module run on a ``size`` x ``size`` input: the values its layers write per
    image, its parameters and its MACs."""
    spec = Network(name=f"inception ({module.name}) alone", title="", input_size=(in_channels, size, size),
                   num_classes=1, layers=(replace(module, in_channels=in_channels),))
    rows = [r for r in walk(spec) if r.block == module.name]
    return {"size": size, "values written": sum(math.prod(r.out_shape) for r in rows),
            "parameters": sum(r.params for r in rows), "MACs": sum(r.macs for r in rows)}
