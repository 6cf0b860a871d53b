"""Money with the lifecycle on: profit, payback time and cohort retention (issue 13, item 3)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import config as cfg
from simulator.engine import lifecycle
from simulator.engine.run import simulate
from simulator.metrics.tables import payback_days, replicate_metrics
from tests.conftest import small_scenario

MONEY = (
    "profit",
    "margin_total",
    "payback_days",
    "paid_back_share",
    "cohort_customers",
    "retention_90d",
)


def _on(steps: int, **life: object) -> cfg.Scenario:
    data = small_scenario(steps=steps).model_dump()
    data["lifecycle"] = {"enabled": True, **life}
    return cfg.validate_scenario(data)


@pytest.fixture(scope="module")
def run_on():
    return simulate(_on(120))


def test_profit_is_clv_minus_cost_in_every_replicate(run_on) -> None:
    life = run_on.scenario.lifecycle
    for strategy in run_on.strategies:
        values = replicate_metrics(strategy, run_on.days)
        cost = strategy.cost.sum(axis=1)
        assert np.array_equal(values["profit"], values["clv"] - cost)
        # The base margin of every purchase, plus at most the referred customers' uplift.
        base = values["purchases"] * life.margin_per_purchase
        referred = cfg.SOURCE_TYPES.index("word_of_mouth")
        referred_purchases = strategy.lifecycle["revenue_by_source"][:, referred] / life.price
        extra = values["margin_total"] - base
        assert (extra >= -1e-9).all()
        most = life.referred_margin_uplift * life.margin_per_purchase * referred_purchases
        assert (extra <= most + 1e-9).all()


def test_margin_series_adds_up_to_the_discounted_margin(run_on) -> None:
    for strategy in run_on.strategies:
        life = strategy.lifecycle
        assert np.all(life["margin"][:, 0] == 0)
        np.testing.assert_allclose(
            life["margin"].sum(axis=1), life["discounted_margin"], rtol=1e-12, atol=1e-9
        )


def test_payback_day_is_the_first_day_the_cumulative_margin_reaches_the_cost(run_on) -> None:
    for strategy in run_on.strategies:
        values = replicate_metrics(strategy, run_on.days)
        cost = strategy.cost.sum(axis=1)
        for rep, margin in enumerate(strategy.lifecycle["margin"]):
            total = 0.0
            expected = np.nan
            for column, gain in enumerate(margin.tolist()):
                total += gain
                if cost[rep] > 0 and total >= cost[rep]:
                    expected = float(run_on.days[column])
                    break
            got = values["payback_days"][rep]
            assert (np.isnan(got) and np.isnan(expected)) or got == expected, (rep, got)
            if cost[rep] > 0:
                assert values["paid_back_share"][rep] == float(np.isfinite(expected))
            else:
                assert np.isnan(values["paid_back_share"][rep])


def test_payback_days_never_and_free() -> None:
    margin = np.array([[0.0, 1.0, 1.0], [0.0, 5.0, 0.0], [0.0, 0.0, 0.0]])
    out = payback_days(margin, np.array([3.0, 5.0, 0.0]), np.array([0.0, 7.0, 14.0]))
    assert np.isnan(out[0]) and out[1] == 7.0 and np.isnan(out[2])


def test_retention_matches_a_recount_from_the_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 60-day horizon: retention is measured at the horizon, i.e. on the final flags.
    No win-back, so that the retention curve can only fall after day 30."""
    ledgers: list[lifecycle.CustomerLedger] = []
    outputs = lifecycle.CustomerLedger.outputs

    def keep(self: lifecycle.CustomerLedger) -> dict[str, np.ndarray]:
        ledgers.append(self)
        return outputs(self)

    monkeypatch.setattr(lifecycle.CustomerLedger, "outputs", keep)
    result = simulate(_on(60, win_back=0.0))
    retained, cohort = [], []
    for ledger in ledgers:
        assert ledger.retention_column == 60 and ledger.cohort_column == 30
        rep = np.arange(ledger.joined.size) // ledger.size
        member = (ledger.joined >= 1) & (ledger.joined <= 30)
        cohort.append(np.bincount(rep[member], minlength=ledger.reps))
        active = member & ledger.book.active
        retained.append(np.bincount(rep[active], minlength=ledger.reps))
        # Every customer has her acquisition column, and only customers have one.
        assert int((ledger.joined > 0).sum()) == int(ledger.customers.sum())
    blocks = len(ledgers) // len(result.strategies)
    for index, strategy in enumerate(result.strategies):
        mine = slice(index * blocks, (index + 1) * blocks)
        want_cohort = np.concatenate(cohort[mine])
        want_retained = np.concatenate(retained[mine])
        assert np.array_equal(strategy.lifecycle["cohort_customers"], want_cohort)
        assert np.array_equal(strategy.lifecycle["cohort_retained"], want_retained)
        share = replicate_metrics(strategy, result.days)["retention_90d"]
        finite = share[np.isfinite(share)]
        assert (finite.size or not strategy.channels) and np.all((finite >= 0) & (finite <= 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            np.testing.assert_array_equal(share, want_retained / want_cohort)
        # The retention curve: the cohort grows to day 30, then only loses customers, and
        # ends where the recount does.
        curve = strategy.lifecycle["cohort_active"]
        assert np.array_equal(curve[:, -1], want_retained)
        assert (np.diff(curve[:, 31:], axis=1) <= 0).all()
        assert (curve[:, 30] <= want_cohort).all()
        assert (curve <= strategy.lifecycle["active_customers"]).all()


def test_lifecycle_off_has_none_of_the_money_columns() -> None:
    result = simulate(
        small_scenario().model_copy(update={"lifecycle": cfg.Lifecycle(enabled=False)})
    )
    for kind in ("summary", "replicates", "series"):
        columns = set(result.to_frame(kind).columns)
        assert not columns & {*MONEY, "margin", "cohort_retained"}, kind
        assert not {c for c in columns if c.split("_low")[0].split("_high")[0] in MONEY}


def test_summary_has_the_money_columns(run_on) -> None:
    summary = run_on.to_frame("summary")
    for name in MONEY:
        assert {name, f"{name}_low", f"{name}_high"} <= set(summary.columns), name
    assert "margin" in run_on.to_frame("series").columns
