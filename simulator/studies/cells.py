"""The cells of a study: its axes (grids, ranges, zips, Latin-hypercube samples), each
combination of values validated as a scenario, and the study's hash.

Every cell keeps the study's ``simulation.seed``, so cells share common random numbers; a
cell's results depend only on its config and that seed.

Examples
--------
>>> sweep = Sweep(grid={"trust.word_of_mouth": [0.5, 0.9]}, sample={"count": 3,
...     "ranges": {"channels.newspaper.budget": [100, 1000]}})
>>> [len(axis) for axis in sweep_axes(sweep, seed=1)]
[2, 3]
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.config.study import Study, Sweep, flatten_paths, validate_sweep
from simulator.config.toml import scenario_to_toml
from simulator.errors import ConfigError
from simulator.streams import stream

FORMAT = 1
"""Version of the output folder's layout; part of the study hash."""

MAX_CELLS = 100_000
"""Most cells a study may have (product of the axis lengths), checked before building them:
a cell costs about 25 kB of memory before it runs and a file or two after."""


# --------------------------------------------------------------------------- axes


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
    columns: dict[str, list[float | int]] = {}
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
        sweep_data[key] = flatten_paths(sweep_data.get(key, {}))
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
    sweep = validate_sweep(sweep_data, origin=str(path))
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


def canonical_json(value: Any) -> str:
    """Compact JSON with sorted keys: the form hashed and written in manifests and footers."""
    return json.dumps(value, sort_keys=True, allow_nan=True, default=repr, separators=(",", ":"))


def study_hash(study: Study, cells: Sequence[Cell]) -> str:
    """Hash of the resolved study: base scenario, sweep options and every cell's values."""
    text = canonical_json(
        {
            "format": FORMAT,
            "scenario": scenario_to_toml(study.scenario, comments=False),
            "sweep": study.sweep.model_dump(),
            "cells": [cell.values for cell in cells],
        }
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def column_values(cells: Sequence[Cell], parameters: Sequence[str]) -> list[dict[str, Any]]:
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
