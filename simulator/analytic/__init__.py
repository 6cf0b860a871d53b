"""Closed forms (Bass curves, cascade sizes, percolation) that validate the simulator."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "BassFit",
    "bass_cumulative",
    "bass_density",
    "bass_discrete",
    "bass_discrete_hazard",
    "bass_peak_time",
    "cascade_expected_size_path",
    "cascade_expected_size_star",
    "fit_bass",
    "percolation_final_size",
]


# --------------------------------------------------------------------------------------
# Argument validation (the boundary; everything below it trusts its inputs)
# --------------------------------------------------------------------------------------


def _shown(value: object) -> str:
    """Render a received value for an error message (numpy scalars as plain numbers)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _interval(low: float, high: float, low_closed: bool, high_closed: bool) -> str:
    left = "[" if low_closed and math.isfinite(low) else "("
    right = "]" if high_closed and math.isfinite(high) else ")"
    return f"{left}{low:g}, {high:g}{right}"


def _check_float(
    value: object,
    name: str,
    function: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_closed: bool = True,
    high_closed: bool = True,
) -> float:
    """Return ``value`` as a float, or raise a one-line ValueError naming the parameter."""
    allowed = _interval(low, high, low_closed, high_closed)
    message = (
        f"The {name!r} parameter of {function} must be a float in the range {allowed}. "
        f"Got {_shown(value)} instead."
    )
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(message)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(message)
    if number < low or (number == low and not low_closed):
        raise ValueError(message)
    if number > high or (number == high and not high_closed):
        raise ValueError(message)
    return number


def _check_int(value: object, name: str, function: str, *, low: int) -> int:
    """Return ``value`` as an int >= ``low``, or raise a one-line ValueError."""
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Integral)
        or int(value) < low
    ):
        raise ValueError(
            f"The {name!r} parameter of {function} must be an int in the range [{low}, inf). "
            f"Got {_shown(value)} instead."
        )
    return int(value)


def _check_times(t: object, name: str, function: str) -> np.ndarray:
    """Return ``t`` as a float array of finite, non-negative times."""
    try:
        times = np.asarray(t, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"The {name!r} parameter of {function} must be a float or array of floats in the "
            f"range [0, inf). Got {_shown(t)} instead."
        ) from None
    if times.size and (not np.all(np.isfinite(times)) or np.any(times < 0)):
        bad = times[~np.isfinite(times) | (times < 0)].flat[0]
        raise ValueError(
            f"The {name!r} parameter of {function} must contain only finite floats in the "
            f"range [0, inf) (time since launch). Got an array containing {_shown(bad)} instead."
        )
    return times


def _as_output(values: np.ndarray, like: np.ndarray) -> float | np.ndarray:
    """Return a Python float for 0-d input and an array otherwise (array in, array out)."""
    return float(values) if like.ndim == 0 else values


# --------------------------------------------------------------------------------------
# Bass (1969) model
# --------------------------------------------------------------------------------------


def bass_cumulative(t: float | np.ndarray, p: float, q: float) -> float | np.ndarray:
    """Cumulative adoption fraction F(t) of the Bass diffusion model.

    .. math::

        F(t) = \\frac{1 - e^{-(p+q)t}}{1 + (q/p)\\, e^{-(p+q)t}}

    solves the hazard equation ``f / (1 - F) = p + q F`` with ``F(0) = 0``. With ``q = 0``
    it reduces to the exponential ``1 - exp(-p t)``, which the same expression gives exactly.

    Parameters
    ----------
    t : float or array_like of float
        Time(s) since launch, in the time unit of ``p`` and ``q`` (years for the
        meta-analytic values). Must be finite and non-negative.
    p : float
        Coefficient of innovation (external influence), in (0, inf).
    q : float
        Coefficient of imitation (internal influence), in [0, inf).

    Returns
    -------
    float or numpy.ndarray
        F(t) in [0, 1); a float for scalar ``t``, an array of the shape of ``t`` otherwise.

    References
    ----------
    Bass, F. M. (1969). A New Product Growth Model for Consumer Durables.
    *Management Science* 15(5):215-227.

    Examples
    --------
    >>> round(bass_cumulative(6.0, 0.03, 0.38), 4)
    0.4392
    >>> bass_cumulative([0.0, 1.0, 10.0], 0.03, 0.38).round(3).tolist()
    [0.0, 0.036, 0.813]
    >>> round(bass_cumulative(2.0, 0.5, 0.0), 4)  # q = 0: 1 - exp(-p t)
    0.6321
    """
    function = "bass_cumulative"
    times = _check_times(t, "t", function)
    p = _check_float(p, "p", function, low=0.0, low_closed=False)
    q = _check_float(q, "q", function, low=0.0)
    return _as_output(_bass_cumulative(times, p, q), times)


