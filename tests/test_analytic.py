"""Tests of the closed-form reference results in simulator.analytic."""

from __future__ import annotations

import dataclasses
import itertools
import math
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.special import lambertw

from simulator.analytic import (
    BassFit,
    bass_cumulative,
    bass_density,
    bass_discrete,
    bass_discrete_hazard,
    bass_peak_time,
    cascade_expected_size_path,
    cascade_expected_size_star,
    fit_bass,
    percolation_final_size,
)

# Meta-analytic means (Sultan, Farley & Lehmann 1990), annual; docs/CALIBRATION.md §1.2.
P_MEAN = 0.03
Q_MEAN = 0.38


# --------------------------------------------------------------------------------------
# Continuous Bass curve
# --------------------------------------------------------------------------------------


def test_bass_cumulative_starts_at_zero_and_tends_to_one() -> None:
    assert bass_cumulative(0.0, P_MEAN, Q_MEAN) == 0.0
    assert bass_cumulative(200.0, P_MEAN, Q_MEAN) == pytest.approx(1.0, abs=1e-12)


def test_bass_cumulative_matches_calibration_table() -> None:
    """docs/CALIBRATION.md §1.3: F(t) at t = 1..10 for p = 0.03, q = 0.38."""
    expected = [0.036, 0.085, 0.151, 0.233, 0.331, 0.439, 0.549, 0.652, 0.741, 0.813]
    values = bass_cumulative(np.arange(1.0, 11.0), P_MEAN, Q_MEAN)
    assert np.round(values, 3).tolist() == expected


@pytest.mark.parametrize(
    ("share", "years"),
    [(0.10, 2.25), (0.16, 3.13), (0.50, 6.55), (0.84, 10.46), (0.90, 11.76), (0.95, 13.57)],
)
def test_bass_time_to_share_matches_calibration(share: float, years: float) -> None:
    """docs/CALIBRATION.md §1.3: the times at which F reaches 10% ... 95%."""
    solved = brentq(lambda t: bass_cumulative(t, P_MEAN, Q_MEAN) - share, 0.0, 50.0)
    assert round(solved, 2) == years


def test_bass_peak_matches_calibration_and_closed_forms() -> None:
    peak = bass_peak_time(P_MEAN, Q_MEAN)
    assert round(peak, 2) == 6.19
    assert round(bass_cumulative(peak, P_MEAN, Q_MEAN), 4) == 0.4605
    assert bass_cumulative(peak, P_MEAN, Q_MEAN) == pytest.approx(
        (Q_MEAN - P_MEAN) / (2 * Q_MEAN), rel=1e-12
    )
    assert bass_density(peak, P_MEAN, Q_MEAN) == pytest.approx(
        (P_MEAN + Q_MEAN) ** 2 / (4 * Q_MEAN), rel=1e-12
    )
    assert round(bass_density(peak, P_MEAN, Q_MEAN), 4) == 0.1106


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.0047, 0.506), (0.2, 0.1), (0.01, 2.0)])
def test_bass_peak_time_is_argmax_of_density(p: float, q: float) -> None:
    times = np.linspace(0.0, 60.0, 600_001)
    grid_peak = times[np.argmax(bass_density(times, p, q))]
    assert grid_peak == pytest.approx(bass_peak_time(p, q), abs=2e-4)


def test_bass_peak_time_is_zero_when_imitation_does_not_exceed_innovation() -> None:
    assert bass_peak_time(0.5, 0.2) == 0.0
    assert bass_peak_time(0.3, 0.3) == 0.0
    assert bass_peak_time(0.3, 0.0) == 0.0
    # ... because the density is then non-increasing from launch.
    density = bass_density(np.linspace(0.0, 30.0, 3001), 0.5, 0.2)
    assert np.all(np.diff(density) <= 0.0)


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.0017, 0.399), (0.3, 0.0), (0.5, 3.0)])
def test_bass_density_is_derivative_of_cumulative(p: float, q: float) -> None:
    times = np.linspace(0.1, 30.0, 300)
    step = 1e-5
    central = (bass_cumulative(times + step, p, q) - bass_cumulative(times - step, p, q)) / (
        2 * step
    )
    np.testing.assert_allclose(central, bass_density(times, p, q), rtol=1e-6, atol=1e-10)


