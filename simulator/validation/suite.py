"""The suite of ``wom check-model``: the check groups in order, and :func:`run_checks`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from simulator.errors import ArgumentError
from simulator.validation.checks import (
    FULL,
    QUICK,
    Sizes,
    check_bass,
    check_bass_discrete,
    check_exact,
    check_percolation,
)
from simulator.validation.facts import check_facts
from simulator.validation.peers import check_peers
from simulator.validation.reputation import check_reputation
from simulator.validation.table import CheckResult

__all__ = ["CHECK_GROUPS", "DEFAULT_SEED", "run_checks"]

_CHECKS: dict[str, Callable[[Sizes, int], list[CheckResult]]] = {
    "bass": check_bass,
    "bass-discrete": check_bass_discrete,
    "percolation": check_percolation,
    "exact": check_exact,
    "peers": check_peers,
    "facts": check_facts,
    "reputation": check_reputation,
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
    ArgumentError
        If ``only`` names an unknown group.

    Examples
    --------
    >>> rows = run_checks(only=["exact"], sizes=Sizes(exact_replicates=200))
    >>> rows[0].check
    'IC path, 12 nodes, p=0.5, seeds [1]: mean size [engine]'
    >>> from simulator.validation.table import format_table
    >>> print(format_table(rows[:1]).splitlines()[0])
    check                                                    expected  simulated ± SE  replicates  verdict
    """
    groups = list(CHECK_GROUPS if only is None else only)
    unknown = [group for group in groups if group not in _CHECKS]
    if unknown:
        raise ArgumentError(
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
