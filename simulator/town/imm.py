"""Influence maximisation by reverse-reachable sets: IMM and its budgeted form.

The graph is one CSR (``indptr``, ``indices``: edge ``u -> v`` means ``u`` can convince
``v``) with ``probability[e]`` that edge ``e`` passes the product on (independent cascade).
A reverse-reachable (RR) set is the set of people who would have reached a person drawn
uniformly at random, in one live-edge world (each edge kept with its probability; Borgs,
Brautbar, Chayes & Lucier 2014): the spread of a seed set is ``n`` times the share of RR
sets it touches. :func:`imm` is IMM (Tang, Shi & Xiao 2015): its martingale bounds fix how
many RR sets are needed for a ``(1 - 1/e - epsilon)`` approximation with probability at
least ``1 - 1/n^l``; the seeds are then chosen by greedy maximum coverage of the sets.
The sets of the final choice are drawn afresh, not the sampling phase's sets topped up:
the sampling phase stops on a test of its own sets, so reusing them makes the final
sets depend on each other and the martingale bound no longer holds (Chen 2018, "An
issue in the martingale analysis of the influence maximization algorithm IMM").
With a cost per person and a budget the coverage is maximised by the cost-effective lazy
forward rule (CELF, Leskovec et al. 2007): the better of the greedy by gain and the greedy
by gain per EUR, each keeping only people the rest of the budget affords.

RR sets are drawn by a compiled kernel with its own counter-based generator: set ``i``
depends only on the seed drawn from the caller's ``rng`` and on ``i``, so one seed gives
the same sets and the same seeds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _splitmix(state):
    """One step of splitmix64 (Steele, Lea & Flood 2014): new state and a 53-bit uniform."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return state, (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def _append(members, used, w):
    if used + 1 > members.size:
        grown = np.empty(2 * members.size + 1, members.dtype)
        grown[:used] = members[:used]
        members = grown
    members[used] = w
    return members, used + 1


@njit(cache=True)
def _rr_sets(in_ptr, in_src, in_prob, top, log_miss, n, key, first, count, members, offsets, mark):
    """Append RR sets ``first .. first + count - 1`` to ``members`` (grown as needed).

    ``offsets[j]`` is where set ``first + j`` starts in the returned ``members``;
    ``mark`` is scratch of size ``n`` holding the last set each person joined (+1).
    A person's in-edges are tried by thinning: the gaps between candidate edges are
    geometric at her largest in-probability ``top[v]`` (``log_miss[v] = log(1 - top[v])``)
    and a candidate passes with ``p / top[v]``, the same law as one trial per edge at a
    cost proportional to the edges that pass (when ``top[v]`` is above one half, one trial
    per edge is cheaper and is used instead).
    Returns the members array (possibly reallocated) and the number of members used.
    """
    used = offsets[0]
    for j in range(count):
        index = first + j
        state = np.uint64(key) ^ (np.uint64(index) * np.uint64(0xD1B54A32D192ED03))
        state, u = _splitmix(state)
        root = min(int(u * n), n - 1)
        stamp = index + 1
        head = used
        members, used = _append(members, used, root)
        mark[root] = stamp
        while head < used:
            v = members[head]
            head += 1
            cap = top[v]
            if cap <= 0.0:
                continue
            end = in_ptr[v + 1]
            if cap > 0.5:
                for e in range(in_ptr[v], end):
                    w = in_src[e]
                    if mark[w] == stamp:
                        continue
                    p = in_prob[e]
                    if p < 1.0:
                        state, u = _splitmix(state)
                        if u >= p:
                            continue
                    mark[w] = stamp
                    members, used = _append(members, used, w)
                continue
            e = in_ptr[v]
            while True:
                state, u = _splitmix(state)
                gap = np.log(1.0 - u) / log_miss[v]
                if gap >= end - e:  # compared as floats: a huge gap must not overflow
                    break
                e += int(gap)
                p = in_prob[e]
                if p < cap:
                    state, u = _splitmix(state)
                    if u * cap >= p:
                        e += 1
                        continue
                w = in_src[e]
                if mark[w] != stamp:
                    mark[w] = stamp
                    members, used = _append(members, used, w)
                e += 1
        offsets[j + 1] = used
    return members, used


