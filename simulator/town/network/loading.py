"""Real graphs as layers: SNAP-style edge lists, networkx graphs and CSR arrays, checked.

Every graph that comes from outside the simulator (the file of an ``edge_list`` layer, or
the entry of ``simulate(..., graphs=...)`` for a ``graph`` layer) goes through
:func:`load_layer`, the one place that checks it against the population: the engine
addresses person ``p`` of replicate ``r`` as ``r * size + p``, so an index outside
``0 .. size - 1`` would silently reach another replicate's people.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import ArgumentError, ConfigError, SimulatorWarning
from simulator.town.network.layers import Tie, compile_csr


class GraphWarning(SimulatorWarning):
    """A loaded graph that works but is probably not what was meant: self-loops were
    dropped, or some people have no ties in the layer."""


ALLOWED_GRAPHS = "a networkx graph or CSR arrays (indptr, indices)"
"""What ``graphs[name]`` may be, as error messages say it."""

# An edge line as almost every file writes it: two ids of at most 18 digits (so they fit
# in 64 bits). Lines that differ are rare and are judged one by one by _line_problem.
_EDGE = r"[ \t]*-?[0-9]{1,18}[ \t]+-?[0-9]{1,18}[ \t\r]*"
_SKIP = r"[ \t\r]*(?:#.*)?"
_UNUSUAL_LINE = re.compile(rf"^(?!{_SKIP}$)(?!{_EDGE}$).*$", re.MULTILINE)
_SKIP_LINE = re.compile(_SKIP)
_COMMENT_LINE = re.compile(r"^[ \t\r]*#.*$", re.MULTILINE)
_FIELD_SEPARATOR = re.compile(r"[ \t\r]+")
_INTEGER = re.compile(r"-?[0-9]+")  # [0-9], unlike str.isdigit or \d, is ASCII only
_INT64 = 2**63

FORMAT = "one edge a line: two integer node ids 'u v'"


def read_edge_list(
    path: str | Path, *, size: int | None = None, directed: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read a SNAP-style edge list as CSR arrays ``(indptr, indices, tie)``.

    The format, strictly:

    * UTF-8 text (a byte-order mark is ignored), ``\\n`` or ``\\r\\n`` line ends.
    * One edge a line: two node ids separated by spaces or tabs. Ids are whole numbers
      written with the ASCII digits ``0-9`` and an optional leading ``-`` (no ``+``, no
      superscripts or other scripts' digits) that fit in a signed 64-bit integer.
      Negative ids are accepted: ids are only labels, mapped to people ``0 .. k - 1`` in
      increasing id order.
    * Blank lines and lines whose first non-blank character is ``#`` are skipped; a
      comment after an edge on the same line is not.
    * A third column (SNAP's weighted or timestamped files) is refused: the simulator has
      no per-edge weights (a layer's ``tie_trust`` applies to all its ties), so ignoring it
      would silently change the data. Keep the first two columns, e.g. ``cut -f1,2``.
    * Self-loops (``u u``) are dropped with a :class:`GraphWarning` (nobody tells
      themselves); a file of self-loops only is refused. Repeated edges, and with
      ``directed=False`` both directions of one edge, are one tie.

    Parameters
    ----------
    path : str or Path
        The edge-list file.
    size : int, optional
        People in the layer (``population.size``): the graph must have at most ``size``
        nodes, and people ``k .. size - 1`` have no ties here. By default ``k``.
    directed : bool
        ``False`` adds both directions of every edge.

    Returns
    -------
    indptr, indices, tie : ndarray
        ``indices[indptr[u]:indptr[u + 1]]`` hear ``u``; ``tie`` is ``Tie.EXTERNAL``.

    Raises
    ------
    ConfigError
        One line: ``file:line`` of the first line that is not an edge, saying what was
        expected and what was found; or the file when it is missing, a folder, binary,
        compressed, empty, has no edges, or has more nodes than ``size``.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    ...     _ = f.write("# toy\\n10 20\\n20 30\\n")
    >>> indptr, indices, tie = read_edge_list(f.name)
    >>> np.diff(indptr).tolist()
    [1, 2, 1]
    >>> with open(f.name, "w") as bad:
    ...     _ = bad.write("10 20\\n20 --30\\n")
    >>> read_edge_list(f.name)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: ...:2: expected two integer node ids 'u v', got '20 --30' ...
    >>> os.remove(f.name)
    """
    edges = _edges(path)
    return _compile_edges(edges, size=size, directed=directed, where=str(path))


