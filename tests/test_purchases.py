"""Repeat purchases (simulator.engine.purchases) against the closed forms of analytic.clv.

Statistical tests state their sample size; tolerances are 3 standard errors (z < 3, a false
alarm about once in 370 runs per check; the seeds are fixed, so a run either passes always
or fails always).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

from simulator.analytic.clv import bgnbd_expected_purchases, clv_constant_retention, nbd_pmf
from simulator.engine.purchases import (
    BAKERY,
    BGNBD,
    CDNOW,
    Customers,
    PurchaseCalendar,
    draw_customers,
    simulate_cohort,
    simulate_customers,
)
from simulator.errors import ArgumentError

COHORT = 100_000
Z_MAX = 3.0


def z_score(sample: np.ndarray, expected: float) -> float:
    return float((sample.mean() - expected) / (sample.std(ddof=1) / math.sqrt(sample.size)))


# --------------------------------------------------------------------------- closed forms


def test_nbd_pmf_is_a_distribution_with_the_nbd_mean_and_variance() -> None:
    x = np.arange(400)
    pmf = nbd_pmf(x, 0.7, 3.0, 5.0)
    mean = 0.7 * 5.0 / 3.0
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert pmf @ x == pytest.approx(mean, rel=1e-12)
    assert pmf @ (x - mean) ** 2 == pytest.approx(mean + mean**2 / 0.7, rel=1e-10)


def test_bgnbd_mean_without_heterogeneity_tends_to_the_individual_mean() -> None:
    """Large r, alpha (lam -> r / alpha) and a, b (p -> a / (a + b)): the individual
    E[X(t) | lam, p] = (1 - exp(-lam p t)) / p (Fader, Hardie & Lee 2005, eq. 7)."""
    lam, p, t = 0.5, 0.2, 10.0
    expected = (1 - math.exp(-lam * p * t)) / p
    mean = bgnbd_expected_purchases(t, 1e4, 1e4 / lam, 1e4 * p, 1e4 * (1 - p))
    assert mean == pytest.approx(expected, rel=1e-3)


def test_clv_constant_retention_is_the_sum_of_its_series() -> None:
    series = sum(10.0 * 0.7**t / 1.12**t for t in range(1, 400))
    assert clv_constant_retention(10.0, 0.7, 0.12) == pytest.approx(series, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: nbd_pmf(-1, 1.0, 1.0, 1.0), "'x'"),
        (lambda: nbd_pmf(1.5, 1.0, 1.0, 1.0), "'x'"),
        (lambda: nbd_pmf(1, 0.0, 1.0, 1.0), "'r'"),
        (lambda: nbd_pmf(1, 1.0, 1.0, -1.0), "'T'"),
        (lambda: bgnbd_expected_purchases(1.0, 1.0, 1.0, 1.0, 2.0), "'a'"),
        (lambda: bgnbd_expected_purchases(-1.0, 1.0, 1.0, 0.5, 2.0), "'t'"),
        (lambda: bgnbd_expected_purchases(1e3, 1e3, 1.0, 0.5, 1e3), "did not converge"),
        (lambda: clv_constant_retention(1.0, 1.5, 0.1), "'retention'"),
        (lambda: clv_constant_retention(1.0, 1.0, 0.0), "'discount'"),
        (lambda: BGNBD(r=1.0, alpha=1.0, a=-1.0, b=1.0), "'a'"),
        (lambda: draw_customers(-1, BAKERY), "'count'"),
    ],
)
def test_bad_arguments_name_the_parameter(call, name) -> None:
    with pytest.raises(ArgumentError, match=name):
        call()


# --------------------------------------------------------------------------- statistics


@pytest.mark.parametrize(("dt_days", "steps"), [(1.0, 28), (7.0, 4)])
def test_counts_without_dropout_follow_the_nbd(dt_days: float, steps: int) -> None:
    """10^5 bakery customers, no drop-out, 4 weeks: chi-square over x = 0..20 (tail pooled
    into 20). With dt = 7 days many customers buy several times in one step."""
    model = BAKERY.without_dropout()
    cohort = simulate_cohort(model, COHORT, steps, dt_days, rng=11)
    assert cohort.active.all()
    observed = np.bincount(np.minimum(cohort.purchases, 20), minlength=21)
    weeks = steps * dt_days / 7.0
    probabilities = nbd_pmf(np.arange(20), model.r, model.alpha, weeks)
    expected = COHORT * np.append(probabilities, 1.0 - probabilities.sum())
    assert expected.min() > 5  # the chi-square approximation holds
    statistic = float(((observed - expected) ** 2 / expected).sum())
    p_value = chi2.sf(statistic, df=20)
    assert p_value > 0.001, (statistic, p_value)


@pytest.mark.parametrize("weeks", [39, 78])
def test_bgnbd_mean_purchases_match_eq_9(weeks: int) -> None:
    """10^5 CDNOW customers, alive at 0, daily steps: mean X(t) within 3 SE of eq. 9."""
    cohort = simulate_cohort(CDNOW, COHORT, 7 * weeks, 1.0, rng=12)
    expected = bgnbd_expected_purchases(float(weeks), CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b)
    z = z_score(cohort.purchases, expected)
    assert abs(z) < Z_MAX, (cohort.purchases.mean(), expected, z)


def test_dropout_follows_a_purchase() -> None:
    cohort = simulate_cohort(CDNOW, 20_000, 78, 7.0, rng=13)
    assert (cohort.purchases[~cohort.active] >= 1).all()
    assert (~cohort.active).any()
    assert int(cohort.per_step.sum()) == int(cohort.purchases.sum())


def test_mean_npv_matches_constant_retention_clv() -> None:
    """Gupta & Lehmann (2003) with the inter-purchase gap as the period.

    Exponential gaps cannot give one purchase per calendar period, but with identical
    customers (rate lam, drop-out p) the expected discount factor over one gap is
    q = lam / (lam + delta), delta = log(1 + d) / 365.25 per day, so
    E[npv] = m sum_k (1 - p)^(k - 1) q^k = CLV(m, rho = 1 - p, d_gap = delta / lam) / rho:
    BG/NBD makes the first repeat purchase before the first drop-out draw, one retention
    factor fewer than Gupta & Lehmann. 10^5 customers, monthly purchases, d = 50 % a year,
    ten years (survival to the end: 0.8^120). The undiscounted mean, 5 m, is ~50 SE away.
    """
    rate, dropout, margin, discount = 1 / 30, 0.2, 2.0, 0.5
    same = Customers(np.full(COHORT, rate, np.float32), np.full(COHORT, dropout, np.float32))
    cohort = simulate_customers(same, 3650, 1.0, margin=margin, discount_per_year=discount, rng=14)
    delta = math.log1p(discount) / 365.25
    rho = 1.0 - dropout
    expected = clv_constant_retention(margin, rho, delta / float(np.float32(rate))) / rho
    z = z_score(cohort.npv, expected)
    assert abs(z) < Z_MAX, (cohort.npv.mean(), expected, z)
    assert abs(z_score(cohort.npv, margin / dropout)) > 10  # discounting is visible


@given(dt_days=st.sampled_from([0.5, 1.0, 7.0]), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_one_purchase_is_discounted_within_its_step(dt_days: float, seed: int) -> None:
    """Deterministic bounds: a single purchase in step s is worth between the margin
    discounted to the end and to the start of s."""
    one = Customers(np.array([0.05], np.float32), np.array([1.0], np.float32))
    cohort = simulate_customers(one, 400, dt_days, margin=3.0, discount_per_year=0.2, rng=seed)
    if cohort.purchases[0] == 0:
        assert cohort.npv[0] == 0.0
        return
    (step,) = np.flatnonzero(cohort.per_step)
    years = np.array([step, step + 1]) * dt_days / 365.25
    high, low = 3.0 * 1.2**-years
    assert low <= cohort.npv[0] <= high


def test_several_purchases_of_one_customer_in_one_step_all_count() -> None:
    """One customer, 100 purchases a day, no drop-out, 3 daily steps: Poisson(300)."""
    fast = Customers(np.array([100.0], np.float32), np.array([0.0], np.float32))
    cohort = simulate_customers(fast, 3, 1.0, rng=15)
    assert int(cohort.per_step.sum()) == int(cohort.purchases[0])
    assert (cohort.per_step > 50).all()
    assert abs(cohort.purchases[0] - 300) < 5 * math.sqrt(300)


# --------------------------------------------------------------------------- calendar

schedules = st.lists(  # per step: calls of schedule(), each a list of (slot, delay)
    st.lists(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 25)), max_size=8), max_size=3),
    min_size=1,
    max_size=30,
)


@given(window=st.integers(1, 8), plan=schedules)
@settings(max_examples=200, deadline=None)
def test_calendar_returns_exactly_what_was_scheduled(window: int, plan) -> None:
    """Small windows and delays up to 25 steps: most entries pass through the overflow;
    slots 0..5 only, so the same slot is often due twice at one step."""
    calendar = PurchaseCalendar(window=window)
    expected: dict[int, Counter[int]] = {}
    last = 0
    for step, calls in enumerate(plan):
        for call in calls:
            slots = np.array([slot for slot, _ in call], np.int64)
            due = np.array([step + delay for _, delay in call], np.int64)
            calendar.schedule(slots, due)
            for slot, when in zip(slots.tolist(), due.tolist(), strict=True):
                expected.setdefault(when, Counter())[slot] += 1
                last = max(last, when)
        assert Counter(calendar.due(step).tolist()) == expected.pop(step, Counter())
    for step in range(len(plan), last + 1):
        assert Counter(calendar.due(step).tolist()) == expected.pop(step, Counter())
    assert len(calendar) == 0 and not expected


def test_calendar_refuses_the_past_and_skipped_steps() -> None:
    calendar = PurchaseCalendar(window=4)
    calendar.due(0)
    with pytest.raises(ArgumentError, match="range \\[1, inf\\)"):
        calendar.schedule(np.array([1]), np.array([0]))
    with pytest.raises(ArgumentError, match="next step not yet taken, 1"):
        calendar.due(2)
    with pytest.raises(ArgumentError, match="one step per slot"):
        calendar.schedule(np.array([1, 2]), np.array([3]))


def test_calendar_buckets_do_not_alias_the_callers_array() -> None:
    calendar = PurchaseCalendar(window=4)
    slots = np.array([5, 6])
    calendar.schedule(slots, np.array([0, 0]))
    slots[:] = -1
    assert sorted(calendar.due(0).tolist()) == [5, 6]


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_same_arrays_other_seed_other_arrays() -> None:
    def run(seed: int):
        return simulate_cohort(BAKERY, 2_000, 60, 1.0, margin=1.5, discount_per_year=0.1, rng=seed)

    first, again, other = run(5), run(5), run(6)
    for name in ("purchases", "active", "per_step", "npv"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.purchases, other.purchases)


def test_results_are_read_only() -> None:
    cohort = simulate_cohort(BAKERY, 10, 5, 1.0, rng=1)
    with pytest.raises(ValueError, match="read-only"):
        cohort.purchases[0] = 7