@njit(cache=True)
def _heap_push(keys, nodes, size, key, node):
    i = size
    keys[i] = key
    nodes[i] = node
    while i > 0:
        parent = (i - 1) // 2
        # max-heap on key; ties to the lower node id
        if keys[parent] > keys[i] or (keys[parent] == keys[i] and nodes[parent] < nodes[i]):
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        nodes[parent], nodes[i] = nodes[i], nodes[parent]
        i = parent
    return size + 1


@njit(cache=True)
def _heap_pop(keys, nodes, size):
    key, node = keys[0], nodes[0]
    size -= 1
    keys[0], nodes[0] = keys[size], nodes[size]
    i = 0
    while True:
        left, right, best = 2 * i + 1, 2 * i + 2, i
        for c in (left, right):
            if c < size and (
                keys[c] > keys[best] or (keys[c] == keys[best] and nodes[c] < nodes[best])
            ):
                best = c
        if best == i:
            break
        keys[best], keys[i] = keys[i], keys[best]
        nodes[best], nodes[i] = nodes[i], nodes[best]
        i = best
    return key, node, size


@njit(cache=True)
def _greedy_cover(members, offsets, sets, n, cost, budget, by_ratio, limit, eligible):
    """Greedy maximum coverage of the first ``sets`` RR sets, lazily re-evaluated.

    Each round takes the eligible person of the largest gain (or gain per cost when
    ``by_ratio``) among those the rest of ``budget`` affords, at most ``limit`` people.
    Gains only fall as sets get covered, so a popped person whose key is stale is pushed
    back with its fresh key (lazy forward) and a fresh one is taken.
    Returns the chosen people and the number of sets they cover.
    """
    used = offsets[sets]
    # people -> the sets they belong to (inverse index, CSR)
    degree = np.zeros(n + 1, np.int64)
    for i in range(used):
        degree[members[i] + 1] += 1
    start = np.cumsum(degree)
    fill = start[:-1].copy()
    owner = np.empty(used, np.int64)
    for s in range(sets):
        for i in range(offsets[s], offsets[s + 1]):
            v = members[i]
            owner[fill[v]] = s
            fill[v] += 1
    gain = np.diff(start)
    covered = np.zeros(sets, np.bool_)
    keys = np.empty(n, np.float64)
    nodes = np.empty(n, np.int64)
    size = 0
    for v in range(n):
        if eligible[v] and gain[v] > 0 and cost[v] <= budget:
            key = gain[v] / cost[v] if by_ratio else float(gain[v])
            size = _heap_push(keys, nodes, size, key, v)
    chosen = np.empty(min(limit, n), np.int64)
    picked = 0
    spent = 0.0
    total = 0
    while size > 0 and picked < limit:
        key, v, size = _heap_pop(keys, nodes, size)
        if spent + cost[v] > budget * (1 + 1e-12):
            continue  # the rest of the budget no longer affords v, nor will it later
        fresh = gain[v] / cost[v] if by_ratio else float(gain[v])
        if fresh < key:
            if gain[v] > 0:
                size = _heap_push(keys, nodes, size, fresh, v)
            continue
        chosen[picked] = v
        picked += 1
        spent += cost[v]
        total += gain[v]
        for i in range(start[v], start[v + 1]):
            s = owner[i]
            if covered[s]:
                continue
            covered[s] = True
            for m in range(offsets[s], offsets[s + 1]):
                gain[members[m]] -= 1
    return chosen[:picked], total


@dataclass(frozen=True)
class RRCollection:
    """RR sets drawn so far: members of set ``i`` are ``members[offsets[i]:offsets[i+1]]``."""

    members: np.ndarray
    offsets: np.ndarray

    @property
    def count(self) -> int:
        return self.offsets.size - 1


class _Sampler:
    """Draws RR sets on the transposed graph, keeping every set drawn since its last restart."""

    def __init__(self, indptr, indices, probability, key: int) -> None:
        n = indptr.size - 1
        self.n = n
        order = np.argsort(indices, kind="stable")
        self.in_src = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))[order]
        self.in_prob = np.asarray(probability, np.float64)[order]
        counts = np.bincount(indices, minlength=n)
        self.in_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.top = np.zeros(n)
        if self.in_prob.size:
            has = counts > 0
            self.top[has] = np.maximum.reduceat(self.in_prob, self.in_ptr[:-1][has])
        with np.errstate(divide="ignore"):
            self.log_miss = np.log1p(-np.minimum(self.top, 0.5))
        self.key = key
        self.members = np.empty(max(1024, 4 * n), np.int64)
        self.offsets = np.zeros(1, np.int64)
        self.mark = np.zeros(n, np.int64)

    def restart(self, key: int) -> None:
        """Forget the sets drawn so far; the next ones follow from ``key``."""
        self.key = key
        self.offsets = np.zeros(1, np.int64)

    def extend_to(self, total: int) -> None:
        have = self.offsets.size - 1
        if total <= have:
            return
        new = np.empty(total - have + 1, np.int64)
        new[0] = self.offsets[-1]
        self.members, _ = _rr_sets(
            self.in_ptr,
            self.in_src,
            self.in_prob,
            self.top,
            self.log_miss,
            self.n,
            self.key,
            have,
            total - have,
            self.members,
            new,
            self.mark,
        )
        self.offsets = np.concatenate([self.offsets, new[1:]])


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


