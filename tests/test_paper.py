"""Table 1 as printed beside the exact computation."""

import pytest

from gnet_lib.paper import compare_with_paper
from gnet_lib.table1 import TABLE_1, inception_channels, parse_count


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
    assert conv1["weights / printed"] > 3  # the printed 2.7K is far below a dense 7x7x3x64
    five_a = comparison.where(type="inception (5a)")[0]
    assert five_a["weights / printed"] < 1  # printed 1072K, exact 1,042,432
    assert "exact total" in comparison.notes[0]


def test_parse_count_and_channels():
    assert parse_count("2.7K") == 2700 and parse_count("34M") == 34e6 and parse_count("") is None
    assert inception_channels(TABLE_1[4]) == (64, 96, 128, 16, 32, 32)