def from_networkx(graph: Any, *, size: int | None = None, name: str = "graph") -> tuple:
    """Turn a networkx graph into CSR arrays (nodes in sorted order when sortable).

    Self-loops are dropped with a :class:`GraphWarning`.

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
    pairs = np.array([(index[u], index[v]) for u, v in graph.edges()], np.int64).reshape(-1, 2)
    loops = int(np.count_nonzero(pairs[:, 0] == pairs[:, 1]))
    if loops:
        warnings.warn(
            f"{name}: dropped {loops} self-loop{'s' * (loops > 1)} (a person does not tell "
            "themselves)",
            GraphWarning,
            stacklevel=2,
        )
    edges = _Edges(pairs[:, 0], pairs[:, 1], len(nodes), 0, 0)
    return _compile_edges(edges, size=size, directed=graph.is_directed(), where=name)


def load_layer(
    name: str, layer: Any, size: int, graphs: Mapping[str, Any] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays of an ``edge_list`` or ``graph`` layer, checked against ``size`` people.

    An edge list or networkx graph with more nodes than ``size`` is refused; one with
    fewer warns (:class:`GraphWarning`) how many people have no ties in the layer. CSR
    arrays ``(indptr, indices)`` must describe exactly ``size`` people: integer arrays,
    ``indptr`` of ``size + 1`` entries from 0, non-decreasing, ending at
    ``len(indices)``, and every index in ``0 .. size - 1``; they are used as given
    (self-loops and repeated edges are kept).

    Raises
    ------
    ConfigError
        Naming ``layers.<name> (<file>)`` or ``graphs['<name>']``, what is allowed and
        what was received.

    Examples
    --------
    >>> from simulator import config as cfg
    >>> layer = cfg.GraphLayer()
    >>> indptr, indices, tie = load_layer("friends", layer, 3, {"friends": ([0, 1, 1, 1], [2])})
    >>> indices.tolist()
    [2]
    >>> load_layer("friends", layer, 3, {"friends": ([0, 1, 1, 1], [17])})
    Traceback (most recent call last):
    ...
    simulator.errors.ArgumentError: graphs['friends']: indices must be in 0..2 (population.size is 3), got 17 at position 0
    """
    if layer.kind == "edge_list":
        where = f"layers.{name} ({layer.path})"
        edges = _edges(layer.path)
        arrays = _compile_edges(edges, size=size, directed=layer.directed, where=where)
        _warn_tie_less(where, "edge list", edges.nodes, size)
        return arrays
    where = f"graphs[{name!r}]"
    if graphs is None or name not in graphs:
        raise ArgumentError(
            f"layers.{name}: kind 'graph' needs a networkx graph or CSR arrays "
            f"(indptr, indices) passed as simulate(..., graphs={{{name!r}: G}})"
        )
    given = graphs[name]
    if isinstance(given, tuple | list):
        return _csr_arrays(where, given, size)
    if not _is_networkx(given):
        raise ArgumentError(f"{where}: expected {ALLOWED_GRAPHS}, got {_describe(given)}")
    arrays = from_networkx(given, size=size, name=where)
    _warn_tie_less(where, "graph", given.number_of_nodes(), size)
    return arrays


