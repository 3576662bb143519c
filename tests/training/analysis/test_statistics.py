"""Intervals over seeds and test images: t quantiles, seed summaries, paired differences, the
paired bootstrap, McNemar's exact test, rank agreement, and that the module needs no torch."""

import ast
import math
import random
import subprocess
import sys
import time
from fractions import Fraction
from itertools import product
from pathlib import Path
from statistics import NormalDist, stdev

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.training.analysis import fits
from gnet_lib.training.analysis import statistics as st
from gnet_lib.training.analysis.statistics import (
    DiscordantInterval,
    McNemarResult,
    binomial_interval,
    decode_classes,
    discordant_interval,
    final_test_predictions,
    mcnemar_exact,
    paired_bootstrap,
    paired_difference,
    same_test_set,
    seed_image_difference,
    seed_summary,
    t_quantile,
)
from gnet_lib.training.results.class_strings import encode_labels

T975_DF2 = (2 * 0.975 - 1) / math.sqrt(2 * 0.975 * 0.025)  # df = 2 in closed form: 4.302652729749...


# -- t quantiles ---------------------------------------------------------------------------


@pytest.mark.parametrize("df, table", [(1, 12.7062), (2, 4.3027), (3, 3.1824), (4, 2.7764), (5, 2.5706),
                                       (10, 2.2281), (30, 2.0423), (120, 1.9799), (math.inf, 1.9600)])
def test_t_quantile_matches_the_published_table(df, table):
    assert abs(t_quantile(0.975, df) - table) < 5e-5  # the table's four decimals


@pytest.mark.parametrize("df, value", [(1, 12.706204736174707), (2, 4.302652729749464), (4, 2.7764451051977934),
                                       (10, 2.2281388519862744), (30, 2.0422724563012373),
                                       (math.inf, 1.959963984540054)])
def test_t_quantile_matches_many_digit_values(df, value):
    assert t_quantile(0.975, df) == pytest.approx(value, rel=1e-12)
    assert t_quantile(0.025, df) == pytest.approx(-value, rel=1e-12)


def _closed_form(p, df):
    """Quantiles with a closed form: df 1 (Cauchy), 2 and 4 (Shaw 2006)."""
    if df == 1:
        return math.tan(math.pi * (p - 0.5)) if abs(p - 0.5) < 0.25 else math.copysign(1 / math.tan(math.pi * min(p, 1 - p)), p - 0.5)
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    alpha = 4 * p * (1 - p)
    q = math.cos(math.acos(math.sqrt(alpha)) / 3) / math.sqrt(alpha)
    return math.copysign(2 * math.sqrt(q - 1), p - 0.5)


TAILS = (1e-12, 1e-4, 0.01, 0.3, 0.6, 0.9, 0.975, 0.995, 1 - 1e-10)
CENTRE = (0.5 - 1e-9, 0.5 + 1e-12)  # df 4's closed form loses its digits here


@pytest.mark.parametrize("p, df", [(p, df) for df in (1, 2, 4) for p in TAILS + (CENTRE if df < 4 else ())])
def test_t_quantile_matches_closed_forms_from_the_centre_to_far_tails(p, df):
    assert t_quantile(p, df) == pytest.approx(_closed_form(p, df), rel=1e-11)


def test_t_quantile_inverts_the_closed_form_cdf_of_three_degrees_of_freedom():
    for p in (0.6, 0.9, 0.975, 0.999):
        theta = math.atan(t_quantile(p, 3) / math.sqrt(3))
        assert 0.5 + (theta + math.sin(theta) * math.cos(theta)) / math.pi == pytest.approx(p, abs=1e-14)


def test_t_quantile_agrees_with_the_integral_of_the_density():
    """Simpson's rule over the density, independent of the incomplete beta function."""
    for df in (3.5, 30):
        t, steps = t_quantile(0.975, df), 2000
        h = t / steps
        total = sum((1 if i in (0, steps) else 4 if i % 2 else 2) * st.t_density(i * h, df) for i in range(steps + 1))
        assert total * h / 3 == pytest.approx(0.475, abs=1e-12)


def test_t_quantile_is_continuous_where_the_method_changes_and_tends_to_the_normal():
    below, above = t_quantile(0.975, st.LARGE_DF - 1), t_quantile(0.975, st.LARGE_DF)
    assert abs(below - above) < 1e-9
    assert t_quantile(0.975, 1e7) == pytest.approx(1.959963984540054, abs=1e-6)
    values = [t_quantile(0.975, df) for df in (1, 2, 5, 30, 1e3, 1e5, 1e8, math.inf)]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize("p, df, message", [(0.0, 3, "strictly between 0 and 1"), (1.2, 3, "use p=0.975"),
                                            (0.975, 0, "positive degrees of freedom"), (0.975, -2, "df = n - 1")])
def test_t_quantile_rejects_impossible_arguments(p, df, message):
    with pytest.raises(UsageError, match=message):
        t_quantile(p, df)


# -- seeds ---------------------------------------------------------------------------------


