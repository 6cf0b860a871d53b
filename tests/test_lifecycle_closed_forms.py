"""The lifecycle engine against the customer-base closed forms (issue 13, "Tests").

Every test runs :func:`simulator.engine.run.simulate` on a scenario with the lifecycle on:
free samples on day 0 and nothing else (no word of mouth: every contact probability 0),
product quality 1 and promoter conversion 1, so every sample holder is a customer, made in
step 0. The engine activates a step's new customers at the first instant of the next
step (:meth:`CustomerLedger.step`), and files only purchases before the end of the run, so
with ``steps`` one-day steps each customer is observed over ``[1, steps)``: a window of
``T = steps - 1`` days, in which her purchases are the BG/NBD "repeat purchases" X(T).

Statistical tests state their customers and replicates; tolerances are 3 standard errors
(or p > 0.001 for the chi-square). The seeds are fixed, so a run either passes always or
fails always.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulator import config as cfg
from simulator.analytic.clv import bgnbd_expected_purchases, nbd_pmf
from simulator.engine import lifecycle
from simulator.engine.purchases import BAKERY, CDNOW, DAYS_PER_YEAR
from simulator.engine.run import simulate

Z_MAX = 3.0
P_MIN = 0.001
SEEDS_PER_REPLICATE = 1000  # a 1,000 EUR budget at 1 EUR a sample


def _day_zero_cohort(replicates: int, steps: int, **life: object) -> cfg.Scenario:
    """``SEEDS_PER_REPLICATE`` customers per replicate, all made on day 0 by a free sample."""
    data = cfg.default_scenario().model_dump()
    data["response"] = {"enabled": False}  # no walk-ins: the cohort is the samples
    data["population"]["size"] = 2 * SEEDS_PER_REPLICATE
    for layer in data["layers"].values():
        layer["contact_probability"] = 0.0
    data["product"]["quality"] = 1.0
    data["channels"]["free_samples"].update({"cost_per_seed": 1.0, "budget": 1000.0})
    data["strategies"] = [{"name": "samples", "channels": ["free_samples"]}]
    data["simulation"].update({"steps": steps, "replicates": replicates, "block_size": 50})
    data["lifecycle"] = {
        "enabled": True,
        "trial_conversion_promoter": 1.0,
        "trial_conversion_by_interest": False,
        **life,
    }
    return cfg.validate_scenario(data)


def _everyone_a_customer(life: dict[str, np.ndarray], replicates: int) -> None:
    """The cohort is what the tests assume: every sample holder a customer, day 0."""
    want = np.full(replicates, SEEDS_PER_REPLICATE)
    assert np.array_equal(life["trials"], want)
    assert np.array_equal(life["customers"], want)


def _capture_ledgers(monkeypatch: pytest.MonkeyPatch) -> list[lifecycle.CustomerLedger]:
    """The engine's ledgers, kept as each block hands in its outputs (serial run)."""
    ledgers: list[lifecycle.CustomerLedger] = []
    outputs = lifecycle.CustomerLedger.outputs

    def keep(self: lifecycle.CustomerLedger) -> dict[str, np.ndarray]:
        ledgers.append(self)
        return outputs(self)

    monkeypatch.setattr(lifecycle.CustomerLedger, "outputs", keep)
    return ledgers


# --------------------------------------------------------------------------- NBD