def _bass_cumulative(times: np.ndarray, p: float, q: float) -> np.ndarray:
    decay = np.exp(-(p + q) * times)
    # -expm1 keeps full relative precision for small t, where 1 - exp(...) cancels.
    return -np.expm1(-(p + q) * times) / (1.0 + (q / p) * decay)


def bass_density(t: float | np.ndarray, p: float, q: float) -> float | np.ndarray:
    """Adoption density f(t) = dF/dt of the Bass model.

    Computed as ``f = (p + q F)(1 - F)``, the Bass hazard times the share not yet adopted,
    which equals ``((p+q)^2 / p) e^{-(p+q)t} / (1 + (q/p) e^{-(p+q)t})^2``.

    Parameters
    ----------
    t : float or array_like of float
        Time(s) since launch, finite and non-negative.
    p : float
        Coefficient of innovation, in (0, inf).
    q : float
        Coefficient of imitation, in [0, inf).

    Returns
    -------
    float or numpy.ndarray
        f(t) >= 0, adopters per unit time as a fraction of the market (multiply by the
        market size m for sales); a float for scalar ``t``.

    References
    ----------
    Bass, F. M. (1969). *Management Science* 15(5):215-227.

    Examples
    --------
    >>> round(bass_density(0.0, 0.03, 0.38), 4)  # at launch only innovators adopt: f(0) = p
    0.03
    >>> round(bass_density(bass_peak_time(0.03, 0.38), 0.03, 0.38), 4)  # (p+q)^2 / (4q)
    0.1106
    """
    function = "bass_density"
    times = _check_times(t, "t", function)
    p = _check_float(p, "p", function, low=0.0, low_closed=False)
    q = _check_float(q, "q", function, low=0.0)
    cumulative = _bass_cumulative(times, p, q)
    return _as_output((p + q * cumulative) * (1.0 - cumulative), times)


def bass_peak_time(p: float, q: float) -> float:
    """Time t* at which the Bass adoption density f(t) peaks.

    ``t* = ln(q/p) / (p + q)`` when ``q > p``; there ``F(t*) = (q - p) / (2q)`` and
    ``f(t*) = (p + q)^2 / (4q)``. When ``q <= p`` the result is 0: as a function of F,
    ``df/dF = q - p - 2qF`` is already <= 0 at launch (F = 0) and F only grows, so f is
    non-increasing from t = 0 on and its maximum is at launch (the formula would give a
    negative or zero time).

    Parameters
    ----------
    p : float
        Coefficient of innovation, in (0, inf).
    q : float
        Coefficient of imitation, in [0, inf).

    Returns
    -------
    float
        Peak time t* >= 0, in the time unit of ``p`` and ``q``.

    References
    ----------
    Bass, F. M. (1969). *Management Science* 15(5):215-227.

    Examples
    --------
    >>> round(bass_peak_time(0.03, 0.38), 2)
    6.19
    >>> bass_peak_time(0.5, 0.2)
    0.0
    """
    function = "bass_peak_time"
    p = _check_float(p, "p", function, low=0.0, low_closed=False)
    q = _check_float(q, "q", function, low=0.0)
    if q <= p:
        return 0.0
    return math.log(q / p) / (p + q)


