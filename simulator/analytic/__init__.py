"""Closed forms (Bass curves, cascade sizes, percolation) that validate the simulator."""

from simulator.analytic.bass import (
    bass_cumulative,
    bass_density,
    bass_discrete,
    bass_discrete_hazard,
    bass_peak_time,
)
from simulator.analytic.cascades import (
    cascade_expected_size_path,
    cascade_expected_size_star,
    percolation_final_size,
)
from simulator.analytic.fit import BassFit, fit_bass

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
