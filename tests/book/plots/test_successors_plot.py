"""The chart of the published figures after GoogLeNet: every figure drawn, nothing overlapping."""

import matplotlib

matplotlib.use("Agg")

from gnet_lib.book.plots.layout import legend_covers_data, overlapping_texts
from gnet_lib.book.plots.successors import successors_chart
from gnet_lib.core.published import IMAGENET_RESULTS
from gnet_lib.core.successors import image_set, setting


def test_every_published_figure_is_one_marker_on_its_networks_row():
    ax = successors_chart().axes[0]
    points = sorted((round(float(x), 2), label) for line in ax.get_lines()
                    for x, y in zip(line.get_xdata(), line.get_ydata())
                    for label in [ax.get_yticklabels()[round(float(y))].get_text()])
    assert points == sorted((r.top5, r.network) for r in IMAGENET_RESULTS)


def test_no_label_overlaps_and_the_legend_leaves_the_points_free():
    fig = successors_chart()
    assert overlapping_texts(fig) == []
    assert not legend_covers_data(fig.axes[0])


def test_the_legend_tells_a_validation_subset_from_all_the_validation_images():
    words = {"validation": "all validation images", "validation subset": "a validation subset", "test": "test images"}
    ax = successors_chart().axes[0]
    rows = [label.get_text() for label in ax.get_yticklabels()]
    drawn = sorted((line.get_label(), rows[round(float(y))], round(float(x), 2))
                   for line in ax.get_lines() for x, y in zip(line.get_xdata(), line.get_ydata()))
    assert drawn == sorted((f"{setting(r)}, {words[image_set(r)]}", r.network, r.top5) for r in IMAGENET_RESULTS)
    assert len({line.get_fillstyle() for line in ax.get_lines()}) == 3