def bass_discrete(steps: int, p: float, q: float, *, dt: float = 1.0, m: float = 1.0) -> np.ndarray:
    """Bass's original linear discrete map, ``F_{k+1} = F_k + (p + q F_k)(1 - F_k) dt``.

    This is the forward-Euler step of the Bass equation and the expected path of an agent
    simulation whose per-step adoption probability is the linear ``(p + q F_k) dt``. With
    ``dt = 1`` year and p = 0.03, q = 0.38 it lags the continuous curve by up to about
    0.071 (at t = 7). To keep the per-step probability in [0, 1] it requires
    ``(p + q) dt <= 1``.

    Parameters
    ----------
    steps : int
        Number of steps, >= 0.
    p : float
        Coefficient of innovation, in (0, inf).
    q : float
        Coefficient of imitation, in [0, inf).
    dt : float, default 1.0
        Step length in the time unit of ``p`` and ``q``, in (0, inf) with ``(p + q) dt <= 1``.
    m : float, default 1.0
        Market size the fractions are multiplied by, in (0, inf).

    Returns
    -------
    numpy.ndarray
        Array of length ``steps + 1``: ``m * F_k`` at times ``k * dt``, starting at 0.

    See Also
    --------
    bass_discrete_hazard : the exact mean-field map for per-step probability
        ``1 - exp(-(p + q F) dt)``.

    References
    ----------
    Bass, F. M. (1969). *Management Science* 15(5):215-227.

    Examples
    --------
    >>> bass_discrete(3, 0.03, 0.38).round(4).tolist()
    [0.0, 0.03, 0.0702, 0.1228]
    >>> bass_discrete(2, 0.03, 0.38, m=1000).round(1).tolist()
    [0.0, 30.0, 70.2]
    """
    function = "bass_discrete"
    steps = _check_int(steps, "steps", function, low=0)
    p = _check_float(p, "p", function, low=0.0, low_closed=False)
    q = _check_float(q, "q", function, low=0.0)
    dt = _check_float(dt, "dt", function, low=0.0, low_closed=False)
    m = _check_float(m, "m", function, low=0.0, low_closed=False)
    if (p + q) * dt > 1.0:
        raise ValueError(
            f"The 'dt' parameter of bass_discrete must satisfy (p + q) * dt <= 1 so that the "
            f"per-step adoption probability stays in [0, 1]; use dt <= {1.0 / (p + q):g}. "
            f"Got dt={dt:g} with p + q = {p + q:g} instead."
        )
    # A recurrence: each step needs the previous one, so this loop cannot be vectorised.
    fractions = np.zeros(steps + 1)
    for k in range(steps):
        current = fractions[k]
        fractions[k + 1] = current + (p + q * current) * (1.0 - current) * dt
    return m * fractions


def bass_discrete_hazard(steps: int, p: float, q: float, *, dt: float = 1.0) -> np.ndarray:
    """Mean-field map of a synchronous agent simulation with hazard-based adoption.

    If every non-adopter adopts in a step with probability ``1 - exp(-(p + q F_k) dt)``
    (as the simulator's Bass rule does), the adopted fraction of a large population follows

    .. math::

        F_{k+1} = F_k + (1 - F_k)\\,\\bigl(1 - e^{-(p + q F_k)\\, dt}\\bigr).

    It converges to the continuous Bass curve as ``dt -> 0`` (max error about 0.0011 at
    ``dt = 0.01`` for p = 0.03, q = 0.38) and, unlike :func:`bass_discrete`, stays in
    [0, 1] for every ``dt``.

    Parameters
    ----------
    steps : int
        Number of steps, >= 0.
    p : float
        Coefficient of innovation, in (0, inf).
    q : float
        Coefficient of imitation, in [0, inf).
    dt : float, default 1.0
        Step length in the time unit of ``p`` and ``q``, in (0, inf).

    Returns
    -------
    numpy.ndarray
        Array of length ``steps + 1``: ``F_k`` at times ``k * dt``, starting at 0.

    References
    ----------
    Bass, F. M. (1969). *Management Science* 15(5):215-227 (the continuous limit).

    Examples
    --------
    >>> bass_discrete_hazard(2, 0.03, 0.38).round(4).tolist()
    [0.0, 0.0296, 0.0688]
    >>> round(float(bass_discrete_hazard(1000, 0.03, 0.38, dt=0.01)[-1]), 3)  # F(10) = 0.813
    0.812
    """
    function = "bass_discrete_hazard"
    steps = _check_int(steps, "steps", function, low=0)
    p = _check_float(p, "p", function, low=0.0, low_closed=False)
    q = _check_float(q, "q", function, low=0.0)
    dt = _check_float(dt, "dt", function, low=0.0, low_closed=False)
    # A recurrence: each step needs the previous one, so this loop cannot be vectorised.
    fractions = np.zeros(steps + 1)
    for k in range(steps):
        current = fractions[k]
        fractions[k + 1] = current - (1.0 - current) * math.expm1(-(p + q * current) * dt)
    return fractions