def test_bass_density_matches_explicit_closed_form() -> None:
    times = np.linspace(0.0, 25.0, 101)
    decay = np.exp(-(P_MEAN + Q_MEAN) * times)
    explicit = ((P_MEAN + Q_MEAN) ** 2 / P_MEAN) * decay / (1 + (Q_MEAN / P_MEAN) * decay) ** 2
    np.testing.assert_allclose(bass_density(times, P_MEAN, Q_MEAN), explicit, rtol=1e-12)


def test_bass_without_imitation_is_exponential() -> None:
    times = np.linspace(0.0, 20.0, 41)
    np.testing.assert_allclose(bass_cumulative(times, 0.2, 0.0), 1 - np.exp(-0.2 * times))
    np.testing.assert_allclose(bass_density(times, 0.2, 0.0), 0.2 * np.exp(-0.2 * times))


def test_bass_cumulative_keeps_shape_and_returns_float_for_scalars() -> None:
    grid = np.linspace(0.0, 10.0, 12).reshape(3, 4)
    assert bass_cumulative(grid, P_MEAN, Q_MEAN).shape == (3, 4)
    assert isinstance(bass_cumulative(3, P_MEAN, Q_MEAN), float)
    assert isinstance(bass_density(3.0, P_MEAN, Q_MEAN), float)


@settings(max_examples=200, deadline=None)
@given(
    p=st.floats(min_value=1e-5, max_value=1.0),
    q=st.floats(min_value=0.0, max_value=10.0),
    times=st.lists(st.floats(min_value=0.0, max_value=1e3), min_size=2, max_size=30),
)
def test_bass_cumulative_is_monotone_and_a_fraction(p: float, q: float, times: list) -> None:
    ordered = np.sort(np.asarray(times))
    values = bass_cumulative(ordered, p, q)
    assert np.all((values >= 0.0) & (values <= 1.0))
    assert np.all(np.diff(values) >= 0.0)
    assert np.all(bass_density(ordered, p, q) >= 0.0)


# --------------------------------------------------------------------------------------
# Discrete Bass maps
# --------------------------------------------------------------------------------------


def test_linear_discrete_map_lags_continuous_curve_by_0071() -> None:
    """docs/CALIBRATION.md §1.3: with dt = 1 year the lag peaks at 0.071 near t = 7."""
    discrete = bass_discrete(20, P_MEAN, Q_MEAN, dt=1.0)
    continuous = bass_cumulative(np.arange(21.0), P_MEAN, Q_MEAN)
    lag = continuous - discrete
    assert round(float(lag.max()), 3) == 0.071
    assert int(np.argmax(lag)) == 7


def test_linear_discrete_map_first_steps_and_market_size() -> None:
    fractions = bass_discrete(3, P_MEAN, Q_MEAN, dt=0.5)
    assert fractions[0] == 0.0
    assert fractions[1] == pytest.approx(P_MEAN * 0.5)
    second = fractions[1] + (P_MEAN + Q_MEAN * fractions[1]) * (1 - fractions[1]) * 0.5
    assert fractions[2] == pytest.approx(second)
    np.testing.assert_allclose(
        bass_discrete(30, P_MEAN, Q_MEAN, m=1000.0), 1000.0 * bass_discrete(30, P_MEAN, Q_MEAN)
    )
    assert bass_discrete(0, P_MEAN, Q_MEAN).tolist() == [0.0]


def test_linear_discrete_map_rejects_step_probability_above_one() -> None:
    with pytest.raises(ValueError, match=r"'dt' parameter of bass_discrete .* <= 1"):
        bass_discrete(5, 0.5, 0.6, dt=1.0)


