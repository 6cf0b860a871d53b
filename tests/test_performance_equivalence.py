"""Fast paths agree with the reference implementations they replace.

* Same algorithm, other code: identical arrays (CSR compilation; several processes).
* Other algorithm, same model: the same distribution. Each statistical check states its
  replicates and fails when two means differ by more than 4 combined standard errors
  (a false alarm about once in 16,000 checks); each also checks something a wrong fast
  path would get visibly wrong (a bias of a few standard errors).
"""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest

from simulator import analytic
from simulator import config as cfg
from simulator.engine.messages import bernoulli_positions, sample_edges
from simulator.engine.run import block_sizes, prepare, run_block, simulate
from simulator.errors import ArgumentError
from simulator.results import StrategyResult
from simulator.town.network import layers
from simulator.town.network.layers import compile_csr
from simulator.validation.cascades import bass_scenario, independent_cascade, linear_threshold
from tests.conftest import small_scenario


def _agree(a, b, *, sigmas=4.0):
    """Means of two samples of replicates agree within ``sigmas`` combined SEs."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    se = np.hypot(a.std(ddof=1) / np.sqrt(a.size), b.std(ddof=1) / np.sqrt(b.size))
    assert abs(a.mean() - b.mean()) <= sigmas * se + 1e-12, (a.mean(), b.mean(), se)


@pytest.fixture(scope="module")
def graph():
    """A connected small-world digraph (both directions), 400 nodes, mean degree 8."""
    undirected = nx.connected_watts_strogatz_graph(400, 8, 0.2, seed=3)
    edges = np.array(undirected.edges())
    indptr, indices, _ = compile_csr(
        400, edges[:, 0], edges[:, 1], np.zeros(len(edges), np.int8), mutual=True
    )
    return indptr, indices


# --------------------------------------------------------------------------- cascades


@pytest.mark.parametrize("p", [0.08, 0.15, 0.4])
def test_independent_cascade_kernel_matches_the_engine(graph, p):
    # 3000 kernel replicates against 600 engine replicates: final sizes and edge trials.
    # p = 0.15 is near this graph's epidemic threshold, where a wrong p shows most.
    kernel_sizes, kernel_trials = independent_cascade(
        *graph, [0, 50, 100], p, replicates=3000, rng=1, return_trials=True
    )
    engine_sizes, engine_trials = independent_cascade(
        *graph, [0, 50, 100], p, replicates=600, rng=2, return_trials=True, method="engine"
    )
    _agree(kernel_sizes, engine_sizes)
    _agree(kernel_trials, engine_trials)
    degree = np.diff(graph[0])
    assert kernel_trials.min() >= degree[[0, 50, 100]].sum()  # the seeds always talk


def test_linear_threshold_kernel_matches_the_engine(graph):
    # 3000 kernel replicates against 600 engine replicates.
    kernel_sizes, kernel_trials = linear_threshold(
        *graph, [0, 1, 2, 3, 200], replicates=3000, rng=3, return_trials=True
    )
    engine_sizes, engine_trials = linear_threshold(
        *graph, [0, 1, 2, 3, 200], replicates=600, rng=4, return_trials=True, method="engine"
    )
    _agree(kernel_sizes, engine_sizes)
    _agree(kernel_trials, engine_trials)


def test_engine_reference_matches_exact_path_expectation():
    # The engine path stays validated on its own: 2000 replicates on a path of 12, p = 0.6,
    # against the exact expected size; tolerance 4 standard errors.
    n, p = 12, 0.6
    pairs = np.array([(i, i + 1) for i in range(n - 1)])
    indptr, indices, _ = compile_csr(
        n, pairs[:, 0], pairs[:, 1], np.zeros(n - 1, np.int8), mutual=True
    )
    sizes = independent_cascade(indptr, indices, [3], p, replicates=2000, rng=5, method="engine")
    expected = analytic.cascade_expected_size_path(n, p, [3])
    assert abs(sizes.mean() - expected) <= 4 * sizes.std(ddof=1) / np.sqrt(sizes.size)


def test_kernels_reject_malformed_csr_where_they_read_it():
    with pytest.raises(ArgumentError, match="indices must be node ids"):
        independent_cascade(np.array([0, 1, 2]), np.array([1, 7]), [0], 1.0, replicates=1)
    with pytest.raises(ArgumentError, match="indptr must never decrease"):
        linear_threshold(np.array([0, 2, 1]), np.array([1, 0]), [0], replicates=1)
    with pytest.raises(ArgumentError, match="seeds must be node ids"):
        independent_cascade(np.array([0, 1, 2]), np.array([1, 0]), [5], 0.5)


def test_threshold_weights_follow_the_graph_not_a_stale_workspace():
    # Same size, other graph: node 1 has in-degree 1 in the first and 2 in the second,
    # so with seed 0 it adopts always, then with probability 1/2 (its weight). 4000
    # replicates; tolerance 4 standard errors (a stale weight gives 2.0, 25 SE away).
    star = (np.array([0, 3, 3, 3, 3]), np.array([1, 2, 3]))
    assert linear_threshold(*star, [0], replicates=10, rng=1).tolist() == [4] * 10
    fan_in = (np.array([0, 1, 1, 2, 2]), np.array([1, 1]))  # 0 -> 1 and 2 -> 1
    sizes = linear_threshold(*fan_in, [0], replicates=4000, rng=2)
    assert abs(sizes.mean() - 1.5) <= 4 * sizes.std(ddof=1) / np.sqrt(sizes.size)
    # After a kernel error the work arrays are rebuilt, and results are exact again.
    with pytest.raises(ArgumentError):
        linear_threshold(np.array([0, 3, 3, 3, 3]), np.array([1, 2, 9]), [0], replicates=3)
    assert linear_threshold(*star, [0], replicates=10, rng=1).tolist() == [4] * 10


def test_cascades_reproduce_with_the_same_rng(graph):
    first = independent_cascade(*graph, [0], 0.2, replicates=50, rng=9, return_trials=True)
    again = independent_cascade(*graph, [0], 0.2, replicates=50, rng=9, return_trials=True)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    other = independent_cascade(*graph, [0], 0.2, replicates=50, rng=10)
    assert not np.array_equal(first[0], other)


# --------------------------------------------------------------------------- sampling


@pytest.mark.parametrize("probability", [0.001, 0.02, 0.3])
def test_bernoulli_positions_are_bernoulli(probability):
    # 400 sequences of 5000 trials: the count is Binomial(5000, p) (mean within 4 SE),
    # and positions are uniform (their mean is total / 2 within 4 SE).
    rng = np.random.default_rng(7)
    total = 5000
    runs = [bernoulli_positions(total, probability, rng) for _ in range(400)]
    counts = np.array([r.size for r in runs])
    mean, se = total * probability, np.sqrt(total * probability * (1 - probability) / 400)
    assert abs(counts.mean() - mean) <= 4 * se
    positions = np.concatenate(runs)
    assert positions.min() >= 0 and positions.max() < total
    assert all(np.all(np.diff(r) > 0) for r in runs)  # distinct, in order
    spread = total / np.sqrt(12 * positions.size)
    assert abs(positions.mean() - (total - 1) / 2) <= 4 * spread


def test_sample_edges_keeps_each_edge_with_the_probability(graph):
    # 2000 draws over the edges of 20 speakers: each edge's frequency is Binomial(2000, p).
    indptr, _ = graph
    speakers = np.arange(0, 400, 20)
    rng = np.random.default_rng(8)
    total = int((indptr[speakers + 1] - indptr[speakers]).sum())
    hits = np.zeros(indptr[-1], np.int64)
    for _ in range(2000):
        edges, owner = sample_edges(indptr, speakers, 0.1, rng)
        assert np.all((edges >= indptr[speakers[owner]]) & (edges < indptr[speakers[owner] + 1]))
        np.add.at(hits, edges, 1)
    kept = hits[hits > 0]
    assert kept.size == total  # every edge of a speaker, and only those, gets kept
    se = np.sqrt(2000 * 0.1 * 0.9)
    assert np.all(np.abs(kept - 200) <= 5 * se)
    assert abs(kept.mean() - 200) <= 4 * se / np.sqrt(total)


# --------------------------------------------------------------------------- engine rules


def _reference_and_fast(scenario):
    """``simulate`` (the fast paths), and every block run again on the reference paths."""
    sizes = block_sizes(scenario.simulation.replicates, scenario.simulation.block_size)
    reference = []
    for prepared in prepare(scenario):
        blocks = [
            run_block(prepared, block, replicates, reference=True)
            for block, replicates in enumerate(sizes)
        ]
        merged = {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}
        reference.append(StrategyResult.from_arrays(prepared, merged))
    return simulate(scenario), SimpleNamespace(strategies=reference)


def test_independent_rule_thinning_matches_one_draw_per_exposure():
    # 240 replicates of a village of 600 over a month, word of mouth after free samples
    # and after social ads: adopters, aware, word-of-mouth adoptions and rejecters.
    data = small_scenario(replicates=240, block_size=60).model_dump()
    data["strategies"] = [
        {"name": "samples", "channels": ["free_samples"]},
        {"name": "ads", "channels": ["facebook_ads"]},
    ]
    data["channels"]["facebook_ads"]["persuasion"] = 0.05  # enough ad adoptions to compare
    data["word_of_mouth"]["persuasion"] = 0.2
    data["product"]["quality"] = 0.6  # detractors, hence rejecters
    fast, reference = _reference_and_fast(cfg.validate_scenario(data))
    wom = cfg.SOURCE_TYPES.index("word_of_mouth")
    for a, b in zip(fast.strategies, reference.strategies, strict=True):
        for name in ("adopters", "aware", "rejecters"):
            _agree(a.series[name][:, -1], b.series[name][:, -1])
        _agree(a.by_source[:, wom], b.by_source[:, wom])
        _agree(a.direct, b.direct)
    assert fast.strategies[1].direct.mean() > 1  # the ads did tip people directly


def test_bass_counts_match_the_per_person_hazard():
    # Well-mixed bass, N = 2000, dt = 0.05 year for 8 years, 120 replicates: adopters at
    # four times and the background / word-of-mouth attribution.
    scenario = bass_scenario(2000, 0.03, 0.38, dt=0.05, years=8, replicates=120, block_size=60)
    fast, reference = _reference_and_fast(scenario)
    a, b = fast.strategies[0], reference.strategies[0]
    for step in (20, 60, 100, 160):
        _agree(a.series["adopters"][:, step], b.series["adopters"][:, step])
    for source in ("background", "word_of_mouth"):
        index = cfg.SOURCE_TYPES.index(source)
        _agree(a.by_source[:, index], b.by_source[:, index])
    assert np.array_equal(a.series["aware"][:, -1], np.full(120, 2000))


def test_bass_counts_with_a_channel_match_the_per_person_hazard():
    # Well-mixed bass with newspaper ads on top, N = 1500, 90 daily steps, 120 replicates:
    # the channel's share of adoptions must survive the count-based path.
    data = bass_scenario(
        1500, 0.3, 3.0, dt=1 / 365, years=90 / 365, replicates=120, block_size=60
    ).model_dump()
    data["channels"] = {"newspaper": {"kind": "newspaper", "budget": 5000.0, "persuasion": 0.3}}
    data["population"]["segments"][0]["media"] = {"newspaper": 0.6}
    data["strategies"] = [{"name": "bass", "channels": ["newspaper"]}]
    fast, reference = _reference_and_fast(cfg.validate_scenario(data))
    a, b = fast.strategies[0], reference.strategies[0]
    _agree(a.series["adopters"][:, -1], b.series["adopters"][:, -1])
    _agree(a.by_channel[:, 0], b.by_channel[:, 0])
    _agree(a.series["aware"][:, 30], b.series["aware"][:, 30])
    assert a.by_channel[:, 0].mean() > 5


# --------------------------------------------------------------------------- identical arrays


@pytest.mark.parametrize("mutual", [False, True])
def test_compiled_csr_equals_the_numpy_csr(monkeypatch, mutual):
    rng = np.random.default_rng(11)
    for size in (1, 7, 300):
        speakers = rng.integers(0, size, 5000)
        listeners = rng.integers(0, size, 5000).astype(np.int32)
        tie = rng.integers(0, 4, 5000).astype(np.int8)
        monkeypatch.setattr(layers, "COMPILED_ABOVE", 10**12)
        by_numpy = compile_csr(size, speakers, listeners, tie, mutual=mutual)
        monkeypatch.setattr(layers, "COMPILED_ABOVE", 0)
        compiled = compile_csr(size, speakers, listeners, tie, mutual=mutual)
        for a, b in zip(by_numpy, compiled, strict=True):
            assert a.dtype == b.dtype and np.array_equal(a, b)


def test_aware_counts_match_the_state():
    # The engine counts newly aware people without sorting; the counts must equal the
    # people whose state left "unaware", replicate by replicate.
    scenario = small_scenario(replicates=8, block_size=8)
    prepared = prepare(scenario)[3]  # social ads: many repeated impressions per person
    states: list[np.ndarray] = []
    output = run_block(prepared, 0, 8, observe=lambda state: states.append(state.copy()))
    assert len(states) >= 2  # before the first step, and after each step run
    unaware = (states[-1].reshape(8, -1) == 0).sum(axis=1)
    assert np.array_equal(output["aware"][:, -1], scenario.population.size - unaware)


def test_two_processes_give_the_one_process_result():
    # 3 strategies x 3 blocks, shared by this process and one helper: bit for bit.
    data = small_scenario(replicates=9, block_size=3).model_dump()
    data["strategies"] = data["strategies"][:3]
    scenario = cfg.validate_scenario(data)
    one = simulate(scenario)
    two = simulate(scenario, workers=2)
    for a, b in zip(one.strategies, two.strategies, strict=True):
        assert a.name == b.name
        for name in a.series:
            assert np.array_equal(a.series[name], b.series[name])
        for name in ("impressions", "reach", "cost", "by_source", "by_channel", "messages"):
            assert np.array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize(
    ("workers", "message"),
    [
        (0, "workers must be at least 1, got 0"),
        (2.0, "workers must be a whole number of processes, got 2.0"),
        (True, "workers must be a whole number of processes, got True"),
        (10**6, "workers 1000000: at most"),
    ],
)
def test_workers_must_be_a_sensible_whole_number(workers, message):
    with pytest.raises(cfg.ConfigError, match=message):
        simulate(small_scenario(), workers=workers)


def test_blocks_run_alone_equal_blocks_run_together():
    scenario = small_scenario(replicates=6, block_size=3)
    prepared = prepare(scenario)[0]
    together = simulate(scenario).strategies[0].series["adopters"]
    alone = np.concatenate([run_block(prepared, 1, 3)["adopters"]])
    assert np.array_equal(together[3:], alone)
