"""Seed selection: who gets the free samples (random, most connected, most central)."""

from __future__ import annotations

import numpy as np

from simulator.town.network import Network


def centrality(network: Network, strategy: str) -> np.ndarray:
    """Score every person for a deterministic seeding strategy.

    ``degree`` counts contacts over all layers; ``pagerank`` is PageRank (damping 0.85) of
    the union of the layers, where a person is central when central people talk to them.

    Examples
    --------
    >>> from simulator.town.network.layers import Layer, Network
    >>> from simulator.config import EdgeListLayer
    >>> star = Layer("star", EdgeListLayer(path="-"), np.array([0, 3, 4, 5, 6]),
    ...              np.array([1, 2, 3, 0, 0, 0], np.int32), np.zeros(6, np.int8))
    >>> int(np.argmax(centrality(Network(4, (star,)), "pagerank")))
    0
    """
    if strategy == "degree":
        return network.out_degree().astype(np.float64)
    if strategy != "pagerank":
        raise ValueError(f"unknown seeding strategy {strategy!r}; allowed: degree, pagerank")
    import scipy.sparse as sp  # only PageRank needs it

    n = network.size
    sparse = [
        sp.csr_matrix((np.ones(layer.edges), layer.indices, layer.indptr), shape=(n, n))
        for layer in network.layers
        if not layer.well_mixed
    ]
    if not sparse:  # everyone is alike on well-mixed layers
        return np.ones(n)
    adjacency = sum(sparse[1:], sparse[0]).tocsr()
    out_degree = np.asarray(adjacency.sum(axis=1)).ravel()
    inverse = np.divide(1.0, out_degree, out=np.zeros(n), where=out_degree > 0)
    transition = sp.diags(inverse) @ adjacency  # row-stochastic where out_degree > 0
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        dangling = rank[out_degree == 0].sum()
        new = 0.85 * (transition.T @ rank + dangling / n) + 0.15 / n
        if np.abs(new - rank).sum() < 1e-10:
            break
        rank = new
    return new


def select_seeds(
    network: Network,
    strategy: str,
    k: int,
    replicates: int,
    *,
    rng: np.random.Generator,
    candidates: np.ndarray | None = None,
) -> np.ndarray:
    """Choose ``k`` distinct seeds per replicate, shape ``(replicates, k)``.

    ``random`` draws new seeds in every replicate (a uniform k-subset; O(k) work per
    replicate when k is small beside the candidates); ``degree`` and ``pagerank`` give
    the same top-``k`` people in every replicate (ties broken by lower id).

    Examples
    --------
    >>> from simulator.town.network.layers import Layer, Network
    >>> from simulator.config import WellMixedLayer
    >>> layer = Layer("all", WellMixedLayer(), np.zeros(11, np.int64), np.zeros(0, np.int32),
    ...               np.zeros(0, np.int8))
    >>> select_seeds(Network(10, (layer,)), "random", 3, 2, rng=np.random.default_rng(0)).shape
    (2, 3)
    """
    people = np.arange(network.size) if candidates is None else np.asarray(candidates)
    k = min(k, people.size)
    if strategy == "random":
        if k > 0 and 50 * k < people.size:  # a few among many: O(k) per replicate
            drawn = [rng.choice(people.size, k, replace=False) for _ in range(replicates)]
            return people[np.array(drawn, np.int64).reshape(replicates, k)]
        keys = rng.random((replicates, people.size))
        chosen = np.argpartition(keys, k - 1, axis=1)[:, :k] if k else keys[:, :0].astype(int)
        return people[chosen]
    score = centrality(network, strategy)[people]
    top = people[np.lexsort((people, -score))[:k]]
    return np.broadcast_to(top, (replicates, k)).copy()
