"""Fits: a line through single runs with known seed noise, and log-log slopes, leverages and
predictions, each checked by hand and against numpy's least squares."""

import math

import pytest

from gnet_lib.core.errors import UsageError
from gnet_lib.training.analysis.fits import log_leverage, log_log_prediction, log_log_slope, straight_line
from gnet_lib.training.analysis.statistics import t_quantile

T975_DF2 = (2 * 0.975 - 1) / math.sqrt(2 * 0.975 * 0.025)  # t on 2 degrees of freedom in closed form


def test_log_log_slope_of_an_exact_power_law_has_no_spread():
    x = [1, 2, 4, 8, 16]
    r = log_log_slope(x, [3 * v ** 0.8 for v in x])
    assert r.slope == pytest.approx(0.8) and r.se == pytest.approx(0, abs=1e-12) and r.n == 5


def test_log_log_slope_matches_numpys_least_squares_and_its_standard_error():
    import numpy as np

    x = [0.36, 0.61, 0.86, 1.27, 1.52, 1.73, 11.16]
    y = [0.26, 0.45, 0.59, 0.87, 1.0, 1.2, 6.01]
    lx, ly = np.log(x), np.log(y)
    design = np.column_stack([np.ones_like(lx), lx])
    coef, residual, *_ = np.linalg.lstsq(design, ly, rcond=None)
    cov = residual[0] / (len(x) - 2) * np.linalg.inv(design.T @ design)
    r = log_log_slope(x, y)
    assert r.slope == pytest.approx(coef[1]) and r.se == pytest.approx(math.sqrt(cov[1, 1]))
    assert r.high - r.slope == pytest.approx(t_quantile(0.975, 5) * r.se)
    assert str(r).startswith(f"slope {r.slope:.3f} (95% CI")


def test_log_leverage_matches_the_hat_matrix_and_sums_to_two():
    import numpy as np

    x = [0.36, 0.61, 0.86, 1.27, 1.52, 1.73, 11.16]
    design = np.column_stack([np.ones(len(x)), np.log(x)])
    hat = design @ np.linalg.inv(design.T @ design) @ design.T
    h = log_leverage(x)
    assert h == pytest.approx(list(np.diag(hat))) and sum(h) == pytest.approx(2)
    assert max(h) == h[-1] > 0.5  # the one far point steers the line
    assert log_leverage([1, 2, 4]) == pytest.approx([5 / 6, 1 / 3, 5 / 6])


@pytest.mark.parametrize("x, message", [([1, 2], "at least 3"), ([1, 2, 0], "positive"), ([3, 3, 3], "every x is the same"),
                                        ([1, 2, float("nan")], "finite")])
def test_log_leverage_refuses_what_it_cannot_fit(x, message):
    with pytest.raises(UsageError, match=message):
        log_leverage(x)


@pytest.mark.parametrize("x, y, message", [([1, 2], [1, 2], "at least 3"), ([1, 2, 3], [1, 2], "one y per x"),
                                           ([1, 2, 0], [1, 2, 3], "positive"), ([2, 2, 2], [1, 2, 3], "every x is the same")])
def test_log_log_slope_refuses_what_it_cannot_fit(x, y, message):
    with pytest.raises(UsageError, match=message):
        log_log_slope(x, y)


def test_a_line_through_three_single_runs_by_hand():
    """Errors 0.30, 0.27, 0.25 at qualities 30, 50, 75: mean x 155/3, Sxx = 1016.67."""
    x, y = [30, 50, 75], [0.30, 0.27, 0.25]
    line = straight_line(x, y, sd=0.003, seeds=3, at=100)
    mx, my = 155 / 3, 0.82 / 3
    sxx = sum((v - mx) ** 2 for v in x)
    slope = sum((a - mx) * (b - my) for a, b in zip(x, y)) / sxx
    assert sxx == pytest.approx(1016.6667, abs=1e-3)
    assert line.slope == pytest.approx(slope) and line.value == pytest.approx(my + slope * (100 - mx))
    assert line.slope_half_width == pytest.approx(T975_DF2 * 0.003 / math.sqrt(sxx))
    assert line.value_half_width == pytest.approx(T975_DF2 * 0.003 * math.sqrt(1 / 3 + (100 - mx) ** 2 / sxx))
    # two points: the line runs through both; at a point between them it is their interpolation
    two = straight_line([50, 75], [0.27, 0.25], sd=0.003, seeds=2, at=60)
    assert two.value == pytest.approx(0.27 - 0.02 * 10 / 25)
    with pytest.raises(UsageError, match="two different x"):
        straight_line([50, 50], [0.2, 0.3], sd=0.01, seeds=3, at=100)
    with pytest.raises(UsageError, match="two or more points"):
        straight_line([50], [0.2], sd=0.01, seeds=3, at=100)
    with pytest.raises(UsageError, match="non-negative"):
        straight_line(x, y, sd=float("nan"), seeds=3, at=100)


