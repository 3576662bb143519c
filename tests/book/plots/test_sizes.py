"""Chapter 2's charts: the last stage's map against a closed form, labels that do not collide."""

import math
import warnings

import matplotlib

matplotlib.use("Agg")

from gnet_lib import get_spec
from gnet_lib.book.plots import sizes
from gnet_lib.book.plots.layout import legend_covers_data, overlapping_texts
from gnet_lib.core.geometry import receptive_fields

SIZES = list(range(31, 321))


def test_last_stage_sizes_follow_the_closed_form():
    # conv1 (7x7/2, padding 3) gives ceil(n/2); a 3x3/2 pool gives floor(m/2) in ceil mode without
    # padding and ceil(m/2) with padding 1 and floor; four pools follow, so the last stage sees
    # floor(ceil(n/2) / 16) or ceil(ceil(n/2) / 16).
    assert sizes.last_stage_sizes(SIZES, "ceil") == [math.ceil(n / 2) // 16 for n in SIZES]
    assert sizes.last_stage_sizes(SIZES, "pad") == [math.ceil(math.ceil(n / 2) / 16) for n in SIZES]


def test_last_stage_chart_draws_both_conventions_without_collisions():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = sizes.last_stage_chart(SIZES)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [list(line.get_ydata()) for line in lines] == [sizes.last_stage_sizes(SIZES, r) for r, _ in sizes.CONVENTIONS]
    assert overlapping_texts(fig) == [] and not legend_covers_data(ax)


def test_receptive_field_chart_marks_the_input_and_has_no_collisions():
    fields = receptive_fields(get_spec("googlenet"))
    fig = sizes.receptive_field_chart(fields, 32)
    ax = fig.axes[0]
    assert list(ax.get_lines()[0].get_ydata()) == [rf.size for rf in fields]
    assert list(ax.get_lines()[1].get_ydata()) == [32, 32]
    assert overlapping_texts(fig) == [] and not legend_covers_data(ax)
