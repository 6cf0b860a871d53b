"""The ``[sweep]`` table of a study: what it varies and how many replicates a cell gets.

A *study* is a base scenario plus a :class:`Sweep`; these models validate the table once,
at the boundary, like every other part of a scenario (:mod:`simulator.config`).

Examples
--------
>>> sweep = Sweep(grid={"trust.word_of_mouth": [0.5, 0.9]})
>>> sweep.parameters
('trust.word_of_mouth',)
>>> validate_sweep({"grid": {"trust": {"word_of_mouth": [0.5]}}}, origin="s.toml").grid
{'trust.word_of_mouth': (0.5,)}
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from simulator import config as cfg
from simulator.config.question import ANSWER_METRICS as ANSWER_METRICS
from simulator.config.question import Question as Question
from simulator.errors import ConfigError

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


def flatten_paths(table: Any, prefix: str = "") -> Any:
    """``{trust: {word_of_mouth: [..]}}`` (TOML dotted keys) to ``{"trust.word_of_mouth": [..]}``."""
    if not isinstance(table, dict):
        return table
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_paths(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def validate_sweep(data: dict[str, Any], *, origin: str) -> Sweep:
    """The ``[sweep]`` table as a :class:`Sweep`; one :class:`ConfigError` line otherwise.

    ``origin`` (the file) starts the message, then the option's dotted path.
    """
    data = dict(data)
    for key in ("grid", "zip"):
        if isinstance(data.get(key), dict):
            data[key] = flatten_paths(data[key])
    if isinstance(data.get("sample"), dict) and isinstance(data["sample"].get("ranges"), dict):
        data["sample"] = {**data["sample"], "ranges": flatten_paths(data["sample"]["ranges"])}
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
