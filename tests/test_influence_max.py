"""IMM and CELF against brute force, against each other, and as seeding strategies of a run."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from simulator import config as cfg
from simulator import simulate
from simulator.town.imm import imm, rr_sets
from simulator.town.influence import celf, spread


def _csr(n: int, edges: list[tuple[int, int, float]]):
    edges = sorted(edges)
    source = np.array([u for u, _, _ in edges], np.int64)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(source, minlength=n))]).astype(np.int64)
    indices = np.array([v for _, v, _ in edges], np.int64)
    return indptr, indices, np.array([p for _, _, p in edges])


def _exact_spread(indptr, indices, probability, seeds) -> float:
    """Expected reach by enumerating every live-edge world (2^edges of them)."""
    n = indptr.size - 1
    source = np.repeat(np.arange(n), np.diff(indptr))
    total = 0.0
    for live in itertools.product((False, True), repeat=indices.size):
        live = np.array(live)
        weight = float(np.prod(np.where(live, probability, 1 - probability)))
        reached = set(int(s) for s in seeds)
        frontier = list(reached)
        while frontier:
            u = frontier.pop()
            for e in np.flatnonzero(live & (source == u)):
                if int(indices[e]) not in reached:
                    reached.add(int(indices[e]))
                    frontier.append(int(indices[e]))
        total += weight * len(reached)
    return total


# 0 and 4 talk to the same three people (0 a little better); 5 has its own audience, and
# 7 passes it on to 8: the best pair is {0, 5}, not the two hubs {0, 4}.
TINY = _csr(
    9,
    [
        (0, 1, 0.6),
        (0, 2, 0.6),
        (0, 3, 0.6),
        (4, 1, 0.5),
        (4, 2, 0.5),
        (4, 3, 0.5),
        (5, 6, 0.8),
        (5, 7, 0.8),
        (7, 8, 0.5),
    ],
)


def _brute_force(graph, k, cost=None, budget=None):
    n = graph[0].size - 1
    best, best_set = -1.0, ()
    sizes = range(1, n + 1) if cost is not None else [k]
    for size in sizes:
        for subset in itertools.combinations(range(n), size):
            if cost is not None and cost[list(subset)].sum() > budget:
                continue
            value = _exact_spread(*graph, subset)
            if value > best + 1e-12:
                best, best_set = value, subset
    return best, best_set


def test_exact_spread_matches_closed_form():
    # {0}: 1 + 3 x 0.6; {0, 4}: 2 + 3 x (1 - 0.4 x 0.5); {5}: 1 + 0.8 + 0.8 x 1.5
    assert _exact_spread(*TINY, [0]) == pytest.approx(2.8)
    assert _exact_spread(*TINY, [0, 4]) == pytest.approx(4.4)
    assert _exact_spread(*TINY, [5]) == pytest.approx(3.0)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_imm_and_celf_pick_the_brute_force_optimum(k):
    best, best_set = _brute_force(TINY, k)
    chosen_imm = imm(*TINY, k, epsilon=0.05, rng=1).seeds
    chosen_celf = celf(*TINY, k, samples=4000, rng=1)
    assert sorted(chosen_imm.tolist()) == sorted(best_set)
    assert sorted(chosen_celf.tolist()) == sorted(best_set)
    assert _exact_spread(*TINY, chosen_imm) == pytest.approx(best)


def test_imm_estimate_of_its_spread_is_close_to_the_exact_one():
    result = imm(*TINY, 2, epsilon=0.05, rng=2)
    exact = _exact_spread(*TINY, result.seeds)
    # the estimate is n x a share of RR sets: binomial SE of that share, 4 sigma
    share = exact / 9
    se = 9 * math.sqrt(share * (1 - share) / result.rr_sets)
    assert abs(result.spread - exact) < 4 * se


def test_budgeted_imm_is_affordable_and_near_the_best_affordable_set():
    # hubs cost more: 0 and 4 cost 3, 5 costs 2, everyone else 1; 4 EUR to spend
    cost = np.array([3.0, 1, 1, 1, 3, 2, 1, 1, 1])
    result = imm(*TINY, 9, epsilon=0.05, cost=cost, budget=4.0, rng=3)
    assert cost[result.seeds].sum() <= 4.0
    assert result.cost == pytest.approx(cost[result.seeds].sum())
    best, _ = _brute_force(TINY, 0, cost=cost, budget=4.0)
    value = _exact_spread(*TINY, result.seeds)
    assert value >= (1 - 1 / math.e) / 2 * best  # the guarantee of the better of two greedies
    # here the cost-ratio greedy finds the optimum ({5, 7, 1} or alike, 4 EUR)
    assert value == pytest.approx(best)


@pytest.mark.parametrize("p", [0.1, 0.2, 0.3, 0.8])
def test_rr_sets_include_an_in_neighbour_with_its_edge_probability(p):
    # a star into 0 with in-edges of p, p/2 and p/4 (thinning below 1/2, one trial above):
    # the RR set of root 0 holds leaf i with exactly its edge's probability
    probabilities = [p, p / 2, p / 4]
    graph = _csr(4, [(1, 0, probabilities[0]), (2, 0, probabilities[1]), (3, 0, probabilities[2])])
    sets = rr_sets(*graph, 40_000, rng=4)
    roots = sets.members[sets.offsets[:-1]]
    of_zero = np.flatnonzero(roots == 0)
    for leaf, q in zip((1, 2, 3), probabilities, strict=True):
        hits = np.array(
            [leaf in sets.members[sets.offsets[i] : sets.offsets[i + 1]] for i in of_zero]
        )
        se = math.sqrt(q * (1 - q) / of_zero.size)
        assert abs(hits.mean() - q) < 4 * se, (leaf, hits.mean(), q)


def test_one_seed_gives_the_same_sets_and_seeds():
    indptr, indices, probability = _ba_graph(400, 0.1)
    first = imm(indptr, indices, probability, 5, epsilon=0.3, rng=11)
    again = imm(indptr, indices, probability, 5, epsilon=0.3, rng=np.random.default_rng(11))
    assert first.seeds.tolist() == again.seeds.tolist()
    assert first.spread == again.spread and first.rr_sets == again.rr_sets
    a = rr_sets(indptr, indices, probability, 500, rng=11)
    b = rr_sets(indptr, indices, probability, 500, rng=12)
    assert not np.array_equal(a.members[: b.members.size], b.members[: a.members.size])


def _ba_graph(n, p, seed=5):
    import networkx as nx

    graph = nx.DiGraph(nx.barabasi_albert_graph(n, 2, seed=seed))
    adjacency = nx.to_scipy_sparse_array(graph, format="csr", nodelist=range(n))
    indptr, indices = adjacency.indptr.astype(np.int64), adjacency.indices.astype(np.int64)
    return indptr, indices, np.full(indices.size, p)


def test_imm_reaches_its_guarantee_against_celf_by_monte_carlo():
    indptr, indices, probability = _ba_graph(500, 0.1)
    epsilon = 0.2
    chosen_imm = imm(indptr, indices, probability, 5, epsilon=epsilon, rng=6).seeds
    chosen_celf = celf(indptr, indices, probability, 5, samples=300, rng=6)
    # 4,000 live-edge worlds each, independent of both choices; tolerance 3 SE of the gap
    imm_mean, imm_se = spread(indptr, indices, probability, chosen_imm, samples=4000, rng=7)
    celf_mean, celf_se = spread(indptr, indices, probability, chosen_celf, samples=4000, rng=8)
    ratio = 1 - 1 / math.e - epsilon
    assert imm_mean >= ratio * celf_mean - 3 * math.hypot(imm_se, ratio * celf_se)
    # and, stronger than the guarantee, IMM is not worse than CELF beyond 3 SE here
    assert imm_mean >= celf_mean - 3 * math.hypot(imm_se, celf_se)
    # while five people drawn at random reach far less
    random_mean, random_se = spread(
        indptr, indices, probability, np.arange(100, 105), samples=4000, rng=9
    )
    assert imm_mean > random_mean + 3 * math.hypot(imm_se, random_se)


def test_imm_refuses_a_bad_epsilon():
    with pytest.raises(ValueError, match="'epsilon' parameter of imm must be in"):
        imm(*TINY, 2, epsilon=1.5)


def _small_town(strategy_sets, *, replicates=40, persuasion=None):
    data = cfg.default_scenario().model_dump(mode="json")
    data["population"]["size"] = 1500
    data["simulation"]["replicates"] = replicates
    data["simulation"]["block_size"] = 40
    data["channels"]["free_samples"]["budget"] = 300.0
    if persuasion is not None:
        data["word_of_mouth"]["persuasion"] = persuasion
    data["strategies"] = [
        {"name": name, "channels": ["free_samples"], "set": overrides}
        for name, overrides in strategy_sets.items()
    ]
    return cfg.validate_scenario(data, origin="test")


def test_a_run_seeded_by_imm_beats_random_seeding():
    # Word of mouth strong enough for the seeds' place in the network to matter (persuasion
    # 0.2 instead of 0.03; at the default the 30 seeds hardly start a cascade).
    scenario = _small_town(
        {
            "random": {"channels.free_samples.strategy": "random"},
            "imm": {"channels.free_samples.strategy": "imm", "channels.free_samples.epsilon": 0.2},
        },
        replicates=160,
        persuasion=0.2,
    )
    result = simulate(scenario)
    adopters = {s.name: s.series["adopters"][:, -1].astype(float) for s in result.strategies}
    # 160 replicates each, paired by block (common random numbers); 3 SE of the difference
    gap = adopters["imm"] - adopters["random"]
    se = gap.std(ddof=1) / math.sqrt(gap.size)
    assert gap.mean() > 3 * se, (gap.mean(), se)


def test_imm_seeds_are_the_same_in_every_replicate_and_for_one_seed():
    from simulator.engine.prepare import prepare

    scenario = _small_town({"imm": {"channels.free_samples.strategy": "imm"}})
    first, again = prepare(scenario)[0], prepare(scenario)[0]
    assert first.plans[0].seeds.strategy == "given"
    assert len(first.plans[0].seeds.people) == 30  # 300 EUR at 10 EUR a sample
    assert first.plans[0].seeds.people == again.plans[0].seeds.people


def test_hub_premium_spends_the_budget_on_people_at_their_cost():
    from simulator.engine.prepare import prepare
    from simulator.engine.seed_choice import edge_probabilities, seed_costs

    scenario = _small_town(
        {"imm": {"channels.free_samples.strategy": "imm", "channels.free_samples.hub_premium": 2}}
    )
    prepared = prepare(scenario)[0]
    plan = prepared.plans[0]
    indptr, _, _ = edge_probabilities(scenario, prepared.population, prepared.layers)
    costs = seed_costs(prepared.scenario.channels["free_samples"], indptr)
    people = list(plan.seeds.people)
    assert plan.planned_cost == pytest.approx(costs[people].sum())
    assert plan.planned_cost <= 300.0 and int(plan.impressions_at.sum()) == len(people)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epsilon", 0.0, "channels.free_samples.epsilon"),
        ("samples", 0, "channels.free_samples.samples"),
        ("hub_premium", -1, "channels.free_samples.hub_premium"),
        ("strategy", "bogus", "channels.free_samples.strategy"),
    ],
)
def test_bad_influence_settings_are_refused_in_one_line(field, value, message):
    data = cfg.default_scenario().model_dump(mode="json")
    data["channels"]["free_samples"]["strategy"] = "imm"
    data["channels"]["free_samples"][field] = value
    with pytest.raises(cfg.ConfigError) as error:
        cfg.validate_scenario(data, origin="test")
    assert message in str(error.value) and "\n" not in str(error.value).strip()


def test_hub_premium_needs_imm():
    data = cfg.default_scenario().model_dump(mode="json")
    data["channels"]["free_samples"]["hub_premium"] = 1.0
    with pytest.raises(cfg.ConfigError, match="hub_premium needs strategy 'imm'"):
        cfg.validate_scenario(data, origin="test")


def test_imm_without_fresh_sets_is_the_previous_imm():
    # seeds, estimate and sets of the code before Chen's (2018) fix, run once and frozen
    graph = _ba_graph(400, 0.1)
    result = imm(*graph, 5, epsilon=0.3, fresh_sets=False, rng=11)
    assert result.seeds.tolist() == [4, 0, 2, 11, 24]
    assert (result.spread, result.rr_sets) == (pytest.approx(28.489109139103377, rel=1e-12), 17354)
    cost = np.linspace(1, 3, 400)
    result = imm(*graph, 9, epsilon=0.3, cost=cost, budget=10.0, fresh_sets=False, rng=12)
    assert result.seeds.tolist() == [4, 2, 8, 24, 5, 11, 1, 91, 48]
    assert (result.spread, result.rr_sets) == (pytest.approx(41.28888614014472, rel=1e-12), 16169)


def test_imm_chooses_on_sets_drawn_after_the_sampling_phase():
    # Chen (2018): the final sets are new draws, not the sampling phase's topped up; the
    # sampling phase is the same, so the same bound on the spread asks as many sets
    graph = _ba_graph(400, 0.1)
    fresh = imm(*graph, 5, epsilon=0.3, rng=11)
    reused = imm(*graph, 5, epsilon=0.3, fresh_sets=False, rng=11)
    assert fresh.rr_sets == reused.rr_sets
    # the estimates come from different sets, each binomial: 4 SE of their difference
    share = reused.spread / 400
    se = 400 * math.sqrt(2 * share * (1 - share) / reused.rr_sets)
    assert fresh.spread != reused.spread and abs(fresh.spread - reused.spread) < 4 * se
    assert len(set(fresh.seeds.tolist()) & set(reused.seeds.tolist())) >= 3
