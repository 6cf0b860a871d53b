"""Parameter sweeps and ensembles: cells of a study, run on local processes or Dask, resumable.

A *study* is a base scenario plus a ``[sweep]`` table that names the parameters to vary
(dotted paths, as for ``--set``). Each combination of values is a *cell*: the base scenario
with those overrides, validated like ``--set``. Every cell keeps the study's
``simulation.seed``, so cells share common random numbers, and a cell's results depend only
on its config and that seed, never on the executor, the number of workers or the order in
which cells finish.

A sweep writes into one folder::

    OUT/manifest.json        study hash, seed, versions, every cell and its status
    OUT/study.toml           the resolved base scenario and its [sweep] table
    OUT/configs/<cell>.toml  the resolved scenario of each cell
    OUT/cells/<cell>.parquet one row per strategy and replicate, written atomically as the
                             cell finishes (with <cell>.summary.parquet written just before)
    OUT/replicates.parquet   every cell (or summary.parquet with intervals; .csv with csv)
    OUT/report.html          figures: metric against each swept parameter, heatmaps

Rerunning the same study into the same folder computes only the missing cells (and the failed
ones); a folder that holds another study's cells, or cells computed with other versions of
the packages that shape the numbers, is refused unless ``fresh`` is given.

Examples
--------
>>> sweep = Sweep(grid={"trust.word_of_mouth": [0.5, 0.9]}, sample={"count": 3,
...     "ranges": {"channels.newspaper.budget": [100, 1000]}})
>>> [len(axis) for axis in sweep_axes(sweep, seed=1)]
[2, 3]
"""

from __future__ import annotations

import copy
import functools
import hashlib
import itertools
import json
import math
import os
import shutil
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from simulator import config as cfg
from simulator.errors import ConfigError, SimulatorError
from simulator.streams import stream

if TYPE_CHECKING:
    import argparse

    import pandas as pd

    from simulator.results import RunResult

FORMAT = 1
"""Version of the output folder's layout; part of the study hash."""

MAX_WORKER_DEATHS = 3
"""Attempts of a cell whose worker process dies (out of memory, killed) before it fails."""

MANIFEST_SECONDS = 30.0
"""How often a running sweep refreshes manifest.json (the cell files are the ground truth)."""

_OUTPUT_FILES = (
    "manifest.json",
    "study.toml",
    "replicates.parquet",
    "replicates.csv",
    "summary.parquet",
    "summary.csv",
    "report.html",
)


# --------------------------------------------------------------------------- the [sweep] table

Values = Annotated[tuple[Any, ...], Field(min_length=1)]


