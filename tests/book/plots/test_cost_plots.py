"""Chapter 3's charts draw from their tables without warnings."""

import warnings

import matplotlib

matplotlib.use("Agg")

from gnet_lib.book.plots import cost
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


def test_module_bars_stack_to_the_module_totals():
    table = module_comparison("3a")
    fig = cost.module_cost_bars(table)
    weights_axis = fig.axes[0]
    tops = sorted({round(p.get_y() + p.get_height()) for p in weights_axis.patches})
    assert tops[-1] == table.where(branch="module")[0]["naive weights"] == 387_072


def test_break_even_chart_marks_the_input_width():
    fig = cost.break_even_chart((FIVE_AS_TWO_THREES,), 64, 64)
    ax = fig.axes[0]
    assert any(line.get_xdata()[0] == 64 for line in ax.get_lines() if len(line.get_xdata()) == 2)
    ratio_line = ax.get_lines()[0]
    assert ratio_line.get_ydata()[63] == 9 * 64 * 128 / (25 * 64 * 64)