# --------------------------------------------------------------------------------------
# Independent cascade: percolation limit and exact small graphs
# --------------------------------------------------------------------------------------


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
        raise ValueError(
            f"The 'mean_degree' and 'transmissibility' parameters of {function} must have "
            f"broadcastable shapes. Got shapes {np.shape(degrees)} and "
            f"{np.shape(probabilities)} instead."
        ) from None
    # brentq is scalar; this loop runs once per requested parameter pair, not per agent.
    sizes = np.array(
        [_percolation_root(c * t) for c, t in zip(degrees.flat, probabilities.flat, strict=True)]
    ).reshape(degrees.shape)
    return _as_output(sizes, degrees)


def _check_array_range(value: object, name: str, function: str, *, high: float) -> np.ndarray:
    """Return ``value`` as a float array with entries in [0, high]; raise otherwise."""
    message = (
        f"The {name!r} parameter of {function} must be a float or array of floats in the range "
        f"{_interval(0.0, high, True, True)}. Got {_shown(value)} instead."
    )
    if isinstance(value, bool | np.bool_):
        raise ValueError(message)
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not np.all(np.isfinite(array) & (array >= 0) & (array <= high)):
        raise ValueError(message)
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
    n = _check_int(n, "n", function, low=1)
    p = _check_float(p, "p", function, low=0.0, high=1.0)
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
    n_leaves = _check_int(n_leaves, "n_leaves", function, low=1)
    p = _check_float(p, "p", function, low=0.0, high=1.0)
    if seed_at == "centre":
        return 1.0 + n_leaves * p
    if seed_at == "leaf":
        return 1.0 + p + (n_leaves - 1) * p * p
    raise ValueError(
        f"The 'seed_at' parameter of {function} must be a str among {{'centre', 'leaf'}}. "
        f"Got {_shown(seed_at)} instead."
    )


def _check_seeds(seeds: object, n: int, function: str) -> np.ndarray:
    """Return seed indices as a unique int array within [0, n-1]; raise otherwise."""
    message = (
        f"The 'seeds' parameter of {function} must be an int or a non-empty sequence of ints "
        f"in the range [0, {n - 1}]. Got {_shown(seeds)} instead."
    )
    if isinstance(seeds, bool | np.bool_):
        raise ValueError(message)
    values = np.atleast_1d(np.asarray(seeds, dtype=object))
    if values.ndim != 1 or values.size == 0:
        raise ValueError(message)
    if not all(
        isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)
        for value in values
    ):
        raise ValueError(message)
    indices = values.astype(np.int64)
    if np.any(indices < 0) or np.any(indices >= n):
        raise ValueError(message)
    return np.unique(indices)


# --------------------------------------------------------------------------------------
# Fitting the Bass model to an adoption curve
# --------------------------------------------------------------------------------------

_P_BOUNDS = (1e-6, 1.0)
_Q_BOUNDS = (0.0, 10.0)


