"""Model validation: the simulator against closed forms and peer tools (``wom check-model``).

Each check runs the simulator in a setting where theory, or an established tool, says
what the answer must be, and compares:

* ``bass``: the bass rule on a ``well_mixed`` layer with a small step against the Bass
  (1969) curve F(t), its peak time t* and the adopted share at the peak F(t*)
  (validation targets of docs/CALIBRATION.md section 9);
* ``bass-discrete``: the bass rule with one-year steps against the discrete hazard map it
  follows (and not the continuous curve, which it lags by about 0.1);
* ``percolation``: the independent rule on Erdos-Renyi graphs against the bond-percolation
  final size (Newman 2002);
* ``exact``: independent cascades on a path and a star, and linear threshold on a star,
  against their exact expected sizes (Kempe, Kleinberg and Tardos 2003);
* ``peers``: independent cascade against NDlib and cynetdiff, linear threshold against
  cynetdiff, on the same graph and seed set (skipped when a peer is not installed).

Cascade checks run twice, labelled ``[engine]`` (the ordinary engine on the scenario of
:func:`simulator.validation.cascades.cascade_scenario`: the model that ``wom run`` uses) and
``[kernel]`` (the compiled kernels behind :mod:`simulator.validation.cascades`), where both exist.

A check passes when the simulated value is within the stated tolerance: the published
tolerance for the Bass targets, and a number of standard errors of the Monte Carlo
estimate otherwise (3 for one number, 4 for a whole curve checked point by point). A
correct model fails a 3-SE check with probability 0.27 %.

It also fits the Bass model to simulated adoption curves (:func:`bass_fit_summary`), so a
run can be described by its Bass-equivalent p and q.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator import calibration as cal
from simulator.metrics.bass_fit import DAYS_PER_YEAR, bass_fit_summary, fit_adoption_curve
from simulator.streams import stream

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "CHECK_GROUPS",
    "DEFAULT_SEED",
    "FULL",
    "PEERS",
    "QUICK",
    "CheckResult",
    "Sizes",
    "add_check_model_parser",
    "adoption_peak",
    "bass_fit_summary",
    "check_model_command",
    "erdos_renyi_csr",
    "fit_adoption_curve",
    "format_table",
    "peer_available",
    "run_checks",
]

BASS_P = cal.BASS_P.value
BASS_Q = cal.BASS_Q.value
"""Meta-analytic mean Bass coefficients per year (Sultan, Farley and Lehmann 1990)."""

ONE_NUMBER_SE = 3.0
"""Tolerance, in standard errors, of a check on one number."""
CURVE_SE = 4.0
"""Tolerance, in standard errors, of each point of a curve checked point by point."""


# --------------------------------------------------------------------------------------
# Bass fits of simulated adoption curves
# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# Check results and their table
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One row of the validation table.

    Attributes
    ----------
    group : str
        The check group that produced it (one of :data:`CHECK_GROUPS`).
    check : str
        What is compared, in words.
    expected : float
        The reference value (closed form, or the peer tool's mean).
    expected_se : float
        Standard error of the reference (0 for a closed form).
    simulated : float
        The simulator's estimate.
    standard_error : float
        Its Monte Carlo standard error.
    replicates : int
        Replicates behind the simulated value.
    passed : bool or None
        The verdict; None when the check was skipped.
    detail : str
        The pass rule with the statistic behind the verdict (``"|z| = 0.4 <= 3"``), or
        why the check was skipped.
    """

    group: str
    check: str
    expected: float
    expected_se: float
    simulated: float
    standard_error: float
    replicates: int
    passed: bool | None
    detail: str = ""

    @property
    def verdict(self) -> str:
        """``"pass"``, ``"FAIL"`` or ``"skip"``."""
        if self.passed is None:
            return "skip"
        return "pass" if self.passed else "FAIL"


