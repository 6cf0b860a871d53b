"""The offline market layer: households, close friends next door, acquaintances at the market."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator.config import MarketLayer
from simulator.town.network.layers import COMPILED_ABOVE, Tie, compile_csr, csr_from_keys


def market_layer(
    config: MarketLayer,
    size: int,
    *,
    rng: np.random.Generator,
    segment: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generate the market layer as CSR arrays ``(indptr, indices, tie)``.

    People live on a ring of neighbourhoods. Households are runs of neighbours, fully
    linked; close friends are the nearest neighbours on the ring (a small-world lattice,
    hence clustering), each rewired with probability ``rewire`` to someone else in the
    neighbourhood; acquaintances are pairs, a share ``local_share`` introduced by a friend
    (friends of friends: triadic closure raises clustering to about 0.2-0.3, as in real
    social networks) and the rest anyone in town. An introduction that repeats an existing
    tie merges with it, so the realised mean degree is below households + friends +
    acquaintances. All ties are mutual. Work is O(size x ties per person).

    With ``distinct_ties`` an introduction that repeats a tie (or the person) is drawn
    again, a few rounds, so the realised numbers of close friends and acquaintances meet
    the configured ones; without it they merge, and a town realises about 6.3 strong and
    8.1 weak ties for the default 7.5 and 15 (the model before 2026-12). With a finite
    ``segment_mixing`` people of one ``segment`` live near each other (homophily): ring
    positions are sorted by ``segment + segment_mixing x U(0, 1)`` (MODEL-REVIEW G3).

    Examples
    --------
    >>> indptr, indices, tie = market_layer(MarketLayer(), 1000, rng=np.random.default_rng(1))
    >>> mean_degree = indptr[-1] / 1000
    >>> bool(20 < mean_degree < 25)
    True
    """
    position_to_person = placement(size, segment, config.segment_mixing, rng)
    hood_size = min(config.neighbourhood_size, size)
    position = np.arange(size, dtype=np.int64)
    hood_start = (position // hood_size) * hood_size
    hood_len = np.minimum(hood_size, size - hood_start)
    # Large towns compute between the draws with compiled kernels: the same random
    # numbers, drawn by the same calls in the same order, so the same arrays.
    compiled = size * (config.close_friends + config.acquaintances + 2) > COMPILED_ABOVE
    if compiled:
        from simulator.town.network import town_kernels  # numba: only for large towns

    speakers, listeners, ties = [], [], []

    def add(a: np.ndarray, b: np.ndarray, tie: Tie) -> None:
        speakers.append(a)
        listeners.append(b)
        ties.append(np.full(a.size, tie, np.int8))

    # Households: consecutive runs of 1 + Poisson(mean - 1) people.
    sizes = 1 + rng.poisson(config.household_size - 1.0, size=size)
    if compiled:
        first, second = town_kernels.household_pairs(sizes, size)
        add(first, second, Tie.STRONG)
    else:
        household = np.repeat(np.arange(size), sizes)[:size]
        for offset in range(1, int(sizes.max())):
            a = position[:-offset]
            same = household[a] == household[a + offset]
            add(a[same], a[same] + offset, Tie.STRONG)

    households = len(speakers)
    # Close friends: ring lattice with close_friends / 2 offsets each side, rewired locally.
    half = config.close_friends // 2
    odd = config.close_friends % 2 == 1
    for offset in range(1, half + 1 + odd):
        a = position if not (odd and offset == half + 1) else position[rng.random(size) < 0.5]
        b = (a + offset) % size
        rewired = rng.random(a.size) < config.rewire
        b[rewired] = hood_start[a[rewired]] + rng.integers(0, hood_len[a[rewired]])
        add(a, b, Tie.STRONG)

    if config.distinct_ties and len(speakers) > households:
        household_keys = np.sort(_pair_keys(speakers[:households], listeners[:households], size))
        a, b = np.concatenate(speakers[households:]), np.concatenate(listeners[households:])

        def next_door(a: np.ndarray) -> np.ndarray:  # a little further along the ring
            step = rng.integers(1, config.close_friends + 3, a.size)
            return (a + np.where(rng.random(a.size) < 0.5, step, -step)) % size

        b = (distinct_pairs_compiled if compiled else distinct_pairs)(
            a, b, household_keys, size, next_door
        )
        del speakers[households:], listeners[households:], ties[households:]
        add(a, b, Tie.STRONG)

    # Acquaintances: size x acquaintances / 2 pairs; a share local_share are friends of
    # friends (met through them at the market: triadic closure, hence clustering), the rest
    # anyone in town.
    pairs = size * config.acquaintances // 2
    a = rng.integers(0, size, pairs)
    b = rng.integers(0, size, pairs)
    strong = np.concatenate(speakers), np.concatenate(listeners)
    if strong[0].size:
        if compiled:  # strong pairs are local on the ring: rows fill in cache
            indptr, neighbours = town_kernels.mutual_rows(size, *strong)
        else:
            indptr, neighbours, _ = compile_csr(
                size, strong[0], strong[1], np.zeros(strong[0].size, np.int8), mutual=True
            )
        local = np.flatnonzero(rng.random(pairs) < config.local_share)
        friend = _random_neighbour(indptr, neighbours, a[local], rng, compiled=compiled)
        b[local] = _random_neighbour(indptr, neighbours, friend, rng, compiled=compiled)
        if config.distinct_ties:

            def introduced(a: np.ndarray) -> np.ndarray:
                b = rng.integers(0, size, a.size)
                local = np.flatnonzero(rng.random(a.size) < config.local_share)
                friend = _random_neighbour(indptr, neighbours, a[local], rng, compiled=compiled)
                b[local] = _random_neighbour(indptr, neighbours, friend, rng, compiled=compiled)
                return b

            strong_keys = np.sort(_pair_keys([strong[0]], [strong[1]], size))
            b = (distinct_pairs_compiled if compiled else distinct_pairs)(
                a, b, strong_keys, size, introduced
            )
    if compiled:
        keys = town_kernels.market_keys(size, position_to_person, *strong, a, b)
        return csr_from_keys(size, keys)
    add(a, b, Tie.WEAK)

    a = position_to_person[np.concatenate(speakers)]
    b = position_to_person[np.concatenate(listeners)]
    return compile_csr(size, a, b, np.concatenate(ties), mutual=True)


def placement(
    size: int, segment: np.ndarray | None, mixing: float, rng: np.random.Generator
) -> np.ndarray:
    """The person at each ring position: at random, or sorted by ``segment + mixing x U``.

    Examples
    --------
    >>> segment = np.repeat(np.arange(2, dtype=np.int8), 5)
    >>> segment[placement(10, segment, 0.0, np.random.default_rng(0))].tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    """
    if segment is None or not np.isfinite(mixing):
        return rng.permutation(size).astype(np.int64)  # no homophily (the model before 2026-12)
    key = segment.astype(np.float64) + mixing * rng.random(size)
    return np.argsort(key, kind="stable").astype(np.int64)


def _pair_keys(first: list[np.ndarray], second: list[np.ndarray], size: int) -> np.ndarray:
    """``min x size + max`` of each unordered pair (int64), over the parts given."""
    a = np.concatenate(first).astype(np.int64)
    b = np.concatenate(second).astype(np.int64)
    return np.minimum(a, b) * size + np.maximum(a, b)


DISTINCT_ROUNDS = 20
"""Rounds of redraws for introductions that repeat a tie; what still repeats then merges."""


def distinct_pairs(
    a: np.ndarray,
    b: np.ndarray,
    taken: np.ndarray,
    size: int,
    redraw: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """Redraw ``b`` where pair ``(a, b)`` is a self-pair, a ``taken`` pair or a repeat.

    ``taken`` holds sorted :func:`_pair_keys`; ``redraw(a)`` draws new partners for the
    people ``a``. The first of repeated pairs is kept. Up to :data:`DISTINCT_ROUNDS`
    rounds; each costs the size of ``taken`` and ``a`` plus a sort of the redrawn pairs.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = np.array([0, 0, 1, 2]), np.array([0, 1, 0, 3])
    >>> b = distinct_pairs(a, b, np.zeros(0, np.int64), 50, lambda a: rng.integers(0, 50, a.size))
    >>> keys = np.minimum(a, b) * 50 + np.maximum(a, b)
    >>> bool(np.all(a != b)) and np.unique(keys).size == 4
    True
    """
    b = b.astype(np.int64, copy=True)
    a = a.astype(np.int64)
    key = np.minimum(a, b) * size + np.maximum(a, b)
    order = np.argsort(key, kind="stable")
    repeat = np.zeros(a.size, bool)
    repeat[order[1:]] = key[order][1:] == key[order][:-1]
    bad = (a == b) | repeat | _in_sorted(key, taken)
    accepted = np.sort(key[~bad])
    for _ in range(DISTINCT_ROUNDS):
        todo = np.flatnonzero(bad)
        if todo.size == 0:
            break
        b[todo] = redraw(a[todo])
        new = np.minimum(a[todo], b[todo]) * size + np.maximum(a[todo], b[todo])
        again = (a[todo] == b[todo]) | _in_sorted(new, taken) | _in_sorted(new, accepted)
        order = np.argsort(new, kind="stable")
        repeat = np.zeros(todo.size, bool)
        repeat[order[1:]] = new[order][1:] == new[order][:-1]
        again |= repeat
        bad[todo] = again
        fresh = np.sort(new[~again])
        accepted = np.insert(accepted, np.searchsorted(accepted, fresh), fresh)
    return b


def distinct_pairs_compiled(
    a: np.ndarray,
    b: np.ndarray,
    taken: np.ndarray,
    size: int,
    redraw: Callable[[np.ndarray], np.ndarray],
) -> np.ndarray:
    """:func:`distinct_pairs` by sorting and merging: the same ``b`` from the same draws.

    Each round sorts its pairs' keys once (packed with their positions in one 64-bit
    word when they fit, so that numpy's vectorised sort gives a stable order) and judges
    them in that order: a repeat is the key before it, a taken or accepted pair is found
    by a galloping merge against sorted runs of keys (``taken`` and the pairs accepted so
    far, merged as they grow), which reads memory in order where the binary searches of
    :func:`distinct_pairs` jump across it once a query and level.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b = np.array([0, 0, 1, 2]), np.array([0, 1, 0, 3])
    >>> b = distinct_pairs_compiled(a, b, np.zeros(0, np.int64), 50,
    ...                             lambda a: rng.integers(0, 50, a.size))
    >>> keys = np.minimum(a, b) * 50 + np.maximum(a, b)
    >>> bool(np.all(a != b)) and np.unique(keys).size == 4
    True
    """
    from simulator.town.network import town_kernels as kernels  # numba: large towns only

    a = a.astype(np.int64)
    b = b.astype(np.int64, copy=True)
    runs = [np.asarray(taken, np.int64)] if taken.size else []

    def judge(first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Which pairs repeat a run's key, an earlier pair's or themselves; adds the rest."""
        shift = max(int(first.size - 1).bit_length(), 1)
        if 2 * max(int(size - 1).bit_length(), 1) + shift <= 63:
            packed = kernels.packed_pair_keys(first, second, size, shift)
            packed.sort()
            keys, order = kernels.unpack_keys(packed, shift)
            del packed
        else:  # too many bits for one word: a stable argsort
            unsorted = np.minimum(first, second) * size + np.maximum(first, second)
            order = np.argsort(unsorted, kind="stable")
            keys = unsorted[order]
        bad = kernels.repeats_and_loops(keys, order, first, second)
        for run in runs:
            kernels.mark_in_sorted(keys, run, bad)
        fresh = keys[~bad]
        while runs and runs[-1].size <= 2 * fresh.size:  # few runs, each much larger
            fresh = kernels.merge_sorted(runs.pop(), fresh)
        runs.append(fresh)
        judged = np.empty(first.size, bool)
        judged[order] = bad
        return judged

    bad = judge(a, b)
    for _ in range(DISTINCT_ROUNDS):
        todo = np.flatnonzero(bad)
        if todo.size == 0:
            break
        b[todo] = redraw(a[todo])
        bad[todo] = judge(a[todo], b[todo])
    return b


def _in_sorted(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if sorted_keys.size == 0:
        return np.zeros(keys.size, bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[at] == keys


def _random_neighbour(
    indptr: np.ndarray,
    neighbours: np.ndarray,
    people: np.ndarray,
    rng: np.random.Generator,
    *,
    compiled: bool = False,
) -> np.ndarray:
    """One uniformly chosen neighbour of each person (the person itself when isolated)."""
    if compiled:
        from simulator.town.network import town_kernels  # numba: only for large towns

        return town_kernels.random_neighbours(indptr, neighbours, people, rng.random(people.size))
    degree = indptr[people + 1] - indptr[people]
    offset = np.floor(rng.random(people.size) * degree).astype(np.int64)
    chosen = people.copy()
    has = degree > 0
    chosen[has] = neighbours[indptr[people[has]] + offset[has]]
    return chosen
