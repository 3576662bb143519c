"""The design numbers of chapter 1: branch shares from Table 1 and branch MACs by hand."""

import pytest

from gnet_lib import get_spec
from gnet_lib.core.architectures import naive_network
from gnet_lib.core.design import (
    branch_macs,
    falls,
    module_rows,
    output_shares,
    stage_means,
)
from gnet_lib.core.specs import branch_widths


def test_branch_widths_are_the_last_layer_of_each_branch():
    m3a = get_spec("inception-v1").inceptions[0]
    assert branch_widths(m3a, 192) == {"b1x1": 64, "b3x3": 128, "b5x5": 32, "bpool": 32}
    naive = naive_network(get_spec("inception-v1")).inceptions[0]
    assert branch_widths(naive, 192)["bpool"] == 192  # the pooled input passes through whole


def test_output_shares_from_table_1():
    shares = {s.module: s for s in output_shares()}
    assert list(shares) == ["3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"]
    # (#3x3 + #5x5) / (#1x1 + #3x3 + #5x5 + pool proj), Table 1's columns
    assert shares["3a"].large_share == pytest.approx((128 + 32) / 256)
    assert shares["4a"].large_share == pytest.approx((208 + 48) / 512)
    assert shares["4d"].large_share == pytest.approx((288 + 64) / 528)
    assert shares["5b"].large_share == pytest.approx((384 + 128) / 1024)
    assert shares["4e"].out_channels == 832
    assert sum(shares["3b"].share(b) for b in ("b1x1", "b3x3", "b5x5", "bpool")) == pytest.approx(1.0)


def test_falls_and_stage_means():
    assert falls({"3a": 0.5, "3b": 0.4, "4a": 0.4, "4b": 0.6, "5a": 0.1}) == ["3b", "5a"]
    assert stage_means({"3a": 0.5, "3b": 0.3, "4a": 0.6}) == pytest.approx({"3": 0.4, "4": 0.6})


def test_module_rows_shapes():
    m4a = get_spec("inception-v1").inceptions[2]
    rows = {r.name: r.out_shape for r in module_rows(m4a, (480, 14, 14))}
    assert rows["4a / 3x3 reduce"] == (96, 14, 14) and rows["4a / pool"] == (480, 14, 14)
    assert rows["4a / concat"] == (512, 14, 14)


def test_branch_macs_of_3a_by_hand():
    m3a = get_spec("inception-v1").inceptions[0]
    hw = 28 * 28
    assert branch_macs(m3a, (192, 28, 28)) == {
        "b1x1": hw * 192 * 64,
        "b3x3": hw * 192 * 96 + hw * 9 * 96 * 128,
        "b5x5": hw * 192 * 16 + hw * 25 * 16 * 32,
        "bpool": hw * 192 * 32,  # the pool itself costs no MACs, its projection does
    }
    naive = naive_network(get_spec("inception-v1")).inceptions[0]
    assert branch_macs(naive, (192, 28, 28))["b5x5"] == hw * 25 * 192 * 32
    assert branch_macs(m3a, (192, 28, 28), "3x3-3x3")["b5x5"] == hw * 192 * 16 + hw * 9 * 16 * 32 + hw * 9 * 32 * 32