def test_seed_summary_is_the_hand_computed_t_interval():
    s = seed_summary([0.20, 0.22, 0.24])
    half = T975_DF2 * 0.02 / math.sqrt(3)  # t(0.975, 2) · sd / √n
    assert (s.n, s.mean, s.sd) == (3, pytest.approx(0.22), pytest.approx(0.02))
    assert (s.low, s.high) == (pytest.approx(0.22 - half, abs=1e-12), pytest.approx(0.22 + half, abs=1e-12))
    assert s.half_width == pytest.approx(half)
    assert str(s) == "0.2200 ± 0.0200 sd (95% CI 0.1703 to 0.2697, n=3)"
    two = seed_summary({1: 0.2, 2: 0.3}, confidence=0.9)  # df 1: t(0.95, 1) = tan(0.45 π)
    assert two.high - two.mean == pytest.approx(math.tan(0.45 * math.pi) * math.sqrt(0.005) / math.sqrt(2))


@pytest.mark.parametrize("errors, message", [([0.2], "at least 2 seeds, got 1 for the errors"),
                                             ({}, "at least 2 seeds"), ([0.2, float("nan")], "finite numbers"),
                                             ([0.2, "0.3"], "finite numbers")])
def test_seed_summary_rejects_too_few_or_bad_errors(errors, message):
    with pytest.raises(UsageError, match=message):
        seed_summary(errors)


def test_seed_summary_rejects_a_percentage_as_confidence():
    with pytest.raises(UsageError, match="fraction between 0 and 1"):
        seed_summary([0.2, 0.3], confidence=95)


def test_paired_difference_pairs_by_seed_number_not_by_order():
    a = {1: 0.20, 2: 0.22, 3: 0.25}
    b = {3: 0.25, 1: 0.21, 2: 0.24}  # another order: still seed s with seed s
    d = paired_difference(a, b)
    assert d.seeds == (1, 2, 3)
    assert d.differences == pytest.approx((-0.01, -0.02, 0.0))
    assert (d.mean, d.sd) == (pytest.approx(-0.01), pytest.approx(0.01))
    assert d.high == pytest.approx(-0.01 + T975_DF2 * 0.01 / math.sqrt(3))
    assert str(d) == "A − B -0.0100 ± 0.0100 sd (95% CI -0.0348 to +0.0148, n=3 paired seeds)"
    unpaired = seed_summary(a.values()).sd ** 2 + seed_summary(b.values()).sd ** 2
    assert d.sd ** 2 < unpaired  # the seeds' shared part cancels


def test_paired_difference_needs_the_same_seeds_for_both():
    with pytest.raises(UsageError, match=r"seeds only in A \[3\], only in B \[4\]; run the missing seeds"):
        paired_difference({1: 0.2, 2: 0.2, 3: 0.2}, {1: 0.2, 2: 0.2, 4: 0.2})
    with pytest.raises(UsageError, match=r"\{seed: value\} mappings"):
        paired_difference([0.2, 0.3], [0.2, 0.3])
    with pytest.raises(UsageError, match="at least 2 seeds, got 1 for this pair"):
        paired_difference({1: 0.2}, {1: 0.3})


# -- one run: the test images' interval ----------------------------------------------------


@pytest.mark.parametrize("errors, n", [(2593, 10_000), (0, 10), (10, 10), (3, 40), (1418, 10_000)])
def test_binomial_interval_bounds_are_where_the_score_test_just_fails(errors, n):
    """Wilson's bounds solve (k/n - p)² = z² p (1 - p) / n: check each bound against that
    equation, not against the formula the module uses."""
    z = 1.959963984540054
    r = binomial_interval(errors, n)
    for bound in (r.low, r.high):
        if 0 < bound < 1:
            assert (errors / n - bound) ** 2 == pytest.approx(z * z * bound * (1 - bound) / n, rel=1e-9)
    assert r.low <= errors / n <= r.high and r.rate == errors / n


def test_binomial_interval_of_no_errors_and_its_textbook_values():
    z2 = 1.959963984540054 ** 2
    assert binomial_interval(0, 10).low == 0 and binomial_interval(0, 10).high == pytest.approx(z2 / (10 + z2))
    r = binomial_interval(2593, 10_000)  # near the normal approximation for large n
    se = math.sqrt(0.2593 * 0.7407 / 10_000)
    assert r.high - r.low == pytest.approx(2 * 1.96 * se, rel=1e-3)
    assert str(r) == "0.2593 (95% interval over 10,000 test images 0.2508 to 0.2680)"


def test_binomial_interval_covers_at_about_its_nominal_rate():
    rng, p, n, trials = random.Random(4), 0.26, 400, 2000
    hits = 0
    for _ in range(trials):
        r = binomial_interval(sum(rng.random() < p for _ in range(n)), n)
        hits += r.low <= p <= r.high
    assert 0.93 <= hits / trials <= 0.97


@pytest.mark.parametrize("errors, n, message", [(5, 0, "positive whole number"), (11, 10, "from 0 to n=10"),
                                                (0.2, 10, "round"), (True, 10, "whole number")])
def test_binomial_interval_refuses_what_is_not_a_count(errors, n, message):
    with pytest.raises(UsageError, match=message):
        binomial_interval(errors, n)


# -- test images ---------------------------------------------------------------------------

#: Joint probabilities of (A wrong, B wrong) per image: correlated models, errors 0.20 and 0.23.
JOINT = {(1, 1): 0.15, (1, 0): 0.05, (0, 1): 0.08, (0, 0): 0.72}
TRUE_DIFFERENCE = -0.03


