"""AlexNet and VGG-16 from their layer shapes, checked against torchvision and the AlexNet paper."""

import pytest
import torch
import torchvision
from torch import nn

from gnet_lib.core.baselines import (
    ALEXNET_PAPER,
    ALEXNET_TORCHVISION,
    VGG16,
    Weighted,
    count_params,
    googlenet_counts,
    network_table,
    size_ratios,
)


def torchvision_params(factory):
    with torch.device("meta"):  # shapes only: no memory, no initialisation
        return sum(p.numel() for p in factory(weights=None).parameters())


def paper_alexnet():
    """Krizhevsky et al. 2012 with its two GPUs as convolution groups."""
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4), nn.Conv2d(96, 256, 5, groups=2), nn.Conv2d(256, 384, 3),
        nn.Conv2d(384, 384, 3, groups=2), nn.Conv2d(384, 256, 3, groups=2),
        nn.Linear(9216, 4096), nn.Linear(4096, 4096), nn.Linear(4096, 1000))


def test_torchvision_networks_match_their_layer_shapes():
    assert count_params(ALEXNET_TORCHVISION) == torchvision_params(torchvision.models.alexnet) == 61_100_840
    assert count_params(VGG16) == torchvision_params(torchvision.models.vgg16) == 138_357_544


def test_paper_alexnet_is_the_two_gpu_network():
    with torch.device("meta"):
        expected = sum(p.numel() for p in paper_alexnet().parameters())
    assert count_params(ALEXNET_PAPER) == expected
    assert 60e6 < expected < 61e6  # the paper's "60 million parameters"


def test_grouped_convolutions_see_a_share_of_the_channels():
    assert Weighted("c", 96, 256, 5, groups=2).params == 5 * 5 * 48 * 256 + 256
    assert Weighted("fc", 10, 3).params == 33


def test_network_table_shows_the_fully_connected_share():
    table = network_table()
    fc = 9216 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000
    row = table.where(network="AlexNet (torchvision)")[0]
    assert row["in fully connected layers"] == fc
    assert row["fc share"] == pytest.approx(fc / 61_100_840)


def test_ratios_say_what_they_count():
    counts = googlenet_counts()
    assert counts["with auxiliary heads"] == 13_378_280
    # source 003's network: the same without its 7,536 convolution biases, its own printed count
    assert counts["with auxiliary heads, no conv bias"] == 13_378_280 - 7_536 == 13_370_744
    assert counts["inference network"] == 6_998_552
    printed = [2.7, 112, 159, 380, 364, 437, 463, 580, 840, 1072, 1388, 1000]  # Table 1, in K
    assert counts["Table 1's printed params, summed"] == round(sum(printed) * 1000)
    table = size_ratios()
    first = table[0]
    assert first["published by"] == "source 003" and first["GoogLeNet parameters"] == 13_370_744
    assert first["ratio"] == round(61_100_840 / 13_370_744, 2) == 4.57
    paper = table.where(**{"published by": "the paper"})[0]
    assert paper["ratio"] == round(count_params(ALEXNET_PAPER) / 6_998_552, 2) and paper["published"] == 12
    assert [r["published"] for r in table.where(**{"published by": "source 000"})] == [9, 20]
