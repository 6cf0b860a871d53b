"""The classic diffusion models as special cases of a scenario: independent cascade, linear
threshold and Bass.

:func:`cascade_scenario` and :func:`bass_scenario` build the
:class:`~simulator.config.Scenario` whose settings reduce the simulator exactly to the
classic model (the settings are spelled out in the code). :func:`independent_cascade` and
:func:`linear_threshold` run the classic model on a CSR graph, by default with compiled
kernels (:mod:`simulator.validation.kernels`), or with ``method="engine"`` through the ordinary
engine on :func:`cascade_scenario`, the reference the kernels are tested against. They
serve validation, benchmarks against peer tools, and teaching ("the model is the
textbook model in the limit").
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.engine.run import simulate
from simulator.errors import ArgumentError
from simulator.results import RunResult


def cascade_scenario(
    size: int,
    seeds: Any,
    *,
    rule: cfg.Adoption,
    persuasion: float = 1.0,
    replicates: int = 100,
    seed: int = 0,
    steps: int | None = None,
    block_size: int = 100,
    layer: cfg.Layer | None = None,
) -> cfg.Scenario:
    """A scenario reduced to a classic cascade on one layer named ``graph``.

    Reductions: one segment with interest 1; trust 1 on the layer's ties; every talking
    adopter contacts every contact (``contact_probability = 1``) during exactly one step
    (``talk_steps = 1``); all adopters satisfied (no negative word of mouth); seeds are the
    given people, adopting at step 0 for free; the run stops when nobody talks.

    Examples
    --------
    >>> s = cascade_scenario(10, [0], rule=cfg.IndependentRule(), persuasion=0.5)
    >>> s.word_of_mouth.talk_steps, s.layers["graph"].contact_probability
    (1.0, 1.0)
    """
    people = tuple(int(p) for p in np.atleast_1d(np.asarray(seeds)))
    return cfg.Scenario(
        title="classic cascade",
        simulation=cfg.Simulation(
            steps=steps or size + 1,
            replicates=replicates,
            block_size=block_size,
            seed=seed,
            stop_when_quiet=True,
        ),
        population=cfg.Population(
            size=size,
            segments=(cfg.Segment(name="everyone", share=1.0, interest=1.0),),
        ),
        layers={"graph": layer or cfg.GraphLayer(contact_probability=1.0, tie_trust=1.0)},
        trust=cfg.Trust(word_of_mouth=1.0),
        word_of_mouth=cfg.WordOfMouth(persuasion=persuasion, talk_steps=1),
        product=cfg.Product(quality=1.0),
        # the textbook model: no lifecycle, no ad or talk response (issues 13 and 14)
        lifecycle=cfg.Lifecycle(enabled=False),
        response=cfg.Response(enabled=False),
        adoption=rule,
        channels={
            "seeds": cfg.Seeding(
                strategy="given", people=people, cost_per_seed=1.0, budget=float(len(people))
            )
        },
        strategies=(cfg.Strategy(name="cascade", channels=("seeds",)),),
    )


def _final_sizes(result: RunResult) -> np.ndarray:
    return np.asarray(result.strategies[0].series["adopters"][:, -1], np.int64)


def _csr_and_seeds(indptr: Any, indices: Any, seeds: Any) -> tuple[np.ndarray, ...]:
    """Check the CSR arrays and seeds at the boundary, in O(seeds): the kernels check the
    rows they read, so a call never pays a pass over every edge."""
    indptr, indices = (np.ascontiguousarray(a) for a in (indptr, indices))
    if indices.dtype not in (np.int32, np.int64):  # one compiled variant per dtype
        indices = indices.astype(np.int64)
    if indptr.dtype != np.int64:
        indptr = indptr.astype(np.int64)
    seeds = np.ascontiguousarray(np.atleast_1d(seeds), dtype=np.int64)
    size = indptr.size - 1
    if indptr.ndim != 1 or indices.ndim != 1 or size < 1 or indptr[0] != 0:
        raise ArgumentError(
            "indptr must be a 1-d CSR row-pointer array of length nodes + 1 starting at 0"
        )
    if seeds.size and (seeds.min() < 0 or seeds.max() >= size):
        raise ArgumentError(f"seeds must be node ids in 0..{size - 1}, got {seeds.tolist()}")
    return indptr, indices, seeds


class Workspace:
    """Work arrays kept between kernel calls on graphs of one size.

    First touching fresh memory costs page faults, and the threshold kernel's table of
    edge weights (1 / in-degree) a pass over every edge; a caller that runs several
    cascades on one graph (as experiments and benchmarks do) pays both once. The table
    is keyed by a hash of the graph's values, so a changed graph never gets stale
    weights. The kernels leave the arrays as they found them; after a kernel error the
    arrays are dropped.

    Pass one as ``workspace=`` to :func:`independent_cascade` or :func:`linear_threshold`
    to keep the arrays to yourself; without it the calls share :func:`shared_workspace`.

    Examples
    --------
    >>> workspace = Workspace()
    >>> indptr, indices = np.array([0, 1, 2, 2]), np.array([1, 2])   # path 0 -> 1 -> 2
    >>> independent_cascade(indptr, indices, [0], 1.0, replicates=2, workspace=workspace)
    array([3, 3])
    >>> workspace.size
    3
    """

    def __init__(self) -> None:
        self.size = -1
        self.arrays: dict[str, np.ndarray] = {}
        self.graph: tuple[int, str, int, int] | None = None

    def array(self, name: str, size: int, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """The zeroed work array ``name`` for graphs of ``size`` nodes."""
        if size != self.size:
            self.size, self.arrays, self.graph = size, {}, None
        if name not in self.arrays:
            self.arrays[name] = np.zeros(shape, dtype)
        return self.arrays[name]

    def threshold_table(self, indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
        """Per-node table of the threshold kernel (weights 1 / in-degree) of this graph."""
        from simulator.validation import kernels  # numba: compiled only where a kernel runs

        n = indptr.size - 1
        node = self.array("node", n, (n, 4), np.float64)
        graph = (
            indices.size,
            indices.dtype.str,
            int(kernels.fingerprint(indptr)),
            int(kernels.fingerprint(indices)),
        )
        if graph != self.graph:
            kernels.threshold_table(kernels.in_degrees(indptr, indices), node)
            self.graph = graph
        return node

    def drop(self) -> None:
        """Forget every array (after a kernel stopped half-way)."""
        self.size, self.arrays, self.graph = -1, {}, None


@functools.cache
def shared_workspace() -> Workspace:
    """The workspace of calls that pass none: one per process, made on first use.

    Examples
    --------
    >>> shared_workspace() is shared_workspace()
    True
    """
    return Workspace()


def _checked(
    workspace: Workspace, sizes: np.ndarray, trials: np.ndarray, status: int
) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's sizes and trials, or the error its status code stands for."""
    from simulator.validation import kernels  # numba: compiled only where a kernel runs

    if status != kernels.OK:
        workspace.drop()  # the kernel stopped half-way: its work arrays are not clean
    if status == kernels.BAD_INDPTR:
        raise ArgumentError("indptr must never decrease and must end at len(indices)")
    if status == kernels.BAD_INDEX:
        raise ArgumentError("indices must be node ids in 0..len(indptr) - 2")
    if status == kernels.BAD_PROBABILITY:
        raise ArgumentError(
            "The 'p' parameter must hold probabilities in [0, 1]; an edge the cascade "
            "tried has a value outside it (or NaN)."
        )
    return sizes, trials


