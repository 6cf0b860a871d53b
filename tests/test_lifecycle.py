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
from simulator.engine.messages import Exposures
from simulator.engine.prepare import prepare
from simulator.engine.purchases import BAKERY, BGNBD, Customers, draw_customers, simulate_customers
from simulator.engine.run import simulate
from simulator.metrics.tables import LIFECYCLE_RATIOS, compare
from simulator.results import LIFECYCLE_SERIES, LIFECYCLE_SPLITS, LIFECYCLE_TOTALS
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
    data["response"] = {"enabled": False}  # no walk-ins: the only customers are trialists
    return cfg.validate_scenario(data)


def _samples_only(replicates: int, steps: int, **life: object) -> cfg.Scenario:
    """Free samples on day 0 and nothing else: no word of mouth, one strategy."""
    data = cfg.default_scenario().model_dump()
    data["population"]["size"] = 2000
    for layer in data["layers"].values():
        layer["contact_probability"] = 0.0
    data["strategies"] = [{"name": "samples", "channels": ["free_samples"]}]
    data["simulation"].update({"steps": steps, "replicates": replicates, "block_size": 50})
    data["lifecycle"] = {"enabled": True, **life}
    data["response"] = {"enabled": False}  # no walk-ins, no passives
    return cfg.validate_scenario(data)


# --------------------------------------------------------------------------- off


def test_lifecycle_off_changes_nothing() -> None:
    """``enabled = false`` alone and with other lifecycle keys give identical arrays and
    tables, without a trace of customers."""
    base = small_scenario()
    data = base.model_dump()
    data["lifecycle"] = {"enabled": False}
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
        assert set(b.lifecycle) == {*LIFECYCLE_SERIES, *LIFECYCLE_TOTALS, *LIFECYCLE_SPLITS}


# --------------------------------------------------------------------------- accounting


def test_trial_conversion_matches_quality_times_promoter_conversion() -> None:
    """1,000 replicates x 100 samples = 100,000 trials; expected share quality x 0.40
    (conversion not scaled by interest)."""
    scenario = _samples_only(replicates=1000, steps=2, trial_conversion_by_interest=False)
    result = simulate(scenario).strategies[0]
    trials = int(result.lifecycle["trials"].sum())
    converted = int(result.lifecycle["trial_customers"].sum())
    expected = scenario.product.quality * scenario.lifecycle.trial_conversion_promoter
    assert trials == 1000 * 100  # every sample tips a trial: budget 1,000 / 10 EUR a seed
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


def test_trial_conversion_scales_with_interest() -> None:
    """800 replicates x the same 100 given people = 80,000 trials, conversion scaled by
    min(1, interest / mean interest): expected share quality x 0.40 x the mean scale of
    those 100 people, binomial SE (conservative with unequal chances). The 100 are the
    even ids below 200, so the check does not rest on which people a seed picks. Then the
    same trials with the scale off convert more.
    """
    given = {"strategy": "given", "people": list(range(0, 200, 2))}
    scenario = _samples_only(800, 2)
    data = scenario.model_dump()
    data["channels"]["free_samples"].update(given)
    scenario = cfg.validate_scenario(data)
    assert scenario.lifecycle.trial_conversion_by_interest
    people = prepare(scenario)[0].population  # interest as the engine has it (homophily)
    scale = np.minimum(1.0, people.interest / people.interest.mean())
    mean_scale = float(scale[given["people"]].mean())
    assert mean_scale < 0.95  # the check below could not tell the scale from no scale otherwise
    result = simulate(scenario).strategies[0]
    trials = int(result.lifecycle["trials"].sum())
    converted = int(result.lifecycle["trial_customers"].sum())
    assert trials == 800 * 100
    life = scenario.lifecycle
    expected = scenario.product.quality * life.trial_conversion_promoter * mean_scale
    se = math.sqrt(expected * (1 - expected) / trials)
    z = (converted / trials - expected) / se
    assert abs(z) < Z_MAX, f"conversion {converted / trials:.4f}, expected {expected:.4f}"
    data["lifecycle"]["trial_conversion_by_interest"] = False
    flat = simulate(cfg.validate_scenario(data)).strategies[0]
    assert int(flat.lifecycle["trial_customers"].sum()) > converted + Z_MAX * se * trials


