"""Reading scenarios: validation with one-line errors, TOML files, ``--set`` overrides, warnings."""

from __future__ import annotations

import tomllib
import warnings
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.config.defaults import default_scenario_data
from simulator.config.messages import config_error
from simulator.config.paths import set_dotted
from simulator.config.scenario import MODEL_SECTIONS, Scenario
from simulator.errors import ConfigError, SimulatorWarning


class ScenarioWarning(SimulatorWarning):
    """A scenario that runs, but probably not as meant (a channel that never acts...).

    The ``wom`` command prints it as one ``wom: warning:`` line, as every
    :class:`~simulator.errors.SimulatorWarning`.
    """


def validate_scenario(data: dict[str, Any], *, origin: str = "config") -> Scenario:
    """Validate a plain dict as a :class:`Scenario`, with one-line errors.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> scenario = validate_scenario(default_scenario().model_dump())
    >>> scenario.population.size
    5000
    >>> validate_scenario({"population": {"size": -1}})
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: config: population.size: Input should be greater than or equal to 1 (got -1) [and 2 more problems]
    """
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, origin=origin) from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a scenario file as a plain dict, with one-line errors.

    Relative edge-list paths are resolved against the file's folder.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    layers = data.get("layers")
    for layer in layers.values() if isinstance(layers, dict) else ():
        if isinstance(layer, dict) and isinstance(layer.get("path"), str):
            layer_path = Path(layer["path"])
            if not layer_path.is_absolute():
                layer["path"] = str((path.parent / layer_path).resolve())
    return data


def load_scenario(path: str | Path | None, overrides: list[str] | None = None) -> Scenario:
    """Read a TOML scenario, apply ``dotted.path=value`` overrides and validate.

    Relative edge-list paths are resolved against the file's folder. Every strategy is
    resolved (:func:`check_runnable`), so a scenario that loads is one that runs.

    Parameters
    ----------
    path : str, Path or None
        The TOML file; None means the built-in :func:`default_scenario`.
    overrides : list of str, optional
        ``dotted.path=value`` texts, as given to ``--set``.

    Raises
    ------
    ConfigError
        One line naming the file (or ``default scenario``), the dotted path, what is
        allowed and what was received.

    Warns
    -----
    ScenarioWarning
        For a scenario that runs but probably not as meant (see :func:`check_runnable`).

    Examples
    --------
    >>> load_scenario(None, ["population.segments.0.interest_alpha=3"]).population.segments[0]
    Segment(name='young', share=0.3, interest_alpha=3.0, ...)
    >>> load_scenario(None, ["simulation=5"])
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: --set: 'simulation' is a section, not a value; set one of its parameters, e.g. simulation.steps=... (got 5)
    """
    if path is None:
        data, origin = default_scenario_data(), "default scenario"
    else:
        data, origin = read_toml(path), str(path)
        if "sweep" in data:
            raise ConfigError(f"{path}: this file defines a sweep: use wom sweep {path}")
    apply_overrides(data, overrides or [])
    scenario = validate_scenario(data, origin=origin)
    check_runnable(scenario, origin=origin)
    return scenario


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``dotted.path=value`` and read the value as TOML (falling back to a string).

    Examples
    --------
    >>> parse_override("channels.newspaper.budget=500")
    ('channels.newspaper.budget', 500)
    >>> parse_override("title=Bakery")
    ('title', 'Bakery')
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise ConfigError(f"--set {text!r}: expected dotted.path=value")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return path, value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> None:
    """Apply ``--set`` overrides in place; a path must name an existing parameter."""
    for text in overrides:
        path, value = parse_override(text)
        set_path(data, path, value, origin="--set")


def set_path(data: dict[str, Any], path: str, value: Any, *, origin: str) -> None:
    """Set ``data[a][b]... = value`` for ``path = "a.b..."``.

    Sections that the scenario model declares (``simulation``, ``word_of_mouth``...) are
    created when the file omits them; named entries (a layer, a channel, a list index) must
    exist. An unknown leaf is reported by validation with its full dotted path. Tuples on
    the way (a ``model_dump()``) are replaced by lists in ``data``, so they can be indexed.

    Examples
    --------
    >>> data = {"strategies": ({"name": "a"},)}
    >>> set_path(data, "strategies.0.name", "b", origin="--set")
    >>> data
    {'strategies': [{'name': 'b'}]}
    >>> set_path(data, "strategies.0", 5, origin="--set")
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: --set: 'strategies.0' is a section, not a value; set one of its parameters, e.g. strategies.0.name=... (got 5)
    """
    set_dotted(
        data, path, value, origin=origin, fields=Scenario.model_fields, sections=MODEL_SECTIONS
    )