def test_hazard_map_converges_to_continuous_curve() -> None:
    horizon = 15.0
    errors = {}
    for dt in (0.1, 0.01, 0.001):
        steps = round(horizon / dt)
        hazard = bass_discrete_hazard(steps, P_MEAN, Q_MEAN, dt=dt)
        continuous = bass_cumulative(np.arange(steps + 1) * dt, P_MEAN, Q_MEAN)
        errors[dt] = float(np.max(np.abs(hazard - continuous)))
    assert errors[0.01] < 0.002
    # First-order convergence: ten times smaller steps, about ten times smaller error.
    assert 8.0 < errors[0.1] / errors[0.01] < 12.0
    assert 8.0 < errors[0.01] / errors[0.001] < 12.0


def test_hazard_map_first_step_and_bounds_for_any_dt() -> None:
    hazard = bass_discrete_hazard(5, P_MEAN, Q_MEAN, dt=1.0)
    assert hazard[1] == pytest.approx(1 - math.exp(-P_MEAN))
    coarse = bass_discrete_hazard(50, 0.5, 3.0, dt=5.0)  # linear map would leave [0, 1]
    assert np.all((coarse >= 0.0) & (coarse <= 1.0))
    assert np.all(np.diff(coarse) >= 0.0)


def test_hazard_map_is_the_mean_of_an_agent_simulation() -> None:
    """A synchronous agent simulation with P = 1 - exp(-(p + q F) dt) follows the map.

    200 replicates of 20,000 agents, 15 yearly steps. The replicate mean of F_k differs
    from the map by sampling noise of order sqrt(F(1-F) / N / 200) <= 2.5e-4 plus a
    nonlinearity bias of order 1/N = 5e-5; we allow 4 standard errors plus 1e-4.
    """
    rng = np.random.default_rng(20031969)
    agents, replicates, steps = 20_000, 200, 15
    adopters = np.zeros(replicates, dtype=np.int64)
    trajectories = np.zeros((replicates, steps + 1))
    for k in range(steps):
        share = adopters / agents
        probability = -np.expm1(-(P_MEAN + Q_MEAN * share))
        adopters = adopters + rng.binomial(agents - adopters, probability)
        trajectories[:, k + 1] = adopters / agents
    mean = trajectories.mean(axis=0)
    standard_error = trajectories.std(axis=0, ddof=1) / math.sqrt(replicates)
    expected = bass_discrete_hazard(steps, P_MEAN, Q_MEAN)
    assert np.all(np.abs(mean - expected) <= 4 * standard_error + 1e-4)


# --------------------------------------------------------------------------------------
# Percolation limit of the independent cascade
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mean_degree", "transmissibility"),
    [(0.0, 0.5), (5.0, 0.0), (5.0, 0.2), (4.0, 0.1), (1.0, 1.0)],
)
def test_percolation_is_zero_at_and_below_threshold(
    mean_degree: float, transmissibility: float
) -> None:
    assert percolation_final_size(mean_degree, transmissibility) == 0.0


def test_percolation_known_value() -> None:
    size = percolation_final_size(5.0, 0.4)
    assert round(size, 4) == 0.7968
    assert size == pytest.approx(1 - math.exp(-2.0 * size), abs=1e-14)


@pytest.mark.parametrize("branching", [1.001, 1.1, 1.5, 2.0, 3.0, 7.5, 30.0, 800.0])
def test_percolation_matches_lambert_w(branching: float) -> None:
    # S = 1 + W0(-b exp(-b)) / b on the principal branch (Newman 2002, eq. for ER graphs).
    expected = 1 + lambertw(-branching * math.exp(-branching)).real / branching
    assert percolation_final_size(branching, 1.0) == pytest.approx(expected, rel=1e-9)


def test_percolation_just_above_threshold_follows_linear_asymptote() -> None:
    # Expanding S = 1 - exp(-bS) for b = 1 + eps gives S ~ 2 eps.
    for excess in (1e-3, 1e-5, 1e-7):
        size = percolation_final_size(1.0 + excess, 1.0)
        assert size == pytest.approx(2 * excess, rel=2 * excess + 1e-6)


