"""Bottleneck savings for a branch, a module and the whole network, in exact integers."""

import pytest

from gnet_lib import layer_table
from gnet_lib.core.architectures import PAPER_MODULES
from gnet_lib.core.bottleneck import (
    Cost,
    bottleneck_table,
    branch_costs,
    conv_cost,
    module_comparison,
    module_costs,
    whole_network_comparison,
)


def test_conv_cost_with_rectangular_kernel():
    assert conv_cost(2, 3, 4, 5, 1, 3).macs == 2 * 3 * 4 * 5 * 3
    assert conv_cost(2, 3, 4, 5, 3).weights == 9 * 4 * 5


def test_inception_3a_5x5_branch():
    without, with_reduction = branch_costs(28, 28, 192, 32, 5, 16)
    assert without.macs == 28 * 28 * 5 * 5 * 192 * 32
    assert with_reduction.macs == 28 * 28 * 192 * 16 + 28 * 28 * 5 * 5 * 16 * 32
    assert without.weights == 5 * 5 * 192 * 32
    assert with_reduction.weights == 192 * 16 + 5 * 5 * 16 * 32
    assert 9 < without.macs / with_reduction.macs < 10


def test_module_costs_of_3a_branch_by_branch():
    costs = module_costs(PAPER_MODULES["3a"], 192, 28, 28)
    assert costs["b1x1"][0].weights == 192 * 64 and costs["b1x1"][1] == 64
    assert costs["b3x3"][0].weights == 192 * 96 + 9 * 96 * 128 and costs["b3x3"][1] == 128
    assert costs["b5x5"][0].weights == 192 * 16 + 25 * 16 * 32 and costs["b5x5"][1] == 32
    assert costs["bpool"][0].weights == 192 * 32 and costs["bpool"][1] == 32
    naive = module_costs(PAPER_MODULES["3a"].naive(), 192, 28, 28)
    assert naive["b3x3"][0].macs == 28 * 28 * 9 * 192 * 128
    assert naive["bpool"] == (Cost(0, 0), 192)  # the pool passes all 192 channels, for free


def test_module_comparison_totals_agree_with_the_layer_table():
    table = module_comparison("4e")
    total = table.where(branch="module")[0]
    block = [r for r in layer_table("inception-v1", aux_logits=False).layer_rows if r.block == "4e"]
    assert total["reduced weights"] == sum(r.weights for r in block)
    assert total["reduced MACs"] == sum(r.macs for r in block)
    assert total["reduced out"] == 832 and total["naive out"] == 256 + 320 + 128 + 528
    three_a = module_comparison("3a").where(branch="module")[0]
    assert three_a["naive MACs"] == 28 * 28 * (192 * 64 + 9 * 192 * 128 + 25 * 192 * 32)
    assert [r["branch"] for r in table] == ["1x1", "3x3", "5x5", "pool", "module"]


def test_every_module_and_branch_is_listed_and_saves():
    table = bottleneck_table()
    weights = bottleneck_table(count="weights")
    assert len(table) == len(weights) == 18
    assert {r["module"] for r in table} == {"3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"}
    for row, w_row in zip(table, weights):
        assert row["MACs with"] < row["MACs without"]
        assert row["ratio"] == w_row["ratio"]  # same output size on both sides
    row = table.where(module="3a", branch="5x5")[0]
    assert row["MACs without"] == 28 * 28 * 5 * 5 * 192 * 32
    assert weights.where(module="5b", branch="3x3")[0]["weights with"] == 832 * 192 + 9 * 192 * 384


def test_whole_network_naive_against_bottleneck():
    table = whole_network_comparison("googlenet")
    assert table[0]["output channels"] == 1024 and table[1]["output channels"] == 4944
    assert table[1]["params"] > 10 * table[0]["params"]
    paper = whole_network_comparison()
    assert paper[1]["MACs"] > 7 * paper[0]["MACs"]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_a_convolution_of_a_non_positive_or_fractional_width_is_refused(bad):
    from gnet_lib.core.errors import UsageError
    from gnet_lib.core.factorisation import factorisations

    with pytest.raises(UsageError, match=r"must be a positive whole number, got"):
        conv_cost(28, 28, 192, bad, 3)
    with pytest.raises(UsageError, match=r"c_out must be a positive whole number, got -1"):
        factorisations(64, -1)
