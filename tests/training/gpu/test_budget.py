"""The campaign's time budget: what is left of it, and a refusal that names the work it cannot fit."""

import math

import pytest

from gnet_lib.training.gpu.budget import Budget, BudgetExhausted


def test_without_a_budget_nothing_runs_out(clock):
    budget = Budget(None, clock)
    assert budget.left() == math.inf
    budget.require(1e9, "a year of training")


def test_the_budget_counts_down_in_seconds_and_refuses_what_it_cannot_fit(clock):
    budget = Budget(2, clock)  # minutes
    assert budget.left() == 120
    clock.now += 100
    budget.require(20, "epoch 3")  # exactly what is left
    with pytest.raises(BudgetExhausted, match="20 s left, epoch 3 needs about 30 s"):
        budget.require(30, "epoch 3")
    clock.now += 25
    assert budget.left() == -5
    with pytest.raises(BudgetExhausted, match="spent before epoch 4"):
        budget.require(0, "epoch 4")


def test_the_budget_refuses_what_does_not_fit_and_everything_once_spent(clock):
    budget = Budget(1, clock)
    budget.require(60, "a step")
    clock.now += 40
    with pytest.raises(BudgetExhausted, match="20 s left, a step needs about 30 s"):
        budget.require(30, "a step")
    budget.require(20, "a step")
    clock.now += 21
    with pytest.raises(BudgetExhausted, match="spent before a step"):
        budget.require(0, "a step")
    assert Budget(None, clock).left() == math.inf
