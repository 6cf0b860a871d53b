"""One contract for every channel kind and every adoption rule.

Whatever the channel and the rule: adopters never decrease, stay within [0, N] and within
reach; attribution accounts for every adoption; spend is non-negative and within budget.
"""

from __future__ import annotations

from typing import get_args

import numpy as np
import pytest

from simulator import config as cfg
from simulator.engine.adoption import RULES as RULE_FUNCTIONS
from simulator.engine.channels import CHANNEL_KINDS as CHANNEL_COMPILERS
from simulator.engine.run import simulate
from simulator.town.network import LAYER_KINDS as LAYER_BUILDERS
from tests.conftest import small_scenario

# Every kind the unions declare is run: a new channel or rule joins the contract by itself
# (the small scenario must then have a channel of that kind; settings default to none).
CHANNEL_OF_KIND = {channel.kind: name for name, channel in small_scenario().channels.items()}
CHANNEL_OF_KIND["dialogue"] = "replies"  # added by _scenario: it replies, it exposes no one
CHANNEL_OF_KIND["influencer"] = "influencer"  # added by _scenario, persuasive enough to tip
RULE_SETTINGS: dict[str, dict] = {"threshold": {"decay": 0.05}, "bass": {"p": 0.2, "q": 2.0}}
RULES = [{"kind": kind, **RULE_SETTINGS.get(kind, {})} for kind in cfg.ADOPTION_KINDS]


def _scenario(channel: str, rule: dict, **settings: float) -> cfg.Scenario:
    data = small_scenario(time_unit="day").model_dump()
    data["channels"][channel] = {**data["channels"].get(channel, {}), **settings}
    data["adoption"] = rule
    if rule["kind"] == "threshold":  # low thresholds, so that a month of ads can tip people
        data["population"]["threshold_beta"] = 300.0
    if rule["kind"] == "bass":
        data["simulation"]["time_unit"] = "year"
        data["simulation"]["dt"] = 1 / 365
    data["strategies"] = [{"name": channel, "channels": [channel]}]
    if channel == "replies":  # replies to the reviews of the newspaper's customers
        data["channels"]["replies"] = {"kind": "dialogue", "hours_per_week": 5.0}
        data["strategies"][0]["channels"] = ["replies", "newspaper"]
        data["reputation"] = {"reviews": {"post_probability": 0.5}, "reply_recovery": 0.5}
    if channel == "influencer":
        data["channels"]["influencer"] = {
            "kind": "influencer",
            "tier": "nano",
            "persuasion": 1.0,
            "price_per_post": 20.0,
            "end_day": 60.0,
        }
    return cfg.validate_scenario(data)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r["kind"])
@pytest.mark.parametrize("kind", cfg.CHANNEL_KINDS)
def test_contract(kind, rule):
    assert kind in CHANNEL_OF_KIND, f"tests.conftest.small_scenario has no '{kind}' channel"
    channel = CHANNEL_OF_KIND[kind]
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
    # A page's shares are seen by the sharers' followers: earned views, not impressions
    # bought, so the page's reach may exceed its impressions; without shares it may not.
    sharing = getattr(scenario.channels[channel], "share_probability", 0.0) > 0
    if not sharing:
        assert np.all(strategy.reach <= strategy.impressions)
    else:
        unshared = _scenario(channel, rule, share_probability=0.0)
        alone = simulate(unshared).strategies[0]
        assert np.all(alone.reach <= alone.impressions)
    assert strategy.impressions.sum() > 0, "the channel delivered nothing"
    assert adopters[:, -1].sum() > 0, "nobody adopted"


def test_frozen_results():
    result = simulate(_scenario("newspaper", RULES[0]))
    with pytest.raises(ValueError, match="read-only"):
        result.strategies[0].series["adopters"][0, 0] = 5


# --------------------------------------------------------------------------- one function per kind


def _union_kinds(union) -> set[str]:
    """The ``kind`` values of a discriminated config union such as ``cfg.Channel``."""
    (members, *_) = get_args(union)  # Annotated[A | B | ..., Field(discriminator="kind")]
    return {model.model_fields["kind"].default for model in get_args(members)}


@pytest.mark.parametrize(
    ("table", "union"),
    [
        (CHANNEL_COMPILERS, cfg.Channel),
        (RULE_FUNCTIONS, cfg.Adoption),
        (LAYER_BUILDERS, cfg.Layer),
    ],
    ids=["channels", "rules", "layers"],
)
def test_every_config_kind_has_one_function_in_its_table(table, union):
    assert set(table) == _union_kinds(union)
    assert all(callable(function) for function in table.values())


def test_the_contract_runs_every_kind_of_the_tables():
    assert set(cfg.CHANNEL_KINDS) == set(CHANNEL_COMPILERS)
    assert set(cfg.ADOPTION_KINDS) == set(RULE_FUNCTIONS)
