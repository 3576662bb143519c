"""Checks of a drawn figure's layout: labels that overlap, labels drawn over another panel, a
legend drawn over the data.

The book's figures are tested with these, so a change of data or style that makes two labels
collide (or moves a legend onto the curves) fails a test instead of reaching a reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox


def _drawn_ticklabels(labels: list[Text], interval: tuple[float, float], coordinate: int) -> Iterator[Text]:
    """The tick labels whose tick lies inside the axis' view ``interval`` (matplotlib keeps labels
    for ticks just beyond the limits, and does not draw them)."""
    low, high = sorted(interval)
    margin = 1e-9 * (high - low)
    yield from (t for t in labels if low - margin <= t.get_position()[coordinate] <= high + margin)


def _axes_texts(ax: Axes) -> Iterator[Text]:
    yield from (child for child in ax.get_children() if isinstance(child, Text))  # titles and texts
    if ax.axison:  # an axis turned off draws neither its labels nor its ticks
        yield ax.xaxis.label
        yield ax.yaxis.label
        yield from _drawn_ticklabels(ax.get_xticklabels(which="both"), ax.xaxis.get_view_interval(), 0)
        yield from _drawn_ticklabels(ax.get_yticklabels(which="both"), ax.yaxis.get_view_interval(), 1)
    legend = ax.get_legend()
    if legend is not None:
        yield from legend.get_texts()
        yield legend.get_title()


def visible_texts(fig: Figure) -> list[Text]:
    """Every text of ``fig`` a reader sees: titles, axis and tick labels (of secondary axes too),
    annotations, legends."""
    texts: list[Text] = []
    for ax in fig.axes:
        for axes in (ax, *ax.child_axes):  # a secondary axis (its tick labels) is a child of its axes
            texts.extend(_axes_texts(cast(Axes, axes)))
    texts.extend(fig.texts)  # the suptitle among them
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _shrunk(box: Bbox, pixels: float) -> Bbox:
    return Bbox.from_extents(box.x0 + pixels, box.y0 + pixels, box.x1 - pixels, box.y1 - pixels)


def overlapping_texts(fig: Figure, tolerance: float = 1.0) -> list[tuple[str, str]]:
    """The pairs of visible texts of ``fig`` whose boxes overlap by more than ``tolerance``
    pixels on each side (an empty list for a clean figure)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = visible_texts(fig)
    boxes = [_shrunk(t.get_window_extent(renderer), tolerance) for t in texts]
    return [(texts[i].get_text(), texts[j].get_text())
            for i in range(len(texts)) for j in range(i + 1, len(texts)) if boxes[i].overlaps(boxes[j])]


def texts_over_other_axes(fig: Figure, tolerance: float = 1.0) -> list[tuple[str, int]]:
    """The visible texts of ``fig`` drawn over the area of an axes they do not belong to (a
    title over the image above it, a tick label over the next panel), each with the index of
    that axes in ``fig.axes``; texts inside their own axes (counts in a heatmap) are allowed."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    areas = [ax.get_window_extent(renderer) for ax in fig.axes]
    found = []
    for index, ax in enumerate(fig.axes):
        for text in (t for t in _axes_texts(ax) if t.get_visible() and t.get_text().strip()):
            box = _shrunk(text.get_window_extent(renderer), tolerance)
            found += [(text.get_text(), other) for other, area in enumerate(areas) if other != index and box.overlaps(area)]
    for text in (t for t in fig.texts if t.get_visible() and t.get_text().strip()):
        box = _shrunk(text.get_window_extent(renderer), tolerance)
        found += [(text.get_text(), other) for other, area in enumerate(areas) if box.overlaps(area)]
    return found


def legend_covers_data(ax: Axes) -> bool:
    """Whether the legend of ``ax`` is drawn over a data point of one of its lines or markers."""
    legend = ax.get_legend()
    if legend is None:
        return False
    fig = ax.get_figure()
    assert fig is not None
    fig.canvas.draw()
    box = legend.get_window_extent()
    for line in ax.get_lines():
        xy = [np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)]  # errorbar: object arrays
        points = ax.transData.transform(np.column_stack(xy))
        if box.count_contains(points[np.isfinite(points).all(axis=1)]):
            return True
    for collection in ax.collections:
        offsets = np.asarray(collection.get_offsets())
        if offsets.size:
            points = ax.transData.transform(offsets)
            if box.count_contains(points):
                return True
    return False
