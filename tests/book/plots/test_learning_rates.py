"""Learning-rate charts: one labelled axis per optimizer, and step-decay factors."""

import warnings

import matplotlib

matplotlib.use("Agg")

from gnet_lib.book.plots.learning_rates import decay_factors, recipe_learning_rates
from gnet_lib.training.engine.lr_schedules import LR_MEANING, decay_curve, lr_trace
from gnet_lib.training.settings.recipes import RECIPES


def test_each_recipe_gets_its_own_axis_labelled_with_what_lr_means(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = recipe_learning_rates([lr_trace(r, 2048) for r in RECIPES.values()])
    assert len(fig.axes) == 2
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert labels == [LR_MEANING["adadelta"], LR_MEANING["sgd"]]
    assert "Adadelta" in labels[0] and "step size" in labels[1]
    assert [ax.get_title() for ax in fig.axes] == ["seed (Adadelta)", "fast (SGD)"]
    fig.savefig(tmp_path / "lr.png")
    assert (tmp_path / "lr.png").stat().st_size > 1000


def test_decay_factors_on_a_log_axis(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = decay_factors({"paper": decay_curve(0.04, 8, 40), "seed": decay_curve(0.3, 1, 14)})
        empty = decay_factors({})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["paper", "seed"]
    assert empty.axes[0].get_legend() is None
    fig.savefig(tmp_path / "decay.png")
    assert (tmp_path / "decay.png").stat().st_size > 1000
