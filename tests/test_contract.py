"""One contract for every channel kind and every adoption rule.

Whatever the channel and the rule: adopters never decrease, stay within [0, N] and within
reach; attribution accounts for every adoption; spend is non-negative and within budget.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator import config as cfg
from simulator.engine.run import simulate
from tests.conftest import small_scenario

CHANNELS = ["free_samples", "newspaper", "radio", "facebook_ads", "facebook_page"]
RULES = [
    {"kind": "independent"},
    {"kind": "threshold", "decay": 0.05},
    {"kind": "bass", "p": 0.2, "q": 2.0},
]


def _scenario(channel: str, rule: dict) -> cfg.Scenario:
    data = small_scenario(time_unit="day").model_dump()
    data["adoption"] = rule
    if rule["kind"] == "threshold":  # low thresholds, so that a month of ads can tip people
        data["population"]["threshold_beta"] = 300.0
    if rule["kind"] == "bass":
        data["simulation"]["time_unit"] = "year"
        data["simulation"]["dt"] = 1 / 365
    data["strategies"] = [{"name": channel, "channels": [channel]}]
    return cfg.validate_scenario(data)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r["kind"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_contract(channel, rule):
    scenario = _scenario(channel, rule)
    result = simulate(scenario)
    (strategy,) = result.strategies
    n = scenario.population.size
    adopters = strategy.series["adopters"]
    aware = strategy.series["aware"]
    assert adopters.shape == (scenario.simulation.replicates, scenario.simulation.steps + 1)
    assert np.all(np.diff(adopters, axis=1) >= 0)
    assert np.all(np.diff(aware, axis=1) >= 0)
    assert np.all((adopters >= 0) & (adopters <= aware) & (aware <= n))
    assert np.array_equal(adopters, strategy.series["promoters"] + strategy.series["detractors"])
    assert np.array_equal(strategy.by_source.sum(axis=1), adopters[:, -1])
    assert np.array_equal(strategy.by_channel.sum(axis=1), adopters[:, -1])
    budget = scenario.channels[channel].budget
    assert np.all(strategy.cost >= 0) and np.all(strategy.cost <= budget + 1e-9)
    assert np.all(strategy.reach <= strategy.impressions)
    assert strategy.impressions.sum() > 0, "the channel delivered nothing"
    assert adopters[:, -1].sum() > 0, "nobody adopted"


def test_frozen_results():
    result = simulate(_scenario("newspaper", RULES[0]))
    with pytest.raises(ValueError, match="read-only"):
        result.strategies[0].series["adopters"][0, 0] = 5
