"""Write a scenario as TOML, optionally with every parameter's description and source."""

from __future__ import annotations

import json
import math
import re
import textwrap
from typing import Any

from pydantic import BaseModel

from simulator.config import Scenario

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return "nan"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, BaseModel):
        return _value(value.model_dump(exclude_none=True))
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _comment(text: str | None, lines: list[str]) -> None:
    if text:
        lines.extend("# " + line for line in textwrap.wrap(text, 94))


def _is_table(value: Any) -> bool:
    return isinstance(value, BaseModel)


def _is_table_map(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(v, BaseModel) for v in value.values())
    )


def _is_table_list(value: Any) -> bool:
    return isinstance(value, tuple) and bool(value) and all(isinstance(v, BaseModel) for v in value)


def _write_model(
    model: BaseModel, header: str | None, comments: bool, lines: list[str], doc: str | None = None
) -> None:
    nested: list[tuple[str, Any, str | None]] = []
    if header is not None:
        lines.append("")
        if comments and doc:
            _comment(doc, lines)
        lines.append(header)
    fields = type(model).model_fields
    for name in sorted(fields, key=lambda n: n != "kind"):  # the variant tag first
        field = fields[name]
        value = getattr(model, name)
        description = field.description if comments else None
        if value is None:
            continue
        if _is_table(value) or _is_table_map(value) or _is_table_list(value):
            nested.append((name, value, description))
            continue
        if comments:
            _comment(description, lines)
        lines.append(f"{_key(name)} = {_value(value)}")
    prefix = "" if header is None else header.strip("[]") + "."
    for name, value, description in nested:
        path = prefix + _key(name)
        if _is_table(value):
            _write_model(value, f"[{path}]", comments, lines, description)
        elif _is_table_map(value):
            if comments and description:
                lines.append("")
                _comment(description, lines)
            for key, item in value.items():
                _write_model(
                    item,
                    f"[{path}.{_key(key)}]",
                    comments,
                    lines,
                    item.__doc__ and item.__doc__.strip().splitlines()[0],
                )
        else:
            for item in value:
                _write_model(item, f"[[{path}]]", comments, lines, None)


def scenario_to_toml(scenario: Scenario, *, comments: bool = True) -> str:
    """The scenario as TOML text that :func:`simulator.config.load_scenario` reads back.

    With ``comments``, each parameter is preceded by its description, which cites the
    source of its default.

    Examples
    --------
    >>> import tomllib
    >>> from simulator.config import default_scenario, validate_scenario
    >>> scenario = default_scenario()
    >>> text = scenario_to_toml(scenario)
    >>> validate_scenario(tomllib.loads(text)) == scenario
    True
    """
    lines: list[str] = []
    if comments:
        lines += [
            "# Word-of-mouth simulator scenario. Every parameter is listed with its meaning and,",
            "# where it has one, the source of its default. [assumption] marks unsourced values.",
            "",
        ]
    _write_model(scenario, None, comments, lines)
    return "\n".join(lines).strip() + "\n"