def check_graphs(scenario: Any, graphs: Mapping[str, Any] | None) -> None:
    """Refuse a ``graphs`` argument that does not match the scenario's ``graph`` layers.

    Every key must name a layer of kind ``graph`` (in the scenario or set by a
    strategy), every such layer needs an entry, and each entry must be a networkx graph
    or a pair of arrays; the arrays themselves are checked by :func:`load_layer`.

    Examples
    --------
    >>> from simulator import config as cfg
    >>> check_graphs(cfg.default_scenario(), {"friends": object()})
    Traceback (most recent call last):
    ...
    simulator.errors.ArgumentError: graphs['friends']: the scenario has no layer of kind 'graph' (its layers: 'market', 'facebook', 'instagram'); graphs must be None
    """
    if graphs is not None and not isinstance(graphs, Mapping):
        raise ArgumentError(
            f"graphs must be a mapping of layer name to {ALLOWED_GRAPHS}, e.g. "
            f"{{'friends': G}}; got {_describe(graphs)}"
        )
    graphs = graphs or {}
    declared = graph_layers(scenario)
    for key in graphs:
        if key in declared:
            continue
        if declared:
            allowed = f"the layers of kind 'graph' are {', '.join(map(repr, declared))}"
        else:
            allowed = (
                f"the scenario has no layer of kind 'graph' (its layers: "
                f"{', '.join(map(repr, scenario.layers))}); graphs must be None"
            )
        raise ArgumentError(f"graphs[{key!r}]: {allowed}")
    for name in declared:
        if name not in graphs:
            raise ArgumentError(
                f"layers.{name}: kind 'graph' needs a networkx graph or CSR arrays "
                f"(indptr, indices) passed as simulate(..., graphs={{{name!r}: G}})"
            )
        given = graphs[name]
        if not isinstance(given, tuple | list) and not _is_networkx(given):
            raise ArgumentError(
                f"graphs[{name!r}]: expected {ALLOWED_GRAPHS}, got {_describe(given)}"
            )


def graph_layers(scenario: Any) -> tuple[str, ...]:
    """Names of the layers of kind ``graph``, in the scenario or in any strategy's version.

    Examples
    --------
    >>> from simulator import config as cfg
    >>> graph_layers(cfg.default_scenario())
    ()
    """
    names = [name for name, layer in scenario.layers.items() if layer.kind == "graph"]
    for strategy in scenario.resolved_strategies():
        if any(path.startswith("layers") for path in strategy.set):
            resolved = scenario.for_strategy(strategy)
            names += [n for n, layer in resolved.layers.items() if layer.kind == "graph"]
    return tuple(dict.fromkeys(names))


def check_edge_lists(scenario: Any) -> int:
    """Read every ``edge_list`` layer of ``scenario`` (and of each strategy's version).

    For ``wom validate``: the same checks, errors and warnings as a run, without
    simulating. Files up to :data:`CACHED_BELOW` bytes stay parsed in memory (until they
    change), so the run that follows does not read them again.

    Returns
    -------
    int
        The number of distinct edge-list layers read.

    Examples
    --------
    >>> from simulator import config as cfg
    >>> check_edge_lists(cfg.default_scenario())
    0
    """
    seen = set()
    versions = [scenario]
    for strategy in scenario.resolved_strategies():
        if strategy.set:
            versions.append(scenario.for_strategy(strategy))
    for version in versions:
        size = version.population.size
        for name, layer in version.layers.items():
            key = (name, layer.model_dump_json(), size)
            if layer.kind != "edge_list" or key in seen:
                continue
            seen.add(key)
            where = f"layers.{name} ({layer.path})"
            edges = _edges(layer.path)
            _check_nodes(where, edges.nodes, size)
            _warn_tie_less(where, "edge list", edges.nodes, size)
    return len(seen)


# --------------------------------------------------------------------------- edge lists


@dataclass(frozen=True)
class _Edges:
    """Parsed edges, relabelled to ``0 .. nodes - 1``, self-loops removed."""

    speakers: np.ndarray
    listeners: np.ndarray
    nodes: int
    loops: int
    first_loop_line: int


CACHED_BELOW = 16 * 2**20
"""Edge-list files up to this many bytes (about 1.5 million edges) are kept parsed, keyed
by path, modification time and size, so ``wom validate`` and a run read them once."""

_cache: OrderedDict[tuple[str, int, int], _Edges] = OrderedDict()
_CACHE_ENTRIES = 8