def _synthetic(n, rng, joint=JOINT, labels=None):
    """Labels (new ones unless given) and two models' predictions whose (A wrong, B wrong)
    follow ``joint``."""
    cells, weights = list(joint), list(joint.values())
    labels = labels or [rng.randrange(10) for _ in range(n)]
    wrong = rng.choices(cells, weights, k=n)
    a = [(y + 1) % 10 if w[0] else y for y, w in zip(labels, wrong)]
    b = [(y + 2) % 10 if w[1] else y for y, w in zip(labels, wrong)]
    return a, b, labels


def _error(preds, labels):
    return sum(p != y for p, y in zip(preds, labels)) / len(labels)


def test_paired_bootstrap_covers_the_true_difference_at_its_nominal_rate():
    rng, hits, trials = random.Random(7), 0, 120
    for i in range(trials):
        a, b, labels = _synthetic(400, rng)
        r = paired_bootstrap(a, b, labels, resamples=300, seed=i)
        hits += r.low <= TRUE_DIFFERENCE <= r.high
    assert 0.89 <= hits / trials <= 0.99


def test_paired_bootstrap_is_centred_and_as_wide_as_the_sampling_error():
    a, b, labels = _synthetic(10_000, random.Random(3))
    r = paired_bootstrap(a, b, labels)
    d = [(x != y) - (z != y) for x, z, y in zip(a, b, labels)]
    mean = sum(d) / len(d)
    plug_in_se = math.sqrt((sum(v * v for v in d) / len(d) - mean ** 2) / len(d))
    assert r.difference == pytest.approx(_error(a, labels) - _error(b, labels))
    assert r.low <= TRUE_DIFFERENCE <= r.high
    assert r.se == pytest.approx(plug_in_se, rel=0.08)
    assert r.high - r.low == pytest.approx(2 * 1.96 * plug_in_se, rel=0.1)
    assert (r.images, r.seeds, r.resamples, len(r.replicates)) == (10_000, (), 2000, 2000)
    assert str(r).startswith(f"A − B {r.difference:+.4f} (95% CI {r.low:+.4f} to {r.high:+.4f}; paired bootstrap over 10,000 images, 2000")


def test_paired_bootstrap_is_narrower_than_an_unpaired_one_for_correlated_models():
    a, b, labels = _synthetic(1000, random.Random(5))
    paired = paired_bootstrap(a, b, labels, resamples=400)
    rng, n, unpaired = random.Random(1), len(labels), []
    wrong_a = [p != y for p, y in zip(a, labels)]
    wrong_b = [p != y for p, y in zip(b, labels)]
    for _ in range(400):  # each model's images resampled on their own, the pairing ignored
        unpaired.append(sum(rng.choices(wrong_a, k=n)) / n - sum(rng.choices(wrong_b, k=n)) / n)
    unpaired.sort()
    unpaired_width = unpaired[389] - unpaired[10]
    assert paired.high - paired.low < 0.8 * unpaired_width


def test_paired_bootstrap_is_reproducible_and_takes_strings_or_lists():
    a, b, labels = _synthetic(2000, random.Random(11))
    first = paired_bootstrap(a, b, labels, resamples=300, seed=4)
    again = paired_bootstrap(encode_labels(a, 10), encode_labels(b, 10), encode_labels(labels, 10), resamples=300, seed=4)
    assert first == again
    assert first.replicates != paired_bootstrap(a, b, labels, resamples=300, seed=5).replicates


def _seeds(n, differences, rng):
    """Per seed, predictions of A and B on the same labels, with ``differences[seed]`` the
    expected error of A minus that of B."""
    labels = [rng.randrange(10) for _ in range(n)]
    preds_a, preds_b = {}, {}
    for seed, d in differences.items():
        joint = {(1, 1): 0.15, (1, 0): 0.06 + d / 2, (0, 1): 0.06 - d / 2, (0, 0): 0.73}
        preds_a[seed], preds_b[seed], _ = _synthetic(n, rng, joint, labels)
    return preds_a, preds_b, labels


def test_paired_bootstrap_over_seeds_averages_them_and_widens_when_they_disagree():
    rng = random.Random(2)
    a, b, labels = _seeds(3000, {1: -0.04, 2: 0.0, 3: 0.04}, rng)
    r = paired_bootstrap(a, b, labels, resamples=500)
    errors_a = {s: _error(p, labels) for s, p in a.items()}
    errors_b = {s: _error(p, labels) for s, p in b.items()}
    assert r.difference == pytest.approx(paired_difference(errors_a, errors_b).mean)
    assert r.seeds == (1, 2, 3)
    one_seed = paired_bootstrap(a[2], b[2], labels, resamples=500)
    assert r.high - r.low > 1.5 * (one_seed.high - one_seed.low)
    assert "3,000 images and 3 seeds" in str(r)


def test_paired_bootstrap_over_identical_seeds_is_the_one_seed_interval():
    a, b, labels = _synthetic(3000, random.Random(8))
    r = paired_bootstrap({1: a, 2: a, 3: a}, {1: b, 2: b, 3: b}, labels, resamples=1000)
    one = paired_bootstrap(a, b, labels, resamples=1000)
    assert r.difference == pytest.approx(one.difference)
    assert r.high - r.low == pytest.approx(one.high - one.low, rel=0.15)


