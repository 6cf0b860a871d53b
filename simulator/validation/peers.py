"""Peer tools: the same cascades in NDlib and cynetdiff, on the same graph and seed set.

Independent cascade is compared with NDlib and cynetdiff, linear threshold with
cynetdiff; a peer that is not installed gives skipped rows (``passed is None``).
"""

from __future__ import annotations

import array
import importlib
import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.streams import stream
from simulator.validation.cascades import (
    edge_probabilities,
    independent_cascade,
    linear_threshold,
)
from simulator.validation.checks import IMPLEMENTATIONS, Sizes, cascade_sizes, integer_seed
from simulator.validation.graphs import networkx_csr
from simulator.validation.table import CheckResult, z_result

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["PEERS", "check_peers", "peer_available"]

PEERS = {"cynetdiff": "cynetdiff.models", "ndlib": "ndlib.models.epidemics"}
"""Peer tools and the module each needs (install: ``pip install cynetdiff ndlib six``)."""


def peer_available(peer: str) -> bool:
    """Whether a peer tool (a key of :data:`PEERS`) can be imported.

    Examples
    --------
    >>> isinstance(peer_available("cynetdiff"), bool)
    True
    """
    try:
        with warnings.catch_warnings():
            # Peers' own deprecation warnings (old dependencies) say nothing about the model.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            importlib.import_module(PEERS[peer])
    except ImportError:
        return False
    return True


def _uint32(values: np.ndarray) -> array.array:
    """``values`` as a C ``unsigned int`` buffer, the CSR type cynetdiff declares."""
    buffer = array.array("I")
    buffer.frombytes(np.ascontiguousarray(values, dtype=np.uint32).tobytes())
    return buffer