def with_changes(
    scenario: Scenario, changes: dict[str, Any], *, origin: str = "notebook"
) -> Scenario:
    """``scenario`` with some parameters changed, given by dotted path as in ``wom run
    --set`` and validated like a file: the notebooks' one way to change a scenario.

    Examples
    --------
    >>> from simulator.config.defaults import default_scenario
    >>> bigger = with_changes(default_scenario(), {"population.size": 2000})
    >>> bigger.population.size
    2000
    >>> with_changes(default_scenario(), {"population.size": -1})
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: notebook: population.size: Input should be greater than or equal to 1 (got -1)
    """
    data = scenario.model_dump(mode="json")
    for path, value in changes.items():
        set_path(data, path, value, origin=origin)
    return validate_scenario(data, origin=origin)


def check_runnable(scenario: Scenario, *, origin: str = "config") -> tuple[Scenario, ...]:
    """Resolve every strategy as :func:`simulator.engine.run.simulate` will, before any work.

    ``Scenario`` validation checks the scenario as written; a strategy's ``set`` is only
    applied when the strategy is resolved. This applies them all, so that ``wom validate``
    accepts exactly what ``wom run`` runs (edge-list files are read and checked by
    :func:`simulator.town.network.check_edge_lists`), and warns (:class:`ScenarioWarning`) about
    scenarios that run but probably not as meant: a strategy with no channel while there
    are channels, a channel no strategy runs, a channel that starts after the run ends or
    reaches nobody, paid channels in a town of fewer than 10 people, a platform whose
    members follow more accounts than there are people.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    origin : str
        Where it came from (a file name), prefixed to messages.

    Returns
    -------
    tuple of Scenario
        The scenario of each resolved strategy, in order.

    Raises
    ------
    ConfigError
        One line naming the origin, the strategy and the dotted path.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> scenario = default_scenario()
    >>> len(check_runnable(scenario))
    6
    >>> data = scenario.model_dump(mode="json")
    >>> data["strategies"][1]["set"] = {"channels.newspaper.budget": -5}
    >>> check_runnable(validate_scenario(data), origin="s.toml")
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: s.toml: strategy 'newspaper': channels.newspaper.budget: Input should be greater than or equal to 0 (got -5)
    """
    resolved = tuple(
        scenario.for_strategy(strategy, origin=origin)
        for strategy in scenario.resolved_strategies()
    )
    for message in scenario_doubts(scenario, resolved):
        warnings.warn(f"{origin}: {message}", ScenarioWarning, stacklevel=2)
    return resolved


TINY_TOWN = 10
"""Below this many people, channels' audiences round to a handful of people or none."""


def scenario_doubts(scenario: Scenario, resolved: tuple[Scenario, ...] = ()) -> list[str]:
    """What :func:`check_runnable` warns about, as messages naming dotted paths.

    ``resolved`` are the strategies' scenarios (from :meth:`Scenario.for_strategy`); the
    checks of channels, town and layers run on each, since a strategy's ``set`` can change
    them.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> scenario_doubts(default_scenario())
    []
    """
    doubts: list[str] = []
    if scenario.channels:
        # A strategy with no channel is a baseline (who buys anyway), not a doubt.
        used = {name for s in scenario.resolved_strategies() for name in s.channels}
        for name in scenario.channels:
            if name not in used:
                doubts.append(
                    f"channels.{name}: no strategy runs it (list it in a strategy's channels)"
                )
    for variant in resolved or (scenario,):
        doubts += _variant_doubts(variant)
    return list(dict.fromkeys(doubts))


def _variant_doubts(scenario: Scenario) -> list[str]:
    doubts = []
    simulation = scenario.simulation
    last_day = simulation.steps * simulation.step_days
    size = scenario.population.size
    segments = scenario.population.segments
    for name, channel in scenario.channels.items():
        if channel.start_day >= last_day:
            doubts.append(
                f"channels.{name}.start_day = {channel.start_day:g} is at or after the end of "
                f"the run (day {last_day:g} = simulation.steps x the step in days): it never acts"
            )
        medium = getattr(channel, "platform", None) or getattr(channel, "medium", None)
        targets = getattr(channel, "target_segments", ()) or scenario.population.segment_names
        if medium is not None and all(
            s.media.get(medium, 0.0) == 0.0 for s in segments if s.name in targets
        ):
            doubts.append(
                f"channels.{name}: nobody in segments {list(targets)} uses '{medium}' "
                f"(population.segments.*.media.{medium}), so it reaches nobody"
            )
    paid = sorted(n for n, c in scenario.channels.items() if c.kind != "seeding")
    if size < TINY_TOWN and paid:
        doubts.append(
            f"population.size = {size} is below {TINY_TOWN}: the audiences of channels "
            f"{paid} round to a handful of people or none"
        )
    for name, layer in scenario.layers.items():
        if layer.kind == "platform" and layer.follows >= size:
            doubts.append(
                f"layers.{name}.follows = {layer.follows:g} is at least population.size = "
                f"{size}: members cannot follow that many other people"
            )
    return doubts
