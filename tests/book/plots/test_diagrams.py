"""Diagrams: drawn from specs, wired as the spec says, with the shapes of the layer walk."""

import warnings
from dataclasses import replace
from itertools import pairwise

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Annotation

from gnet_lib import get_spec, layer_table
from gnet_lib.book.plots import diagrams
from gnet_lib.book.plots.layout import overlapping_texts
from gnet_lib.core.architectures import naive_network
from gnet_lib.core.specs import inception_branches

PAPER = get_spec("inception-v1")
INPUTS = {r.block: r.in_shape for r in layer_table(PAPER, aux_logits=False).layer_rows if r.kind == "concat"}


def _spec_edges(module, five_by_five):
    """What feeds what, read from the spec: input -> each branch's layers in order -> concat."""
    edges = set()
    for branch, units in inception_branches(module, five_by_five).items():
        chain = ["input", *(diagrams.unit_key(branch, i) for i in range(len(units))), "concat"]
        edges |= set(pairwise(chain))
    return edges


def _boxes(ax):
    return {p.get_gid(): p for p in ax.patches if isinstance(p, FancyBboxPatch) and p.get_gid()}


def _touches(box, point, edge):
    """Whether ``point`` lies on the top or bottom edge of ``box``, within its width."""
    x, y = point
    y_edge = box.get_y() + (box.get_height() if edge == "top" else 0)
    return abs(y - y_edge) < 1e-6 and box.get_x() <= x <= box.get_x() + box.get_width()


def _drawn_edges(ax):
    """Each arrow as (box it leaves from the bottom, box it enters from the top)."""
    boxes = _boxes(ax)
    edges = []
    for arrow in (t for t in ax.texts if isinstance(t, Annotation)):
        src = [k for k, b in boxes.items() if _touches(b, arrow.xyann, "bottom")]
        dst = [k for k, b in boxes.items() if _touches(b, arrow.xy, "top")]
        assert len(src) == len(dst) == 1, (arrow.xyann, arrow.xy, src, dst)
        edges.append((src[0], dst[0]))
    return edges


MODULES = [(m, "5x5") for m in PAPER.inceptions] + [(naive_network(PAPER).inceptions[0], "5x5"), (PAPER.inceptions[0], "3x3-3x3")]


@pytest.mark.parametrize("module,five_by_five", MODULES, ids=lambda v: getattr(v, "name", v))
def test_every_layer_is_drawn_with_the_arrow_from_the_layer_that_feeds_it(module, five_by_five):
    input_shape = (module.in_channels, 28, 28)
    fig = diagrams.draw_inception_module(module, five_by_five, input_shape)
    ax = fig.axes[0]
    drawn = _drawn_edges(ax)
    assert len(drawn) == len(set(drawn)) and set(drawn) == _spec_edges(module, five_by_five)
    layout = diagrams.inception_layout(module, five_by_five, input_shape)
    assert set(layout.edges) == _spec_edges(module, five_by_five)
    matplotlib.pyplot.close(fig)


def test_module_boxes_name_the_unit_and_its_output_shape():
    m3a = PAPER.inceptions[0]
    layout = diagrams.inception_layout(m3a, input_shape=INPUTS["3a"])
    texts = {key: box.text for key, box in layout.boxes.items()}
    assert texts["b3x3.0"] == "1x1 conv, 96\n96x28x28"      # the reduction ...
    assert texts["b3x3.1"] == "3x3 conv, 128\n128x28x28"    # ... feeds the 3x3
    assert texts["b5x5.0"] == "1x1 conv, 16\n16x28x28"
    assert texts["bpool.0"] == "3x3 max pool\n192x28x28"    # the pool keeps every input channel
    assert texts["input"].endswith("192x28x28") and texts["concat"].endswith("256x28x28")
    assert diagrams.inception_layout(m3a).boxes["concat"].text == "concatenate: 256 ch"


