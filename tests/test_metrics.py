"""Interval helpers of simulator.metrics against scipy's reference implementations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulator import metrics

DEGREES = [*range(1, 121), 199, 500, 999, 1000, 2999, 3000, 10_000, 100_000]


@pytest.mark.parametrize("degrees", DEGREES)
def test_t_quantile_matches_scipy(degrees: int) -> None:
    expected = stats.t.ppf(0.975, degrees)
    assert metrics.t_quantile(degrees) == pytest.approx(expected, rel=1e-11, abs=0)


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_t_quantile_rejects_non_whole_degrees(bad) -> None:
    with pytest.raises(ValueError, match="degrees_of_freedom must be a whole number >= 1"):
        metrics.t_quantile(bad)


def test_mean_interval_matches_scipy_interval() -> None:
    values = np.random.default_rng(7).normal(10.0, 2.0, 40)
    mean, low, high = metrics.mean_interval(values)
    expected = stats.t.interval(0.95, values.size - 1, loc=values.mean(), scale=stats.sem(values))
    assert mean == pytest.approx(values.mean())
    assert (low, high) == pytest.approx(expected, rel=1e-12)
