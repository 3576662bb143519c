"""The training loss taken apart: chance level, the floor under label smoothing, the heads' weights."""

import math
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F

from gnet_lib.model.builder import ModelOutput
from gnet_lib.training.engine.loss_terms import chance_loss, loss_terms, smoothed_floor
from gnet_lib.training.settings.recipes import RECIPES


def test_chance_loss_is_the_cross_entropy_of_equal_scores():
    for classes in (2, 10, 1000):
        uniform = F.cross_entropy(torch.zeros(3, classes), torch.tensor([0, 1, 1]))
        assert math.isclose(chance_loss(classes), uniform.item(), rel_tol=1e-6)
    with pytest.raises(ValueError, match="at least 2 classes"):
        chance_loss(1)


def test_smoothed_floor_is_reached_by_predicting_the_smoothed_target():
    classes, eps = 10, 0.1
    target = torch.full((classes,), eps / classes)
    target[3] += 1 - eps
    best = F.cross_entropy(target.log()[None], torch.tensor([3]), label_smoothing=eps).item()
    assert math.isclose(smoothed_floor(classes, eps), best, rel_tol=1e-6)
    sharper = F.cross_entropy((10 * torch.eye(classes)[3])[None], torch.tensor([3]), label_smoothing=eps).item()
    assert sharper > best  # a surer answer costs more under smoothing
    assert smoothed_floor(classes, 0.0) == 0.0
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        smoothed_floor(classes, 1.0)


def test_loss_terms_weigh_each_auxiliary_head_and_add_up_to_the_loops_loss():
    y = torch.tensor([0, 1])
    main = torch.zeros(2, 4)  # ln 4 each
    sure = torch.tensor([[9.0, 0, 0, 0], [0, 9.0, 0, 0]])
    out = ModelOutput(main, (sure, main))
    table = loss_terms(out, y, RECIPES["seed"], ("aux1", "aux2"))
    rows = {r["head"]: r for r in table.rows}
    assert rows["main"]["cross-entropy"] == round(math.log(4), 4) and rows["main"]["weight"] == 1
    assert rows["aux2"]["weighted"] == round(0.3 * math.log(4), 4)
    by_hand = math.log(4) * 1.3 + 0.3 * F.cross_entropy(sure, y).item()
    assert rows["the loss the loop minimises"]["weighted"] == round(by_hand, 4)
    heavier = loss_terms(out, y, replace(RECIPES["seed"], aux_weight=1.0)).rows
    assert heavier[-1]["weighted"] == round(2 * math.log(4) + F.cross_entropy(sure, y).item(), 4)
    assert [r["head"] for r in loss_terms(main, y, RECIPES["seed"]).rows] == ["main", "the loss the loop minimises"]
    with pytest.raises(ValueError, match="1 head names for 2"):
        loss_terms(out, y, RECIPES["seed"], ("aux1",))
