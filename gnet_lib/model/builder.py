"""One builder: a :class:`~gnet_lib.core.specs.Network` spec in, ``torch.nn`` modules out.

Module names follow the layer table (:mod:`gnet_lib.core.layers`): ``blocks.inception_3a.b3x3.reduce``
is the 1x1 reduction of inception (3a)'s 3x3 branch, and so on, so every table row can be
checked against the module it describes.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, NamedTuple, cast

import torch
from torch import Tensor, nn

from ..core.errors import UsageError
from ..core.layers import walk
from ..core.shapes import Shape, conv_output, conv_padding, pool_output
from ..core.specs import (
    LRN,
    AuxHead,
    Conv,
    Inception,
    Layer,
    Network,
    Pool,
    as_pair,
    block_key,
    inception_branches,
    visit,
)


class ModelOutput(NamedTuple):
    """What a model with auxiliary heads returns in training mode."""

    logits: Tensor
    aux: tuple[Tensor, ...]


class ConvUnit(nn.Sequential):
    """Convolution, then batch norm (optional), then ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: Any, stride: int, padding: Any, bn: bool, bias: bool, eps: float):
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        layers["conv"] = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=bias)
        if bn:
            layers["bn"] = nn.BatchNorm2d(c_out, eps=eps)
        layers["relu"] = nn.ReLU(inplace=True)
        super().__init__(layers)


class InceptionBlock(nn.Module):
    """Four parallel branches whose outputs are concatenated along the channels."""

    def __init__(self, b1x1: nn.Module, b3x3: nn.Module, b5x5: nn.Module, bpool: nn.Module):
        super().__init__()
        self.b1x1, self.b3x3, self.b5x5, self.bpool = b1x1, b3x3, b5x5, bpool

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.b1x1(x), self.b3x3(x), self.b5x5(x), self.bpool(x)], dim=1)