def _cynetdiff_sizes(
    csr: tuple[np.ndarray, np.ndarray],
    seeds: np.ndarray,
    p: float | np.ndarray | None,
    replicates: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Final sizes from cynetdiff: IC with probability ``p`` (one, or an array of one per
    edge), or LT (weights 1/in-degree) when ``p`` is None."""
    from cynetdiff.models import (  # an optional peer: imported only when it runs
        DiffusionModel,
        IndependentCascadeModel,
        LinearThresholdModel,
    )

    starts, edges = _uint32(csr[0][:-1]), _uint32(csr[1])  # starts: no end marker
    model: DiffusionModel
    if p is None:
        model = LinearThresholdModel(starts, edges, rng=rng)
    elif np.ndim(p):  # cynetdiff declares its per-edge probabilities as C floats
        chances = array.array("f")
        chances.frombytes(np.ascontiguousarray(p, dtype=np.float32).tobytes())
        model = IndependentCascadeModel(starts, edges, activation_probs=chances, rng=rng)
    else:
        model = IndependentCascadeModel(starts, edges, activation_prob=float(p), rng=rng)
    model.set_seeds(seeds.tolist())  # cynetdiff accepts Python ints only
    final = np.empty(replicates, np.int64)
    for replicate in range(replicates):  # one C++ call per replicate, not per node
        model.reset_model()
        model.advance_until_completion()
        final[replicate] = model.get_num_activated_nodes()
    return final


def _ndlib_sizes(
    graph: nx.Graph, seeds: np.ndarray, p: float, replicates: int, seed: int
) -> np.ndarray:
    """Final sizes from NDlib's ``IndependentCascadesModel`` with edge threshold ``p``.

    NDlib seeds numpy's global generator in its constructor (``np.random.seed``) and draws
    from it; the caller's global state is saved and given back.
    """
    with warnings.catch_warnings():  # an optional peer, with old dependencies
        warnings.simplefilter("ignore", DeprecationWarning)
        # an optional peer tool: imported only when its check runs
        import ndlib.models.epidemics as epidemics
        import ndlib.models.ModelConfig as model_config

    seed_list = seeds.tolist()
    saved = np.random.get_state()  # noqa: NPY002 - restore what NDlib overwrites
    try:
        model = epidemics.IndependentCascadesModel(graph, seed=seed)
        config = model_config.Configuration()
        config.add_model_initial_configuration("Infected", seed_list)
        for edge in graph.edges():  # without it NDlib would use 1 / degree, not p
            config.add_edge_configuration("threshold", edge, p)
        model.set_initial_status(config)
        final = np.empty(replicates, np.int64)
        for replicate in range(replicates):
            model.reset(infected_nodes=seed_list)
            model.iteration(node_status=False)  # iteration 0 only reports the seeds
            while model.iteration(node_status=False)["node_count"][1] > 0:
                pass
            final[replicate] = sum(1 for status in model.status.values() if status != 0)
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    return final


def check_peers(sizes: Sizes, seed: int) -> list[CheckResult]:
    """The same cascade in established tools, on the same graph and the same seed nodes."""
    import networkx as nx  # heavy (0.3 s): only where a peer graph is built

    rng = stream(seed, "validation/peers")
    graph = nx.barabasi_albert_graph(sizes.peer_size, 5, seed=rng)
    csr = networkx_csr(graph)
    seeds = np.sort(rng.choice(sizes.peer_size, sizes.peer_seeds, replace=False))
    where = f"BA n={sizes.peer_size:,} m=5, {sizes.peer_seeds} seeds"
    have = {peer: peer_available(peer) for peer in PEERS}
    methods = IMPLEMENTATIONS
    rows = []

    def compare(check: str, ours: dict[str, np.ndarray], peer: str, reference: Any) -> None:
        for method in methods:
            label = f"{check} [{method}]"
            if not have[peer]:
                rows.append(
                    CheckResult(
                        "peers",
                        label,
                        math.nan,
                        0.0,
                        math.nan,
                        math.nan,
                        0,
                        None,
                        f"{peer} not installed (pip install cynetdiff ndlib six)",
                    )
                )
                continue
            rows.append(
                z_result(
                    "peers",
                    label,
                    float(reference.mean()),
                    ours[method],
                    expected_se=float(reference.std(ddof=1) / math.sqrt(reference.size)),
                )
            )

    replicates = sizes.peer_replicates
    for p in (0.01, 0.05, 0.1):
        ours = {
            method: cascade_sizes(
                independent_cascade,
                *csr,
                seeds,
                p,
                replicates=replicates,
                rng=integer_seed(rng),
                method=method,
            )
            for method in methods
        }
        reference = _cynetdiff_sizes(csr, seeds, p, replicates, rng) if have["cynetdiff"] else None
        compare(f"IC p={p:g} vs cynetdiff IC, {where}", ours, "cynetdiff", reference)
        reference = (
            _ndlib_sizes(graph, seeds, p, sizes.ndlib_replicates, integer_seed(rng))
            if have["ndlib"]
            else None
        )
        compare(f"IC p={p:g} vs NDlib IC, {where}", ours, "ndlib", reference)
    for kind in ("weighted_cascade", "trivalency"):  # per-edge probabilities: kernel only
        chance = edge_probabilities(*csr, kind, rng=rng)
        # cynetdiff holds them as float32: both tools run the same rounded values
        chance = chance.astype(np.float32).astype(np.float64)
        per_edge = cascade_sizes(
            independent_cascade,
            *csr,
            seeds,
            chance,
            replicates=replicates,
            rng=integer_seed(rng),
            method="kernel",
        )
        reference = (
            _cynetdiff_sizes(csr, seeds, chance, replicates, rng) if have["cynetdiff"] else None
        )
        check = f"IC {kind.replace('_', ' ')} vs cynetdiff IC, {where}"
        if have["cynetdiff"]:
            assert reference is not None
            rows.append(
                z_result(
                    "peers",
                    f"{check} [kernel]",
                    float(reference.mean()),
                    per_edge,
                    expected_se=float(reference.std(ddof=1) / math.sqrt(reference.size)),
                )
            )
        else:
            rows.append(
                CheckResult(
                    "peers",
                    f"{check} [kernel]",
                    math.nan,
                    0.0,
                    math.nan,
                    math.nan,
                    0,
                    None,
                    "cynetdiff not installed (pip install cynetdiff ndlib six)",
                )
            )
    ours = {
        method: cascade_sizes(
            linear_threshold,
            *csr,
            seeds,
            replicates=replicates,
            rng=integer_seed(rng),
            method=method,
        )
        for method in methods
    }
    reference = _cynetdiff_sizes(csr, seeds, None, replicates, rng) if have["cynetdiff"] else None
    compare(f"LT vs cynetdiff LT, {where}", ours, "cynetdiff", reference)
    return rows
