"""Seeds and test images as sources of noise: intervals for errors and for differences of errors.

Chapter 6 compares CIFAR-10 variants trained under a few seeds. This module gives

* per variant, the mean error over seeds with its sample standard deviation and a Student-t
  interval (:func:`seed_summary`), and the interval of that standard deviation itself
  (:func:`sd_interval`, from the chi-square distribution); for a single run, the interval its
  test images alone give (:func:`binomial_interval`, Wilson's score interval);
* how wide an interval over k seeds is before any run is made (:func:`seed_half_width`,
  :func:`seeds_needed`), and what seed noise does to one-seed experiments: the difference of two
  single runs (:func:`single_runs_half_width`);
* per pair of variants, the difference paired by seed (:func:`paired_difference`), and the
  difference paired on the same test images: for one run of each, a normal interval over the
  images (:func:`paired_image_interval`); with a bootstrap interval that resamples images
  (and seeds, when there are several) (:func:`paired_bootstrap`), an interval that counts the
  seeds' and the images' noise each with its own degrees of freedom (:func:`seed_image_difference`),
  and McNemar's exact test
  (:func:`mcnemar_exact`);

Lines fitted through such numbers are in :mod:`.fits`.

Everything is pure Python and the standard library (no numpy, scipy or torch), so that it also
runs where torch does not, e.g. in a browser. Predictions and labels are lists of class indices
or the fixed-width digit strings of a result file's ``final_test`` (``--final-test``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist, fmean, stdev
from typing import Any, cast

from ...core.errors import UsageError
from ..results.class_strings import decode_labels

#: One model's per-image predictions (or the labels): class indices, or a result file's digit string.
Classes = str | Sequence[int]

#: Degrees of freedom at and above which the t quantile is taken from its asymptotic expansion.
LARGE_DF = 1e6


# -- the Student-t distribution ------------------------------------------------------------


def _log_beta_front(a: float, b: float, log_x: float, log_y: float) -> float:
    """log of x^a y^b / (a B(a, b)), the factor before the continued fraction."""
    return math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * log_x + b * log_y - math.log(a)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny, eps = 1e-300, 1e-16
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000 + int(20 * math.sqrt(a + b))):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= c * d
        if abs(c * d - 1.0) < eps:
            return h
    raise ArithmeticError(f"the incomplete beta continued fraction did not converge for a={a}, b={b}, x={x}")


def _regularized_beta(a: float, b: float, x: float, y: float) -> float:
    """I_x(a, b), the regularized incomplete beta function, for x + y = 1 (both given, so that
    neither loses digits when the other is near 1)."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(_log_beta_front(a, b, math.log(x), math.log(y))) * _beta_continued_fraction(a, b, x)
    return 1.0 - math.exp(_log_beta_front(b, a, math.log(y), math.log(x))) * _beta_continued_fraction(b, a, y)


def t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom, from the regularized incomplete
    beta function: P(T > t) = I_{df/(df+t²)}(df/2, 1/2) / 2 for t ≥ 0."""
    if t < 0:
        return 1.0 - t_upper_tail(-t, df)
    t2 = t * t
    return 0.5 * _regularized_beta(df / 2, 0.5, df / (df + t2), t2 / (df + t2))


def _t_central(t: float, df: float) -> float:
    """P(0 < T < t) for t ≥ 0, = I_{t²/(df+t²)}(1/2, df/2) / 2: with full relative precision
    where t is small, which 1/2 − :func:`t_upper_tail` would lose."""
    t2 = t * t
    return 0.5 * _regularized_beta(0.5, df / 2, t2 / (df + t2), df / (df + t2))


def t_density(t: float, df: float) -> float:
    """The density of Student's t with ``df`` degrees of freedom at ``t``."""
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))


