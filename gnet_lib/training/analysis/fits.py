"""Lines fitted through measurements: a straight line through single runs whose seed noise is
known (:func:`straight_line`), and how one quantity grows with another across variants, e.g.
training time with MACs: the slope of log y on log x (:func:`log_log_slope`), each item's pull on
that line (:func:`log_leverage`) and what the line predicts for a new item
(:func:`log_log_prediction`). Pure Python and the standard library, like :mod:`.statistics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from ...core.errors import UsageError
from .statistics import check_confidence, chi2_cdf, f_cdf, finite_values, t_factor


@dataclass(frozen=True)
class Line:
    """A least-squares straight line through single runs, with the half-widths that seed noise
    gives its slope and its value at one point (t on the seeds the sd was measured over), and the
    p of its lack of fit, with the sd estimated (F) and with it taken as known (χ²); both ``None``
    through two points, which any line fits."""

    slope: float
    slope_half_width: float
    at: float
    value: float
    value_half_width: float
    lack_of_fit_p: float | None = None
    lack_of_fit_p_at_sd: float | None = None


def straight_line(x: Sequence[float], y: Sequence[float], sd: float, seeds: int, at: float,
                  confidence: float = 0.95) -> Line:
    """The least-squares line through ``(x, y)``, one single run per point, where every run varies
    from seed to seed with a standard deviation ``sd`` measured over ``seeds`` runs: the slope and
    the line's value at ``at``, each with its half-width, t_{seeds-1} · sd · √(1/Sxx) for the
    slope and t_{seeds-1} · sd · √(1/n + (at - mean x)² / Sxx) for the value. With three or more
    points, the lack of fit: the residuals' mean square over sd² is F on (n - 2, seeds - 1)
    degrees of freedom if the truth is a straight line, and a small p says it is not; with the sd
    taken as known, the same ratio is χ² on n - 2. With few
    degrees of freedom the test finds only gross curvature: a large p does not show the line
    straight. (Where one point is also one of the runs the sd was measured on, the two are not
    quite independent; simulated, that moves the test's tail by well under a hundredth.)"""
    if len(x) != len(y) or len(x) < 2:
        raise UsageError(f"a line needs two or more points with one y each, got {len(x)} x and {len(y)} y")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 2:
        raise UsageError(f"a seed-to-seed sd needs at least 2 seeds, got {seeds!r}")
    if not (isinstance(sd, (int, float)) and math.isfinite(sd) and sd >= 0):
        raise UsageError(f"sd must be a non-negative number, got {sd!r}")
    mean_x, mean_y = fmean(x), fmean(y)
    sxx = sum((v - mean_x) ** 2 for v in x)
    if sxx == 0:
        raise UsageError("the points share one x; a line needs two different x")
    slope = sum((a - mean_x) * (b - mean_y) for a, b in zip(x, y)) / sxx
    t = t_factor(confidence, seeds - 1)
    residual = sum((b - mean_y - slope * (a - mean_x)) ** 2 for a, b in zip(x, y))
    free = len(x) - 2
    fits = bool(free and sd > 0)
    lack_of_fit = 1 - f_cdf(residual / free / sd ** 2, free, seeds - 1) if fits else None
    lack_of_fit_at_sd = 1 - chi2_cdf(residual / sd ** 2, free) if fits else None
    return Line(slope, t * sd / math.sqrt(sxx), at, mean_y + slope * (at - mean_x),
                t * sd * math.sqrt(1 / len(x) + (at - mean_x) ** 2 / sxx), lack_of_fit, lack_of_fit_at_sd)


@dataclass(frozen=True)
class Slope:
    """The least-squares slope b of log y on log x (y grows as x to the power b) with its
    Student-t interval on n - 2 degrees of freedom."""

    slope: float
    se: float
    low: float
    high: float
    n: int
    confidence: float = 0.95

    def __str__(self) -> str:
        return f"slope {self.slope:.3f} ({self.confidence:.0%} CI {self.low:.3f} to {self.high:.3f}, n={self.n})"


def log_log_slope(x: Sequence[float], y: Sequence[float], confidence: float = 0.95) -> Slope:
    """How y grows with x across items: the slope of log y against log x by least squares, its
    standard error s / sqrt(Σ(log x - mean)²) and the t-interval (n - 2 degrees of freedom). A
    slope of 1 means y proportional to x; 0, y unrelated to x."""
    check_confidence(confidence)
    fit = _log_fit(x, y, "log_log_slope")
    se = fit.residual_sd / math.sqrt(fit.sxx)
    half = t_factor(confidence, fit.n - 2) * se
    return Slope(fit.slope, se, fit.slope - half, fit.slope + half, fit.n, confidence)


def log_leverage(x: Sequence[float]) -> list[float]:
    """Each item's leverage in a least-squares line on log x: 1/n + (log x - mean)² / Σ(log x - mean)²,
    how far the fitted line at that item is pulled towards the item's own y. They sum to 2, so an
    item far above 2/n steers the slope; near 1, the line passes through it whatever it is."""
    if len(x) < 3:
        raise UsageError(f"a line's leverages need at least 3 items, got {len(x)}")
    values = finite_values(list(x), "x")
    if any(v <= 0 for v in values):
        raise UsageError("log_leverage needs positive x (it fits their logarithms)")
    lx = [math.log(v) for v in values]
    mx = fmean(lx)
    sxx = sum((a - mx) ** 2 for a in lx)
    if sxx == 0:
        raise UsageError("every x is the same, so there is no slope to fit; compare items that differ in x")
    return [1 / len(lx) + (a - mx) ** 2 / sxx for a in lx]


@dataclass(frozen=True)
class _LogFit:
    n: int
    mean_x: float
    mean_y: float
    sxx: float
    slope: float
    residual_sd: float


def _log_fit(x: Sequence[float], y: Sequence[float], what: str) -> _LogFit:
    """The least-squares line of log y on log x, with the residual standard deviation."""
    if len(x) != len(y):
        raise UsageError(f"{what} needs one y per x, got {len(x)} and {len(y)} values")
    if len(x) < 3:
        raise UsageError(f"a slope with an interval needs at least 3 items, got {len(x)}")
    values = finite_values(list(x) + list(y), "x and y")
    if any(v <= 0 for v in values):
        raise UsageError(f"{what} needs positive x and y (it fits their logarithms)")
    lx, ly = [math.log(v) for v in x], [math.log(v) for v in y]
    mx, my = fmean(lx), fmean(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    if sxx == 0:
        raise UsageError("every x is the same, so there is no slope to fit; compare items that differ in x")
    b = sum((a - mx) * (c - my) for a, c in zip(lx, ly)) / sxx
    residual = sum((c - my - b * (a - mx)) ** 2 for a, c in zip(lx, ly))
    return _LogFit(len(x), mx, my, sxx, b, math.sqrt(residual / (len(x) - 2)))


@dataclass(frozen=True)
class Prediction:
    """What a fitted line predicts for a new item, with the interval a new observation would fall in."""

    at: float
    value: float
    low: float
    high: float
    confidence: float = 0.95


def log_log_prediction(x: Sequence[float], y: Sequence[float], at: float, confidence: float = 0.95) -> Prediction:
    """The y that the line of log y on log x (:func:`log_log_slope`) predicts at x = ``at``, with
    its prediction interval: a new item's log y lies within t_{n-2} · s · √(1 + 1/n + (log at −
    mean log x)² / Σ(log x − mean)²) of the line, s the residual standard deviation. The
    interval counts the scatter of single items about the line, not only the line's uncertainty."""
    check_confidence(confidence)
    if not (isinstance(at, (int, float)) and math.isfinite(at) and at > 0):
        raise UsageError(f"log_log_prediction needs a positive x to predict at, got {at!r}")
    fit = _log_fit(x, y, "log_log_prediction")
    centre = fit.mean_y + fit.slope * (math.log(at) - fit.mean_x)
    half = t_factor(confidence, fit.n - 2) * fit.residual_sd * math.sqrt(
        1 + 1 / fit.n + (math.log(at) - fit.mean_x) ** 2 / fit.sxx)
    return Prediction(at, math.exp(centre), math.exp(centre - half), math.exp(centre + half), confidence)