class Sample(cfg.Model):
    """Latin-hypercube samples of continuous ranges (``[sweep.sample]``)."""

    count: int = Field(ge=1, le=1_000_000, description="number of sampled points")
    ranges: dict[str, tuple[int | float, int | float]] = Field(
        min_length=1,
        description="dotted.path = [low, high]; integer bounds give integer samples",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Sample:
        for path, (low, high) in self.ranges.items():
            if not (math.isfinite(low) and math.isfinite(high)) or low > high:
                raise ValueError(f"ranges.{path}: need finite low <= high, got [{low}, {high}]")
        return self


class Sweep(cfg.Model):
    """What a study varies and how many replicates each cell gets (``[sweep]``).

    Axes: every ``grid`` path is an axis of the full grid; the ``zip`` paths vary together
    (one axis, lists of equal length, e.g. two channels' budgets kept equal); ``sample``
    adds Latin-hypercube points as one more axis. Cells are the product of the axes.
    """

    grid: dict[str, Values] = Field(
        default_factory=dict, description="dotted.path = [v1, v2, ...]: a full grid"
    )
    zip: dict[str, Values] = Field(
        default_factory=dict,
        description="dotted.path = [v1, v2, ...]: paths that vary together (equal lengths)",
    )
    sample: Sample | None = Field(None, description="Latin-hypercube samples of ranges")
    target_ci: float | None = Field(
        None,
        gt=0.0,
        description="add replicate blocks to a cell until the 95 % interval of 'metric' is "
        "narrower than this (high - low) for every strategy",
    )
    metric: str = Field("adopters", description="metric of target_ci and of the report")
    max_replicates: int = Field(
        1000, ge=1, le=10_000_000, description="most replicates a cell gets with target_ci"
    )

    @model_validator(mode="after")
    def _paths(self) -> Sweep:
        lengths = {len(values) for values in self.zip.values()}
        if len(lengths) > 1:
            raise ValueError(
                f"zip: lists must have equal lengths, got "
                f"{ {path: len(v) for path, v in self.zip.items()} }"
            )
        seen: set[str] = set()
        sampled = self.sample.ranges if self.sample else {}
        for path in [*self.grid, *self.zip, *sampled]:
            if not path or any(not part for part in path.split(".")):
                raise ValueError(f"'{path}' is not a dotted.path")
            if path in seen:
                raise ValueError(f"'{path}' is swept twice; give each path once")
            seen.add(path)
        return self

    @property
    def parameters(self) -> tuple[str, ...]:
        """Every swept path, in axis order."""
        sampled = tuple(self.sample.ranges) if self.sample else ()
        return (*self.grid, *self.zip, *sampled)

    @property
    def axes(self) -> tuple[str, ...]:
        """One path per axis (the first of the zip group): the x-axes of figures."""
        sampled = tuple(self.sample.ranges) if self.sample else ()
        return (*self.grid, *tuple(self.zip)[:1], *sampled)


class Study(cfg.Model):
    """A base scenario and the sweep over it."""

    scenario: cfg.Scenario
    sweep: Sweep = Field(default_factory=Sweep)
    source: str = Field("", description="file the study was read from (not hashed)")


def latin_hypercube(
    count: int, ranges: Mapping[str, tuple[float, float]], *, rng: Any = None
) -> list[dict[str, float | int]]:
    """``count`` points, one in each of ``count`` equal strata of every range.

    Integer bounds give integers (strata of ``low..high`` inclusive).

    Examples
    --------
    >>> points = latin_hypercube(4, {"a": (0.0, 1.0), "b": (1, 4)}, rng=3)
    >>> sorted(int(p["a"] * 4) for p in points), sorted(p["b"] for p in points)
    ([0, 1, 2, 3], [1, 2, 3, 4])
    """
    rng = np.random.default_rng(rng)
    columns = {}
    for path, (low, high) in ranges.items():
        unit = (rng.permutation(count) + rng.random(count)) / count
        if isinstance(low, int) and isinstance(high, int):
            values = np.minimum(low + np.floor(unit * (high - low + 1)), high)
            columns[path] = [int(v) for v in values]
        else:
            columns[path] = [float(v) for v in low + unit * (high - low)]
    return [{path: column[i] for path, column in columns.items()} for i in range(count)]


def sweep_axes(sweep: Sweep, *, seed: int) -> list[list[dict[str, Any]]]:
    """The axes of a sweep: each a list of ``{path: value}`` points.

    Latin-hypercube samples come from the study seed's ``sweep/sample`` stream.
    """
    axes = [[{path: value} for value in values] for path, values in sweep.grid.items()]
    if sweep.zip:
        length = len(next(iter(sweep.zip.values())))
        axes.append([{p: v[i] for p, v in sweep.zip.items()} for i in range(length)])
    if sweep.sample is not None:
        rng = stream(seed, "sweep/sample")
        axes.append(latin_hypercube(sweep.sample.count, sweep.sample.ranges, rng=rng))
    return axes


# --------------------------------------------------------------------------- reading a study


def _flatten(table: Any, prefix: str = "") -> Any:
    """``{trust: {word_of_mouth: [..]}}`` (TOML dotted keys) to ``{"trust.word_of_mouth": [..]}``."""
    if not isinstance(table, dict):
        return table
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _validate_sweep(data: dict[str, Any], *, origin: str) -> Sweep:
    data = dict(data)
    for key in ("grid", "zip"):
        if isinstance(data.get(key), dict):
            data[key] = _flatten(data[key])
    if isinstance(data.get("sample"), dict) and isinstance(data["sample"].get("ranges"), dict):
        data["sample"] = {**data["sample"], "ranges": _flatten(data["sample"]["ranges"])}
    try:
        return Sweep.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = f"is not a sweep option; allowed: {sorted(Sweep.model_fields)}"
        got = first.get("input")
        received = "" if isinstance(got, dict) or first["type"] == "missing" else f" (got {got!r})"
        where = f"sweep.{where}" if where else "sweep"
        raise ConfigError(f"{origin}: {where}: {message}{received}") from None


def parse_values(text: str) -> list[Any]:
    """Comma-separated values, each read as TOML (strings may be bare).

    Examples
    --------
    >>> parse_values("0.5,0.8,1")
    [0.5, 0.8, 1]
    >>> parse_values("threshold,bass")
    ['threshold', 'bass']
    >>> parse_values('[1, 2],[3]')
    [[1, 2], [3]]
    """
    try:
        return list(tomllib.loads(f"v = [{text}]")["v"])
    except tomllib.TOMLDecodeError:
        return [cfg.parse_override(f"v={item}")[1] for item in text.split(",")]


def parse_grid_option(text: str, *, option: str = "--grid") -> tuple[str, list[Any]]:
    """``dotted.path=v1,v2,...`` to the path and its values.

    Examples
    --------
    >>> parse_grid_option("channels.newspaper.budget=250,500")
    ('channels.newspaper.budget', [250, 500])
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or not raw.strip():
        raise ConfigError(f"{option} {text!r}: expected dotted.path=v1,v2,...")
    return path, parse_values(raw.strip())


def linspace_values(low: float, high: float, count: int) -> list[float | int]:
    """``count`` evenly spaced values from ``low`` to ``high``; integers when all are whole
    and the bounds are integers; floats rounded to 12 significant digits.

    Examples
    --------
    >>> linspace_values(0.5, 0.9, 5)
    [0.5, 0.6, 0.7, 0.8, 0.9]
    >>> linspace_values(100, 1000, 4)
    [100, 400, 700, 1000]
    """
    points = np.linspace(low, high, count)
    if isinstance(low, int) and isinstance(high, int) and np.all(points == np.round(points)):
        return [int(p) for p in points]
    return [float(f"{p:.12g}") for p in points]


def parse_range_option(text: str) -> tuple[str, list[float | int]]:
    """``dotted.path=lo:hi:n`` to the path and ``n`` evenly spaced values.

    Examples
    --------
    >>> parse_range_option("trust.word_of_mouth=0.3:0.9:4")
    ('trust.word_of_mouth', [0.3, 0.5, 0.7, 0.9])
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    parts = raw.split(":")
    problem = f"--range {text!r}: expected dotted.path=lo:hi:n (n points from lo to hi)"
    if not sep or not path or len(parts) != 3:
        raise ConfigError(problem)
    try:
        low, high = (tomllib.loads(f"v = {p.strip()}")["v"] for p in parts[:2])
        count = int(parts[2])
    except (tomllib.TOMLDecodeError, ValueError):
        raise ConfigError(problem) from None
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
    if not numbers or count < 1 or low > high:
        raise ConfigError(f"{problem}; got lo={low!r}, hi={high!r}, n={parts[2].strip()!r}")
    return path, linspace_values(low, high, count)


def load_study(
    path: str | Path,
    *,
    overrides: Sequence[str] = (),
    grid: Sequence[str] = (),
    ranges: Sequence[str] = (),
    zips: Sequence[str] = (),
    target_ci: float | None = None,
    metric: str | None = None,
    max_replicates: int | None = None,
) -> Study:
    """Read a TOML study: its ``[sweep]`` table and the rest as a scenario.

    ``overrides`` (``--set``) change the base scenario; ``grid`` (``path=v1,v2``) and
    ``ranges`` (``path=lo:hi:n``) add or replace grid axes; ``zips`` (``path=v1,v2``) add
    paths that vary together; the replication options replace the file's.
    """
    path = Path(path)
    data = cfg.read_toml(path)
    sweep_data = data.pop("sweep", {})
    if not isinstance(sweep_data, dict):
        raise ConfigError(f"{path}: sweep must be a table ([sweep]), got {sweep_data!r}")
    cfg.apply_overrides(data, list(overrides))
    scenario = cfg.validate_scenario(data, origin=str(path))
    sweep_data = copy.deepcopy(sweep_data)
    for key in ("grid", "zip"):
        sweep_data[key] = _flatten(sweep_data.get(key, {}))
    for text in grid:
        name, values = parse_grid_option(text)
        sweep_data["grid"][name] = values
    for text in ranges:
        name, values = parse_range_option(text)
        sweep_data["grid"][name] = values
    for text in zips:
        name, values = parse_grid_option(text, option="--zip")
        sweep_data["zip"][name] = values
    for key, value in (
        ("target_ci", target_ci),
        ("metric", metric),
        ("max_replicates", max_replicates),
    ):
        if value is not None:
            sweep_data[key] = value
    sweep = _validate_sweep(sweep_data, origin=str(path))
    return Study(scenario=scenario, sweep=sweep, source=str(path))


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class Cell:
    """One combination of swept values; ``scenario`` is None when they are invalid."""

    index: int
    id: str
    values: Mapping[str, Any]
    scenario: cfg.Scenario | None
    error: str | None = None

    def describe(self) -> str:
        """``cell 0003 [trust.word_of_mouth=0.5, ...]``."""
        values = ", ".join(f"{p}={_show(v)}" for p, v in self.values.items())
        return f"cell {self.id} [{values}]"


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str | list | tuple | dict) else repr(value)


