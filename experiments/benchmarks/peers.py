"""Adapters that run one tool's IC or LT simulation on a benchmark graph and return a result row.

One function per tool and model (``wom_ic``, ``cynetdiff_lt``, ``eon_ic``, ...). Each
takes the :class:`~graphs.BenchGraph`, the tool's own graph representation built once by
``prepare_<tool>`` and a :class:`RunPlan`, and returns a dict with exactly
:data:`ROW_KEYS`. Peer packages are imported inside the functions, so this module
imports without them.

Conventions shared by every tool
--------------------------------
* Graph: the symmetric digraph of the undirected BA graph (EoN and NDlib get the
  undirected networkx graph, which means the same thing for both models).
* Final size: number of nodes active at the end, the 50 seeds included.
* IC: each newly active node makes one trial per inactive out-neighbour, success
  probability ``p``.
* LT: edge weight ``1 / in-degree(v)``, thresholds drawn afresh every replicate,
  uniform on (0, 1] (cynetdiff draws [0, 1) and redraws zeros); a node activates when
  the weight of its active in-neighbours reaches its threshold.
* Edge trials of a replicate: sum of the out-degrees of its activated nodes (seeds
  included). ``edge_trials_per_s`` = mean edge trials / mean seconds per replicate.
* Timing (``time.perf_counter``) covers the per-replicate reset and the run to
  completion (for wom: one call that runs all replicates). Fixed-count tools (wom,
  cynetdiff) time their row ``repeats`` times and keep the fastest. Not timed: building the
  tool's graph representation, NDlib's per-replicate threshold configuration (LT), and
  recovering the activated set, which is needed only to count edge trials (cynetdiff
  and NDlib: read from the model; EoN: an identical replay; wom: a second call with
  the same ``rng`` and ``return_trials=True`` or ``return_active=True``).
* ``peak_mb``: the worker's peak resident set size during the replicates (kernel
  high-water mark ``VmHWM``, reset through ``/proc/self/clear_refs`` just before it)
  minus the worker's RSS after imports and loading the CSR arrays, floored at 0. It
  therefore includes the tool's own graph representation and its simulation state, but
  not the shared CSR input nor the Python interpreter and libraries. Where the reset is
  unavailable (non-Linux) it is the running peak of the worker (``ru_maxrss``).
"""

from __future__ import annotations

import importlib
import inspect
import math
import os
import resource
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import numpy as np
from graphs import BenchGraph, to_networkx

ROW_KEYS = (
    "tool",
    "model",
    "graph",
    "p",
    "replicates",
    "s_per_replicate",
    "edge_trials_per_s",
    "peak_mb",
    "mean_size",
    "se_size",
)
TOOLS = ("wom", "cynetdiff", "ndlib", "eon", "wom-engine")
#: ic: one probability p for every edge; wc and tri: independent cascade with a
#: probability per edge, weighted cascade (1 / in-degree) and trivalency (0.1, 0.01, 0.001).
MODELS = ("ic", "lt", "wc", "tri")
PER_EDGE_MODELS = {"wc": "weighted_cascade", "tri": "trivalency"}
#: Tools run for a fixed number of replicates; the others run until a time budget is spent.
FIXED_COUNT_TOOLS = ("wom", "cynetdiff", "wom-engine")
#: Modules a tool needs, imported before the worker's memory baseline is taken.
TOOL_MODULES = {
    "wom": ("simulator.validation.cascades", "simulator.validation.kernels"),
    "wom-engine": ("simulator.validation.cascades", "simulator.engine.run"),
    "cynetdiff": ("cynetdiff.models",),
    "ndlib": ("ndlib.models.ModelConfig", "ndlib.models.epidemics"),
    "eon": ("EoN",),
}


