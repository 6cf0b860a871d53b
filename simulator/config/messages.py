"""One-line scenario errors from pydantic's: the dotted path, what is allowed, what was received."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from simulator.config.channels import CHANNEL_KINDS
from simulator.config.layers import LAYER_KINDS
from simulator.config.rules import ADOPTION_KINDS
from simulator.errors import ConfigError

_VARIANT_TAGS = frozenset({*LAYER_KINDS, *CHANNEL_KINDS, *ADOPTION_KINDS})
"""The tags that discriminated unions insert into an error's location."""


def _format_location(loc: tuple[Any, ...]) -> str:
    # Discriminated unions insert the variant tag ("market", "bass") into the location.
    parts = [str(p) for p in loc]
    if parts[:1] in (["layers"], ["channels"]) and len(parts) > 2 and parts[2] in _VARIANT_TAGS:
        del parts[2]
    elif parts[:1] == ["adoption"] and len(parts) > 1 and parts[1] in _VARIANT_TAGS:
        del parts[1]
    return ".".join(parts) or "(scenario)"


def config_error(exc: ValidationError, *, origin: str) -> ConfigError:
    """The first problem of ``exc`` as one line, prefixed with ``origin`` (a file name).

    The number of further problems is appended.

    Examples
    --------
    >>> from simulator.config import Simulation
    >>> try:
    ...     Simulation(steps=0)
    ... except ValidationError as exc:
    ...     print(config_error(exc, origin="s.toml"))
    s.toml: steps: Input should be greater than or equal to 1 (got 0)
    """
    first = exc.errors()[0]
    where = _format_location(first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "is not a parameter (check the spelling; wom show-default lists them all)"
    got = first.get("input")
    received = "" if first["type"] in ("missing",) or isinstance(got, dict) else f" (got {got!r})"
    more = exc.error_count() - 1
    extra = f" [and {more} more problem{'s' * (more > 1)}]" if more else ""
    # Checks across sections name their own dotted paths.
    where = "" if where == "(scenario)" else f"{where}: "
    return ConfigError(f"{origin}: {where}{message}{received}{extra}")