def _number(value: float) -> str:
    """Four significant digits (``6.193``, ``0.0023``, ``3,345``); ``n/a`` when not finite."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _estimate(value: float, standard_error: float) -> str:
    """``value ± standard_error``, the error to two significant digits and the value to match.

    Examples
    --------
    >>> _estimate(6.20637, 0.04691), _estimate(633.71, 3.291), _estimate(16.0, 0.0)
    ('6.206 ± 0.047', '633.7 ± 3.3', '16 ± 0')
    """
    if not (math.isfinite(value) and math.isfinite(standard_error)):
        return "n/a"
    if standard_error == 0:
        return f"{_number(value)} ± 0"
    decimals = max(0, 1 - math.floor(math.log10(standard_error)))
    return f"{value:,.{decimals}f} ± {standard_error:,.{decimals}f}"


def format_table(rows: Sequence[CheckResult], *, markdown: bool = False) -> str:
    """The validation table as aligned text: check, expected, simulated ± SE, replicates, verdict.

    The expected value is the closed form, or a peer tool's mean ± its standard error; the
    verdict names the pass rule and the statistic behind it. With ``markdown``, a
    Markdown table (``|`` in cells escaped) for reports and the README.

    Examples
    --------
    >>> row = CheckResult("exact", "IC star", 2.0, 0.0, 2.013, 0.021, 4000, True, "|z| = 0.6 <= 3")
    >>> print(format_table([row]))
    check    expected  simulated ± SE  replicates  verdict
    -------  --------  --------------  ----------  --------------------
    IC star  2         2.013 ± 0.021        4,000  pass: |z| = 0.6 <= 3
    """
    header = ["check", "expected", "simulated ± SE", "replicates", "verdict"]
    lines = []
    for row in rows:
        expected = (
            _estimate(row.expected, row.expected_se)
            if row.expected_se > 0
            else _number(row.expected)
        )
        simulated = "n/a" if row.passed is None else _estimate(row.simulated, row.standard_error)
        verdict = row.verdict + (f": {row.detail}" if row.detail else "")
        lines.append([row.check, expected, simulated, f"{row.replicates:,}", verdict])
    if markdown:

        def cells(values: list[str]) -> str:
            return "| " + " | ".join(value.replace("|", "\\|") for value in values) + " |"

        rule = "|---|---|---|--:|---|"
        return "\n".join([cells(header), rule, *map(cells, lines)])
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) for i in range(5)]

    def render(cells: list[str]) -> str:
        text = [
            cell.rjust(width) if column == 3 else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(text).rstrip()

    return "\n".join([render(header), render(["-" * w for w in widths]), *map(render, lines)])


def _z_result(
    group: str,
    check: str,
    expected: float,
    simulated: np.ndarray,
    *,
    replicates: int | None = None,
    expected_se: float = 0.0,
    sigmas: float = ONE_NUMBER_SE,
) -> CheckResult:
    """Compare the mean of ``simulated`` with a reference, within ``sigmas`` combined SE."""
    values = np.asarray(simulated, np.float64)
    mean = float(values.mean())
    standard_error = float(values.std(ddof=1) / math.sqrt(values.size))
    combined = math.hypot(standard_error, expected_se)
    difference = mean - expected
    if combined == 0:  # a deterministic outcome: it must be exact
        passed = difference == 0
        detail = "every replicate exact" if passed else f"off by {difference:g}"
    else:
        z = abs(difference) / combined
        passed = z <= sigmas
        detail = f"|z| = {z:.1f} {'<=' if passed else '>'} {sigmas:g}"
    return CheckResult(
        group,
        check,
        float(expected),
        float(expected_se),
        mean,
        standard_error,
        values.size if replicates is None else replicates,
        bool(passed),
        detail,
    )


# --------------------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Helpers: graphs and the peak of an adoption curve
# --------------------------------------------------------------------------------------


def _csr(size: int, first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric CSR arrays (int64 indptr, int32 indices) of an undirected edge list."""
    from simulator.town.network.layers import compile_csr

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
    return _csr(size, codes // size, codes % size)


def _networkx_csr(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric CSR arrays of an undirected networkx graph on nodes 0..n-1."""
    endpoints = np.array(list(graph.edges()), np.int64).reshape(-1, 2)
    return _csr(graph.number_of_nodes(), endpoints[:, 0], endpoints[:, 1])


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


def _seed(rng: np.random.Generator) -> int:
    """An integer seed for functions that take one (``rng=`` of the cascade helpers)."""
    return int(rng.integers(2**31))


def _implementations() -> tuple[str, ...]:
    """Implementations of :mod:`simulator.validation.cascades` to check: the engine (the model that
    ``wom run`` uses) and, where the module has them, its compiled kernels."""
    import inspect

    from simulator.validation.cascades import independent_cascade

    if "method" in inspect.signature(independent_cascade).parameters:
        return ("engine", "kernel")
    return ("engine",)


def _cascade(function: Callable[..., Any], *args: Any, method: str, **options: Any) -> np.ndarray:
    """Final sizes from a :mod:`simulator.validation.cascades` helper run by ``method``."""
    if _implementations() != ("engine",):
        options["method"] = method
    return np.asarray(function(*args, **options))


# --------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------


def _check_bass(sizes: Sizes, seed: int) -> list[CheckResult]:
    """Bass (1969) docking: docs/CALIBRATION.md section 9, target 1."""
    from simulator import analytic
    from simulator.engine.run import simulate
    from simulator.validation.cascades import bass_scenario

    rng = stream(seed, "validation/bass")
    size, dt, replicates = sizes.bass_size, sizes.bass_dt, sizes.bass_replicates
    scenario = bass_scenario(
        size, BASS_P, BASS_Q, dt=dt, years=15, replicates=replicates, seed=_seed(rng)
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


def _check_bass_discrete(sizes: Sizes, seed: int) -> list[CheckResult]:
    """One-year steps: the mean path is the discrete hazard map (docs/CALIBRATION.md section 9.2).

    Run twice: on the well-mixed layer alone, and with an extra graph layer that has no
    edges. The model is the same (an empty layer adds nobody to anyone's contacts), but
    the engine may take a shortcut when every layer is well mixed (adoptions drawn from
    counts); the empty layer makes it compute every person's hazard, so both code paths
    are checked.
    """
    from simulator import analytic
    from simulator.config import validate_scenario
    from simulator.engine.run import simulate
    from simulator.validation.cascades import bass_scenario

    rng = stream(seed, "validation/bass-discrete")
    size, replicates, years = sizes.discrete_size, sizes.discrete_replicates, 15
    scenario = bass_scenario(
        size, BASS_P, BASS_Q, dt=1.0, years=years, replicates=replicates, seed=_seed(rng)
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


def _check_percolation(sizes: Sizes, seed: int) -> list[CheckResult]:
    """Independent rule on Erdos-Renyi graphs: the giant outbreak is the percolation cluster.

    On a G(n, c/n) graph with transmission T, a large outbreak fills the giant cluster of
    the bond-percolated graph, a share S of the nodes with S = 1 - exp(-c T S) (Newman
    2002); for Poisson degrees S is also the probability that one random seed starts a
    large outbreak. Graph-to-graph variation of the giant cluster (sd about 0.003 at
    n = 20,000) is larger than the Monte Carlo error of many runs on one graph, so the
    runs are spread over many graphs and the standard error is that of the graph means.
    """
    from simulator import analytic
    from simulator.validation.cascades import independent_cascade

    rng = stream(seed, "validation/percolation")
    size, mean_degree, transmissibility = sizes.percolation_size, 5.0, 0.4
    runs = sizes.percolation_replicates
    methods = _implementations()
    large_share: dict[str, list[float]] = {method: [] for method in methods}
    large_size: dict[str, list[float]] = {method: [] for method in methods}
    for _ in range(sizes.percolation_graphs):
        indptr, indices = erdos_renyi_csr(size, mean_degree, rng=rng)
        start = int(rng.integers(size))  # one random seed node per graph and its runs
        for method in methods:
            final = _cascade(
                independent_cascade,
                indptr,
                indices,
                [start],
                transmissibility,
                replicates=runs,
                rng=_seed(rng),
                method=method,
            )
            large = final > 0.1 * size
            large_share[method].append(large.mean())
            if large.any():
                large_size[method].append(final[large].mean() / size)
    expected = analytic.percolation_final_size(mean_degree, transmissibility)
    total = sizes.percolation_graphs * runs
    label = f"IC on Erdos-Renyi n={size:,}, c=5, T=0.4"
    graphs = f"{sizes.percolation_graphs} graphs x {runs}"
    rows = []
    for method in methods:
        rows.append(
            _z_result(
                "percolation",
                f"{label}: final share of large outbreaks (> 10 %), {graphs} [{method}]",
                expected,
                np.asarray(large_size[method]),
                replicates=total,
            )
        )
        rows.append(
            _z_result(
                "percolation",
                f"{label}: probability of a large outbreak, {graphs} [{method}]",
                expected,
                np.asarray(large_share[method]),
                replicates=total,
            )
        )
    return rows


def _check_exact(sizes: Sizes, seed: int) -> list[CheckResult]:
    """Path and star: exact expected cascade sizes (Kempe, Kleinberg and Tardos 2003)."""
    from simulator import analytic
    from simulator.validation.cascades import independent_cascade, linear_threshold

    rng = stream(seed, "validation/exact")
    replicates = sizes.exact_replicates

    def path(n: int) -> tuple[np.ndarray, np.ndarray]:
        return _csr(n, np.arange(n - 1), np.arange(1, n))

    def star(leaves: int) -> tuple[np.ndarray, np.ndarray]:
        return _csr(leaves + 1, np.zeros(leaves, np.int64), np.arange(1, leaves + 1))

    rows = []
    for method in _implementations():
        for n, p, seeds in ((12, 0.5, [1]), (30, 0.9, [3, 20])):
            final = _cascade(
                independent_cascade,
                *path(n),
                seeds,
                p,
                replicates=replicates,
                rng=_seed(rng),
                method=method,
            )
            rows.append(
                _z_result(
                    "exact",
                    f"IC path, {n} nodes, p={p:g}, seeds {seeds}: mean size [{method}]",
                    analytic.cascade_expected_size_path(n, p, seeds),
                    final,
                )
            )
        for leaves, p, seed_at in ((20, 0.3, "centre"), (50, 0.6, "leaf")):
            seeds = [0] if seed_at == "centre" else [3]
            where = "the centre" if seed_at == "centre" else "a leaf"
            final = _cascade(
                independent_cascade,
                *star(leaves),
                seeds,
                p,
                replicates=replicates,
                rng=_seed(rng),
                method=method,
            )
            rows.append(
                _z_result(
                    "exact",
                    f"IC star, {leaves} leaves, p={p:g}, seed at {where}: mean size [{method}]",
                    analytic.cascade_expected_size_star(leaves, p, seed_at=seed_at),
                    final,
                )
            )
        # Leaf seed: the centre adopts iff its U[0, 1] threshold <= 1/15, then every leaf.
        final = _cascade(
            linear_threshold, *star(15), [3], replicates=replicates, rng=_seed(rng), method=method
        )
        rows.append(
            _z_result(
                "exact", f"LT star, 15 leaves, seed at a leaf: mean size [{method}]", 2.0, final
            )
        )
        # Centre seed: every leaf's only in-neighbour is active, with weight 1: all 16 adopt.
        final = _cascade(
            linear_threshold, *star(15), [0], replicates=100, rng=_seed(rng), method=method
        )
        rows.append(
            _z_result(
                "exact",
                f"LT star, 15 leaves, seed at the centre: every size [{method}]",
                16.0,
                final,
            )
        )
    return rows


# --- peers -------------------------------------------------------------------------------

PEERS = {"cynetdiff": "cynetdiff.models", "ndlib": "ndlib.models.epidemics"}
"""Peer tools and the module each needs (install: ``pip install cynetdiff ndlib six``)."""


def peer_available(peer: str) -> bool:
    """Whether a peer tool (a key of :data:`PEERS`) can be imported.

    Examples
    --------
    >>> isinstance(peer_available("cynetdiff"), bool)
    True
    """
    import importlib

    try:
        with warnings.catch_warnings():
            # Peers' own deprecation warnings (old dependencies) say nothing about the model.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            importlib.import_module(PEERS[peer])
    except ImportError:
        return False
    return True


def _cynetdiff_sizes(
    csr: tuple[np.ndarray, np.ndarray], seeds: np.ndarray, p: float | None, replicates: int, rng
) -> np.ndarray:
    """Final sizes from cynetdiff: IC with probability ``p``, or LT (weights 1/in-degree)."""
    from cynetdiff.models import IndependentCascadeModel, LinearThresholdModel

    starts = np.ascontiguousarray(csr[0][:-1], dtype=np.uint32)  # no end marker
    edges = np.ascontiguousarray(csr[1], dtype=np.uint32)
    if p is None:
        model = LinearThresholdModel(starts, edges, rng=rng)
    else:
        model = IndependentCascadeModel(starts, edges, activation_prob=p, rng=rng)
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
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


def _check_peers(sizes: Sizes, seed: int) -> list[CheckResult]:
    """The same cascade in established tools, on the same graph and the same seed nodes."""
    import networkx as nx

    from simulator.validation.cascades import independent_cascade, linear_threshold

    rng = stream(seed, "validation/peers")
    graph = nx.barabasi_albert_graph(sizes.peer_size, 5, seed=rng)
    csr = _networkx_csr(graph)
    seeds = np.sort(rng.choice(sizes.peer_size, sizes.peer_seeds, replace=False))
    where = f"BA n={sizes.peer_size:,} m=5, {sizes.peer_seeds} seeds"
    have = {peer: peer_available(peer) for peer in PEERS}
    methods = _implementations()
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
                _z_result(
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
            method: _cascade(
                independent_cascade,
                *csr,
                seeds,
                p,
                replicates=replicates,
                rng=_seed(rng),
                method=method,
            )
            for method in methods
        }
        reference = _cynetdiff_sizes(csr, seeds, p, replicates, rng) if have["cynetdiff"] else None
        compare(f"IC p={p:g} vs cynetdiff IC, {where}", ours, "cynetdiff", reference)
        reference = (
            _ndlib_sizes(graph, seeds, p, sizes.ndlib_replicates, _seed(rng))
            if have["ndlib"]
            else None
        )
        compare(f"IC p={p:g} vs NDlib IC, {where}", ours, "ndlib", reference)
    ours = {
        method: _cascade(
            linear_threshold, *csr, seeds, replicates=replicates, rng=_seed(rng), method=method
        )
        for method in methods
    }
    reference = _cynetdiff_sizes(csr, seeds, None, replicates, rng) if have["cynetdiff"] else None
    compare(f"LT vs cynetdiff LT, {where}", ours, "cynetdiff", reference)
    return rows


_CHECKS: dict[str, Callable[[Sizes, int], list[CheckResult]]] = {
    "bass": _check_bass,
    "bass-discrete": _check_bass_discrete,
    "percolation": _check_percolation,
    "exact": _check_exact,
    "peers": _check_peers,
}
CHECK_GROUPS: tuple[str, ...] = tuple(_CHECKS)
"""Names of the check groups, in the order they run."""

DEFAULT_SEED = 2026


def run_checks(
    *,
    quick: bool = False,
    seed: int = DEFAULT_SEED,
    only: Sequence[str] | None = None,
    sizes: Sizes | None = None,
    progress: Callable[[str, int, int], Any] | None = None,
) -> list[CheckResult]:
    """Run the validation checks and return one :class:`CheckResult` per table row.

    Parameters
    ----------
    quick : bool, default False
        Use :data:`QUICK` sizes (a demonstration; about a minute) instead of :data:`FULL`.
    seed : int, default 2026
        Seed of every random stream of the checks.
    only : sequence of str, optional
        Check groups to run (names in :data:`CHECK_GROUPS`); all by default.
    sizes : Sizes, optional
        Explicit sizes; overrides ``quick``.
    progress : callable, optional
        Called as ``progress(group, groups_done, groups_total)`` before each group and
        once at the end (with ``group = ""``).

    Returns
    -------
    list of CheckResult
        Rows in :data:`CHECK_GROUPS` order; peer rows are skipped (``passed is None``)
        when the peer is not installed.

    Raises
    ------
    ValueError
        If ``only`` names an unknown group.

    Examples
    --------
    >>> rows = run_checks(only=["exact"], sizes=Sizes(exact_replicates=200))
    >>> rows[0].check
    'IC path, 12 nodes, p=0.5, seeds [1]: mean size [engine]'
    >>> print(format_table(rows[:1]).splitlines()[0])
    check                                                    expected  simulated ± SE  replicates  verdict
    """
    groups = list(CHECK_GROUPS if only is None else only)
    unknown = [group for group in groups if group not in _CHECKS]
    if unknown:
        raise ValueError(
            f"The 'only' parameter of run_checks must name check groups among "
            f"{list(CHECK_GROUPS)}. Got {unknown} instead."
        )
    chosen = sizes if sizes is not None else (QUICK if quick else FULL)
    rows: list[CheckResult] = []
    for done, group in enumerate(groups):
        if progress is not None:
            progress(group, done, len(groups))
        rows.extend(_CHECKS[group](chosen, seed))
    if progress is not None:
        progress("", len(groups), len(groups))
    return rows


# --------------------------------------------------------------------------------------
# The ``wom check-model`` command
# --------------------------------------------------------------------------------------


def add_check_model_parser(commands: Any) -> None:
    """Add the ``check-model`` subcommand to the ``wom`` parser's subparsers."""
    parser = commands.add_parser(
        "check-model",
        help="check the model against closed forms and peer tools; exit 1 if a check fails",
        description="Run the simulator where theory or an established tool says what the "
        "answer must be (Bass curve, percolation, exact cascades, NDlib and cynetdiff) and "
        "print a table: check, expected, simulated ± standard error, replicates, verdict. "
        "Exit status 0 when every check passes, 1 when one fails.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes, same checks (about a minute)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed of the checks (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print the table as Markdown (for reports)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=CHECK_GROUPS,
        metavar="GROUP",
        help=f"run only this check group (repeatable): {', '.join(CHECK_GROUPS)}",
    )


def check_model_command(args: Any) -> int:
    """Run ``wom check-model``: print the table; 0 if every check passes, 1 otherwise."""
    import sys
    import time

    if args.seed < 0:
        from simulator.errors import ConfigError

        raise ConfigError(f"--seed must be a non-negative integer, got {args.seed}")
    started = time.perf_counter()

    def progress(group: str, done: int, total: int) -> None:
        if group:
            print(
                f"[{done + 1}/{total}] {group} ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    rows = run_checks(quick=args.quick, seed=args.seed, only=args.only, progress=progress)
    sizes = "quick sizes" if args.quick else "full sizes"
    print(f"Model checks ({sizes}, seed {args.seed}, {time.perf_counter() - started:.0f} s)")
    print(format_table(rows, markdown=args.markdown))
    failed = [row for row in rows if row.passed is False]
    skipped = [row for row in rows if row.passed is None]
    passed = len(rows) - len(failed) - len(skipped)
    print(f"{passed} passed, {len(failed)} failed, {len(skipped)} skipped")
    if skipped:
        print("skipped checks need the peer tools: pip install cynetdiff ndlib six")
    return 1 if failed else 0