@dataclass(frozen=True, slots=True)
class BassFit:
    """Bass parameters fitted to a cumulative adoption curve by :func:`fit_bass`.

    Attributes
    ----------
    p : float
        Coefficient of innovation.
    q : float
        Coefficient of imitation.
    market_size : float
        Market size m, in the units of the fitted curve (1 for fractions).
    rmse : float
        Root-mean-square residual of ``m F(t)`` against the data, in the data's units.
    peak_time : float
        Peak time of the adoption density, :func:`bass_peak_time` of (p, q).
    """

    p: float
    q: float
    market_size: float
    rmse: float
    peak_time: float

    def curve(self, t: float | np.ndarray) -> float | np.ndarray:
        """Fitted cumulative adopters ``m F(t; p, q)`` at time(s) ``t``.

        Parameters
        ----------
        t : float or array_like of float
            Time(s) since launch, finite and non-negative.

        Returns
        -------
        float or numpy.ndarray
            Fitted cumulative adopters, in the units of the fitted data.

        Examples
        --------
        >>> fit = BassFit(p=0.03, q=0.38, market_size=1000.0, rmse=0.0, peak_time=6.19)
        >>> round(fit.curve(10.0), 1)
        812.8
        """
        return self.market_size * bass_cumulative(t, self.p, self.q)


def fit_bass(
    t: Sequence[float] | np.ndarray,
    cumulative: Sequence[float] | np.ndarray,
    *,
    market_size: float | None = None,
) -> BassFit:
    """Fit Bass p, q and market size m to a cumulative adoption curve by least squares.

    Minimises ``sum_i (m F(t_i; p, q) - cumulative_i)^2`` within the bounds
    p in [1e-6, 1], q in [0, 10], m > 0 (the nonlinear least squares of Srinivasan and
    Mason 1986). For each (p, q) the best m has a closed form, so only p and q are
    searched (variable projection): a coarse log grid picks the start, so a poor first
    guess cannot trap the fit in a far local minimum, and bounded Levenberg-Marquardt
    steps with the exact Jacobian refine it. In the rare narrow valley where those steps
    crawl (a curve that saturates within two or three points), the refinement is finished
    by :func:`scipy.optimize.least_squares`; it is not the first choice only because
    importing ``scipy.optimize`` takes 0.7 s, a seventh of the budget of ``wom run``.

    Parameters
    ----------
    t : array_like of float
        Strictly increasing, finite, non-negative times since launch; at least 3 points.
    cumulative : array_like of float
        Cumulative adopters at ``t`` (counts or fractions): finite, non-negative,
        non-decreasing, same length as ``t``, not all zero.
    market_size : float, optional
        If given, m is fixed to this value in (0, inf) and only p and q are fitted
        (e.g. ``market_size=1`` for fractions of a known market).

    Returns
    -------
    BassFit
        Fitted ``p``, ``q``, ``market_size``, the ``rmse`` of the fit and ``peak_time``.

    Raises
    ------
    ValueError
        If an argument breaks the rules above.
    RuntimeError
        If the optimiser does not converge.

    References
    ----------
    Bass, F. M. (1969). *Management Science* 15(5):215-227.
    Srinivasan, V., & Mason, C. H. (1986). Nonlinear least squares estimation of new
    product diffusion models. *Marketing Science* 5(2):169-178.
    Golub, G., & Pereyra, V. (2003). Separable nonlinear least squares: the variable
    projection method and its applications. *Inverse Problems* 19(2):R1-R26.

    Examples
    --------
    >>> times = np.arange(16.0)
    >>> fit = fit_bass(times, 1000 * bass_cumulative(times, 0.03, 0.38))
    >>> round(fit.p, 4), round(fit.q, 4), round(fit.market_size, 1)
    (0.03, 0.38, 1000.0)
    >>> round(fit.peak_time, 2)
    6.19
    """
    function = "fit_bass"
    times, adopters = _check_curve(t, cumulative, function)
    if market_size is not None:
        market_size = _check_float(market_size, "market_size", function, low=0.0, low_closed=False)

    # Everything is fitted in units of the curve's maximum, so counts and fractions are
    # fitted with the same tolerances.
    scale = float(adopters.max())
    curve = _ScaledBassCurve(
        times, adopters / scale, None if market_size is None else market_size / scale
    )
    start = curve.grid_start()
    try:
        p, q = _levenberg_marquardt(curve, start)
    except RuntimeError:
        p, q = _least_squares(curve, start)
    residuals, _, market = curve.evaluate(np.array([p, q]))
    rmse = float(np.sqrt(np.mean((residuals * scale) ** 2)))
    fitted_m = market_size if market_size is not None else market * scale
    return BassFit(p=p, q=q, market_size=fitted_m, rmse=rmse, peak_time=bass_peak_time(p, q))


