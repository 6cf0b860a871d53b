"""The step loop's compiled kernels give exactly what the numpy passes they replace give.

Each kernel is checked value for value against the numpy expression on random inputs,
and whole runs (the default scenario with its lifecycle and response, and an
independent cascade) are run twice, once with every pass compiled and once with none:
the outputs must be identical arrays.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simulator import config as cfg
from simulator.engine import adoption, adstock, block, kernels, lifecycle, messages, talk
from simulator.engine.run import simulate
from simulator.validation.cascades import cascade_scenario
from simulator.validation.graphs import networkx_csr
from tests.conftest import small_scenario


def test_edge_owners_match_searchsorted():
    rng = np.random.default_rng(1)
    degree = rng.integers(0, 6, 500)  # zero-degree speakers included
    starts = rng.integers(0, 10_000, 500)
    ends = np.cumsum(degree)
    positions = np.sort(rng.choice(int(ends[-1]), 700, replace=False))
    owner = np.searchsorted(ends, positions, side="right")
    edges = starts[owner] + positions - (ends[owner] - degree[owner])
    got_edges, got_owner = kernels.edge_owners(starts, degree, positions)
    assert np.array_equal(got_owner, owner) and np.array_equal(got_edges, edges)
    all_edges, all_owner = kernels.all_edges(starts, degree, int(ends[-1]))
    positions = np.arange(int(ends[-1]))
    owner = np.searchsorted(ends, positions, side="right")
    assert np.array_equal(all_owner, owner)
    assert np.array_equal(all_edges, starts[owner] + positions - (ends[owner] - degree[owner]))


def test_first_per_target_matches_a_stable_lexsort():
    rng = np.random.default_rng(2)
    target = rng.integers(0, 300, 5_000)
    key = rng.integers(0, 50, 5_000).astype(np.float64)  # many ties: the earlier index wins
    slot = np.full(300, -1, np.int32)
    assert np.array_equal(
        kernels.first_per_target(target, key, slot), adoption.first_per_target(target, key)
    )
    assert (slot == -1).all()


def test_thinning_kernels_match_numpy():
    rng = np.random.default_rng(3)
    size, count = 50, 4_000
    state = rng.integers(0, 5, 4 * size).astype(np.int8)
    target = rng.integers(0, 4 * size, count)
    strength = rng.random(count).astype(np.float32)
    valence = np.where(rng.random(count) < 0.3, -1, 1).astype(np.int8)
    interest = rng.random(size).astype(np.float32)
    candidate = np.sort(rng.choice(count, 1_500, replace=False))
    kept = candidate[state[target[candidate]] <= adoption.AWARE]
    assert np.array_equal(kernels.open_candidates(candidate, target, state, adoption.AWARE), kept)
    uniforms, bound, impact = rng.random(kept.size), 0.8, 1.7
    scale = np.where(valence[kept] > 0, 1.0, impact)
    p = np.minimum(strength[kept] * interest[target[kept] % size] * scale, 1.0)
    expected = kept[uniforms * bound < p]
    got = kernels.thinned_successes(
        kept, uniforms, bound, target, strength, valence, interest, size, impact
    )
    assert np.array_equal(got, expected) and expected.size > 100


def test_edge_messages_and_mark_aware_match_numpy():
    rng = np.random.default_rng(4)
    size, reps = 40, 5
    indices = rng.integers(0, size, 300).astype(np.int32)
    tie = rng.integers(0, 3, 300).astype(np.int8)
    tie_strength = np.array([0.2, 0.5, 0.9], np.float32)
    tie_source = np.array([4, 5, 6], np.int8)
    speakers = rng.choice(size * reps, 30, replace=False)
    owner = np.sort(rng.integers(0, 30, 200))
    edges = rng.integers(0, 300, 200)
    counted = np.zeros(reps, np.int64)
    target, strength, source = kernels.edge_messages(
        speakers, owner, edges, size, indices, tie, tie_strength, tie_source, counted
    )
    sender = speakers[owner]
    assert np.array_equal(target, sender // size * size + indices[edges])
    assert np.array_equal(strength, tie_strength[tie[edges]])
    assert np.array_equal(source, tie_source[tie[edges]])
    assert np.array_equal(counted, np.bincount(sender // size, minlength=reps))
    indptr = np.concatenate([[0], np.cumsum(rng.integers(0, 15, size))]).astype(np.int64)
    indptr = np.minimum(indptr, 300)
    speakers = rng.choice(size * reps, 30, replace=False)
    starts, degree = indptr[speakers % size], np.diff(indptr)[speakers % size]
    edges, owner = kernels.all_edges(starts, degree, int(degree.sum()))
    counted, fused_counts = np.zeros(reps, np.int64), np.zeros(reps, np.int64)
    expected = kernels.edge_messages(
        speakers, owner, edges, size, indices, tie, tie_strength, tie_source, counted
    )
    fused = kernels.speaker_messages(
        speakers, indptr, size, indices, tie, tie_strength, tie_source, -1, fused_counts
    )
    assert all(np.array_equal(a, b) for a, b in zip(fused[:3], expected, strict=True))
    assert (fused[3] == -1).all() and (fused[4] == -1).all() and fused[0].size > 50
    assert np.array_equal(fused_counts, counted)
    state = rng.integers(0, 3, size * reps).astype(np.int8)
    expected_state, counts = state.copy(), np.zeros(reps, np.int64)
    fresh = np.unique(target[expected_state[target] == adoption.UNAWARE])
    expected_state[fresh] = adoption.AWARE
    kernels.mark_aware(state, target, counts, size, adoption.UNAWARE, adoption.AWARE)
    assert np.array_equal(state, expected_state)
    assert np.array_equal(counts, np.bincount(fresh // size, minlength=reps))


def _run(scenario, graphs, monkeypatch, threshold):
    for module in (messages, block, adoption, adstock, lifecycle, talk):
        monkeypatch.setattr(module, "COMPILED_ABOVE", threshold)
    result = simulate(scenario, graphs=graphs)
    return [
        array
        for strategy in result.strategies
        for array in (*strategy.series.values(), strategy.messages, strategy.cost)
    ]


@pytest.mark.parametrize("response", [False, True])
def test_runs_are_identical_with_and_without_the_kernels(monkeypatch, response):
    scenario = small_scenario(steps=60)
    if response:  # decaying talk, ad stock, caps and walk-ins: today's defaults
        data = scenario.model_dump()
        data["response"] = cfg.default_scenario().response.model_dump()
        scenario = cfg.validate_scenario(data)
    compiled = _run(scenario, None, monkeypatch, 0)
    numpy = _run(scenario, None, monkeypatch, 10**18)
    assert all(np.array_equal(a, b) for a, b in zip(compiled, numpy, strict=True))


def test_a_cascade_is_identical_with_and_without_the_kernels(monkeypatch):
    graph = networkx_csr(nx.watts_strogatz_graph(2_000, 10, 0.1, seed=5))
    scenario = cascade_scenario(
        2_000, [0, 500, 1_000], rule=cfg.IndependentRule(), persuasion=0.3, replicates=20
    )
    compiled = _run(scenario, {"graph": graph}, monkeypatch, 0)
    numpy = _run(scenario, {"graph": graph}, monkeypatch, 10**18)
    assert compiled[1][:, -1].mean() > 1_000  # a large cascade: every pass ran
    assert all(np.array_equal(a, b) for a, b in zip(compiled, numpy, strict=True))


def _rank_within_by_argsort(values):
    """The reference: ranks from a stable argsort."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.ones(ordered.size, bool)
    first[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    group_sorted = np.cumsum(first) - 1
    rank, group = np.empty(ordered.size, np.int64), np.empty(ordered.size, np.int64)
    rank[order] = np.arange(ordered.size) - starts[group_sorted]
    group[order] = group_sorted
    return rank, group, ordered[starts], np.diff(np.append(starts, ordered.size))


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_rank_within_by_packed_keys_matches_a_stable_argsort(dtype):
    rng = np.random.default_rng(6)
    values = rng.integers(0, 3_000, 20_000).astype(dtype)  # many repeats
    got = messages.rank_within(values)
    expected = _rank_within_by_argsort(values)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
    assert got[2].dtype == values.dtype
    negative = values.astype(np.int64) - 1_500  # the argsort path
    got = messages.rank_within(negative)
    assert all(
        np.array_equal(a, b) for a, b in zip(got, _rank_within_by_argsort(negative), strict=True)
    )


def _capped_stock(size, reps, cap, decay):
    medium = cfg.MediumResponse(
        half_life_days=3.0, wear_out=2.0, frequency_cap=float(cap), cap_window_days=4.0
    )
    scenario = small_scenario(steps=10)
    scenario = scenario.model_copy(
        update={"population": scenario.population.model_copy(update={"size": size})}
    )
    plan = adstock.ChannelPlan(
        "ads",
        0,
        cfg.SocialAds(),
        0,
        0.1,
        np.arange(size, dtype=np.int32),
        np.zeros(1, np.int64),
        np.zeros(1),
    )
    stock = adstock.AdStock.build(plan, medium, scenario, 0, size * reps)
    stock.decay = decay
    return stock


@pytest.mark.parametrize(("cap", "decay"), [(1, 0.5), (3, 0.8408964152537145), (5, 0.0)])
def test_cap_and_wear_kernels_match_numpy(monkeypatch, cap, decay):
    # Ten steps of many impressions to few people (repeats within a step, people at the
    # cap, stocks carried over): the kernels give the numpy passes' values exactly.
    rng = np.random.default_rng(7)
    size, reps = 300, 4
    days = [rng.integers(0, size * reps, rng.integers(0, 3_000)) for _ in range(10)]
    results = []
    for threshold in (10**18, 0):
        monkeypatch.setattr(adstock, "COMPILED_ABOVE", threshold)
        stock = _capped_stock(size, reps, cap, decay)
        steps = []
        for step, wanted in enumerate(days):
            placed = stock.place(wanted, step, reps)
            weights = stock.wear(placed, step)
            steps.append((placed, weights, stock.stock.copy(), stock.last.copy()))
        state = (stock.ring.copy(), stock.ring_next.copy(), stock.active.copy(), stock.holding)
        results.append((steps, state))
    (numpy_steps, numpy_state), (compiled_steps, compiled_state) = results
    assert sum(placed.size for placed, *_ in numpy_steps) > 3_000
    assert (np.concatenate([weights for _, weights, *_ in numpy_steps]) < 1).any()  # worn
    for a, b in zip(numpy_steps, compiled_steps, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert all(np.array_equal(x, y) for x, y in zip(numpy_state, compiled_state, strict=True))
    assert np.array_equal(stock.seen, np.zeros_like(stock.seen))  # scratch left clean


@pytest.mark.parametrize("decay", [0.0, 0.5, 0.8408964152537145, 0.99, 1.0])
def test_a_table_of_powers_gives_the_direct_powers(decay):
    # The ad stock's decay ** gap is read from a table made by the same numpy power.
    from simulator.engine.adstock import AdStock

    stock = AdStock.__new__(AdStock)
    stock.decay, stock.powers = decay, np.ones(0)
    gaps = np.random.default_rng(8).integers(0, 400, 50_000).astype(np.int32)
    assert np.array_equal(stock._decayed_by(gaps), decay**gaps)
    assert np.array_equal(stock._decayed_by(gaps[:10] + 1_000), decay ** (gaps[:10] + 1_000))


def test_lapsed_hits_match_numpy():
    rng = np.random.default_rng(9)
    joined = rng.integers(0, 3, 500).astype(np.int32)
    active = rng.random(500) < 0.5
    valence = rng.choice(np.array([-1, 1], np.int8), 4_000)
    target = rng.integers(0, 500, 4_000)
    expected = np.flatnonzero((valence > 0) & (joined[target] > 0) & ~active[target])
    assert expected.size > 500
    assert np.array_equal(kernels.lapsed_hits(valence, target, joined, active), expected)


def test_told_bits_match_a_boolean_array(monkeypatch):
    # repeated positions within one call all read the bits as they were before it
    rng = np.random.default_rng(10)
    calls = [rng.integers(0, 3_000, rng.integers(1, 2_000)) for _ in range(6)]
    expected, told = [], np.zeros(3_000, bool)
    for used in calls:
        expected.append(told[used].copy())
        told[used] = True
    for threshold in (10**18, 0):
        monkeypatch.setattr(talk, "COMPILED_ABOVE", threshold)
        bits = np.zeros((3_000 + 7) // 8, np.uint8)
        got = [talk._told_before(bits, used) for used in calls]
        assert all(np.array_equal(a, b) for a, b in zip(got, expected, strict=True))
        assert np.array_equal(np.unpackbits(bits, bitorder="little")[:3_000], told)
    assert any(was.any() for was in expected) and not all(was.all() for was in expected)
