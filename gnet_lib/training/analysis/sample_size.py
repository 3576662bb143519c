"""How many seeds an experiment needs before it is run.

Two arms (say, a model with auxiliary heads and one without) are trained under k seeds each, and
their mean final errors are compared with a two-sided test at level 1 - ``confidence``. If the
final error varies from seed to seed with standard deviation ``sd``, a true difference of
``difference`` is found with probability ``power`` once

    k >= 2 (q_a + q_b)^2 sd^2 / difference^2,

with q_a and q_b the quantiles of the test's distribution at (1 + confidence) / 2 and at
``power``: the normal's for a z-test (:func:`seeds_per_arm` with ``t_test=False``), Student's t with
2k - 2 degrees of freedom for a t-test, which estimates ``sd`` from the runs themselves and so needs a
few more (:func:`seeds_per_arm`, solved for the smallest such k). Pure Python, like
:mod:`.statistics`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist

from ...core.errors import UsageError
from .statistics import t_quantile

#: Simpson steps of the integral over the sample sd (:func:`chance_within`, :func:`chance_beyond`).
_STEPS = 2000

#: Beyond this many seeds per arm the answer is "too many to run", and the search stops.
MOST_SEEDS = 10_000_000


def _required(sd: float, difference: float, q_a: float, q_b: float) -> float:
    return 2 * ((q_a + q_b) * sd / difference) ** 2


def seeds_per_arm(sd: float, difference: float, confidence: float = 0.95, power: float = 0.8, t_test: bool = True) -> int:
    """The fewest seeds per arm with which two independent arms, whose final error varies from seed
    to seed with standard deviation ``sd``, show a true ``difference`` with probability ``power``
    in a two-sided test at level 1 - ``confidence`` (see the module docstring); at least 2, the
    fewest that estimate a spread."""
    for name, value in (("sd", sd), ("difference", difference)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise UsageError(f"{name} must be a positive number, got {value!r}")
    for name, value in (("confidence", confidence), ("power", power)):
        if not (isinstance(value, (int, float)) and 0 < value < 1):
            raise UsageError(f"{name} must lie strictly between 0 and 1 (e.g. 0.95 and 0.8), got {value!r}")
    level = (1 + confidence) / 2
    normal = NormalDist()
    k = max(2, math.ceil(_required(sd, difference, normal.inv_cdf(level), normal.inv_cdf(power))))
    if not t_test:
        return k
    # t's quantiles lie above the normal's, so the t-test needs at least the z-test's seeds: search up from there
    while k < _required(sd, difference, t_quantile(level, 2 * k - 2), t_quantile(power, 2 * k - 2)):
        k += 1
        if k > MOST_SEEDS:
            raise UsageError(f"more than {MOST_SEEDS:,} seeds per arm: a difference of {difference:g} is hopeless "
                             f"against a spread of {sd:g}")
    return k


def _normal_within(width: float, centre: float, scale: float) -> float:
    """P(|X| < width) for X normal with mean ``centre`` and standard deviation ``scale``."""
    normal = NormalDist()
    return normal.cdf((width - centre) / scale) - normal.cdf((-width - centre) / scale)


def _check_planning(sd: float, seeds: int, margin: float, confidence: float, images_half_width: float) -> None:
    for name, value in (("sd", sd), ("margin", margin)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise UsageError(f"{name} must be a positive number, got {value!r}")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 2:
        raise UsageError(f"an interval over seeds needs at least 2 seeds, got {seeds!r}")
    if not (isinstance(images_half_width, (int, float)) and 0 <= images_half_width):
        raise UsageError(f"images_half_width must be a number from 0, got {images_half_width!r}")
    if not 0 < confidence < 1:
        raise UsageError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")


def _over_the_sample_sd(sd: float, seeds: int, confidence: float, images_half_width: float, top: float,
                        given: Callable[[float], float]) -> float:
    """E[given(half-width)] over the sample sd of ``seeds`` normal values: the half-width is
    hypot(t_{k-1}·s/√k, ``images_half_width``), s·√(k-1)/sd follows the chi distribution with
    k - 1 degrees of freedom, integrated by Simpson's rule from 0 to ``top`` (in that chi's units)."""
    df, t = seeds - 1, t_quantile((1 + confidence) / 2, seeds - 1)
    log_norm = (1 - df / 2) * math.log(2) - math.lgamma(df / 2)
    top = min(top, math.sqrt(df) + 12.0)

    def integrand(v: float) -> float:
        half_width = math.hypot(t * sd * v / math.sqrt(df) / math.sqrt(seeds), images_half_width)
        return v ** (df - 1) * math.exp(log_norm - v * v / 2) * given(half_width)  # the chi density; 0 ** 0 is 1

    h = top / _STEPS
    total = integrand(0.0) + integrand(top) + sum((4 if i % 2 else 2) * integrand(i * h) for i in range(1, _STEPS))
    return min(1.0, total * h / 3)


def chance_within(sd: float, seeds: int, margin: float, difference: float = 0.0, confidence: float = 0.95,
                  images_half_width: float = 0.0) -> float:
    """The chance that a claim "within ±``margin``" can be declared to hold: that the interval over
    ``seeds`` paired seeds, mean ± hypot(t_{k-1}·s/√k, ``images_half_width``), lies wholly inside
    the margin, when each seed's paired difference is normal around the true ``difference`` with
    standard deviation ``sd``. The mean and the sample sd s are independent, so the chance is an
    integral over the distribution of s. With ``images_half_width`` 0 it counts the seeds' part
    only, which makes the chance an upper bound (at that sd) for an interval that also counts the
    test images."""
    _check_planning(sd, seeds, margin, confidence, images_half_width)
    if images_half_width >= margin:
        return 0.0
    t = t_quantile((1 + confidence) / 2, seeds - 1)
    room = math.sqrt(margin ** 2 - images_half_width ** 2)  # what the seeds' part may take at most
    scale = sd / math.sqrt(seeds)
    return _over_the_sample_sd(sd, seeds, confidence, images_half_width, room * math.sqrt(seeds) / t * math.sqrt(seeds - 1) / sd,
                               lambda half: _normal_within(margin - half, difference, scale) if half < margin else 0.0)


def chance_beyond(sd: float, seeds: int, margin: float, difference: float, confidence: float = 0.95,
                  images_half_width: float = 0.0) -> float:
    """The chance that a claim "differs by more than ``margin``" can be declared to hold: that the
    interval (as in :func:`chance_within`) lies wholly beyond +``margin`` or wholly beyond
    -``margin``, when the true paired difference is ``difference``."""
    _check_planning(sd, seeds, margin, confidence, images_half_width)
    normal, scale = NormalDist(), sd / math.sqrt(seeds)
    return _over_the_sample_sd(
        sd, seeds, confidence, images_half_width, math.inf,
        lambda half: (1 - normal.cdf((margin + half - difference) / scale)) + normal.cdf((-margin - half - difference) / scale))
