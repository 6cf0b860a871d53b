"""Interest that people share with their offline ties (homophily of interest, MODEL-REVIEW G3).

People who know each other resemble each other (McPherson, Smith-Lovin & Cook 2001), and
that resemblance explains a large share of what looks like contagion (Aral, Muchnik &
Sundararajan 2009). Segments give homophily of age on the market layer; this module gives
interest in the category a component shared along the market's ties, so that the
Pearson correlation of interest across market ties is the configured
``population.interest_correlation``.

Each person ``i`` with a Beta interest gets a latent normal
``x_i = sqrt(1 - w) z_i + sqrt(w) s_i``, ``z`` independent standard normals and ``s`` a
neighbourhood field: other independent normals summed over each person and their ties,
three times (:data:`SMOOTHING_PASSES`), standardised. Then the interest is
``BetaQuantile(Phi(x_i))`` of their segment: the Beta's mean and spread are kept, and its
deciles within about 0.005 (the field is standardised over the town, not person by
person, so ``x`` is a mixture of normals of slightly different variances;
``tests/test_interest.py`` measures it). The weight ``w`` is solved on the town's own
ties (the latent correlation is a ratio of quadratics in ``sqrt(w)``, so it is solved
from a few sums, not by simulation), then corrected once for the Beta transform, so the
realised correlation meets the target within about 0.01. Work is O(people + ties).
"""

from __future__ import annotations

import numpy as np

from simulator.config import Population as PopulationConfig
from simulator.errors import ConfigError
from simulator.town.network.layers import Layer
from simulator.town.population import Population

SMOOTHING_PASSES = 3
"""Passes of summing over a person and their ties that make the neighbourhood field. One
pass peaks near 0.31 on the default town (neighbours share few of their own contacts);
three rise steadily to about 0.56, room for any plausible target."""

QUANTILE_GRID = 8193
"""Points of the tabulated ``BetaQuantile(Phi(x))`` on ``x`` in [-8.5, 8.5] (interpolated
linearly in ``x``, where the function is smooth even for the steep ends of a Beta: exact
to about 1e-5, and a million people transform in milliseconds)."""


def tie_correlation(values: np.ndarray, layer: Layer) -> float:
    """Pearson correlation of ``values`` across the ties of ``layer`` (both directions;
    NaN when ``values`` do not vary over the tie ends).

    Examples
    --------
    >>> from simulator.config import MarketLayer
    >>> ring = Layer("ring", MarketLayer(), np.array([0, 1, 2, 3, 4]),
    ...              np.array([1, 0, 3, 2]), np.zeros(4, np.int8))
    >>> round(tie_correlation(np.array([0.0, 0.0, 1.0, 1.0]), ring), 6)
    1.0
    """
    from simulator.town.interest_kernels import tie_sums  # numba: only when a town has ties

    values = np.ascontiguousarray(values, np.float64)
    mean, _, product, _, _, square, _, _ = tie_sums(layer.indptr, layer.indices, values, values)
    variance = square - mean * mean  # both ends have the same law: every tie runs both ways
    if variance <= 1e-15:
        return float("nan")
    return float((product - mean * mean) / variance)