def test_percolation_broadcasts_and_is_monotone() -> None:
    transmissibility = np.linspace(0.0, 1.0, 101)
    sizes = percolation_final_size(np.full((1, 101), 4.0), transmissibility)
    assert sizes.shape == (1, 101)
    assert np.all(np.diff(sizes[0]) >= 0.0)
    assert sizes[0, 25] == 0.0 and sizes[0, 26] > 0.0  # threshold at T = 1/c = 0.25


def test_percolation_matches_giant_component_of_simulated_graphs() -> None:
    """Bond percolation of G(n, c/n) keeping edges with probability T.

    20 replicates of n = 5,000 nodes, c = 5, T = 0.4. The giant-component fraction has a
    standard deviation of about 0.01 per graph; finite-size bias is O(1/n) = 2e-4. We
    allow 4 standard errors of the replicate mean plus 1e-3.
    """
    rng = np.random.default_rng(2002)
    nodes, mean_degree, transmissibility, replicates = 5_000, 5.0, 0.4, 20
    fractions = []
    for _ in range(replicates):
        graph = nx.fast_gnp_random_graph(nodes, mean_degree / (nodes - 1), seed=rng)
        edges = np.array(graph.edges())
        live = edges[rng.random(len(edges)) < transmissibility]
        percolated = nx.Graph()
        percolated.add_nodes_from(range(nodes))
        percolated.add_edges_from(live.tolist())
        giant = max(nx.connected_components(percolated), key=len)
        fractions.append(len(giant) / nodes)
    mean = float(np.mean(fractions))
    standard_error = float(np.std(fractions, ddof=1)) / math.sqrt(replicates)
    expected = percolation_final_size(mean_degree, transmissibility)
    assert abs(mean - expected) <= 4 * standard_error + 1e-3


# --------------------------------------------------------------------------------------
# Exact cascades on a path and a star
# --------------------------------------------------------------------------------------


def _brute_force_expected_size(
    n_nodes: int, edges: list[tuple[int, int]], seeds: list[int], p: Fraction
) -> Fraction:
    """Exact expected cascade size: average reach over all 2^|edges| live-edge worlds."""
    total = Fraction(0)
    for live_mask in itertools.product((False, True), repeat=len(edges)):
        live_count = sum(live_mask)
        weight = p**live_count * (1 - p) ** (len(edges) - live_count)
        if weight == 0:
            continue
        world = nx.Graph()
        world.add_nodes_from(range(n_nodes))
        world.add_edges_from(edge for edge, live in zip(edges, live_mask, strict=True) if live)
        reached = set().union(*(nx.node_connected_component(world, seed) for seed in seeds))
        total += weight * len(reached)
    return total


PROBABILITIES = [Fraction(0), Fraction(1, 4), Fraction(2, 3), Fraction(1)]


@pytest.mark.parametrize("n", range(1, 7))
@pytest.mark.parametrize("p", PROBABILITIES, ids=str)
def test_path_formula_matches_brute_force_over_all_worlds(n: int, p: Fraction) -> None:
    edges = [(node, node + 1) for node in range(n - 1)]
    for size in range(1, n + 1):
        for seeds in itertools.combinations(range(n), size):
            exact = _brute_force_expected_size(n, edges, list(seeds), p)
            formula = cascade_expected_size_path(n, float(p), list(seeds))
            assert formula == pytest.approx(float(exact), rel=1e-12, abs=1e-12), seeds


@pytest.mark.parametrize("n_leaves", range(1, 7))
@pytest.mark.parametrize("p", PROBABILITIES, ids=str)
@pytest.mark.parametrize("seed_at", ["centre", "leaf"])
def test_star_formula_matches_brute_force_over_all_worlds(
    n_leaves: int, p: Fraction, seed_at: str
) -> None:
    edges = [(0, leaf) for leaf in range(1, n_leaves + 1)]  # node 0 is the centre
    seed = 0 if seed_at == "centre" else 1
    exact = _brute_force_expected_size(n_leaves + 1, edges, [seed], p)
    formula = cascade_expected_size_star(n_leaves, float(p), seed_at=seed_at)
    assert formula == pytest.approx(float(exact), rel=1e-12, abs=1e-12)