def test_paired_bootstrap_resamples_the_same_images_for_every_seed():
    """Seed 2 swaps A and B: per image its difference is minus seed 1's. Drawing one seed of each
    (half of all replicates) then cancels exactly, which it would not if each seed drew its own
    images."""
    a, b, labels = _synthetic(1000, random.Random(9))
    r = paired_bootstrap({1: a, 2: b}, {1: b, 2: a}, labels, resamples=2000)
    assert r.difference == 0
    assert 0.45 <= sum(v == 0 for v in r.replicates) / len(r.replicates) <= 0.58


def test_paired_bootstrap_is_fast_on_a_whole_test_split_of_three_seeds():
    rng = random.Random(12)
    a, b, labels = _seeds(10_000, {1: -0.01, 2: -0.02, 3: 0.0}, rng)
    start = time.perf_counter()
    paired_bootstrap({s: encode_labels(p, 10) for s, p in a.items()}, {s: encode_labels(p, 10) for s, p in b.items()},
                     encode_labels(labels, 10), resamples=2000)
    assert time.perf_counter() - start < 10  # about 0.4 s; resampling image by image takes about a minute


@pytest.mark.parametrize("args, kwargs, message", [
    (([1, 2, 3], [1, 2], [1, 2, 3]), {}, "hold 3, 2 and 3 images"),
    (({1: [1, 2], 2: [1, 2]}, {1: [1, 2], 2: [1]}, [1, 2]), {}, r"B \(seed 2\) .* hold 2, 1 and 2 images"),
    (({1: [1], 2: [1]}, {1: [1], 3: [1]}, [1]), {}, r"seeds only in A \[2\], only in B \[3\]"),
    (({1: [1]}, [1], [1]), {}, "mappings for both"),
    (({}, {}, [1]), {}, "no seeds to compare"),
    (([], [], []), {}, "no test images"),
    (("12a", "123", "123"), {}, "not 1-digit class indices"),
    (("123", "123", "12345"), {"num_classes": 100}, "5 characters is not 2-digit"),
    (([1.0], [1], [1]), {}, "must be integers"),
    (([1], [1], [1]), {"resamples": 10}, "at least 100"),
    (([1], [1], [1]), {"confidence": 95.0}, "fraction between 0 and 1"),
])
def test_paired_bootstrap_says_what_is_wrong_with_its_inputs(args, kwargs, message):
    with pytest.raises(UsageError, match=message):
        paired_bootstrap(*args, **kwargs)


def test_the_binomial_sampler_has_the_binomial_distribution():
    rng = random.Random(0)
    for n, p in ((10_000, 0.1), (40, 0.1), (200, 0.7), (5, 0.5)):  # rejection, waiting times, symmetry
        draws = [st._binomial(rng, n, p) for _ in range(4000)]
        mean = sum(draws) / len(draws)
        var = sum((x - mean) ** 2 for x in draws) / (len(draws) - 1)
        assert abs(mean - n * p) < 4 * math.sqrt(n * p * (1 - p) / len(draws))
        assert var == pytest.approx(n * p * (1 - p), rel=0.1)
    n, p, draws = 40, 0.4, 20_000
    counts = [0] * (n + 1)
    for _ in range(draws):
        counts[st._binomial(rng, n, p)] += 1
    chi2 = sum((counts[k] - draws * math.comb(n, k) * p ** k * (1 - p) ** (n - k)) ** 2
               / (draws * math.comb(n, k) * p ** k * (1 - p) ** (n - k)) for k in range(8, 25))
    assert chi2 < 45  # 16 degrees of freedom: the 99.99th percentile is about 43


# -- seeds and images together -------------------------------------------------------------


def _crossed(rng, k, n, sigma_seed, threshold_a=0.65, threshold_b=0.55, rho=0.8):
    """k seeds of two models on the same n images: image difficulty shared by every model and
    seed (correlation rho), a seed shifts a model's threshold by N(0, sigma_seed). Returns
    {seed: predictions} for A and B, the labels, and the true population difference of errors,
    Φ(t_B / √(1 + σ²)) − Φ(t_A / √(1 + σ²))."""
    import numpy as np

    gen = np.random.default_rng(rng.randrange(2 ** 32))
    difficulty = gen.standard_normal(n)
    labels = [0] * n
    preds = []
    for threshold in (threshold_a, threshold_b):
        runs = {}
        for s in range(1, k + 1):
            shift = threshold + sigma_seed * gen.standard_normal()
            wrong = rho * difficulty + math.sqrt(1 - rho * rho) * gen.standard_normal(n) > shift
            runs[s] = [int(w) for w in wrong]
        preds.append(runs)
    phi = NormalDist().cdf
    scale = math.sqrt(1 + sigma_seed ** 2)
    return preds[0], preds[1], labels, phi(threshold_b / scale) - phi(threshold_a / scale)


@pytest.mark.parametrize("k, sigma_seed", [(2, 0.0), (2, 0.1), (3, 0.05), (3, 0.1)])
def test_the_seed_image_interval_covers_the_population_difference(k, sigma_seed):
    """From no seed effect to one that dominates the images' noise: covered at least 95% of the
    time (less than 93% in 250 trials would be a 1-in-100 event for a true 95%)."""
    rng, hits, trials = random.Random(k), 0, 250
    for _ in range(trials):
        a, b, labels, truth = _crossed(rng, k, 1500, sigma_seed=sigma_seed)
        r = seed_image_difference(a, b, labels)
        hits += r.low <= truth <= r.high
    assert hits / trials >= 0.93


