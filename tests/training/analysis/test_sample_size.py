"""Seeds per arm: the normal formula against hand arithmetic, the t-test against published tables."""

import math
import random
from statistics import fmean, stdev

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.training.analysis.sample_size import chance_beyond, chance_within, seeds_per_arm
from gnet_lib.training.analysis.statistics import t_quantile


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


def _simulated_chance(sd, seeds, margin, difference, images_half_width, draws=20_000):
    rng, t, hits = random.Random(7), t_quantile(0.975, seeds - 1), 0
    for _ in range(draws):
        xs = [rng.gauss(difference, sd) for _ in range(seeds)]
        hits += abs(fmean(xs)) + math.hypot(t * stdev(xs) / math.sqrt(seeds), images_half_width) < margin
    return hits / draws


@pytest.mark.parametrize(("sd", "seeds", "difference", "images"),
                         [(0.0168, 2, 0.0, 0.0), (0.0168, 5, 0.0, 0.0), (0.0092, 3, 0.0, 0.0),
                          (0.0092, 4, 0.01, 0.0), (0.0168, 4, 0.0, 0.008)])
def test_the_chance_that_within_holds_matches_a_simulation(sd, seeds, difference, images):
    """The integral against 20,000 simulated experiments: within 3 binomial standard errors."""
    exact = chance_within(sd, seeds, 0.03, difference, images_half_width=images)
    simulated = _simulated_chance(sd, seeds, 0.03, difference, images)
    assert abs(exact - simulated) < 3 * math.sqrt(exact * (1 - exact) / 20_000) + 1e-3


def test_the_chance_grows_with_seeds_and_margin_and_falls_with_the_true_difference():
    by_seeds = [chance_within(0.0168, k, 0.03) for k in (2, 3, 4, 5, 8)]
    assert by_seeds == sorted(by_seeds) and by_seeds[0] < 0.15 and by_seeds[-1] > 0.9
    assert chance_within(0.01, 3, 0.05) > chance_within(0.01, 3, 0.03)
    assert chance_within(0.01, 3, 0.03, difference=0.02) < chance_within(0.01, 3, 0.03)
    assert chance_within(1e-6, 2, 0.03) == pytest.approx(1.0, abs=1e-6)
    assert chance_within(0.01, 3, 0.03, images_half_width=0.03) == 0.0


@pytest.mark.parametrize(("args", "message"), [((0, 3, 0.03), "sd must be a positive number"),
                                               ((0.01, 1, 0.03), "at least 2 seeds"),
                                               ((0.01, 3, -1), "margin must be a positive number")])
def test_the_chance_refuses_what_it_cannot_compute(args, message):
    with pytest.raises(UsageError, match=message):
        chance_within(*args)


@pytest.mark.parametrize(("sd", "seeds", "difference"), [(0.0168, 5, 0.05), (0.0092, 3, 0.05), (0.0168, 2, -0.06)])
def test_the_chance_that_beyond_holds_matches_a_simulation(sd, seeds, difference):
    rng, t, hits, draws = random.Random(11), t_quantile(0.975, seeds - 1), 0, 20_000
    for _ in range(draws):
        xs = [rng.gauss(difference, sd) for _ in range(seeds)]
        half = t * stdev(xs) / math.sqrt(seeds)
        hits += fmean(xs) - half > 0.03 or fmean(xs) + half < -0.03
    exact = chance_beyond(sd, seeds, 0.03, difference)
    assert abs(exact - hits / draws) < 3 * math.sqrt(exact * (1 - exact) / draws) + 1e-3


def test_beyond_is_rare_when_the_truth_is_inside_the_margin_and_refuses_bad_input():
    assert chance_beyond(0.01, 5, 0.03, 0.0) < 0.025  # a false "beyond" at most at the 2.5% per side
    assert chance_beyond(0.01, 5, 0.03, 0.06) > chance_beyond(0.01, 3, 0.03, 0.06)
    with pytest.raises(UsageError, match="at least 2 seeds"):
        chance_beyond(0.01, 1, 0.03, 0.05)