def test_path_accepts_scalar_and_duplicate_seeds() -> None:
    assert cascade_expected_size_path(6, 0.4, 2) == cascade_expected_size_path(6, 0.4, [2])
    assert cascade_expected_size_path(6, 0.4, [2, 2, 4]) == cascade_expected_size_path(
        6, 0.4, (4, 2)
    )
    assert cascade_expected_size_path(6, 0.4, np.array([1, 3])) == pytest.approx(
        cascade_expected_size_path(6, 0.4, [1, 3])
    )


def _simulate_path_cascades(
    n: int, p: float, seeds: list[int], replicates: int, rng: np.random.Generator
) -> np.ndarray:
    """Final sizes of independent cascades on a path, simulated step by step.

    Each newly active node makes one attempt on each inactive neighbour, succeeding with
    probability p (Kempe, Kleinberg & Tardos 2003); replicates are the rows.
    """
    active = np.zeros((replicates, n), dtype=bool)
    active[:, seeds] = True
    newly = active.copy()
    while newly.any():
        to_right = newly[:, :-1] & (rng.random((replicates, n - 1)) < p)  # i -> i + 1
        to_left = newly[:, 1:] & (rng.random((replicates, n - 1)) < p)  # i + 1 -> i
        attempted = np.zeros_like(active)
        attempted[:, 1:] |= to_right
        attempted[:, :-1] |= to_left
        newly = attempted & ~active
        active |= newly
    return active.sum(axis=1)


@pytest.mark.parametrize(
    ("n", "p", "seeds"), [(12, 0.6, [2, 9]), (20, 0.8, [0]), (15, 0.35, [3, 4, 14])]
)
def test_path_formula_matches_monte_carlo(n: int, p: float, seeds: list[int]) -> None:
    """4,000 replicates; the sample mean must lie within 4 standard errors of the formula."""
    replicates = 4_000
    rng = np.random.default_rng([2003, n])
    sizes = _simulate_path_cascades(n, p, seeds, replicates, rng)
    standard_error = sizes.std(ddof=1) / math.sqrt(replicates)
    assert standard_error > 0
    assert abs(sizes.mean() - cascade_expected_size_path(n, p, seeds)) <= 4 * standard_error


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(min_value=1, max_value=40))
def test_path_size_is_bounded_and_monotone_in_p(data: st.DataObject, n: int) -> None:
    seeds = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5))
    low, high = sorted(data.draw(st.floats(0.0, 1.0)) for _ in range(2))
    smaller = cascade_expected_size_path(n, low, seeds)
    larger = cascade_expected_size_path(n, high, seeds)
    assert len(set(seeds)) - 1e-12 <= smaller <= larger + 1e-12
    assert larger <= n + 1e-12
    assert cascade_expected_size_path(n, 0.0, seeds) == len(set(seeds))
    assert cascade_expected_size_path(n, 1.0, seeds) == n


def test_star_closed_forms() -> None:
    assert cascade_expected_size_star(10, 0.1) == pytest.approx(2.0)
    assert cascade_expected_size_star(10, 0.1, seed_at="leaf") == pytest.approx(1.19)
    assert cascade_expected_size_star(4, 1.0, seed_at="leaf") == 5.0


