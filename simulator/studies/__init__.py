"""Parameter sweeps and ensembles: cells of a study, run on local processes or Dask, resumable.

A *study* is a base scenario plus a ``[sweep]`` table that names the parameters to vary
(dotted paths, as for ``--set``; the models are in :mod:`simulator.config.study`). Each
combination of values is a *cell*: the base scenario with those overrides, validated like
``--set``. Every cell keeps the study's ``simulation.seed``, so cells share common random
numbers, and a cell's results depend only on its config and that seed, never on the
executor, the number of workers or the order in which cells finish. A cell runs through
:func:`simulator.engine.run.simulate` and is summarised by
:func:`simulator.metrics.summarize`, as ``wom run`` does.

The package follows the data:

- :mod:`~simulator.studies.cells`: axes, grids, ranges, Latin-hypercube samples, the cells
  and the study hash;
- :mod:`~simulator.studies.worker`: one cell, simulated and tabulated in a worker;
- :mod:`~simulator.studies.executors`: where cells run (processes that die with the
  sweep, or Dask);
- :mod:`~simulator.studies.store`: the output folder, its atomic files and resuming;
- :mod:`~simulator.studies.run`: :func:`run_sweep`, which calls the others.

Rerunning the same study into the same folder computes only the missing cells (and the
failed ones, and any whose files are damaged). Every option, the number of cells (at most
:data:`MAX_CELLS`), the memory of the biggest cells, the output folder and the Dask
scheduler are checked before any cell runs or any file is written.

Examples
--------
>>> sweep = Sweep(grid={"trust.word_of_mouth": [0.5, 0.9]}, sample={"count": 3,
...     "ranges": {"channels.newspaper.budget": [100, 1000]}})
>>> [len(axis) for axis in sweep_axes(sweep, seed=1)]
[2, 3]
"""

from simulator.config.study import Sample, Study, Sweep
from simulator.studies.cells import (
    FORMAT,
    MAX_CELLS,
    Cell,
    cell_count,
    check_cell_count,
    latin_hypercube,
    linspace_values,
    load_study,
    parse_grid_option,
    parse_range_option,
    parse_values,
    study_cells,
    study_hash,
    sweep_axes,
)
from simulator.studies.executors import (
    MAX_WORKER_DEATHS,
    SCHEDULER_SCHEMES,
    Outcomes,
    check_options,
    check_scheduler_address,
)
from simulator.studies.run import (
    MANIFEST_SECONDS,
    SIZE_CHECKS,
    SweepProgress,
    SweepResult,
    run_sweep,
)
from simulator.studies.worker import (
    NUMERIC_PACKAGES,
    CellOutcome,
    CellTask,
    metric_names,
    numeric_versions,
    run_cell,
    simulate_cell,
)

__all__ = [
    "FORMAT",
    "MANIFEST_SECONDS",
    "MAX_CELLS",
    "MAX_WORKER_DEATHS",
    "NUMERIC_PACKAGES",
    "SCHEDULER_SCHEMES",
    "SIZE_CHECKS",
    "Cell",
    "CellOutcome",
    "CellTask",
    "Outcomes",
    "Sample",
    "Study",
    "Sweep",
    "SweepProgress",
    "SweepResult",
    "cell_count",
    "check_cell_count",
    "check_options",
    "check_scheduler_address",
    "latin_hypercube",
    "linspace_values",
    "load_study",
    "metric_names",
    "numeric_versions",
    "parse_grid_option",
    "parse_range_option",
    "parse_values",
    "run_cell",
    "run_sweep",
    "simulate_cell",
    "study_cells",
    "study_hash",
    "sweep_axes",
]
