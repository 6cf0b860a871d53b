"""Real graphs as layers: SNAP-style edge lists and networkx graphs."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import ConfigError
from simulator.network.layers import Tie, compile_csr


def read_edge_list(
    path: str | Path, *, size: int | None = None, directed: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read ``u v`` pairs (``#`` comments, blank lines allowed) as CSR arrays.

    Node ids are mapped to people ``0 .. k - 1`` in increasing id order. With ``size``,
    the graph must have at most ``size`` nodes; people beyond ``k`` have no ties here.

    Raises
    ------
    ConfigError
        ``file:line`` of the first line that is not two integer node ids, or a graph
        larger than the population.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    ...     _ = f.write("# toy\\n10 20\\n20 30\\n")
    >>> indptr, indices, tie = read_edge_list(f.name)
    >>> np.diff(indptr).tolist()
    [1, 2, 1]
    >>> os.remove(f.name)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: edge list not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the edge list ({exc})") from None
    lines = text.splitlines()
    body = [
        (number, line.split())
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    for number, fields in body:
        if len(fields) != 2 or not all(f.lstrip("-").isdigit() for f in fields):
            raise ConfigError(
                f"{path}:{number}: expected two integer node ids 'u v', got "
                f"{lines[number - 1].strip()!r}"
            )
    pairs = np.array([fields for _, fields in body], dtype=np.int64).reshape(-1, 2)
    return _compile_pairs(pairs[:, 0], pairs[:, 1], size=size, directed=directed, name=str(path))


def from_networkx(graph: Any, *, size: int | None = None, name: str = "graph") -> tuple:
    """Turn a networkx graph into CSR arrays (nodes in sorted order when sortable).

    Examples
    --------
    >>> import networkx as nx
    >>> indptr, indices, tie = from_networkx(nx.path_graph(3))
    >>> indices.tolist()
    [1, 0, 2, 1]
    """
    nodes = list(graph.nodes)
    with contextlib.suppress(TypeError):
        nodes.sort()
    index = {node: i for i, node in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], np.int64).reshape(-1, 2)
    if size is not None and len(nodes) > size:
        raise ConfigError(
            f"{name}: the graph has {len(nodes)} nodes but population.size is {size}; "
            f"set population.size >= {len(nodes)}"
        )
    return _compile_pairs(
        edges[:, 0],
        edges[:, 1],
        size=size or len(nodes),
        directed=graph.is_directed(),
        name=name,
        relabel=False,
    )


def _compile_pairs(
    u: np.ndarray,
    v: np.ndarray,
    *,
    size: int | None,
    directed: bool,
    name: str,
    relabel: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if relabel:
        ids, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
        u, v = inverse[: u.size], inverse[u.size :]
        nodes = ids.size
        if size is not None and nodes > size:
            raise ConfigError(
                f"{name}: the graph has {nodes} nodes but population.size is {size}; "
                f"set population.size >= {nodes}"
            )
        size = size or nodes
    if not directed:
        u, v = np.concatenate([u, v]), np.concatenate([v, u])
    return compile_csr(size, u, v, np.full(u.size, Tie.EXTERNAL, np.int8))