def _edges(path: str | Path) -> _Edges:
    """Parsed edges of ``path`` (cached when small); warns about dropped self-loops."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder; expected an edge-list file, {FORMAT}")
    try:
        status = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"{path}: edge list not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the edge list ({exc.strerror})") from None
    key = (str(path.resolve()), status.st_mtime_ns, status.st_size)
    edges = _cache.get(key)
    if edges is None:
        edges = _parse(path)
        if status.st_size <= CACHED_BELOW:
            _cache[key] = edges
            while len(_cache) > _CACHE_ENTRIES:
                _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    if edges.loops:
        warnings.warn(
            f"{path}: dropped {edges.loops} self-loop{'s' * (edges.loops > 1)} ('u u' lines, "
            f"first at line {edges.first_loop_line}; a person does not tell themselves)",
            GraphWarning,
            stacklevel=3,
        )
    return edges


def _parse(path: Path) -> _Edges:
    """Validate the whole text with one regular-expression scan, then parse it with numpy.

    Lines that the scan flags are judged in Python (rare: an error, or ids of 19 digits),
    so the work is linear in the file and ``file:line`` is that of the first bad line.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the edge list ({exc.strerror})") from None
    text = _decode(path, data)
    line, position = 1, 0
    for match in _UNUSUAL_LINE.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        problem = _line_problem(match.group())
        if problem is not None:
            raise ConfigError(f"{path}:{line}: {problem}")
    body = _COMMENT_LINE.sub("", text)
    # fromstring reads blank text as [0]: only text with an edge reaches it.
    ids = np.fromstring(body, dtype=np.int64, sep=" ") if body.strip() else np.zeros(0, np.int64)
    if ids.size == 0:
        what = (
            "is empty"
            if not text
            else "has only blank lines"
            if not text.strip()
            else "has only blank and '#' comment lines"
        )
        raise ConfigError(f"{path}: no edges: the file {what}; expected {FORMAT}")
    speakers, listeners = ids[0::2], ids[1::2]
    loop = speakers == listeners
    loops = int(np.count_nonzero(loop))
    first_loop_line = _data_line(text, int(np.argmax(loop))) if loops else 0
    if loops == speakers.size:
        raise ConfigError(
            f"{path}:{first_loop_line}: no edges left: all {loops} edges are self-loops "
            f"('u u'); expected pairs of two different node ids"
        )
    if loops:
        keep = ~loop
        speakers, listeners = speakers[keep], listeners[keep]
    labels, people = np.unique(np.concatenate([speakers, listeners]), return_inverse=True)
    people = people.astype(np.int64, copy=False)
    speakers, listeners = people[: speakers.size], people[speakers.size :]
    for array in (speakers, listeners):
        array.flags.writeable = False  # shared by the cache
    return _Edges(speakers, listeners, int(labels.size), loops, first_loop_line)


