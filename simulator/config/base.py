"""Bases of every config model, the shared field types and the list of source types.

Numbers are strict and finite unless a field says otherwise (:class:`Parameters`); every
default that comes from a published figure cites it (:func:`_cited`).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, get_args

import numpy as np
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from simulator import calibration as cal

MAX_BUDGET = 1e9
"""Most EUR a channel may spend: beyond it, money is a typo, not a campaign."""


def _as_tuple(value: Any) -> Any:
    # TOML arrays and model_dump(mode="json") give lists; strict tuples would refuse them.
    return tuple(value) if isinstance(value, list) else value


def _not_nan(value: Any) -> Any:
    # Before the bounds are checked, so that nan is named as such ("greater than 0" is
    # true of no nan).
    if isinstance(value, float) and math.isnan(value):
        raise ValueError("Input should be a number or inf, not nan")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("Input should not be empty or only spaces")
    return value


def _zero_or_at_least_a_cent(value: float) -> float:
    # A price of 1e-300 makes budget / price overflow; 0 has a meaning of its own.
    if 0.0 < value < 0.01:
        raise ValueError("Input should be 0 or at least 0.01")
    return value


Array = BeforeValidator(_as_tuple)
"""Marks a tuple field that accepts a list (a TOML array)."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Money = Annotated[float, Field(ge=0.0, le=MAX_BUDGET)]
Price = Annotated[float, Field(ge=0.01, le=MAX_BUDGET)]
"""EUR per unit bought (a seed, 1,000 impressions): at least a cent, so budget / price stays finite."""
Forever = Annotated[float, Field(allow_inf_nan=True), BeforeValidator(_not_nan)]
"""A float where inf means "forever" (the only fields that accept inf)."""
ZeroOrPrice = Annotated[Money, AfterValidator(_zero_or_at_least_a_cent)]
"""EUR that is either 0 (free, own time) or at least a cent."""
Name = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]

SourceType = Literal[
    "word_of_mouth",
    "online_opinion",
    "branded_content",
    "editorial",
    "tv_ad",
    "newspaper_ad",
    "magazine_ad",
    "radio_ad",
    "social_ad",
    "banner_ad",
    "free_sample",
    "background",
]
"""The type of an exposure's source, which sets its trust (:class:`~simulator.config.Trust`)."""

TIE_KINDS: tuple[str, ...] = ("strong", "weak", "follow", "other")
"""Names of the tie kinds a message can travel, in the order of
:class:`simulator.town.network.Tie`: strong and weak ties (offline, or copied online),
online-only follows, and loaded or well-mixed layers (the metrics' ``*_ties`` columns)."""

SOURCE_TYPES: tuple[str, ...] = get_args(SourceType)
"""Every source type an exposure can have, in a fixed order (their index is stored in arrays).

:data:`simulator.calibration.TRUST` and the fields of :class:`~simulator.config.Trust` list
the same names in the same order (checked when :mod:`simulator.config` is imported).
"""


class Model(BaseModel):
    """Base of every config model: frozen, no unknown keys, validated defaults.

    The scenario's models derive from :class:`Parameters`, which adds strict types and
    finite numbers; other tables (a sweep's) may derive from this one directly.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def _python_scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return type(value)(_python_scalar(item) for item in value)
    return value


class Parameters(Model):
    """Base of the scenario's models: strict types and finite numbers, checked once.

    A number needs a number and a bool a bool: ``steps = true`` or ``budget = "500"`` is
    an error, not 1 step or 500 EUR. An int is a valid float (``budget = 500``), a list a
    valid tuple (TOML arrays), and numpy scalars count as Python ones. No float field
    takes inf or nan, except those typed :data:`Forever` (``word_of_mouth.talk_steps``
    and a channel's ``end_day``), where inf means "forever".

    Examples
    --------
    >>> from simulator.config import Simulation, default_scenario_data, validate_scenario
    >>> data = default_scenario_data()
    >>> data["simulation"]["steps"] = True
    >>> validate_scenario(data)
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: config: simulation.steps: Input should be a valid integer (got True)
    >>> Simulation(dt=2, steps=np.int64(3)).steps
    3
    """

    model_config = ConfigDict(strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _numpy_scalars_as_python(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: _python_scalar(value) for key, value in data.items()}
        return data


def _cited(sourced: cal.Sourced, text: str, **constraints: Any) -> Any:
    """A field whose default comes from a sourced figure; the description carries the citation."""
    return Field(sourced.value, description=f"{text} [{sourced.source}]", **constraints)


def variant_kinds(union: Any) -> tuple[str, ...]:
    """The ``kind`` tags of a discriminated union of models, in declaration order.

    Examples
    --------
    >>> from simulator.config import Adoption
    >>> variant_kinds(Adoption)
    ('independent', 'threshold', 'bass')
    """
    members = get_args(get_args(union)[0])  # Annotated[A | B, Field(...)] -> (A, B)
    return tuple(
        tag for model in members for tag in get_args(model.model_fields["kind"].annotation)
    )
