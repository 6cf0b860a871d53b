"""Influence maximisation side by side: whose k seeds spread furthest, and how fast is IMM.

Part 1 (spread) picks ``k`` seeds on one Barabási–Albert graph (:mod:`graphs`,
``barabasi_albert_graph(n, 5, seed=42)`` as a symmetric digraph) under the weighted cascade
(each edge ``u -> v`` passes with ``1 / in-degree(v)``, Kempe, Kleinberg & Tardos 2003) by
six rules: this project's IMM (:func:`simulator.town.imm.imm`) and CELF
(:func:`simulator.town.influence.celf`), pynetim's IMM (``IMMAlgorithm``), a CELF written
on cynetdiff's ``compute_marginal_gains`` (the lazy greedy of cynetdiff's own example),
and the top-k by degree and by PageRank. Every seed set is then evaluated by the same
Monte Carlo: ``--runs`` independent cascades in cynetdiff's ``IndependentCascadeModel``
with the same per-edge probabilities, mean and standard error of the people reached.
Both CELFs choose among the same candidates (the best connected tenth, at least 10 k, as
the project's seeding strategy does) with the same number of trials per gain.

Part 2 (speed) times IMM at equal ``epsilon`` and ``k`` against pynetim's IMM on larger
graphs of the same family (``--timing-nodes``), with the spread of both seed sets
evaluated by ``--timing-runs`` cascades; building each tool's graph is not timed.

Part 3 (``--imm-repeats R``) asks whether a gap between the two IMMs in part 1 is the draw
or the method: both choose ``k`` seeds with ``R`` different random seeds on the part-1
graph, each pair is evaluated by ``--runs`` cascades from one generator per repeat, and
the mean paired difference over the repeats is given with its standard error (which
holds the spread of the seed sets from one RR sample to the next, not only the Monte
Carlo's).

Run from the repository root, for example::

    flock /tmp/bench.lock python experiments/benchmarks/influence_benchmark.py \\
        --nodes 10000 --k 50 --epsilon 0.2 --runs 10000 --timing-nodes 100000 1000000

Rows are printed as JSON lines (and written to ``--out`` if given).
"""

from __future__ import annotations

import argparse
import heapq
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from graphs import load_graph


