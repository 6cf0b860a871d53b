"""Fitting the Bass model to an adoption curve (bounded Levenberg-Marquardt)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.analytic._checks import check_float, shown
from simulator.analytic.bass import _bass_cumulative, bass_cumulative, bass_peak_time
from simulator.errors import ArgumentError

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
        market_size = check_float(market_size, "market_size", function, low=0.0, low_closed=False)

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
    # scipy.optimize takes most of a second to import: only for the rare narrow valley
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
            raise ArgumentError(
                f"The {name!r} parameter of {function} must be a 1-D array of floats. "
                f"Got {shown(value)} instead."
            ) from None
        if array.ndim != 1:
            raise ArgumentError(
                f"The {name!r} parameter of {function} must be a 1-D array of floats. "
                f"Got an array of shape {array.shape} instead."
            )
        if not np.all(np.isfinite(array)):
            bad = array[~np.isfinite(array)][0]
            raise ArgumentError(
                f"The {name!r} parameter of {function} must contain only finite values. "
                f"Got an array containing {shown(bad)} instead."
            )
        arrays.append(array)
    times, adopters = arrays
    if times.size != adopters.size:
        raise ArgumentError(
            f"The 't' and 'cumulative' parameters of {function} must have the same length. "
            f"Got lengths {times.size} and {adopters.size} instead."
        )
    if times.size < 3:
        raise ArgumentError(
            f"The 't' and 'cumulative' parameters of {function} must have at least 3 points "
            f"to fit 3 parameters. Got {times.size} instead."
        )
    if np.any(times < 0) or np.any(np.diff(times) <= 0):
        raise ArgumentError(
            f"The 't' parameter of {function} must be strictly increasing times in the range "
            f"[0, inf). Got {shown(times.tolist())} instead."
        )
    if np.any(adopters < 0) or np.any(np.diff(adopters) < 0):
        drop = int(np.argmax(np.diff(adopters) < 0)) if np.any(np.diff(adopters) < 0) else None
        detail = (
            f"a drop from {adopters[drop]:g} to {adopters[drop + 1]:g} at index {drop + 1}"
            if drop is not None
            else f"the negative value {adopters[adopters < 0][0]:g}"
        )
        raise ArgumentError(
            f"The 'cumulative' parameter of {function} must be non-negative and "
            f"non-decreasing (cumulative adopters). Got {detail} instead."
        )
    if adopters.max() == 0:
        raise ArgumentError(
            f"The 'cumulative' parameter of {function} must contain some adopters to fit. "
            f"Got all zeros instead."
        )
    return times, adopters