def _method(method: str) -> None:
    if method not in ("kernel", "engine"):
        raise ArgumentError(
            f"The 'method' parameter must be 'kernel' or 'engine'. Got {method!r} instead."
        )


TRIVALENCY = (0.1, 0.01, 0.001)
"""The trivalency model's edge probabilities (Chen, Wang & Wang 2010, KDD, section 5)."""


def edge_probabilities(
    indptr: np.ndarray, indices: np.ndarray, kind: str, *, rng: Any = None
) -> np.ndarray:
    """Per-edge probabilities (float64, one per entry of ``indices``) of a classic model.

    ``kind`` is ``"weighted_cascade"``: ``1 / in-degree`` of the edge's head (Kempe,
    Kleinberg & Tardos 2003, section 2), so a node expects one success from all its
    in-neighbours together; or ``"trivalency"``: each edge draws one of 0.1, 0.01 and
    0.001 uniformly (:data:`TRIVALENCY`; Chen, Wang & Wang 2010, "Scalable influence
    maximization for prevalent viral marketing in large-scale social networks", KDD),
    from ``rng``. Pass the result as ``p`` to :func:`independent_cascade`.

    Examples
    --------
    >>> indptr, indices = np.array([0, 2, 3, 3]), np.array([1, 2, 2])
    >>> edge_probabilities(indptr, indices, "weighted_cascade").tolist()
    [1.0, 0.5, 0.5]
    >>> set(edge_probabilities(indptr, indices, "trivalency", rng=1)) <= set(TRIVALENCY)
    True
    """
    indptr, indices, _ = _csr_and_seeds(indptr, indices, np.zeros(0, np.int64))
    if kind == "weighted_cascade":
        from simulator.validation import kernels  # numba: compiled only where a kernel runs

        return kernels.inverse_in_degree_probabilities(indptr, indices)
    if kind == "trivalency":
        choice = np.random.default_rng(rng).integers(0, len(TRIVALENCY), indices.size)
        return np.asarray(TRIVALENCY, np.float64)[choice]
    raise ArgumentError(
        "The 'kind' parameter of edge_probabilities must be 'weighted_cascade' or "
        f"'trivalency'. Got {kind!r} instead."
    )