def test_network_boxes_show_the_walk_shapes_in_order():
    for spec, size in ((get_spec("inception-v1", aux_logits=True), None), (get_spec("googlenet"), (3, 64, 64))):
        fig = diagrams.draw_network(spec, size)
        shown = [t.get_text() for t in fig.axes[0].texts if t.get_family() == ["monospace"]]
        rows = layer_table(spec, input_size=size).layer_rows
        expected = [rows[0].in_shape] + [r.out_shape for r in rows if r.main_path and (r.block in ("stem", "head") or r.kind == "concat")]
        assert shown == [diagrams.shape_text(s) for s in expected]
        matplotlib.pyplot.close(fig)


def _box_with_text(ax, text):
    """The main-column box whose label starts with ``text``."""
    label = next(t for t in ax.texts if t.get_text().startswith(text))
    _x, y = label.get_position()
    return next(p for p in ax.patches if p.get_gid().startswith("main.") and p.get_y() <= y <= p.get_y() + p.get_height())


def test_aux_arrows_leave_the_module_they_read_and_reach_their_head():
    spec = get_spec("inception-v1", aux_logits=True)
    ax = diagrams.draw_network(spec).axes[0]
    arrows = [t for t in ax.texts if isinstance(t, Annotation)]
    assert len(arrows) == len(spec.aux_heads) == 2
    for arrow, module in zip(sorted(arrows, key=lambda a: -a.xy[1]), ("4a", "4d")):
        box = _box_with_text(ax, f"inception ({module})")
        start, end = arrow.xyann, arrow.xy
        assert start[0] == pytest.approx(box.get_x() + box.get_width())          # the module box's right edge ...
        assert box.get_y() < start[1] < box.get_y() + box.get_height()            # ... at its height
        head = next(p for p in ax.patches if p.get_gid() == arrow.get_gid().split("->")[1])
        assert end[0] == pytest.approx(head.get_x()) and head.get_y() < end[1] < head.get_y() + head.get_height()
        assert any(t.get_text().startswith(f"aux{1 + ('4a', '4d').index(module)}:") for t in ax.texts)


FIGURES = {
    "module 3a": lambda: diagrams.draw_inception_module(PAPER.inceptions[0], input_shape=INPUTS["3a"]),
    "module 5b": lambda: diagrams.draw_inception_module(PAPER.inceptions[-1], input_shape=INPUTS["5b"]),
    "naive 3a": lambda: diagrams.draw_inception_module(naive_network(PAPER).inceptions[0], input_shape=INPUTS["3a"]),
    "3a without shapes": lambda: diagrams.draw_inception_module(replace(PAPER.inceptions[0], in_channels=None)),
    "paper network": lambda: diagrams.draw_network(get_spec("inception-v1", aux_logits=True)),
    "cifar network": lambda: diagrams.draw_network(get_spec("googlenet", aux_logits=True)),
    "pool windows": lambda: diagrams.draw_pool_windows(),
}


@pytest.mark.parametrize("name", FIGURES)
def test_no_two_labels_overlap(name):
    fig = FIGURES[name]()
    assert overlapping_texts(fig) == []
    matplotlib.pyplot.close(fig)


def test_pool_window_conventions():
    conventions = diagrams.pool_conventions(7)
    assert [w.count for w in conventions.values()] == [3, 4, 4]
    assert conventions["TensorFlow SAME"].padding == conventions["padding 1, floor"].padding == (1, 1)


def test_diagrams_draw_without_warnings(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = [
            diagrams.draw_inception_module(PAPER.inceptions[0], input_shape=INPUTS["3a"]),
            diagrams.draw_inception_module(replace(PAPER.inceptions[0], in_channels=None)),
            diagrams.draw_network(get_spec("googlenet", aux_logits=True)),
            diagrams.draw_pool_windows(),
        ]
    for i, fig in enumerate(figures):
        fig.savefig(tmp_path / f"{i}.png")
        assert (tmp_path / f"{i}.png").stat().st_size > 1000
