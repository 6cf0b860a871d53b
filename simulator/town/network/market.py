"""The offline market layer: households, close friends next door, acquaintances at the market."""

from __future__ import annotations

import numpy as np

from simulator.config import MarketLayer
from simulator.town.network.layers import COMPILED_ABOVE, Tie, compile_csr, csr_from_keys


def market_layer(
    config: MarketLayer, size: int, *, rng: np.random.Generator
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

    Examples
    --------
    >>> indptr, indices, tie = market_layer(MarketLayer(), 1000, rng=np.random.default_rng(1))
    >>> mean_degree = indptr[-1] / 1000
    >>> bool(10 < mean_degree < 25)
    True
    """
    position_to_person = rng.permutation(size).astype(np.int64)
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

    # Close friends: ring lattice with close_friends / 2 offsets each side, rewired locally.
    half = config.close_friends // 2
    odd = config.close_friends % 2 == 1
    for offset in range(1, half + 1 + odd):
        a = position if not (odd and offset == half + 1) else position[rng.random(size) < 0.5]
        b = (a + offset) % size
        rewired = rng.random(a.size) < config.rewire
        b[rewired] = hood_start[a[rewired]] + rng.integers(0, hood_len[a[rewired]])
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
    if compiled:
        keys = town_kernels.market_keys(size, position_to_person, *strong, a, b)
        return csr_from_keys(size, keys)
    add(a, b, Tie.WEAK)

    a = position_to_person[np.concatenate(speakers)]
    b = position_to_person[np.concatenate(listeners)]
    return compile_csr(size, a, b, np.concatenate(ties), mutual=True)


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