@dataclass(frozen=True)
class RunPlan:
    """How many replicates to run and how to seed them.

    Attributes
    ----------
    replicates : int
        Exact count for fixed-count tools; upper bound for budgeted tools.
    budget_s : float or None
        Wall-clock budget of the replicate loop; ``None`` runs exactly ``replicates``.
        At least one replicate always runs.
    seed : int
        Entropy of the row's ``numpy.random.SeedSequence``.
    baseline_mb : float
        RSS of the worker after imports and loading the CSR arrays.
    repeats : int
        Fixed-count tools time their row this many times and keep the fastest (results
        come from the first), so that a busy machine's stalls do not decide a ratio.
    """

    replicates: int
    budget_s: float | None
    seed: int
    baseline_mb: float = 0.0
    repeats: int = 1


# --- memory ---------------------------------------------------------------------------


def current_rss_mb() -> float:
    """Resident set size of this process now, in MiB (Linux ``/proc``; else the peak so far)."""
    try:
        with open("/proc/self/statm") as statm:
            resident_pages = int(statm.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return peak_rss_mb()


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MiB.

    Reads the kernel's high-water mark ``VmHWM`` from ``/proc/self/status`` (the value
    that :func:`reset_peak_rss` resets); elsewhere falls back to
    ``getrusage(RUSAGE_SELF).ru_maxrss``, which also keeps the peak of exited threads.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark to the current RSS; ``False`` where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


# --- shared helpers -------------------------------------------------------------------


def import_tool(tool: str) -> None:
    """Import the modules of ``tool`` (raises ``ImportError`` when it is not installed).

    For wom this also runs both kernels once on a 3-node path, so that numba loads their
    compiled code now, as importing a compiled extension does for the peers, and that
    code does not count in the rows' peak memory.
    """
    with warnings.catch_warnings():
        # EoN 2.0 imports scipy.ndimage.interpolation, deprecated in recent SciPy; the
        # warning is EoN's to fix and says nothing about this benchmark.
        warnings.simplefilter("ignore", DeprecationWarning)
        for module in TOOL_MODULES[tool]:
            importlib.import_module(module)
    if tool == "wom":
        cascades = importlib.import_module("simulator.validation.cascades")
        path = np.array([0, 1, 2, 2]), np.array([1, 2], np.int32)
        cascades.independent_cascade(*path, [0], 0.5, replicates=1)
        cascades.independent_cascade(*path, [0], np.array([0.5, 0.5]), replicates=1)
        cascades.linear_threshold(*path, [0], replicates=1)


def summarise(
    tool: str,
    model: str,
    graph: BenchGraph,
    p: float | None,
    *,
    sizes: list[int] | np.ndarray,
    seconds: float,
    edge_trials: list[int] | np.ndarray,
    peak_mb: float,
) -> dict[str, Any]:
    """Build a result row from per-replicate sizes and edge trials and the total time.

    ``se_size`` is the standard error of the mean final size, ``None`` for one replicate.

    Examples
    --------
    >>> from graphs import load_graph
    >>> graph = load_graph(100, cache=False)
    >>> row = summarise("wom", "ic", graph, 0.1, sizes=[50, 52], seconds=2.0,
    ...                 edge_trials=[100, 300], peak_mb=1.0)
    >>> row["s_per_replicate"], row["edge_trials_per_s"], row["mean_size"], row["se_size"]
    (1.0, 200.0, 51.0, 1.0)
    """
    sizes = np.asarray(sizes, dtype=np.float64)
    replicates = int(sizes.size)
    s_per_replicate = seconds / replicates
    se_size = float(sizes.std(ddof=1) / math.sqrt(replicates)) if replicates > 1 else None
    return {
        "tool": tool,
        "model": model,
        "graph": graph.name,
        "p": p,
        "replicates": replicates,
        "s_per_replicate": s_per_replicate,
        "edge_trials_per_s": float(np.mean(edge_trials)) / s_per_replicate,
        "peak_mb": peak_mb,
        "mean_size": float(sizes.mean()),
        "se_size": se_size,
    }


