"""Parameter sweeps and ensembles: cells of a study, run on local processes or Dask, resumable.

A *study* is a base scenario plus a ``[sweep]`` table that names the parameters to vary
(dotted paths, as for ``--set``). Each combination of values is a *cell*: the base scenario
with those overrides, validated like ``--set``. Every cell keeps the study's
``simulation.seed``, so cells share common random numbers, and a cell's results depend only
on its config and that seed, never on the executor, the number of workers or the order in
which cells finish.

A sweep writes into one folder::

    OUT/manifest.json        study hash, seed, versions, every cell and its status, files
    OUT/study.toml           the resolved base scenario and its [sweep] table
    OUT/configs/<cell>.toml  the resolved scenario of each cell
    OUT/cells/<cell>.parquet one row per strategy and replicate, written atomically as the
                             cell finishes (with <cell>.summary.parquet written just before)
    OUT/replicates.parquet   every cell (or summary.parquet with intervals; .csv with csv)
    OUT/report.html          figures: metric against each swept parameter, heatmaps

Rerunning the same study into the same folder computes only the missing cells (and the failed
ones, and any whose files are damaged); a folder that holds another study's cells, or cells
computed with other versions of the packages that shape the numbers, is refused unless
``fresh`` is given. ``fresh`` empties only a folder that holds nothing but a sweep's files
(the manifest's ``files`` lists them; see :func:`simulator.outputs.check_replaceable`); a
resume leaves any other file alone.

Every option, the number of cells (at most :data:`MAX_CELLS`), the memory of the biggest
cells, the output folder and the Dask scheduler are checked before any cell runs or any file
is written. Worker processes exit when the sweep's process dies, even by ``kill -9``
(:mod:`simulator.lifeline`).

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
import re
import shutil
import sys
import time
import tomllib
from collections.abc import Callable, Generator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from simulator import config as cfg
from simulator import lifeline, outputs
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

MAX_CELLS = 100_000
"""Most cells a study may have (product of the axis lengths), checked before building them:
a cell costs about 25 kB of memory before it runs and a file or two after."""

_OUTPUT_FILES = (
    "manifest.json",
    "study.toml",
    "replicates.parquet",
    "replicates.csv",
    "summary.parquet",
    "summary.csv",
    "report.html",
)
_TABLES = _OUTPUT_FILES[2:6]
_ENTRIES = frozenset(("cells", "configs", *_OUTPUT_FILES))
"""Everything a sweep writes at the top of its folder (listed in the manifest's ``files``)."""


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
    >>> parse_grid_option("trust.word_of_mouth=0.5,,0.9")
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: --grid 'trust.word_of_mouth=0.5,,0.9': value 2 is empty; expected dotted.path=v1,v2,...
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or not raw.strip():
        raise ConfigError(f"{option} {text!r}: expected dotted.path=v1,v2,...")
    values = parse_values(raw.strip())
    for position, value in enumerate(values, start=1):
        if value == "":
            raise ConfigError(
                f"{option} {text!r}: value {position} is empty; expected dotted.path=v1,v2,..."
            )
    if len(values) > MAX_CELLS:
        raise ConfigError(
            f"{option} {path}: {len(values):,} values; a sweep has at most {MAX_CELLS:,} cells"
        )
    return path, values


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer beyond the float range
        return False


def linspace_values(low: float, high: float, count: int) -> list[float | int]:
    """``count`` evenly spaced values from ``low`` to ``high``; integers when all are whole
    and the bounds are integers; floats rounded to 12 significant digits.

    ``count`` must be a whole number from 1 to :data:`MAX_CELLS` and the bounds finite
    numbers (checked before anything is allocated).

    Examples
    --------
    >>> linspace_values(0.5, 0.9, 5)
    [0.5, 0.6, 0.7, 0.8, 0.9]
    >>> linspace_values(100, 1000, 4)
    [100, 400, 700, 1000]
    >>> linspace_values(0.5, 0.9, 10**9)
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: 1,000,000,000 points: a sweep has at most 100,000 cells
    """
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise ConfigError(f"the number of points must be a whole number >= 1, got {count!r}")
    if count > MAX_CELLS:
        raise ConfigError(f"{count:,} points: a sweep has at most {MAX_CELLS:,} cells")
    if not (_finite_number(low) and _finite_number(high)):
        raise ConfigError(f"the bounds must be finite numbers, got {low!r} and {high!r}")
    whole = all(isinstance(v, int) and abs(v) < 2**53 for v in (low, high))  # exact in float64
    points = np.linspace(float(low), float(high), int(count))
    if whole and np.all(points == np.round(points)):
        return [int(p) for p in points]
    return [float(f"{p:.12g}") for p in points]


def parse_range_option(text: str) -> tuple[str, list[float | int]]:
    """``dotted.path=lo:hi:n`` to the path and ``n`` evenly spaced values.

    ``lo`` and ``hi`` are finite numbers with ``lo <= hi`` (``lo < hi`` when ``n > 1``), and
    ``n`` a whole number from 1 to :data:`MAX_CELLS`.

    Examples
    --------
    >>> parse_range_option("trust.word_of_mouth=0.3:0.9:4")
    ('trust.word_of_mouth', [0.3, 0.5, 0.7, 0.9])
    >>> parse_range_option("trust.word_of_mouth=0.5:0.9:1000000000")
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: --range trust.word_of_mouth: 1,000,000,000 points; a sweep has at most 100,000 cells
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    parts = raw.split(":")
    problem = f"--range {text!r}: expected dotted.path=lo:hi:n (n points from lo to hi)"
    if not sep or not path or len(parts) != 3:
        raise ConfigError(problem)
    try:
        low, high = (tomllib.loads(f"v = {p.strip()}")["v"] for p in parts[:2])
    except tomllib.TOMLDecodeError:
        raise ConfigError(problem) from None
    count_text = parts[2].strip()
    got = f"got lo={parts[0].strip()}, hi={parts[1].strip()}, n={count_text}"
    if not re.fullmatch(r"[0-9]+", count_text) or int(count_text) < 1:
        raise ConfigError(f"{problem}; n must be a whole number >= 1, {got}")
    count = int(count_text)
    if count > MAX_CELLS:
        raise ConfigError(
            f"--range {path}: {count:,} points; a sweep has at most {MAX_CELLS:,} cells"
        )
    if not (_finite_number(low) and _finite_number(high)):
        raise ConfigError(f"{problem}; lo and hi must be finite numbers, {got}")
    if low > high or (low == high and count > 1):
        need = "lo <= hi" if low > high else "lo < hi for n > 1 (or --grid for one value)"
        raise ConfigError(f"{problem}; need {need}, {got}")
    return path, linspace_values(low, high, count)


def cell_count(sweep: Sweep) -> int:
    """Cells of a sweep: the product of its axis lengths (computed without building them).

    Examples
    --------
    >>> cell_count(Sweep(grid={"a.b": [1, 2, 3]}, zip={"c.d": [1, 2], "e.f": [3, 4]}))
    6
    """
    lengths = [len(values) for values in sweep.grid.values()]
    if sweep.zip:
        lengths.append(len(next(iter(sweep.zip.values()))))
    if sweep.sample is not None:
        lengths.append(sweep.sample.count)
    return math.prod(lengths)


def check_cell_count(
    sweep: Sweep, *, origin: str = "study", options: Mapping[str, str] | None = None
) -> int:
    """Refuse a sweep of more than :data:`MAX_CELLS` cells, before any is built.

    ``options`` names where each path's axis came from (``--range``, ``--grid``, ...), for
    the message; axes from the file are named ``sweep.grid.PATH`` and so on. Returns the
    number of cells.
    """
    count = cell_count(sweep)
    if count <= MAX_CELLS:
        return count
    options = options or {}
    axes = [(options.get(p, f"sweep.grid.{p}"), p, len(v)) for p, v in sweep.grid.items()]
    if sweep.zip:
        first = next(iter(sweep.zip))
        axes.append((options.get(first, "sweep.zip"), first, len(sweep.zip[first])))
    if sweep.sample is not None:
        axes.append(("sweep.sample.count", "", sweep.sample.count))
    shape = " x ".join(
        f"{where}{' ' + path if path and not where.endswith(path) else ''} ({length:,})"
        for where, path, length in axes
    )
    raise ConfigError(
        f"{origin}: the sweep has {count:,} cells ({shape}), more than the {MAX_CELLS:,} a "
        "sweep may have; use fewer values or a Latin-hypercube sample (sweep.sample)"
    )


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
    options: dict[str, str] = {}  # where each command-line axis came from, for messages
    for text in grid:
        name, values = parse_grid_option(text)
        sweep_data["grid"][name] = values
        options[name] = "--grid"
    for text in ranges:
        name, values = parse_range_option(text)
        sweep_data["grid"][name] = values
        options[name] = "--range"
    for text in zips:
        name, values = parse_grid_option(text, option="--zip")
        sweep_data["zip"][name] = values
        options[name] = "--zip"
    for key, value in (
        ("target_ci", target_ci),
        ("metric", metric),
        ("max_replicates", max_replicates),
    ):
        if value is not None:
            sweep_data[key] = value
    sweep = _validate_sweep(sweep_data, origin=str(path))
    check_cell_count(sweep, origin=str(path), options=options)
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
    check_cell_count(study.sweep, origin=study.source or "study")
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
    from simulator.config.toml import scenario_to_toml

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

    Without ``target_ci`` this is :func:`simulator.engine.run.simulate`. With it, blocks of
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
    from simulator.engine.run import block_sizes, prepare, run_block
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

Outcomes = Generator[CellOutcome, None, None]
"""What an executor yields, cell by cell as they finish; closing it stops the workers."""


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


def _run_local(tasks: Sequence[CellTask], workers: int) -> Outcomes:
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
        # Workers exit with this process, even when it is killed (no orphans computing on).
        pool = ProcessPoolExecutor(
            max_workers=min(workers, len(queue)),
            mp_context=context,
            initializer=lifeline.start_worker,
            initargs=(os.getpid(), lifeline.ignore_interrupt),
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


SCHEDULER_SCHEMES = ("tcp", "tls", "ucx", "inproc")
"""Dask comm protocols a ``--scheduler`` address may name."""

_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)"
_ADDRESS = re.compile(rf"(?:(?P<scheme>[A-Za-z0-9]+)://)?(?P<host>{_HOST}):(?P<port>[0-9]{{1,5}})")
_INPROC = re.compile(rf"inproc://{_HOST}/[0-9]+/[0-9]+")


def check_scheduler_address(address: str, *, option: str = "--scheduler") -> str:
    """Check the form of a Dask scheduler address, ``SCHEME://HOST:PORT``, before connecting.

    A missing scheme is ``tcp`` (as Dask reads it). Returns the address.

    Examples
    --------
    >>> check_scheduler_address("tcp://10.0.0.5:8786")
    'tcp://10.0.0.5:8786'
    >>> check_scheduler_address("garbage")
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: --scheduler 'garbage': expected SCHEME://HOST:PORT with SCHEME one of tcp, tls, ucx, inproc, e.g. tcp://10.0.0.5:8786
    """
    expected = (
        f"{option} {address!r}: expected SCHEME://HOST:PORT with SCHEME one of "
        f"{', '.join(SCHEDULER_SCHEMES)}, e.g. tcp://10.0.0.5:8786"
    )
    if not isinstance(address, str):
        raise ConfigError(expected)
    if _INPROC.fullmatch(address):
        return address
    match = _ADDRESS.fullmatch(address.strip())
    if match is None:
        raise ConfigError(expected)
    scheme = (match["scheme"] or "tcp").lower()
    if scheme not in SCHEDULER_SCHEMES or scheme == "inproc":
        raise ConfigError(expected)
    if not 1 <= int(match["port"]) <= 65535:
        raise ConfigError(f"{option} {address!r}: the port must be 1 to 65535")
    return address.strip()


def _import_dask() -> Any:
    try:
        import dask.distributed
    except ImportError:
        raise SimulatorError(
            "--executor dask needs dask.distributed: pip install 'wom-simulator[dask]'"
        ) from None
    return dask.distributed


def _connect_dask(workers: int, scheduler: str | None, timeout: float | None) -> tuple[Any, Any]:
    """A client of ``scheduler``'s cluster, or of a new LocalCluster: ``(client, cluster)``.

    Called before the output folder is touched, so a scheduler that cannot be reached
    leaves nothing behind. ``timeout`` (seconds) defaults to Dask's
    ``distributed.comm.timeouts.connect`` (30 s unless configured, e.g. by the environment
    variable ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``).
    """
    distributed = _import_dask()
    if scheduler:
        extra = {} if timeout is None else {"timeout": timeout}
        try:
            client = distributed.Client(scheduler, **extra)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise SimulatorError(f"--scheduler {scheduler}: cannot connect ({reason})") from None
        return client, None
    import logging

    try:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,  # cancelling on Ctrl-C logs warnings by design
        )
    except Exception as exc:  # e.g. a script without a main guard
        reason = " ".join(str(exc).split())
        raise SimulatorError(f"cannot start a Dask LocalCluster ({reason}); {_NO_WORKER}") from None
    # Its workers need no lifeline: each nanny (here) holds a pipe whose closing ends them.
    try:
        client = distributed.Client(cluster)
        client.run(lifeline.ignore_interrupt)  # our own workers: Ctrl-C is the client's
    except BaseException:
        cluster.close()
        raise
    return client, cluster


def _run_dask(tasks: Sequence[CellTask], client: Any, key: str) -> Outcomes:
    """Cells on a Dask cluster through ``client`` (closed by the caller)."""
    from dask.distributed import as_completed

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


def _close_dask(client: Any, cluster: Any) -> None:
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


_CELL_FILE = re.compile(r"[0-9]{4,}(?:\.summary)?\.parquet")
_CONFIG_FILE = re.compile(r"[0-9]{4,}\.toml")
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.tmp")  # from _fsync_write


def _our_temporary(name: str, targets: re.Pattern[str] | frozenset[str]) -> int | None:
    """The pid that wrote ``name``, when it is a temporary file of one of ``targets``."""
    match = _TEMPORARY.fullmatch(name)
    if match is None:
        return None
    target = match["name"]
    ours = targets.fullmatch(target) if isinstance(targets, re.Pattern) else target in targets
    return int(match["pid"]) if ours else None


def _stale(name: str, targets: re.Pattern[str] | frozenset[str]) -> bool:
    """A temporary file of ours whose writer is gone (killed midway through a write)."""
    pid = _our_temporary(name, targets)
    return pid is not None and pid != os.getpid() and not lifeline._alive(pid)


def _unknown_entries(folder: Path, pattern: re.Pattern[str]) -> list[str]:
    """Entries of ``cells/`` or ``configs/`` that no sweep writes."""
    if not folder.is_dir():
        return [] if not folder.exists() else [folder.name]
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if not (entry.is_file() and pattern.fullmatch(entry.name))
        and _our_temporary(entry.name, pattern) is None
    )


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest as a dict; None when it is missing or damaged (not JSON, not a dict)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None


@dataclass
class _Folder:
    """What an existing output folder holds, read before any work."""

    owned: set[str] = field(default_factory=set)
    """Top-level entries a sweep wrote (the only ones ever replaced or removed)."""
    discard: bool = False
    """``fresh``: remove the owned entries before starting."""
    rewrite_configs: bool = False
    """The manifest was lost: ``configs/`` may hold another study's files."""
    stale: list[Path] = field(default_factory=list)
    """Temporary files of killed runs."""
    metadata: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    """Sweep metadata of each cell file (None: unreadable)."""


def _inspect_out(
    out: Path,
    *,
    key: str,
    versions: Mapping[str, str],
    fresh: bool,
    inputs: Sequence[Path],
    writes: set[str],
) -> _Folder:
    """Check that ``out`` may receive this study, changing nothing in it but our own stale
    temporary files (for ``fresh``). Whether it can be created is checked before, by
    :func:`simulator.outputs.check_writable`.

    A sweep's folder is one whose manifest says so, or, when the manifest is lost or
    damaged, one that holds only a sweep's entries (with ``cells/``). Other files in a
    sweep's folder are left alone, but a file named like one this run ``writes`` that the
    manifest does not list is refused. A folder of another study (or other package
    versions) is refused unless ``fresh``, which replaces only a folder that
    :func:`simulator.outputs.check_replaceable` accepts.
    """
    if not out.is_dir() or not any(out.iterdir()):
        return _Folder()
    names = {entry.name for entry in out.iterdir()}
    stale = [out / name for name in names if _stale(name, _ENTRIES)]
    names -= {path.name for path in stale}
    manifest = _read_manifest(out / "manifest.json")
    not_ours = SimulatorError(
        f"--out {out}: folder holds files that are not a sweep's; choose another folder"
    )
    if manifest is not None and manifest.get("kind") != "wom sweep":
        raise not_ours
    if manifest is None:
        # Lost or damaged manifest: a sweep's folder only if nothing else is in it.
        if (
            names - _ENTRIES
            or not (out / "cells").is_dir()
            or _unknown_entries(out / "cells", _CELL_FILE)
            or _unknown_entries(out / "configs", _CONFIG_FILE)
        ):
            raise not_ours
        owned = names & _ENTRIES
    elif isinstance(manifest.get("files"), list):
        owned = (names & _ENTRIES & {str(name) for name in manifest["files"]}) | {"manifest.json"}
    else:  # written before manifests listed their files: every sweep-named entry is a sweep's
        owned = names & _ENTRIES
    clash = sorted((writes & names) - owned)
    if clash:
        raise SimulatorError(
            f"--out {out}: holds {', '.join(clash)}, which wom sweep did not write (its "
            "manifest.json does not list it); move it or choose another --out"
        )
    folder = _Folder(owned=owned, rewrite_configs=manifest is None, stale=stale)
    problem = None
    old_key = manifest.get("study_hash") if manifest is not None else None
    if isinstance(old_key, str) and old_key != key:
        problem = f"the config changed: study hash {old_key}, now {key}"
    cells = sorted((out / "cells").glob("*.parquet")) if "cells" in owned else []
    for path in cells if problem is None else ():
        meta = folder.metadata[path.name] = _cell_metadata(path)
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
    if not fresh:
        return folder
    if manifest is not None and not isinstance(manifest.get("files"), list):
        raise SimulatorError(
            f"--out {out}: --fresh refused: its manifest.json was written by an older wom "
            "sweep that did not list its files; remove the folder yourself or choose another "
            "--out"
        )
    for path in stale:  # ours by name and by writer, and in the way of the check below
        path.unlink(missing_ok=True)
    folder.stale = []
    outputs.check_replaceable(out, kind="wom sweep", inputs=inputs, option="--out", flag="--fresh")
    for name, pattern in (("cells", _CELL_FILE), ("configs", _CONFIG_FILE)):
        unknown = _unknown_entries(out / name, pattern)
        if unknown:
            raise SimulatorError(
                f"--out {out}: --fresh refused: {name}/ holds files wom sweep did not write "
                f"({', '.join(unknown[:3])}{', ...' if len(unknown) > 3 else ''}); move them "
                "or choose another folder"
            )
    folder.discard = True
    folder.metadata = {}
    return folder


def _make_out(out: Path, folder: _Folder) -> None:
    """Create ``out`` (or empty it of its sweep, for ``fresh``) and remove stale files."""
    if folder.discard:
        for name in sorted(folder.owned):
            path = out / name
            if path.is_dir():  # cells/ and configs/, checked to hold only a sweep's files
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        folder.owned = set()
    for path in folder.stale:
        path.unlink(missing_ok=True)
    (out / "cells").mkdir(parents=True, exist_ok=True)
    (out / "configs").mkdir(exist_ok=True)
    for name, pattern in (("cells", _CELL_FILE), ("configs", _CONFIG_FILE)):
        for entry in (out / name).iterdir():
            if _stale(entry.name, pattern):
                entry.unlink(missing_ok=True)


def _finished_cells(
    out: Path, cells: Sequence[Cell], key: str, known: Mapping[str, dict[str, Any] | None]
) -> tuple[dict[str, dict[str, Any]], list[Path]]:
    """Metadata of the cells already on disk for this study, and the files to discard.

    A cell is finished when both its files are readable Parquet files of this study (their
    footers are read; ``known`` holds those read already). Anything else (half written by
    a lost machine, truncated, overwritten) is computed again.
    """
    found = {}
    discard = []
    for cell in cells:
        path = out / "cells" / f"{cell.id}.parquet"
        summary = out / "cells" / f"{cell.id}.summary.parquet"
        if not path.exists():
            continue
        meta = known[path.name] if path.name in known else _cell_metadata(path)
        brief = known[summary.name] if summary.name in known else _cell_metadata(summary)
        if (
            meta is None
            or meta.get("study_hash") != key
            or meta.get("cell") != cell.id
            or brief is None
            or brief.get("study_hash") != key
            or brief.get("cell") != cell.id
        ):
            discard += [path, summary]
            continue
        found[cell.id] = meta
    return found, discard


def _with_parameters(frame: pd.DataFrame, cell: Cell, columns: Mapping[str, Any]) -> pd.DataFrame:
    frame = frame.copy()
    for position, (path, value) in enumerate([("cell", cell.index), *columns.items()]):
        if path in frame.columns:
            raise ConfigError(f"swept path '{path}' clashes with a metric column of that name")
        frame.insert(position, path, value)
    return frame


def _study_toml(study: Study) -> str:
    from simulator.config.toml import _value, scenario_to_toml

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


def _read_cells(
    out: Path, cells: Sequence[Cell], done: Mapping[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Both tables of the finished cells (replicates, summary) and the cells that cannot be
    read back (damaged on disk although their footers are sound)."""
    import pandas as pd

    replicates, summaries, unreadable = [], [], []
    for cell in cells:
        if cell.id not in done:
            continue
        try:
            replicate_rows = pd.read_parquet(out / "cells" / f"{cell.id}.parquet")
            summary_rows = pd.read_parquet(out / "cells" / f"{cell.id}.summary.parquet")
        except Exception:  # pyarrow raises several kinds for a damaged file
            unreadable.append(cell.id)
            continue
        replicates.append(replicate_rows)
        summaries.append(summary_rows)

    def combined(frames: list[pd.DataFrame]) -> pd.DataFrame:
        if not frames:
            return pd.DataFrame({"cell": pd.Series(dtype="int64")})
        return pd.concat(frames, ignore_index=True)

    return combined(replicates), combined(summaries), unreadable


def _check_options(executor: str, workers: int | None, scheduler: str | None) -> int:
    """The executor options, checked before any work; returns the number of workers."""
    if executor not in ("local", "dask"):
        raise ConfigError(f"executor must be 'local' or 'dask', got {executor!r}")
    if scheduler and executor != "dask":
        raise ConfigError("--scheduler needs --executor dask")
    if scheduler:
        check_scheduler_address(scheduler)
    return lifeline.check_workers(lifeline.available_cpus() if workers is None else workers)


def _inputs(study: Study, cells: Sequence[Cell]) -> list[Path]:
    """Files the study reads (its config and every edge list): never inside what --fresh
    replaces."""
    paths = [Path(study.source)] if study.source else []
    seen: set[str] = set()
    for scenario in (study.scenario, *(cell.scenario for cell in cells)):
        for layer in scenario.layers.values() if scenario is not None else ():
            if isinstance(layer, cfg.EdgeListLayer) and layer.path not in seen:
                seen.add(layer.path)
                paths.append(Path(layer.path))
    return paths


SIZE_CHECKS = 64
"""Most cells whose memory is estimated before a sweep (0.6 ms each): the biggest ones."""


def _check_sizes(cells: Sequence[Cell], workers: int) -> None:
    """Refuse a sweep whose biggest cells would not fit in this machine's free memory with
    ``workers`` of them running at once (:func:`simulator.engine.sizing.check_size`).

    The biggest cells are those with the most people, then the biggest replicate blocks;
    a refused cell is named.
    """
    from simulator.engine.sizing import check_size

    biggest = sorted(
        (cell for cell in cells if cell.scenario is not None),
        key=lambda c: (-c.scenario.population.size, -c.scenario.simulation.block_size),  # type: ignore[union-attr]
    )[:SIZE_CHECKS]
    for cell in biggest:
        assert cell.scenario is not None
        check_size(cell.scenario, workers=workers, outputs=False, origin=cell.describe())


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
        Base scenario and sweep (see :func:`load_study`).
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
        Dask scheduler address, ``tcp://HOST:PORT`` (see :func:`check_scheduler_address`).
    fresh : bool
        Discard the sweep found in ``out`` (another study's cells too) instead of resuming
        it or refusing to mix; only a folder that holds nothing but a sweep's files is
        emptied (:func:`simulator.outputs.check_replaceable`).
    csv, intervals : bool
        Write the table as CSV instead of Parquet; one row per cell and strategy with mean
        and 95 % interval instead of one per replicate.
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
    workers = _check_options(executor, workers, scheduler)
    if executor == "dask":
        _import_dask()
    outputs.check_writable(out)
    sweep = study.sweep
    allowed = _metric_names(study.scenario)
    if sweep.metric not in allowed:
        raise ConfigError(f"--metric {sweep.metric!r} is not a metric; allowed: {allowed}")

    cells = study_cells(study)
    key = study_hash(study, cells)
    columns = _column_values(cells, sweep.parameters)
    versions = numeric_versions()
    name = "summary" if intervals else "replicates"
    table_file = f"{name}.{'csv' if csv else 'parquet'}"
    ours = {"manifest.json", "study.toml", "cells", "configs", table_file}
    ours |= {"report.html"} if report else set()
    folder = _inspect_out(
        out, key=key, versions=versions, fresh=fresh, inputs=_inputs(study, cells), writes=ours
    )
    if not folder.discard:  # the manifest lists them: what a later --fresh may replace
        ours |= folder.owned
    done, damaged = (
        ({}, []) if folder.discard else _finished_cells(out, cells, key, folder.metadata)
    )
    failed = {cell.id: cell.error for cell in cells if cell.error is not None}

    def task_of(cell: Cell) -> CellTask:
        assert cell.scenario is not None
        return CellTask(
            cell.id, cell.scenario, sweep.target_ci, sweep.metric, sweep.max_replicates, graphs
        )

    tasks = [task_of(cell) for cell in cells if cell.scenario is not None and cell.id not in done]
    if tasks and not scheduler:  # a remote cluster's memory is not this machine's
        running = {task.id for task in tasks}
        _check_sizes([c for c in cells if c.id in running], min(workers, len(tasks)))
    client = cluster = None
    if executor == "dask" and tasks:  # before the folder is touched: a failure leaves nothing
        client, cluster = _connect_dask(workers, scheduler, connect_timeout)
    try:
        _make_out(out, folder)
        for path in damaged:
            path.unlink(missing_ok=True)
        from simulator.config.toml import scenario_to_toml

        for cell in cells:
            path = out / "configs" / f"{cell.id}.toml"
            if cell.scenario is not None and (folder.rewrite_configs or not path.exists()):
                _write_text(path, scenario_to_toml(cell.scenario, comments=False))
        _write_text(out / "study.toml", _study_toml(study))
        return _run_cells(
            study,
            out,
            cells=cells,
            key=key,
            columns=columns,
            versions=versions,
            done=done,
            failed=failed,
            outcomes=_run_dask(tasks, client, key)
            if client is not None
            else _run_local(tasks, workers),
            redo=lambda ids: _run_local([task_of(c) for c in cells if c.id in ids], 1),
            files=ours,
            table_file=table_file,
            intervals=intervals,
            report=report,
            progress=progress,
            started=started,
            provenance={
                "executor": executor,
                "workers": workers if executor == "local" or not scheduler else None,
                "scheduler": scheduler,
                "command": list(command) if command is not None else None,
            },
        )
    finally:
        if client is not None:
            _close_dask(client, cluster)


def _run_cells(
    study: Study,
    out: Path,
    *,
    cells: Sequence[Cell],
    key: str,
    columns: Sequence[Mapping[str, Any]],
    versions: Mapping[str, str],
    done: dict[str, dict[str, Any]],
    failed: dict[str, str],
    outcomes: Outcomes,
    redo: Callable[[set[str]], Outcomes],
    files: set[str],
    table_file: str,
    intervals: bool,
    report: bool,
    progress: Callable[[SweepProgress], None] | None,
    started: float,
    provenance: Mapping[str, Any],
) -> SweepResult:
    """Collect the ``outcomes`` into ``out`` (prepared), then write the tables and report.

    Cells whose files cannot be read back are computed again with ``redo``.
    """
    sweep = study.sweep
    computed: set[str] = set()
    status: dict[str, dict[str, Any]] = {}
    by_id = {cell.id: cell for cell in cells}
    written = [0.0]

    def reused() -> int:
        return len(done) - len(computed)

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
                "reused": reused(),
            },
            **provenance,
            "versions": _versions(),
            "wall_seconds": round(time.perf_counter() - started, 3),
            # Every top-level entry a sweep wrote (or is writing): what --fresh may replace.
            "files": sorted(files),
            "cells": entries,
        }
        _write_text(out / "manifest.json", _canonical(data).replace("},{", "},\n{") + "\n")
        written[0] = time.perf_counter()

    def report_progress(cell: Cell | None = None, error: str | None = None) -> None:
        if progress is not None:
            progress(SweepProgress(len(done), len(failed), len(cells), reused(), cell, error))

    def record(outcome: CellOutcome) -> None:
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
            return
        assert outcome.summary is not None and outcome.replicates is not None
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
        computed.add(cell.id)
        status[cell.id] = {"seconds": round(outcome.seconds, 3)}
        report_progress(cell)
        if time.perf_counter() - written[0] > MANIFEST_SECONDS:
            manifest("running")

    manifest("running")
    report_progress()
    for cell in cells:
        if cell.error is not None:
            report_progress(cell, cell.error)
    try:
        with closing(outcomes):
            for outcome in outcomes:
                record(outcome)
        replicates, summary, unreadable = _read_cells(out, cells, done)
        if unreadable:
            # Damaged on disk although their footers were sound: compute them again, here.
            for cell_id in unreadable:
                done.pop(cell_id)
                computed.discard(cell_id)
                for suffix in (".parquet", ".summary.parquet"):
                    (out / "cells" / f"{cell_id}{suffix}").unlink(missing_ok=True)
            with closing(redo(set(unreadable))) as again:
                for outcome in again:
                    record(outcome)
            replicates, summary, unreadable = _read_cells(out, cells, done)
            if unreadable:
                raise SimulatorError(
                    f"--out {out}: cells/{unreadable[0]}.parquet cannot be read back just "
                    "after it was written; check the disk (free space, errors)"
                )
    except BaseException:
        manifest("interrupted")
        raise

    table = summary if intervals else replicates
    for stale in _TABLES:  # an earlier run's other table; never a file the sweep did not write
        if stale != table_file and stale in files:
            (out / stale).unlink(missing_ok=True)
            files.discard(stale)
    if table_file.endswith(".csv"):
        _write_text(out / table_file, table.to_csv(index=False))
    else:
        _write_parquet(out / table_file, table, None)
    if report:
        from simulator.views.sweep_report import sweep_report_html

        html = sweep_report_html(summary, study, cells=cells, failed=failed, study_hash=key)
        _write_text(out / "report.html", html)
    manifest("complete" if not failed else "failed cells")
    return SweepResult(
        out, key, tuple(cells), replicates, summary, dict(failed), len(computed), reused()
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
        "--fresh",
        action="store_true",
        help="compute every cell again: empty --out first (only a folder holding nothing but "
        "a sweep's files)",
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
        _check_options(args.executor, args.workers, args.scheduler)
        cells = study_cells(study)
        for cell in cells:
            print(cell.error if cell.error else f"{cell.describe()}: ok")
        bad = sum(cell.error is not None for cell in cells)
        print(f"{len(cells)} cells, {bad} invalid; study hash {study_hash(study, cells)}")
        return 1 if bad else 0
    return _sweep_and_print(args, study, out)


def _sweep_and_print(args: argparse.Namespace, study: Study, out: Path) -> int:
    """Run the sweep with a progress bar and print what it did (exit 0, or 1 on failures)."""
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
