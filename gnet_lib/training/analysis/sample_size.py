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
from statistics import NormalDist

from ...core.errors import UsageError
from .statistics import t_quantile

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
