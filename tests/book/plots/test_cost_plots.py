"""Chapter 3's charts draw from their tables without warnings."""

import warnings

import matplotlib

matplotlib.use("Agg")

import pytest

from gnet_lib import layer_table
from gnet_lib.book.plots import cost
from gnet_lib.book.plots.charts import cost_per_block
from gnet_lib.book.plots.layout import legend_covers_data, overlapping_texts
from gnet_lib.core.bottleneck import bottleneck_table, module_comparison
from gnet_lib.core.factorisation import FIVE_AS_TWO_THREES, THREE_AS_ASYMMETRIC
from gnet_lib.core.paper import implied_units


def test_charts_draw_without_warnings(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = [
            cost.bottleneck_ratios(bottleneck_table()),
            cost.module_cost_bars(module_comparison("3a")),
            cost.implied_units_chart(implied_units()),
            cost.break_even_chart((FIVE_AS_TWO_THREES, THREE_AS_ASYMMETRIC), 64, 64),
        ]
    for i, fig in enumerate(figures):
        fig.savefig(tmp_path / f"{i}.png")
        assert (tmp_path / f"{i}.png").stat().st_size > 1000


def test_module_bars_stack_to_the_module_totals_in_the_axes_units():
    table = module_comparison("3a")
    fig = cost.module_cost_bars(table)
    module = table.where(branch="module")[0]
    for ax, (count, unit, label) in zip(fig.axes, cost.MODULE_BAR_UNITS):
        tops = [p.get_y() + p.get_height() for p in ax.patches]
        assert max(tops) * unit == pytest.approx(module[f"naive {count}"])
        assert ax.get_ylabel() == label
    assert module["naive weights"] == 387_072  # 192*64 + 9*192*128 + 25*192*32, worked out by hand


FIGURES = {
    "bottleneck ratios": lambda: cost.bottleneck_ratios(bottleneck_table()),
    "module bars": lambda: cost.module_cost_bars(module_comparison("3a")),
    "implied units": lambda: cost.implied_units_chart(implied_units()),
    "break even": lambda: cost.break_even_chart((FIVE_AS_TWO_THREES, THREE_AS_ASYMMETRIC), 64, 64),
    "cost per block": lambda: cost_per_block(layer_table("inception-v1", aux_logits=False)),
}


@pytest.mark.parametrize("name", FIGURES)
def test_labels_do_not_overlap_legends_leave_the_data_free_and_no_axis_needs_an_offset(name):
    fig = FIGURES[name]()
    assert overlapping_texts(fig) == []
    for ax in fig.axes:
        assert not legend_covers_data(ax)
        for axis in (ax.xaxis, ax.yaxis):  # no "1e8" at the end of an axis
            assert axis.get_offset_text().get_text() == "", (name, axis.get_label_text())


def test_cost_per_block_shows_millions():
    table = layer_table("inception-v1", aux_logits=False)
    params_ax, macs_ax = cost_per_block(table).axes
    blocks = table.block_totals()
    assert [p.get_width() * 1e6 for p in params_ax.patches] == pytest.approx(blocks.column("params"))
    assert [p.get_width() * 1e6 for p in macs_ax.patches] == pytest.approx(blocks.column("MACs"))
    assert "millions" in params_ax.get_xlabel() and "millions" in macs_ax.get_xlabel()
    assert [t.get_text() for t in params_ax.get_yticklabels()] == blocks.column("block")


def test_break_even_chart_marks_the_input_width():
    fig = cost.break_even_chart((FIVE_AS_TWO_THREES,), 64, 64)
    ax = fig.axes[0]
    assert any(line.get_xdata()[0] == 64 for line in ax.get_lines() if len(line.get_xdata()) == 2)
    ratio_line = ax.get_lines()[0]
    assert ratio_line.get_ydata()[63] == 9 * 64 * 128 / (25 * 64 * 64)