def test_the_lines_half_widths_agree_with_numpys_least_squares_covariance():
    """An independent route: numpy's unscaled covariance of the fitted (slope, intercept), times
    the known variance, gives the slope's and the prediction's standard errors."""
    import numpy as np

    x, y, sd = [30, 50, 75], [0.31, 0.27, 0.25], 0.004
    line = straight_line(x, y, sd=sd, seeds=4, at=100)
    (slope, intercept), cov = np.polyfit(x, y, 1, cov="unscaled")
    cov = cov * sd ** 2
    t = t_quantile(0.975, 3)
    assert line.slope == pytest.approx(slope) and line.value == pytest.approx(slope * 100 + intercept)
    assert line.slope_half_width == pytest.approx(t * math.sqrt(cov[0, 0]))
    at = np.array([100.0, 1.0])
    assert line.value_half_width == pytest.approx(t * math.sqrt(at @ cov @ at))


def test_log_log_prediction_matches_the_textbook_prediction_interval():
    """The prediction interval from the design matrix: s²(1 + x0ᵀ(XᵀX)⁻¹x0), t with n - 2 df."""
    import numpy as np

    x = [0.36, 0.61, 0.86, 1.27, 1.52, 1.73, 11.16]
    y = [0.26, 0.45, 0.59, 0.87, 1.0, 1.2, 6.01]
    design = np.column_stack([np.ones(len(x)), np.log(x)])
    coef, residual, *_ = np.linalg.lstsq(design, np.log(y), rcond=None)
    s2 = residual[0] / (len(x) - 2)
    x0 = np.array([1.0, math.log(0.9)])
    half = t_quantile(0.975, len(x) - 2) * math.sqrt(s2 * (1 + x0 @ np.linalg.inv(design.T @ design) @ x0))
    r = log_log_prediction(x, y, 0.9)
    assert math.log(r.value) == pytest.approx(x0 @ coef)
    assert (math.log(r.low), math.log(r.high)) == (pytest.approx(x0 @ coef - half), pytest.approx(x0 @ coef + half))
    with pytest.raises(UsageError, match="positive x to predict at"):
        log_log_prediction(x, y, 0)


def test_a_line_reports_its_lack_of_fit_as_an_f_test():
    """Residuals of 0.30, 0.27, 0.25 at 30, 50, 75 about their line, against sd 0.003 from 3 seeds:
    F = RSS / 1 / sd² on (1, 2) df, whose upper tail is 1 - √(F / (F + 2))."""
    x, y = [30, 50, 75], [0.30, 0.27, 0.25]
    line = straight_line(x, y, sd=0.003, seeds=3, at=100)
    fitted = [line.value + line.slope * (v - 100) for v in x]
    f = sum((b - c) ** 2 for b, c in zip(y, fitted)) / 0.003 ** 2
    assert line.lack_of_fit_p == pytest.approx(1 - math.sqrt(f / (f + 2)))
    assert line.lack_of_fit_p_at_sd == pytest.approx(math.erfc(math.sqrt(f / 2)))  # χ² on 1 df, the sd known
    assert line.lack_of_fit_p_at_sd < line.lack_of_fit_p  # an estimated sd widens the tail
    bent = straight_line(x, [0.30, 0.20, 0.25], sd=0.003, seeds=3, at=100)
    assert bent.lack_of_fit_p < 0.05 < line.lack_of_fit_p
    for two_points_or_no_sd in (straight_line([30, 75], [0.3, 0.25], sd=0.003, seeds=3, at=100),
                                straight_line(x, y, sd=0.0, seeds=3, at=100)):
        assert two_points_or_no_sd.lack_of_fit_p is None and two_points_or_no_sd.lack_of_fit_p_at_sd is None
