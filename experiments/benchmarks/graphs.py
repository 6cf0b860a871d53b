"""Benchmark inputs: Barabási–Albert graphs as symmetric CSR arrays, cached on disk, and seed sets.

Every tool in the benchmark runs on the same graph and the same seed nodes:

* the undirected graph ``networkx.barabasi_albert_graph(n, 5, seed=42)``, used as a
  directed graph with both directions of every edge (so out-degree equals in-degree
  equals the undirected degree);
* 50 seed nodes drawn without replacement by ``np.random.default_rng(42)``.

Building the 1M-node graph takes about a minute of pure Python in networkx, so the CSR
arrays are cached as ``.npz`` files under ``$WOM_BENCH_CACHE`` (default
``~/.cache/wom-bench``).
"""

from __future__ import annotations

import itertools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse

ATTACHMENT_EDGES = 5
GRAPH_SEED = 42
SEED_COUNT = 50
SEED_CHOICE_SEED = 42
CACHE_ENV = "WOM_BENCH_CACHE"


@dataclass(frozen=True)
class BenchGraph:
    """A benchmark graph in CSR form plus its seed nodes.

    Attributes
    ----------
    name : str
        Label used in result rows, e.g. ``"ba_n10000_m5"``.
    indptr : numpy.ndarray
        int64 array of shape ``(n + 1,)``; out-neighbours of ``u`` are
        ``indices[indptr[u]:indptr[u + 1]]``.
    indices : numpy.ndarray
        int32 array of shape ``(E,)`` with ``E`` directed edges (twice the undirected count).
    seeds : numpy.ndarray
        int64 array of the seed node ids, sorted.
    """

    name: str
    indptr: np.ndarray
    indices: np.ndarray
    seeds: np.ndarray

    @property
    def node_count(self) -> int:
        """Number of nodes ``n``."""
        return int(self.indptr.size - 1)

    @property
    def out_degree(self) -> np.ndarray:
        """Out-degree of every node (int64), used to count edge trials."""
        return np.diff(self.indptr)

    def edge_trials(self, activated: np.ndarray) -> int:
        """Sum of the out-degrees of ``activated`` nodes (ids or a boolean mask).

        Examples
        --------
        >>> graph = load_graph(100, cache=False)
        >>> graph.edge_trials(np.arange(100)) == graph.indices.size
        True
        """
        return int(self.out_degree[activated].sum())


def graph_name(node_count: int) -> str:
    """Row label of the BA graph with ``node_count`` nodes.

    Examples
    --------
    >>> graph_name(10_000)
    'ba_n10000_m5'
    """
    return f"ba_n{node_count}_m{ATTACHMENT_EDGES}"


def cache_dir() -> Path:
    """Folder holding cached CSR arrays: ``$WOM_BENCH_CACHE`` or ``~/.cache/wom-bench``."""
    return Path(os.environ.get(CACHE_ENV, "~/.cache/wom-bench")).expanduser()


def build_csr(node_count: int) -> tuple[np.ndarray, np.ndarray]:
    """Build the symmetric CSR arrays of ``barabasi_albert_graph(node_count, 5, seed=42)``.

    The integer seed (not a numpy Generator, as house style would prefer) is deliberate:
    it is the graph every peer user can rebuild with plain networkx.

    Returns
    -------
    indptr : numpy.ndarray
        int64, shape ``(node_count + 1,)``.
    indices : numpy.ndarray
        int32, shape ``(2 * undirected_edges,)``, sorted within each row.

    Examples
    --------
    >>> indptr, indices = build_csr(100)
    >>> indptr.dtype, indices.dtype, int(indptr[-1]) == 2 * 5 * (100 - 5)
    (dtype('int64'), dtype('int32'), True)
    """
    undirected = nx.barabasi_albert_graph(node_count, ATTACHMENT_EDGES, seed=GRAPH_SEED)
    edge_count = undirected.number_of_edges()
    endpoints = np.fromiter(
        itertools.chain.from_iterable(undirected.edges()), dtype=np.int64, count=2 * edge_count
    ).reshape(edge_count, 2)
    del undirected
    sources = np.concatenate([endpoints[:, 0], endpoints[:, 1]])
    targets = np.concatenate([endpoints[:, 1], endpoints[:, 0]])
    adjacency = scipy.sparse.csr_array(
        (np.ones(sources.size, dtype=np.int8), (sources, targets)),
        shape=(node_count, node_count),
    )
    adjacency.sum_duplicates()
    adjacency.sort_indices()
    if adjacency.nnz != 2 * edge_count:
        raise RuntimeError(
            f"BA graph with n={node_count} has repeated edges or self-loops: "
            f"{adjacency.nnz} directed edges for {edge_count} undirected ones."
        )
    return adjacency.indptr.astype(np.int64), adjacency.indices.astype(np.int32)