def _decode(path: Path, data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        raise ConfigError(
            f"{path}: a gzip-compressed file; decompress it first (gunzip): an edge list "
            f"is plain text with {FORMAT}"
        )
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ConfigError(
            f"{path}:{line}: a NUL byte: this is a binary file, not a text edge list with {FORMAT}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); expected a text "
            f"edge list, {FORMAT}"
        ) from None


def _line_problem(line: str) -> str | None:
    """What is wrong with one line the fast scan flagged, or None if it is a valid edge."""
    fields = _FIELD_SEPARATOR.split(line.strip(" \t\r"))
    shown = line.strip()
    if len(shown) > 60:
        shown = shown[:57] + "..."
    expected = f"expected two integer node ids 'u v', got {shown!r}"
    if len(fields) != 2:
        if len(fields) > 2 and all(_INTEGER.fullmatch(f) for f in fields[:2]):
            return (
                f"{expected} ({len(fields)} fields: weighted or timestamped edge lists are not "
                "read, the simulator has no per-edge weights; keep the first two columns)"
            )
        return f"{expected} ({len(fields)} field{'s' * (len(fields) != 1)}; separate the two ids by spaces or tabs)"
    for field in fields:
        if not _INTEGER.fullmatch(field):
            return (
                f"{expected} ({field[:30]!r} is not a whole number: ids are written with the "
                "digits 0-9 and an optional leading '-')"
            )
        if not -_INT64 <= int(field) < _INT64:
            return (
                f"{expected} (node id {field[:30]} does not fit in 64 bits: ids must be "
                "between -2**63 and 2**63 - 1)"
            )
    return None


def _data_line(text: str, edge: int) -> int:
    """Line number of edge number ``edge`` (0-based) of a validated text."""
    seen = -1
    for number, line in enumerate(text.split("\n"), start=1):
        if not _SKIP_LINE.fullmatch(line):
            seen += 1
            if seen == edge:
                return number
    raise AssertionError("edge beyond the text")  # pragma: no cover - validated text


def _compile_edges(
    edges: _Edges, *, size: int | None, directed: bool, where: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    _check_nodes(where, edges.nodes, size)
    size = edges.nodes if size is None else size
    tie = np.full(edges.speakers.size, Tie.EXTERNAL, np.int8)
    return compile_csr(size, edges.speakers, edges.listeners, tie, mutual=not directed)


def _check_nodes(where: str, nodes: int, size: int | None) -> None:
    if size is not None and nodes > size:
        raise ConfigError(
            f"{where}: the graph has {nodes} nodes but population.size is {size}; "
            f"set population.size >= {nodes}"
        )


def _warn_tie_less(where: str, what: str, nodes: int, size: int) -> None:
    if nodes < size:
        warnings.warn(
            f"{where}: the {what} has {nodes} nodes but population.size is {size}: "
            f"{size - nodes} people have no ties in this layer (set population.size = "
            f"{nodes} to simulate only the graph's people)",
            GraphWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------- CSR arrays


def _csr_arrays(
    where: str, given: tuple | list, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked copies of CSR arrays ``(indptr, indices)``, with vectorised checks only."""
    if len(given) != 2:
        raise ArgumentError(
            f"{where}: CSR arrays must be a pair (indptr, indices); got a "
            f"{type(given).__name__} of {len(given)} items"
        )
    arrays = []
    for label, value in zip(("indptr", "indices"), given, strict=True):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(f"{where}: {label} is not an array ({exc})") from None
        if array.ndim != 1:
            raise ArgumentError(
                f"{where}: {label} must be a one-dimensional integer array, got shape {array.shape}"
            )
        # An empty list becomes a float array: there is no value to be non-integer.
        if array.dtype.kind not in "iu" and not (array.size == 0 and array.dtype.kind == "f"):
            raise ArgumentError(
                f"{where}: {label} must be an integer array, got dtype {array.dtype}"
            )
        arrays.append(array)
    indptr, indices = arrays
    if indptr.size != size + 1:
        raise ArgumentError(
            f"{where}: indptr must have population.size + 1 = {size + 1} entries, got {indptr.size}"
        )
    if indptr[0] != 0:
        raise ArgumentError(f"{where}: indptr must start at 0, got {indptr[0]}")
    falls = np.flatnonzero(indptr[1:] < indptr[:-1])
    if falls.size:
        at = int(falls[0])
        raise ArgumentError(
            f"{where}: indptr must be non-decreasing, got {indptr[at]} then "
            f"{indptr[at + 1]} at positions {at} and {at + 1}"
        )
    if indptr[-1] != indices.size:
        raise ArgumentError(
            f"{where}: indptr must end at len(indices) = {indices.size}, got {indptr[-1]}"
        )
    outside = np.flatnonzero((indices < 0) | (indices >= size))
    if outside.size:
        at = int(outside[0])
        raise ArgumentError(
            f"{where}: indices must be in 0..{size - 1} (population.size is {size}), got "
            f"{indices[at]} at position {at}"
        )
    tie = np.full(indices.size, Tie.EXTERNAL, np.int8)
    return indptr.astype(np.int64), indices.astype(np.int32), tie


def _is_networkx(value: Any) -> bool:
    return all(hasattr(value, name) for name in ("nodes", "edges", "number_of_nodes")) and (
        callable(getattr(value, "is_directed", None))
    )


def _describe(value: Any) -> str:
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{type(value).__name__} {shown}"