def _replicate_loop(
    one_replicate: Callable[[], tuple[int, float, int]], plan: RunPlan
) -> tuple[list[int], float, list[int], float]:
    """Run ``one_replicate`` (returning size, timed seconds, edge trials) as the plan says.

    Returns the sizes, the total timed seconds, the edge trials and the peak MB.
    """
    sizes: list[int] = []
    edge_trials: list[int] = []
    timed = 0.0
    reset_peak_rss()
    started = perf_counter()
    while len(sizes) < plan.replicates:
        size, seconds, trials = one_replicate()
        sizes.append(size)
        timed += seconds
        edge_trials.append(trials)
        if plan.budget_s is not None and perf_counter() - started >= plan.budget_s:
            break
    return sizes, timed, edge_trials, _peak_above(plan.baseline_mb)


def _peak_above(baseline_mb: float) -> float:
    # The RSS can dip below the baseline when memory is returned to the system.
    return max(0.0, peak_rss_mb() - baseline_mb)


def _activated_ids(nodes: Any, count: int) -> np.ndarray:
    return np.fromiter(nodes, dtype=np.int64, count=count)


# --- wom (this project) -----------------------------------------------------------------


def prepare_wom(graph: BenchGraph) -> Any:
    """The engine module; it takes the CSR arrays as they are."""
    return importlib.import_module("simulator.validation.cascades")


def _wom_edge_trials(graph: BenchGraph, run: Callable[..., Any], function: Any) -> tuple:
    """Untimed call that also reports edge trials: returns (sizes, edge trials per replicate).

    The engine may offer ``return_trials=True`` (edge trials per replicate) or
    ``return_active=True`` (boolean activated sets, shape ``(replicates, n)``); the
    former is preferred, it needs no ``replicates x n`` array.
    """
    options = inspect.signature(function).parameters
    if "return_trials" in options:
        sizes, trials = run(return_trials=True)
        return sizes, [int(count) for count in np.asarray(trials)]
    if "return_active" in options:
        sizes, active = run(return_active=True)
        return sizes, [graph.edge_trials(row) for row in np.asarray(active, dtype=bool)]
    raise TypeError(
        f"{function.__module__}.{function.__name__} accepts neither return_trials nor "
        "return_active, so its edge trials cannot be counted."
    )


def _wom_row(
    model: str, graph: BenchGraph, run: Callable[..., Any], function: Any, p, plan: RunPlan
) -> dict[str, Any]:
    # The untimed call comes first: it also warms the engine up (e.g. a JIT) before the
    # timed call, and its memory is released before the peak is measured.
    replay_sizes, edge_trials = _wom_edge_trials(graph, run, function)
    reset_peak_rss()
    seconds = math.inf
    for _ in range(plan.repeats):  # same rng: every repeat gives the same sizes
        started = perf_counter()
        sizes = np.asarray(run())
        seconds = min(seconds, perf_counter() - started)
    peak_mb = _peak_above(plan.baseline_mb)
    if not np.array_equal(sizes, np.asarray(replay_sizes)):
        print(
            f"notice: wom {model} on {graph.name}: the call that counted edge trials did not "
            "reproduce the sizes of the timed call with the same rng; edge trials come "
            "from the former.",
            file=sys.stderr,
        )
    return summarise(
        "wom",
        model,
        graph,
        p,
        sizes=sizes,
        seconds=seconds,
        edge_trials=edge_trials,
        peak_mb=peak_mb,
    )


def wom_ic(graph: BenchGraph, cascades: Any, p: float, plan: RunPlan) -> dict[str, Any]:
    """IC through ``simulator.validation.cascades.independent_cascade`` (one call for all replicates)."""

    def run(**options: Any) -> Any:
        return cascades.independent_cascade(
            graph.indptr,
            graph.indices,
            graph.seeds,
            p,
            replicates=plan.replicates,
            rng=plan.seed,
            **options,
        )

    return _wom_row("ic", graph, run, cascades.independent_cascade, p, plan)


