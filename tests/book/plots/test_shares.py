"""The branch share chart of chapter 1: one stacked bar per module, heights from the shares."""

import warnings

import matplotlib
import pytest

matplotlib.use("Agg")

from gnet_lib.book.plots.layout import legend_covers_data, overlapping_texts
from gnet_lib.book.plots.shares import branch_share_chart
from gnet_lib.core.design import output_shares


def test_bars_stack_to_one_and_the_line_marks_the_large_share(tmp_path):
    shares = output_shares()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = branch_share_chart(shares)
    ax = fig.axes[0]
    bars = ax.patches
    assert len(bars) == 4 * len(shares)
    tops = [max(b.get_y() + b.get_height() for b in bars if abs(b.get_x() + b.get_width() / 2 - i) < 1e-9)
            for i in range(len(shares))]
    assert tops == pytest.approx([1.0] * len(shares))
    line = ax.get_lines()[0]
    assert list(line.get_ydata()) == pytest.approx([s.large_share for s in shares])
    fig.savefig(tmp_path / "shares.png")


def test_labels_round_a_half_up_like_the_chapters_tables():
    shares = output_shares()
    labels = [t.get_text() for t in branch_share_chart(shares).axes[0].texts]
    assert len(labels) == len(shares)
    four_b = [s.module for s in shares].index("4b")
    assert labels[four_b] == "0.563"  # 288 / 512 = 0.5625 exactly; Python's format would give 0.562
    assert labels[0] == "0.625" and labels[1] == "0.600"


def test_no_label_overlaps_and_the_legend_leaves_the_bars_free():
    fig = branch_share_chart(output_shares())
    assert overlapping_texts(fig) == []
    assert not legend_covers_data(fig.axes[0])
