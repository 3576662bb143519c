"""Every layer's shape, parameters and multiply-accumulates, derived from a spec alone.

:func:`layer_table` walks a :class:`~gnet_lib.core.specs.Network` layer by layer, applying the
output-size rule of :mod:`gnet_lib.core.shapes`, and never runs a forward pass. Each row also
names the module that :mod:`gnet_lib.model.builder` creates for it (``module``), which is how the
tests check every row against the real PyTorch model.

Counting conventions
--------------------
* MACs (multiply-accumulates) per image: a convolution costs
  ``H_out * W_out * C_out * k_h * k_w * C_in``; a linear layer ``in * out``. Bias additions,
  batch norm, ReLU, pooling and LRN are not counted (``torch.utils.flop_counter`` does the same).
* Parameters are PyTorch's trainable parameters: weights, biases and batch-norm scale and
  shift (running statistics are buffers, not parameters). ``weights`` counts the
  convolution or linear weights alone, which is what the paper's Table 1 counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .architectures import get_spec
from .errors import InputTooSmallError, UsageError
from .shapes import Shape, conv_output, conv_padding, pool_output
from .specs import (
    LRN,
    AuxHead,
    Conv,
    FiveByFive,
    Inception,
    Network,
    Pair,
    Pool,
    as_pair,
    inception_branches,
    module_path,
    visit,
)
from .tables import Table


@dataclass(frozen=True)
class LayerRow:
    """One layer of the table."""

    name: str
    kind: str
    block: str
    module: str
    kernel: Pair | None
    stride: int | None
    padding: Pair | None
    in_shape: Shape
    out_shape: Shape
    weights: int
    params: int
    macs: int
    ceil_mode: bool = False
    main_path: bool = True

    def window(self) -> tuple[Pair, int, Pair]:
        """Kernel, stride and padding of a convolution or pool row (other rows have no window)."""
        if self.kernel is None or self.stride is None or self.padding is None:
            raise ValueError(f"row {self.name!r} ({self.kind}) has no sliding window")
        return self.kernel, self.stride, self.padding

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "block": self.block,
            "module": self.module,
            "kernel": self.kernel,
            "stride": self.stride,
            "padding": self.padding,
            "ceil": self.ceil_mode if self.kind.endswith("pool") else None,
            "input": self.in_shape,
            "output": self.out_shape,
            "weights": self.weights,
            "params": self.params,
            "MACs": self.macs,
        }


def _positive(value: int | None, what: str) -> None:
    if value is not None and (not isinstance(value, int) or value <= 0):
        raise UsageError(f"{what} must be a positive whole number of channels, got {value!r}")


def _check_chain(where: str, declared: int | None, c_in: int) -> None:
    """A layer that declares its input width must get that width from the layer before it."""
    if declared is not None and declared != c_in:
        raise UsageError(
            f"channels do not chain at {where}: it declares in_channels={declared} but the layer before it "
            f"gives {c_in}; set in_channels={c_in} or change the previous layer's outputs"
        )


class _Walker:
    """Carries the running shape through a network spec and emits rows."""

    def __init__(self, spec: Network, input_size: tuple[int, ...], num_classes: int):
        _positive(num_classes, f"{spec.name}: num_classes")
        if len(input_size) != 3 or any(not isinstance(v, int) or v <= 0 for v in input_size):
            raise UsageError(f"input_size must be (C, H, W) with positive integers, got {input_size!r}")
        self.spec = spec
        self.input_size = input_size
        self.num_classes = num_classes
        self.rows: list[LayerRow] = []
        self.shape: Shape = input_size

    # -- helpers -------------------------------------------------------------------------

    def _check_hw(self, name: str, in_shape: Shape, out_hw: Pair, how: str) -> None:
        if out_hw[0] < 1 or out_hw[1] < 1:
            c, h, w = self.input_size
            in_aux = name.split(" / ")[0] in {head.name for head in self.spec.aux_heads}
            raise InputTooSmallError(
                f"input {c}x{h}x{w} is too small for {self.spec.name}: layer '{name}' "
                f"({how}) would turn {in_shape[1]}x{in_shape[2]} into an empty "
                f"{out_hw[0]}x{out_hw[1]} output; use a larger input"
                + (" or leave out the auxiliary heads (aux_logits=False)" if in_aux else ""),
                layer=name,
            )

    def conv(
        self,
        name: str,
        block: str,
        module: str,
        cin_shape: Shape,
        layer: Conv,
        main_path: bool = True,
        batch_norm: bool | None = None,
        bias: bool | None = None,
    ) -> Shape:
        _positive(layer.out_channels, f"layer '{name}': out_channels")
        c_in = cin_shape[0]
        _check_chain(f"layer '{name}'", layer.in_channels, c_in)
        (kh, kw), pad = as_pair(layer.kernel), conv_padding(layer)
        out = conv_output(cin_shape, layer)
        hw = (out[1], out[2])
        self._check_hw(name, cin_shape, hw, f"{kh}x{kw} conv, stride {layer.stride}, padding {pad}")
        cout = layer.out_channels
        use_bn = self.spec.batch_norm if batch_norm is None else batch_norm
        use_bias = self.spec.conv_bias if bias is None else bias
        weights = kh * kw * c_in * cout
        params = weights + (cout if use_bias else 0) + (2 * cout if use_bn else 0)
        self.rows.append(
            LayerRow(
                name=name,
                kind="conv",
                block=block,
                module=module,
                kernel=(kh, kw),
                stride=layer.stride,
                padding=pad,
                in_shape=cin_shape,
                out_shape=out,
                weights=weights,
                params=params,
                macs=hw[0] * hw[1] * cout * kh * kw * c_in,
                main_path=main_path,
            )
        )
        return out

    def pool(self, name: str, block: str, module: str, shape: Shape, layer: Pool, main_path: bool = True) -> Shape:
        if layer.padding > layer.kernel // 2:
            raise UsageError(
                f"layer '{name}': pool padding {layer.padding} is more than half the kernel "
                f"{layer.kernel}; PyTorch refuses this, use padding <= {layer.kernel // 2}"
            )
        out = pool_output(shape, layer)
        how = f"{layer.kernel}x{layer.kernel} {layer.kind} pool, stride {layer.stride}, padding {layer.padding}"
        self._check_hw(name, shape, (out[1], out[2]), how + (", ceil mode" if layer.ceil_mode else ""))
        self.rows.append(
            LayerRow(
                name=name,
                kind=f"{layer.kind} pool",
                block=block,
                module=module,
                kernel=(layer.kernel, layer.kernel),
                stride=layer.stride,
                padding=(layer.padding, layer.padding),
                in_shape=shape,
                out_shape=out,
                weights=0,
                params=0,
                macs=0,
                ceil_mode=layer.ceil_mode,
                main_path=main_path,
            )
        )
        return out

    def simple(
        self, name: str, kind: str, block: str, module: str, in_shape: Shape, out_shape: Shape, main_path: bool = True
    ) -> Shape:
        self.rows.append(
            LayerRow(name, kind, block, module, None, None, None, in_shape, out_shape, 0, 0, 0, main_path=main_path)
        )
        return out_shape

    def linear(self, name: str, block: str, module: str, in_shape: Shape, out_features: int, main_path: bool = True):
        _positive(out_features, f"layer '{name}': out_features")
        n_in = in_shape[0] if len(in_shape) == 1 else in_shape[0] * in_shape[1] * in_shape[2]
        self.rows.append(
            LayerRow(
                name=name,
                kind="linear",
                block=block,
                module=module,
                kernel=None,
                stride=None,
                padding=None,
                in_shape=in_shape,
                out_shape=(out_features,),
                weights=n_in * out_features,
                params=n_in * out_features + out_features,
                macs=n_in * out_features,
                main_path=main_path,
            )
        )
        return (out_features,)

    # -- layer kinds ---------------------------------------------------------------------

    def inception(self, module: Inception, shape: Shape) -> Shape:
        for field in ("n1x1", "n3x3_reduce", "n3x3", "n5x5_reduce", "n5x5", "pool_proj"):
            _positive(getattr(module, field), f"inception ({module.name}): {field}")
        c_in = shape[0]
        _check_chain(f"inception ({module.name})", module.in_channels, c_in)
        out_channels = 0
        for branch, units in inception_branches(module, self.spec.five_by_five).items():
            s = shape
            for unit in units:
                name, path = f"{module.name} / {unit.label}", module_path(module, branch, unit.attr)
                layer = unit.as_layer(self.spec.inception_pool_ceil)
                if isinstance(layer, Pool):
                    s = self.pool(name, module.name, path, s, layer)
                else:
                    s = self.conv(name, module.name, path, s, layer)
            out_channels += s[0]
        return self.simple(f"{module.name} / concat", "concat", module.name, module_path(module), shape,
                           (out_channels, *shape[1:]))

    def aux_head(self, head: AuxHead, shape: Shape) -> None:
        name = head.name
        if head.adaptive:
            size = head.adaptive_size
            s = self.simple(f"{name} / avg pool", "adaptive avg pool", name, module_path(head, "pool"), shape,
                            (shape[0], size, size), False)
        else:
            s = self.pool(f"{name} / avg pool", name, module_path(head, "pool"), shape, head.pool_layer(), False)
        s = self.conv(f"{name} / 1x1 conv", name, module_path(head, "conv"), s, Conv("conv", head.conv_channels, 1), False)
        s = self.linear(f"{name} / fc", name, module_path(head, "fc"), s, head.fc_features, False)
        s = self.simple(f"{name} / dropout", "dropout", name, module_path(head, "dropout"), s, s, False)
        self.linear(f"{name} / linear", name, module_path(head, "out"), s, self.num_classes, False)

    # -- the layer visitor: the running shape goes from layer to layer -------------------

    def on_conv(self, layer: Conv) -> None:
        self.shape = self.conv(layer.name, "stem", module_path(layer), self.shape, layer)

    def on_pool(self, layer: Pool) -> None:
        self.shape = self.pool(layer.name, "stem", module_path(layer), self.shape, layer)

    def on_lrn(self, layer: LRN) -> None:
        self.shape = self.simple(layer.name, "lrn", "stem", module_path(layer), self.shape, self.shape)

    def on_inception(self, layer: Inception) -> None:
        self.shape = self.inception(layer, self.shape)

    def on_aux_head(self, layer: AuxHead) -> None:
        self.aux_head(layer, self.shape)

    def run(self) -> list[LayerRow]:
        for layer in self.spec.layers:
            visit(layer, self)
        shape = self.shape
        head = self.spec.classifier
        if head.in_features is not None and head.in_features != shape[0]:
            raise UsageError(
                f"channels do not chain at the classifier: it declares in_features="
                f"{head.in_features} but the last layer gives {shape[0]} channels"
            )
        shape = self.simple("avg pool", "global avg pool", "head", module_path(None, "pool"), shape, (shape[0], 1, 1))
        shape = self.simple("dropout", "dropout", "head", module_path(None, "dropout"), shape, (shape[0],))
        self.linear("linear", "head", module_path(None, "fc"), shape, self.num_classes)
        return self.rows


def walk(spec: Network, input_size: tuple[int, ...] | None = None, num_classes: int | None = None) -> list[LayerRow]:
    """All rows of ``spec`` at ``input_size`` (default: the spec's own)."""
    classes = spec.num_classes if num_classes is None else num_classes
    return _Walker(spec, tuple(input_size or spec.input_size), classes).run()


TABLE_COLUMNS = ("name", "kind", "kernel", "stride", "padding", "ceil", "output", "params", "MACs")


class LayerTable(Table):
    """A :class:`Table` of :class:`LayerRow` with totals."""

    def __init__(self, spec: Network, rows: list[LayerRow], input_size: tuple[int, ...]):
        self.spec = spec
        self.layer_rows = rows
        self.input_size = input_size
        c, h, w = input_size
        super().__init__(
            columns=TABLE_COLUMNS,
            rows=[r.as_dict() for r in rows],
            title=f"{spec.title} at {c}x{h}x{w}",
            notes=[
                (f"total: {self.total_params:,} parameters, {self.total_macs:,} MACs per image "
                 f"({self.main_path_macs:,} on the inference path)")
            ],
        )

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.layer_rows)

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.layer_rows)

    @property
    def main_path_macs(self) -> int:
        return sum(r.macs for r in self.layer_rows if r.main_path)

    @property
    def main_path_params(self) -> int:
        return sum(r.params for r in self.layer_rows if r.main_path)

    @property
    def output_shape(self) -> Shape:
        return self.layer_rows[-1].out_shape

    def module_inputs(self) -> dict[str, Shape]:
        """Each Inception module's input shape, by module name (``{"3a": (192, 28, 28), ...}``)."""
        return {r.block: r.in_shape for r in self.layer_rows if r.kind == "concat"}

    @property
    def last_feature_map(self) -> Shape:
        """The (C, H, W) the head's global average pool reads."""
        return next(r.in_shape for r in self.layer_rows if r.kind == "global avg pool")

    def block_totals(self) -> Table:
        """One row per block (stem layer, Inception module, auxiliary head, head)."""
        totals: dict[str, dict[str, Any]] = {}
        for r in self.layer_rows:
            key = r.block if r.block != "stem" else r.name
            entry = totals.setdefault(key, {"block": key, "output": r.out_shape, "params": 0, "MACs": 0})
            entry["params"] += r.params
            entry["MACs"] += r.macs
            entry["output"] = r.out_shape
        return Table(("block", "output", "params", "MACs"), list(totals.values()), title=f"{self.title}, per block")