def _edge_probability_array(p: Any, edges: int) -> np.ndarray | None:
    """``p`` as a float64 array of one probability per edge, or None for a scalar ``p``."""
    if np.ndim(p) == 0:
        return None
    array = np.ascontiguousarray(p, dtype=np.float64)
    if array.ndim != 1 or array.size != edges:
        raise ArgumentError(
            "The 'p' parameter must be a probability in [0, 1] or an array of one "
            f"probability per edge ({edges} values). Got an array of shape {array.shape} "
            "instead."
        )
    return array


def independent_cascade(
    indptr: np.ndarray,
    indices: np.ndarray,
    seeds: Any,
    p: float | np.ndarray,
    *,
    replicates: int = 100,
    rng: Any = 0,
    return_trials: bool = False,
    method: str = "kernel",
    workspace: Workspace | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Independent cascade (Kempe et al. 2003) with probability ``p``: one for every edge,
    or an array of one per edge, aligned with ``indices`` (see :func:`edge_probabilities`).

    ``indptr``, ``indices`` are the CSR arrays of the directed graph (edge ``u -> v``:
    ``u`` may activate ``v``). Returns final sizes including seeds, per replicate, and
    with ``return_trials`` the edge trials (sum of the out-degrees of activated nodes,
    the word-of-mouth messages of the engine's reduction).

    ``method="kernel"`` (default) runs the compiled kernel
    :func:`simulator.validation.kernels.independent_cascade`, which samples only successful edges;
    ``method="engine"`` runs :func:`cascade_scenario` through the ordinary engine, the
    reference the kernel is tested against (same distribution, other random draws).
    ``rng`` is anything :func:`numpy.random.default_rng` accepts. ``workspace`` holds the
    kernel's work arrays between calls (:class:`Workspace`; :func:`shared_workspace` when
    None).

    Examples
    --------
    >>> indptr, indices = np.array([0, 1, 2, 2]), np.array([1, 2])   # path 0 -> 1 -> 2
    >>> independent_cascade(indptr, indices, [0], 1.0, replicates=3).tolist()
    [3, 3, 3]
    >>> independent_cascade(indptr, indices, [0], 1.0, replicates=2, method="engine").tolist()
    [3, 3]
    >>> independent_cascade(indptr, indices, [0], np.array([1.0, 0.0]), replicates=2).tolist()
    [2, 2]
    """
    _method(method)
    indptr, indices, seeds = _csr_and_seeds(indptr, indices, seeds)
    per_edge = _edge_probability_array(p, indices.size)
    if per_edge is not None:
        if method == "engine":
            raise ArgumentError(
                "The 'method' parameter must be 'kernel' when 'p' gives one probability "
                "per edge (the engine's layers weigh edges by tie kind). Got 'engine' instead."
            )
        from simulator.validation import kernels  # numba: compiled only where a kernel runs

        work = workspace if workspace is not None else shared_workspace()
        n = indptr.size - 1
        sizes, trials = _checked(
            work,
            *kernels.independent_cascade_per_edge(
                indptr,
                indices,
                seeds,
                per_edge,
                int(replicates),
                np.random.default_rng(rng),
                work.array("active", n, (n,), np.uint8),
                work.array("queue", n, (n,), np.int32),
            ),
        )
        return (sizes, trials) if return_trials else sizes
    if not 0.0 <= p <= 1.0:
        raise ArgumentError(
            f"The 'p' parameter must be a probability in [0, 1]. Got {p!r} instead."
        )
    if method == "kernel":
        from simulator.validation import kernels  # numba: compiled only where a kernel runs

        work = workspace if workspace is not None else shared_workspace()
        generator = np.random.default_rng(rng)
        n = indptr.size - 1
        sizes, trials = _checked(
            work,
            *kernels.independent_cascade(
                indptr,
                indices,
                seeds,
                float(p),
                int(replicates),
                generator,
                work.array("active", n, (n,), np.uint8),
                work.array("queue", n, (n,), np.int32),
            ),
        )
        return (sizes, trials) if return_trials else sizes
    return _by_engine(
        indptr, indices, seeds, cfg.IndependentRule(), float(p), replicates, rng, return_trials
    )


def linear_threshold(
    indptr: np.ndarray,
    indices: np.ndarray,
    seeds: Any,
    *,
    replicates: int = 100,
    rng: Any = 0,
    return_trials: bool = False,
    method: str = "kernel",
    workspace: Workspace | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Linear threshold (Kempe et al. 2003): weights 1 / in-degree, thresholds U[0, 1].

    Returns final sizes including seeds per replicate (and edge trials with
    ``return_trials``). ``method`` as in :func:`independent_cascade`.

    Examples
    --------
    >>> indptr, indices = np.array([0, 3, 3, 3, 3]), np.array([1, 2, 3])   # star from 0
    >>> linear_threshold(indptr, indices, [0], replicates=2).tolist()
    [4, 4]
    >>> linear_threshold(indptr, indices, [0], replicates=2, method="engine").tolist()
    [4, 4]
    """
    _method(method)
    indptr, indices, seeds = _csr_and_seeds(indptr, indices, seeds)
    if method == "kernel":
        from simulator.validation import kernels  # numba: compiled only where a kernel runs

        work = workspace if workspace is not None else shared_workspace()
        n = indptr.size - 1
        sizes, trials = _checked(
            work,
            *kernels.linear_threshold(
                indptr,
                indices,
                seeds,
                int(replicates),
                np.random.default_rng(rng),
                work.threshold_table(indptr, indices),
                work.array("queue", n, (n,), np.int32),
                work.array("reached", n, (n,), np.int32),
            ),
        )
        return (sizes, trials) if return_trials else sizes
    rule = cfg.ThresholdRule(weights="inverse_in_degree")
    return _by_engine(indptr, indices, seeds, rule, 1.0, replicates, rng, return_trials)


def _by_engine(
    indptr: np.ndarray,
    indices: np.ndarray,
    seeds: np.ndarray,
    rule: cfg.IndependentRule | cfg.ThresholdRule,
    persuasion: float,
    replicates: int,
    rng: Any,
    return_trials: bool,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """A classic cascade run by the ordinary engine: the reference of the kernels."""
    scenario = cascade_scenario(
        indptr.size - 1,
        seeds,
        rule=rule,
        persuasion=persuasion,
        replicates=replicates,
        seed=_integer_seed(rng),
    )
    result = simulate(scenario, graphs={"graph": (indptr, indices)})
    sizes = _final_sizes(result)
    if return_trials:
        return sizes, np.asarray(result.strategies[0].messages, np.int64)
    return sizes


def _integer_seed(rng: Any) -> int:
    """The scenario seed for ``rng``: an int as given, else drawn from the generator."""
    if isinstance(rng, (int, np.integer)) and rng >= 0:
        return int(rng)
    return int(np.random.default_rng(rng).integers(0, 2**63 - 1))


def bass_scenario(
    size: int,
    p: float,
    q: float,
    *,
    dt: float,
    years: float,
    replicates: int,
    seed: int = 0,
    block_size: int = 50,
) -> cfg.Scenario:
    """Bass (1969) as a scenario: a well-mixed population, background influence ``p`` and
    imitation ``q`` per year, adopters talking forever, no channels.

    Examples
    --------
    >>> bass_scenario(100, 0.03, 0.38, dt=1.0, years=15, replicates=2).simulation.steps
    15
    """
    return cfg.Scenario(
        title="Bass model",
        simulation=cfg.Simulation(
            steps=int(round(years / dt)),
            dt=dt,
            time_unit="year",
            replicates=replicates,
            block_size=block_size,
            seed=seed,
        ),
        population=cfg.Population(
            size=size, segments=(cfg.Segment(name="everyone", share=1.0, interest=1.0),)
        ),
        layers={"everyone": cfg.WellMixedLayer(contact_probability=1.0)},
        word_of_mouth=cfg.WordOfMouth(talk_steps=float("inf")),
        product=cfg.Product(quality=1.0),
        # the textbook model: no lifecycle, no ad or talk response (issues 13 and 14)
        lifecycle=cfg.Lifecycle(enabled=False),
        response=cfg.Response(enabled=False),
        adoption=cfg.BassRule(p=p, q=q),
        strategies=(cfg.Strategy(name="bass"),),
    )