def test_revenue_is_price_times_purchases_in_every_replicate() -> None:
    scenario = _with_lifecycle(small_scenario(replicates=8), price=3.5, margin_per_purchase=1.25)
    table = simulate(scenario).to_frame("replicates")
    assert table["purchases"].sum() > 0  # some strategies win nobody in a village
    assert (table["revenue"] == 3.5 * table["purchases"]).all()
    assert (table["active_customers"] <= table["customers"]).all()
    # Discounting only lowers margins, and every margin is counted once; referred
    # customers earn up to 10 % more (referred_margin_uplift).
    assert (table["clv"] <= table["margin_total"] + 1e-9).all()
    assert (table["clv"] >= 0.99 * table["margin_total"]).all()  # 30 days at 10 % a year
    assert (table["margin_total"] >= 1.25 * table["purchases"] - 1e-9).all()
    assert (table["margin_total"] <= 1.10 * 1.25 * table["purchases"] + 1e-9).all()
    plain = _with_lifecycle(
        small_scenario(replicates=8),
        price=3.5,
        margin_per_purchase=1.25,
        referred_margin_uplift=0.0,
    )
    table = simulate(plain).to_frame("replicates")
    assert (table["margin_total"] == 1.25 * table["purchases"]).all()


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


# --------------------------------------------------------------------------- acquisition


def _column_sum(table: pd.DataFrame, metric: str) -> np.ndarray:
    """Row sums of ``<metric>.<source>`` over every source type, in their fixed order."""
    return np.column_stack([table[f"{metric}.{s}"] for s in cfg.SOURCE_TYPES]).sum(axis=1)


def test_splits_by_acquisition_source_add_up_to_the_totals_in_every_replicate() -> None:
    scenario = _with_lifecycle(small_scenario(replicates=8, steps=60), price=3.3)
    table = simulate(scenario).to_frame("replicates")
    assert table["clv"].sum() > 0 and (table["customers.word_of_mouth"] > 0).any()
    for metric in ("customers", "revenue", "clv"):
        parts = _column_sum(table, metric)
        assert np.array_equal(parts, table[metric].to_numpy()), metric
    # Each source's customers are exactly its adopters, but for free samples, whose
    # customers are the trials that converted.
    for source in cfg.SOURCE_TYPES:
        customers = table[f"customers.{source}"]
        if source == "free_sample":
            assert (customers == table["trial_customers"]).all()
        else:
            assert (customers == table[f"tipped_by_{source}"]).all(), source
        # Revenue is price x purchases; a source without customers has no value.
        purchases = table[f"revenue.{source}"] / 3.3
        assert np.allclose(purchases, purchases.round(), rtol=0, atol=1e-9), source
        assert (table.loc[customers == 0, f"clv.{source}"] == 0).all(), source
        # Referred customers (a friend's message) earn up to 10 % more per purchase.
        most = 1.5 * (1.1 if source == "word_of_mouth" else 1.0)
        assert (table[f"clv.{source}"] <= most * purchases + 1e-9).all(), source


def test_splits_by_acquisition_channel_add_up_to_the_totals() -> None:
    result = simulate(_with_lifecycle(small_scenario(replicates=4, steps=40)))
    table = result.to_frame("replicates")
    for strategy in result.strategies:
        life = strategy.lifecycle
        assert life["customers_by_channel"].shape == (4, len(strategy.channels) + 1)
        assert np.array_equal(life["customers_by_channel"].sum(axis=1), life["customers"])
        for split in ("revenue", "discounted_margin"):
            total = life[split]
            assert np.allclose(life[f"{split}_by_channel"].sum(axis=1), total, rtol=1e-12)
        rows = table[table["strategy"] == strategy.name]
        for index, channel in enumerate(strategy.channels):
            by_channel = life["customers_by_channel"][:, index]
            assert np.array_equal(rows[f"{channel}.customers"], by_channel)
    # A strategy without the channel has none of its customers in a comparison.
    paired = compare(result, "facebook_ads.clv", reference="word of mouth")
    assert paired.set_index("strategy").loc["word of mouth", "difference"] == 0