def _plain(value: Any) -> Any:
    """A model dump with lists for tuples, so that ``set_path`` can index them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _check_paths(study: Study, base: dict[str, Any]) -> None:
    """A misspelt path fails the study (bad input), not every cell."""
    first = {
        path: values[0] for path, values in {**study.sweep.grid, **study.sweep.zip}.items()
    } | ({p: lo for p, (lo, _) in study.sweep.sample.ranges.items()} if study.sweep.sample else {})
    for path, value in first.items():
        data = copy.deepcopy(base)
        cfg.set_path(data, path, value, origin=f"sweep path '{path}'")
        try:
            cfg.validate_scenario(data, origin="sweep")
        except ConfigError as exc:
            if f": {path}: is not a parameter" in str(exc):
                raise ConfigError(
                    f"{study.source or 'study'}: sweep: '{path}' is not a parameter "
                    "(check the spelling; wom show-default lists them all)"
                ) from None


def study_cells(study: Study) -> list[Cell]:
    """Every cell of the study, validated like ``--set`` overrides of the base scenario.

    A value that the scenario rejects fails that cell only (``error`` names the cell, its
    values and the problem); a path that does not exist fails the study.

    Examples
    --------
    >>> study = Study(scenario=cfg.default_scenario(),
    ...     sweep=Sweep(grid={"trust.word_of_mouth": [0.6, 1.5]}))
    >>> [cell.error is None for cell in study_cells(study)]
    [True, False]
    >>> print(study_cells(study)[1].error)
    cell 0001 [trust.word_of_mouth=1.5]: trust.word_of_mouth: Input should be less than or equal to 1 (got 1.5)
    """
    base = _plain(study.scenario.model_dump())
    _check_paths(study, base)
    points = list(itertools.product(*sweep_axes(study.sweep, seed=study.scenario.simulation.seed)))
    width = max(4, len(str(len(points) - 1)))
    cells = []
    for index, point in enumerate(points):
        values = {path: value for part in point for path, value in part.items()}
        cell_id = f"{index:0{width}d}"
        described = Cell(index, cell_id, values, None).describe()
        data = copy.deepcopy(base)
        try:
            for path, value in values.items():
                cfg.set_path(data, path, value, origin=described)
            scenario = cfg.validate_scenario(data, origin=described)
        except ConfigError as exc:
            cells.append(Cell(index, cell_id, values, None, str(exc)))
            continue
        cells.append(Cell(index, cell_id, values, scenario))
    return cells


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, allow_nan=True, default=repr, separators=(",", ":"))


def study_hash(study: Study, cells: Sequence[Cell]) -> str:
    """Hash of the resolved study: base scenario, sweep options and every cell's values."""
    from simulator.toml_writer import scenario_to_toml

    text = _canonical(
        {
            "format": FORMAT,
            "scenario": scenario_to_toml(study.scenario, comments=False),
            "sweep": study.sweep.model_dump(),
            "cells": [cell.values for cell in cells],
        }
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _metric_names(scenario: cfg.Scenario) -> list[str]:
    """Every per-replicate and ratio metric a strategy of ``scenario`` can have."""
    from simulator import metrics
    from simulator.results import SERIES, StrategyResult

    channels = len(scenario.channels)
    empty = StrategyResult(
        name="",
        channels=tuple(scenario.channels),
        series={name: np.zeros((1, 2), np.int32) for name in SERIES},
        impressions=np.zeros((1, channels)),
        reach=np.zeros((1, channels)),
        cost=np.zeros((1, channels)),
        by_source=np.zeros((1, len(cfg.SOURCE_TYPES))),
        by_channel=np.zeros((1, channels + 1)),
        direct=np.zeros(1),
        messages=np.zeros(1),
    )
    return [*metrics.replicate_metrics(empty, np.arange(2.0), margin=1.0), *metrics.RATIOS]


def _column_values(cells: Sequence[Cell], parameters: Sequence[str]) -> list[dict[str, Any]]:
    """Table values of the swept parameters: scalars as they are, anything else as JSON."""
    columns: list[dict[str, Any]] = [{} for _ in cells]
    for path in parameters:
        values = [cell.values[path] for cell in cells]
        kinds = {
            "bool"
            if isinstance(v, bool)
            else "number"
            if isinstance(v, int | float)
            else "str"
            if isinstance(v, str)
            else "other"
            for v in values
        }
        as_json = len(kinds) > 1 or kinds == {"other"}
        as_float = kinds == {"number"} and any(isinstance(v, float) for v in values)
        for row, value in zip(columns, values, strict=True):
            if as_json:
                value = json.dumps(value, sort_keys=True)
            elif as_float:
                value = float(value)
            row[path] = value
    return columns


# --------------------------------------------------------------------------- one cell


@dataclass(frozen=True)
class CellTask:
    """What a worker needs to run one cell (picklable)."""

    id: str
    scenario: cfg.Scenario
    target_ci: float | None
    metric: str
    max_replicates: int
    graphs: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CellOutcome:
    """A cell's tables (``replicates``, ``summary``) or its error."""

    id: str
    replicates: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    error: str | None = None
    target_met: bool | None = None
    seconds: float = 0.0
    versions: Mapping[str, str] = field(default_factory=dict)


def _narrow_enough(result: RunResult, metric: str, width: float) -> bool:
    from simulator.metrics import strategy_summary

    margin = result.scenario.product.margin
    for strategy in result.strategies:
        row = strategy_summary(strategy, result.days, margin)
        if metric not in row:  # a channel metric of a strategy without that channel
            continue
        if not row[f"{metric}_high"] - row[f"{metric}_low"] < width:  # NaN: not yet
            return False
    return True


def simulate_cell(
    scenario: cfg.Scenario,
    *,
    target_ci: float | None = None,
    metric: str = "adopters",
    max_replicates: int = 1000,
    graphs: Mapping[str, Any] | None = None,
) -> tuple[RunResult, bool | None]:
    """Simulate a cell, adding replicate blocks until ``metric``'s interval is narrow enough.

    Without ``target_ci`` this is :func:`simulator.engine.simulate`. With it, blocks of
    ``simulation.block_size`` replicates, with new block indices (so earlier replicates are
    kept and results stay deterministic), are added to every strategy together until the
    95 % interval of ``metric`` is narrower than ``target_ci`` for every strategy or
    ``max_replicates`` is reached. Returns the result and whether the target was met (None
    without a target).

    Examples
    --------
    >>> s = cfg.default_scenario().model_copy(update={"simulation": cfg.Simulation(
    ...     steps=5, replicates=2, block_size=2)})
    >>> result, met = simulate_cell(s, target_ci=1e9)
    >>> met, result.strategies[0].replicates
    (True, 2)
    """
    from simulator.engine import block_sizes, prepare, run_block
    from simulator.results import RunResult, StrategyResult

    sim = scenario.simulation
    prepared = prepare(scenario, graphs=graphs)
    sizes = block_sizes(sim.replicates, sim.block_size)
    blocks = [[run_block(p, b, n) for b, n in enumerate(sizes)] for p in prepared]
    days = np.arange(sim.steps + 1) * sim.step_days

    def merged() -> RunResult:
        strategies = tuple(
            StrategyResult.from_arrays(p, {k: np.concatenate([b[k] for b in bs]) for k in bs[0]})
            for p, bs in zip(prepared, blocks, strict=True)
        )
        return RunResult(scenario=scenario, strategies=strategies, days=days)

    result = merged()
    if target_ci is None:
        return result, None
    total = sim.replicates
    met = _narrow_enough(result, metric, target_ci)
    while not met and total < max_replicates:
        extra = min(sim.block_size, max_replicates - total)
        block = len(sizes)
        sizes.append(extra)
        for p, bs in zip(prepared, blocks, strict=True):
            bs.append(run_block(p, block, extra))
        total += extra
        result = merged()
        met = _narrow_enough(result, metric, target_ci)
    return result, met


def _summary_table(result: RunResult) -> pd.DataFrame:
    """:func:`simulator.metrics.strategy_summary` of each strategy, headline metrics first."""
    import pandas as pd

    from simulator.metrics import HEADLINE, strategy_summary

    margin = result.scenario.product.margin
    frame = pd.DataFrame([strategy_summary(s, result.days, margin) for s in result.strategies])
    first = ["strategy", "replicates"] + [
        f"{m}{suffix}" for m in HEADLINE for suffix in ("", "_low", "_high")
    ]
    return frame[first + [c for c in frame.columns if c not in first]]


def run_cell(task: CellTask) -> CellOutcome:
    """Run one cell in a worker; any error fails this cell only.

    A top-level function of picklable arguments, so it runs under ``spawn`` process pools,
    in Jupyter and on Dask workers.
    """
    from simulator import metrics

    started = time.perf_counter()
    try:
        result, met = simulate_cell(
            task.scenario,
            target_ci=task.target_ci,
            metric=task.metric,
            max_replicates=task.max_replicates,
            graphs=task.graphs,
        )
        replicates = metrics.replicate_table(result)
        summary = _summary_table(result)
    except Exception as exc:  # one broken cell must not stop the study
        kind = "" if isinstance(exc, SimulatorError) else f"{type(exc).__name__}: "
        return CellOutcome(task.id, error=f"{kind}{exc}", seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    return CellOutcome(task.id, replicates, summary, None, met, seconds, numeric_versions())


# --------------------------------------------------------------------------- executors


def _ignore_sigint() -> None:
    # Ctrl-C is the parent's to handle: it stops the pool; workers must not print tracebacks.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_pool(pool: Any, *, abort: bool) -> None:
    if abort:
        terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
        if terminate is not None:
            terminate()
        else:  # older Pythons: stop the running cells rather than wait for them
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


_NO_WORKER = (
    "the worker processes stopped before finishing any cell: from a script, call run_sweep "
    "under 'if __name__ == \"__main__\":' (workers start with spawn, which imports the main "
    "module again); otherwise a cell may need more memory than a worker has (lower "
    "population.size or simulation.block_size, or use one worker)"
)


def _run_local(tasks: Sequence[CellTask], workers: int) -> Iterator[CellOutcome]:
    """Cells in this process (one worker) or in a pool of ``spawn`` processes."""
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_cell(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    deaths: dict[str, int] = {}
    finished_any = False
    queue = list(tasks)
    while queue:
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(queue)), mp_context=context, initializer=_ignore_sigint
        )
        finished = False
        try:
            futures = {pool.submit(run_cell, task): task for task in queue}
            queue = []
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                    finished_any = True
                except BrokenProcessPool:
                    if not finished_any:
                        raise SimulatorError(_NO_WORKER) from None
                    # Every cell still in the pool lands here; run them again in a new pool.
                    deaths[task.id] = deaths.get(task.id, 0) + 1
                    if deaths[task.id] < MAX_WORKER_DEATHS:
                        queue.append(task)
                        continue
                    outcome = CellOutcome(
                        task.id,
                        error=f"its worker process died {MAX_WORKER_DEATHS} times "
                        "(out of memory? lower population.size or simulation.block_size)",
                    )
                except Exception as exc:
                    outcome = CellOutcome(task.id, error=f"{type(exc).__name__}: {exc}")
                yield outcome
            finished = True
        finally:
            _stop_pool(pool, abort=not finished)
        queue.sort(key=lambda task: task.id)


def _run_dask(
    tasks: Sequence[CellTask], workers: int, scheduler: str | None, key: str
) -> Iterator[CellOutcome]:
    """Cells on a Dask cluster: ``scheduler``'s, or a new LocalCluster of ``workers``."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SimulatorError(
            "--executor dask needs dask.distributed: pip install 'wom-simulator[dask]'"
        ) from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise SimulatorError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    else:
        import logging

        try:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,  # cancelling on Ctrl-C logs warnings by design
            )
        except Exception as exc:  # e.g. a script without a main guard
            raise SimulatorError(
                f"cannot start a Dask LocalCluster ({exc}); {_NO_WORKER}"
            ) from None
        client = Client(cluster)
        client.run(_ignore_sigint)  # our own workers: Ctrl-C is the client's to handle
    futures = []
    finished = False
    try:
        by_key = {}
        for task in tasks:
            # Keys name the study and the cell: a resumed client reuses in-flight cells.
            future = client.submit(run_cell, task, key=f"wom-{key}-{task.id}", pure=False)
            by_key[future.key] = task
            futures.append(future)
        for future in as_completed(futures):
            task = by_key[future.key]
            try:
                outcome = future.result()
            except Exception as exc:  # a worker died repeatedly, or cannot import simulator
                outcome = CellOutcome(
                    task.id, error=f"the Dask task failed: {type(exc).__name__}: {exc}"
                )
            future.release()
            yield outcome
        finished = True
    finally:
        if not finished:
            client.cancel(futures)
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- files


def _fsync_write(path: Path, write: Callable[[Any], None]) -> None:
    """Write through a temporary file, flush it to disk, then rename it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _write_text(path: Path, text: str) -> None:
    _fsync_write(path, lambda handle: handle.write(text.encode("utf-8")))


def _write_parquet(path: Path, frame: pd.DataFrame, metadata: Mapping[str, Any] | None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if metadata is not None:
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), b"wom_sweep": _canonical(metadata).encode()}
        )
    _fsync_write(path, lambda handle: pq.write_table(table, handle))


