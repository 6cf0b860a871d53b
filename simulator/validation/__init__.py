"""Model validation: the simulator against closed forms and peer tools (``wom check-model``).

Each check runs the simulator in a setting where theory, or an established tool, says
what the answer must be, and compares. The package is split by concern:

* :mod:`~simulator.validation.cascades`: the classic models (independent cascade, linear
  threshold, Bass) as scenarios and as compiled cascades on CSR graphs;
* :mod:`~simulator.validation.kernels`: the compiled (numba) cascade kernels;
* :mod:`~simulator.validation.graphs`: the graphs of the checks as CSR arrays;
* :mod:`~simulator.validation.checks`: the checks against closed forms (Bass, discrete
  Bass, percolation, exact sizes) and their sizes (:data:`FULL`, :data:`QUICK`);
* :mod:`~simulator.validation.peers`: the same cascades in NDlib and cynetdiff;
* :mod:`~simulator.validation.table`: :class:`CheckResult` rows, verdicts and the table;
* :mod:`~simulator.validation.suite`: the check groups in order and :func:`run_checks`.

Cascade checks run twice, labelled ``[engine]`` (the ordinary engine on the scenario of
:func:`simulator.validation.cascades.cascade_scenario`: the model that ``wom run`` uses) and
``[kernel]`` (the compiled kernels behind :mod:`simulator.validation.cascades`).

A check passes when the simulated value is within the stated tolerance: the published
tolerance for the Bass targets, and a number of standard errors of the Monte Carlo
estimate otherwise (3 for one number, 4 for a whole curve checked point by point). A
correct model fails a 3-SE check with probability 0.27 %.

It also re-exports the Bass fits of simulated adoption curves (:func:`bass_fit_summary`),
so a run can be described by its Bass-equivalent p and q. The ``wom check-model`` command
itself lives in :mod:`simulator.cli.check_model`.
"""

from __future__ import annotations

from simulator.metrics.bass_fit import DAYS_PER_YEAR, bass_fit_summary, fit_adoption_curve
from simulator.validation.checks import (
    BASS_P,
    BASS_Q,
    FULL,
    IMPLEMENTATIONS,
    QUICK,
    Sizes,
    adoption_peak,
)
from simulator.validation.graphs import erdos_renyi_csr
from simulator.validation.peers import PEERS, peer_available
from simulator.validation.suite import CHECK_GROUPS, DEFAULT_SEED, run_checks
from simulator.validation.table import CURVE_SE, ONE_NUMBER_SE, CheckResult, format_table

__all__ = [
    "BASS_P",
    "BASS_Q",
    "CHECK_GROUPS",
    "CURVE_SE",
    "DAYS_PER_YEAR",
    "DEFAULT_SEED",
    "FULL",
    "IMPLEMENTATIONS",
    "ONE_NUMBER_SE",
    "PEERS",
    "QUICK",
    "CheckResult",
    "Sizes",
    "adoption_peak",
    "bass_fit_summary",
    "erdos_renyi_csr",
    "fit_adoption_curve",
    "format_table",
    "peer_available",
    "run_checks",
]


def _implementations() -> tuple[str, ...]:
    """The implementations checked (:data:`IMPLEMENTATIONS`); kept for the tests that
    count rows per implementation."""
    return IMPLEMENTATIONS
