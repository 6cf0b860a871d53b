"""The Bass model fitted to simulated adoption curves: a run's Bass-equivalent p and q.

Every summary reports ``bass_p``, ``bass_q`` and ``bass_market_size`` per strategy from
:func:`bass_fit_summary`.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

from simulator import analytic

if TYPE_CHECKING:
    import pandas as pd

    from simulator.results import RunResult

DAYS_PER_YEAR = 365.25
"""Days in a year (Julian), for fitted rates per year."""

_NO_FIT = {"p": math.nan, "q": math.nan, "market_size": math.nan, "rmse": math.nan}


MAX_RELATIVE_RMSE = 0.05
"""A fit whose root-mean-square residual exceeds this share of the curve's rise does not
describe the curve (e.g. a jump of free samples at launch): its values are NaN."""

FIT_POINTS = 121
"""Most points of a curve handed to the Bass fit (evenly spaced steps, ends included)."""


def fit_adoption_curve(years: np.ndarray, adopters: np.ndarray) -> dict[str, float]:
    """Fit Bass p, q (per year) and market size m to a cumulative adoption curve.

    A guarded :func:`simulator.analytic.fit_bass`. Time is measured in steps of the curve
    during the fit, and p and q are converted to per year afterwards: the model is the
    same, but fit_bass's search bounds (p in [1e-6, 1], q in [0, 10] per unit of time)
    then fit a campaign of days as well as a diffusion over decades. Curves longer than
    :data:`FIT_POINTS` points are thinned to that many evenly spaced points.

    It never raises: every value is NaN when the curve cannot be fitted, i.e. when it
    has fewer than 3 points, does not grow (flat adoption), holds non-finite values, the
    optimiser fails, or p or q ends on a bound of the search (a value pinned there is the
    bound, not an estimate), or the residuals exceed :data:`MAX_RELATIVE_RMSE` of the
    curve's rise (e.g. a jump of free samples at launch is not Bass-shaped). The values
    describe the curve; they are not parameters of the simulated model.

    Parameters
    ----------
    years : array_like of float
        Times since launch in years, strictly increasing.
    adopters : array_like of float
        Cumulative adopters at those times (e.g. the mean over replicates).

    Returns
    -------
    dict
        ``p``, ``q`` (per year), ``market_size`` (in the units of ``adopters``) and
        ``rmse`` (root-mean-square residual at the fitted points, same units).

    Examples
    --------
    >>> from simulator import analytic
    >>> years = np.linspace(0.0, 15.0, 61)
    >>> fit = fit_adoption_curve(years, 500 * analytic.bass_cumulative(years, 0.03, 0.38))
    >>> round(fit["p"], 4), round(fit["q"], 4), round(fit["market_size"], 1)
    (0.03, 0.38, 500.0)
    >>> days = np.arange(91.0)  # a 90-day campaign with p = 0.02 and q = 0.1 per day
    >>> fit = fit_adoption_curve(days / 365.25, 120 * analytic.bass_cumulative(days, 0.02, 0.1))
    >>> round(fit["p"] / 365.25, 4), round(fit["q"] / 365.25, 4)  # per year, back to per day
    (0.02, 0.1)
    >>> fit_adoption_curve(years, np.full(61, 7.0))["p"]  # flat: nothing to fit
    nan
    """
    times = np.asarray(years, np.float64)
    curve = np.asarray(adopters, np.float64)
    if (
        times.ndim != 1
        or times.shape != curve.shape
        or times.size < 3
        or not (np.all(np.isfinite(times)) and np.all(np.isfinite(curve)))
        or not curve[-1] > curve[0]
    ):
        return dict(_NO_FIT)
    step = float(times[-1] - times[0]) / (times.size - 1)
    if not step > 0:
        return dict(_NO_FIT)
    keep = np.unique(np.linspace(0, times.size - 1, min(times.size, FIT_POINTS)).round())
    keep = keep.astype(np.int64)
    try:
        # Overflow or invalid values inside the optimiser are handled by its own
        # convergence test; they must not surface as warnings from a summary table.
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = analytic.fit_bass(times[keep] / step, curve[keep])
    except (ValueError, RuntimeError, FloatingPointError):
        return dict(_NO_FIT)
    at_bound = (
        math.isclose(fit.p, 1e-6, rel_tol=1e-3)
        or math.isclose(fit.p, 1.0, rel_tol=1e-6)
        or math.isclose(fit.q, 10.0, rel_tol=1e-6)
    )
    values = {
        "p": fit.p / step,
        "q": fit.q / step,
        "market_size": fit.market_size,
        "rmse": fit.rmse,
    }
    if at_bound or not all(math.isfinite(v) for v in values.values()):
        return dict(_NO_FIT)
    if values["rmse"] > MAX_RELATIVE_RMSE * float(curve[-1] - curve[0]):
        return dict(_NO_FIT)
    return values


def bass_fit_summary(result: RunResult) -> pd.DataFrame:
    """Bass p, q (per year), market size and fit error of each strategy's mean adoption curve.

    The mean number of adopters over replicates is fitted against time in years
    (``result.days / 365.25``) by :func:`fit_adoption_curve`; a strategy whose curve
    cannot be fitted (flat, or not Bass-shaped within the search bounds) gets NaN.

    Parameters
    ----------
    result : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        One row per strategy: ``strategy``, ``p``, ``q``, ``market_size`` (people) and
        ``rmse`` (people).

    Examples
    --------
    >>> from simulator.validation.cascades import bass_scenario
    >>> from simulator.engine.run import simulate
    >>> result = simulate(bass_scenario(2000, 0.03, 0.38, dt=0.25, years=20, replicates=4))
    >>> fit = bass_fit_summary(result).iloc[0]
    >>> fit["strategy"], bool(0.02 < fit["p"] < 0.04), bool(0.3 < fit["q"] < 0.45)
    ('bass', True, True)
    """
    import pandas as pd  # only for the table, not for fits of one curve

    years = np.asarray(result.days, np.float64) / DAYS_PER_YEAR
    rows = []
    for strategy in result.strategies:
        mean_adopters = np.asarray(strategy.series["adopters"], np.float64).mean(axis=0)
        rows.append({"strategy": strategy.name, **fit_adoption_curve(years, mean_adopters)})
    return pd.DataFrame(rows, columns=["strategy", "p", "q", "market_size", "rmse"])
