"""Table 1 as printed beside the exact computation, and what the params column can tell."""

import pytest

from gnet_lib.core.paper import (
    PARTS,
    compare_with_paper,
    comparison_part,
    implied_units,
    params_rows,
    printed_self_consistency,
    printed_totals,
    prints_as,
    unit_readings,
    unit_scores,
    written_like,
)
from gnet_lib.core.table1 import TABLE_1, inception_channels, parse_count


@pytest.fixture(scope="module")
def comparison():
    return compare_with_paper()


def test_every_output_size_matches_the_paper(comparison):
    assert len(comparison) == len(TABLE_1) == 19
    assert all(row["output matches"] for row in comparison), [r for r in comparison if not r["output matches"]]


def test_exact_values_for_inception_3a(comparison):
    row = comparison.where(type="inception (3a)")[0]
    weights = 192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32
    assert row["our weights"] == weights
    assert row["our MACs"] == 28 * 28 * weights
    assert row["paper params"] == "159K" and row["paper ops"] == "128M"


def test_the_two_layer_convolution_row_counts_reduce_and_3x3(comparison):
    row = comparison[2]
    assert row["our weights"] == 64 * 64 + 9 * 64 * 192
    assert row["weights / printed"] == round((64 * 64 + 9 * 64 * 192) / 112e3, 3)


def test_known_differences_are_shown_not_hidden(comparison):
    conv1 = comparison[0]
    assert conv1["our weights"] == 7 * 7 * 3 * 64
    assert conv1["weights - printed"] == 7 * 7 * 3 * 64 - 2700
    assert conv1["MACs - printed"] == 112 * 112 * 7 * 7 * 3 * 64 - 34_000_000
    five_a = comparison.where(type="inception (5a)")[0]
    assert five_a["weights / printed"] < 1  # printed 1072K, exact 1,042,432
    assert comparison.where(type="max pool")[0]["weights - printed"] is None
    assert "exact total" in comparison.notes[0] and "1,582,671,872 MACs" in comparison.notes[0]


def test_the_parts_are_narrow_and_cover_every_column(comparison):
    assert set(comparison.columns) == {c for part in PARTS.values() for c in part}
    assert len(comparison_part("outputs", comparison)) == 19
    params, ops = comparison_part("params", comparison), comparison_part("ops", comparison)
    assert len(params) == len(ops) == 12 and max(len(p) for p in PARTS.values()) <= 5
    assert params[0]["our weights"] == 9408 and ops[-1]["our MACs"] == 1_024_000


def test_the_ops_column_is_the_exact_macs_rounded_except_in_three_rows(comparison):
    """A printed cell is the exact count rounded to its last digit, so that is the test, not a
    percentage: half a unit of "1M" is half the number, of "360M" a small fraction of it."""
    ops = comparison_part("ops", comparison)
    misses = {r["type"]: r["our MACs, rounded"] for r in ops if r["our MACs, rounded"] != r["paper ops"]}
    # conv1: 118.0M dense; 4a: 73.608M is nearer 74 than 73; 5a: 51.08M
    assert misses == {"convolution": "118M", "inception (4a)": "74M", "inception (5a)": "51M"}
    assert ops.where(type="linear")[0]["our MACs, rounded"] == "1M"  # 1.024M: rounding, not a discrepancy


def test_written_like_rounds_to_the_cells_last_digit_a_half_up():
    assert written_like(73_608_192, "73M") == "74M" and written_like(34_019_328, "34M") == "34M"
    assert written_like(2712, "2.7K") == "2.7K" and written_like(2750, "2.7K") == "2.8K"  # a half rounds up
    assert written_like(1_042_432, "1072K") == "1042K"


def test_ratio_columns_show_three_decimals(comparison):
    text = comparison_part("ops", comparison).to_text() + comparison_part("params", comparison).to_text()
    assert "1.000" in text and "1.100" in text  # 3a's MACs / printed, 4c's weights / printed (509,440 / 463,000)


def test_self_consistency_flags_only_4c():
    table = printed_self_consistency()
    assert len(table) == 12
    flagged = [r["type"] for r in table if r["verdict"] != "printed params and ops agree"]
    assert flagged == ["inception (4c)"]  # 100M / 463K = 216 positions, not 14x14 = 196
    assert table[0]["printed ops / params"] == round(34e6 / 2.7e3)


def test_prints_as_rounds_to_the_printed_precision():
    assert prints_as(2712, "2.7K", 1000) and not prints_as(2712, "2.7K", 1024)  # 2.712 and 2.648
    assert not prints_as(163_328, "159K", 1024)  # 159.5 exactly: a half rounds up, to 160K
    assert prints_as(163_328, "159K", 1024, "down") and not prints_as(163_840, "159K", 1024, "down")
    assert not prints_as(388_096, "380K", 1024)  # 379.0
    assert prints_as(34_019_328, "34M", 10**6) and not prints_as(73_608_192, "73M", 10**6)
    with pytest.raises(ValueError):
        prints_as(1, "34G", 1000)


def test_params_rows_with_and_without_the_separable_stem():
    dense, separable = params_rows(separable=False), params_rows()
    assert [r["row"] for r in dense][:3] == ["conv1", "conv2", "3a"] and dense[-1]["row"] == "linear"
    assert dense[0]["weights"] == 9408 and separable[0]["weights"] == 2712
    assert dense[0]["with biases"] - dense[0]["weights"] == separable[0]["with biases"] - separable[0]["weights"] == 64
    assert dense[1:] == separable[1:]
    assert dense[-1] == {"row": "linear", "printed": "1000K", "weights": 1_024_000, "with biases": 1_025_000}


def test_no_single_unit_explains_the_column():
    units = implied_units()
    assert units.where(row="linear")[0]["implied unit"] == 1024
    implied = units.column("implied unit")
    assert min(implied) < 1000 and max(implied) > 1024  # 5a needs 972, 4c needs 1100
    readings = {(r["count"], r["unit"], r["rounding"]): r for r in unit_readings()}
    assert readings["weights", 1024, "nearest"]["which"] == "conv2, linear"  # 3a's 159.5 rounds to 160
    assert readings["weights", 1024, "down"]["which"] == "conv2, 3a, linear"
    assert readings["weights", 1000, "nearest"]["which"] == "conv1"
    assert max(r["cells reproduced"] for r in readings.values()) <= 4


def test_being_closer_than_1000_is_no_evidence():
    scores = {r["unit"]: r for r in unit_scores((1001, 1024), separable=False)}
    assert scores[1001]["closer than 1000"] == scores[1024]["closer than 1000"] == 11
    assert scores[1001]["cells reproduced"] == 0 and scores[1024]["cells reproduced"] == 2


def test_printed_totals():
    rows = {r["total"]: r for r in printed_totals()}
    assert rows["Table 1's params column, summed"]["params"] == round(sum(parse_count(r.params) or 0 for r in TABLE_1)) == 6_797_700
    assert rows["Table 1's ops column, summed"]["MACs"] == 1_502_000_000
    assert rows["exact (dense stem, no biases)"]["params"] == 6_990_272


def test_parse_count_and_channels():
    assert parse_count("2.7K") == 2700 and parse_count("34M") == 34e6 and parse_count("") is None
    assert inception_channels(TABLE_1[4]) == (64, 96, 128, 16, 32, 32)
