"""One builder: a :class:`~gnet_lib.specs.Network` spec in, ``torch.nn`` modules out.

Module names follow the layer table (:mod:`gnet_lib.layers`): ``blocks.inception_3a.b3x3.reduce``
is the 1x1 reduction of inception (3a)'s 3x3 branch, and so on, so every table row can be
checked against the module it describes.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple, cast

import torch
from torch import Tensor, nn

from .errors import UsageError
from .layers import block_key, walk
from .shapes import same_padding
from .specs import (
    LRN,
    AuxHead,
    Conv,
    Inception,
    Network,
    Pool,
    as_pair,
    inception_branches,
    inception_out_channels,
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

    def forward(self, x: Tensor) -> Tensor | ModelOutput:
        aux: list[Tensor] = []
        for block in self.blocks.values():
            if isinstance(block, AuxClassifier):
                if self.training:
                    aux.append(block(x))
            else:
                x = block(x)
        logits = self.classifier(x)
        if aux:
            return ModelOutput(logits, tuple(aux))
        return logits


class _Builder:
    def __init__(self, spec: Network, num_classes: int, input_size: tuple[int, ...]):
        self.spec = spec
        self.num_classes = num_classes
        self.in_channels = input_size[0]
        # The analytic walk validates the spec (channels chain, nothing empty) and gives
        # the flattened width each auxiliary head's fully connected layer needs.
        self.rows = {r.name: r for r in walk(spec, input_size, num_classes)}

    def conv(self, c_in: int, layer: Conv) -> ConvUnit:
        kh, kw = as_pair(layer.kernel)
        padding = (same_padding(kh), same_padding(kw)) if layer.padding == "same" else layer.padding
        s = self.spec
        return ConvUnit(c_in, layer.out_channels, (kh, kw), layer.stride, padding, s.batch_norm, s.conv_bias, s.bn_eps)

    @staticmethod
    def pool(layer: Pool) -> nn.Module:
        cls = nn.MaxPool2d if layer.kind == "max" else nn.AvgPool2d
        return cls(layer.kernel, layer.stride, layer.padding, ceil_mode=layer.ceil_mode)

    def inception(self, c_in: int, m: Inception) -> tuple[InceptionBlock, int]:
        branches: dict[str, nn.Module] = {}
        layout = inception_branches(m, self.spec.five_by_five)
        # Layers draw their initial weights from the random generator in the order they are
        # created; this order (the 1x1 branch last) is the one every stored run was trained with.
        for branch in ("b3x3", "b5x5", "bpool", "b1x1"):
            units = layout[branch]
            layers: OrderedDict[str, nn.Module] = OrderedDict()
            c = c_in
            for unit in units:
                if unit.is_pool:
                    layers[unit.attr] = nn.MaxPool2d(unit.kernel, stride=1, padding=1, ceil_mode=self.spec.inception_pool_ceil)
                    continue
                conv = self.conv(c, Conv(unit.attr, unit.conv_width, unit.kernel, padding="same"))
                if unit.attr == "conv_a" and self.spec.source_bn_eps:
                    cast(nn.BatchNorm2d, conv.get_submodule("bn")).eps = float(unit.conv_width)  # source 000's BatchNorm2d(n5x5, n5x5)
                layers[unit.attr] = conv
                c = unit.conv_width
            branches[branch] = layers[""] if "" in layers else nn.Sequential(layers)
        return InceptionBlock(**branches), inception_out_channels(m, c_in)

    def aux(self, c_in: int, head: AuxHead) -> AuxClassifier:
        if head.adaptive:
            pool: nn.Module = nn.AdaptiveAvgPool2d(head.adaptive_size)
        else:
            pool = nn.AvgPool2d(head.pool_kernel, head.pool_stride)
        conv = self.conv(c_in, Conv("conv", head.conv_channels, 1))
        fc_in = self.rows[f"{head.name} / fc"].weights // head.fc_features
        return AuxClassifier(pool, conv, fc_in, head, self.num_classes)

    def build(self) -> GoogLeNet:
        blocks: OrderedDict[str, nn.Module] = OrderedDict()
        c = self.in_channels
        for layer in self.spec.layers:
            key = block_key(layer)
            if not key.isidentifier() or key in blocks:
                raise UsageError(
                    f"layer name {layer.name!r} must be unique and a valid Python identifier "
                    "(letters, digits, underscores)"
                )
            if isinstance(layer, Conv):
                blocks[key] = self.conv(c, layer)
                c = layer.out_channels
            elif isinstance(layer, Pool):
                blocks[key] = self.pool(layer)
            elif isinstance(layer, LRN):
                blocks[key] = nn.LocalResponseNorm(layer.size, layer.alpha, layer.beta, layer.k)
            elif isinstance(layer, Inception):
                blocks[key], c = self.inception(c, layer)
            elif isinstance(layer, AuxHead):
                blocks[key] = self.aux(c, layer)
        classifier = nn.Sequential(
            OrderedDict(
                pool=nn.AdaptiveAvgPool2d(1),
                flatten=nn.Flatten(),
                dropout=nn.Dropout(self.spec.classifier.dropout),
                fc=nn.Linear(c, self.num_classes),
            )
        )
        return GoogLeNet(self.spec, blocks, classifier)


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
