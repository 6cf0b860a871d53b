"""Homophily of interest: the correlation across market ties is met, the marginal kept."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import betaincinv, ndtr

from simulator import config as cfg
from simulator.errors import ConfigError
from simulator.streams import stream
from simulator.town.interest import _beta_quantile, correlate_interest, tie_correlation
from simulator.town.network.build import build_network
from simulator.town.population import build_population


def _town(size: int, correlation: float, seed: int = 2026, **segment: object):
    data = cfg.default_scenario_data()
    data["population"]["size"] = size
    data["population"]["interest_correlation"] = correlation
    for entry in data["population"]["segments"]:
        entry.update(segment)
    scenario = cfg.validate_scenario(data)
    people = build_population(scenario.population, rng=stream(seed, "population"))
    market = build_network(scenario.layers, people, seed=seed).layers[0]
    return scenario, people, market


@pytest.mark.parametrize("target", [0.1, 0.3, 0.5])
@pytest.mark.parametrize("seed", [1, 2026])
def test_interest_correlation_across_market_ties_is_the_target(target, seed):
    """MODEL-REVIEW G3: interest correlation across ties = rho_int +- 0.03 (5,000 people)."""
    scenario, people, market = _town(5000, target, seed)
    before = tie_correlation(people.interest.astype(float), market)
    assert abs(before) < 0.03  # independent draws: no correlation to speak of
    shared = correlate_interest(people, scenario.population, market, rng=stream(seed, "interest"))
    assert abs(tie_correlation(shared.interest.astype(float), market) - target) <= 0.03
    assert shared.segment is people.segment and shared.media is people.media


def test_interest_keeps_its_beta_marginal():
    """Beta(2, 3): mean 0.4, sd 0.2, deciles; 20,000 people at correlation 0.5. The naive
    SE of the mean is 0.0014; correlated neighbours inflate it (about 3x at most here),
    so 0.01 is over 3 SE."""
    scenario, people, market = _town(20_000, 0.5)
    shared = correlate_interest(people, scenario.population, market, rng=stream(1, "interest"))
    interest = shared.interest.astype(float)
    assert abs(interest.mean() - 0.4) <= 0.01
    assert abs(interest.std() - 0.2) <= 0.01
    deciles = np.quantile(interest, [0.1, 0.5, 0.9])
    assert np.abs(deciles - betaincinv(2.0, 3.0, [0.1, 0.5, 0.9])).max() <= 0.015


def test_tabulated_beta_quantile_is_exact_to_1e_4():
    """Steep ends included: U-shaped Beta(0.5, 0.7) and Beta(8, 1.5), 100,000 normals."""
    latent = np.random.default_rng(3).standard_normal(100_000)
    alpha, beta = np.array([0.5, 2.0, 8.0]), np.array([0.7, 3.0, 1.5])
    segment = np.arange(latent.size) % 3
    exact = betaincinv(alpha[segment], beta[segment], ndtr(latent))
    assert np.abs(_beta_quantile(alpha, beta, segment, latent) - exact).max() < 1e-4


def test_zero_or_fixed_interest_is_the_previous_town():
    scenario, people, market = _town(2000, 0.0)
    assert correlate_interest(people, scenario.population, market, rng=1) is people
    scenario, people, market = _town(2000, 0.3, interest=0.5)
    assert correlate_interest(people, scenario.population, market, rng=1) is people


def test_a_correlation_the_ties_cannot_give_is_refused_naming_it():
    scenario, people, market = _town(2000, 0.95)
    with pytest.raises(ConfigError) as error:
        correlate_interest(people, scenario.population, market, rng=1)
    text = str(error.value)
    assert "\n" not in text and "population.interest_correlation" in text and "0.95" in text
    assert math.isfinite(float(text.split("at most ")[1].split(",")[0]))