def _cell_metadata(path: Path) -> dict[str, Any] | None:
    """The sweep metadata of a cell file; None when the file is unreadable (half written)."""
    import pyarrow.parquet as pq

    try:
        raw = (pq.read_schema(path).metadata or {}).get(b"wom_sweep")
        return json.loads(raw) if raw else None
    except Exception:
        return None


def _differences(old: Mapping[str, str], new: Mapping[str, str], label: str) -> str:
    return ", ".join(
        f"{name} {old.get(name)} ({label} {new.get(name)})"
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    )


def _prepare_out(out: Path, key: str, versions: Mapping[str, str], fresh: bool) -> None:
    """Create ``out``, or check that it holds this study made with these package versions;
    ``fresh`` discards another study's cells instead of refusing to mix them."""
    if out.exists() and not out.is_dir():
        raise SimulatorError(f"--out {out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        old = None
        if (out / "manifest.json").exists():
            try:
                old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
        if (old is None or old.get("kind") != "wom sweep") and not (out / "cells").is_dir():
            raise SimulatorError(
                f"--out {out}: folder holds files that are not a sweep's; choose another folder"
            )
        problem = None
        if old and old.get("study_hash", key) != key:
            problem = f"the config changed: study hash {old['study_hash']}, now {key}"
        for path in sorted((out / "cells").glob("*.parquet")) if problem is None else ():
            meta = _cell_metadata(path)
            if meta is None or path.name.endswith(".summary.parquet"):
                continue
            if meta.get("study_hash") != key:
                problem = f"the config changed: study hash {meta.get('study_hash')}, now {key}"
            elif meta.get("versions") != versions:
                problem = f"made with {_differences(meta.get('versions') or {}, versions, 'now')}"
            if problem is not None:
                break
        if problem is not None and not fresh:
            raise SimulatorError(
                f"--out {out}: holds cells of a different study ({problem}); pass --fresh to "
                "discard them, or choose another --out"
            )
        if fresh:
            for name in ("cells", "configs"):
                shutil.rmtree(out / name, ignore_errors=True)
            for name in _OUTPUT_FILES:
                (out / name).unlink(missing_ok=True)
    (out / "cells").mkdir(parents=True, exist_ok=True)
    (out / "configs").mkdir(exist_ok=True)
    for stale in (out / "cells").glob(".*.tmp"):
        stale.unlink(missing_ok=True)


def _finished_cells(out: Path, cells: Sequence[Cell], key: str) -> dict[str, dict[str, Any]]:
    """Metadata of the cells already on disk for this study."""
    found = {}
    for cell in cells:
        path = out / "cells" / f"{cell.id}.parquet"
        if not path.exists():
            continue
        meta = _cell_metadata(path)
        summary = out / "cells" / f"{cell.id}.summary.parquet"
        if meta is None or meta.get("study_hash") != key or not summary.exists():
            path.unlink(missing_ok=True)  # half-written by a lost machine: compute again
            continue
        found[cell.id] = meta
    return found


def _with_parameters(frame: pd.DataFrame, cell: Cell, columns: Mapping[str, Any]) -> pd.DataFrame:
    frame = frame.copy()
    for position, (path, value) in enumerate([("cell", cell.index), *columns.items()]):
        if path in frame.columns:
            raise ConfigError(f"swept path '{path}' clashes with a metric column of that name")
        frame.insert(position, path, value)
    return frame


def _study_toml(study: Study) -> str:
    from simulator.toml_writer import _value, scenario_to_toml

    lines = [scenario_to_toml(study.scenario, comments=False).rstrip(), "", "[sweep]"]
    for name, value in study.sweep.model_dump(exclude_none=True).items():
        if name == "sample":
            continue
        lines.append(f"{name} = {_value(value)}")
    if study.sweep.sample is not None:
        lines += ["", "[sweep.sample]"]
        lines += [f"{k} = {_value(v)}" for k, v in study.sweep.sample.model_dump().items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- running a study


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


NUMERIC_PACKAGES = ("wom-simulator", "numpy", "scipy", "networkx")
"""Packages whose versions shape a cell's numbers: cells made with others are not mixed."""


@functools.cache
def _installed(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def numeric_versions() -> dict[str, str]:
    """Versions of :data:`NUMERIC_PACKAGES` here (a worker reports its own with each cell)."""
    return {package: _installed(package) for package in NUMERIC_PACKAGES}


def _versions() -> dict[str, str]:
    from importlib import metadata

    from simulator.results import versions

    found = versions()
    for package in ("pyarrow", "dask", "distributed"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def _combine(out: Path, cells: Sequence[Cell], done: Mapping[str, Any], kind: str) -> pd.DataFrame:
    import pandas as pd

    suffix = ".parquet" if kind == "replicates" else ".summary.parquet"
    frames = [pd.read_parquet(out / "cells" / f"{c.id}{suffix}") for c in cells if c.id in done]
    if not frames:
        return pd.DataFrame({"cell": pd.Series(dtype="int64")})
    return pd.concat(frames, ignore_index=True)


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
) -> SweepResult:
    """Run every cell of ``study`` not yet in ``out`` and write the study's outputs.

    Parameters
    ----------
    study : Study
        Base scenario and sweep (see :func:`load_study`).
    out : path
        Output folder; rerunning into it computes only missing cells.
    executor : {"local", "dask"}
        ``local``: this process (one worker) or a pool of ``spawn`` processes; ``dask``: the
        cluster at ``scheduler``, or a new ``LocalCluster`` of ``workers`` processes.
    workers : int, optional
        Processes (default: the machine's CPU count). Results do not depend on it.
    fresh : bool
        Discard cells of another study found in ``out`` instead of refusing to mix them.
    csv, intervals : bool
        Write the table as CSV instead of Parquet; one row per cell and strategy with mean
        and 95 % interval instead of one per replicate.
    progress : callable, optional
        Called with a :class:`SweepProgress` first and after every cell.

    Returns
    -------
    SweepResult
        Both tables (replicates and summary, sorted by cell) and the failed cells.
    """
    started = time.perf_counter()
    out = Path(out)
    if executor not in ("local", "dask"):
        raise ConfigError(f"executor must be 'local' or 'dask', got {executor!r}")
    if scheduler and executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    workers = workers if workers is not None else os.cpu_count() or 1
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {workers}")
    sweep = study.sweep
    allowed = _metric_names(study.scenario)
    if sweep.metric not in allowed:
        raise ConfigError(f"--metric {sweep.metric!r} is not a metric; allowed: {allowed}")

    cells = study_cells(study)
    key = study_hash(study, cells)
    columns = _column_values(cells, sweep.parameters)
    versions = numeric_versions()
    _prepare_out(out, key, versions, fresh)
    from simulator.toml_writer import scenario_to_toml

    for cell in cells:
        path = out / "configs" / f"{cell.id}.toml"
        if cell.scenario is not None and not path.exists():
            _write_text(path, scenario_to_toml(cell.scenario, comments=False))
    _write_text(out / "study.toml", _study_toml(study))

    done = _finished_cells(out, cells, key)
    reused = len(done)
    failed = {cell.id: cell.error for cell in cells if cell.error is not None}
    status: dict[str, dict[str, Any]] = {}
    by_id = {cell.id: cell for cell in cells}

    def manifest(state: str) -> None:
        entries = []
        for cell in cells:
            entry: dict[str, Any] = {"id": cell.id, "index": cell.index, "values": cell.values}
            if cell.id in done:
                entry.update(status="done", **done[cell.id].get("outcome", {}))
            elif cell.id in failed:
                entry.update(status="failed", error=failed[cell.id])
            else:
                entry.update(status="pending")
            entry.update(status.get(cell.id, {}))
            entries.append(entry)
        data = {
            "kind": "wom sweep",
            "format": FORMAT,
            "study_hash": key,
            "status": state,
            "title": study.scenario.title,
            "config": study.source,
            "seed": study.scenario.simulation.seed,
            "parameters": list(sweep.parameters),
            "sweep": json.loads(_canonical(sweep.model_dump())),
            "counts": {
                "total": len(cells),
                "done": len(done),
                "failed": len(failed),
                "pending": len(cells) - len(done) - len(failed),
                "reused": reused,
            },
            "executor": executor,
            "workers": workers if executor == "local" or not scheduler else None,
            "scheduler": scheduler,
            "command": list(command) if command is not None else None,
            "versions": _versions(),
            "wall_seconds": round(time.perf_counter() - started, 3),
            "cells": entries,
        }
        _write_text(out / "manifest.json", _canonical(data).replace("},{", "},\n{") + "\n")
        written[0] = time.perf_counter()

    written = [0.0]

    def report_progress(cell: Cell | None = None, error: str | None = None) -> None:
        if progress is not None:
            progress(SweepProgress(len(done), len(failed), len(cells), reused, cell, error))

    manifest("running")
    report_progress()
    for cell in cells:
        if cell.error is not None:
            report_progress(cell, cell.error)
    tasks = [
        CellTask(
            cell.id, cell.scenario, sweep.target_ci, sweep.metric, sweep.max_replicates, graphs
        )
        for cell in cells
        if cell.scenario is not None and cell.id not in done
    ]
    outcomes = (
        _run_local(tasks, workers)
        if executor == "local"
        else _run_dask(tasks, workers, scheduler, key)
    )
    try:
        with closing(outcomes):
            for outcome in outcomes:
                cell = by_id[outcome.id]
                if outcome.error is None and outcome.versions != versions:
                    outcome = CellOutcome(
                        cell.id,
                        error="the worker that ran it has "
                        f"{_differences(outcome.versions, versions, 'here')}: install the same "
                        "versions on every machine",
                    )
                if outcome.error is not None:
                    failed[cell.id] = f"{cell.describe()}: {outcome.error}"
                    report_progress(cell, failed[cell.id])
                    continue
                meta = {
                    "study_hash": key,
                    "cell": cell.id,
                    "values": cell.values,
                    "versions": versions,
                    "outcome": {
                        "replicates": int(outcome.summary["replicates"].min()),
                        "target_met": outcome.target_met,
                    },
                }
                # The summary first: the replicates file is the mark of a finished cell.
                row_values = columns[cell.index]
                _write_parquet(
                    out / "cells" / f"{cell.id}.summary.parquet",
                    _with_parameters(outcome.summary, cell, row_values),
                    meta,
                )
                _write_parquet(
                    out / "cells" / f"{cell.id}.parquet",
                    _with_parameters(outcome.replicates, cell, row_values),
                    meta,
                )
                done[cell.id] = meta
                status[cell.id] = {"seconds": round(outcome.seconds, 3)}
                report_progress(cell)
                if time.perf_counter() - written[0] > MANIFEST_SECONDS:
                    manifest("running")
    except BaseException:
        manifest("interrupted")
        raise

    replicates = _combine(out, cells, done, "replicates")
    summary = _combine(out, cells, done, "summary")
    table = summary if intervals else replicates
    name = "summary" if intervals else "replicates"
    for stale in _OUTPUT_FILES[2:6]:
        (out / stale).unlink(missing_ok=True)
    if csv:
        _write_text(out / f"{name}.csv", table.to_csv(index=False))
    else:
        _write_parquet(out / f"{name}.parquet", table, None)
    if report:
        from simulator.sweep_report import sweep_report_html

        html = sweep_report_html(summary, study, cells=cells, failed=failed, study_hash=key)
        _write_text(out / "report.html", html)
    manifest("complete" if not failed else "failed cells")
    return SweepResult(
        out, key, tuple(cells), replicates, summary, dict(failed), len(done) - reused, reused
    )


# --------------------------------------------------------------------------- the wom sweep command


def add_sweep_parser(commands: Any) -> None:
    """Add the ``sweep`` subcommand to the ``wom`` command's subparsers."""
    parser = commands.add_parser(
        "sweep",
        help="run a parameter sweep (grid, Latin hypercube) on local processes or Dask",
        description="Run every cell of a study: the config's [sweep] table plus --grid / "
        "--range axes. Rerunning the same command resumes an interrupted sweep.",
    )
    parser.add_argument("config", help="TOML scenario with a [sweep] table")
    parser.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="a grid axis, e.g. --grid trust.word_of_mouth=0.5,0.7,0.9 (repeatable)",
    )
    parser.add_argument(
        "--range",
        action="append",
        default=[],
        dest="ranges",
        metavar="PATH=LO:HI:N",
        help="a grid axis of N evenly spaced values from LO to HI (repeatable)",
    )
    parser.add_argument(
        "--zip",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="paths that vary together, as one axis (repeatable; equal lengths)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter of the base scenario (repeatable)",
    )
    parser.add_argument("--executor", choices=("local", "dask"), default="local")
    parser.add_argument("--workers", type=int, metavar="N", help="processes (default: CPU count)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler, tcp://HOST:8786")
    parser.add_argument("--out", type=Path, help="output folder (default: CONFIG-sweep beside it)")
    parser.add_argument("--csv", action="store_true", help="write the table as CSV, not Parquet")
    parser.add_argument(
        "--intervals",
        action="store_true",
        help="one row per cell and strategy with mean and 95 %% interval",
    )
    parser.add_argument(
        "--target-ci",
        type=float,
        metavar="WIDTH",
        help="add replicate blocks until the 95 %% interval of --metric is narrower than WIDTH",
    )
    parser.add_argument(
        "--metric", metavar="NAME", help="metric of --target-ci and the report (adopters)"
    )
    parser.add_argument(
        "--max-replicates", type=int, metavar="N", help="cap of --target-ci (default 1000)"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="discard cells of a changed config in --out"
    )
    parser.add_argument("--dry-run", action="store_true", help="list the cells, run nothing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def default_out(config: str | Path) -> Path:
    """``experiments/x.toml`` to ``experiments/x-sweep`` (same folder whatever the cwd).

    Examples
    --------
    >>> default_out("studies/budget.toml").as_posix()
    'studies/budget-sweep'
    """
    config = Path(config)
    return config.with_name(f"{config.stem}-sweep")


def sweep_command(args: argparse.Namespace) -> int:
    """Run ``wom sweep``: exit 0, 1 when a cell failed, 2 on bad input (raised)."""
    if args.max_replicates is not None and args.target_ci is None:
        raise ConfigError("--max-replicates needs --target-ci")
    study = load_study(
        args.config,
        overrides=args.set,
        grid=args.grid,
        ranges=args.ranges,
        zips=args.zip,
        target_ci=args.target_ci,
        metric=args.metric,
        max_replicates=args.max_replicates,
    )
    out = args.out if args.out is not None else default_out(args.config)
    if args.dry_run:
        cells = study_cells(study)
        for cell in cells:
            print(cell.error if cell.error else f"{cell.describe()}: ok")
        bad = sum(cell.error is not None for cell in cells)
        print(f"{len(cells)} cells, {bad} invalid; study hash {study_hash(study, cells)}")
        return 1 if bad else 0

    from tqdm import tqdm

    bars: list[tqdm] = []  # made at the first report, once the study is known to be valid

    def progress(event: SweepProgress) -> None:
        if event.cell is None:
            # Cells already on disk start the bar; its rate and time left count new ones.
            bars.append(
                tqdm(
                    total=event.total,
                    initial=event.done,
                    desc="cells",
                    unit="cell",
                    file=sys.stderr,
                    disable=args.quiet,
                )
            )
        else:
            bars[0].update(1)
        if event.error is not None:
            bars[0].write(f"wom: failed: {event.error}", file=sys.stderr)
        bars[0].set_postfix(failed=event.failed, refresh=False)

    try:
        result = run_sweep(
            study,
            out,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            fresh=args.fresh,
            csv=args.csv,
            intervals=args.intervals,
            progress=progress,
            command=sys.argv,
        )
    except KeyboardInterrupt:
        for bar in bars:
            bar.close()
        on_disk = sum(
            not p.name.endswith(".summary.parquet") for p in (out / "cells").glob("*.parquet")
        )
        print(
            f"wom: sweep interrupted with {on_disk} cells on disk in {out}; rerun the same "
            "command to compute the rest",
            file=sys.stderr,
        )
        raise
    finally:
        for bar in bars:
            bar.close()
    if not args.quiet:
        table = "summary" if args.intervals else "replicates"
        print(
            f"{len(result.cells)} cells: {result.computed} computed, {result.reused} already "
            f"in {out}, {len(result.failed)} failed; study hash {result.study_hash}"
        )
        print(f"results written to {out / (table + ('.csv' if args.csv else '.parquet'))}")
    if result.failed:
        print(
            f"wom: {len(result.failed)} cells failed (see above and manifest.json)", file=sys.stderr
        )
        return 1
    return 0
