"""Influence maximisation on a graph with a probability per edge: CELF and degree discount.

The graph is one CSR (``indptr``, ``indices``: edge ``u -> v`` means ``u`` can convince
``v``) with ``probability[e]`` that edge ``e`` passes the product on (independent cascade,
Kempe, Kleinberg & Tardos 2003). :func:`celf` is the lazy greedy of Leskovec et al. 2007 on
a fixed set of live-edge samples (each edge kept with its probability; the spread of a seed
set is the mean number of people its samples reach), so every marginal gain is computed
on the same samples and the greedy keeps its (1 - 1/e) guarantee on them (Kempe et al.
2003; the snapshot form is StaticGreedy, Cheng et al. 2013). :func:`degree_discount` is the
heuristic of Chen, Wang & Yang 2009. The kernels are compiled by numba.
"""

from __future__ import annotations

import heapq

import numpy as np
from numba import njit


@njit(cache=True)
def _reach(indptr, indices, live, v, covered, mark, stamp, queue, commit):
    """People reached from ``v`` along live edges, not already covered (BFS)."""
    if covered[v]:
        return 0
    head, tail = 0, 1
    queue[0] = v
    mark[v] = stamp
    while head < tail:
        u = queue[head]
        head += 1
        for e in range(indptr[u], indptr[u + 1]):
            if live[e]:
                w = indices[e]
                if mark[w] != stamp and not covered[w]:
                    mark[w] = stamp
                    queue[tail] = w
                    tail += 1
    if commit:
        for i in range(tail):
            covered[queue[i]] = True
    return tail


@njit(cache=True)
def _gains(indptr, indices, live, candidates, covered):
    """Sum over samples of the new people each candidate reaches."""
    samples = live.shape[0]
    n = indptr.size - 1
    mark = np.zeros(n, np.int64)
    queue = np.empty(n, np.int64)
    out = np.zeros(candidates.size, np.float64)
    stamp = 0
    for r in range(samples):
        for i in range(candidates.size):
            stamp += 1
            out[i] += _reach(
                indptr, indices, live[r], candidates[i], covered[r], mark, stamp, queue, False
            )
    return out


@njit(cache=True)
def _commit(indptr, indices, live, v, covered):
    n = indptr.size - 1
    mark = np.zeros(n, np.int64)
    queue = np.empty(n, np.int64)
    for r in range(live.shape[0]):
        _reach(indptr, indices, live[r], v, covered[r], mark, r + 1, queue, True)


def live_edges(probability: np.ndarray, samples: int, *, rng: np.random.Generator) -> np.ndarray:
    """``samples`` live-edge graphs: each edge kept with its probability, (samples, edges)."""
    rng = np.random.default_rng(rng)
    return rng.random((samples, probability.size)) < probability[None, :]


def spread(
    indptr: np.ndarray,
    indices: np.ndarray,
    probability: np.ndarray,
    seeds: np.ndarray,
    *,
    samples: int = 1000,
    rng: np.random.Generator | int | None = None,
) -> tuple[float, float]:
    """Mean and standard error of the people a seed set reaches (seeds included).

    Examples
    --------
    >>> indptr, indices = np.array([0, 1, 2, 2]), np.array([1, 2])  # a path 0 -> 1 -> 2
    >>> mean, error = spread(indptr, indices, np.array([1.0, 0.5]), np.array([0]), rng=1)
    >>> 2.4 < mean < 2.6
    True
    """
    live = live_edges(probability, samples, rng=np.random.default_rng(rng))
    n = indptr.size - 1
    covered = np.zeros((samples, n), bool)
    for seed in np.asarray(seeds, np.int64):
        _commit(indptr, indices, live, seed, covered)
    reached = covered.sum(axis=1)
    return float(reached.mean()), float(reached.std(ddof=1) / np.sqrt(samples))


def celf(
    indptr: np.ndarray,
    indices: np.ndarray,
    probability: np.ndarray,
    k: int,
    *,
    samples: int = 200,
    candidates: np.ndarray | None = None,
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """``k`` seeds chosen greedily by their marginal spread, lazily re-evaluated (CELF).

    Parameters
    ----------
    indptr, indices : arrays
        The graph as CSR; edge ``u -> v`` means ``u`` can convince ``v``.
    probability : array
        Probability that each edge passes the product on.
    k : int
        Seeds to choose.
    samples : int
        Live-edge samples the spread is averaged over [assumption: 200 keeps the greedy's
        choice stable on towns of thousands; raise it for small cascades].
    candidates : array, optional
        People who may be chosen (default everyone).
    rng : Generator, int or None

    Examples
    --------
    >>> # two stars: 0 -> 1..3 and 4 -> 5..6; the hubs come first
    >>> indptr = np.array([0, 3, 3, 3, 3, 5, 5, 5])
    >>> indices = np.array([1, 2, 3, 5, 6])
    >>> celf(indptr, indices, np.ones(5), 2, samples=10, rng=0).tolist()
    [0, 4]
    """
    n = indptr.size - 1
    people = (
        np.arange(n, dtype=np.int64) if candidates is None else np.asarray(candidates, np.int64)
    )
    k = min(int(k), people.size)
    live = live_edges(probability, samples, rng=np.random.default_rng(rng))
    covered = np.zeros((samples, n), bool)
    gains = _gains(indptr, indices, live, people, covered)
    # Max-heap of (-gain, person, round computed); ties to the lower id.
    heap = [(-g, int(p), 0) for g, p in zip(gains, people, strict=True)]
    heapq.heapify(heap)
    chosen: list[int] = []
    while len(chosen) < k and heap:
        _, person, computed = heapq.heappop(heap)
        if computed == len(chosen):
            chosen.append(person)
            _commit(indptr, indices, live, person, covered)
            continue
        fresh = _gains(indptr, indices, live, np.array([person], np.int64), covered)[0]
        heapq.heappush(heap, (-fresh, person, len(chosen)))
    return np.array(chosen, np.int64)


def degree_discount(
    indptr: np.ndarray, indices: np.ndarray, probability: np.ndarray, k: int
) -> np.ndarray:
    """``k`` seeds by the degree-discount heuristic (Chen, Wang & Yang 2009).

    A person's score is her out-degree, discounted for each already chosen person among
    those who can convince her: ``d - 2 t - (d - t) t p``, with ``p`` the mean edge
    probability (the heuristic assumes one p).

    Examples
    --------
    >>> # 0 and 1 are both hubs of the same people; 4 is a smaller hub elsewhere
    >>> indptr = np.array([0, 3, 7, 7, 7, 9, 9, 9, 9, 9])
    >>> indices = np.array([2, 3, 5, 0, 2, 3, 5, 6, 7])
    >>> degree_discount(indptr, indices, np.full(9, 0.9), 2).tolist()
    [1, 4]
    """
    n = indptr.size - 1
    degree = np.diff(indptr).astype(np.float64)
    p = float(probability.mean()) if probability.size else 0.0
    chosen_count = np.zeros(n, np.float64)
    score = degree.copy()
    taken = np.zeros(n, bool)
    chosen = []
    for _ in range(min(int(k), n)):
        masked = np.where(taken, -np.inf, score)
        person = int(np.argmax(masked))
        chosen.append(person)
        taken[person] = True
        for listener in indices[indptr[person] : indptr[person + 1]]:
            chosen_count[listener] += 1
            t = chosen_count[listener]
            d = degree[listener]
            score[listener] = d - 2 * t - (d - t) * t * p
    return np.array(chosen, np.int64)