class _Depth:
    """Counts the longest path's layers: those with parameters, and those plus the pools."""

    def __init__(self, five_by_five: FiveByFive) -> None:
        self.five_by_five, self.with_params, self.with_pools = five_by_five, 0, 0

    def on_conv(self, layer: Conv) -> None:
        self.with_params += 1
        self.with_pools += 1

    def on_pool(self, layer: Pool) -> None:
        self.with_pools += 1

    def on_lrn(self, layer: LRN) -> None:
        """Normalisation is not counted."""

    def on_inception(self, layer: Inception) -> None:
        branches = inception_branches(layer, self.five_by_five).values()
        self.with_params += max(sum(not unit.is_pool for unit in units) for units in branches)
        self.with_pools += max(len(units) for units in branches)

    def on_aux_head(self, layer: AuxHead) -> None:
        """A side branch is not on the main path."""


def network_depth(spec: Network) -> tuple[int, int]:
    """Depth along the longest path: layers with parameters, and counting pooling layers too.

    The paper counts 22 and 27 for GoogLeNet: stem convolutions and the linear layer count
    one each, an Inception module counts its longest branch, LRN and auxiliary heads do not
    count, and the head's average pool is a pooling layer.
    """
    depth = _Depth(spec.five_by_five)
    for layer in spec.layers:
        visit(layer, depth)
    return depth.with_params + 1, depth.with_pools + 2


def layer_table(
    name_or_spec: str | Network,
    input_size: tuple[int, ...] | None = None,
    num_classes: int | None = None,
    **options: Any,
) -> LayerTable:
    """The analytic layer table of a model (by name, with ``build_model``'s options) or spec.

    >>> t = layer_table("inception-v1", aux_logits=False)
    >>> t.where(name="3a / concat")[0]["output"]
    (256, 28, 28)
    """
    spec = get_spec(name_or_spec, **options)
    size = tuple(input_size or spec.input_size)
    return LayerTable(spec, walk(spec, size, num_classes), size)