def _cohort_ledger(
    steps: int, multiplier: float, people: int, uplift: float = 0.0
) -> lifecycle.CustomerLedger:
    """``people`` customers made on day 0 by one message each, half of them a friend's
    (referred) and half a newspaper ad, run through ``steps`` days of the bakery preset:
    the engine's own accounting with everything else equal."""
    data = cfg.default_scenario().model_dump()
    data["simulation"].update({"steps": steps, "replicates": 1, "block_size": 1})
    data["lifecycle"] = {
        "enabled": True,
        "referred_dropout_multiplier": multiplier,
        "referred_margin_uplift": uplift,
    }
    scenario = cfg.validate_scenario(data)
    replicates = 10
    size = people // replicates
    ledger = lifecycle.CustomerLedger(scenario, 0, replicates, size, channels=0)
    everyone = np.arange(replicates * size)
    newspaper = cfg.SOURCE_TYPES.index("newspaper_ad")
    source = np.where(everyone % 2 == 0, lifecycle.WORD_OF_MOUTH, newspaper).astype(np.int8)
    organic = np.full(everyone.size, -1, np.int16)
    ledger.adopt(everyone, np.ones(everyone.size, bool), source, organic)
    for step in range(steps):
        ledger.step(step)
    return ledger


def _referred_ratio(ledger: lifecycle.CustomerLedger) -> tuple[float, float]:
    """CLV per referred customer over CLV per other customer, and its delta-method SE."""
    referred = ledger.source == lifecycle.WORD_OF_MOUTH
    mine, others = ledger.book.npv[referred], ledger.book.npv[~referred]
    ratio = mine.mean() / others.mean()
    relative = mine.var(ddof=1) / mine.size / mine.mean() ** 2
    relative += others.var(ddof=1) / others.size / others.mean() ** 2
    return ratio, ratio * math.sqrt(relative)


def _expected_referred_ratio(days: int, multiplier: float, customers: int) -> tuple[float, float]:
    """The BG/NBD value of that ratio: one cohort of bakery customers run with and
    without the multiplier (the same customers, other purchases), and its paired SE."""
    customer_rng, with_rng, without_rng = np.random.default_rng(20261201).spawn(3)
    drawn = draw_customers(customers, BAKERY, rng=customer_rng)
    referred = Customers(drawn.rate, drawn.dropout * np.float32(multiplier))
    money = {"margin": 1.5, "discount_per_year": 0.10}
    mine = simulate_customers(referred, days, 1.0, rng=with_rng, **money).npv
    others = simulate_customers(drawn, days, 1.0, rng=without_rng, **money).npv
    ratio = mine.mean() / others.mean()
    spread = (mine - ratio * others).std(ddof=1)
    return ratio, spread / math.sqrt(customers) / others.mean()


def test_referred_customers_are_worth_what_the_multiplier_says() -> None:
    """One year of the bakery preset, everything else equal (same day of acquisition).

    Engine: 100,000 customers (10 replicates of 10,000, half of them referred); expected:
    100,000 BG/NBD customers run with and without the 0.82 multiplier. The engine's
    customers live from the start of day 1 to the end of day 364, 364 days, as the cohort;
    the common discount of day 1 cancels in the ratio. Measured: engine 1.0987 +- 0.0062
    (15.8 SE above 1), expected 1.0988 +- 0.0035, z -0.02. MODEL-REVIEW's target
    [1.10, 1.25] is a calibration target, not tuned for: one year is just short of it.
    """
    steps = 365
    ratio, se = _referred_ratio(_cohort_ledger(steps, 0.82, 100_000))
    expected, expected_se = _expected_referred_ratio(steps - 1, 0.82, 100_000)
    assert ratio > 1 + Z_MAX * se, f"referred customers are worth {ratio:.3f} times the others"
    z = (ratio - expected) / math.hypot(se, expected_se)
    assert abs(z) < Z_MAX, f"ratio {ratio:.4f} +- {se:.4f}, expected {expected:.4f}, z {z:.2f}"