def choose_seeds(node_count: int, *, count: int = SEED_COUNT) -> np.ndarray:
    """Seed nodes: ``count`` distinct ids drawn by ``np.random.default_rng(42)``, sorted.

    Examples
    --------
    >>> seeds = choose_seeds(10_000)
    >>> seeds.size, np.unique(seeds).size, bool(seeds.max() < 10_000)
    (50, 50, True)
    """
    rng = np.random.default_rng(SEED_CHOICE_SEED)
    return np.sort(rng.choice(node_count, size=count, replace=False)).astype(np.int64)


def _cache_path(node_count: int) -> Path:
    # The networkx version is part of the key: nothing guarantees that its BA generator
    # draws the same graph for the same seed across releases.
    return cache_dir() / (f"{graph_name(node_count)}_seed{GRAPH_SEED}_networkx{nx.__version__}.npz")


def load_graph(node_count: int, *, cache: bool = True) -> BenchGraph:
    """Return the benchmark graph with ``node_count`` nodes, from the cache when present.

    Parameters
    ----------
    node_count : int
        Number of nodes, at least 51 (the BA generator needs more than 5 nodes and the
        seed set has 50 nodes).
    cache : bool, default True
        Read and write the ``.npz`` cache; ``False`` always rebuilds and writes nothing.

    Examples
    --------
    >>> graph = load_graph(1_000, cache=False)
    >>> graph.name, graph.node_count, graph.seeds.size
    ('ba_n1000_m5', 1000, 50)
    >>> bool((graph.out_degree >= 5).all())
    True
    """
    if node_count <= SEED_COUNT:
        raise ValueError(
            f"The 'node_count' of a benchmark graph must be an integer above {SEED_COUNT}. "
            f"Got {node_count} instead."
        )
    path = _cache_path(node_count)
    if cache and path.exists():
        with np.load(path) as stored:
            indptr, indices = stored["indptr"], stored["indices"]
    else:
        indptr, indices = build_csr(node_count)
        if cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so an interrupted build never leaves a truncated cache.
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
                np.savez(tmp, indptr=indptr, indices=indices)
            Path(tmp.name).replace(path)
    return BenchGraph(
        name=graph_name(node_count),
        indptr=indptr,
        indices=indices,
        seeds=choose_seeds(node_count),
    )


def to_networkx(graph: BenchGraph) -> nx.Graph:
    """Undirected networkx graph with nodes ``0..n-1`` in order, for EoN and NDlib.

    On a symmetric digraph, "each active node tries each out-neighbour" (IC) and "weight
    1/in-degree from each in-neighbour" (LT) mean the same on the undirected graph, whose
    neighbours are the out- and the in-neighbours at once; the undirected form halves
    the memory that networkx needs.

    Examples
    --------
    >>> graph = load_graph(200, cache=False)
    >>> undirected = to_networkx(graph)
    >>> 2 * undirected.number_of_edges() == graph.indices.size
    True
    >>> sorted(undirected.neighbors(7)) == graph.indices[graph.indptr[7] : graph.indptr[8]].tolist()
    True
    """
    sources = np.repeat(np.arange(graph.node_count, dtype=np.int64), graph.out_degree)
    targets = graph.indices.astype(np.int64)
    upper = sources < targets
    undirected = nx.Graph()
    undirected.add_nodes_from(range(graph.node_count))
    undirected.add_edges_from(zip(sources[upper].tolist(), targets[upper].tolist(), strict=True))
    return undirected