_LOWER = np.array([_P_BOUNDS[0], _Q_BOUNDS[0]])
_UPPER = np.array([_P_BOUNDS[1], _Q_BOUNDS[1]])


@dataclass(frozen=True, slots=True)
class _ScaledBassCurve:
    """A curve to fit, scaled to a maximum of 1, and its residuals for given (p, q)."""

    times: np.ndarray
    target: np.ndarray
    fixed_market: float | None

    def evaluate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Residuals ``m F - target``, their Jacobian in (p, q) and m (fixed or best)."""
        p, q = float(x[0]), float(x[1])
        decay = np.exp(-(p + q) * self.times)
        denominator = 1.0 + (q / p) * decay
        share = -np.expm1(-(p + q) * self.times) / denominator
        # F = (1 - E) / D, E = exp(-(p + q) t), D = 1 + (q/p) E, and dE/dp = dE/dq = -t E.
        d_decay = -self.times * decay
        d_denominator = np.column_stack(
            [-(q / p**2) * decay + (q / p) * d_decay, decay / p + (q / p) * d_decay]
        )
        jacobian = (-d_decay[:, None] - share[:, None] * d_denominator) / denominator[:, None]
        if self.fixed_market is not None:
            market = self.fixed_market
        else:
            norm = float(share @ share)
            market = max(float(share @ self.target) / norm, 1e-12)
            # Kaufman's variable-projection Jacobian: the part of dF that m cannot absorb.
            jacobian = jacobian - np.outer(share, share @ jacobian) / norm
        return market * share - self.target, market * jacobian, market

    def grid_start(self) -> np.ndarray:
        """The (p, q) of least squared error on a log grid, each with its best m."""
        p_grid = np.geomspace(_P_BOUNDS[0], _P_BOUNDS[1], 61)
        q_grid = np.concatenate([[0.0], np.geomspace(1e-3, _Q_BOUNDS[1], 61)])
        p, q = (grid.reshape(-1, 1) for grid in np.meshgrid(p_grid, q_grid, indexing="ij"))
        shares = _bass_cumulative(self.times, p, q)  # one row per (p, q) pair
        if self.fixed_market is None:
            norms = np.einsum("gt,gt->g", shares, shares)
            market = np.maximum(shares @ self.target / np.maximum(norms, 1e-300), 1e-12)
        else:
            market = np.full(shares.shape[0], self.fixed_market)
        errors = market[:, None] * shares - self.target
        best = int(np.argmin(np.einsum("gt,gt->g", errors, errors)))
        return np.array([p[best, 0], q[best, 0]])


def _levenberg_marquardt(
    curve: _ScaledBassCurve, start: np.ndarray, *, max_iterations: int = 200
) -> tuple[float, float]:
    """Refine (p, q) by bounded Levenberg-Marquardt steps; RuntimeError if it crawls.

    A parameter on a bound whose gradient points outward is held there (an active set);
    the others take the damped Gauss-Newton step. The fit stops when a step lowers the
    squared error by less than a relative 1e-14 or moves (p, q) by less than a relative
    1e-14, when the error is at rounding level, or when no step lowers it at all.
    """
    x = np.clip(start, _LOWER, _UPPER)
    residuals, jacobian, _ = curve.evaluate(x)
    cost = float(residuals @ residuals)
    damping = 1e-3
    for _ in range(max_iterations):
        gradient = jacobian.T @ residuals
        free = ~(((x <= _LOWER) & (gradient > 0)) | ((x >= _UPPER) & (gradient < 0)))
        if not free.any() or cost <= 1e-26 * curve.times.size:
            return float(x[0]), float(x[1])
        normal = jacobian[:, free].T @ jacobian[:, free]
        diagonal = np.diag(np.maximum(np.diag(normal), 1e-30))
        while True:
            step = np.zeros_like(x)
            with np.errstate(all="ignore"):
                step[free] = np.linalg.lstsq(normal + damping * diagonal, -gradient[free])[0]
            trial = np.clip(x + step, _LOWER, _UPPER)
            if np.all(np.isfinite(trial)):
                trial_residuals, trial_jacobian, _ = curve.evaluate(trial)
                trial_cost = float(trial_residuals @ trial_residuals)
                if trial_cost < cost:
                    break
            damping *= 10.0
            if damping > 1e20:  # no step lowers the error: a minimum, or one on a bound
                return float(x[0]), float(x[1])
        improvement = cost - trial_cost
        moved = float(np.max(np.abs(trial - x) / np.maximum(np.abs(x), 1e-6)))
        x, residuals, jacobian, cost = trial, trial_residuals, trial_jacobian, trial_cost
        damping = max(damping / 10.0, 1e-15)
        if improvement <= 1e-14 * cost or moved <= 1e-14:
            return float(x[0]), float(x[1])
    raise RuntimeError(f"fit_bass: Levenberg-Marquardt crawled for {max_iterations} steps")


def _least_squares(curve: _ScaledBassCurve, start: np.ndarray) -> tuple[float, float]:
    """Finish a fit with scipy's trust-region reflective least squares."""
    from scipy.optimize import least_squares

    result = least_squares(
        lambda x: curve.evaluate(x)[0],
        np.clip(start, _LOWER, _UPPER),
        jac=lambda x: curve.evaluate(x)[1],
        bounds=(_LOWER, _UPPER),
        x_scale="jac",
        ftol=1e-14,
        xtol=1e-14,
        gtol=1e-14,
        max_nfev=10_000,
    )
    if result.status <= 0:
        raise RuntimeError(f"fit_bass did not converge: {result.message}")
    return float(result.x[0]), float(result.x[1])