def test_purchase_counts_without_dropout_follow_the_nbd(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bakery preset without drop-out (a = 0, the NBD), T = 56 days after activation.

    100 replicates x 1,000 customers = 100,000 customers. The results expose purchases per
    replicate only, so the per-customer counts are read from the engine's own ledgers
    (``book.purchases`` of every customer), captured as each block hands in its outputs.
    Chi-square of the counts x = 0..19 and x >= 20 (pooled tail) against ``nbd_pmf``
    (r = 2, alpha = 14 days), 20 degrees of freedom, nothing fitted; p > 0.001. The mean
    is also checked within 3 SE (NBD variance m + m^2 / r), and the per-replicate totals
    add up to the ledgers' counts.
    """
    model = BAKERY.without_dropout()
    monkeypatch.setitem(lifecycle.PRESETS, "bakery", model)
    ledgers = _capture_ledgers(monkeypatch)
    replicates, window = 100, 56
    result = simulate(_day_zero_cohort(replicates, window + 1)).strategies[0]
    _everyone_a_customer(result.lifecycle, replicates)
    counts = np.concatenate([ledger.book.purchases[ledger.joined > 0] for ledger in ledgers])
    assert counts.size == replicates * SEEDS_PER_REPLICATE
    assert int(counts.sum()) == int(result.lifecycle["purchases"].sum())
    assert all(np.all(ledger.joined[ledger.joined > 0] == 1) for ledger in ledgers)

    top = 20
    observed = np.bincount(np.minimum(counts, top), minlength=top + 1)
    head = nbd_pmf(np.arange(top), model.r, model.alpha_days, float(window))
    probabilities = np.append(head, 1.0 - head.sum())
    expected = counts.size * probabilities
    assert expected.min() > 5  # the chi-square approximation holds in every cell
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    p = float(stats.chi2.sf(chi2, df=top))
    assert p > P_MIN, f"chi-square {chi2:.1f} on {top} df, p {p:.2g}"

    mean = model.mean_rate_per_day * window
    se = math.sqrt((mean + mean**2 / model.r) / counts.size)
    z = (counts.mean() - mean) / se
    assert abs(z) < Z_MAX, f"{counts.mean():.4f} per customer, expected {mean:.4f}, z {z:.2f}"


# --------------------------------------------------------------------------- BG/NBD


def test_cdnow_mean_repeat_purchases_match_the_bgnbd_closed_form() -> None:
    """E[X(t)] of Fader, Hardie & Lee (2005, eq. 9) at t = 39 and 78 weeks, CDNOW preset.

    100 replicates x 1,000 customers = 100,000 customers, one run of 547 one-day steps:
    customers are active from day 1, so the purchases of steps 1..273 (series columns
    2..274) are X(39 weeks = 273 days) and those of steps 1..546, X(78 weeks). The SE is
    that of the mean of the 100 replicates' means (each of 1,000 independent customers),
    from their spread: no model variance is assumed.
    """
    replicates, weeks = 100, (39, 78)
    days = [7 * w for w in weeks]
    result = simulate(_day_zero_cohort(replicates, days[-1] + 1, preset="cdnow")).strategies[0]
    _everyone_a_customer(result.lifecycle, replicates)
    per_step = result.lifecycle["purchases"]  # column step + 1: purchases in step `step`
    assert per_step[:, :2].sum() == 0  # nobody buys before she is active
    cumulative = np.cumsum(per_step, axis=1)
    for week, day in zip(weeks, days, strict=True):
        per_customer = cumulative[:, day + 1] / SEEDS_PER_REPLICATE
        mean = float(per_customer.mean())
        se = float(per_customer.std(ddof=1)) / math.sqrt(replicates)
        expected = float(bgnbd_expected_purchases(week, CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b))
        z = (mean - expected) / se
        assert abs(z) < Z_MAX, (
            f"X({week} weeks): {mean:.4f} +- {se:.4f} per customer, expected "
            f"{expected:.4f}, z {z:.2f}"
        )


# --------------------------------------------------------------------------- CLV


def test_clv_falls_with_the_discount_rate_exactly_with_paired_seeds() -> None:
    """The bakery preset over 365 days, 20 replicates x 1,000 customers, one seed.

    The discount rate changes no draw, so every run has the same purchases (common random
    numbers) and, in every replicate, the discounted margin strictly falls as the yearly
    discount rises: 0 gives margin x purchases, and each purchase of the window [1, 365)
    is worth between (1 + d)^(-365 / 365.25) and (1 + d)^(-1 / 365.25) of its margin.
    Doubling the margin doubles the CLV (a power of two: exactly, in floating point).
    """
    replicates, steps, margin = 20, 365, 1.5
    rates = (0.0, 0.05, 0.10, 0.30)
    runs = [
        simulate(
            _day_zero_cohort(replicates, steps, discount_per_year=d, margin_per_purchase=margin)
        ).strategies[0]
        for d in rates
    ]
    purchases = runs[0].lifecycle["purchases"].sum(axis=1)
    assert np.all(purchases > 0)
    for run in runs:
        _everyone_a_customer(run.lifecycle, replicates)
        assert np.array_equal(run.lifecycle["purchases"].sum(axis=1), purchases)
    clv = np.array([run.lifecycle["discounted_margin"] for run in runs])
    np.testing.assert_allclose(clv[0], margin * purchases, rtol=1e-12)
    assert np.all(np.diff(clv, axis=0) < 0), "a higher discount must lower every replicate's CLV"
    for d, value in zip(rates, clv, strict=True):
        undiscounted = margin * purchases
        assert np.all(value <= undiscounted * (1 + d) ** (-1 / DAYS_PER_YEAR) * (1 + 1e-12))
        assert np.all(value >= undiscounted * (1 + d) ** (-steps / DAYS_PER_YEAR) * (1 - 1e-12))

    doubled = simulate(
        _day_zero_cohort(replicates, steps, discount_per_year=0.10, margin_per_purchase=2 * margin)
    ).strategies[0]
    assert np.array_equal(doubled.lifecycle["discounted_margin"], 2 * clv[2])
