"""AlexNet and VGG-16 counted from their layer shapes, and GoogLeNet's size set against them.

Two AlexNets differ. The paper's (Krizhevsky et al. 2012) ran on two GPUs: its second, fourth
and fifth convolutions each see only the half of the channels on their own GPU (``groups=2``),
and its widths are 96-256-384-384-256. torchvision's ``alexnet`` is a single-tower variant
with widths 64-192-384-256-256. Both end in the same three fully connected layers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .anatomy import without_conv_bias
from .architectures import get_spec
from .layers import layer_table
from .published import SOURCE_000_SIZE, SOURCE_003
from .table1 import TABLE_1, parse_count
from .tables import Table

#: The paper's claim: GoogLeNet "uses 12 times fewer parameters" than Krizhevsky et al.'s network.
PAPER_FEWER_THAN_ALEXNET = 12


@dataclass(frozen=True)
class Weighted:
    """A convolution (``kernel`` > 0) or fully connected layer (``kernel`` 0), with bias."""

    name: str
    in_features: int
    out_features: int
    kernel: int = 0
    groups: int = 1

    @property
    def params(self) -> int:
        taps = self.kernel * self.kernel if self.kernel else 1
        return taps * (self.in_features // self.groups) * self.out_features + self.out_features


def _fc(in_features: int) -> tuple[Weighted, ...]:
    return (Weighted("fc6", in_features, 4096), Weighted("fc7", 4096, 4096), Weighted("fc8", 4096, 1000))


ALEXNET_PAPER: tuple[Weighted, ...] = (
    Weighted("conv1", 3, 96, 11),
    Weighted("conv2", 96, 256, 5, groups=2),
    Weighted("conv3", 256, 384, 3),
    Weighted("conv4", 384, 384, 3, groups=2),
    Weighted("conv5", 384, 256, 3, groups=2),
    *_fc(256 * 6 * 6),
)

ALEXNET_TORCHVISION: tuple[Weighted, ...] = (
    Weighted("conv1", 3, 64, 11),
    Weighted("conv2", 64, 192, 5),
    Weighted("conv3", 192, 384, 3),
    Weighted("conv4", 384, 256, 3),
    Weighted("conv5", 256, 256, 3),
    *_fc(256 * 6 * 6),
)


def _vgg16() -> tuple[Weighted, ...]:
    widths = (64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512)
    inputs = (3, *widths[:-1])
    convs = tuple(Weighted(f"conv{i + 1}", c_in, c_out, 3) for i, (c_in, c_out) in enumerate(zip(inputs, widths, strict=True)))
    return convs + _fc(512 * 7 * 7)


VGG16: tuple[Weighted, ...] = _vgg16()

PAPER_ALEXNET, TORCHVISION_ALEXNET, VGG = "AlexNet (paper, two GPUs)", "AlexNet (torchvision)", "VGG-16"
WITH_AUX, INFERENCE, PRINTED = "with auxiliary heads", "inference network", "Table 1's printed params, summed"
#: Source 003's own network: the paper's with its auxiliary heads, its convolutions without bias.
SOURCE_003_NETWORK = "with auxiliary heads, no conv bias"

NETWORKS: dict[str, tuple[Weighted, ...]] = {PAPER_ALEXNET: ALEXNET_PAPER, TORCHVISION_ALEXNET: ALEXNET_TORCHVISION, VGG: VGG16}

#: The pairings of counts that :func:`size_ratios` shows, in order.
PAIRS: tuple[tuple[str, str], ...] = (
    (TORCHVISION_ALEXNET, SOURCE_003_NETWORK), (TORCHVISION_ALEXNET, INFERENCE), (PAPER_ALEXNET, INFERENCE),
    (PAPER_ALEXNET, PRINTED), (VGG, INFERENCE), (VGG, PRINTED),
)


def count_params(layers: Sequence[Weighted]) -> int:
    """Weights and biases of all ``layers``."""
    return sum(layer.params for layer in layers)


def network_table() -> Table:
    """Each reference network's parameters, and the share in its fully connected layers."""
    rows = []
    for name, layers in NETWORKS.items():
        total = count_params(layers)
        fc = count_params([layer for layer in layers if not layer.kernel])
        rows.append({"network": name, "parameters": total, "in fully connected layers": fc, "fc share": fc / total})
    return Table(("network", "parameters", "in fully connected layers", "fc share"), rows,
                 title="Reference networks, counted from their layer shapes")


def googlenet_counts() -> dict[str, int]:
    """GoogLeNet's size counted four ways: the training-time model with its auxiliary heads, the
    same without convolution biases (source 003's network, whose printed count it equals), the
    inference network, and the sum of the params column printed in the paper's Table 1."""
    printed = sum(parse_count(row.params) or 0 for row in TABLE_1)
    return {
        WITH_AUX: layer_table("inception-v1").total_params,
        SOURCE_003_NETWORK: layer_table(without_conv_bias(get_spec("inception-v1"))).total_params,
        INFERENCE: layer_table("inception-v1", aux_logits=False).total_params,
        PRINTED: round(printed),
    }


def published_ratios() -> dict[tuple[str, str], tuple[float, str]]:
    """The published ratios, by the pairing of counts they fit: (ratio, who published it)."""
    return {
        (TORCHVISION_ALEXNET, SOURCE_003_NETWORK): (SOURCE_003["param_ratio"], "source 003"),
        (PAPER_ALEXNET, INFERENCE): (PAPER_FEWER_THAN_ALEXNET, "the paper"),
        (PAPER_ALEXNET, PRINTED): (SOURCE_000_SIZE["fewer_than_alexnet"], "source 000"),
        (VGG, PRINTED): (SOURCE_000_SIZE["fewer_than_vgg16"], "source 000"),
    }


def size_ratios() -> Table:
    """How many times larger AlexNet and VGG-16 are than GoogLeNet, for each pairing of counts,
    beside the published ratio that pairing fits, if any."""
    google, published = googlenet_counts(), published_ratios()
    rows = []
    for other, counted in PAIRS:
        big = count_params(NETWORKS[other])
        claim, by = published.get((other, counted), (None, None))
        rows.append({"larger network": other, "its parameters": big, "GoogLeNet counted as": counted,
                     "GoogLeNet parameters": google[counted], "ratio": round(big / google[counted], 2),
                     "published": claim, "published by": by})
    needed = count_params(ALEXNET_PAPER) / PAPER_FEWER_THAN_ALEXNET
    return Table(tuple(rows[0]), rows, title="How many times larger? It depends on what is counted",
                 notes=[f"the paper's {PAPER_FEWER_THAN_ALEXNET}x would need a GoogLeNet of {needed:,.0f} parameters"])