def wom_lt(graph: BenchGraph, cascades: Any, plan: RunPlan) -> dict[str, Any]:
    """LT through ``simulator.validation.cascades.linear_threshold`` (one call for all replicates)."""

    def run(**options: Any) -> Any:
        return cascades.linear_threshold(
            graph.indptr,
            graph.indices,
            graph.seeds,
            replicates=plan.replicates,
            rng=plan.seed,
            **options,
        )

    return _wom_row("lt", graph, run, cascades.linear_threshold, None, plan)


def edge_chances(graph: BenchGraph, model: str) -> np.ndarray:
    """Per-edge probabilities of ``model`` (``wc`` or ``tri``) on ``graph``, float64.

    Rounded to float32 and back, the precision cynetdiff keeps them in, so that every tool
    runs the same values; trivalency draws from ``default_rng(42)``.
    """
    cascades = importlib.import_module("simulator.validation.cascades")
    chances = cascades.edge_probabilities(
        graph.indptr, graph.indices, PER_EDGE_MODELS[model], rng=42
    )
    return chances.astype(np.float32).astype(np.float64)


def wom_per_edge(graph: BenchGraph, cascades: Any, model: str, plan: RunPlan) -> dict[str, Any]:
    """IC with a probability per edge through ``independent_cascade(p=array)``."""
    chances = edge_chances(graph, model)

    def run(**options: Any) -> Any:
        return cascades.independent_cascade(
            graph.indptr,
            graph.indices,
            graph.seeds,
            chances,
            replicates=plan.replicates,
            rng=plan.seed,
            **options,
        )

    return _wom_row(model, graph, run, cascades.independent_cascade, None, plan)


# --- wom's engine -----------------------------------------------------------------------


def prepare_engine(graph: BenchGraph) -> Any:
    """The cascade helpers; the engine takes the CSR arrays as a loaded layer."""
    return importlib.import_module("simulator.validation.cascades")


def engine_ic(graph: BenchGraph, cascades: Any, p: float, plan: RunPlan) -> dict[str, Any]:
    """IC through the ordinary engine on ``cascades.cascade_scenario`` (what
    ``independent_cascade(method="engine")`` runs), one block of all replicates.

    The row's time is the engine's step loop (``simulate_seconds`` of the run's
    provenance: the block's arrays and every step); ``setup_s`` is the rest of the call
    (the scenario, its validation, the town and layer built from the CSR arrays). A first
    call, untimed, compiles the step loop's kernels.
    """
    from simulator import config as cfg
    from simulator.engine.run import simulate

    scenario = cascades.cascade_scenario(
        graph.node_count,
        graph.seeds,
        rule=cfg.IndependentRule(),
        persuasion=p,
        replicates=plan.replicates,
        seed=plan.seed,
        block_size=plan.replicates,
    )
    layer = {"graph": (graph.indptr, graph.indices)}
    simulate(scenario, graphs=layer)  # warm-up: numba loads or compiles the kernels
    reset_peak_rss()
    best = (math.inf, math.inf)
    result = None
    for _ in range(plan.repeats):  # same seed: every repeat gives the same sizes
        started = perf_counter()
        run = cascades.cascade_scenario(
            graph.node_count,
            graph.seeds,
            rule=cfg.IndependentRule(),
            persuasion=p,
            replicates=plan.replicates,
            seed=plan.seed,
            block_size=plan.replicates,
        )
        result = simulate(run, graphs=layer)
        total = perf_counter() - started
        stepping = float(result.provenance["timings"]["simulate_seconds"])
        best = min(best, (stepping, total - stepping))
    assert result is not None
    strategy = result.strategies[0]
    row = summarise(
        "wom-engine",
        "ic",
        graph,
        p,
        sizes=np.asarray(strategy.series["adopters"][:, -1], np.int64),
        seconds=best[0],
        edge_trials=np.asarray(strategy.messages, np.int64),
        peak_mb=_peak_above(plan.baseline_mb),
    )
    row["setup_s"] = best[1]
    return row