@pytest.mark.parametrize("k, sigma_seed, rng_seed", [(2, 0.08, 11), (3, 0.15, 13)])
def test_a_bootstrap_over_two_or_three_seeds_covers_less_often_than_it_claims(k, sigma_seed, rng_seed):
    """The reason the chapter's verdicts use seed_image_difference: resampling 2 or 3 seeds cannot
    see how far another would fall, and its interval misses the population difference far more
    than 5% (fewer than 85% hits in 150 trials would be all but impossible for a true 95%)."""
    rng, trials = random.Random(rng_seed), 150
    hits_t = hits_boot = 0
    for i in range(trials):
        a, b, labels, truth = _crossed(rng, k, 1000, sigma_seed=sigma_seed)
        t = seed_image_difference(a, b, labels)
        boot = paired_bootstrap(a, b, labels, resamples=300, seed=i)
        hits_t += t.low <= truth <= t.high
        hits_boot += boot.low <= truth <= boot.high
    assert hits_boot / trials < 0.85
    assert hits_t / trials >= 0.93


def test_the_seed_image_interval_adds_the_seed_and_image_parts_by_hand():
    labels = [0] * 4
    a = {1: [1, 1, 0, 0], 2: [1, 0, 0, 0]}
    b = {1: [0, 1, 0, 0], 2: [0, 0, 1, 0]}
    # d per seed: seed 1 (1, 0, 0, 0), seed 2 (1, 0, -1, 0); seed means 1/4 and 0; image means (1, 0, -1/2, 0)
    r = seed_image_difference(a, b, labels)
    se_seeds = math.sqrt(stdev_squared([0.25, 0.0]) / 2)
    se_images = math.sqrt(stdev_squared([1, 0, -0.5, 0]) / 4)
    assert r.difference == pytest.approx(0.125) and r.per_seed == (0.25, 0.0)
    assert (r.se_seeds, r.se_images) == (pytest.approx(se_seeds), pytest.approx(se_images))
    half = math.sqrt((12.706204736174707 * se_seeds) ** 2 + (1.959963984540054 * se_images) ** 2)  # t(0.975, 1), z
    assert (r.low, r.high) == (pytest.approx(0.125 - half), pytest.approx(0.125 + half))
    assert str(r).startswith("A − B +0.1250 (95% CI") and "over 2 seeds and 4 test images" in str(r)


def stdev_squared(values):
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def test_the_seed_image_interval_of_identical_models_is_a_point_and_one_seed_is_refused():
    same = {1: [0, 1, 2], 2: [1, 1, 2]}
    r = seed_image_difference(same, same, [0, 1, 2])
    assert (r.difference, r.low, r.high, r.se_seeds, r.se_images) == (0, 0, 0, 0, 0)
    with pytest.raises(UsageError, match="at least 2 seeds of both models, got 1 shared; with one seed"):
        seed_image_difference({1: [0]}, {1: [1]}, [0])
    with pytest.raises(UsageError, match=r"seeds only in A \[2\]"):
        seed_image_difference({1: [0], 2: [0]}, {1: [1], 3: [1]}, [0])


# -- McNemar -------------------------------------------------------------------------------


def _discordant(b, c, same=3):
    """Predictions with ``b`` images only A gets right, ``c`` only B, ``same`` both right."""
    labels = [0] * (b + c + same)
    a = [0] * b + [1] * c + [0] * same
    bb = [1] * b + [0] * c + [0] * same
    return a, bb, labels


def test_mcnemar_on_a_tiny_example_is_the_enumerated_binomial():
    a, b, labels = _discordant(1, 6)
    r = mcnemar_exact(a, b, labels)
    # every outcome of 7 fair coins; as extreme as 1 against 6: at most 1 of either side
    outcomes = list(product((0, 1), repeat=7))
    extreme = sum(min(sum(o), 7 - sum(o)) <= 1 for o in outcomes)
    as_observed = sum(sum(o) == 1 for o in outcomes)
    assert (r.b, r.c) == (1, 6)
    assert r.p_value == pytest.approx(extreme / len(outcomes)) == pytest.approx(16 / 128)
    assert r.mid_p == pytest.approx(2 * (8 - as_observed / 2) / 128) == pytest.approx(9 / 128)
    assert str(r) == "A right/B wrong 1, A wrong/B right 6: exact p = 0.125, mid-p = 0.07031"


def test_mcnemar_without_a_difference_gives_one():
    assert mcnemar_exact(*_discordant(4, 4)) == McNemarResult(4, 4, 1.0, pytest.approx(1.0))
    assert mcnemar_exact(*_discordant(0, 0)) == McNemarResult(0, 0, 1.0, 1.0)


