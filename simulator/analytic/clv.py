"""Customer-base closed forms: NBD purchase counts, the BG/NBD mean, constant-retention CLV."""

from __future__ import annotations

import math

import numpy as np

from simulator.analytic._checks import as_output, check_float, check_times, shown
from simulator.errors import ArgumentError


def nbd_pmf(x: int | np.ndarray, r: float, alpha: float, T: float) -> float | np.ndarray:
    """Probability that a customer makes ``x`` purchases in ``[0, T]`` under the NBD model.

    Each customer buys as a Poisson process of rate ``lam``, and ``lam ~ Gamma(shape r,
    rate alpha)`` across customers, so the count over a window of length ``T`` is negative
    binomial:

    .. math::

        P(X = x) = \\frac{\\Gamma(r + x)}{\\Gamma(r)\\, x!}
                   \\left(\\frac{\\alpha}{\\alpha + T}\\right)^r
                   \\left(\\frac{T}{\\alpha + T}\\right)^x

    Parameters
    ----------
    x : int or array_like of int
        Purchase count(s), non-negative integers.
    r : float
        Shape of the Gamma heterogeneity in purchase rates, in (0, inf).
    alpha : float
        Rate of the Gamma heterogeneity, in (0, inf), in the time unit of ``T``
        (the mean purchase rate is ``r / alpha``).
    T : float
        Length of the window, in [0, inf).

    Returns
    -------
    float or numpy.ndarray
        ``P(X = x)``; a float for scalar ``x``, an array of the shape of ``x`` otherwise.

    References
    ----------
    Ehrenberg, A. S. C. (1959). The Pattern of Consumer Purchases. *Applied Statistics*
    8(1):26-41.

    Examples
    --------
    >>> round(nbd_pmf(0, 2.0, 2.0, 4.0), 4)  # (2 / 6)^2
    0.1111
    >>> probabilities = nbd_pmf(np.arange(200), 2.0, 2.0, 4.0)
    >>> round(float(probabilities.sum()), 10), round(float(probabilities @ np.arange(200)), 6)
    (1.0, 4.0)
    >>> nbd_pmf([0, 1], 0.5, 1.0, 0.0).tolist()  # an empty window: no purchases
    [1.0, 0.0]
    """
    function = "nbd_pmf"
    counts = _check_counts(x, "x", function)
    r = check_float(r, "r", function, low=0.0, low_closed=False)
    alpha = check_float(alpha, "alpha", function, low=0.0, low_closed=False)
    T = check_float(T, "T", function, low=0.0)
    if T == 0.0:
        return as_output((counts == 0).astype(float), counts)
    # math.lgamma once per distinct count: exact to double precision for any x, where a
    # running product of ratios would drift over long tails.
    distinct, position = np.unique(counts, return_inverse=True)
    log_gamma = np.array(
        [math.lgamma(r + k) - math.lgamma(k + 1.0) for k in distinct.tolist()], dtype=float
    )
    log_pmf = (
        log_gamma[position].reshape(counts.shape)
        - math.lgamma(r)
        + r * math.log(alpha / (alpha + T))
        + counts * math.log(T / (alpha + T))
    )
    return as_output(np.exp(log_pmf), counts)