def test_referred_customers_are_worth_10_to_25_percent_more_with_both_multipliers() -> None:
    """MODEL-REVIEW G1/G6's target, CLV(referred) / CLV(not referred) in [1.10, 1.25]
    (Schmitt, Skiera & Van den Bulte 2011: at least 16 % more valuable [V]), with the
    default drop-out multiplier 0.82 and margin uplift 0.10 eroding over 180 days.

    The cohort above, 100,000 customers over one year; the interval [1.10, 1.25] must hold
    3 SE inside. Measured 1.156 +- 0.007. Emergent from the two sourced multipliers, not
    tuned to the target.
    """
    life = cfg.default_scenario().lifecycle
    ledger = _cohort_ledger(
        365, life.referred_dropout_multiplier, 100_000, uplift=life.referred_margin_uplift
    )
    ratio, se = _referred_ratio(ledger)
    assert 1.10 + Z_MAX * se < ratio < 1.25 - Z_MAX * se, f"ratio {ratio:.4f} +- {se:.4f}"
    # The uplift erodes: a purchase at age t earns margin (1 + 0.1 exp(-t / 180)).
    referred = np.flatnonzero(ledger.source == lifecycle.WORD_OF_MOUTH)
    book = ledger.book
    assert book.extra is not None
    bought = referred[book.purchases[referred] > 0]
    per_purchase = book.extra[bought] / book.purchases[bought] / life.margin_per_purchase
    assert per_purchase.max() <= life.referred_margin_uplift + 1e-6
    assert per_purchase.min() >= life.referred_margin_uplift * math.exp(-365 / 180) - 1e-6
    others = np.flatnonzero(ledger.source != lifecycle.WORD_OF_MOUTH)
    assert not book.extra[others].any()


def test_a_multiplier_of_one_makes_referred_customers_like_the_others() -> None:
    """100,000 customers as above, multiplier 1: the ratio is 1 within 3 SE."""
    ratio, se = _referred_ratio(_cohort_ledger(365, 1.0, 100_000))
    assert abs(ratio - 1) < Z_MAX * se, f"ratio {ratio:.4f} +- {se:.4f}"


def test_the_multiplier_changes_only_what_referred_customers_are_worth() -> None:
    """The default scenario over a year, 40 replicates, with and without the multiplier.

    The same adopters and customers by source (common random numbers); referred customers,
    about 1,400 of them over the five strategies, worth more per head (measured 1.13 times,
    with acquisition days spread over the year; the same-day cohort test pins the size).
    """
    data = cfg.default_scenario().model_dump()
    data["simulation"].update({"steps": 365, "replicates": 40})
    base = cfg.validate_scenario(data)
    on = simulate(_with_lifecycle(base)).strategies
    off = simulate(_with_lifecycle(base, referred_dropout_multiplier=1.0)).strategies
    referred = cfg.SOURCE_TYPES.index("word_of_mouth")
    for a, b in zip(on, off, strict=True):
        assert np.array_equal(a.series["adopters"], b.series["adopters"])
        customers = a.lifecycle["customers_by_source"]
        assert np.array_equal(customers, b.lifecycle["customers_by_source"])
    value = [
        sum(s.lifecycle["discounted_margin_by_source"][:, referred].sum() for s in run)
        for run in (on, off)
    ]
    assert value[0] > 1.05 * value[1], f"referred customers' CLV {value[0]:.0f} vs {value[1]:.0f}"


def test_lifecycle_rejects_a_negative_referred_multiplier() -> None:
    data = cfg.default_scenario().model_dump()
    data["lifecycle"] = {"enabled": True, "referred_dropout_multiplier": -0.5}
    with pytest.raises(cfg.ConfigError, match="referred_dropout_multiplier"):
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