def _t_quantile_asymptotic(p: float, df: float) -> float:
    """The Cornish-Fisher expansion of the t quantile in powers of 1/df (Abramowitz and Stegun
    26.7.5); for df ≥ :data:`LARGE_DF` its first omitted term is below 1e-20."""
    z = NormalDist().inv_cdf(p)
    terms = ((z ** 3 + z) / 4,
             (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96,
             (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384,
             (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160)
    return z + sum(g / df ** (k + 1) for k, g in enumerate(terms))


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` > 0 degrees of freedom (``math.inf``: the
    normal): the t with P(T ≤ t) = p, found by Newton steps on :func:`t_upper_tail` (near the
    centre on P(0 < T < t)) kept inside a bisection bracket. Relative accuracy about 1e-12, 1e-11
    for df in the hundreds of thousands (``lgamma`` of large arguments)."""
    if not (isinstance(p, (int, float)) and 0.0 < p < 1.0):
        raise UsageError(f"t_quantile needs a probability strictly between 0 and 1, got p={p!r}; for a 95% "
                         "two-sided interval use p=0.975")
    if not (isinstance(df, (int, float)) and df > 0):
        raise UsageError(f"t_quantile needs positive degrees of freedom, got df={df!r}; an interval over n seeds "
                         "has df = n - 1")
    if p == 0.5:
        return 0.0
    if math.isinf(df):
        return NormalDist().inv_cdf(p)
    if df >= LARGE_DF:
        return _t_quantile_asymptotic(p, df)
    # Solve P(T > t) = min(p, 1 - p) in the tails and P(0 < T < t) = |p - 1/2| near the centre:
    # each exact in floating point where it is used, so t is found to its own relative precision.
    upper, half = (p, 0.5 - p) if p < 0.5 else (1.0 - p, p - 0.5)
    sign = 1.0 if p > 0.5 else -1.0

    def gap(t: float) -> float:
        """Positive while t is below the quantile of the upper half."""
        return half - _t_central(t, df) if half < 0.25 else t_upper_tail(t, df) - upper

    low, high = 0.0, 2.0
    while gap(high) > 0:
        low, high = high, 2 * high
    t = (low + high) / 2
    for _ in range(200):
        below = gap(t)
        if below > 0:
            low = t
        else:
            high = t
        newton = t + below / t_density(t, df)
        t_next = newton if low < newton < high else (low + high) / 2
        if abs(t_next - t) <= 1e-14 * t_next:
            return sign * t_next
        t = t_next
    return sign * t


def t_factor(confidence: float, df: float) -> float:
    """The multiple of the standard error that a two-sided ``confidence`` t-interval spans each side."""
    check_confidence(confidence)
    return t_quantile(0.5 + confidence / 2, df)


def check_confidence(confidence: float) -> None:
    """Refuse a confidence level that is not a fraction strictly between 0 and 1."""
    if not (isinstance(confidence, float) and 0.0 < confidence < 1.0):
        raise UsageError(f"confidence must be a fraction between 0 and 1, got {confidence!r}; e.g. 0.95 for a 95% interval")


# -- the chi-square distribution -----------------------------------------------------------


def _lower_gamma_series(a: float, x: float) -> float:
    """P(a, x), the regularized lower incomplete gamma function, from its power series
    (converges fast for x < a + 1)."""
    term = total = 1.0 / a
    k = a
    for _ in range(100_000):
        k += 1.0
        term *= x / k
        total += term
        if abs(term) < abs(total) * 1e-16:
            return math.exp(a * math.log(x) - x - math.lgamma(a)) * total
    raise ArithmeticError(f"the incomplete gamma series did not converge for a={a}, x={x}")


def _upper_gamma_fraction(a: float, x: float) -> float:
    """Q(a, x) = 1 - P(a, x) from its continued fraction (modified Lentz's method; for x ≥ a + 1)."""
    tiny = 1e-300
    b = x + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for i in range(1, 100_000):
        numerator = -i * (i - a)
        b += 2.0
        d = numerator * d + b
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = b + numerator / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            return math.exp(a * math.log(x) - x - math.lgamma(a)) * h
    raise ArithmeticError(f"the incomplete gamma continued fraction did not converge for a={a}, x={x}")


def chi2_cdf(x: float, df: float) -> float:
    """P(X ≤ x) for the chi-square distribution with ``df`` degrees of freedom: the regularized
    lower incomplete gamma function P(df/2, x/2)."""
    if x <= 0.0:
        return 0.0
    a, half = df / 2.0, x / 2.0
    return _lower_gamma_series(a, half) if half < a + 1.0 else 1.0 - _upper_gamma_fraction(a, half)


def chi2_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of the chi-square distribution with ``df`` > 0 degrees of freedom, by
    bisection on :func:`chi2_cdf` (relative accuracy about 1e-13; the lower quantiles of one
    degree of freedom are tiny, e.g. 0.000982 at p = 0.025, so the bracket is halved in ratio)."""
    if not (isinstance(p, (int, float)) and 0.0 < p < 1.0):
        raise UsageError(f"chi2_quantile needs a probability strictly between 0 and 1, got p={p!r}")
    if not (isinstance(df, (int, float)) and df > 0 and math.isfinite(df)):
        raise UsageError(f"chi2_quantile needs positive finite degrees of freedom, got df={df!r}; a standard "
                         "deviation of n values has df = n - 1")
    low, high = 1e-300, max(1.0, df)
    while chi2_cdf(high, df) < p:
        low, high = high, 2.0 * high
    for _ in range(2000):
        middle = math.sqrt(low * high) if high / low > 4.0 else (low + high) / 2.0
        if chi2_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low <= 1e-14 * high:
            break
    return (low + high) / 2.0


# -- intervals over seeds ------------------------------------------------------------------


@dataclass(frozen=True)
class SeedSummary:
    """The mean of one quantity over seeds, its sample standard deviation, and the Student-t
    interval of the mean (mean ± t_{n-1} · sd / √n)."""

    n: int
    mean: float
    sd: float
    low: float
    high: float
    confidence: float = 0.95

    @property
    def half_width(self) -> float:
        """How far the interval reaches either side of the mean."""
        return (self.high - self.low) / 2

    def __str__(self) -> str:
        return (f"{self.mean:.4f} ± {self.sd:.4f} sd ({self.confidence:.0%} CI {self.low:.4f} to {self.high:.4f}, "
                f"n={self.n})")


@dataclass(frozen=True)
class PairedDifference(SeedSummary):
    """A − B paired by seed: the per-seed differences and the t-interval of their mean."""

    seeds: tuple[int, ...] = ()
    differences: tuple[float, ...] = ()

    def __str__(self) -> str:
        return (f"A − B {self.mean:+.4f} ± {self.sd:.4f} sd ({self.confidence:.0%} CI {self.low:+.4f} to "
                f"{self.high:+.4f}, n={self.n} paired seeds)")


def finite_values(values: Mapping[int, float] | Sequence[float], what: str) -> list[float]:
    """``values`` as floats, refused unless every one is a finite number."""
    items = list(values.values()) if isinstance(values, Mapping) else list(values)
    bad = [v for v in items if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)]
    if bad:
        raise UsageError(f"{what} must be finite numbers, got {bad[0]!r}; pass each seed's error as a float")
    return [float(v) for v in items]


def _summary(values: list[float], confidence: float, what: str) -> tuple[float, float, float, float]:
    if len(values) < 2:
        raise UsageError(f"an interval over seeds needs at least 2 seeds, got {len(values)} for {what}; run more "
                         "seeds (e.g. --seed 2 and --seed 3) before quoting an interval")
    mean, sd = fmean(values), stdev(values)
    half = t_factor(confidence, len(values) - 1) * sd / math.sqrt(len(values))
    return mean, sd, mean - half, mean + half


def seed_summary(errors: Mapping[int, float] | Sequence[float], confidence: float = 0.95) -> SeedSummary:
    """n, mean, sample standard deviation and the ``confidence`` t-interval of the mean of one
    variant's errors over seeds (``{seed: error}`` or a list)."""
    values = finite_values(errors, "the errors")
    mean, sd, low, high = _summary(values, confidence, "the errors")
    return SeedSummary(len(values), mean, sd, low, high, confidence)


@dataclass(frozen=True)
class SdInterval:
    """A sample standard deviation over n seeds with its interval, from (n - 1) s² / σ² being
    chi-square with n - 1 degrees of freedom (normal errors assumed). With few seeds it is wide:
    2 seeds give an interval that spans a factor of about 70."""

    n: int
    sd: float
    low: float
    high: float
    confidence: float = 0.95

    def __str__(self) -> str:
        return f"sd {self.sd:.4f} ({self.confidence:.0%} CI {self.low:.4f} to {self.high:.4f}, n={self.n})"


def sd_interval(values: Mapping[int, float] | Sequence[float], confidence: float = 0.95) -> SdInterval:
    """The sample standard deviation of ``values`` (e.g. one variant's errors over seeds) and its
    ``confidence`` interval: s·√((n-1)/χ²_hi) to s·√((n-1)/χ²_lo), the chi-square quantiles
    with n - 1 degrees of freedom at (1 ± confidence) / 2."""
    check_confidence(confidence)
    items = finite_values(values, "the values")
    if len(items) < 2:
        raise UsageError(f"a standard deviation needs at least 2 values, got {len(items)}; run more seeds first")
    sd, df, tail = stdev(items), len(items) - 1, (1.0 - confidence) / 2
    return SdInterval(len(items), sd, sd * math.sqrt(df / chi2_quantile(1.0 - tail, df)),
                      sd * math.sqrt(df / chi2_quantile(tail, df)), confidence)


def seed_half_width(sd: float, seeds: int, confidence: float = 0.95) -> float:
    """How far the seeds' part of an interval over ``seeds`` seeds reaches either side of the mean
    when the quantity varies from seed to seed with standard deviation ``sd``:
    t_{seeds-1} · sd / √seeds. It says, before the runs are made, whether k seeds can decide
    a claim with a given margin at all (2 seeds multiply by t = 12.7)."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 2:
        raise UsageError(f"an interval over seeds needs at least 2 seeds, got {seeds!r}")
    if not (isinstance(sd, (int, float)) and math.isfinite(sd) and sd >= 0):
        raise UsageError(f"sd must be a non-negative number, got {sd!r}")
    return t_factor(confidence, seeds - 1) * sd / math.sqrt(seeds)


def single_runs_half_width(sd: float, seeds: int, confidence: float = 0.95, averaged: int = 1) -> float:
    """The half-width within which seed noise alone keeps the difference of two single runs in
    ``confidence`` of cases, when each varies from seed to seed with a standard deviation ``sd``
    measured over ``seeds`` runs and the two vary independently: t_{seeds-1} · √2 · sd. With
    ``averaged`` > 1 the first of the two is a mean over that many seeds: t · sd · √(1 + 1/averaged).
    It says whether a one-seed experiment can tell an effect from seed noise. Two runs that share
    a seed may stay correlated and vary less; for them the half-width then errs on the wide side."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 2:
        raise UsageError(f"a seed-to-seed sd needs at least 2 seeds, got {seeds!r}")
    if not (isinstance(sd, (int, float)) and math.isfinite(sd) and sd >= 0):
        raise UsageError(f"sd must be a non-negative number, got {sd!r}")
    if isinstance(averaged, bool) or not isinstance(averaged, int) or averaged < 1:
        raise UsageError(f"averaged counts the seeds of a mean: a whole number from 1, got {averaged!r}")
    return t_factor(confidence, seeds - 1) * sd * math.sqrt(1 + 1 / averaged)


@dataclass(frozen=True)
class SeedNoise:
    """A difference of two single runs set against seed noise of standard deviation ``sd``
    (measured over ``seeds`` runs): the 95% prediction interval's half-width with t on
    ``seeds`` - 1 degrees of freedom (the sd's own uncertainty included) and with the normal at the
    estimate (the sd taken as known), and the two-sided p of the difference under each."""

    difference: float
    sd: float
    seeds: int
    reach: float
    reach_at_sd: float
    p_value: float
    p_value_at_sd: float


def seed_noise(difference: float, sd: float, seeds: int, averaged: int = 1, confidence: float = 0.95) -> SeedNoise:
    """How ``difference`` between two single runs (or a mean over ``averaged`` seeds against one
    run) compares with seed noise alone; see :func:`single_runs_half_width` and :class:`SeedNoise`."""
    reach = single_runs_half_width(sd, seeds, confidence, averaged)
    if not (isinstance(difference, (int, float)) and math.isfinite(difference)):
        raise UsageError(f"difference must be a finite number, got {difference!r}")
    if sd <= 0:
        raise UsageError("sd must be positive to set a difference against it; with no spread measured there is no test")
    scale = sd * math.sqrt(1 + 1 / averaged)
    z = abs(difference) / scale
    return SeedNoise(difference, sd, seeds, reach, NormalDist().inv_cdf(0.5 + confidence / 2) * scale,
                     min(1.0, 2 * t_upper_tail(z, seeds - 1)), 2 * (1 - NormalDist().cdf(z)))


@dataclass(frozen=True)
class VarianceRatio:
    """The F-test of two spreads: ``ratio`` = sd_a² / sd_b² on (n_a - 1, n_b - 1) degrees of
    freedom and its two-sided p under "the same variance" (normal values assumed)."""

    ratio: float
    df_a: int
    df_b: int
    p_value: float


def f_cdf(x: float, df_a: float, df_b: float) -> float:
    """P(F <= x) for Fisher's F with (df_a, df_b) degrees of freedom."""
    if x <= 0:
        return 0.0
    return _regularized_beta(df_a / 2, df_b / 2, df_a * x / (df_a * x + df_b), df_b / (df_a * x + df_b))


def variance_ratio_test(a: Sequence[float], b: Sequence[float]) -> VarianceRatio:
    """Whether two sets of values (e.g. two variants' errors over seeds) spread alike: the F-test
    of their variance ratio, two-sided. A stronger test than asking whether two sd intervals
    overlap, and just as dependent on normality; with few values it detects only large ratios."""
    xs, ys = finite_values(a, "the first values"), finite_values(b, "the second values")
    if len(xs) < 2 or len(ys) < 2:
        raise UsageError(f"a variance ratio needs at least 2 values on each side, got {len(xs)} and {len(ys)}")
    if stdev(ys) == 0:
        raise UsageError("the second values do not vary at all, so no ratio can be formed")
    ratio, df_a, df_b = stdev(xs) ** 2 / stdev(ys) ** 2, len(xs) - 1, len(ys) - 1
    below = f_cdf(ratio, df_a, df_b)
    return VarianceRatio(ratio, df_a, df_b, min(1.0, 2 * min(below, 1 - below)))


def seeds_needed(sd: float, margin: float, confidence: float = 0.95, most: int = 100) -> int | None:
    """The fewest seeds (2 or more) whose seeds' part (:func:`seed_half_width`) lies under
    ``margin``, or ``None`` if even ``most`` seeds leave it at or above the margin."""
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and margin > 0):
        raise UsageError(f"margin must be a positive number, got {margin!r}")
    return next((k for k in range(2, most + 1) if seed_half_width(sd, k, confidence) < margin), None)


@dataclass(frozen=True)
class BinomialInterval:
    """An error rate measured on ``n`` test images, with Wilson's score interval: what the test
    images alone say about one run's error (nothing about other seeds)."""

    errors: int
    n: int
    low: float
    high: float
    confidence: float = 0.95

    @property
    def rate(self) -> float:
        """The measured error rate, errors / n."""
        return self.errors / self.n

    def __str__(self) -> str:
        return (f"{self.rate:.4f} ({self.confidence:.0%} interval over {self.n:,} test images {self.low:.4f} to "
                f"{self.high:.4f})")


def binomial_interval(errors: int, n: int, confidence: float = 0.95) -> BinomialInterval:
    """Wilson's score interval for an error rate of ``errors`` out of ``n`` test images: the rates p
    for which the measured rate lies within z standard errors, (errors/n - p)² ≤ z² p (1 - p) / n.
    Unlike the textbook p ± z·se it stays inside [0, 1] and keeps its coverage near 0 and 1."""
    check_confidence(confidence)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n must be a positive whole number of test images, got {n!r}")
    if isinstance(errors, bool) or not isinstance(errors, int) or not 0 <= errors <= n:
        raise UsageError(f"errors must be a whole number of misclassified images from 0 to n={n}, got {errors!r}; "
                         "from an error rate, pass round(rate * n)")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p, z2 = errors / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if errors == 0 else max(0.0, centre - half)  # exactly 0 (and 1), not a rounding error away
    high = 1.0 if errors == n else min(1.0, centre + half)
    return BinomialInterval(errors, n, low, high, confidence)


def _same_seeds(a: Mapping[int, Any], b: Mapping[int, Any]) -> tuple[int, ...]:
    """The seeds of two ``{seed: ...}`` mappings, which must be the same."""
    if not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        raise UsageError("paired results must be given as {seed: value} mappings for both variants, so that "
                         "seed s of A is paired with seed s of B")
    if set(a) != set(b):
        only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        raise UsageError(f"paired results need the same seeds for both variants: seeds only in A {only_a}, only in "
                         f"B {only_b}; run the missing seeds, or pass only the seeds both have")
    return tuple(sorted(a))


def paired_difference(errors_a: Mapping[int, float], errors_b: Mapping[int, float],
                      confidence: float = 0.95) -> PairedDifference:
    """Errors of A minus errors of B, paired by seed number (``{seed: error}`` for each): the mean
    difference, its sample standard deviation and the t-interval over seeds."""
    seeds = _same_seeds(errors_a, errors_b)
    a = finite_values([errors_a[s] for s in seeds], "the errors of A")
    b = finite_values([errors_b[s] for s in seeds], "the errors of B")
    differences = [x - y for x, y in zip(a, b)]
    mean, sd, low, high = _summary(differences, confidence, "this pair")
    return PairedDifference(len(seeds), mean, sd, low, high, confidence, seeds, tuple(differences))


# -- predictions on test images ------------------------------------------------------------


def independent_error_difference(error_a: float, error_b: float, n: int, confidence: float = 0.95) -> tuple[float, float, float]:
    """``error_a - error_b`` of two top-1 errors, each measured on ``n`` test images, with a normal
    approximation interval that treats the two as independent samples: (difference, low, high).
    Errors measured on the *same* images are positively correlated, so this interval is wider than
    the paired one (:func:`paired_bootstrap`, :func:`mcnemar_exact`), which needs every image's
    prediction."""
    check_confidence(confidence)
    if n < 1 or not (0 <= error_a <= 1 and 0 <= error_b <= 1):
        raise UsageError(f"errors must lie in [0, 1] and n be positive, got {error_a}, {error_b}, {n}")
    se = math.sqrt((error_a * (1 - error_a) + error_b * (1 - error_b)) / n)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    diff = error_a - error_b
    return diff, diff - z * se, diff + z * se


def decode_classes(classes: Classes, num_classes: int = 10) -> list[int]:
    """Class indices from a list of them, or from the fixed-width digit string a result file's
    ``final_test`` stores (see :mod:`gnet_lib.training.results.class_strings`)."""
    if isinstance(classes, str):
        return decode_labels(classes, num_classes)
    values = list(classes)
    if any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        raise UsageError("class indices must be integers; pass a list of ints or a final_test digit string")
    return values


def _final_test(result: Mapping[str, Any]) -> Mapping[str, Any]:
    final = result.get("final_test")
    if not final:
        raise UsageError(f"{_name(result)} has no final_test, so no per-image predictions; rerun it with --final-test")
    return final


def _name(result: Mapping[str, Any]) -> str:
    identity = result.get("identity") or {}
    if "model" in identity and "seed" in identity:
        return f"the result of {identity['model']} seed {identity['seed']}"
    return "a result"


def final_test_predictions(result: Mapping[str, Any]) -> tuple[list[int], list[int]]:
    """A result's ``final_test`` as (predictions, labels): class indices of every test image, in
    the split's order."""
    final = _final_test(result)
    n = final.get("num_classes", 10)
    return decode_classes(final["predictions"], n), decode_classes(final["labels"], n)


def same_test_set(result_a: Mapping[str, Any], result_b: Mapping[str, Any]) -> None:
    """Raise :class:`UsageError` unless two results' final tests have identical labels: the
    same test images in the same order, which any paired comparison needs."""
    final_a, final_b = _final_test(result_a), _final_test(result_b)
    if final_a.get("num_classes") != final_b.get("num_classes"):
        raise UsageError(f"{_name(result_a)} has {final_a.get('num_classes')} classes, {_name(result_b)} has "
                         f"{final_b.get('num_classes')}; compare only runs on the same dataset")
    labels_a, labels_b = final_a["labels"], final_b["labels"]
    if len(labels_a) != len(labels_b):
        raise UsageError(f"{_name(result_a)} and {_name(result_b)} were tested on different test sets ({len(labels_a)} "
                         f"and {len(labels_b)} label digits); compare only runs of the same dataset made with --final-test")
    if labels_a != labels_b:
        differ = [i for i, (x, y) in enumerate(zip(labels_a, labels_b)) if x != y]
        raise UsageError(f"{_name(result_a)} and {_name(result_b)} were not tested on the same images in the same "
                         f"order: their labels differ at {len(differ)} of {len(labels_a)} positions (first at "
                         f"character {differ[0]}); compare only runs of the same dataset and data version")


def _correctness_differences(preds_a: Classes, preds_b: Classes, labels: list[int], num_classes: int,
                             what: str = "") -> list[int]:
    """Per image, (A wrong) − (B wrong): +1 where only A errs, −1 where only B errs, else 0."""
    a, b = decode_classes(preds_a, num_classes), decode_classes(preds_b, num_classes)
    if not (len(a) == len(b) == len(labels)):
        raise UsageError(f"predictions of A and B{what} and the labels must cover the same test images, but they "
                         f"hold {len(a)}, {len(b)} and {len(labels)} images; pass each model's final_test "
                         "predictions of the same test split")
    if not labels:
        raise UsageError("there are no test images to compare; pass the predictions of a final test")
    return [(x != y) - (z != y) for x, z, y in zip(a, b, labels)]


@dataclass(frozen=True)
class ImageDifference:
    """Error of A minus error of B, one run of each, on the same test images, with a normal
    interval over the images; ``discordant`` images are those exactly one of the two gets right."""

    difference: float
    low: float
    high: float
    se: float
    images: int
    discordant: int
    confidence: float = 0.95

    @property
    def half_width(self) -> float:
        """How far the interval reaches either side of the difference."""
        return (self.high - self.low) / 2

    def __str__(self) -> str:
        return (f"A − B {self.difference:+.4f} ({self.confidence:.0%} CI {self.low:+.4f} to {self.high:+.4f} over "
                f"{self.images:,} test images; {self.discordant:,} discordant)")


def paired_image_interval(preds_a: Classes, preds_b: Classes, labels: Classes, confidence: float = 0.95,
                          num_classes: int = 10) -> ImageDifference:
    """One run of A against one run of B on the same images: the mean of each image's
    (A wrong) − (B wrong), ± z standard errors of that mean (the sample standard deviation of
    the per-image values over √n). Images both get right, or both get wrong, add 0 and no
    spread, so the interval is narrower than one for two independent samples
    (:func:`independent_error_difference`). It covers the test images only, not seeds."""
    check_confidence(confidence)
    truth = decode_classes(labels, num_classes)
    d = _correctness_differences(preds_a, preds_b, truth, num_classes)
    n = len(d)
    mean = fmean(d)
    se = (stdev(d) if n > 1 else 0.0) / math.sqrt(n)
    half = NormalDist().inv_cdf(0.5 + confidence / 2) * se
    return ImageDifference(mean, mean - half, mean + half, se, n, sum(v != 0 for v in d), confidence)


# -- the paired bootstrap ------------------------------------------------------------------


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """One exact Binomial(n, p) draw: waiting times between successes for n·p < 10, else
    Hörmann's transformed rejection with squeeze (BTRS, 1993). Python 3.12 has
    ``random.binomialvariate``; this one gives the same numbers on every Python."""
    if p <= 0.0 or n == 0:
        return 0
    if p >= 1.0:
        return n
    if p > 0.5:
        return n - _binomial(rng, n, 1.0 - p)
    if n * p < 10.0:
        log_q, successes, trial = math.log1p(-p), 0, 0
        while True:
            trial += math.floor(math.log(1.0 - rng.random()) / log_q) + 1
            if trial > n:
                return successes
            successes += 1
    spq = math.sqrt(n * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    log_odds = math.log(p / (1.0 - p))
    mode = math.floor((n + 1) * p)
    h = math.lgamma(mode + 1) + math.lgamma(n - mode + 1)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        if us == 0.0:
            continue
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v *= alpha / (a / (us * us) + b)
        if v > 0 and math.log(v) <= h - math.lgamma(k + 1) - math.lgamma(n - k + 1) + (k - mode) * log_odds:
            return k


def _multinomial(rng: random.Random, n: int, counts: Sequence[int]) -> Iterator[int]:
    """How often each category is drawn when ``n`` items are drawn with replacement from a
    population holding ``counts[j]`` items of category j (conditional binomials)."""
    left, mass = n, sum(counts)
    for count in counts:
        drawn = _binomial(rng, left, count / mass) if mass > count else left
        yield drawn
        left, mass = left - drawn, mass - count


def _percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolating linearly between order statistics."""
    position = q * (len(ordered) - 1)
    i = math.floor(position)
    j = min(i + 1, len(ordered) - 1)
    return ordered[i] + (position - i) * (ordered[j] - ordered[i])


@dataclass(frozen=True)
class BootstrapDifference:
    """Error of A minus error of B on the same test images (averaged over seeds), with a
    percentile bootstrap interval; ``replicates`` are the sorted resampled differences."""

    difference: float
    low: float
    high: float
    se: float
    confidence: float
    resamples: int
    images: int
    seeds: tuple[int, ...]
    replicates: tuple[float, ...] = field(repr=False, default=())

    def __str__(self) -> str:
        over = f"{self.images:,} images" + (f" and {len(self.seeds)} seeds" if len(self.seeds) > 1 else "")
        return (f"A − B {self.difference:+.4f} ({self.confidence:.0%} CI {self.low:+.4f} to {self.high:+.4f}; "
                f"paired bootstrap over {over}, {self.resamples} resamples)")


def _paired_differences(preds_a: Classes | Mapping[int, Classes], preds_b: Classes | Mapping[int, Classes],
                        truth: list[int], num_classes: int) -> tuple[tuple[int, ...], list[list[int]]]:
    """The seeds paired (none for one prediction each) and, per seed, each image's (A wrong) − (B wrong)."""
    if not (isinstance(preds_a, Mapping) or isinstance(preds_b, Mapping)):
        return (), [_correctness_differences(preds_a, preds_b, truth, num_classes)]
    by_seed_a, by_seed_b = cast(Mapping[int, Classes], preds_a), cast(Mapping[int, Classes], preds_b)
    seeds = _same_seeds(by_seed_a, by_seed_b)
    if not seeds:
        raise UsageError("no seeds to compare; pass {seed: predictions} with at least one seed for A and B")
    return seeds, [_correctness_differences(by_seed_a[s], by_seed_b[s], truth, num_classes, f" (seed {s})")
                   for s in seeds]


def _bootstrap_replicates(per_seed: list[list[int]], resamples: int, rng: random.Random) -> list[float]:
    """The sorted bootstrap replicates of the mean difference (see :func:`paired_bootstrap`): seeds
    drawn with replacement (one pair: kept), then images, through the counts of each pattern of
    per-seed differences."""
    patterns: dict[tuple[int, ...], int] = {}
    for pattern in zip(*per_seed):
        patterns[pattern] = patterns.get(pattern, 0) + 1
    ordered = sorted(patterns.items(), key=lambda item: -item[1])
    values, counts = [p for p, _ in ordered], [c for _, c in ordered]
    n, k = len(per_seed[0]), len(per_seed)
    replicates = []
    for _ in range(resamples):
        weights = [0] * k
        if k == 1:
            weights[0] = 1
        else:
            for _ in range(k):
                weights[rng.randrange(k)] += 1
        total = 0
        for pattern, drawn in zip(values, _multinomial(rng, n, counts)):
            if drawn:
                total += drawn * sum(w * d for w, d in zip(weights, pattern))
        replicates.append(total / (n * k))
    return sorted(replicates)


def paired_bootstrap(preds_a: Classes | Mapping[int, Classes], preds_b: Classes | Mapping[int, Classes],
                     labels: Classes, resamples: int = 2000, confidence: float = 0.95, seed: int = 0,
                     num_classes: int = 10) -> BootstrapDifference:
    """The error rate of A minus that of B on the same test images, with a percentile bootstrap
    interval that resamples test images; the same resampled images count for both models.

    ``preds_a`` and ``preds_b`` are one prediction each (one seed pair), or ``{seed: prediction}``
    for several seeds, paired by seed number; ``labels`` are the test images' classes, the same for
    every seed. Each of ``resamples`` replicates, drawn with ``random.Random(seed)``:

    1. draws as many seed pairs as there are, with replacement (skipped for one pair);
    2. draws as many test images as there are, with replacement, once for all the drawn seeds,
       because every seed was tested on the same images (a crossed design, not a nested one);
    3. averages (A wrong) − (B wrong) over the drawn seeds and images.

    Over one seed pair the interval covers the test images only. Over 2 or 3 seeds it is too
    narrow: step 1 can only recombine the seeds it has (2 seeds give 3 distinct outcomes, 3 give
    10), so it never sees how far another seed would land, and it has no Student-t widening for
    so few seeds; the simulations in the tests find it covering well under 95% with 2 and 3
    seeds. For an interval over seeds use :func:`seed_image_difference`.

    Efficient without numpy: each image's difference is −1, 0 or +1 under each seed, so a
    replicate depends only on how often each pattern of such values is drawn. Those counts are
    drawn directly from their multinomial distribution (exactly the distribution that drawing
    image indices gives), in time proportional to the number of distinct patterns (at most 3 for
    one seed, 27 for three), not to the number of images.
    """
    if not (isinstance(resamples, int) and resamples >= 100):
        raise UsageError(f"resamples must be an integer of at least 100, got {resamples!r}; 2000 gives stable 95% limits")
    check_confidence(confidence)
    truth = decode_classes(labels, num_classes)
    seeds, per_seed = _paired_differences(preds_a, preds_b, truth, num_classes)
    n, k = len(truth), len(per_seed)
    replicates = _bootstrap_replicates(per_seed, resamples, random.Random(seed))
    tail = (1.0 - confidence) / 2
    return BootstrapDifference(
        difference=sum(sum(d) for d in per_seed) / (n * k),
        low=_percentile(replicates, tail),
        high=_percentile(replicates, 1.0 - tail),
        se=stdev(replicates),
        confidence=confidence,
        resamples=resamples,
        images=n,
        seeds=seeds,
        replicates=tuple(replicates),
    )


# -- seeds and images together -------------------------------------------------------------


@dataclass(frozen=True)
class SeedImageDifference:
    """Error of A minus error of B over several seeds and the same test images, with an interval
    that counts both sources of noise (see :func:`seed_image_difference`)."""

    difference: float
    low: float
    high: float
    se_seeds: float
    se_images: float
    confidence: float
    images: int
    seeds: tuple[int, ...]
    per_seed: tuple[float, ...]

    def __str__(self) -> str:
        return (f"A − B {self.difference:+.4f} ({self.confidence:.0%} CI {self.low:+.4f} to {self.high:+.4f}; "
                f"over {len(self.seeds)} seeds and {self.images:,} test images)")


def seed_image_difference(preds_a: Mapping[int, Classes], preds_b: Mapping[int, Classes], labels: Classes,
                          confidence: float = 0.95, num_classes: int = 10) -> SeedImageDifference:
    """Error of A minus error of B, paired by seed number and on the same test images, with an
    interval for what other seeds *and* other test images would give.

    Per seed s and image i let d = (A wrong) − (B wrong), over k seeds and n images. The mean
    varies through the seeds and through the images:

    * the seeds' part: the standard error of the k per-seed means, sd / √k, known from k − 1
      degrees of freedom, so it is multiplied by Student's t with k − 1 (12.7 for 2 seeds, 4.3
      for 3 at 95%);
    * the images' part: the standard error of the n per-image means (each averaged over the
      seeds), with thousands of degrees of freedom, multiplied by the normal quantile (1.96).

    The half-width adds the two products in quadrature. Each part keeps the multiplier its own
    evidence justifies, so two seeds give the wide interval two seeds deserve; a single t with
    Welch-Satterthwaite degrees of freedom covered only about 88% in simulations with 2 seeds
    (when the 2 seeds happen to agree, it trusts them), and a percentile bootstrap over 2 or 3
    seeds less still (:func:`paired_bootstrap` resamples only the seeds it has). The seed-by-image
    part of the noise is in both terms, so the interval errs on the wide side.
    """
    check_confidence(confidence)
    seeds = _same_seeds(preds_a, preds_b)
    if len(seeds) < 2:
        raise UsageError(f"an interval over seeds and images needs at least 2 seeds of both models, got {len(seeds)} "
                         "shared; with one seed use paired_bootstrap (test images only) or mcnemar_exact, and say that "
                         "it is one seed")
    truth = decode_classes(labels, num_classes)
    per_seed = [_correctness_differences(preds_a[s], preds_b[s], truth, num_classes, f" (seed {s})") for s in seeds]
    k, n = len(seeds), len(truth)
    seed_means = [sum(d) / n for d in per_seed]
    image_means = [sum(column) / k for column in zip(*per_seed)]
    mean = fmean(seed_means)
    se_seeds = stdev(seed_means) / math.sqrt(k)
    se_images = (stdev(image_means) if n > 1 else 0.0) / math.sqrt(n)
    half = math.hypot(t_factor(confidence, k - 1) * se_seeds, t_factor(confidence, math.inf) * se_images)
    return SeedImageDifference(mean, mean - half, mean + half, se_seeds, se_images, confidence, n, seeds,
                               tuple(seed_means))


# -- McNemar's exact test ------------------------------------------------------------------


@dataclass(frozen=True)
class McNemarResult:
    """McNemar's exact test of two models on the same images: ``b`` images only A gets right,
    ``c`` only B; under "equally good" each of the b + c discordant images is a fair coin."""

    b: int
    c: int
    p_value: float
    mid_p: float

    def __str__(self) -> str:
        return f"A right/B wrong {self.b}, A wrong/B right {self.c}: exact p = {self.p_value:.4g}, mid-p = {self.mid_p:.4g}"


def _log_sum_exp(logs: Sequence[float]) -> float:
    top = max(logs)
    return top + math.log(sum(math.exp(v - top) for v in logs))


def mcnemar_exact(preds_a: Classes, preds_b: Classes, labels: Classes, num_classes: int = 10) -> McNemarResult:
    """The discordant counts and the exact two-sided binomial p-value, 2·P(X ≤ min(b, c)) capped
    at 1 for X ~ Binomial(b + c, 1/2), summed in log space (no overflow for b + c in the
    tens of thousands); the mid-p variant subtracts P(X = min(b, c)) (Fagerland et al. 2013)."""
    truth = decode_classes(labels, num_classes)
    d = _correctness_differences(preds_a, preds_b, truth, num_classes)
    b, c = d.count(-1), d.count(1)
    n, k = b + c, min(b, c)
    if n == 0:
        return McNemarResult(0, 0, 1.0, 1.0)
    log_pmf = [math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) - n * math.log(2) for j in range(k + 1)]
    lower_tail = math.exp(_log_sum_exp(log_pmf))
    point = math.exp(log_pmf[-1])
    return McNemarResult(b, c, min(1.0, 2 * lower_tail), min(1.0, 2 * lower_tail - point))


def _beta_quantile(q: float, a: float, b: float) -> float:
    """The x with I_x(a, b) = q, by bisection (I_x rises from 0 to 1 as x goes from 0 to 1)."""
    low, high = 0.0, 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if _regularized_beta(a, b, mid, 1.0 - mid) < q:
            low = mid
        else:
            high = mid
        if high - low < 1e-15:
            break
    return (low + high) / 2


@dataclass(frozen=True)
class DiscordantInterval:
    """Error of A minus error of B on the same ``images``, with the exact interval that matches
    McNemar's exact test: conditional on the ``discordant`` images, the share of them that only A
    gets wrong has a Clopper-Pearson interval, which the difference inherits."""

    difference: float
    low: float
    high: float
    images: int
    discordant: int
    confidence: float = 0.95


def discordant_interval(preds_a: Classes, preds_b: Classes, labels: Classes, num_classes: int = 10,
                        confidence: float = 0.95) -> DiscordantInterval:
    """A − B with an exact interval over the test images, for one run of each (or one model tested
    two ways). Given the m discordant images, the number c that only A gets wrong is
    Binomial(m, θ), and A − B = m (2θ − 1) / n; the Clopper-Pearson interval of θ, Beta(α/2; c,
    m − c + 1) to Beta(1 − α/2; c + 1, m − c), gives the interval of the difference. It excludes 0
    exactly when McNemar's exact two-sided p (:func:`mcnemar_exact`) is under 1 − confidence, and it
    stays exact with a handful of discordant images, where a bootstrap's percentiles fall on a few
    discrete values. With no discordant image the difference is exactly 0."""
    check_confidence(confidence)
    truth = decode_classes(labels, num_classes)
    d = _correctness_differences(preds_a, preds_b, truth, num_classes)
    n, c, m = len(d), d.count(1), sum(v != 0 for v in d)
    difference = (2 * c - m) / n
    if m == 0:
        return DiscordantInterval(0.0, 0.0, 0.0, n, 0, confidence)
    alpha = 1 - confidence
    theta_low = 0.0 if c == 0 else _beta_quantile(alpha / 2, c, m - c + 1)
    theta_high = 1.0 if c == m else _beta_quantile(1 - alpha / 2, c + 1, m - c)
    return DiscordantInterval(difference, m * (2 * theta_low - 1) / n, m * (2 * theta_high - 1) / n, n, m, confidence)
