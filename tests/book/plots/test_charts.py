"""Charts: drawn from layer tables and result files, with or without runs of ours."""

import warnings

import matplotlib

matplotlib.use("Agg")

from gnet_lib import layer_table
from gnet_lib.book.plots import charts

RESULT = {"model": {"params": 1000}, "final": {"test_top1_err": 0.3}, "wall_time_s": 120,
          "history": [{"epoch": 1, "train_loss": 2.0, "test_loss": 1.5, "train_top1_err": 0.6, "test_top1_err": 0.4},
                      {"epoch": 2, "train_loss": 1.0, "test_loss": 1.2, "train_top1_err": 0.3, "test_top1_err": 0.3}]}

RECIPE_RUN = {"final": {"test_top1_err": 0.3},
              "history": [{**h, "epoch_time_s": 10.0, "eval_time_s": 1.0} for h in RESULT["history"]]}


def test_charts_draw_without_warnings_with_and_without_results(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = [
            charts.error_vs_params({}, published="cifar10"),
            charts.error_vs_params({"short4": RESULT}),
            charts.error_vs_time({"short4": RESULT}, published="cifar100"),
            charts.training_curves({}),
            charts.training_curves({"short4": RESULT["history"]}),
            charts.recipe_curves({}),
            charts.recipe_curves({"seed": RECIPE_RUN, "fast": RECIPE_RUN}),
            charts.cost_per_block(layer_table("short4")),
        ]
    for i, fig in enumerate(figures):
        fig.savefig(tmp_path / f"{i}.png")
        assert (tmp_path / f"{i}.png").stat().st_size > 1000


def test_scatter_labels_every_model():
    fig = charts.error_vs_params({"short4": RESULT}, published="cifar10")
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert {"short4", "naive", "googlenet"} <= labels


def test_recipe_curves_mark_the_reference_error():
    fig = charts.recipe_curves({"seed": RECIPE_RUN})
    epoch_ax, time_ax = fig.axes
    assert [line.get_ydata()[0] for line in epoch_ax.lines if line.get_linestyle() == ":"] == [0.3]
    assert list(time_ax.lines[0].get_xdata()) == [11 / 60, 22 / 60]


def test_log_axis_tick_labels_do_not_overlap():
    ours = {name: {**RESULT, "model": {"params": params}} for name, params in (("short3", 1.9e6), ("long", 9.5e6))}
    for runs, published in ((ours, None), (ours, "cifar10"), ({}, "cifar100")):
        fig = charts.error_vs_params(runs, published=published)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in fig.axes[0].get_xticklabels(which="both") if t.get_visible() and t.get_text()]
        assert len(boxes) >= 2
        assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
