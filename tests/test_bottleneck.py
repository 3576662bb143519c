"""Bottleneck savings and Inception v3 factorisations, in exact integers."""

from gnet_lib.bottleneck import (
    bottleneck_table,
    branch_costs,
    conv_cost,
    factorisations,
    whole_network_comparison,
)


def test_inception_3a_5x5_branch():
    without, with_reduction = branch_costs(28, 28, 192, 32, 5, 16)
    assert without.macs == 28 * 28 * 5 * 5 * 192 * 32
    assert with_reduction.macs == 28 * 28 * 192 * 16 + 28 * 28 * 5 * 5 * 16 * 32
    assert without.weights == 5 * 5 * 192 * 32
    assert with_reduction.weights == 192 * 16 + 5 * 5 * 16 * 32
    assert 9 < without.macs / with_reduction.macs < 10


def test_every_module_and_branch_is_listed_and_saves():
    table = bottleneck_table()
    assert len(table) == 18
    assert {r["module"] for r in table} == {"3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"}
    for row in table:
        assert row["MACs with"] < row["MACs without"]
        assert row["MACs ratio"] == row["weights ratio"]  # same output size on both sides
    row = table.where(module="3a", branch="5x5")[0]
    assert row["MACs without"] == 28 * 28 * 5 * 5 * 192 * 32


def test_whole_network_naive_against_bottleneck():
    table = whole_network_comparison("googlenet")
    assert table[0]["output channels"] == 1024 and table[1]["output channels"] == 4944
    assert table[1]["params"] > 10 * table[0]["params"]
    paper = whole_network_comparison()
    assert paper[1]["MACs"] > 7 * paper[0]["MACs"]


def test_factorisation_savings_with_equal_widths():
    table = factorisations(64, 64)
    assert table[0]["saving"] == round(1 - 18 / 25, 4)
    assert table[1]["saving"] == round(1 - 6 / 9, 4)


def test_factorisation_can_cost_more_when_the_middle_is_wider():
    table = factorisations(16, 32, h=28, w=28)  # 3a's 5x5 after its reduction, as source 000 builds it
    assert table[0]["weights after"] == 9 * 16 * 32 + 9 * 32 * 32 > table[0]["weights before"]
    assert conv_cost(2, 3, 4, 5, 1, 3).macs == 2 * 3 * 4 * 5 * 3