# --------------------------------------------------------------------------- win-back


def _lapsed_ledger(people: int, win_back: float) -> lifecycle.CustomerLedger:
    """``people`` customers (one replicate) who each buy once on day 1 and drop out."""
    data = cfg.default_scenario().model_dump()
    data["simulation"].update({"steps": 30, "replicates": 1, "block_size": 1})
    data["lifecycle"] = {
        "enabled": True,
        "win_back": win_back,
        "trial_conversion_by_interest": False,
    }
    ledger = lifecycle.CustomerLedger(cfg.validate_scenario(data), 0, 1, people, channels=0)
    # About 1,000 purchases a day and drop-out after the first (1 - 1e-12).
    ledger.model = BGNBD(r=1000.0, alpha=1.0, a=1e6, b=1e-6)
    everyone = np.arange(people)
    newspaper = np.full(people, cfg.SOURCE_TYPES.index("newspaper_ad"), np.int8)
    ledger.adopt(everyone, np.ones(people, bool), newspaper, np.full(people, -1, np.int16))
    ledger.step(0)  # active from the start of day 1
    ledger.step(1)  # one purchase each, then gone
    assert not ledger.book.active.any() and ledger.lapsed_count == people
    return ledger


def test_one_message_wins_back_a_lapsed_customer_with_the_win_back_chance() -> None:
    """50,000 lapsed customers, each reached by one positive message of strength 0.8
    (interest 0.5 for all): won back with p = 0.8 x 0.5 x 0.5 = 0.2, binomial SE; negative
    messages win nobody back; the won-back are active again and are not new customers."""
    people = 50_000
    ledger = _lapsed_ledger(people, win_back=0.5)
    interest = np.full(people, 0.5, np.float32)
    everyone = np.arange(people)
    bad = Exposures.uniform(everyone, 0.8, source=0, channel=-1, valence=-1)
    ledger.win_back(bad, interest)
    assert ledger._returning is None
    ledger.win_back(Exposures.uniform(everyone, 0.8, source=0, channel=-1), interest)
    ledger.step(2)
    won = int(ledger.won_back.sum())
    se = math.sqrt(0.2 * 0.8 / people)
    assert abs(won / people - 0.2) < Z_MAX * se, f"won back {won / people:.4f}"
    assert int(ledger.book.active.sum()) == won == int(ledger.active.sum())
    assert int(ledger.customers.sum()) == people  # not new customers
    assert ledger.lapsed_count == people - won


def test_no_win_back_leaves_lapsed_customers_lost() -> None:
    ledger = _lapsed_ledger(1_000, win_back=0.0)
    ledger.win_back(Exposures.uniform(np.arange(1_000), 1.0, 0, -1), np.ones(1_000, np.float32))
    ledger.step(2)
    assert int(ledger.won_back.sum()) == 0 and not ledger.book.active.any()


def test_win_back_leaves_first_adoptions_exactly_as_they_were() -> None:
    """The default town over a year, 16 replicates: win-back draws from its own stream
    and the adoption rule never sees lapsed customers, so adopters and customers are the
    same arrays; lapsed customers come back (won_back > 0). (Purchases after a win-back
    shift the purchase stream, so active customers are not compared path by path.)"""
    data = cfg.default_scenario().model_dump()
    data["simulation"].update({"steps": 365, "replicates": 16})
    base = cfg.validate_scenario(data)
    on = simulate(_with_lifecycle(base)).strategies
    off = simulate(_with_lifecycle(base, win_back=0.0)).strategies
    for a, b in zip(on, off, strict=True):
        assert np.array_equal(a.series["adopters"], b.series["adopters"])
        assert np.array_equal(a.lifecycle["customers"], b.lifecycle["customers"])
        assert (b.lifecycle["won_back"] == 0).all()
        life = a.lifecycle
        assert (life["active_customers"][:, -1] <= life["customers"] + life["won_back"]).all()
    assert sum(int(s.lifecycle["won_back"].sum()) for s in on) > 0
