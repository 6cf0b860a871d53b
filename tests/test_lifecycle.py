"""The customer lifecycle in the engine (simulator.engine.lifecycle, MODEL-REVIEW G1).

Statistical tests state their replicates; tolerances are 3 standard errors (z < 3, a false
alarm about once in 370 runs per check; the seeds are fixed, so a run either passes always
or fails always).
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from simulator import config as cfg
from simulator.cli import main
from simulator.engine import lifecycle
from simulator.engine.purchases import BAKERY
from simulator.engine.run import simulate
from simulator.metrics.tables import LIFECYCLE_RATIOS
from simulator.results import LIFECYCLE_SERIES, LIFECYCLE_TOTALS
from tests.conftest import small_scenario

Z_MAX = 3.0
NEW_METRICS = (
    "customers",
    "trials",
    "trial_customers",
    "active_customers",
    "purchases",
    "revenue",
    "clv",
    "roi",
    *LIFECYCLE_RATIOS,
)


def _with_lifecycle(scenario: cfg.Scenario, **life: object) -> cfg.Scenario:
    data = scenario.model_dump()
    data["lifecycle"] = {"enabled": True, **life}
    return cfg.validate_scenario(data)


def _samples_only(replicates: int, steps: int) -> cfg.Scenario:
    """Free samples on day 0 and nothing else: no word of mouth, one strategy."""
    data = cfg.default_scenario().model_dump()
    data["population"]["size"] = 2000
    for layer in data["layers"].values():
        layer["contact_probability"] = 0.0
    data["strategies"] = [{"name": "samples", "channels": ["free_samples"]}]
    data["simulation"].update({"steps": steps, "replicates": replicates, "block_size": 50})
    data["lifecycle"] = {"enabled": True}
    return cfg.validate_scenario(data)


# --------------------------------------------------------------------------- off


def test_lifecycle_off_changes_nothing() -> None:
    """No lifecycle key and an explicit ``enabled = false`` give identical arrays and tables."""
    base = small_scenario()
    data = base.model_dump()
    data.pop("lifecycle")
    without_key = cfg.validate_scenario(data)
    data["lifecycle"] = {"enabled": False, "preset": "cdnow", "price": 9.0}
    explicit_off = cfg.validate_scenario(data)
    first, second = simulate(without_key), simulate(explicit_off)
    for a, b in zip(first.strategies, second.strategies, strict=True):
        assert a.lifecycle == {} and b.lifecycle == {}
        for field in fields(a):
            mine, theirs = getattr(a, field.name), getattr(b, field.name)
            if isinstance(mine, np.ndarray):
                assert np.array_equal(mine, theirs), field.name
        for name in a.series:
            assert np.array_equal(a.series[name], b.series[name]), name
    for kind in ("summary", "replicates", "series"):
        frame = first.to_frame(kind)
        assert frame.equals(second.to_frame(kind)), kind
        assert not set(frame.columns) & {*NEW_METRICS, *LIFECYCLE_SERIES}, kind


def test_lifecycle_on_keeps_the_adoption_model() -> None:
    """Only the accounting changes: every first-adoption array is as with the lifecycle off."""
    base = small_scenario()
    off, on = simulate(base), simulate(_with_lifecycle(base))
    for a, b in zip(off.strategies, on.strategies, strict=True):
        for name in a.series:
            assert np.array_equal(a.series[name], b.series[name]), name
        assert np.array_equal(a.cost, b.cost) and np.array_equal(a.by_source, b.by_source)
        assert set(b.lifecycle) == {*LIFECYCLE_SERIES, *LIFECYCLE_TOTALS}


# --------------------------------------------------------------------------- accounting


def test_trial_conversion_matches_quality_times_promoter_conversion() -> None:
    """400 replicates x 100 samples = 40,000 trials; expected share quality x 0.40."""
    scenario = _samples_only(replicates=400, steps=2)
    result = simulate(scenario).strategies[0]
    trials = int(result.lifecycle["trials"].sum())
    converted = int(result.lifecycle["trial_customers"].sum())
    expected = scenario.product.quality * scenario.lifecycle.trial_conversion_promoter
    assert trials == 400 * 100  # every sample tips a trial: budget 1,000 / 10 EUR a seed
    se = math.sqrt(expected * (1 - expected) / trials)
    z = (converted / trials - expected) / se
    assert abs(z) < Z_MAX, f"conversion {converted / trials:.4f}, expected {expected}, z {z:.2f}"
    # Given satisfaction (no word of mouth: promoters are the satisfied trialists), the
    # share is the promoters' conversion, free of the satisfaction draw's noise.
    promoters = int(result.series["promoters"][:, -1].sum())
    rate = scenario.lifecycle.trial_conversion_promoter
    z_given = (converted / promoters - rate) / math.sqrt(rate * (1 - rate) / promoters)
    assert abs(z_given) < Z_MAX, f"promoters convert {converted / promoters:.4f}, z {z_given:.2f}"
    # Without word of mouth the only customers are the converted trialists.
    assert np.array_equal(result.lifecycle["customers"], result.lifecycle["trial_customers"])


def test_revenue_is_price_times_purchases_in_every_replicate() -> None:
    scenario = _with_lifecycle(small_scenario(replicates=8), price=3.5, margin_per_purchase=1.25)
    table = simulate(scenario).to_frame("replicates")
    assert table["purchases"].sum() > 0  # some strategies win nobody in a village
    assert (table["revenue"] == 3.5 * table["purchases"]).all()
    assert (table["active_customers"] <= table["customers"]).all()
    # Discounting only lowers margins, and every margin is counted once.
    assert (table["clv"] <= 1.25 * table["purchases"] + 1e-9).all()
    assert (table["clv"] >= 0.99 * 1.25 * table["purchases"]).all()  # 30 days at 10 % a year


def test_purchases_per_customer_match_the_nbd_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    """No drop-out: customers activated on day 1 buy r / alpha x T purchases, T = 59 days.

    200 replicates, about 7,600 customers; the SE uses the NBD variance m + m^2 / r.
    """
    model = BAKERY.without_dropout()
    monkeypatch.setitem(lifecycle.PRESETS, "bakery", model)
    steps = 60
    result = simulate(_samples_only(replicates=200, steps=steps)).strategies[0]
    customers = int(result.lifecycle["customers"].sum())
    purchases = int(result.lifecycle["purchases"].sum())
    mean = model.mean_rate_per_day * (steps - 1)
    se = math.sqrt((mean + mean**2 / model.r) / customers)
    z = (purchases / customers - mean) / se
    assert abs(z) < Z_MAX, (
        f"{purchases / customers:.3f} per customer, expected {mean:.3f}, z {z:.2f}"
    )
    # Nobody drops out: every customer is still active at the end.
    assert np.array_equal(
        result.lifecycle["active_customers"][:, -1], result.lifecycle["customers"]
    )


def test_same_seed_gives_identical_lifecycle_arrays() -> None:
    scenario = _with_lifecycle(small_scenario())
    first, second = simulate(scenario), simulate(scenario)
    for a, b in zip(first.strategies, second.strategies, strict=True):
        for name in a.lifecycle:
            assert np.array_equal(a.lifecycle[name], b.lifecycle[name]), name


def test_two_workers_give_the_same_lifecycle_arrays() -> None:
    # Blocks of 3 replicates: the helper process runs some of them, with their own streams.
    scenario = _with_lifecycle(small_scenario(replicates=6, block_size=3))
    one, two = simulate(scenario), simulate(scenario, workers=2)
    for a, b in zip(one.strategies, two.strategies, strict=True):
        for name in a.lifecycle:
            assert np.array_equal(a.lifecycle[name], b.lifecycle[name]), name


def test_lifecycle_rejects_a_margin_above_the_price() -> None:
    data = cfg.default_scenario().model_dump()
    data["lifecycle"] = {"enabled": True, "price": 1.0, "margin_per_purchase": 2.0}
    with pytest.raises(cfg.ConfigError, match="margin_per_purchase"):
        cfg.validate_scenario(data)


# --------------------------------------------------------------------------- cli


def test_wom_run_with_lifecycle_writes_the_new_columns(tmp_path) -> None:
    out = tmp_path / "out"
    args = [
        "run",
        "--set",
        "lifecycle.enabled=true",
        "--set",
        "population.size=300",
        "--set",
        "simulation.steps=20",
        "--replicates",
        "4",
        "--quiet",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    summary = pd.read_csv(out / "summary.csv")
    for name in NEW_METRICS:
        assert {name, f"{name}_low", f"{name}_high"} <= set(summary.columns), name
    series = pd.read_csv(out / "series.csv")
    assert set(LIFECYCLE_SERIES) <= set(series.columns)
    replicates = pd.read_csv(out / "replicates.csv")
    assert (replicates["revenue"] == 4.0 * replicates["purchases"]).all()
