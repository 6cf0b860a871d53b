"""Argument checks of the closed forms: one message form, sklearn-style (name, allowed, received)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from simulator.errors import ArgumentError


def shown(value: object) -> str:
    """Render a received value for an error message (numpy scalars as plain numbers)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def interval(low: float, high: float, low_closed: bool, high_closed: bool) -> str:
    left = "[" if low_closed and math.isfinite(low) else "("
    right = "]" if high_closed and math.isfinite(high) else ")"
    return f"{left}{low:g}, {high:g}{right}"


def check_float(
    value: object,
    name: str,
    function: str,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_closed: bool = True,
    high_closed: bool = True,
) -> float:
    """Return ``value`` as a float, or raise a one-line ArgumentError naming the parameter."""
    allowed = interval(low, high, low_closed, high_closed)
    message = (
        f"The {name!r} parameter of {function} must be a float in the range {allowed}. "
        f"Got {shown(value)} instead."
    )
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ArgumentError(message)
    number = float(value)
    if not math.isfinite(number):
        raise ArgumentError(message)
    if number < low or (number == low and not low_closed):
        raise ArgumentError(message)
    if number > high or (number == high and not high_closed):
        raise ArgumentError(message)
    return number


def check_int(value: object, name: str, function: str, *, low: int) -> int:
    """Return ``value`` as an int >= ``low``, or raise a one-line ArgumentError."""
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Integral)
        or int(value) < low
    ):
        raise ArgumentError(
            f"The {name!r} parameter of {function} must be an int in the range [{low}, inf). "
            f"Got {shown(value)} instead."
        )
    return int(value)


def check_times(t: object, name: str, function: str) -> np.ndarray:
    """Return ``t`` as a float array of finite, non-negative times."""
    try:
        times = np.asarray(t, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"The {name!r} parameter of {function} must be a float or array of floats in the "
            f"range [0, inf). Got {shown(t)} instead."
        ) from None
    if times.size and (not np.all(np.isfinite(times)) or np.any(times < 0)):
        bad = times[~np.isfinite(times) | (times < 0)].flat[0]
        raise ArgumentError(
            f"The {name!r} parameter of {function} must contain only finite floats in the "
            f"range [0, inf) (time since launch). Got an array containing {shown(bad)} instead."
        )
    return times


def as_output(values: np.ndarray, like: np.ndarray) -> float | np.ndarray:
    """Return a Python float for 0-d input and an array otherwise (array in, array out)."""
    return float(values) if like.ndim == 0 else values
