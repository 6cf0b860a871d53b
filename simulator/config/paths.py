"""Dotted paths into plain scenario data (``channels.radio.budget``), for ``--set`` and ``set``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from simulator.errors import ConfigError


def set_dotted(
    data: dict[str, Any],
    path: str,
    value: Any,
    *,
    origin: str,
    fields: Collection[str],
    sections: Collection[str],
) -> None:
    """Set ``data[a][b]... = value`` for ``path = "a.b..."`` in the data of a model.

    ``fields`` are the model's top-level names and ``sections`` those of them that are a
    table each, created when ``data`` omits them; see :func:`simulator.config.set_path`.
    Tuples on the way are replaced by lists in ``data``, so they can be indexed.

    Examples
    --------
    >>> data = {"a": [{"b": 1}]}
    >>> set_dotted(data, "a.0.b", 2, origin="--set", fields=("a", "c"), sections=("c",))
    >>> set_dotted(data, "c.d", 3, origin="--set", fields=("a", "c"), sections=("c",))
    >>> data
    {'a': [{'b': 2}], 'c': {'d': 3}}
    """
    keys = path.split(".")
    if not all(keys):
        raise ConfigError(f"{origin}: '{path}' is not a dotted.path")
    node: Any = data
    for depth, key in enumerate(keys[:-1]):
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise ConfigError(f"{origin}: '{path}': '{where}' is not {_indices(node)}")
            node = _listed(node, int(key))
            continue
        if not isinstance(node, dict):
            raise ConfigError(
                f"{origin}: '{path}': '{'.'.join(keys[:depth])}' is a value, not a section"
            )
        if key not in node:
            if depth == 0 and key in sections:
                node[key] = {}
            else:
                allowed = sorted(node) if depth else sorted(fields)
                raise ConfigError(f"{origin}: '{path}': no '{where}'; allowed here: {allowed}")
        node = _listed(node, key)
    last = keys[-1]
    if isinstance(node, list):
        if not last.isdigit() or int(last) >= len(node):
            parent = ".".join(keys[:-1])
            raise ConfigError(
                f"{origin}: '{path}': '{last}' is not {_indices(node)}; or set the whole "
                f"list, e.g. {parent}=[...]"
            )
        _refuse_section(node[int(last)], path, value, origin)
        node[int(last)] = value
    elif isinstance(node, dict):
        if len(keys) == 1 and last not in fields:
            raise ConfigError(f"{origin}: '{path}' is not a parameter; allowed: {sorted(fields)}")
        current = node.get(last, {} if len(keys) == 1 and last in sections else None)
        _refuse_section(current, path, value, origin)
        node[last] = value
    else:
        raise ConfigError(f"{origin}: '{path}': '{'.'.join(keys[:-1])}' is a value, not a section")


def _indices(items: list[Any]) -> str:
    return f"an index in 0..{len(items) - 1}" if items else "an index: the list is empty"


def _listed(node: Any, key: int | str) -> Any:
    """``node[key]``, turned into a list in place when it is a tuple."""
    child = node[key]
    if isinstance(child, tuple):
        child = node[key] = list(child)
    return child


def _refuse_section(current: Any, path: str, value: Any, origin: str) -> None:
    """A whole section or list of sections can only be replaced by one of its own kind."""
    sections = isinstance(current, dict) or (
        isinstance(current, list | tuple) and any(isinstance(c, dict) for c in current)
    )
    if sections and not isinstance(value, type(current) if isinstance(current, dict) else list):
        if isinstance(current, dict):
            example = next(iter(current), None)
        else:
            first = next((c for c in current if isinstance(c, dict)), {})
            example = f"0.{next(iter(first))}" if first else "0"
        hint = f"; set one of its parameters, e.g. {path}.{example}=..." if example else ""
        raise ConfigError(f"{origin}: '{path}' is a section, not a value{hint} (got {value!r})")
