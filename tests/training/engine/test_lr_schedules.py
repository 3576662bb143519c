"""Learning rates as numbers: a recipe's trace, update sizes, step decay."""

import math
from dataclasses import replace

import pytest

from gnet_lib.training.engine.lr_schedules import (
    decay_curve,
    epochs_until,
    lr_trace,
    paper_lr_factor,
    step_decay,
    update_size_table,
    update_sizes,
)
from gnet_lib.training.settings.recipes import get_recipe


def test_seed_trace_is_multiplied_by_gamma_at_each_epoch_boundary():
    trace = lr_trace(replace(get_recipe("seed"), epochs=3), 640)  # 10 steps per epoch
    assert trace.optimizer == "adadelta" and len(trace.lrs) == 30
    assert trace.lrs[:10] == [1.0] * 10
    assert trace.lrs[10:20] == pytest.approx([0.7] * 10)
    assert trace.lrs[20:] == pytest.approx([0.49] * 10)
    assert trace.epochs[10] == 1.0 and trace.epochs[-1] == pytest.approx(2.9)


def test_onecycle_trace_rises_to_the_peak_then_falls_to_zero():
    recipe = replace(get_recipe("fast"), epochs=2, warmup_fraction=0.25, lr=0.2)
    trace = lr_trace(recipe, 5 * 128)  # 5 steps per epoch, 10 in all, warm-up int(2.5) = 2
    assert trace.lrs[:2] == pytest.approx([0.1, 0.2])
    assert max(trace.lrs) == pytest.approx(0.2)
    assert trace.lrs[-1] == pytest.approx(0.2 / 8)  # (10 - 9) / (10 - 2) of the peak
    assert all(a >= b for a, b in zip(trace.lrs[1:], trace.lrs[2:]))


def test_adadelta_steps_hardly_depend_on_the_gradient_sgd_steps_scale_with_it():
    seed, fast = get_recipe("seed"), replace(get_recipe("fast"), lr=0.2)
    # Adadelta's first step: sqrt(eps) / sqrt(0.1 g^2 + eps) x g with eps = 1e-6, rho = 0.9
    for g in (1.0, 100.0):
        assert update_sizes(seed, g, steps=1)[0] == pytest.approx(1e-3 * g / math.sqrt(0.1 * g * g + 1e-6))
    small, large = update_sizes(seed, 0.01), update_sizes(seed, 100.0)
    assert all(0.9 < s / b < 1.0 for s, b in zip(small, large))
    # SGD with Nesterov momentum 0.9: steps lr x 1.9 g, then lr x 2.71 g
    assert update_sizes(fast, 1.0, steps=2) == pytest.approx([0.2 * 1.9, 0.2 * 2.71])
    assert update_sizes(fast, 100.0, steps=1) == pytest.approx([100 * 0.2 * 1.9])


def test_step_decay_and_the_papers_schedule():
    assert step_decay(13, 0.3, 1) == pytest.approx(0.7**13)
    assert paper_lr_factor(7) == 1.0
    assert paper_lr_factor(8) == pytest.approx(0.96)
    assert paper_lr_factor(100) == pytest.approx(0.96**12)
    assert paper_lr_factor(250) == pytest.approx(0.96**31)


def test_epochs_until_a_fraction_counts_whole_cuts():
    assert epochs_until(0.5, 0.04, 8) == 136  # 0.96 ** 16 = 0.520, 0.96 ** 17 = 0.4996
    assert epochs_until(0.5, 0.5, 3) == 3  # exactly half after one cut
    assert epochs_until(0.1, 0.3, 1) == 7  # 0.7 ** 6 = 0.118, 0.7 ** 7 = 0.082
    with pytest.raises(ValueError, match="strictly between"):
        epochs_until(1.5, 0.04, 8)


def test_decay_curve_starts_at_one_and_steps_every_cut():
    epochs, factors = decay_curve(0.5, 2, 5)
    assert epochs == [0, 1, 2, 3, 4, 5]
    assert factors == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def test_update_size_table_one_row_per_gradient_one_column_per_recipe_and_step():
    table = update_size_table({"fast": replace(get_recipe("fast"), lr=0.2)}, [1.0, 10.0], steps=2)
    assert table.columns == ("gradient", "fast: step 1", "fast: step 2")
    assert table.column("gradient") == [1.0, 10.0]
    assert table.column("fast: step 1") == pytest.approx([0.38, 3.8])
