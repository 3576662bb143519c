import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from gnet_lib.book.plots.layout import legend_covers_data, overlapping_texts, texts_over_other_axes, visible_texts


def test_two_labels_at_the_same_place_overlap():
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "first label")
    ax.text(0.5, 0.5, "second label")
    assert ("first label", "second label") in overlapping_texts(fig)


def test_labels_far_apart_do_not_overlap():
    fig, ax = plt.subplots()
    ax.text(0.1, 0.1, "first label")
    ax.text(0.6, 0.9, "second label")
    ax.set_title("a title")
    assert overlapping_texts(fig) == []


def test_a_long_tick_label_crowding_its_neighbour_is_found():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlim(0, 1)
    ax.set_xticks([0.4, 0.5], ["a very long tick label", "another long tick label"])
    assert ("a very long tick label", "another long tick label") in overlapping_texts(fig)


def test_hidden_and_empty_texts_are_not_counted():
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "shown")
    ax.text(0.5, 0.5, "hidden").set_visible(False)
    ax.text(0.5, 0.5, "  ")
    assert overlapping_texts(fig) == []
    assert "hidden" not in [t.get_text() for t in visible_texts(fig)]


def test_the_ticks_of_an_axis_turned_off_are_not_counted():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xticks([0.4, 0.5], ["a very long tick label", "another long tick label"])
    ax.axis("off")
    assert overlapping_texts(fig) == []


def test_tick_labels_beyond_the_limits_are_not_counted():
    """matplotlib keeps a label for a tick above the top of the axis, and does not draw it."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a"], [387])
    ax.set_yticks([0, 100, 200, 300, 400])
    ax.set_ylim(0, 387)
    shown = [t.get_text() for t in visible_texts(fig)]
    assert "400" in [t.get_text() for t in ax.get_yticklabels()] and "400" not in shown and "300" in shown


def test_suptitle_and_legend_texts_are_counted():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="a line")
    ax.legend()
    fig.suptitle("the figure")
    texts = [t.get_text() for t in visible_texts(fig)]
    assert "the figure" in texts and "a line" in texts


def test_a_legend_over_the_points_is_found_and_one_beside_them_is_not():
    _fig, ax = plt.subplots()
    ax.plot([i / 10 for i in range(31)], [1] * 31, "o", label="points")
    ax.set_ylim(0, 2)
    ax.legend(loc="center")
    assert legend_covers_data(ax)
    ax.legend(loc="lower right")
    assert not legend_covers_data(ax)


def test_a_legend_over_a_scatter_is_found():
    _fig, ax = plt.subplots()
    ax.scatter([0.5], [0.5], label="one point")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="center")
    assert legend_covers_data(ax)


def test_a_secondary_axis_tick_labels_are_counted():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlim(0, 1)
    top = ax.secondary_xaxis("top")
    top.set_xticks([0.4, 0.45], ["one long name", "another long name"])
    assert ("one long name", "another long name") in overlapping_texts(fig)


def test_error_bars_are_data_a_legend_must_not_cover():
    _fig, ax = plt.subplots()
    ax.errorbar([0.5], [0.5], yerr=0.1, fmt="o", label="a point")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="center")
    assert legend_covers_data(ax)


def test_a_title_running_into_the_panel_above_is_found():
    fig, (upper, lower) = plt.subplots(2, 1, figsize=(3, 3))
    upper.set_position((0.1, 0.5, 0.8, 0.4))
    lower.set_position((0.1, 0.05, 0.8, 0.4))  # no gap for the lower panel's title
    lower.set_title("a title\nof two lines")
    assert ("a title\nof two lines", 0) in texts_over_other_axes(fig)
    lower.set_position((0.1, 0.05, 0.8, 0.25))  # room above the lower panel
    assert texts_over_other_axes(fig) == []


def test_texts_inside_their_own_panel_and_axes_turned_off_are_allowed():
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    left.text(0.5, 0.5, "inside its own axes")
    right.axis("off")  # its tick labels are not drawn, so they cannot collide
    right.set_xticks([0.5], ["a label"])
    assert texts_over_other_axes(fig) == []
    assert "a label" not in [t.get_text() for t in visible_texts(fig)]
    fig.text(0.5, 0.5, "a long figure text drawn over both panels", ha="center")
    assert {axes for _, axes in texts_over_other_axes(fig)} == {0, 1}
