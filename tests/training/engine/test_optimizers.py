"""A recipe's optimizer and schedule as PyTorch objects: the right update, weight decay on the
weights only, and the learning rate step by step."""

import pytest
import torch
from torch import nn

from gnet_lib.training.engine.flat_adadelta import FlatAdadelta
from gnet_lib.training.engine.optimizers import make_optimizer, make_scheduler
from gnet_lib.training.settings.recipes import get_recipe


def _model() -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4, 2))


def _rates(recipe_name: str, steps: int, steps_per_epoch: int, **changes) -> list[float]:
    recipe = get_recipe(recipe_name).with_changes(**changes)
    optimizer = make_optimizer(recipe, _model())
    scheduler = make_scheduler(recipe, optimizer, steps_per_epoch)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


def test_seed_trains_with_adadelta_at_rate_one_and_flat_gives_the_flat_buffer():
    model = _model()
    plain = make_optimizer(get_recipe("seed"), model)
    assert type(plain) is torch.optim.Adadelta and plain.param_groups[0]["lr"] == 1.0
    assert isinstance(make_optimizer(get_recipe("seed"), _model(), flat=True), FlatAdadelta)


def test_fast_decays_the_weights_but_not_the_biases_or_batch_norm():
    model = _model()
    optimizer = make_optimizer(get_recipe("fast"), model)
    assert type(optimizer) is torch.optim.SGD
    decayed, kept = optimizer.param_groups
    assert decayed["weight_decay"] == 5e-4 and kept["weight_decay"] == 0.0
    assert decayed["momentum"] == 0.9 and decayed["nesterov"]
    weights = {id(p) for p in (model[0].weight, model[3].weight)}
    assert {id(p) for p in decayed["params"]} == weights
    assert len(kept["params"]) == len(list(model.parameters())) - 2  # two biases, the BN scale and shift


def test_step_multiplies_the_rate_by_gamma_after_every_epoch():
    rates = _rates("seed", steps=7, steps_per_epoch=3)
    assert rates == pytest.approx([1.0, 1.0, 1.0, 0.7, 0.7, 0.7, 0.49])


def test_onecycle_rises_over_the_warm_up_then_falls_to_zero_at_the_last_step():
    # fast at 2 epochs of 5 steps: 10 steps, a warm-up of 2 (20%), peak 0.2
    rates = _rates("fast", steps=11, steps_per_epoch=5, epochs=2)
    assert rates[:2] == pytest.approx([0.1, 0.2])
    assert rates[2:] == pytest.approx([0.2 * (10 - step) / 8 for step in range(2, 11)])
    assert rates[-1] == 0.0
