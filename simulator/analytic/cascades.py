"""Independent cascades in closed form: the percolation limit and exact sizes on paths and stars."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from simulator.analytic._checks import as_output, check_float, check_int, interval, shown
from simulator.errors import ArgumentError


def _percolation_root(branching: float) -> float:
    if branching <= 1.0:
        return 0.0

    # Solve in x = -log(1 - S), where S = 1 - exp(-b S) with S > 0 becomes
    # r(x) = x / (1 - exp(-x)) - b = 0. r increases from 1 - b < 0 (its limit at x = 0) to
    # r(b) >= 0, so the root is unique and bracketed by [0, b] even in floating point.
    # Unlike S - 1 + exp(-b S), r has no trivial root at 0, so brentq stays accurate just
    # above the threshold, and S = -expm1(-x) keeps full precision near S = 0 and S = 1.
    def excess(log_missed: float) -> float:
        if log_missed == 0.0:
            return 1.0 - branching
        return log_missed / -math.expm1(-log_missed) - branching

    from scipy.optimize import brentq  # imported on use: scipy.optimize takes 0.7 s to load

    root = brentq(excess, 0.0, branching, xtol=1e-300, rtol=4 * np.finfo(float).eps)
    return -math.expm1(-root)


def percolation_final_size(
    mean_degree: float | np.ndarray, transmissibility: float | np.ndarray
) -> float | np.ndarray:
    """Final fraction reached by a large independent cascade on an Erdos-Renyi graph.

    An independent cascade with uniform edge probability T is bond percolation: keeping
    each edge of an Erdos-Renyi graph G(n, c/n) with probability T leaves G(n, cT/n).
    A seed that starts a large outbreak reaches the giant component, whose fraction S is
    the largest root of

    .. math::

        S = 1 - e^{-c T S},

    which is positive only above the epidemic threshold ``c T > 1``; at or below it the
    result is 0 (outbreaks stay finite, a vanishing fraction as n -> inf). This is the
    n -> inf limit: for finite n the outbreak size fluctuates around ``S n``, and with few
    seeds the cascade may die out early (probability ``1 - S`` per seed).

    Parameters
    ----------
    mean_degree : float or array_like of float
        Mean degree c of the Erdos-Renyi graph, in [0, inf).
    transmissibility : float or array_like of float
        Uniform cascade (edge) probability T, in [0, 1]. Broadcast against ``mean_degree``.

    Returns
    -------
    float or numpy.ndarray
        S in [0, 1); a float when both inputs are scalars.

    References
    ----------
    Newman, M. E. J. (2002). Spread of epidemic disease on networks.
    *Physical Review E* 66:016128. Erdos, P., & Renyi, A. (1960). On the evolution of
    random graphs (giant component). Kempe, D., Kleinberg, J., & Tardos, E. (2003).
    Maximizing the Spread of Influence through a Social Network. *KDD '03*, 137-146
    (independent cascade and its live-edge form).

    Examples
    --------
    >>> round(percolation_final_size(5.0, 0.4), 4)
    0.7968
    >>> percolation_final_size(5.0, 0.2)  # c T = 1: at the threshold
    0.0
    >>> percolation_final_size(10.0, [0.05, 0.2, 0.5]).round(4).tolist()
    [0.0, 0.7968, 0.993]
    """
    function = "percolation_final_size"
    degrees = _check_array_range(mean_degree, "mean_degree", function, high=math.inf)
    probabilities = _check_array_range(transmissibility, "transmissibility", function, high=1.0)
    try:
        degrees, probabilities = np.broadcast_arrays(degrees, probabilities)
    except ValueError:
        raise ArgumentError(
            f"The 'mean_degree' and 'transmissibility' parameters of {function} must have "
            f"broadcastable shapes. Got shapes {np.shape(degrees)} and "
            f"{np.shape(probabilities)} instead."
        ) from None
    # brentq is scalar; this loop runs once per requested parameter pair, not per agent.
    sizes = np.array(
        [_percolation_root(c * t) for c, t in zip(degrees.flat, probabilities.flat, strict=True)]
    ).reshape(degrees.shape)
    return as_output(sizes, degrees)


def _check_array_range(value: object, name: str, function: str, *, high: float) -> np.ndarray:
    """Return ``value`` as a float array with entries in [0, high]; raise otherwise."""
    message = (
        f"The {name!r} parameter of {function} must be a float or array of floats in the range "
        f"{interval(0.0, high, True, True)}. Got {shown(value)} instead."
    )
    if isinstance(value, bool | np.bool_):
        raise ArgumentError(message)
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(message) from None
    if not np.all(np.isfinite(array) & (array >= 0) & (array <= high)):
        raise ArgumentError(message)
    return array


def cascade_expected_size_path(n: int, p: float, seeds: int | Sequence[int]) -> float:
    """Exact expected final size of an independent cascade on an undirected path.

    The nodes ``0, ..., n-1`` form a path and every edge transmits with probability p.
    In the live-edge form of the cascade (Kempe, Kleinberg & Tardos 2003) a node v is
    reached iff every edge between v and some seed is live. Any seed path from the left
    passes through the nearest seed on the left, so v is reached iff the ``d_L`` edges to
    its nearest left seed are all live OR the ``d_R`` edges to its nearest right seed are.
    The two events use disjoint edges, hence are independent, and

    .. math::

        P(v \\text{ reached}) = 1 - (1 - p^{d_L})(1 - p^{d_R}),

    where a side without a seed contributes the factor 1 and a seed has probability 1.
    By linearity of expectation the expected size is the sum of these probabilities.

    Parameters
    ----------
    n : int
        Number of nodes on the path, >= 1.
    p : float
        Transmission probability of every edge, in [0, 1].
    seeds : int or sequence of int
        Seed node index or indices, each in [0, n-1]; duplicates count once.

    Returns
    -------
    float
        Expected number of activated nodes, seeds included, in [number of seeds, n].

    References
    ----------
    Kempe, D., Kleinberg, J., & Tardos, E. (2003). Maximizing the Spread of Influence
    through a Social Network. *KDD '03*, 137-146.

    Examples
    --------
    >>> round(cascade_expected_size_path(5, 0.5, [0]), 4)  # 1 + 1/2 + 1/4 + 1/8 + 1/16
    1.9375
    >>> round(cascade_expected_size_path(3, 0.5, [0, 2]), 4)  # middle: 1 - (1/2)(1/2)
    2.75
    """
    function = "cascade_expected_size_path"
    n = check_int(n, "n", function, low=1)
    p = check_float(p, "p", function, low=0.0, high=1.0)
    seed_indices = _check_seeds(seeds, n, function)

    is_seed = np.zeros(n, dtype=bool)
    is_seed[seed_indices] = True
    positions = np.arange(n)
    # Nearest seed at or left of v (-1 if none), and at or right of v (n if none).
    left_seed = np.maximum.accumulate(np.where(is_seed, positions, -1))
    right_seed = np.minimum.accumulate(np.where(is_seed, positions, n)[::-1])[::-1]
    miss_left = np.ones(n)
    has_left = left_seed >= 0
    miss_left[has_left] = 1.0 - p ** (positions[has_left] - left_seed[has_left])
    miss_right = np.ones(n)
    has_right = right_seed < n
    miss_right[has_right] = 1.0 - p ** (right_seed[has_right] - positions[has_right])
    return float(np.sum(1.0 - miss_left * miss_right))


def cascade_expected_size_star(n_leaves: int, p: float, *, seed_at: str = "centre") -> float:
    """Exact expected final size of an independent cascade on a star from one seed.

    Every edge transmits with probability p. Seeded at the centre, each leaf is reached
    independently with probability p, so the expected size is ``1 + n p``. Seeded at a
    leaf, the centre is reached with probability p and each of the other ``n - 1`` leaves
    only through the centre, with probability ``p * p``: ``1 + p + (n - 1) p^2``.

    Parameters
    ----------
    n_leaves : int
        Number of leaves n, >= 1 (the star has ``n + 1`` nodes).
    p : float
        Transmission probability of every edge, in [0, 1].
    seed_at : {"centre", "leaf"}, default "centre"
        Where the single seed sits.

    Returns
    -------
    float
        Expected number of activated nodes, the seed included.

    References
    ----------
    Kempe, D., Kleinberg, J., & Tardos, E. (2003). Maximizing the Spread of Influence
    through a Social Network. *KDD '03*, 137-146.

    Examples
    --------
    >>> round(cascade_expected_size_star(10, 0.1), 4)
    2.0
    >>> round(cascade_expected_size_star(10, 0.1, seed_at="leaf"), 4)
    1.19
    """
    function = "cascade_expected_size_star"
    n_leaves = check_int(n_leaves, "n_leaves", function, low=1)
    p = check_float(p, "p", function, low=0.0, high=1.0)
    if seed_at == "centre":
        return 1.0 + n_leaves * p
    if seed_at == "leaf":
        return 1.0 + p + (n_leaves - 1) * p * p
    raise ArgumentError(
        f"The 'seed_at' parameter of {function} must be a str among {{'centre', 'leaf'}}. "
        f"Got {shown(seed_at)} instead."
    )


def _check_seeds(seeds: object, n: int, function: str) -> np.ndarray:
    """Return seed indices as a unique int array within [0, n-1]; raise otherwise."""
    message = (
        f"The 'seeds' parameter of {function} must be an int or a non-empty sequence of ints "
        f"in the range [0, {n - 1}]. Got {shown(seeds)} instead."
    )
    if isinstance(seeds, bool | np.bool_):
        raise ArgumentError(message)
    values = np.atleast_1d(np.asarray(seeds, dtype=object))
    if values.ndim != 1 or values.size == 0:
        raise ArgumentError(message)
    if not all(
        isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)
        for value in values
    ):
        raise ArgumentError(message)
    indices = values.astype(np.int64)
    if np.any(indices < 0) or np.any(indices >= n):
        raise ArgumentError(message)
    return np.unique(indices)
