"""Each adoption rule reduces to its classic model; checked against exact expectations.

Tolerances come from the standard error of the replicate mean (stated per test): a check
fails when the simulated mean is more than 4 standard errors from the exact value.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator import analytic
from simulator.engine.run import simulate
from simulator.town.network.layers import compile_csr
from simulator.validation.cascades import bass_scenario, independent_cascade, linear_threshold


def _undirected(size, edges):
    edges = np.asarray(edges)
    src = np.r_[edges[:, 0], edges[:, 1]]
    dst = np.r_[edges[:, 1], edges[:, 0]]
    indptr, indices, _ = compile_csr(size, src, dst, np.zeros(src.size, np.int8))
    return indptr, indices


def _path(n):
    return _undirected(n, [(i, i + 1) for i in range(n - 1)])


def _star(leaves):
    return _undirected(leaves + 1, [(0, i) for i in range(1, leaves + 1)])


def _within_4_se(sizes, expected):
    se = sizes.std(ddof=1) / np.sqrt(sizes.size)
    assert abs(sizes.mean() - expected) <= 4 * se, (sizes.mean(), expected, se)


@pytest.mark.parametrize(("n", "p", "seeds"), [(12, 0.5, [1]), (12, 0.7, [0, 8]), (30, 0.9, [15])])
def test_independent_rule_on_a_path_matches_exact_expectation(n, p, seeds):
    # 4000 replicates; tolerance 4 standard errors of the mean final size.
    sizes = independent_cascade(*_path(n), seeds, p, replicates=4000, rng=11)
    _within_4_se(sizes, analytic.cascade_expected_size_path(n, p, seeds))


@pytest.mark.parametrize(
    ("leaves", "p", "seed_at"), [(20, 0.3, "centre"), (20, 0.3, "leaf"), (50, 0.6, "leaf")]
)
def test_independent_rule_on_a_star_matches_exact_expectation(leaves, p, seed_at):
    # 4000 replicates; tolerance 4 standard errors.
    seeds = [0] if seed_at == "centre" else [3]
    sizes = independent_cascade(*_star(leaves), seeds, p, replicates=4000, rng=12)
    _within_4_se(sizes, analytic.cascade_expected_size_star(leaves, p, seed_at=seed_at))


def test_independent_rule_with_certain_transmission_reaches_the_component():
    sizes = independent_cascade(*_path(25), [4], 1.0, replicates=5, rng=0)
    assert sizes.tolist() == [25] * 5


def test_threshold_rule_on_a_star_is_linear_threshold():
    # Centre seed: every leaf has in-weight 1 >= threshold, so all adopt (exact).
    assert linear_threshold(*_star(15), [0], replicates=20, rng=1).tolist() == [16] * 20
    # Leaf seed: the centre adopts iff its U[0,1] threshold <= 1/15, then every leaf does:
    # E[size] = 1 + (1/15) * 15 = 2. 4000 replicates, tolerance 4 standard errors.
    sizes = linear_threshold(*_star(15), [3], replicates=4000, rng=2)
    assert set(np.unique(sizes).tolist()) <= {1, 16}
    _within_4_se(sizes, 2.0)


def test_bass_rule_matches_the_discrete_bass_map():
    # Well-mixed, N = 10,000, dt = 1 year, one block of 50 replicates. The mean-field map of
    # P = 1 - exp(-(p + qF) dt) is the expectation up to O(1/N); tolerance 4 standard
    # errors of the mean adopter share at each year.
    replicates, size = 50, 10_000
    result = simulate(bass_scenario(size, 0.03, 0.38, dt=1.0, years=15, replicates=replicates))
    share = result.strategies[0].series["adopters"] / size
    expected = analytic.bass_discrete_hazard(15, 0.03, 0.38, dt=1.0)
    se = share.std(axis=0, ddof=1) / np.sqrt(replicates)
    assert np.all(np.abs(share.mean(axis=0) - expected) <= 4 * se + 1e-12)
    # ... and it is not the continuous curve, which it lags by about 0.1 at dt = 1.
    continuous = analytic.bass_cumulative(np.arange(16.0), 0.03, 0.38)
    assert np.abs(share.mean(axis=0) - continuous).max() > 0.05