# --- cynetdiff --------------------------------------------------------------------------


def prepare_cynetdiff(graph: BenchGraph) -> tuple[np.ndarray, np.ndarray]:
    """cynetdiff's CSR: ``starts`` (uint32, length n, no end marker) and ``edges`` (uint32)."""
    return (
        np.ascontiguousarray(graph.indptr[:-1], dtype=np.uint32),
        np.ascontiguousarray(graph.indices, dtype=np.uint32),
    )


def _cynetdiff_row(model_name: str, graph: BenchGraph, diffusion: Any, p, plan: RunPlan):
    diffusion.set_seeds(graph.seeds.tolist())  # cynetdiff accepts only Python ints

    def one_replicate() -> tuple[int, float, int]:
        started = perf_counter()
        diffusion.reset_model()
        diffusion.advance_until_completion()
        seconds = perf_counter() - started
        size = diffusion.get_num_activated_nodes()
        activated = _activated_ids(diffusion.get_activated_nodes(), size)
        return size, seconds, graph.edge_trials(activated)

    sizes, seconds, edge_trials, peak_mb = _replicate_loop(one_replicate, plan)
    for _ in range(plan.repeats - 1):  # later repeats (other draws) only time the loop
        seconds = min(seconds, _replicate_loop(one_replicate, plan)[1])
    return summarise(
        "cynetdiff",
        model_name,
        graph,
        p,
        sizes=sizes,
        seconds=seconds,
        edge_trials=edge_trials,
        peak_mb=peak_mb,
    )


def cynetdiff_ic(
    graph: BenchGraph, csr: tuple[np.ndarray, np.ndarray], p: float, plan: RunPlan
) -> dict[str, Any]:
    """IC with ``cynetdiff.models.IndependentCascadeModel(starts, edges, activation_prob=p)``."""
    from cynetdiff.models import IndependentCascadeModel

    starts, edges = csr
    diffusion = IndependentCascadeModel(
        starts, edges, activation_prob=p, rng=np.random.default_rng(plan.seed)
    )
    return _cynetdiff_row("ic", graph, diffusion, p, plan)


def cynetdiff_lt(
    graph: BenchGraph, csr: tuple[np.ndarray, np.ndarray], plan: RunPlan
) -> dict[str, Any]:
    """LT with ``cynetdiff.models.LinearThresholdModel(starts, edges)``.

    Without ``influence`` cynetdiff weights every edge ``1 / in-degree`` of its head, and
    ``reset_model`` makes it draw fresh thresholds lazily during the next run.
    """
    from cynetdiff.models import LinearThresholdModel

    starts, edges = csr
    diffusion = LinearThresholdModel(starts, edges, rng=np.random.default_rng(plan.seed))
    return _cynetdiff_row("lt", graph, diffusion, None, plan)


def cynetdiff_per_edge(
    graph: BenchGraph, csr: tuple[np.ndarray, np.ndarray], model: str, plan: RunPlan
) -> dict[str, Any]:
    """IC with ``IndependentCascadeModel(starts, edges, activation_probs=...)`` (float32)."""
    from cynetdiff.models import IndependentCascadeModel

    starts, edges = csr
    chances = np.ascontiguousarray(edge_chances(graph, model), dtype=np.float32)
    diffusion = IndependentCascadeModel(
        starts, edges, activation_probs=chances, rng=np.random.default_rng(plan.seed)
    )
    return _cynetdiff_row(model, graph, diffusion, None, plan)


# --- NDlib ------------------------------------------------------------------------------


def prepare_ndlib(graph: BenchGraph) -> Any:
    """Undirected networkx graph (NDlib's neighbours of an undirected graph = both directions)."""
    return to_networkx(graph)


def _ndlib_seed(plan: RunPlan) -> int:
    # NDlib seeds numpy's global generator in every model constructor (np.random.seed);
    # this worker process owns that state, so it cannot disturb anything else.
    return int(np.random.SeedSequence(plan.seed).generate_state(1)[0])


