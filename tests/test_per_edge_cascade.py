"""Independent cascade with a probability per edge: closed forms, the weighted-cascade
and trivalency models, bad input, and cynetdiff's per-edge cascade on the same graph.

Statistical checks state their replicates; each passes when the mean is within 4
standard errors of the exact value (closed forms) or 3 combined standard errors of
cynetdiff's mean (the peer), the tolerances of :mod:`simulator.validation`.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from simulator.errors import ArgumentError
from simulator.validation import peer_available
from simulator.validation.cascades import TRIVALENCY, edge_probabilities, independent_cascade
from simulator.validation.graphs import networkx_csr
from simulator.validation.peers import _cynetdiff_sizes


def _csr(nodes, edges):
    """CSR of a directed edge list, rows in order, and the edges' order in ``indices``."""
    edges = np.array(edges)
    order = np.lexsort((edges[:, 1], edges[:, 0]))
    indptr = np.zeros(nodes + 1, np.int64)
    np.add.at(indptr, edges[:, 0] + 1, 1)
    return np.cumsum(indptr), edges[order, 1].astype(np.int32), order


def _within(sizes, exact, sigmas):
    se = sizes.std(ddof=1) / math.sqrt(sizes.size)
    assert abs(sizes.mean() - exact) <= sigmas * se, (sizes.mean(), exact, se)


def test_a_tree_and_a_diamond_match_their_exact_expected_size():
    # 0 -> 1 -> 2 -> 3 (a path), 0 -> 4 and 0 -> 5 (a star), and the diamond
    # 0 -> 6 -> 8, 0 -> 7 -> 8: node 8 is reached with 1 - (1 - p06 p68)(1 - p07 p78).
    edges = [(0, 1), (1, 2), (2, 3), (0, 4), (0, 5), (0, 6), (0, 7), (6, 8), (7, 8)]
    chance = np.array([0.9, 0.5, 0.2, 0.3, 0.7, 0.6, 0.4, 0.5, 0.8])
    indptr, indices, order = _csr(9, edges)
    exact = (
        1
        + 0.9
        + 0.9 * 0.5
        + 0.9 * 0.5 * 0.2
        + 0.3
        + 0.7
        + 0.6
        + 0.4
        + 1
        - (1 - 0.6 * 0.5) * (1 - 0.4 * 0.8)
    )
    sizes = independent_cascade(indptr, indices, [0], chance[order], replicates=20_000, rng=3)
    _within(sizes, exact, 4)  # 20,000 replicates
    # A uniform array is the uniform cascade: same distribution as the scalar kernel.
    uniform = independent_cascade(indptr, indices, [0], np.full(9, 0.5), replicates=20_000, rng=4)
    scalar = independent_cascade(indptr, indices, [0], 0.5, replicates=20_000, rng=5)
    se = math.hypot(uniform.std(ddof=1), scalar.std(ddof=1)) / math.sqrt(20_000)
    assert abs(uniform.mean() - scalar.mean()) <= 4 * se


def test_weighted_cascade_into_a_hub_matches_one_minus_e_to_the_minus_one():
    # k leaves point at a hub of in-degree k, each edge 1/k: the hub is reached with
    # probability 1 - (1 - 1/k)^k. 20,000 replicates.
    k = 8
    indptr, indices, _ = _csr(k + 1, [(leaf, 0) for leaf in range(1, k + 1)])
    chance = edge_probabilities(indptr, indices, "weighted_cascade")
    assert np.allclose(chance, 1 / k)
    sizes = independent_cascade(indptr, indices, np.arange(1, k + 1), chance, replicates=20_000)
    _within(sizes - k, 1 - (1 - 1 / k) ** k, 4)


def test_trivalency_draws_the_three_values_evenly():
    indptr, indices = networkx_csr(nx.watts_strogatz_graph(3_000, 10, 0.1, seed=1))
    chance = edge_probabilities(indptr, indices, "trivalency", rng=2)
    values, counts = np.unique(chance, return_counts=True)
    assert values.tolist() == sorted(TRIVALENCY)
    # each share is 1/3 within 4 binomial standard errors
    se = math.sqrt(chance.size * (1 / 3) * (2 / 3))
    assert np.all(np.abs(counts - chance.size / 3) <= 4 * se)


def test_bad_per_edge_probabilities_are_refused():
    indptr, indices = np.array([0, 1, 2, 2]), np.array([1, 2])
    with pytest.raises(ArgumentError, match="one probability per edge"):
        independent_cascade(indptr, indices, [0], np.array([0.5, 0.5, 0.5]))
    with pytest.raises(ArgumentError, match=r"probabilities in \[0, 1\]"):
        independent_cascade(indptr, indices, [0], np.array([1.0, 1.5]))
    with pytest.raises(ArgumentError, match="'method' parameter must be 'kernel'"):
        independent_cascade(indptr, indices, [0], np.array([1.0, 0.5]), method="engine")
    with pytest.raises(ArgumentError, match="'kind' parameter"):
        edge_probabilities(indptr, indices, "uniform")
    # the kernel's work arrays were dropped after the error: the next call is clean
    assert independent_cascade(
        indptr, indices, [0], np.array([1.0, 1.0]), replicates=2
    ).tolist() == [3, 3]


@pytest.mark.parametrize("kind", ["weighted_cascade", "trivalency"])
def test_per_edge_cascades_agree_with_cynetdiff(kind):
    if not peer_available("cynetdiff"):
        pytest.skip("cynetdiff is not installed (pip install cynetdiff)")
    # BA n = 3,000, m = 5, 20 seeds; 2,000 replicates each; within 3 combined SEs.
    graph = nx.barabasi_albert_graph(3_000, 5, seed=7)
    indptr, indices = networkx_csr(graph)
    chance = edge_probabilities(indptr, indices, kind, rng=8)
    seeds = np.sort(np.random.default_rng(9).choice(3_000, 20, replace=False))
    ours = independent_cascade(indptr, indices, seeds, chance, replicates=2_000, rng=10)
    theirs = _cynetdiff_sizes((indptr, indices), seeds, chance, 2_000, np.random.default_rng(11))
    se = math.hypot(ours.std(ddof=1), theirs.std(ddof=1)) / math.sqrt(2_000)
    assert abs(ours.mean() - theirs.mean()) <= 3 * se, (ours.mean(), theirs.mean(), se)
    assert ours.mean() > seeds.size + 5  # the cascade spreads: a wrong p would show