def weighted_cascade(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``1 / in-degree`` of each edge's head."""
    in_degree = np.bincount(indices, minlength=indptr.size - 1)
    return 1.0 / in_degree[indices]


def candidates_of(indptr: np.ndarray, k: int) -> np.ndarray:
    degree = np.diff(indptr)
    count = min(degree.size, max(10 * k, degree.size // 10))
    return np.sort(np.argsort(-degree, kind="stable")[:count])


def cynetdiff_model(indptr, indices, probability, seed):
    from cynetdiff.models import IndependentCascadeModel

    return IndependentCascadeModel(
        np.ascontiguousarray(indptr[:-1], dtype=np.uint32),
        np.ascontiguousarray(indices, dtype=np.uint32),
        activation_probs=np.ascontiguousarray(probability, dtype=np.float32),
        rng=np.random.default_rng(seed),
    )


def evaluate(model, seeds, runs: int) -> tuple[float, float]:
    """Mean and SE of the people reached (seeds included) over ``runs`` cascades."""
    model.set_seeds([int(s) for s in seeds])
    sizes = np.empty(runs)
    for i in range(runs):
        model.reset_model()
        model.advance_until_completion()
        sizes[i] = model.get_num_activated_nodes()
    return float(sizes.mean()), float(sizes.std(ddof=1) / np.sqrt(runs))


def cynetdiff_celf(model, candidates, k: int, trials: int) -> list[int]:
    """CELF on cynetdiff's marginal gains: a lazy max-heap of (gain, round computed)."""
    heap = [(-model.compute_marginal_gains([], [int(v)], trials)[1], int(v), 0) for v in candidates]
    heapq.heapify(heap)
    chosen: list[int] = []
    while len(chosen) < k and heap:
        _, v, computed = heapq.heappop(heap)
        if computed == len(chosen):
            chosen.append(v)
            continue
        gain = model.compute_marginal_gains(chosen, [v], trials)[1]
        heapq.heappush(heap, (-gain, v, len(chosen)))
    return chosen


def pynetim_graph(indptr, indices, probability):
    from pynetim import IMGraph

    source = np.repeat(np.arange(indptr.size - 1), np.diff(indptr))
    edges = list(zip(source.tolist(), indices.tolist(), strict=True))
    return IMGraph(edges, weights=probability.tolist(), directed=True, renumber=False)


def pynetim_imm(graph, k: int, epsilon: float, seed: int) -> list[int]:
    from pynetim.algorithms import IMMAlgorithm

    return sorted(IMMAlgorithm(graph, "IC", epsilon=epsilon, random_seed=seed).run(k))


def pagerank_top(indptr, indices, k: int) -> np.ndarray:
    import scipy.sparse as sp

    n = indptr.size - 1
    adjacency = sp.csr_matrix((np.ones(indices.size), indices, indptr), shape=(n, n))
    out_degree = np.asarray(adjacency.sum(axis=1)).ravel()
    transition = sp.diags(1.0 / np.maximum(out_degree, 1)) @ adjacency
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        new = 0.85 * (transition.T @ rank + rank[out_degree == 0].sum() / n) + 0.15 / n
        if np.abs(new - rank).sum() < 1e-10:
            break
        rank = new
    return np.lexsort((np.arange(n), -new))[:k]


def timed(function, *args, **kwargs) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def spread_rows(nodes: int, k: int, epsilon: float, runs: int, trials: int) -> list[dict]:
    from simulator.town.imm import imm
    from simulator.town.influence import celf

    graph = load_graph(nodes)
    indptr, indices = graph.indptr.astype(np.int64), graph.indices.astype(np.int64)
    probability = weighted_cascade(indptr, indices)
    candidates = candidates_of(indptr, k)
    imm(indptr, indices, probability, 2, epsilon=0.5, rng=0)  # compile outside the timing
    celf(indptr, indices, probability, 1, samples=1, candidates=candidates[:2], rng=0)
    chosen: dict[str, tuple[Any, float]] = {}
    chosen["wom IMM"] = timed(lambda: imm(indptr, indices, probability, k, epsilon=epsilon, rng=1))
    chosen["wom IMM"] = (chosen["wom IMM"][0].seeds, chosen["wom IMM"][1])
    chosen["wom CELF"] = timed(
        celf, indptr, indices, probability, k, samples=trials, candidates=candidates, rng=1
    )
    pynetim = pynetim_graph(indptr, indices, probability)
    chosen["pynetim IMM"] = timed(pynetim_imm, pynetim, k, epsilon, 1)
    model = cynetdiff_model(indptr, indices, probability, 1)
    chosen["cynetdiff CELF"] = timed(cynetdiff_celf, model, candidates, k, trials)
    chosen["degree"] = timed(lambda: np.argsort(-np.diff(indptr), kind="stable")[:k])
    chosen["PageRank"] = timed(pagerank_top, indptr, indices, k)
    rows = []
    for rule, (seeds, seconds) in chosen.items():
        mean, se = evaluate(cynetdiff_model(indptr, indices, probability, 2024), seeds, runs)
        rows.append(
            {
                "part": "spread",
                "rule": rule,
                "graph": graph.name,
                "k": k,
                "epsilon": epsilon if "IMM" in rule else None,
                "runs": runs,
                "spread": mean,
                "se": se,
                "select_s": seconds,
            }
        )
    return rows


def timing_rows(nodes: int, k: int, epsilon: float, runs: int) -> list[dict]:
    from simulator.town.imm import imm

    graph = load_graph(nodes)
    indptr, indices = graph.indptr.astype(np.int64), graph.indices.astype(np.int64)
    probability = weighted_cascade(indptr, indices)
    imm(indptr[:11], indices[: indptr[10]] % 10, probability[: indptr[10]], 2, rng=0)  # compile
    ours, ours_s = timed(lambda: imm(indptr, indices, probability, k, epsilon=epsilon, rng=1))
    pynetim = pynetim_graph(indptr, indices, probability)
    theirs, theirs_s = timed(pynetim_imm, pynetim, k, epsilon, 1)
    del pynetim
    rows = []
    for rule, seeds, seconds in (
        ("wom IMM", ours.seeds, ours_s),
        ("pynetim IMM", theirs, theirs_s),
    ):
        mean, se = evaluate(cynetdiff_model(indptr, indices, probability, 2024), seeds, runs)
        rows.append(
            {
                "part": "speed",
                "rule": rule,
                "graph": graph.name,
                "k": k,
                "epsilon": epsilon,
                "runs": runs,
                "spread": mean,
                "se": se,
                "select_s": seconds,
                "rr_sets": ours.rr_sets if rule == "wom IMM" else None,
            }
        )
    return rows


def imm_repeat_rows(nodes: int, k: int, epsilon: float, runs: int, repeats: int) -> list[dict]:
    from simulator.town.imm import imm

    graph = load_graph(nodes)
    indptr, indices = graph.indptr.astype(np.int64), graph.indices.astype(np.int64)
    probability = weighted_cascade(indptr, indices)
    imm(indptr, indices, probability, 2, epsilon=0.5, rng=0)  # compile outside the timing
    pynetim = pynetim_graph(indptr, indices, probability)
    rows, differences = [], []
    for repeat in range(1, repeats + 1):
        ours, ours_s = timed(
            lambda r=repeat: imm(indptr, indices, probability, k, epsilon=epsilon, rng=r)
        )
        theirs, theirs_s = timed(pynetim_imm, pynetim, k, epsilon, repeat)
        reach = {}
        for rule, seeds, seconds, count in (
            ("wom IMM", ours.seeds, ours_s, ours.rr_sets),
            ("pynetim IMM", theirs, theirs_s, None),
        ):
            model = cynetdiff_model(indptr, indices, probability, 5000 + repeat)
            reach[rule] = evaluate(model, seeds, runs)
            rows.append(
                {
                    "part": "imm_repeat",
                    "rule": rule,
                    "graph": graph.name,
                    "k": k,
                    "epsilon": epsilon,
                    "repeat": repeat,
                    "runs": runs,
                    "spread": reach[rule][0],
                    "se": reach[rule][1],
                    "select_s": seconds,
                    "rr_sets": count,
                }
            )
        differences.append(reach["wom IMM"][0] - reach["pynetim IMM"][0])
    gaps = np.asarray(differences)
    rows.append(
        {
            "part": "imm_repeat_summary",
            "graph": graph.name,
            "k": k,
            "epsilon": epsilon,
            "repeats": repeats,
            "runs": runs,
            "wom_minus_pynetim": float(gaps.mean()),
            "se": float(gaps.std(ddof=1) / np.sqrt(gaps.size)) if gaps.size > 1 else None,
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--epsilon", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=10_000, help="Monte Carlo runs per set")
    parser.add_argument("--trials", type=int, default=200, help="CELF trials per gain")
    parser.add_argument("--timing-nodes", type=int, nargs="*", default=[])
    parser.add_argument("--timing-epsilon", type=float, default=None)
    parser.add_argument("--timing-runs", type=int, default=1000)
    parser.add_argument("--skip-spread", action="store_true")
    parser.add_argument("--imm-repeats", type=int, default=0, help="part 3: IMM seeds drawn")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    rows: list[dict] = []

    def emit(new: list[dict]) -> None:
        for row in new:
            print(json.dumps(row), flush=True)
        rows.extend(new)
        if args.out:
            args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))

    if not args.skip_spread:
        emit(spread_rows(args.nodes, args.k, args.epsilon, args.runs, args.trials))
    if args.imm_repeats:
        emit(imm_repeat_rows(args.nodes, args.k, args.epsilon, args.runs, args.imm_repeats))
    for nodes in args.timing_nodes:
        emit(timing_rows(nodes, args.k, args.timing_epsilon or args.epsilon, args.timing_runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