def _ndlib_activated(diffusion: Any) -> np.ndarray:
    return np.array(
        [node for node, status in diffusion.status.items() if status != 0], dtype=np.int64
    )


def ndlib_ic(graph: BenchGraph, undirected: Any, p: float, plan: RunPlan) -> dict[str, Any]:
    """IC with NDlib's ``IndependentCascadesModel``, edge ``threshold`` = ``p`` on every edge.

    Per replicate: ``model.reset(infected_nodes=seeds)`` then ``model.iteration()`` until
    no node is Infected (status 1); the final size counts Infected and Removed nodes.
    """
    import ndlib.models.epidemics as epidemics
    import ndlib.models.ModelConfig as model_config

    seeds = graph.seeds.tolist()
    diffusion = epidemics.IndependentCascadesModel(undirected, seed=_ndlib_seed(plan))
    config = model_config.Configuration()
    config.add_model_initial_configuration("Infected", seeds)
    for edge in undirected.edges():
        config.add_edge_configuration("threshold", edge, p)
    diffusion.set_initial_status(config)

    def one_replicate() -> tuple[int, float, int]:
        started = perf_counter()
        diffusion.reset(infected_nodes=seeds)
        diffusion.iteration(node_status=False)  # iteration 0 only reports the seeds
        while diffusion.iteration(node_status=False)["node_count"][1] > 0:
            pass
        seconds = perf_counter() - started
        activated = _ndlib_activated(diffusion)
        return activated.size, seconds, graph.edge_trials(activated)

    sizes, seconds, edge_trials, peak_mb = _replicate_loop(one_replicate, plan)
    return summarise(
        "ndlib",
        "ic",
        graph,
        p,
        sizes=sizes,
        seconds=seconds,
        edge_trials=edge_trials,
        peak_mb=peak_mb,
    )


def ndlib_lt(graph: BenchGraph, undirected: Any, plan: RunPlan) -> dict[str, Any]:
    """LT with NDlib's ``ThresholdModel`` and a node ``threshold`` drawn afresh per replicate.

    NDlib activates a node when the fraction of its neighbours that are active reaches its
    threshold: LT with weights ``1 / in-degree``. New thresholds go in through a new
    ``ModelConfig.Configuration`` and ``set_initial_status`` (not timed); the timed part is
    ``reset(infected_nodes=seeds)`` and ``iteration()`` until no node changes.
    """
    import ndlib.models.epidemics as epidemics
    import ndlib.models.ModelConfig as model_config

    seeds = graph.seeds.tolist()
    diffusion = epidemics.ThresholdModel(undirected, seed=_ndlib_seed(plan))
    threshold_rng = np.random.default_rng(plan.seed)

    def one_replicate() -> tuple[int, float, int]:
        thresholds = 1.0 - threshold_rng.random(graph.node_count)  # uniform on (0, 1]
        config = model_config.Configuration()
        config.add_model_initial_configuration("Infected", seeds)
        config.add_node_set_configuration("threshold", dict(enumerate(thresholds.tolist())))
        diffusion.set_initial_status(config)
        started = perf_counter()
        diffusion.reset(infected_nodes=seeds)
        diffusion.iteration(node_status=False)  # iteration 0 only reports the seeds
        while diffusion.iteration(node_status=False)["status_delta"][1] > 0:
            pass
        seconds = perf_counter() - started
        activated = _ndlib_activated(diffusion)
        return activated.size, seconds, graph.edge_trials(activated)

    sizes, seconds, edge_trials, peak_mb = _replicate_loop(one_replicate, plan)
    return summarise(
        "ndlib",
        "lt",
        graph,
        None,
        sizes=sizes,
        seconds=seconds,
        edge_trials=edge_trials,
        peak_mb=peak_mb,
    )


# --- EoN --------------------------------------------------------------------------------