@pytest.mark.parametrize("b, c", [(4900, 5100), (4000, 6000), (3, 9997), (120, 80)])
def test_mcnemar_matches_exact_integer_arithmetic_up_to_ten_thousand_discordant_images(b, c):
    n, k = b + c, min(b, c)
    combs = [1]
    for j in range(k):  # C(n, j + 1) from C(n, j), in exact integers
        combs.append(combs[-1] * (n - j) // (j + 1))
    tail, point = Fraction(sum(combs), 2 ** n), Fraction(combs[-1], 2 ** n)
    r = mcnemar_exact(*_discordant(b, c))
    assert r.p_value == pytest.approx(float(min(1, 2 * tail)), rel=1e-9)
    assert r.mid_p == pytest.approx(float(min(1, 2 * tail - point)), rel=1e-9)


def test_the_discordant_interval_has_the_closed_form_clopper_pearson_ends():
    """All m discordant images one way: θ's interval is [0, 1 - (α/2)^(1/m)] (or its mirror)."""
    for m in (1, 10, 15):
        top = 1 - 0.025 ** (1 / m)
        a_better = discordant_interval(*_discordant(m, 0))  # only B errs on the discordant images
        assert (a_better.difference, a_better.discordant) == (-m / a_better.images, m)
        assert a_better.low == -m / a_better.images
        assert a_better.high == pytest.approx(m * (2 * top - 1) / a_better.images, rel=1e-12)
        b_better = discordant_interval(*_discordant(0, m))
        assert (b_better.low, b_better.high) == pytest.approx((-a_better.high, -a_better.low), rel=1e-12)
    assert discordant_interval(*_discordant(0, 0)) == DiscordantInterval(0.0, 0.0, 0.0, 3, 0)  # 3 images both get right


def test_the_discordant_interval_excludes_zero_exactly_when_mcnemar_rejects():
    for b in range(31):
        for c in range(31):
            interval = discordant_interval(*_discordant(b, c))
            assert interval.low <= interval.difference <= interval.high
            assert (interval.low > 0 or interval.high < 0) == (mcnemar_exact(*_discordant(b, c)).p_value < 0.05), (b, c)


def test_the_discordant_interval_is_the_beta_quantile_found_by_hand():
    """3 of 11 discordant images against A: θ's lower end solves P(X ≥ 3 | 11, θ) = 0.025."""
    interval = discordant_interval(*_discordant(8, 3))
    low_theta = (interval.low * interval.images / 11 + 1) / 2
    upper_tail = sum(math.comb(11, k) * low_theta ** k * (1 - low_theta) ** (11 - k) for k in range(3, 12))
    assert upper_tail == pytest.approx(0.025, abs=1e-12)
    with pytest.raises(UsageError, match="hold 4, 3 and 4 images"):
        discordant_interval("0123", "012", "0123")


def test_mcnemar_needs_predictions_of_the_same_images():
    with pytest.raises(UsageError, match="hold 4, 3 and 4 images"):
        mcnemar_exact("0123", "012", "0123")


# -- result files --------------------------------------------------------------------------


def _result(labels, predictions, model="googlenet", seed=1, num_classes=10):
    return {"identity": {"model": model, "seed": seed},
            "final_test": {"num_classes": num_classes, "images": len(labels), "test_top1_err": 0.0,
                           "predictions": encode_labels(predictions, num_classes),
                           "labels": encode_labels(labels, num_classes)}}


def test_final_test_predictions_decode_what_training_encodes():
    labels, preds = [3, 0, 9, 9, 1], [3, 1, 9, 0, 1]
    assert final_test_predictions(_result(labels, preds)) == (preds, labels)
    assert final_test_predictions(_result([42, 7, 99], [42, 8, 0], num_classes=100)) == ([42, 8, 0], [42, 7, 99])
    assert decode_classes("0705", num_classes=100) == [7, 5]


def test_same_test_set_accepts_identical_labels_and_names_any_difference():
    labels = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]
    same_test_set(_result(labels, labels), _result(labels, [0] * 10, "short3"))
    shuffled = labels[:2][::-1] + labels[2:]
    with pytest.raises(UsageError, match="googlenet seed 1 and .* short3 seed 2 .* differ at 2 of 10 positions "
                                         r"\(first at character 0\)"):
        same_test_set(_result(labels, labels), _result(shuffled, labels, "short3", 2))
    with pytest.raises(UsageError, match=r"different test sets \(10 and 9 label digits\)"):
        same_test_set(_result(labels, labels), _result(labels[:9], labels[:9]))
    with pytest.raises(UsageError, match="has 10 classes, .* has 100"):
        same_test_set(_result(labels, labels), _result(labels, labels, num_classes=100))


def test_a_result_without_a_final_test_says_to_rerun_with_final_test():
    with pytest.raises(UsageError, match="short4 seed 3 has no final_test.*rerun it with --final-test"):
        same_test_set(_result([1], [1]), {"identity": {"model": "short4", "seed": 3}})
    with pytest.raises(UsageError, match="a result has no final_test"):
        final_test_predictions({"final": {}})


# -- rank agreement ------------------------------------------------------------------------


# -- no torch, no numpy --------------------------------------------------------------------


@pytest.mark.parametrize("module", [st, fits], ids=["statistics", "fits"])
def test_the_module_imports_only_the_standard_library(module):
    source = Path(module.__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or "").split(".")[0])
    assert imported <= {"__future__", "math", "random", "statistics", "collections", "dataclasses", "itertools",
                        "typing", "..results", "...core", ".statistics"}