def bgnbd_expected_purchases(
    t: float | np.ndarray, r: float, alpha: float, a: float, b: float
) -> float | np.ndarray:
    """Mean number of repeat purchases in ``(0, t]`` under the BG/NBD model.

    A customer alive at time 0 buys as a Poisson process of rate ``lam`` and, right after
    each purchase, drops out for good with probability ``p``; ``lam ~ Gamma(r, alpha)`` and
    ``p ~ Beta(a, b)`` across customers. Fader, Hardie & Lee (2005, eq. 9):

    .. math::

        E[X(t)] = \\frac{a + b - 1}{a - 1}
                  \\left[1 - \\left(\\frac{\\alpha}{\\alpha + t}\\right)^r
                  {}_2F_1\\!\\left(r, b; a + b - 1; \\frac{t}{\\alpha + t}\\right)\\right]

    Parameters
    ----------
    t : float or array_like of float
        Time(s) since the start of the cohort, finite and non-negative, in the time unit of
        ``alpha``.
    r : float
        Shape of the Gamma purchase-rate heterogeneity, in (0, inf).
    alpha : float
        Rate of the Gamma purchase-rate heterogeneity, in (0, inf).
    a, b : float
        Beta(a, b) heterogeneity of the drop-out probability, each in (0, inf); ``a = 1``
        makes the formula 0/0 and is refused.

    Returns
    -------
    float or numpy.ndarray
        ``E[X(t)]``; a float for scalar ``t``, an array of the shape of ``t`` otherwise.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting Your Customers" the Easy
    Way: An Alternative to the Pareto/NBD Model. *Marketing Science* 24(2):275-284.

    Examples
    --------
    >>> bgnbd_expected_purchases([0.0, 39.0, 78.0], 0.243, 4.414, 0.793, 2.426).round(3).tolist()
    [0.0, 1.197, 1.861]
    """
    function = "bgnbd_expected_purchases"
    times = check_times(t, "t", function)
    r = check_float(r, "r", function, low=0.0, low_closed=False)
    alpha = check_float(alpha, "alpha", function, low=0.0, low_closed=False)
    a = check_float(a, "a", function, low=0.0, low_closed=False)
    b = check_float(b, "b", function, low=0.0, low_closed=False)
    if a == 1.0:
        raise ArgumentError(
            f"The 'a' parameter of {function} must be a float in the range (0, inf) other "
            "than 1 (the closed form is 0/0 there; use e.g. 1 +- 1e-6). Got 1.0 instead."
        )
    # scipy.special is slow to import; only this closed form needs it.
    from scipy.special import hyp2f1

    share = times / (alpha + times)
    with np.errstate(invalid="ignore", over="ignore"):  # checked below, with a clear message
        bracket = 1.0 - (alpha / (alpha + times)) ** r * hyp2f1(r, b, a + b - 1.0, share)
    # + 0.0 turns the -0.0 of t = 0 (a negative factor times a zero bracket) into 0.0.
    mean = (a + b - 1.0) / (a - 1.0) * bracket + 0.0
    if not np.all(np.isfinite(mean)):
        raise ArgumentError(
            f"The parameters of {function} must keep 2F1(r, b; a + b - 1; t / (alpha + t)) "
            f"finite; the series did not converge for r={r:g}, alpha={alpha:g}, a={a:g}, "
            f"b={b:g} (very large parameters or r * log(1 + t / alpha) in the hundreds). "
            "Got a non-finite mean instead."
        )
    return as_output(mean, times)


def clv_constant_retention(margin: float, retention: float, discount: float) -> float:
    """Customer lifetime value with constant retention, margins at each period's end.

    A customer pays ``margin`` at the end of each period she is still a customer; she stays
    from one period to the next with probability ``retention``; money is discounted by
    ``discount`` per period. Then

    .. math::

        CLV = \\sum_{t \\ge 1} \\frac{m \\rho^t}{(1 + d)^t} = \\frac{m \\rho}{1 + d - \\rho}

    Parameters
    ----------
    margin : float
        Margin per period, any finite float (negative for a loss).
    retention : float
        Retention probability per period, in [0, 1].
    discount : float
        Discount rate per period, in [0, inf); ``retention = 1`` needs ``discount > 0``.

    Returns
    -------
    float
        The expected discounted margin of one customer.

    References
    ----------
    Gupta, S. & Lehmann, D. R. (2003). Customers as Assets. *Journal of Interactive
    Marketing* 17(1):9-24.

    Examples
    --------
    >>> round(clv_constant_retention(100.0, 0.8, 0.1), 4)  # the "margin multiple" 8/3
    266.6667
    >>> clv_constant_retention(100.0, 0.0, 0.1)
    0.0
    """
    function = "clv_constant_retention"
    margin = check_float(margin, "margin", function)
    retention = check_float(retention, "retention", function, low=0.0, high=1.0)
    discount = check_float(discount, "discount", function, low=0.0)
    if retention == 1.0 and discount == 0.0:
        raise ArgumentError(
            f"The 'discount' parameter of {function} must be a float in the range (0, inf) "
            "when retention is 1 (otherwise the value is infinite). Got 0.0 instead."
        )
    return margin * retention / (1.0 + discount - retention)


def _check_counts(x: object, name: str, function: str) -> np.ndarray:
    """Return ``x`` as an int64 array of non-negative integers, or raise ArgumentError."""
    message = (
        f"The {name!r} parameter of {function} must be an int or array of ints in the range "
        f"[0, inf). Got {shown(x)} instead."
    )
    try:
        values = np.asarray(x)
    except (TypeError, ValueError):  # pragma: no cover - asarray accepts almost anything
        raise ArgumentError(message) from None
    if values.dtype == bool or values.dtype.kind not in "iuf":
        raise ArgumentError(message)
    if values.size and (
        not np.all(np.isfinite(values)) or np.any(values < 0) or np.any(values != np.round(values))
    ):
        raise ArgumentError(message)
    return values.astype(np.int64)
