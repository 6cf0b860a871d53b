"""Running a study: check everything, run the missing cells, write the tables and report.

:func:`run_sweep` is a sequence of named steps over the other modules of this package:
:mod:`~simulator.studies.cells` builds the cells, :mod:`~simulator.studies.store` decides
what the output folder holds and writes it, :mod:`~simulator.studies.executors` runs the
cells (each through :mod:`~simulator.studies.worker`). Progress goes to a callback; the
library never prints.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from simulator import outputs
from simulator.config.study import Study
from simulator.engine.sizing import check_size
from simulator.errors import ConfigError, SimulatorError
from simulator.studies import executors, store, worker
from simulator.studies.cells import (
    FORMAT,
    Cell,
    canonical_json,
    column_values,
    study_cells,
    study_hash,
)
from simulator.studies.executors import Outcomes
from simulator.studies.worker import CellOutcome, CellTask
from simulator.views.sweep_report import sweep_report_html

if TYPE_CHECKING:
    import pandas as pd

MANIFEST_SECONDS = 30.0
"""How often a running sweep refreshes manifest.json (the cell files are the ground truth)."""

SIZE_CHECKS = 64
"""Most cells whose memory is estimated before a sweep (0.6 ms each): the biggest ones."""


@dataclass(frozen=True)
class SweepProgress:
    """Reported after each cell: ``done`` (on disk, reused or computed), ``failed``,
    ``total``, and the cell that just finished (None for the first report)."""

    done: int
    failed: int
    total: int
    reused: int
    cell: Cell | None = None
    error: str | None = None


@dataclass(frozen=True)
class SweepResult:
    """What a sweep produced: its tables (every cell that succeeded) and its failures."""

    out: Path
    study_hash: str
    cells: tuple[Cell, ...]
    replicates: pd.DataFrame
    summary: pd.DataFrame
    failed: Mapping[str, str] = field(default_factory=dict)
    computed: int = 0
    reused: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def _check_sizes(cells: Sequence[Cell], workers: int) -> None:
    """Refuse a sweep whose biggest cells would not fit in this machine's free memory with
    ``workers`` of them running at once (:func:`simulator.engine.sizing.check_size`).

    The biggest cells are those with the most people, then the biggest replicate blocks;
    a refused cell is named.
    """
    sized = [(cell, cell.scenario) for cell in cells if cell.scenario is not None]
    sized.sort(key=lambda pair: (-pair[1].population.size, -pair[1].simulation.block_size))
    for cell, scenario in sized[:SIZE_CHECKS]:
        check_size(scenario, workers=workers, outputs=False, origin=cell.describe())


@dataclass
class _Run:
    """A sweep under way: what it writes and which cells are done (private to this module)."""

    study: Study
    out: Path
    cells: Sequence[Cell]
    key: str
    versions: Mapping[str, str]
    files: set[str]
    done: dict[str, dict[str, Any]]
    failed: dict[str, str]
    provenance: Mapping[str, Any]
    progress: Callable[[SweepProgress], None] | None
    started: float
    by_id: dict[str, Cell] = field(init=False)
    computed: set[str] = field(default_factory=set)
    seconds: dict[str, float] = field(default_factory=dict)
    written: float = 0.0
    """When manifest.json was last written (perf_counter)."""

    def __post_init__(self) -> None:
        self.by_id = {cell.id: cell for cell in self.cells}

    @property
    def reused(self) -> int:
        return len(self.done) - len(self.computed)


def run_sweep(
    study: Study,
    out: str | Path,
    *,
    executor: Literal["local", "dask"] = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    fresh: bool = False,
    csv: bool = False,
    intervals: bool = False,
    report: bool = True,
    progress: Callable[[SweepProgress], None] | None = None,
    graphs: Mapping[str, Any] | None = None,
    command: Sequence[str] | None = None,
    connect_timeout: float | None = None,
) -> SweepResult:
    """Run every cell of ``study`` not yet in ``out`` and write the study's outputs.

    Every option, the output folder and the scheduler connection are checked before any
    cell runs or any file is written; a refusal raises :class:`SimulatorError` and leaves
    ``out`` as it was.

    Parameters
    ----------
    study : Study
        Base scenario and sweep (see :func:`simulator.studies.load_study`).
    out : path
        Output folder; rerunning into it computes only missing cells (and any whose files
        are damaged).
    executor : {"local", "dask"}
        ``local``: this process (one worker) or a pool of ``spawn`` processes, which exit
        when this process dies; ``dask``: the cluster at ``scheduler``, or a new
        ``LocalCluster`` of ``workers`` processes.
    workers : int, optional
        Processes (default: the CPUs this process may use); see
        :func:`simulator.lifeline.check_workers`. Results do not depend on it.
    scheduler : str, optional
        Dask scheduler address, ``tcp://HOST:PORT`` (see
        :func:`simulator.studies.check_scheduler_address`).
    fresh : bool
        Discard the sweep found in ``out`` (another study's cells too) instead of resuming
        it or refusing to mix; only a folder that holds nothing but a sweep's files is
        emptied (:func:`simulator.outputs.check_replaceable`).
    csv, intervals : bool
        Write the table as CSV instead of Parquet; one row per cell and strategy with mean
        and 95 % interval (the columns of ``wom run``'s summary) instead of one per
        replicate.
    progress : callable, optional
        Called with a :class:`SweepProgress` first and after every cell.
    connect_timeout : float, optional
        Seconds to wait for ``scheduler`` (default: Dask's
        ``distributed.comm.timeouts.connect``).

    Returns
    -------
    SweepResult
        Both tables (replicates and summary, sorted by cell) and the failed cells.

    Warns
    -----
    simulator.lifeline.WorkerCountWarning
        More ``workers`` than CPUs.
    """
    started = time.perf_counter()
    out = Path(out)
    workers = executors.check_options(executor, workers, scheduler)
    if executor == "dask":
        executors.import_dask()
    outputs.check_writable(out)
    allowed = worker.metric_names(study.scenario)
    if study.sweep.metric not in allowed:
        raise ConfigError(f"--metric {study.sweep.metric!r} is not a metric; allowed: {allowed}")
    table_file = f"{'summary' if intervals else 'replicates'}.{'csv' if csv else 'parquet'}"
    recorded = {
        "executor": executor,
        "workers": workers if executor == "local" or not scheduler else None,
        "scheduler": scheduler,
        "command": list(command) if command is not None else None,
    }
    run, folder, damaged = _open_run(
        study, out, fresh=fresh, table_file=table_file, report=report, progress=progress
    )
    run.provenance, run.started = recorded, started  # the manifest records both
    pending = [cell for cell in run.cells if cell.scenario is not None and cell.id not in run.done]
    tasks = [_task(study, cell, graphs) for cell in pending]
    if tasks and not scheduler:  # a remote cluster's memory is not this machine's
        _check_sizes(pending, min(workers, len(tasks)))
    client = cluster = None
    if executor == "dask" and tasks:  # before the folder is touched: a failure leaves nothing
        client, cluster = executors.connect_dask(workers, scheduler, connect_timeout)
    try:
        store.start_out(out, folder, study=study, cells=run.cells, damaged=damaged)
        outcomes = (
            executors.run_dask(tasks, client, run.key)
            if client is not None
            else executors.run_local(tasks, workers)
        )
        replicates, summary = _collect(
            run, outcomes, lambda ids: executors.run_local(_redo(run, graphs, ids), 1)
        )
        table = summary if intervals else replicates
        store.write_table(out, table, table_file, run.files)
        return _finish(run, replicates, summary, report=report)
    finally:
        if client is not None:
            executors.close_dask(client, cluster)


def _open_run(
    study: Study,
    out: Path,
    *,
    fresh: bool,
    table_file: str,
    report: bool,
    progress: Callable[[SweepProgress], None] | None,
) -> tuple[_Run, store.Folder, list[Path]]:
    """The cells, what ``out`` holds of them (checked, unchanged) and the files to discard."""
    cells = study_cells(study)
    key = study_hash(study, cells)
    versions = worker.numeric_versions()
    ours = {"manifest.json", "study.toml", "cells", "configs", table_file}
    ours |= {"report.html"} if report else set()
    inputs = store.study_inputs(study, cells)
    folder = store.inspect_out(
        out, key=key, versions=versions, fresh=fresh, inputs=inputs, writes=ours
    )
    if not folder.discard:  # the manifest lists them: what a later --fresh may replace
        ours |= folder.owned
    done, damaged = (
        ({}, []) if folder.discard else store.finished_cells(out, cells, key, folder.metadata)
    )
    failed = {cell.id: cell.error for cell in cells if cell.error is not None}
    run = _Run(study, out, cells, key, versions, ours, done, failed, {}, progress, 0.0)
    return run, folder, damaged


def _task(study: Study, cell: Cell, graphs: Mapping[str, Any] | None) -> CellTask:
    assert cell.scenario is not None  # only valid cells become tasks
    sweep = study.sweep
    return CellTask(
        cell.id, cell.scenario, sweep.target_ci, sweep.metric, sweep.max_replicates, graphs
    )


def _redo(run: _Run, graphs: Mapping[str, Any] | None, ids: set[str]) -> list[CellTask]:
    return [_task(run.study, cell, graphs) for cell in run.cells if cell.id in ids]


# --------------------------------------------------------------------------- collecting cells


def _manifest(run: _Run, state: str) -> None:
    """Write manifest.json: the study, every cell's status and what the sweep wrote."""
    entries = []
    for cell in run.cells:
        entry: dict[str, Any] = {"id": cell.id, "index": cell.index, "values": cell.values}
        if cell.id in run.done:
            entry.update(status="done", **run.done[cell.id].get("outcome", {}))
        elif cell.id in run.failed:
            entry.update(status="failed", error=run.failed[cell.id])
        else:
            entry.update(status="pending")
        if cell.id in run.seconds:
            entry.update(seconds=round(run.seconds[cell.id], 3))
        entries.append(entry)
    sweep = run.study.sweep
    done, failed, total = len(run.done), len(run.failed), len(run.cells)
    data = {
        "kind": "wom sweep",
        "format": FORMAT,
        "study_hash": run.key,
        "status": state,
        "title": run.study.scenario.title,
        "config": run.study.source,
        "seed": run.study.scenario.simulation.seed,
        "parameters": list(sweep.parameters),
        "sweep": _json(sweep.model_dump()),
        "counts": {
            "total": total,
            "done": done,
            "failed": failed,
            "pending": total - done - failed,
            "reused": run.reused,
        },
        **run.provenance,
        "versions": store.sweep_versions(),
        "wall_seconds": round(time.perf_counter() - run.started, 3),
        # Every top-level entry a sweep wrote (or is writing): what --fresh may replace.
        "files": sorted(run.files),
        "cells": entries,
    }
    store.write_manifest(run.out, data)
    run.written = time.perf_counter()


def _json(value: Any) -> Any:
    """``value`` as it reads back from JSON (tuples as lists, odd floats as in the hash)."""
    return json.loads(canonical_json(value))


def _report(run: _Run, cell: Cell | None = None, error: str | None = None) -> None:
    if run.progress is not None:
        report = SweepProgress(
            len(run.done), len(run.failed), len(run.cells), run.reused, cell, error
        )
        run.progress(report)


def _record(run: _Run, outcome: CellOutcome, columns: Sequence[Mapping[str, Any]]) -> None:
    """Write a finished cell's files (or note its failure) and report it."""
    cell = run.by_id[outcome.id]
    if outcome.error is None and outcome.versions != run.versions:
        outcome = CellOutcome(
            cell.id,
            error="the worker that ran it has "
            f"{store.differences(outcome.versions, run.versions, 'here')}: install the same "
            "versions on every machine",
        )
    if outcome.error is not None:
        run.failed[cell.id] = f"{cell.describe()}: {outcome.error}"
        _report(run, cell, run.failed[cell.id])
        return
    assert outcome.summary is not None and outcome.replicates is not None  # no error
    meta = {
        "study_hash": run.key,
        "cell": cell.id,
        "values": cell.values,
        "versions": run.versions,
        "outcome": {
            "replicates": int(outcome.summary["replicates"].min()),
            "target_met": outcome.target_met,
        },
    }
    row = columns[cell.index]
    store.write_cell(
        run.out,
        cell,
        store.with_parameters(outcome.summary, cell, row),
        store.with_parameters(outcome.replicates, cell, row),
        meta,
    )
    run.done[cell.id] = meta
    run.computed.add(cell.id)
    run.seconds[cell.id] = outcome.seconds
    _report(run, cell)
    if time.perf_counter() - run.written > MANIFEST_SECONDS:
        _manifest(run, "running")


def _collect(
    run: _Run, outcomes: Outcomes, redo: Callable[[set[str]], Outcomes]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Record every outcome and read the finished cells back: (replicates, summary).

    Cells that cannot be read back although their footers were sound are computed again,
    here, with ``redo``.
    """
    columns = column_values(run.cells, run.study.sweep.parameters)
    _manifest(run, "running")
    _report(run)
    for cell in run.cells:
        if cell.error is not None:
            _report(run, cell, cell.error)
    try:
        with closing(outcomes):
            for outcome in outcomes:
                _record(run, outcome, columns)
        replicates, summary, unreadable = store.read_cells(run.out, run.cells, run.done)
        if not unreadable:
            return replicates, summary
        for cell_id in unreadable:  # damaged on disk: compute them again, here
            run.done.pop(cell_id)
            run.computed.discard(cell_id)
            store.discard_cell(run.out, cell_id)
        with closing(redo(set(unreadable))) as again:
            for outcome in again:
                _record(run, outcome, columns)
        replicates, summary, unreadable = store.read_cells(run.out, run.cells, run.done)
        if unreadable:
            raise SimulatorError(
                f"--out {run.out}: cells/{unreadable[0]}.parquet cannot be read back just "
                "after it was written; check the disk (free space, errors)"
            )
        return replicates, summary
    except BaseException:
        _manifest(run, "interrupted")
        raise


def _finish(
    run: _Run, replicates: pd.DataFrame, summary: pd.DataFrame, *, report: bool
) -> SweepResult:
    """Write the report and the final manifest."""
    if report:
        html = sweep_report_html(
            summary, run.study, cells=run.cells, failed=run.failed, study_hash=run.key
        )
        store.write_text(run.out / "report.html", html)
    _manifest(run, "complete" if not run.failed else "failed cells")
    return SweepResult(
        run.out,
        run.key,
        tuple(run.cells),
        replicates,
        summary,
        dict(run.failed),
        len(run.computed),
        run.reused,
    )
