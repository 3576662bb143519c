"""The ablation's figures: every protocol and the published points drawn with their intervals,
nothing overlapping, the legend off the data; curves as a mean and a band over seeds."""

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import ErrorbarContainer

from gnet_lib.book.plots.ablation import ONE_RUN_STYLE, SEEDS_STYLE, Series, error_against_params, seed_curves
from gnet_lib.book.plots.layout import legend_covers_data, overlapping_texts
from gnet_lib.core.architectures import CIFAR_MODEL_NAMES
from gnet_lib.core.layers import layer_table
from gnet_lib.core.published import SOURCE_000
from gnet_lib.training.analysis.seed_comparison import ErrorPoint

PARAMS = {name: layer_table(name).total_params for name in CIFAR_MODEL_NAMES}


def _points(base: float, width: float, models=CIFAR_MODEL_NAMES, over: str = "seeds") -> list[ErrorPoint]:
    return [ErrorPoint(m, PARAMS[m], base + 0.01 * i, base + 0.01 * i - width, base + 0.01 * i + width,
                       3 if over == "seeds" else 1, over) for i, m in enumerate(models)]


SERIES = [Series("mid-scale", _points(0.25, 0.02), "o"), Series("4-epoch", _points(0.6, 0.1), "s"),
          Series("GPU, full scale", _points(0.14, 0.007, ["googlenet"]), "D")]


@pytest.mark.parametrize("series", [SERIES, SERIES[:1], []])
def test_error_against_params_has_no_overlapping_text_and_keeps_the_legend_off_the_data(series):
    fig = error_against_params(series)
    ax = fig.axes[0]
    assert overlapping_texts(fig) == []
    assert not legend_covers_data(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [s.label for s in series] == legend[:len(series)]
    assert legend[len(series)].startswith("source 000, published")
    assert legend[len(series) + 1:] == ([SEEDS_STYLE] if series else [])  # every point here is over seeds
    named = {t.get_text() for t in ax.child_axes[0].get_xticklabels()}  # the top axis names every variant once
    assert named == set(CIFAR_MODEL_NAMES)


def test_each_point_is_drawn_with_its_own_interval_and_the_gpu_point_is_there():
    fig = error_against_params(SERIES, published=None)
    bars = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 3
    gpu_line, _, (gpu_bar,) = bars[2]
    assert list(gpu_line.get_ydata()) == [0.14]
    (low, high), = [(seg[0][1], seg[1][1]) for seg in gpu_bar.get_segments()]
    assert (low, high) == (pytest.approx(0.133), pytest.approx(0.147))
    assert len(bars[0][0].get_ydata()) == len(CIFAR_MODEL_NAMES)


def test_the_published_points_carry_their_rounding():
    fig = error_against_params([], published="cifar10")
    (line, _, (bar,)), = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert sorted(line.get_ydata()) == sorted(r.top1_error for r in SOURCE_000["cifar10"].values())
    assert all(seg[1][1] - seg[0][1] == pytest.approx(0.01) for seg in bar.get_segments())


def _history(errors, train_offset=-0.1):
    return [{"epoch": i + 1, "test_top1_err": e, "train_top1_err": e + train_offset} for i, e in enumerate(errors)]


def _runs(models, seeds=3, epochs=14):
    return {m: {s: {"history": _history([0.8 - 0.04 * e + 0.01 * s + 0.005 * i for e in range(epochs)])}
                for s in range(1, seeds + 1)} for i, m in enumerate(models)}


@pytest.mark.parametrize("models, seeds, epochs", [(CIFAR_MODEL_NAMES, 3, 14), (["googlenet", "short3", "short4"], 2, 14),
                                                   (["short4"], 1, 4), (["short3", "short4"], 3, 4)])
def test_seed_curves_are_legible(models, seeds, epochs):
    fig = seed_curves(_runs(models, seeds, epochs))
    assert overlapping_texts(fig) == []
    renderer = fig.canvas.get_renderer()
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    assert not any(box.overlaps(ax.get_tightbbox(renderer)) for ax in fig.axes if ax.get_visible())
    assert overlapping_texts(fig) == [] and len({t.get_text() for t in legend.get_texts()}) == len(legend.get_texts())
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == [
        f"{m} ({seeds} seed{'s' if seeds > 1 else ''})" for m in CIFAR_MODEL_NAMES if m in models]


@pytest.mark.parametrize("variants", [5, 6, 7, 4, 2])
def test_every_column_of_seed_curves_shows_its_epochs_under_its_lowest_panel(variants):
    fig = seed_curves(_runs(CIFAR_MODEL_NAMES[:variants], 2, 14))
    fig.canvas.draw()
    visible = [ax for ax in fig.axes if ax.get_visible()]
    columns = min(4, variants)
    for column in range(columns):
        panels = visible[column::columns]
        lowest, above = panels[-1], panels[:-1]
        assert lowest.get_xlabel() == "epoch" and any(t.get_text() for t in lowest.get_xticklabels() if t.get_visible())
        assert all(ax.get_xlabel() == "" for ax in above)
    assert overlapping_texts(fig) == []


def test_seed_curves_draw_the_mean_and_the_band_between_the_lowest_and_highest_seed():
    runs = {"short3": {1: {"history": _history([0.8, 0.5])}, 2: {"history": _history([0.6, 0.4])}},
            "googlenet": {1: {"history": _history([0.9, 0.7])}}}
    fig = seed_curves(runs)
    googlenet_ax, short3_ax = fig.axes[:2]
    mean = short3_ax.lines[0]
    assert list(mean.get_ydata()) == pytest.approx([0.7, 0.45])
    (band,) = [c for c in short3_ax.collections if isinstance(c, PolyCollection)]
    ys = band.get_paths()[0].vertices[:, 1]
    assert min(ys) == pytest.approx(0.4) and max(ys) == pytest.approx(0.8)
    assert not [c for c in googlenet_ax.collections if isinstance(c, PolyCollection)]  # one seed: no band
    reference = [line for line in short3_ax.lines if line.get_linestyle() == ":"]
    assert list(reference[0].get_ydata()) == [0.9, 0.7]


def test_single_runs_are_hollow_with_dashed_bars_and_the_legend_names_both_kinds():
    """One protocol with a 3-seed point and a one-run point: two glyphs, never one for both kinds
    of interval; still nothing overlapping and the legend off the data."""
    mixed = _points(0.25, 0.02, ["short3"]) + _points(0.3, 0.009, ["short4"], over="test images")
    fig = error_against_params([Series("mid-scale", mixed, "o")])
    ax = fig.axes[0]
    assert overlapping_texts(fig) == [] and not legend_covers_data(ax)
    seeds, one_run, _published = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert list(seeds[0].get_ydata()) == [0.25] and list(one_run[0].get_ydata()) == [0.3]
    assert seeds[0].get_markerfacecolor() != "none" and one_run[0].get_markerfacecolor() == "none"
    assert seeds[2][0].get_linestyle()[0][1] is None  # solid
    assert one_run[2][0].get_linestyle()[0][1] is not None  # dashed
    assert [t.get_text() for t in ax.get_legend().get_texts()][-2:] == [SEEDS_STYLE, ONE_RUN_STYLE]
