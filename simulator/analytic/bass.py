"""The Bass (1969) diffusion model in closed form: cumulative, density, peak, discrete maps."""

from __future__ import annotations

import math

import numpy as np

from simulator.analytic._checks import as_output, check_float, check_int, check_times
from simulator.errors import ArgumentError


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
    times = check_times(t, "t", function)
    p = check_float(p, "p", function, low=0.0, low_closed=False)
    q = check_float(q, "q", function, low=0.0)
    return as_output(_bass_cumulative(times, p, q), times)


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
    times = check_times(t, "t", function)
    p = check_float(p, "p", function, low=0.0, low_closed=False)
    q = check_float(q, "q", function, low=0.0)
    cumulative = _bass_cumulative(times, p, q)
    return as_output((p + q * cumulative) * (1.0 - cumulative), times)


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
    p = check_float(p, "p", function, low=0.0, low_closed=False)
    q = check_float(q, "q", function, low=0.0)
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
    steps = check_int(steps, "steps", function, low=0)
    p = check_float(p, "p", function, low=0.0, low_closed=False)
    q = check_float(q, "q", function, low=0.0)
    dt = check_float(dt, "dt", function, low=0.0, low_closed=False)
    m = check_float(m, "m", function, low=0.0, low_closed=False)
    if (p + q) * dt > 1.0:
        raise ArgumentError(
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
    steps = check_int(steps, "steps", function, low=0)
    p = check_float(p, "p", function, low=0.0, low_closed=False)
    q = check_float(q, "q", function, low=0.0)
    dt = check_float(dt, "dt", function, low=0.0, low_closed=False)
    # A recurrence: each step needs the previous one, so this loop cannot be vectorised.
    fractions = np.zeros(steps + 1)
    for k in range(steps):
        current = fractions[k]
        fractions[k + 1] = current - (1.0 - current) * math.expm1(-(p + q * current) * dt)
    return fractions
