"""Benchmark inputs: graphs of several families as CSR arrays, cached on disk, and seed sets.

Every tool in the benchmark runs on the same graph and the same seed nodes:

* family ``ba`` (the default): the undirected graph
  ``networkx.barabasi_albert_graph(n, 5, seed=42)``, used as a directed graph with both
  directions of every edge (so out-degree equals in-degree equals the undirected degree);
* ``ws``: ``networkx.watts_strogatz_graph(n, 10, 0.1, seed=42)``, both directions;
* ``dsf``: ``networkx.scale_free_graph(n, seed=42)`` (Bollobas et al. 2003), a directed
  scale-free graph, parallel edges merged and self-loops dropped, one direction per edge;
* ``plc``: ``networkx.powerlaw_cluster_graph(n, 5, 0.3, seed=42)`` (Holme & Kim 2002),
  both directions;
* ``snap``: SNAP's ego-Facebook (McAuley & Leskovec 2012; 4,039 nodes, 88,234 edges),
  read from ``$WOM_BENCH_SNAP`` (default ``/work/shared/data/facebook_combined.txt``),
  both directions; its size is fixed, the requested one is ignored;
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


FAMILIES = ("ba", "ws", "dsf", "plc", "snap")
SNAP_ENV = "WOM_BENCH_SNAP"
SNAP_DEFAULT = "/work/shared/data/facebook_combined.txt"
SNAP_NODES = 4_039


def graph_name(node_count: int, family: str = "ba") -> str:
    """Row label of the ``family`` graph with ``node_count`` nodes.

    Examples
    --------
    >>> graph_name(10_000)
    'ba_n10000_m5'
    >>> graph_name(10_000, "ws"), graph_name(10, "snap")
    ('ws_n10000_k10_b0.1', 'snap_ego_facebook')
    """
    names = {
        "ba": f"ba_n{node_count}_m{ATTACHMENT_EDGES}",
        "ws": f"ws_n{node_count}_k10_b0.1",
        "dsf": f"dsf_n{node_count}",
        "plc": f"plc_n{node_count}_m5_p0.3",
        "snap": "snap_ego_facebook",
    }
    if family not in names:
        raise ValueError(
            f"The 'family' of a benchmark graph must be one of {', '.join(FAMILIES)}. "
            f"Got {family!r} instead."
        )
    return names[family]


def snap_path() -> Path:
    """The SNAP ego-Facebook edge list: ``$WOM_BENCH_SNAP`` or the shared data folder."""
    return Path(os.environ.get(SNAP_ENV, SNAP_DEFAULT)).expanduser()


def _directed_csr(
    node_count: int, sources: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """CSR of a directed edge list, repeated edges merged, self-loops dropped."""
    keep = sources != targets
    adjacency = scipy.sparse.csr_array(
        (np.ones(int(keep.sum()), dtype=np.int8), (sources[keep], targets[keep])),
        shape=(node_count, node_count),
    )
    adjacency.sum_duplicates()
    adjacency.sort_indices()
    return adjacency.indptr.astype(np.int64), adjacency.indices.astype(np.int32)


def _undirected_endpoints(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    edge_count = graph.number_of_edges()
    endpoints = np.fromiter(
        itertools.chain.from_iterable(graph.edges()), dtype=np.int64, count=2 * edge_count
    ).reshape(edge_count, 2)
    return endpoints[:, 0], endpoints[:, 1]


def build_family_csr(node_count: int, family: str) -> tuple[np.ndarray, np.ndarray]:
    """CSR arrays (int64 indptr, int32 indices) of a graph of ``family`` (see the module).

    Examples
    --------
    >>> indptr, indices = build_family_csr(200, "ws")
    >>> int(indptr[-1]) == 200 * 10
    True
    >>> indptr, indices = build_family_csr(200, "dsf")
    >>> bool(indices.size > 200), int(np.diff(indptr).min()) >= 0
    (True, True)
    """
    if family == "ba":
        return build_csr(node_count)
    if family == "dsf":
        directed = nx.scale_free_graph(node_count, seed=GRAPH_SEED)
        ends = np.array(list(directed.edges()), dtype=np.int64).reshape(-1, 2)
        return _directed_csr(node_count, ends[:, 0], ends[:, 1])
    if family == "snap":
        ends = np.loadtxt(snap_path(), dtype=np.int64).reshape(-1, 2)
        first, second = ends[:, 0], ends[:, 1]
        node_count = int(ends.max()) + 1
    else:
        undirected = (
            nx.watts_strogatz_graph(node_count, 10, 0.1, seed=GRAPH_SEED)
            if family == "ws"
            else nx.powerlaw_cluster_graph(node_count, ATTACHMENT_EDGES, 0.3, seed=GRAPH_SEED)
        )
        first, second = _undirected_endpoints(undirected)
    return _directed_csr(
        node_count, np.concatenate([first, second]), np.concatenate([second, first])
    )


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


def _cache_path(node_count: int, family: str = "ba") -> Path:
    # The networkx version is part of the key: nothing guarantees that its generators
    # draw the same graph for the same seed across releases.
    name = graph_name(node_count, family)
    return cache_dir() / f"{name}_seed{GRAPH_SEED}_networkx{nx.__version__}.npz"


def load_graph(node_count: int, *, cache: bool = True, family: str = "ba") -> BenchGraph:
    """Return the benchmark graph with ``node_count`` nodes, from the cache when present.

    Parameters
    ----------
    node_count : int
        Number of nodes, at least 51 (the BA generator needs more than 5 nodes and the
        seed set has 50 nodes).
    cache : bool, default True
        Read and write the ``.npz`` cache; ``False`` always rebuilds and writes nothing.
    family : str, default "ba"
        One of :data:`FAMILIES` (see the module); ``"snap"`` ignores ``node_count``.

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
    if family == "snap":
        node_count = SNAP_NODES
    path = _cache_path(node_count, family)
    if cache and path.exists():
        with np.load(path) as stored:
            indptr, indices = stored["indptr"], stored["indices"]
    else:
        indptr, indices = build_family_csr(node_count, family)
        if cache:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so an interrupted build never leaves a truncated cache.
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
                np.savez(tmp, indptr=indptr, indices=indices)
            Path(tmp.name).replace(path)
    return BenchGraph(
        name=graph_name(node_count, family),
        indptr=indptr,
        indices=indices,
        seeds=choose_seeds(int(indptr.size - 1)),
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