def _check_curve(t: object, cumulative: object, function: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate the (t, cumulative) pair of :func:`fit_bass` and return float arrays."""
    arrays = []
    for name, value in (("t", t), ("cumulative", cumulative)):
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(
                f"The {name!r} parameter of {function} must be a 1-D array of floats. "
                f"Got {_shown(value)} instead."
            ) from None
        if array.ndim != 1:
            raise ValueError(
                f"The {name!r} parameter of {function} must be a 1-D array of floats. "
                f"Got an array of shape {array.shape} instead."
            )
        if not np.all(np.isfinite(array)):
            bad = array[~np.isfinite(array)][0]
            raise ValueError(
                f"The {name!r} parameter of {function} must contain only finite values. "
                f"Got an array containing {_shown(bad)} instead."
            )
        arrays.append(array)
    times, adopters = arrays
    if times.size != adopters.size:
        raise ValueError(
            f"The 't' and 'cumulative' parameters of {function} must have the same length. "
            f"Got lengths {times.size} and {adopters.size} instead."
        )
    if times.size < 3:
        raise ValueError(
            f"The 't' and 'cumulative' parameters of {function} must have at least 3 points "
            f"to fit 3 parameters. Got {times.size} instead."
        )
    if np.any(times < 0) or np.any(np.diff(times) <= 0):
        raise ValueError(
            f"The 't' parameter of {function} must be strictly increasing times in the range "
            f"[0, inf). Got {_shown(times.tolist())} instead."
        )
    if np.any(adopters < 0) or np.any(np.diff(adopters) < 0):
        drop = int(np.argmax(np.diff(adopters) < 0)) if np.any(np.diff(adopters) < 0) else None
        detail = (
            f"a drop from {adopters[drop]:g} to {adopters[drop + 1]:g} at index {drop + 1}"
            if drop is not None
            else f"the negative value {adopters[adopters < 0][0]:g}"
        )
        raise ValueError(
            f"The 'cumulative' parameter of {function} must be non-negative and "
            f"non-decreasing (cumulative adopters). Got {detail} instead."
        )
    if adopters.max() == 0:
        raise ValueError(
            f"The 'cumulative' parameter of {function} must contain some adopters to fit. "
            f"Got all zeros instead."
        )
    return times, adopters
