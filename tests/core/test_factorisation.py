"""Factorised convolutions and grid reductions, in exact integers; the break-even condition."""

import itertools

from gnet_lib.core.factorisation import (
    FIVE_AS_TWO_THREES,
    SEVEN_AS_ASYMMETRIC,
    THREE_AS_ASYMMETRIC,
    factorisations,
    grid_reduction_options,
    parallel_split,
    verdicts,
)


def test_savings_with_equal_widths():
    table = factorisations(64, 64)
    assert [r["saving"] for r in table] == [round(1 - 18 / 25, 4), round(1 - 6 / 9, 4), round(1 - 14 / 49, 4)]
    assert table[2]["weights before"] == 49 * 64 * 64 and table[2]["weights after"] == 14 * 64 * 64


def test_macs_scale_with_the_output_size():
    row = factorisations(192, 192, h=17, w=17).rows[2]
    assert row["MACs before"] == 17 * 17 * 49 * 192 * 192
    assert row["MACs after"] == 17 * 17 * (7 * 192 * 192 + 7 * 192 * 192)


def test_the_cifar_replacement_costs_more_than_its_5x5():
    table = factorisations(16, 32, h=28, w=28)  # 3a's 5x5 after its reduction, as source 000 builds it
    assert table[0]["weights after"] == 9 * 16 * 32 + 9 * 32 * 32 > table[0]["weights before"] == 25 * 16 * 32
    assert table[1]["saving"] == 0  # 3 * 32 * (16 + 32) == 9 * 16 * 32: exactly break-even


def test_saves_is_the_inequality_of_the_chapter():
    for a, m, b in itertools.product((8, 16, 48, 64, 160), (8, 32, 80, 96, 200), (8, 16, 64, 96)):
        assert FIVE_AS_TWO_THREES.saves(a, m, b) == (9 * m * (a + b) < 25 * a * b)
        assert THREE_AS_ASYMMETRIC.saves(a, m, b) == (3 * m * (a + b) < 9 * a * b)
        assert SEVEN_AS_ASYMMETRIC.saves(a, m, b) == (7 * m * (a + b) < 49 * a * b)


def test_widest_saving_middle_is_the_last_width_that_saves():
    for f in (FIVE_AS_TWO_THREES, THREE_AS_ASYMMETRIC):
        for a, b in ((160, 96), (64, 64), (16, 32), (192, 16), (1, 1)):
            m = f.widest_saving_middle(a, b)
            assert not f.saves(a, m + 1, b)
            assert m == 0 or f.saves(a, m, b)
    assert FIVE_AS_TWO_THREES.widest_saving_middle(160, 96) == 166  # 25*160*96 / (9*256) = 166.67
    assert FIVE_AS_TWO_THREES.widest_saving_middle(1, 1) == 1  # 18 < 25
    assert THREE_AS_ASYMMETRIC.widest_saving_middle(1, 1) == 1  # 6 < 9


def test_counterexamples_to_the_old_rule_both_ways():
    table = verdicts(FIVE_AS_TWO_THREES, [(64, 80, 64), (192, 64, 16)])
    wider_but_saves, narrower_but_costs = table.rows
    assert wider_but_saves["m > a"] and wider_but_saves["saves"]
    assert wider_but_saves["weights after"] == 9 * 80 * 128 < 25 * 64 * 64
    assert not narrower_but_costs["m > a"] and not narrower_but_costs["saves"]
    assert narrower_but_costs["weights after"] == 9 * 64 * (192 + 16) > 25 * 192 * 16


def test_parallel_split_doubles_the_output_for_the_same_weights():
    rows = {r["block"]: r for r in parallel_split(384, 384, 3, 8, 8)}
    dense, stacked, side = rows["3x3 to 768"], rows["1x3 then 3x1 (stacked)"], rows["1x3 beside 3x1 (concatenated)"]
    assert dense["weights"] == 9 * 384 * 768 and dense["MACs"] == 64 * 9 * 384 * 768
    assert side["weights"] == stacked["weights"] == 2 * 3 * 384 * 384
    assert side["output channels"] == 2 * stacked["output channels"] == 768


def test_grid_reduction_matches_the_papers_formulas_with_1x1_kernels():
    d, k = 28, 256
    conv_first, pool_first, side = grid_reduction_options(d, k, kernel=1).rows
    assert conv_first["MACs"] == 2 * d ** 2 * k ** 2
    assert pool_first["MACs"] == 2 * (d // 2) ** 2 * k ** 2
    assert side["MACs"] == (d // 2) ** 2 * k ** 2
    assert pool_first["narrowest (values)"] == (d // 2) ** 2 * k  # the representational bottleneck
    assert conv_first["narrowest (values)"] == side["narrowest (values)"] == (d // 2) ** 2 * 2 * k
    three = grid_reduction_options(d, k).rows
    assert three[0]["MACs"] == 9 * conv_first["MACs"] and three[2]["weights"] == 9 * k * k
    assert [r["MACs / first"] for r in three] == [1, 0.25, 0.125]
