"""The bass rule's p and q are per year whatever ``simulation.time_unit`` is.

The hazard of one step is (p + q x share) x step_years, with step_years =
``simulation.step_days / 365.25``. Statistical tests state their replicates and take
their tolerance from the standard error of the Monte Carlo mean (the sigma is in each
test). p = 0.03 and q = 0.38 per year are the Sultan, Farley & Lehmann (1990) means.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import simulator as wom
from simulator import analytic
from simulator import config as cfg
from simulator.engine.adoption import YEARS_PER_UNIT

P, Q = 0.03, 0.38
DAYS_PER_YEAR = 365.25


def _well_mixed_bass(
    size: int, *, time_unit: str, steps: int, replicates: int, seed: int
) -> cfg.Scenario:
    """Bass (1969) on one well-mixed layer, adopters talking forever, no channels."""
    return cfg.Scenario(
        title="Bass model",
        simulation=cfg.Simulation(
            steps=steps, dt=1.0, time_unit=time_unit, replicates=replicates, seed=seed
        ),
        population=cfg.Population(
            size=size, segments=(cfg.Segment(name="everyone", share=1.0, interest=1.0),)
        ),
        layers={"everyone": cfg.WellMixedLayer(contact_probability=1.0)},
        word_of_mouth=cfg.WordOfMouth(talk_steps=float("inf")),
        product=cfg.Product(quality=1.0),
        # the textbook model: no lifecycle, no ad or talk response (issues 13 and 14)
        lifecycle=cfg.Lifecycle(enabled=False),
        response=cfg.Response(enabled=False),
        adoption=cfg.BassRule(p=P, q=Q),
        strategies=(cfg.Strategy(name="bass"),),
    )


def _final_share(scenario: cfg.Scenario) -> np.ndarray:
    """Share of the town adopted at the last step, one value per replicate."""
    adopters = wom.simulate(scenario).strategies[0].series["adopters"]
    return np.asarray(adopters[:, -1], np.float64) / scenario.population.size


@pytest.mark.parametrize(
    ("time_unit", "years"),
    [("day", 1 / 365.25), ("week", 7 / 365.25), ("month", 1 / 12), ("year", 1.0)],
)
def test_step_years_is_step_days_over_365_25(time_unit: str, years: float) -> None:
    simulation = cfg.Simulation(dt=2.0, time_unit=time_unit)
    assert 2.0 * YEARS_PER_UNIT[time_unit] == pytest.approx(simulation.step_days / DAYS_PER_YEAR)
    assert YEARS_PER_UNIT[time_unit] == pytest.approx(years, rel=1e-15)


def test_yearly_steps_use_dt_unchanged() -> None:
    """time_unit = "year" multiplies by exactly 1.0: yearly scenarios keep their bytes."""
    assert YEARS_PER_UNIT["year"] == 1.0


def test_daily_steps_follow_the_yearly_bass_curve() -> None:
    """Daily steps for 3 years (1,096 steps), N = 2,000, 200 replicates, no channels.

    The mean adoption share at each yearly checkpoint matches the exact discrete-time
    target (the hazard map with dt = 1 / 365.25 year) within 4 SE, and the continuous
    F(t) of Bass (1969) within 4 SE plus the discretisation error (below 2e-4).
    """
    replicates, size = 200, 2_000
    scenario = _well_mixed_bass(size, time_unit="day", steps=1_096, replicates=replicates, seed=7)
    result = wom.simulate(scenario)
    share = np.asarray(result.strategies[0].series["adopters"], np.float64) / size
    checkpoints = np.array([365, 730, 1_096])  # days 365, 730 and 1,096: about 1, 2, 3 years
    years = np.asarray(result.days, np.float64)[checkpoints] / DAYS_PER_YEAR
    mean = share[:, checkpoints].mean(axis=0)
    standard_error = share[:, checkpoints].std(axis=0, ddof=1) / math.sqrt(replicates)
    discrete = analytic.bass_discrete_hazard(1_096, P, Q, dt=1 / DAYS_PER_YEAR)[checkpoints]
    continuous = analytic.bass_cumulative(years, P, Q)
    discretisation = np.abs(discrete - continuous)
    assert np.all(discretisation < 2e-4)
    assert np.all(np.abs(mean - discrete) <= 4 * standard_error), (mean, discrete, standard_error)
    assert np.all(np.abs(mean - continuous) <= 4 * standard_error + discretisation)
    # The test can fail: p and q applied per day would have everyone adopted within a year.
    assert mean[-1] < 0.2


def test_default_scenario_without_marketing_adopts_about_p_t() -> None:
    """The issue's repro: ``--set adoption.kind=bass`` on the default (90 daily steps).

    With no channel and 200 replicates of 5,000 people, the share adopted after 90 days
    lies within 3 SE of F(90 / 365.25) = 0.77 % (p = 0.03, q = 0.38 per year), and
    above 1 - exp(-p t) = 0.74 %, what background influence alone gives, less 3 SE.
    Before the fix all 5,000 adopted.
    """
    data = wom.default_scenario().model_dump()
    data["adoption"] = {"kind": "bass"}
    data["strategies"] = [{"name": "no marketing"}]
    data["simulation"].update(replicates=200, steps=90)  # the 90 days
    data["response"] = {"enabled": False}  # the rule's own p, with no walk-ins on top
    scenario = cfg.Scenario.model_validate(data)
    assert (scenario.simulation.steps, scenario.simulation.dt) == (90, 1.0)
    assert scenario.simulation.time_unit == "day"
    assert (scenario.adoption.p, scenario.adoption.q) == (P, Q)
    share = _final_share(scenario)
    mean = share.mean()
    standard_error = share.std(ddof=1) / math.sqrt(share.size)
    years = 90 / DAYS_PER_YEAR
    bass = float(analytic.bass_cumulative(years, P, Q))
    background_only = 1 - math.exp(-P * years)
    assert abs(mean - bass) <= 3 * standard_error, (mean, bass, standard_error)
    assert mean >= background_only - 3 * standard_error


def test_weekly_and_daily_steps_give_the_same_adopters() -> None:
    """The same two years (728 days) in 728 daily or 104 weekly steps, N = 2,000.

    400 replicates each. The mean final share agrees within 3 SE of the difference (both
    samples' SE combined) after removing the discretisation gap of the mean-field maps
    (3.4e-4, about half that SE), and the standard deviations agree within 3 SE of their
    difference (SE of a standard deviation s: s / sqrt(2 (n - 1))).
    """
    replicates, size = 400, 2_000
    daily = _final_share(
        _well_mixed_bass(size, time_unit="day", steps=728, replicates=replicates, seed=11)
    )
    weekly = _final_share(
        _well_mixed_bass(size, time_unit="week", steps=104, replicates=replicates, seed=12)
    )
    expected_gap = float(
        analytic.bass_discrete_hazard(104, P, Q, dt=7 / DAYS_PER_YEAR)[-1]
        - analytic.bass_discrete_hazard(728, P, Q, dt=1 / DAYS_PER_YEAR)[-1]
    )
    assert abs(expected_gap) < 5e-4  # weekly steps lag daily ones by 3.4e-4
    gap_se = math.hypot(daily.std(ddof=1), weekly.std(ddof=1)) / math.sqrt(replicates)
    assert abs(weekly.mean() - daily.mean() - expected_gap) <= 3 * gap_se
    spread_se = math.hypot(daily.std(ddof=1), weekly.std(ddof=1)) / math.sqrt(2 * (replicates - 1))
    assert abs(weekly.std(ddof=1) - daily.std(ddof=1)) <= 3 * spread_se
    # Same horizon, same yearly rates: about F(2 years) = 8.5 %, not everyone.
    assert daily.mean() == pytest.approx(
        analytic.bass_cumulative(728 / DAYS_PER_YEAR, P, Q), abs=0.01
    )
