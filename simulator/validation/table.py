"""Check results of ``wom check-model``: one row per comparison, its verdict and the table.

A check passes when the simulated value is within the stated tolerance of the reference:
a number of standard errors of the Monte Carlo estimate (:data:`ONE_NUMBER_SE` for one
number, :data:`CURVE_SE` for each point of a curve), or a published tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["CURVE_SE", "ONE_NUMBER_SE", "CheckResult", "format_table", "z_result"]

ONE_NUMBER_SE = 3.0
"""Tolerance, in standard errors, of a check on one number."""
CURVE_SE = 4.0
"""Tolerance, in standard errors, of each point of a curve checked point by point."""


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


def z_result(
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