# --------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("market_size", [None, 1000.0])
def test_fit_bass_recovers_parameters_from_noiseless_curve(market_size: float | None) -> None:
    times = np.linspace(0.0, 15.0, 16)
    adopters = 1000.0 * bass_cumulative(times, P_MEAN, Q_MEAN)
    fit = fit_bass(times, adopters, market_size=market_size)
    assert fit.p == pytest.approx(P_MEAN, rel=1e-4)
    assert fit.q == pytest.approx(Q_MEAN, rel=1e-4)
    assert fit.market_size == pytest.approx(1000.0, rel=1e-4)
    assert fit.rmse < 1e-6
    assert fit.peak_time == pytest.approx(bass_peak_time(P_MEAN, Q_MEAN), rel=1e-4)
    np.testing.assert_allclose(fit.curve(times), adopters, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("p", "q", "market", "times"),
    [
        (0.0047, 0.506, 5e6, np.arange(1.0, 21.0)),  # cell phones; data start after launch
        (0.0212, 0.270, 1.0, np.linspace(0.0, 25.0, 26)),  # cable TV, as fractions
        (0.2, 0.05, 300.0, np.arange(0.0, 12.0)),  # innovation-led: no interior peak
    ],
)
def test_fit_bass_recovers_other_curves(
    p: float, q: float, market: float, times: np.ndarray
) -> None:
    fit = fit_bass(times, market * bass_cumulative(times, p, q))
    assert fit.p == pytest.approx(p, rel=1e-4)
    assert fit.q == pytest.approx(q, rel=1e-4)
    assert fit.market_size == pytest.approx(market, rel=1e-4)


def test_fit_bass_on_noisy_curve_is_close() -> None:
    rng = np.random.default_rng(1969)
    times = np.arange(0.0, 16.0)
    noisy = 1000.0 * bass_cumulative(times, P_MEAN, Q_MEAN) + rng.normal(0.0, 3.0, times.size)
    noisy = np.maximum.accumulate(np.clip(noisy, 0.0, None))
    fit = fit_bass(times, noisy)
    assert fit.p == pytest.approx(P_MEAN, rel=0.15)
    assert fit.q == pytest.approx(Q_MEAN, rel=0.1)
    assert fit.market_size == pytest.approx(1000.0, rel=0.05)
    assert 0.5 < fit.rmse < 6.0


