"""The chart of two networks' cost by stage: bars from the stage table, labels that do not collide."""

import matplotlib

matplotlib.use("Agg")

from gnet_lib import layer_table
from gnet_lib.book.plots.layout import overlapping_texts
from gnet_lib.book.plots.stage_cost import stage_cost_chart
from gnet_lib.core.stage_cost import stage_cost_table


def _figure():
    return stage_cost_chart(layer_table("googlenet"), layer_table("inception-v1", aux_logits=False))


def test_the_bars_are_the_tables_numbers():
    table = stage_cost_table(layer_table("googlenet"), layer_table("inception-v1", aux_logits=False))
    ax = _figure().axes[0]
    stages = [r for r in table if r["stage"] != "whole network"]
    widths = [round(p.get_width() * 1e6) for p in ax.patches]
    expected = ([r["inception-v1"] for r in stages] + [r["on googlenet's maps"] or 0 for r in stages]
                + [r["googlenet"] for r in stages])
    assert widths == expected
    assert [t.get_text() for t in ax.get_yticklabels()] == [r["stage"] for r in stages]


def test_labels_do_not_overlap_and_the_legend_is_off_the_bars():
    fig = _figure()
    assert overlapping_texts(fig) == []
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    assert not any(legend.overlaps(p.get_window_extent()) for p in ax.patches)
    assert legend.y1 < ax.get_window_extent().y0  # below the axes
