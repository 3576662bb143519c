"""Table 1's conv1 row against a dense and a depthwise-separable 7x7 stem."""

from gnet_lib.core.stem import (
    multiplier_sweep,
    separable_cost,
    separable_stem,
    slim_multiplier,
    stem_comparison,
)


def test_tfslim_multiplier_is_eight():
    assert slim_multiplier() == 8  # min(64 // 3, 8)
    assert slim_multiplier(3, 16) == 5


def test_separable_stem_counts():
    stem = separable_stem()
    assert stem.weights == 7 * 7 * 3 * 8 + 3 * 8 * 64 == 2712
    assert stem.macs == 112 * 112 * 2712 == 34_019_328
    assert separable_cost(1, 1, 4, 10, 3, 2).weights == 9 * 4 * 2 + 8 * 10


def test_only_the_separable_reading_matches_both_printed_cells():
    dense, separable = stem_comparison().rows
    assert dense["weights"] == 7 * 7 * 3 * 64 and dense["MACs"] == 112 * 112 * 7 * 7 * 3 * 64
    assert dense["weights / 2.7K"] > 3 and dense["MACs / 34M"] > 3
    assert abs(separable["weights / 2.7K"] - 1) < 0.01 and abs(separable["MACs / 34M"] - 1) < 0.01


def test_multiplier_sweep_prints_like_table_1():
    rows = {r["multiplier"]: r for r in multiplier_sweep(range(7, 10))}
    assert rows[8]["in K"] == "2.7K" and rows[8]["in M"] == "34M"
    assert rows[7]["in K"] == "2.4K" and rows[9]["in K"] == "3.1K"
