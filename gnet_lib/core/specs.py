"""Architecture as data: the building blocks a GoogLeNet-style network is described with.

A :class:`Network` is an ordered tuple of layer specs plus a few network-wide switches
(batch norm, conv bias, how the "5x5" branch is built). Nothing here knows about PyTorch:
:mod:`gnet_lib.core.layers` walks a spec to derive shapes and costs, and :mod:`gnet_lib.model.builder`
turns the same spec into ``torch.nn`` modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Protocol, TypeVar

from .errors import UsageError

Pair = tuple[int, int]

#: How an Inception module's "5x5" branch is realised:
#: ``"5x5"`` as in the paper; ``"3x3-3x3"`` two stacked 3x3 convolutions (source 000,
#: pytorch-cifar100; first in BN-Inception, later Inception v3); ``"3x3"`` a single 3x3
#: (torchvision's known, kept bug).
FiveByFive = Literal["5x5", "3x3-3x3", "3x3"]


def as_pair(value: int | Pair) -> Pair:
    """``3`` -> ``(3, 3)``; a pair is returned unchanged."""
    if isinstance(value, tuple):
        return value
    return (value, value)


@dataclass(frozen=True)
class Conv:
    """A convolution, followed by batch norm (if the network uses it) and ReLU.

    ``padding="same"`` keeps the spatial size at stride 1: ``(k - 1) // 2`` on each side.
    ``in_channels`` is optional; when given, the walk checks that the previous layer
    really produces that many channels.
    """

    name: str
    out_channels: int
    kernel: int | Pair
    stride: int = 1
    padding: int | Pair | Literal["same"] = 0
    in_channels: int | None = None


@dataclass(frozen=True)
class Pool:
    """Max or average pooling; ``ceil_mode`` rounds the output size up instead of down."""

    name: str
    kind: Literal["max", "avg"]
    kernel: int
    stride: int
    padding: int = 0
    ceil_mode: bool = False


@dataclass(frozen=True)
class LRN:
    """Local response normalisation across channels (the paper's "LocalRespNorm")."""

    name: str
    size: int = 5
    alpha: float = 1e-4
    beta: float = 0.75
    k: float = 1.0


@dataclass(frozen=True)
class Inception:
    """One Inception module, in the paper's Table 1 columns.

    A reduction of ``None`` means the naive module of the paper's Figure 2(a): the 3x3 or
    5x5 convolution reads the module input directly. ``pool_proj=None`` passes the pooled
    input through unchanged, so the module's output then includes all its input channels.
    """

    name: str
    n1x1: int
    n3x3_reduce: int | None
    n3x3: int
    n5x5_reduce: int | None
    n5x5: int
    pool_proj: int | None
    in_channels: int | None = None

    @property
    def is_naive(self) -> bool:
        return self.n3x3_reduce is None and self.n5x5_reduce is None and self.pool_proj is None

    def naive(self, in_channels: int | None = None) -> Inception:
        """This module as the naive module of the paper's Figure 2(a): no 1x1 reductions and no pool
        projection (``in_channels``, if given, declares its new input width)."""
        return replace(self, n3x3_reduce=None, n5x5_reduce=None, pool_proj=None,
                       in_channels=self.in_channels if in_channels is None else in_channels)


@dataclass(frozen=True)
class BranchUnit:
    """One layer of an Inception branch: a convolution of ``width`` outputs, or (``width`` None)
    the branch's 3x3 max pool, which keeps its input's width.

    ``attr`` is the layer's name inside the built branch ("" when the branch is this one layer)
    and ``label`` its readable name in layer tables.
    """

    attr: str
    label: str
    kernel: int
    width: int | None = None

    @property
    def is_pool(self) -> bool:
        return self.width is None

    @property
    def conv_width(self) -> int:
        """The output width of a convolution unit (a pool unit has none: it keeps its input's)."""
        if self.width is None:
            raise ValueError(f"branch unit {self.label!r} is a pool; it has no width of its own")
        return self.width

    def as_layer(self, pool_ceil: bool = False) -> Conv | Pool:
        """The unit as a layer spec: a "same"-padded convolution, or the branch's 3x3 max pool at
        stride 1 and padding 1 (in ceil mode when the network's ``inception_pool_ceil`` says so)."""
        if self.is_pool:
            return Pool(self.attr, "max", self.kernel, stride=1, padding=1, ceil_mode=pool_ceil)
        return Conv(self.attr, self.conv_width, self.kernel, padding="same")


#: The four branches of an Inception module, by the names the built module gives them, in the
#: order of its output's channels.
BRANCH_NAMES = ("b1x1", "b3x3", "b5x5", "bpool")


def inception_branches(module: Inception, five_by_five: FiveByFive = "5x5") -> dict[str, tuple[BranchUnit, ...]]:
    """The four branches of ``module``, each as its layers in order: the one branch layout that
    the builder, the layer walk and the figures all read."""
    five: tuple[BranchUnit, ...]
    if five_by_five == "3x3-3x3":
        five = (BranchUnit("conv_a", "5x5 as 3x3 (a)", 3, module.n5x5), BranchUnit("conv_b", "5x5 as 3x3 (b)", 3, module.n5x5))
    elif five_by_five == "3x3":
        five = (BranchUnit("conv", "5x5 as single 3x3", 3, module.n5x5),)
    else:
        five = (BranchUnit("conv", "5x5", 5, module.n5x5),)

    def reduce(width: int | None, label: str) -> tuple[BranchUnit, ...]:
        return () if width is None else (BranchUnit("reduce", label, 1, width),)

    proj = () if module.pool_proj is None else (BranchUnit("proj", "pool proj", 1, module.pool_proj),)
    layouts = ((BranchUnit("", "1x1", 1, module.n1x1),),
               reduce(module.n3x3_reduce, "3x3 reduce") + (BranchUnit("conv", "3x3", 3, module.n3x3),),
               reduce(module.n5x5_reduce, "5x5 reduce") + five,
               (BranchUnit("pool", "pool", 3),) + proj)
    return dict(zip(BRANCH_NAMES, layouts, strict=True))


def branch_widths(module: Inception, in_channels: int) -> dict[str, int]:
    """Each branch's output width: its last layer's, or all ``in_channels`` for a pool branch
    without projection."""
    return {name: units[-1].width or in_channels for name, units in inception_branches(module).items()}


def inception_out_channels(module: Inception, in_channels: int) -> int:
    """The width of ``module``'s output: its branches' widths, concatenated."""
    return sum(branch_widths(module, in_channels).values())


@dataclass(frozen=True)
class AuxHead:
    """An auxiliary classifier on the side of the main path (training only).

    The paper's: 5x5 average pool stride 3, 1x1 conv to 128, fully connected 1024 with
    ReLU, dropout 70%, linear to the classes. ``adaptive=True`` replaces the fixed pool
    by an adaptive pool to ``adaptive_size`` (torchvision's choice).
    """

    name: str
    pool_kernel: int = 5
    pool_stride: int = 3
    conv_channels: int = 128
    fc_features: int = 1024
    dropout: float = 0.7
    adaptive: bool = False
    adaptive_size: int = 4

    def pool_layer(self) -> Pool:
        """The head's fixed average pool (not used when ``adaptive``)."""
        return Pool("pool", "avg", self.pool_kernel, self.pool_stride)


@dataclass(frozen=True)
class Classifier:
    """The head: global average pool, dropout, linear layer to the classes."""

    dropout: float = 0.4
    in_features: int | None = None


Layer = Conv | Pool | LRN | Inception | AuxHead

T_co = TypeVar("T_co", covariant=True)


class LayerVisitor(Protocol[T_co]):
    """What a pass over a network does with each kind of layer (see :func:`visit`)."""

    def on_conv(self, layer: Conv) -> T_co: ...
    def on_pool(self, layer: Pool) -> T_co: ...
    def on_lrn(self, layer: LRN) -> T_co: ...
    def on_inception(self, layer: Inception) -> T_co: ...
    def on_aux_head(self, layer: AuxHead) -> T_co: ...


_VISIT = {Conv: "on_conv", Pool: "on_pool", LRN: "on_lrn", Inception: "on_inception", AuxHead: "on_aux_head"}


def visit(layer: Layer, visitor: LayerVisitor[T_co]) -> T_co:
    """Hand ``layer`` to the visitor's method for its kind: the one place that knows the kinds of
    layer. The analytic walk, the builder and the figures are visitors."""
    method = next((name for kind, name in _VISIT.items() if isinstance(layer, kind)), None)
    if method is None:
        raise UsageError(f"unknown layer spec {layer!r}; a network is built from {', '.join(k.__name__ for k in _VISIT)}")
    return getattr(visitor, method)(layer)


def inception_key(name: str) -> str:
    """The attribute name of the Inception module ``name`` (``"3a"``) in the built network."""
    return f"inception_{name}"


def block_key(layer: Layer) -> str:
    """The attribute name of a top-level layer in the built network (``inception_3a``, ``conv1``...)."""
    return inception_key(layer.name) if isinstance(layer, Inception) else layer.name


def module_path(layer: Layer | None, *parts: str) -> str:
    """The dotted name of a module in the built network, for the layer table's ``module`` column and
    for looking modules up: ``module_path(m3a, "b3x3", "reduce")`` is ``blocks.inception_3a.b3x3.reduce``;
    ``layer=None`` names the classifier head (``classifier.fc``). Empty parts are left out."""
    base = "classifier" if layer is None else f"blocks.{block_key(layer)}"
    return ".".join([base, *(p for p in parts if p)])


@dataclass(frozen=True)
class Network:
    """A whole network: its layers in order and the network-wide construction rules.

    ``source_bn_eps`` reproduces a quirk of source 000 (inherited from pytorch-cifar100):
    the batch norm after the first 3x3 of the two-3x3 "5x5" branch is written
    ``BatchNorm2d(n5x5, n5x5)``, whose second argument is ``eps``, so that norm divides by
    ``sqrt(var + n5x5)`` (32 to 128) instead of ``sqrt(var + 1e-5)``. It adds no parameter.
    """

    name: str
    title: str
    input_size: tuple[int, int, int]
    num_classes: int
    layers: tuple[Layer, ...]
    classifier: Classifier = field(default_factory=Classifier)
    batch_norm: bool = False
    bn_eps: float = 1e-5
    conv_bias: bool = True
    five_by_five: FiveByFive = "5x5"
    inception_pool_ceil: bool = False
    source_bn_eps: bool = False
    source: str = ""

    @property
    def inceptions(self) -> tuple[Inception, ...]:
        return tuple(layer for layer in self.layers if isinstance(layer, Inception))

    @property
    def aux_heads(self) -> tuple[AuxHead, ...]:
        return tuple(layer for layer in self.layers if isinstance(layer, AuxHead))