class AuxClassifier(nn.Module):
    """The paper's auxiliary classifier: pool, 1x1 conv, fc + ReLU, dropout, linear."""

    def __init__(self, pool: nn.Module, conv: nn.Module, fc_in: int, head: AuxHead, num_classes: int):
        super().__init__()
        self.pool = pool
        self.conv = conv
        self.fc = nn.Sequential(nn.Linear(fc_in, head.fc_features), nn.ReLU(inplace=True))
        self.dropout = nn.Dropout(head.dropout)
        self.out = nn.Linear(head.fc_features, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = torch.flatten(self.conv(self.pool(x)), 1)
        return self.out(self.dropout(self.fc(x)))


class GoogLeNet(nn.Module):
    """A network built from a spec. In training mode, a model with auxiliary heads returns
    :class:`ModelOutput`; otherwise (and always in eval mode) the logits alone."""

    def __init__(self, spec: Network, blocks: OrderedDict[str, nn.Module], classifier: nn.Sequential):
        super().__init__()
        self.spec = spec
        self.blocks = nn.ModuleDict(blocks)
        self.classifier = classifier

    def features(self, x: Tensor) -> tuple[Tensor, list[Tensor]]:
        """The last feature map (what :attr:`classifier` reads) and, in training mode, the
        auxiliary heads' logits."""
        aux: list[Tensor] = []
        for block in self.blocks.values():
            if isinstance(block, AuxClassifier):
                if self.training:
                    aux.append(block(x))
            else:
                x = block(x)
        return x, aux

    def forward(self, x: Tensor) -> Tensor | ModelOutput:
        x, aux = self.features(x)
        logits = self.classifier(x)
        if aux:
            return ModelOutput(logits, tuple(aux))
        return logits


class _Builder:
    """Visits a spec's layers in order, building each one's modules and carrying the (C, H, W)
    shape it produces, from which every layer is sized (the auxiliary heads' linear layers)."""

    def __init__(self, spec: Network, num_classes: int, input_size: tuple[int, ...]):
        # The analytic walk checks the spec first (channels chain, nothing empty, names unique
        # enough for a table) and gives its errors; the builder sizes everything itself.
        walk(spec, input_size, num_classes)
        self.spec = spec
        self.num_classes = num_classes
        self.shape: Shape = input_size
        self.blocks: OrderedDict[str, nn.Module] = OrderedDict()

    def conv(self, c_in: int, layer: Conv) -> ConvUnit:
        s = self.spec
        return ConvUnit(c_in, layer.out_channels, as_pair(layer.kernel), layer.stride, conv_padding(layer),
                        s.batch_norm, s.conv_bias, s.bn_eps)

    @staticmethod
    def pool(layer: Pool) -> nn.Module:
        cls = nn.MaxPool2d if layer.kind == "max" else nn.AvgPool2d
        return cls(layer.kernel, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)

    def _add(self, layer: Layer, module: nn.Module) -> None:
        key = block_key(layer)
        if not key.isidentifier() or key in self.blocks:
            raise UsageError(
                f"layer name {layer.name!r} must be unique and a valid Python identifier "
                "(letters, digits, underscores)"
            )
        self.blocks[key] = module

    # -- the layer visitor -----------------------------------------------------------------

    def on_conv(self, layer: Conv) -> None:
        self._add(layer, self.conv(self.shape[0], layer))
        self.shape = conv_output(self.shape, layer)

    def on_pool(self, layer: Pool) -> None:
        self._add(layer, self.pool(layer))
        self.shape = pool_output(self.shape, layer)

    def on_lrn(self, layer: LRN) -> None:
        self._add(layer, nn.LocalResponseNorm(layer.size, layer.alpha, layer.beta, layer.k))

    def on_inception(self, m: Inception) -> None:
        branches: dict[str, nn.Module] = {}
        outputs: dict[str, Shape] = {}
        layout = inception_branches(m, self.spec.five_by_five)
        # Layers draw their initial weights from the random generator in the order they are
        # created; this order (the 1x1 branch last) is the one every stored run was trained with.
        for branch in ("b3x3", "b5x5", "bpool", "b1x1"):
            layers: OrderedDict[str, nn.Module] = OrderedDict()
            shape = self.shape
            for unit in layout[branch]:
                layer = unit.as_layer(self.spec.inception_pool_ceil)
                if isinstance(layer, Pool):
                    layers[unit.attr], shape = self.pool(layer), pool_output(shape, layer)
                    continue
                conv = self.conv(shape[0], layer)
                if unit.attr == "conv_a" and self.spec.source_bn_eps:
                    cast(nn.BatchNorm2d, conv.get_submodule("bn")).eps = float(unit.conv_width)  # source 000's BatchNorm2d(n5x5, n5x5)
                layers[unit.attr], shape = conv, conv_output(shape, layer)
            branches[branch] = layers[""] if "" in layers else nn.Sequential(layers)
            outputs[branch] = shape
        self._add(m, InceptionBlock(**branches))
        self.shape = (sum(s[0] for s in outputs.values()), *outputs["b1x1"][1:])

    def on_aux_head(self, head: AuxHead) -> None:
        if head.adaptive:
            pool: nn.Module = nn.AdaptiveAvgPool2d(head.adaptive_size)
            pooled: Shape = (self.shape[0], head.adaptive_size, head.adaptive_size)
        else:
            pool, pooled = self.pool(head.pool_layer()), pool_output(self.shape, head.pool_layer())
        conv = Conv("conv", head.conv_channels, 1)
        fc_in = math.prod(conv_output(pooled, conv))
        self._add(head, AuxClassifier(pool, self.conv(pooled[0], conv), fc_in, head, self.num_classes))

    def build(self) -> GoogLeNet:
        for layer in self.spec.layers:
            visit(layer, self)
        classifier = nn.Sequential(
            OrderedDict(
                pool=nn.AdaptiveAvgPool2d(1),
                flatten=nn.Flatten(),
                dropout=nn.Dropout(self.spec.classifier.dropout),
                fc=nn.Linear(self.shape[0], self.num_classes),
            )
        )
        return GoogLeNet(self.spec, self.blocks, classifier)


def conv_biases_before_batch_norm(model: nn.Module) -> list[nn.Parameter]:
    """The bias of every convolution that a batch norm follows. In training mode their gradient
    is exactly zero (the batch mean subtracts a per-channel constant again), so a run may leave
    them out of the backward pass (``TrainConfig.conv_bias_grad=False``)."""
    units = [dict(unit.named_children()) for unit in model.modules() if isinstance(unit, ConvUnit)]
    return [u["conv"].bias for u in units if "bn" in u and isinstance(u["conv"].bias, nn.Parameter)]


def build_network(spec: Network, num_classes: int | None = None, input_size: tuple[int, ...] | None = None) -> GoogLeNet:
    """Build modules for a spec (validated first by the analytic walk)."""
    size = tuple(input_size or spec.input_size)
    return _Builder(spec, spec.num_classes if num_classes is None else num_classes, size).build()
