"""Bass p, q and market size fitted to simulated adoption curves and reported in summaries."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator import analytic
from simulator.engine.run import simulate
from simulator.metrics import summarize
from simulator.validation import DAYS_PER_YEAR, bass_fit_summary, fit_adoption_curve
from simulator.validation.cascades import bass_scenario
from tests.conftest import small_scenario


def test_summary_reports_bass_columns_for_every_strategy():
    result = simulate(small_scenario())
    summary = summarize(result)
    fits = bass_fit_summary(result)
    assert summary["strategy"].tolist() == fits["strategy"].tolist()
    for name in ("p", "q", "market_size"):
        column = summary[f"bass_{name}"].to_numpy(float)
        np.testing.assert_array_equal(column, fits[name].to_numpy(float))
        finite = column[np.isfinite(column)]
        assert np.all(finite >= 0)


@pytest.mark.parametrize(
    "curve",
    [
        np.zeros(30),  # nobody adopts
        np.full(30, 12.0),  # flat: seeds at launch, nothing after
        np.linspace(5.0, 0.0, 30),  # not cumulative
        np.r_[np.zeros(29), np.nan],  # broken input
        np.array([0.0, 1.0]),  # too short to fit three parameters
    ],
)
def test_unfittable_curves_give_nan_never_an_exception(curve):
    fit = fit_adoption_curve(np.arange(curve.size) / 365.25, curve)
    assert all(math.isnan(value) for value in fit.values())


def test_a_jump_at_launch_is_not_bass_shaped_and_gives_nan():
    # Free samples: 100 adopters on day 1, then a few more. The fit pins p at its bound.
    days = np.arange(91.0)
    curve = np.r_[0.0, 100.0 + 0.1 * days[:-1]]
    assert math.isnan(fit_adoption_curve(days / DAYS_PER_YEAR, curve)["p"])


def test_fitted_bass_parameters_of_a_bass_run_match_its_mean_field_curve():
    # Well-mixed, N = 10,000, dt = 0.05 year, 15 years, 20 replicates. The expected mean
    # curve is the discrete hazard map (up to O(1/N)); fitting it gives the reference
    # (p, q, m). Tolerance: 4 jackknife standard errors of the fitted values over the
    # 20 replicates.
    size, dt, years, replicates = 10_000, 0.05, 15, 20
    result = simulate(bass_scenario(size, 0.03, 0.38, dt=dt, years=years, replicates=replicates))
    fitted = bass_fit_summary(result).iloc[0]
    times = np.asarray(result.days) / DAYS_PER_YEAR
    expected_curve = size * analytic.bass_discrete_hazard(int(years / dt), 0.03, 0.38, dt=dt)
    reference = fit_adoption_curve(times, expected_curve)
    adopters = result.strategies[0].series["adopters"].astype(float)
    total = adopters.sum(axis=0)
    leave_one_out = [
        fit_adoption_curve(times, (total - row) / (replicates - 1)) for row in adopters
    ]
    for name in ("p", "q", "market_size"):
        values = np.array([fit[name] for fit in leave_one_out])
        jackknife_se = math.sqrt(
            (replicates - 1) / replicates * np.sum((values - values.mean()) ** 2)
        )
        assert abs(fitted[name] - reference[name]) <= 4 * jackknife_se, (
            name,
            fitted[name],
            reference[name],
            jackknife_se,
        )
    # The reference itself is close to the textbook values (dt = 0.05 lags a little).
    assert reference["p"] == pytest.approx(0.03, rel=0.1)
    assert reference["q"] == pytest.approx(0.38, rel=0.05)
    assert reference["market_size"] == pytest.approx(size, rel=0.01)