def test_the_module_runs_without_torch_or_numpy():
    """Load the module and its package imports with torch, torchvision and numpy made impossible to import."""
    code = (
        "import importlib.abc, sys\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'torchvision', 'numpy', 'scipy'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from gnet_lib.training.analysis.fits import log_log_slope\n"
        "from gnet_lib.training.analysis.statistics import paired_bootstrap, seed_summary\n"
        "print(seed_summary([0.2, 0.22, 0.24]), paired_bootstrap('0101', '0011', '0111', resamples=100).difference,\n"
        "      round(log_log_slope([1, 2, 4], [3, 6, 12]).slope, 6))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0.2200", "±", "0.0200", "sd", "(95%", "CI", "0.1703", "to", "0.2697,", "n=3)", "0.0", "1.0"]


def test_the_independent_interval_of_two_errors():
    diff, low, high = st.independent_error_difference(0.2455, 0.2275, 2000)
    se = math.sqrt((0.2455 * 0.7545 + 0.2275 * 0.7725) / 2000)
    assert diff == pytest.approx(0.018) and high - diff == pytest.approx(diff - low) == pytest.approx(1.959964 * se, rel=1e-5)
    assert low < 0 < high
    narrow = st.independent_error_difference(0.2455, 0.2275, 20_000)
    assert narrow[1] > 0  # ten times the images: the same margin is clear of zero
    with pytest.raises(UsageError, match="errors must lie in"):
        st.independent_error_difference(1.2, 0.2, 100)


# -- growth of one quantity with another ---------------------------------------------------


# -- the chi-square distribution and the interval of a standard deviation --------------------


@pytest.mark.parametrize("p", [0.001, 0.025, 0.5, 0.975, 0.999])
def test_chi2_quantile_matches_closed_forms_of_one_two_and_four_degrees_of_freedom(p):
    """df 1: the square of a normal quantile; df 2: an exponential, -2 ln(1 - p); df 4: the cdf
    1 - exp(-x/2)(1 + x/2), checked at the quantile found."""
    assert st.chi2_quantile(p, 1) == pytest.approx(NormalDist().inv_cdf(0.5 + p / 2) ** 2, rel=1e-11)
    assert st.chi2_quantile(p, 2) == pytest.approx(-2 * math.log1p(-p), rel=1e-11)
    x = st.chi2_quantile(p, 4)
    assert 1 - math.exp(-x / 2) * (1 + x / 2) == pytest.approx(p, rel=1e-11)


@pytest.mark.parametrize("df, p, table", [(3, 0.975, 9.348), (10, 0.025, 3.247), (10, 0.975, 20.483), (30, 0.95, 43.773)])
def test_chi2_quantile_matches_the_printed_table(df, p, table):
    assert round(st.chi2_quantile(p, df), 3) == table


@pytest.mark.parametrize("p, df, message", [(0.0, 1, "strictly between 0 and 1"), (0.5, 0, "positive finite"),
                                            (0.5, math.inf, "positive finite")])
def test_chi2_quantile_rejects_impossible_arguments(p, df, message):
    with pytest.raises(UsageError, match=message):
        st.chi2_quantile(p, df)


def test_the_interval_of_a_standard_deviation_by_hand_and_by_simulation():
    """Three values (df 2, closed form): s·√(2/χ²) at χ² = -2 ln(0.025) and -2 ln(0.975). Over
    normal samples of 3 the interval covers the true sd about 95% of the time."""
    r = st.sd_interval([0.20, 0.21, 0.19])
    assert r.sd == pytest.approx(0.01) and r.n == 3
    assert (r.low, r.high) == (pytest.approx(0.01 * math.sqrt(2 / (-2 * math.log(0.025)))),
                               pytest.approx(0.01 * math.sqrt(2 / (-2 * math.log(0.975)))))
    assert str(r).startswith("sd 0.0100 (95% CI")
    rng = random.Random(4)
    hits = sum(r.low <= 1.0 <= r.high for r in (st.sd_interval([rng.gauss(0, 1) for _ in range(3)]) for _ in range(2000)))
    assert 0.93 <= hits / 2000 <= 0.97
    with pytest.raises(UsageError, match="at least 2 values"):
        st.sd_interval([0.2])


def test_the_seed_half_width_is_t_times_the_standard_error():
    assert st.seed_half_width(0.005, 2) == pytest.approx(12.7062047 * 0.005 / math.sqrt(2))
    assert st.seed_half_width(0.005, 3) == pytest.approx(T975_DF2 * 0.005 / math.sqrt(3))
    with pytest.raises(UsageError, match="at least 2 seeds"):
        st.seed_half_width(0.005, 1)
    with pytest.raises(UsageError, match="non-negative"):
        st.seed_half_width(-0.1, 3)


def test_the_seeds_needed_are_the_fewest_whose_seed_part_fits_the_margin():
    for sd, margin in ((0.0037, 0.030), (0.0225, 0.030), (0.01, 0.05)):
        k = st.seeds_needed(sd, margin)
        assert st.seed_half_width(sd, k) < margin
        assert k == 2 or st.seed_half_width(sd, k - 1) >= margin
    assert st.seeds_needed(0.0037, 0.030) == 3  # t_1 = 12.7 puts 2 seeds above: 12.7 x 0.0037 / 1.41 = 0.034
    assert st.seeds_needed(0.0225, 0.030) == 5
    assert st.seeds_needed(1.0, 0.030) is None and st.seeds_needed(1.0, 0.030, most=10_000) is not None
    with pytest.raises(UsageError, match="margin must be a positive number"):
        st.seeds_needed(0.01, 0)


