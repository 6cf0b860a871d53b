"""Hypothesis invariants over random scenarios."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import config as cfg
from simulator.engine.run import simulate
from tests.conftest import small_scenario

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scenario(overrides: dict, strategies: list[dict]) -> cfg.Scenario:
    data = small_scenario(steps=15, replicates=3, block_size=2).model_dump()
    for path, value in overrides.items():
        cfg.set_path(data, path, value, origin="test")
    data["strategies"] = strategies
    return cfg.validate_scenario(data)


@SETTINGS
@given(
    persuasion=st.floats(0.0, 1.0),
    contact=st.floats(0.0, 1.0),
    budget=st.floats(0.0, 5000.0),
    quality=st.floats(0.0, 1.0),
    rule=st.sampled_from(["independent", "threshold", "bass"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_adoption_invariants(persuasion, contact, budget, quality, rule, seed):
    scenario = _scenario(
        {
            "word_of_mouth.persuasion": persuasion,
            "layers.market.contact_probability": contact,
            "channels.free_samples.budget": budget,
            "channels.facebook_ads.budget": budget,
            "product.quality": quality,
            "adoption.kind": rule,
            "simulation.seed": seed,
        },
        [{"name": "mix", "channels": ["free_samples", "facebook_ads"]}],
    )
    (result,) = simulate(scenario).strategies
    adopters = result.series["adopters"]
    assert np.all(np.diff(adopters, axis=1) >= 0)
    assert np.all((adopters >= 0) & (adopters <= scenario.population.size))
    assert np.all(result.cost >= 0)
    assert np.all(result.cost.sum(axis=0) <= budget * scenario.simulation.replicates + 1e-6)


@SETTINGS
@given(contact=st.floats(0.0, 1.0), seed=st.integers(0, 2**32 - 1))
def test_zero_persuasion_spreads_nothing(contact, seed):
    # Nobody can be persuaded by anyone: the only adopters are the seeds themselves.
    scenario = _scenario(
        {
            "word_of_mouth.persuasion": 0.0,
            "channels.facebook_ads.persuasion": 0.0,
            "channels.newspaper.persuasion": 0.0,
            "layers.market.contact_probability": contact,
            "simulation.seed": seed,
        },
        [{"name": "mix", "channels": ["free_samples", "facebook_ads", "newspaper"]}],
    )
    (result,) = simulate(scenario).strategies
    seeds = int(
        scenario.channels["free_samples"].budget // scenario.channels["free_samples"].cost_per_seed
    )
    assert np.all(result.series["adopters"][:, -1] == seeds)
    assert np.all(result.by_source[:, cfg.SOURCE_TYPES.index("free_sample")] == seeds)


@SETTINGS
@given(
    newspaper=st.floats(0.0, 3000.0),
    radio=st.floats(0.0, 3000.0),
    page=st.floats(0.0, 3000.0),
)
def test_cost_is_additive_across_channels(newspaper, radio, page):
    overrides = {
        "channels.newspaper.budget": newspaper,
        "channels.radio.budget": radio,
        "channels.facebook_page.budget": page,
    }
    together = _scenario(
        overrides, [{"name": "all", "channels": ["newspaper", "radio", "facebook_page"]}]
    )
    apart = _scenario(
        overrides,
        [{"name": c, "channels": [c]} for c in ("newspaper", "radio", "facebook_page")],
    )
    total = simulate(together).strategies[0].cost.sum(axis=1)
    separate = sum(s.cost.sum(axis=1) for s in simulate(apart).strategies)
    np.testing.assert_allclose(total, separate)
    assert np.all(total <= newspaper + radio + page + 1e-9)