@dataclass(frozen=True)
class IMMResult:
    """Seeds chosen by :func:`imm`, with the RR-set estimate of their spread."""

    seeds: np.ndarray
    spread: float
    rr_sets: int
    cost: float


def _select(sampler, sets, n, k, cost, budget, eligible):
    """Uniform-cost greedy, and with costs also the cost-ratio greedy: the better one."""
    members, offsets = sampler.members, sampler.offsets
    if cost is None:
        ones = np.ones(n)
        return _greedy_cover(members, offsets, sets, n, ones, np.inf, False, k, eligible)
    plain = _greedy_cover(members, offsets, sets, n, cost, budget, False, n, eligible)
    ratio = _greedy_cover(members, offsets, sets, n, cost, budget, True, n, eligible)
    return plain if plain[1] >= ratio[1] else ratio


def imm(
    indptr: np.ndarray,
    indices: np.ndarray,
    probability: np.ndarray,
    k: int,
    *,
    epsilon: float = 0.1,
    confidence: float = 1.0,
    cost: np.ndarray | None = None,
    budget: float | None = None,
    candidates: np.ndarray | None = None,
    fresh_sets: bool = True,
    rng: np.random.Generator | int | None = None,
) -> IMMResult:
    """Seeds of largest spread by IMM (Tang, Shi & Xiao 2015).

    Parameters
    ----------
    indptr, indices : arrays
        The graph as CSR; edge ``u -> v`` means ``u`` can convince ``v``.
    probability : array
        Probability that each edge passes the product on (independent cascade).
    k : int
        Seeds to choose; with ``cost``, the most seeds the budget may buy (it enters the
        sampling bound).
    epsilon : float
        Approximation slack, in (0, 1): the seeds reach at least ``(1 - 1/e - epsilon)``
        of the best ``k``-set's spread with probability ``1 - 1/n^confidence``
        (default 0.1 [assumption]: the paper's experiments use 0.1 to 0.5).
    confidence : float
        The ``l`` of the paper (default 1, as there).
    cost, budget : array and float, optional
        EUR per person and the money for all seeds: budgeted influence maximisation by the
        better of the uniform-cost and the cost-ratio greedy (Leskovec et al. 2007), which
        reaches at least ``(1 - 1/e) / 2`` of the best affordable set's coverage of the
        RR sets, not the ``1 - 1/e`` of the uniform case.
    candidates : array, optional
        People who may be chosen (default everyone).
    fresh_sets : bool
        Choose the seeds on RR sets drawn afresh after the sampling phase (Chen 2018's
        fix, the default); ``False`` tops up the sampling phase's sets, as the 2015
        paper does (the previous behaviour, with fewer sets and a broken guarantee).
    rng : Generator, int or None
        Two 64-bit keys are drawn from it (the sampling phase's sets, the final sets); the
        RR sets follow from those keys alone.

    Returns
    -------
    IMMResult
        ``seeds`` in the order chosen, ``spread`` estimated from the final RR sets (``n``
        x the share covered), ``rr_sets`` the seeds were chosen on (with ``fresh_sets``
        the sampling phase's sets are drawn too, then dropped) and the seeds' total
        ``cost``.

    Examples
    --------
    >>> # two stars: 0 -> 1..3 and 4 -> 5..6; the hubs come first
    >>> indptr = np.array([0, 3, 3, 3, 3, 5, 5, 5])
    >>> indices = np.array([1, 2, 3, 5, 6])
    >>> result = imm(indptr, indices, np.ones(5), 2, rng=0)
    >>> result.seeds.tolist(), round(result.spread)
    ([0, 4], 7)
    """
    if not 0.0 < epsilon < 1.0:
        raise ValueError(f"The 'epsilon' parameter of imm must be in (0, 1). Got {epsilon!r}.")
    if (cost is None) != (budget is None):
        raise ValueError("imm takes 'cost' and 'budget' together, or neither")
    n = int(indptr.size - 1)
    eligible = np.zeros(n, bool)
    if candidates is None:
        eligible[:] = True
    else:
        eligible[np.asarray(candidates, np.int64)] = True
    if cost is not None and budget is not None:
        cost = np.asarray(cost, np.float64)
        affordable = eligible & (cost <= budget)
        cheapest = np.sort(cost[affordable])
        within = int(np.searchsorted(np.cumsum(cheapest), budget * (1 + 1e-12), side="right"))
        k = min(int(k), within) if k else within
    k = min(int(k), int(eligible.sum()))
    generator = np.random.default_rng(rng)
    key = int(generator.integers(0, 2**63 - 1))
    final_key = int(generator.integers(0, 2**63 - 1))
    sampler = _Sampler(
        np.asarray(indptr, np.int64), np.asarray(indices, np.int64), probability, key
    )
    if n == 0 or k == 0:
        return IMMResult(np.zeros(0, np.int64), 0.0, 0, 0.0)
    if n == 1:
        return IMMResult(np.zeros(1, np.int64), 1.0, 0, 0.0 if cost is None else float(cost[0]))
    log_n = math.log(n)
    ell = confidence * (1 + math.log(2) / log_n)  # so both phases together hold w.p. 1 - 1/n^l
    log_choose = _log_choose(n, k)
    # Sampling phase: a lower bound on the best spread (the paper's Algorithm 2).
    eps_prime = math.sqrt(2) * epsilon
    lam_prime = (
        (2 + 2 * eps_prime / 3)
        * (log_choose + ell * log_n + math.log(max(math.log2(n), 1.0)))
        * n
        / eps_prime**2
    )
    lower = 1.0
    for i in range(1, max(int(math.log2(n)), 2)):
        x = n / 2**i
        sampler.extend_to(int(math.ceil(lam_prime / x)))
        sets = sampler.offsets.size - 1
        _, covered = _select(sampler, sets, n, k, cost, budget, eligible)
        if n * covered / sets >= (1 + eps_prime) * x:
            lower = n * covered / sets / (1 + eps_prime)
            break
    alpha = math.sqrt(ell * log_n + math.log(2))
    beta = math.sqrt((1 - 1 / math.e) * (log_choose + ell * log_n + math.log(2)))
    lam_star = 2 * n * ((1 - 1 / math.e) * alpha + beta) ** 2 / epsilon**2
    if fresh_sets:
        sampler.restart(final_key)
    sampler.extend_to(int(math.ceil(lam_star / lower)))
    sets = sampler.offsets.size - 1
    seeds, covered = _select(sampler, sets, n, k, cost, budget, eligible)
    if cost is None and seeds.size < k:
        # Every RR set is covered: the rest add only themselves; take the best connected.
        rest = np.flatnonzero(eligible & ~np.isin(np.arange(n), seeds))
        order = np.lexsort((rest, -np.diff(indptr)[rest]))
        seeds = np.concatenate([seeds, rest[order[: k - seeds.size]]])
    spent = 0.0 if cost is None else float(cost[seeds].sum())
    return IMMResult(seeds.astype(np.int64), n * covered / sets, sets, spent)


def rr_sets(
    indptr: np.ndarray,
    indices: np.ndarray,
    probability: np.ndarray,
    count: int,
    *,
    rng: np.random.Generator | int | None = None,
) -> RRCollection:
    """``count`` RR sets, drawn as :func:`imm` draws them (for tests and inspection).

    Examples
    --------
    >>> # a path 0 -> 1 -> 2 whose edges always pass: the set of 2 is {0, 1, 2}
    >>> sets = rr_sets(np.array([0, 1, 2, 2]), np.array([1, 2]), np.ones(2), 50, rng=3)
    >>> sorted({int(np.diff(sets.offsets)[i]) for i in range(sets.count)})
    [1, 2, 3]
    """
    key = int(np.random.default_rng(rng).integers(0, 2**63 - 1))
    sampler = _Sampler(
        np.asarray(indptr, np.int64), np.asarray(indices, np.int64), probability, key
    )
    sampler.extend_to(int(count))
    used = int(sampler.offsets[-1])
    return RRCollection(sampler.members[:used].copy(), sampler.offsets)