def test_two_single_runs_differ_by_t_times_root_two_sds_from_seed_noise():
    assert st.single_runs_half_width(0.0027, 3) == pytest.approx(T975_DF2 * math.sqrt(2) * 0.0027)
    assert st.single_runs_half_width(0.0159, 2) == pytest.approx(12.7062047 * math.sqrt(2) * 0.0159)
    with pytest.raises(UsageError, match="at least 2 seeds"):
        st.single_runs_half_width(0.01, 1)


def test_a_mean_over_seeds_against_one_run_narrows_the_reach_towards_one_sd():
    """The mean of k seeds has variance sd²/k; against one run, sd²(1 + 1/k)."""
    assert st.single_runs_half_width(0.01, 3, averaged=1) == st.single_runs_half_width(0.01, 3)
    assert st.single_runs_half_width(0.01, 3, averaged=4) == pytest.approx(T975_DF2 * 0.01 * math.sqrt(1.25))
    assert st.single_runs_half_width(0.01, 3, averaged=10_000) == pytest.approx(T975_DF2 * 0.01, rel=1e-4)
    for bad in (0, 1.5, True):
        with pytest.raises(UsageError, match="averaged counts the seeds"):
            st.single_runs_half_width(0.01, 3, averaged=bad)


# -- one run against one run on the same images ---------------------------------------------


def test_the_paired_image_interval_by_hand():
    """Six images: d = (1, 0, 0, -1, 1, 0); mean 1/6, sd from n - 1 = 5, 3 discordant images."""
    labels = [0, 1, 2, 3, 4, 5]
    a = [9, 1, 2, 3, 9, 9]  # wrong on images 0, 4 and 5
    b = [0, 1, 2, 9, 4, 9]  # wrong on images 3 and 5
    r = st.paired_image_interval(a, b, labels)
    d = [1, 0, 0, -1, 1, 0]
    mean = sum(d) / 6
    se = math.sqrt(sum((v - mean) ** 2 for v in d) / 5 / 6)
    assert (r.difference, r.se, r.images, r.discordant) == (pytest.approx(mean), pytest.approx(se), 6, 3)
    assert r.half_width == pytest.approx(1.959963984540054 * se)
    assert str(r).startswith("A − B +0.1667 (95% CI")


def test_pairing_narrows_the_interval_of_correlated_models():
    """Two models that share most of their mistakes: the paired interval is far narrower than the
    one for two independent samples of the same errors."""
    rng = random.Random(3)
    labels = [0] * 4000
    hard = [rng.random() < 0.25 for _ in labels]
    a = [int(h or rng.random() < 0.03) for h in hard]
    b = [int(h or rng.random() < 0.05) for h in hard]
    paired = st.paired_image_interval(a, b, labels)
    error_a, error_b = sum(a) / 4000, sum(b) / 4000
    _, low, high = st.independent_error_difference(error_a, error_b, 4000)
    assert paired.difference == pytest.approx(error_a - error_b)
    assert paired.half_width < 0.6 * (high - low) / 2


# -- predictions of a power law -------------------------------------------------------------


def test_the_gap_against_seed_noise_by_hand():
    """0.0418 against an sd of 0.0119 from 3 seeds: z = 0.0418 / (0.0119 √2) = 2.484."""
    noise = st.seed_noise(0.0418, 0.0119, 3)
    z = 0.0418 / (0.0119 * math.sqrt(2))
    assert noise.reach == pytest.approx(T975_DF2 * 0.0119 * math.sqrt(2))
    assert noise.reach_at_sd == pytest.approx(NormalDist().inv_cdf(0.975) * 0.0119 * math.sqrt(2))
    assert noise.p_value_at_sd == pytest.approx(2 * (1 - NormalDist().cdf(z)))
    # t with 2 df has the closed-form tail 1/2 - t / (2 √(t² + 2))
    assert noise.p_value == pytest.approx(1 - z / math.sqrt(z * z + 2))
    assert noise.p_value > 0.05 > noise.p_value_at_sd  # the sd's own uncertainty decides here
    with pytest.raises(UsageError, match="sd must be positive"):
        st.seed_noise(0.04, 0.0, 3)


def test_the_variance_ratio_test_on_2_and_2_degrees_of_freedom_by_hand():
    """F(2, 2) has the distribution function x / (1 + x)."""
    a, b = [0.2593, 0.2368, 0.2547], [0.2510, 0.2483, 0.2456]
    f = st.variance_ratio_test(a, b)
    assert f.ratio == pytest.approx((stdev(a) / stdev(b)) ** 2) and (f.df_a, f.df_b) == (2, 2)
    assert f.p_value == pytest.approx(2 * (1 - f.ratio / (1 + f.ratio)))
    assert st.variance_ratio_test(b, a).p_value == pytest.approx(f.p_value)
    assert st.f_cdf(1.0, 7, 7) == pytest.approx(0.5)
    with pytest.raises(UsageError, match="at least 2 values on each side"):
        st.variance_ratio_test([0.1], b)


