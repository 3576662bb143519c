"""The campaign's time budget: what is left of it, and a refusal that names the work it cannot fit."""

import math

import pytest

from gnet_lib.training.gpu.budget import Budget, BudgetExhausted


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_without_a_budget_nothing_runs_out():
    budget = Budget(None, Clock())
    assert budget.left() == math.inf
    budget.require(1e9, "a year of training")


def test_the_budget_counts_down_in_seconds_and_refuses_what_it_cannot_fit():
    clock = Clock()
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
