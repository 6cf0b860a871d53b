"""The model checks against closed forms: Bass, discrete Bass, percolation, exact sizes.

Each check runs the simulator where theory says what the answer must be:

* ``bass``: the bass rule on a ``well_mixed`` layer with a small step against the Bass
  (1969) curve F(t), its peak time t* and the adopted share at the peak F(t*)
  (validation targets of docs/CALIBRATION.md section 9);
* ``bass-discrete``: the bass rule with one-year steps against the discrete hazard map it
  follows (and not the continuous curve, which it lags by about 0.1);
* ``percolation``: the independent rule on Erdos-Renyi graphs against the bond-percolation
  final size (Newman 2002);
* ``exact``: independent cascades on a path and a star, and linear threshold on a star,
  against their exact expected sizes (Kempe, Kleinberg and Tardos 2003).

Cascade checks run once per implementation (:data:`IMPLEMENTATIONS`): the ordinary engine
on :func:`simulator.validation.cascades.cascade_scenario` and the compiled kernels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator import analytic
from simulator import calibration as cal
from simulator.config import validate_scenario
from simulator.engine.run import simulate
from simulator.metrics.bass_fit import DAYS_PER_YEAR
from simulator.streams import stream
from simulator.validation.cascades import bass_scenario, independent_cascade, linear_threshold
from simulator.validation.graphs import erdos_renyi_csr, undirected_csr
from simulator.validation.table import CURVE_SE, CheckResult, z_result

__all__ = [
    "BASS_P",
    "BASS_Q",
    "FULL",
    "IMPLEMENTATIONS",
    "QUICK",
    "Sizes",
    "adoption_peak",
    "check_bass",
    "check_bass_discrete",
    "check_exact",
    "check_percolation",
]

BASS_P = cal.BASS_P.value
BASS_Q = cal.BASS_Q.value
"""Meta-analytic mean Bass coefficients per year (Sultan, Farley and Lehmann 1990)."""

IMPLEMENTATIONS: tuple[str, ...] = ("engine", "kernel")
"""Implementations of the cascades checked: the engine (the model that ``wom run`` uses)
and the compiled kernels of :mod:`simulator.validation.kernels`."""


@dataclass(frozen=True, slots=True)
class Sizes:
    """Population sizes and replicate counts of the checks.

    Attributes
    ----------
    bass_size, bass_dt, bass_replicates : int, float, int
        Well-mixed population, step (years) and replicates of the continuous Bass check.
    discrete_size, discrete_replicates : int
        Population and replicates of the one-year-step Bass check.
    percolation_size, percolation_graphs, percolation_replicates : int
        Nodes of each Erdos-Renyi graph, number of graphs, replicates per graph.
    exact_replicates : int
        Replicates of each path and star check.
    peer_size, peer_seeds : int
        Nodes of the Barabasi-Albert graph shared with the peers, and seed nodes.
    peer_replicates, ndlib_replicates : int
        Replicates of the simulator and cynetdiff, and of NDlib (pure Python, slow).
    """

    bass_size: int = 10_000
    bass_dt: float = 0.01
    bass_replicates: int = 50
    discrete_size: int = 10_000
    discrete_replicates: int = 50
    percolation_size: int = 20_000
    percolation_graphs: int = 40
    percolation_replicates: int = 5
    exact_replicates: int = 4000
    peer_size: int = 2000
    peer_seeds: int = 10
    peer_replicates: int = 2000
    ndlib_replicates: int = 200


FULL = Sizes()
"""Sizes of ``wom check-model`` and of the validation tests."""

QUICK = Sizes(
    bass_dt=0.02,
    bass_replicates=30,
    discrete_replicates=30,
    percolation_size=5000,
    exact_replicates=2000,
    peer_size=1000,
    peer_replicates=1000,
    ndlib_replicates=60,
)
"""Smaller sizes for demonstrations (``wom check-model --quick``); the same checks."""


def adoption_peak(
    years: np.ndarray, share: np.ndarray, *, window: float = 1.0
) -> tuple[float, float]:
    """Peak time t* of the adoption rate of a cumulative curve, and the share adopted then.

    The rate is the central difference of the curve over ``window`` years; t* is the
    vertex of a parabola fitted by least squares to the rate within ``window`` years of
    its highest point. The parabola averages out the step-to-step noise of a simulated
    curve, and on the exact Bass curve it recovers t* to 0.001 year.

    Parameters
    ----------
    years : numpy.ndarray
        Equally spaced times, in years.
    share : numpy.ndarray
        Cumulative adopted share at those times.
    window : float, default 1.0
        Width of the difference and half-width of the parabola fit, in years.

    Returns
    -------
    tuple of float
        ``(t_star, share_at_t_star)``; the share is interpolated linearly.

    Examples
    --------
    >>> from simulator import analytic
    >>> years = np.arange(0.0, 15.0, 0.01)
    >>> t_star, at_peak = adoption_peak(years, analytic.bass_cumulative(years, 0.03, 0.38))
    >>> round(t_star, 2), round(at_peak, 3)
    (6.19, 0.461)
    """
    step = float(years[1] - years[0])
    half = max(1, round(window / step / 2))
    rate = (share[2 * half :] - share[: -2 * half]) / (2 * half * step)
    centres = years[half:-half]
    top = int(np.argmax(rate))
    near = np.abs(centres - centres[top]) <= window
    curvature, slope, _ = np.polyfit(centres[near], rate[near], 2)
    t_star = float(centres[top]) if curvature >= 0 else -slope / (2 * curvature)
    t_star = float(np.clip(t_star, centres[near][0], centres[near][-1]))
    return t_star, float(np.interp(t_star, years, share))


def integer_seed(rng: np.random.Generator) -> int:
    """An integer seed for functions that take one (``rng=`` of the cascade helpers)."""
    return int(rng.integers(2**31))


def cascade_sizes(
    function: Callable[..., Any], *args: Any, method: str, **options: Any
) -> np.ndarray:
    """Final sizes from a :mod:`simulator.validation.cascades` helper run by ``method``."""
    return np.asarray(function(*args, method=method, **options))


# --------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------


def check_bass(sizes: Sizes, seed: int) -> list[CheckResult]:
    """Bass (1969) docking: docs/CALIBRATION.md section 9, target 1."""
    rng = stream(seed, "validation/bass")
    size, dt, replicates = sizes.bass_size, sizes.bass_dt, sizes.bass_replicates
    scenario = bass_scenario(
        size, BASS_P, BASS_Q, dt=dt, years=15, replicates=replicates, seed=integer_seed(rng)
    )
    result = simulate(scenario)
    years = np.asarray(result.days, np.float64) / DAYS_PER_YEAR
    share = result.strategies[0].series["adopters"] / size
    mean = share.mean(axis=0)
    standard_error = share.std(axis=0, ddof=1) / math.sqrt(replicates)
    gap = np.abs(mean - analytic.bass_cumulative(years, BASS_P, BASS_Q))
    worst = int(np.argmax(gap))
    label = f"Bass, well-mixed N={size:,}, dt={dt:g} yr"

    t_star, share_at_peak = adoption_peak(years, mean)
    # Standard errors of the peak by bootstrap over replicates (200 resamples).
    resamples = rng.integers(0, replicates, (200, replicates))
    peaks = np.array([adoption_peak(years, share[draw].mean(axis=0)) for draw in resamples])
    peak_se, share_se = peaks.std(axis=0, ddof=1)
    expected_peak = analytic.bass_peak_time(BASS_P, BASS_Q)
    expected_share = (BASS_Q - BASS_P) / (2 * BASS_Q)
    peak_gap = t_star - expected_peak
    share_gap = share_at_peak - expected_share
    return [
        CheckResult(
            "bass",
            f"{label}: max |F - F_Bass| over t in [0, 15]",
            0.0,
            0.0,
            float(gap[worst]),
            float(standard_error[worst]),
            replicates,
            bool(gap[worst] <= 0.01),
            f"max gap <= 0.01 (largest at t = {years[worst]:.2f})",
        ),
        CheckResult(
            "bass",
            f"{label}: peak time t* (years)",
            expected_peak,
            0.0,
            t_star,
            float(peak_se),
            replicates,
            bool(abs(peak_gap) <= 0.2),
            f"|gap| = {abs(peak_gap):.3f} {'<=' if abs(peak_gap) <= 0.2 else '>'} 0.2",
        ),
        CheckResult(
            "bass",
            f"{label}: adopted share at the peak F(t*)",
            expected_share,
            0.0,
            share_at_peak,
            float(share_se),
            replicates,
            bool(abs(share_gap) <= 0.02),
            f"|gap| = {abs(share_gap):.4f} {'<=' if abs(share_gap) <= 0.02 else '>'} 0.02",
        ),
    ]


def check_bass_discrete(sizes: Sizes, seed: int) -> list[CheckResult]:
    """One-year steps: the mean path is the discrete hazard map (docs/CALIBRATION.md section 9.2).

    Run twice: on the well-mixed layer alone, and with an extra graph layer that has no
    edges. The model is the same (an empty layer adds nobody to anyone's contacts), but
    the engine may take a shortcut when every layer is well mixed (adoptions drawn from
    counts); the empty layer makes it compute every person's hazard, so both code paths
    are checked.
    """
    rng = stream(seed, "validation/bass-discrete")
    size, replicates, years = sizes.discrete_size, sizes.discrete_replicates, 15
    scenario = bass_scenario(
        size, BASS_P, BASS_Q, dt=1.0, years=years, replicates=replicates, seed=integer_seed(rng)
    )
    with_empty_layer = scenario.model_dump()
    with_empty_layer["layers"]["empty"] = {"kind": "graph"}
    empty_graph = (np.zeros(size + 1, np.int64), np.zeros(0, np.int32))
    variants = (
        ("well-mixed", scenario, None),
        ("well-mixed + empty graph layer", validate_scenario(with_empty_layer), empty_graph),
    )
    expected = analytic.bass_discrete_hazard(years, BASS_P, BASS_Q, dt=1.0)[1:]
    continuous = analytic.bass_cumulative(np.arange(1.0, years + 1.0), BASS_P, BASS_Q)
    rows = []
    for label, variant, graph in variants:
        graphs = None if graph is None else {"empty": graph}
        result = simulate(variant, graphs=graphs)
        share = result.strategies[0].series["adopters"][:, 1:] / size
        mean = share.mean(axis=0)
        standard_error = share.std(axis=0, ddof=1) / math.sqrt(replicates)
        z = (mean - expected) / standard_error
        worst = int(np.argmax(np.abs(z)))
        lag = float(np.max(np.abs(mean - continuous)))
        rows.append(
            CheckResult(
                "bass-discrete",
                f"Bass, dt=1 yr, N={size:,}, {label}: discrete hazard map, worst year "
                f"(t = {worst + 1})",
                float(expected[worst]),
                0.0,
                float(mean[worst]),
                float(standard_error[worst]),
                replicates,
                bool(np.all(np.abs(z) <= CURVE_SE)),
                f"max over years |z| = {abs(z[worst]):.1f} "
                f"{'<=' if abs(z[worst]) <= CURVE_SE else '>'} {CURVE_SE:g} "
                f"(the continuous F_Bass is {lag:.3f} away)",
            )
        )
    return rows


def check_percolation(sizes: Sizes, seed: int) -> list[CheckResult]:
    """Independent rule on Erdos-Renyi graphs: the giant outbreak is the percolation cluster.

    On a G(n, c/n) graph with transmission T, a large outbreak fills the giant cluster of
    the bond-percolated graph, a share S of the nodes with S = 1 - exp(-c T S) (Newman
    2002); for Poisson degrees S is also the probability that one random seed starts a
    large outbreak. Graph-to-graph variation of the giant cluster (sd about 0.003 at
    n = 20,000) is larger than the Monte Carlo error of many runs on one graph, so the
    runs are spread over many graphs and the standard error is that of the graph means.
    """
    rng = stream(seed, "validation/percolation")
    size, mean_degree, transmissibility = sizes.percolation_size, 5.0, 0.4
    runs = sizes.percolation_replicates
    methods = IMPLEMENTATIONS
    large_share: dict[str, list[float]] = {method: [] for method in methods}
    large_size: dict[str, list[float]] = {method: [] for method in methods}
    for _ in range(sizes.percolation_graphs):
        indptr, indices = erdos_renyi_csr(size, mean_degree, rng=rng)
        start = int(rng.integers(size))  # one random seed node per graph and its runs
        for method in methods:
            final = cascade_sizes(
                independent_cascade,
                indptr,
                indices,
                [start],
                transmissibility,
                replicates=runs,
                rng=integer_seed(rng),
                method=method,
            )
            large = final > 0.1 * size
            large_share[method].append(large.mean())
            if large.any():
                large_size[method].append(final[large].mean() / size)
    expected = float(analytic.percolation_final_size(mean_degree, transmissibility))
    total = sizes.percolation_graphs * runs
    label = f"IC on Erdos-Renyi n={size:,}, c=5, T=0.4"
    graphs = f"{sizes.percolation_graphs} graphs x {runs}"
    rows = []
    for method in methods:
        rows.append(
            z_result(
                "percolation",
                f"{label}: final share of large outbreaks (> 10 %), {graphs} [{method}]",
                expected,
                np.asarray(large_size[method]),
                replicates=total,
            )
        )
        rows.append(
            z_result(
                "percolation",
                f"{label}: probability of a large outbreak, {graphs} [{method}]",
                expected,
                np.asarray(large_share[method]),
                replicates=total,
            )
        )
    return rows


def check_exact(sizes: Sizes, seed: int) -> list[CheckResult]:
    """Path and star: exact expected cascade sizes (Kempe, Kleinberg and Tardos 2003)."""
    rng = stream(seed, "validation/exact")
    replicates = sizes.exact_replicates

    def path(n: int) -> tuple[np.ndarray, np.ndarray]:
        return undirected_csr(n, np.arange(n - 1), np.arange(1, n))

    def star(leaves: int) -> tuple[np.ndarray, np.ndarray]:
        return undirected_csr(leaves + 1, np.zeros(leaves, np.int64), np.arange(1, leaves + 1))

    rows = []

    def compare(
        method: str,
        check: str,
        expected: float,
        model: Callable[..., Any],
        graph: tuple[np.ndarray, np.ndarray],
        seeds: list[int],
        *args: float,
        runs: int = replicates,
    ) -> None:
        final = cascade_sizes(
            model, *graph, seeds, *args, replicates=runs, rng=integer_seed(rng), method=method
        )
        rows.append(z_result("exact", f"{check} [{method}]", float(expected), final))

    for method in IMPLEMENTATIONS:
        for n, p, seeds in ((12, 0.5, [1]), (30, 0.9, [3, 20])):
            expected = analytic.cascade_expected_size_path(n, p, seeds)
            check = f"IC path, {n} nodes, p={p:g}, seeds {seeds}: mean size"
            compare(method, check, expected, independent_cascade, path(n), seeds, p)
        for leaves, p, seed_at in ((20, 0.3, "centre"), (50, 0.6, "leaf")):
            seeds = [0] if seed_at == "centre" else [3]
            where = "the centre" if seed_at == "centre" else "a leaf"
            expected = analytic.cascade_expected_size_star(leaves, p, seed_at=seed_at)
            check = f"IC star, {leaves} leaves, p={p:g}, seed at {where}: mean size"
            compare(method, check, expected, independent_cascade, star(leaves), seeds, p)
        # Leaf seed: the centre adopts iff its U[0, 1] threshold <= 1/15, then every leaf.
        check = "LT star, 15 leaves, seed at a leaf: mean size"
        compare(method, check, 2.0, linear_threshold, star(15), [3])
        # Centre seed: every leaf's only in-neighbour is active, with weight 1: all 16 adopt.
        check = "LT star, 15 leaves, seed at the centre: every size"
        compare(method, check, 16.0, linear_threshold, star(15), [0], runs=100)
    return rows
