"""Seeds per arm: the normal formula against hand arithmetic, the t-test against published tables."""

import math

import pytest

from gnet_lib.training.analysis.sample_size import seeds_per_arm


def test_the_z_test_needs_2_z_squared_per_arm_for_a_difference_of_one_sd():
    # 2 x (1.959964 + 0.841621)^2 = 15.70: 16 per arm, the textbook figure for a standardised difference of 1
    assert seeds_per_arm(1.0, 1.0, t_test=False) == 16
    # a spread of half the difference needs a quarter as many: 3.92 -> 4
    assert seeds_per_arm(0.5, 1.0, t_test=False) == 4
    assert seeds_per_arm(0.01, 1.0, t_test=False) == 2  # never fewer than two: one run has no spread


@pytest.mark.parametrize(("effect", "published"), [(1.0, 17), (0.5, 64), (0.8, 26)])
def test_the_t_test_matches_the_published_sample_sizes(effect, published):
    # two-sample t-test, alpha 0.05 two-sided, power 0.8: 17, 64 and 26 per group for standardised
    # differences of 1, 0.5 and 0.8 (Cohen's tables; G*Power gives the same)
    assert seeds_per_arm(1.0, effect) == published


def test_more_power_or_confidence_costs_seeds_and_nonsense_is_refused():
    base = seeds_per_arm(1.0, 1.0)
    assert seeds_per_arm(1.0, 1.0, power=0.9) > base and seeds_per_arm(1.0, 1.0, confidence=0.99) > base
    for bad in ({"sd": 0.0}, {"difference": -0.01}, {"sd": math.nan}):
        with pytest.raises(ValueError, match="must be a positive number"):
            seeds_per_arm(**{"sd": 1.0, "difference": 1.0, **bad})
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        seeds_per_arm(1.0, 1.0, power=80)