def prepare_eon(graph: BenchGraph) -> Any:
    """Undirected networkx graph (EoN transmits along every edge of it, both ways)."""
    return to_networkx(graph)


def _recording_transmission(
    source: Any, target: Any, p: float, rng: np.random.Generator, reached: list[int]
) -> bool:
    """EoN's ``_simple_test_transmission_`` that also records successful targets."""
    if rng.random() < p:
        reached.append(target)
        return True
    return False


def eon_ic(graph: BenchGraph, undirected: Any, p: float, plan: RunPlan) -> dict[str, Any]:
    """IC as EoN's discrete SIR: ``EoN.basic_discrete_SIR(G, p, initial_infecteds=seeds)``.

    The final size is ``R[-1]`` (every node ever infected, seeds included). EoN returns
    only counts, so each replicate is replayed, untimed, with the same generator through
    ``EoN.discrete_SIR`` and a transmission test that records who was reached: the same
    random draws in the same order, hence the same cascade (checked on the size).
    """
    import EoN

    seeds = graph.seeds.tolist()
    replicate_seeds = np.random.SeedSequence(plan.seed)

    def one_replicate() -> tuple[int, float, int]:
        (replicate_seed,) = replicate_seeds.spawn(1)
        started = perf_counter()
        *_, recovered = EoN.basic_discrete_SIR(
            undirected, p, initial_infecteds=seeds, rng=np.random.default_rng(replicate_seed)
        )
        seconds = perf_counter() - started
        size = int(recovered[-1])
        replay_rng = np.random.default_rng(replicate_seed)
        reached: list[int] = []
        EoN.discrete_SIR(
            undirected,
            _recording_transmission,
            (p, replay_rng, reached),
            initial_infecteds=seeds,
            rng=replay_rng,
        )
        if len(seeds) + len(reached) != size:
            raise RuntimeError(
                f"EoN replay reached {len(seeds) + len(reached)} nodes, the timed run {size}."
            )
        activated = np.concatenate([graph.seeds, np.asarray(reached, dtype=np.int64)])
        return size, seconds, graph.edge_trials(activated)

    sizes, seconds, edge_trials, peak_mb = _replicate_loop(one_replicate, plan)
    return summarise(
        "eon",
        "ic",
        graph,
        p,
        sizes=sizes,
        seconds=seconds,
        edge_trials=edge_trials,
        peak_mb=peak_mb,
    )


PREPARE = {
    "wom": prepare_wom,
    "wom-engine": prepare_engine,
    "cynetdiff": prepare_cynetdiff,
    "ndlib": prepare_ndlib,
    "eon": prepare_eon,
}
#: (tool, model) -> row function; IC functions take ``p``, per-edge ones the model's
#: name, LT functions neither.
RUNNERS: dict[tuple[str, str], Callable[..., dict[str, Any]]] = {
    ("wom", "ic"): wom_ic,
    ("wom", "wc"): wom_per_edge,
    ("wom", "tri"): wom_per_edge,
    ("wom-engine", "ic"): engine_ic,
    ("cynetdiff", "wc"): cynetdiff_per_edge,
    ("cynetdiff", "tri"): cynetdiff_per_edge,
    ("wom", "lt"): wom_lt,
    ("cynetdiff", "ic"): cynetdiff_ic,
    ("cynetdiff", "lt"): cynetdiff_lt,
    ("ndlib", "ic"): ndlib_ic,
    ("ndlib", "lt"): ndlib_lt,
    ("eon", "ic"): eon_ic,
}


def run_row(
    tool: str, model: str, graph: BenchGraph, prepared: Any, p: float | None, plan: RunPlan
) -> dict[str, Any]:
    """Run one row: ``tool`` and ``model`` on ``graph`` (``p`` is ignored for LT)."""
    runner = RUNNERS[(tool, model)]
    if model == "ic":
        return runner(graph, prepared, p, plan)
    if model in PER_EDGE_MODELS:
        return runner(graph, prepared, model, plan)
    return runner(graph, prepared, plan)