def correlate_interest(
    people: Population,
    config: PopulationConfig,
    market: Layer | None,
    *,
    rng: np.random.Generator,
) -> Population:
    """``people`` with interest correlated across the ``market`` layer's ties.

    Unchanged (the same arrays) when ``config.interest_correlation`` is 0, when there is
    no market layer or it has no ties, and when no segment draws its interest from a Beta.
    A correlation the town's ties cannot give is refused, naming the largest it can.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.streams import stream
    >>> from simulator.town.network.build import build_network
    >>> from simulator.town.population import build_population
    >>> scenario = default_scenario()
    >>> people = build_population(scenario.population, rng=1)
    >>> market = build_network(scenario.layers, people, seed=1).layers[0]
    >>> round(tie_correlation(people.interest.astype(float), market), 2)
    0.0
    >>> shared = correlate_interest(people, scenario.population, market, rng=stream(1, "interest"))
    >>> round(tie_correlation(shared.interest.astype(float), market), 2)
    0.3
    """
    target = config.interest_correlation
    drawn = np.array([s.interest is None for s in config.segments])[people.segment]
    if target == 0 or market is None or market.edges == 0 or not drawn.any():
        return people
    # numba, and scipy's special functions below: only for a town that shares interest
    from simulator.town.interest_kernels import tie_sums, with_neighbours

    rng = np.random.default_rng(rng)
    own = rng.standard_normal(people.size)
    # the field comes from draws of its own: independent of z, so x stays about N(0, 1)
    shared = rng.standard_normal(people.size)
    for _ in range(SMOOTHING_PASSES):
        shared = with_neighbours(market.indptr, market.indices, shared)
        shared = (shared - shared.mean()) / shared.std()
    alpha = np.array([s.interest_alpha for s in config.segments])
    beta = np.array([s.interest_beta for s in config.segments])
    segment = people.segment.astype(np.int64)

    def interest_for(weight: float) -> np.ndarray:
        latent = np.sqrt(1.0 - weight) * own + np.sqrt(weight) * shared
        values = people.interest.astype(np.float64)
        values[drawn] = _beta_quantile(alpha, beta, segment[drawn], latent[drawn])
        return values

    sums = tie_sums(market.indptr, market.indices, own, shared)
    weights = np.linspace(0.0, 1.0, 1001)
    curve = np.array([_latent_correlation(sums, w) for w in weights])
    highest = float(curve.max())
    if target > highest:
        raise ConfigError(
            f"population.interest_correlation: this town's market ties give at most "
            f"{highest:.3f}, got {target}; lower it, or give the market more ties"
        )
    top = float(weights[curve.argmax()])
    weight = _solve_weight(sums, target, top)
    realised = tie_correlation(interest_for(weight), market)
    if np.isfinite(realised) and realised > 0:  # the Beta transform and fixed interests
        weight = _solve_weight(sums, min(target * target / realised, highest), top)
    interest = interest_for(weight).astype(np.float32)
    return Population(people.segment_names, people.segment, interest, people.media)


def _beta_quantile(
    alpha: np.ndarray, beta: np.ndarray, segment: np.ndarray, latent: np.ndarray
) -> np.ndarray:
    """``BetaQuantile(Phi(latent))`` with each person's ``segment``'s Beta, tabulated."""
    from scipy.special import betaincinv, ndtr  # a heavy import: only a town that shares interest

    grid = np.linspace(-8.5, 8.5, QUANTILE_GRID)
    out = np.empty(latent.size)
    for index in np.unique(segment):
        mine = segment == index
        table = betaincinv(alpha[index], beta[index], ndtr(grid))
        out[mine] = np.interp(latent[mine], grid, table)
    return out


def _latent_correlation(sums: np.ndarray, weight: float) -> float:
    """Correlation of ``x = sqrt(1 - w) z + sqrt(w) s`` across ties, from the sums."""
    mean_z, mean_s, zz, zs_cross, ss, z2, zs, s2 = sums
    a, b = np.sqrt(1.0 - weight), np.sqrt(weight)
    mean = a * mean_z + b * mean_s
    product = a * a * zz + a * b * zs_cross + b * b * ss
    square = a * a * z2 + 2 * a * b * zs + b * b * s2
    variance = square - mean * mean
    return float((product - mean * mean) / variance) if variance > 0 else 0.0


def _solve_weight(sums: np.ndarray, target: float, top: float) -> float:
    """A weight in [0, ``top``] whose latent correlation is ``target``, by bisection (the
    correlation is continuous, about 0 at w = 0 and at its highest at ``top``)."""
    low, high = 0.0, top
    for _ in range(60):
        middle = (low + high) / 2
        if _latent_correlation(sums, middle) < target:
            low = middle
        else:
            high = middle
    return high
