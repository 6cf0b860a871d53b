"""Graphs of the model checks as symmetric CSR arrays: Erdos-Renyi, edge lists, networkx."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.town.network.layers import compile_csr

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["erdos_renyi_csr", "networkx_csr", "undirected_csr"]


def undirected_csr(
    size: int, first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric CSR arrays (int64 indptr, int32 indices) of an undirected edge list.

    Examples
    --------
    >>> indptr, indices = undirected_csr(3, np.array([0, 1]), np.array([1, 2]))  # a path
    >>> indptr.tolist(), indices.tolist()
    ([0, 1, 3, 4], [1, 0, 2, 1])
    """
    speakers = np.concatenate([first, second])
    listeners = np.concatenate([second, first])
    indptr, indices, _ = compile_csr(size, speakers, listeners, np.zeros(speakers.size, np.int8))
    return indptr, indices


def erdos_renyi_csr(
    size: int, mean_degree: float, *, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """An Erdos-Renyi G(n, p) graph with ``p = mean_degree / (n - 1)``, as symmetric CSR arrays.

    The number of edges is drawn from its binomial distribution, then that many distinct
    node pairs uniformly at random: both steps together give G(n, p) exactly, in array
    code (no loop over nodes or edges).

    Parameters
    ----------
    size : int
        Number of nodes n, >= 2.
    mean_degree : float
        Expected degree c, in [0, n - 1].
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    indptr, indices : numpy.ndarray
        int64 and int32 arrays; both directions of every edge are present.

    Examples
    --------
    >>> indptr, indices = erdos_renyi_csr(10_000, 5.0, rng=np.random.default_rng(1))
    >>> round(indices.size / 10_000, 1)  # mean degree
    5.0
    """
    pairs = size * (size - 1) // 2
    edges = int(rng.binomial(pairs, mean_degree / (size - 1)))
    codes = np.empty(0, np.int64)
    while codes.size < edges:  # a few rounds at most: duplicates are rare when sparse
        draw = int(1.05 * (edges - codes.size)) + 16
        first = rng.integers(0, size, draw)
        second = rng.integers(0, size, draw)
        keep = first != second
        low = np.minimum(first[keep], second[keep])
        high = np.maximum(first[keep], second[keep])
        codes = np.unique(np.concatenate([codes, low * size + high]))
    codes = rng.permutation(codes)[:edges]
    return undirected_csr(size, codes // size, codes % size)


def networkx_csr(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric CSR arrays of an undirected networkx graph on nodes 0..n-1."""
    endpoints = np.array(list(graph.edges()), np.int64).reshape(-1, 2)
    return undirected_csr(graph.number_of_nodes(), endpoints[:, 0], endpoints[:, 1])