def test_bass_fit_is_frozen() -> None:
    fit = BassFit(p=0.03, q=0.38, market_size=1.0, rmse=0.0, peak_time=6.19)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.p = 0.1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("t", "cumulative", "kwargs", "pattern"),
    [
        ([0, 1, 2], [0, 1], {}, r"'t' and 'cumulative' .* same length\. Got lengths 3 and 2"),
        ([0, 1], [0, 1], {}, r"at least 3 points .* Got 2 instead"),
        ([0, 1, 2, 3], [0, 5, 4, 6], {}, r"'cumulative' .* non-decreasing .* Got a drop"),
        ([0, 1, 2], [0, -1, 2], {}, r"'cumulative' .* non-negative .* Got"),
        ([0, 1, np.nan], [0, 1, 2], {}, r"'t' .* finite values\. Got an array containing nan"),
        ([0, 1, 2], [0, np.inf, 2], {}, r"'cumulative' .* finite values\. Got .*inf"),
        ([0, 2, 1], [0, 1, 2], {}, r"'t' .* strictly increasing .* Got"),
        ([0, 1, 2], [0, 0, 0], {}, r"'cumulative' .* some adopters to fit\. Got all zeros"),
        ([0, 1, 2], [0, 1, 2], {"market_size": 0.0}, r"'market_size' .* \(0, inf\)\. Got 0\.0"),
        ([[0, 1, 2]], [0, 1, 2], {}, r"'t' .* 1-D array .* shape \(1, 3\)"),
    ],
)
def test_fit_bass_rejects_bad_input(t, cumulative, kwargs, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        fit_bass(t, cumulative, **kwargs)


# --------------------------------------------------------------------------------------
# Argument validation
# --------------------------------------------------------------------------------------


def test_error_message_follows_house_style() -> None:
    with pytest.raises(ValueError) as error:
        bass_cumulative(1.0, -1, 0.38)
    assert str(error.value) == (
        "The 'p' parameter of bass_cumulative must be a float in the range (0, inf). "
        "Got -1 instead."
    )


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: bass_cumulative(1.0, 0.0, 0.3), r"'p' parameter of bass_cumulative .* Got 0\.0"),
        (lambda: bass_cumulative(1.0, 0.03, -0.1), r"'q' .* \[0, inf\)\. Got -0\.1"),
        (lambda: bass_cumulative(1.0, np.nan, 0.3), r"'p' .* Got nan"),
        (lambda: bass_cumulative(1.0, True, 0.3), r"'p' .* Got True"),
        (lambda: bass_cumulative([1.0, -2.0], 0.03, 0.3), r"'t' .* \[0, inf\).* -2\.0"),
        (lambda: bass_density(np.inf, 0.03, 0.3), r"'t' parameter of bass_density .* inf"),
        (lambda: bass_peak_time(0.03, "0.3"), r"'q' parameter of bass_peak_time .* '0\.3'"),
        (lambda: bass_discrete(-1, 0.03, 0.38), r"'steps' .* int .* Got -1"),
        (lambda: bass_discrete(5.0, 0.03, 0.38), r"'steps' .* int .* Got 5\.0"),
        (lambda: bass_discrete(5, 0.03, 0.38, m=0), r"'m' .* \(0, inf\)\. Got 0"),
        (lambda: bass_discrete_hazard(5, 0.03, 0.38, dt=0), r"'dt' .* \(0, inf\)\. Got 0"),
        (lambda: percolation_final_size(-1.0, 0.5), r"'mean_degree' .* \[0, inf\)"),
        (lambda: percolation_final_size(5.0, 1.5), r"'transmissibility' .* \[0, 1\]\. Got 1\.5"),
        (lambda: percolation_final_size([1, 2], [0.1, 0.2, 0.3]), r"broadcastable shapes"),
        (lambda: cascade_expected_size_path(0, 0.5, [0]), r"'n' .* \[1, inf\)\. Got 0"),
        (lambda: cascade_expected_size_path(5, 1.2, [0]), r"'p' .* \[0, 1\]\. Got 1\.2"),
        (lambda: cascade_expected_size_path(5, 0.5, [5]), r"'seeds' .* \[0, 4\]\. Got \[5\]"),
        (lambda: cascade_expected_size_path(5, 0.5, []), r"'seeds' .* non-empty"),
        (lambda: cascade_expected_size_path(5, 0.5, [1.5]), r"'seeds' .* ints"),
        (lambda: cascade_expected_size_star(0, 0.5), r"'n_leaves' .* Got 0"),
        (
            lambda: cascade_expected_size_star(3, 0.5, seed_at="center"),
            r"'seed_at' .* \{'centre', 'leaf'\}\. Got 'center'",
        ),
    ],
)
def test_invalid_arguments_raise_clear_errors(call, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        call()


def test_fit_bass_is_never_worse_than_scipy_least_squares() -> None:
    """The variable-projection fit reaches at least the least-squares optimum that scipy's
    trust-region reflective solver finds from the classic start, on 60 noisy curves."""
    from scipy.optimize import least_squares

    rng = np.random.default_rng(1986)
    for _ in range(60):
        p, q = 10 ** rng.uniform(-3.5, -0.5), 10 ** rng.uniform(-1.5, 0.6)
        market = 10 ** rng.uniform(1, 4)
        times = np.linspace(0.0, rng.uniform(5.0, 30.0), int(rng.integers(8, 80)))
        clean = market * bass_cumulative(times, p, q)
        noisy = clean + rng.normal(0.0, 0.01 * market, times.size)
        noisy = np.maximum.accumulate(np.clip(noisy, 0.0, None))
        if noisy.max() <= 0:
            continue
        scale = noisy.max()
        reference = least_squares(
            lambda x, t=times, y=noisy, s=scale: (x[2] * bass_cumulative(t, x[0], x[1]) - y) / s,
            [0.01, 0.3, 1.2],
            bounds=([1e-6, 0.0, 1e-12], [1.0, 10.0, np.inf]),
            x_scale="jac",
        )
        reference_rmse = np.sqrt(np.mean((reference.fun * scale) ** 2))
        fit = fit_bass(times, noisy)
        assert fit.rmse <= reference_rmse * (1 + 1e-6) + 1e-9 * scale
