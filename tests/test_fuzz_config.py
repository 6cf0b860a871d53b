"""Fuzzing the scenario file: ``wom validate`` and ``wom run`` agree, and fail only cleanly.

Hypothesis mutates a tiny copy of the built-in scenario (delete a key, change a type,
scale a number by 1e-300 .. 1e300, inf, nan, flip a sign, add a key), writes it as TOML and
runs both commands in this process. Either both accept the file or both refuse it with the
project's own error (exit 2); any other exception fails the test. A mutated file whose
estimated run time is over a few seconds is validated but not run (it would only slow the
suite down; the estimate is what ``wom run`` prints before such runs).
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import config as cfg
from simulator.cli import main
from simulator.config.toml import _key, _value
from simulator.errors import SimulatorWarning

MAX_RUN_SECONDS = 3.0


def _tiny() -> dict[str, Any]:
    data = cfg.default_scenario().model_dump(mode="json", exclude_none=True)
    data["population"]["size"] = 150
    data["layers"]["facebook"]["follows"] = 10
    data["layers"]["instagram"]["follows"] = 10
    data["channels"]["facebook_page"]["followers"] = 20
    data["simulation"].update(steps=4, replicates=2, block_size=2)
    return data


BASE = _tiny()


def _leaves(node: Any, path: tuple = ()) -> list[tuple]:
    """Every path to a value (and to every table, which can be deleted or given a key)."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _leaves(value, (*path, index))
    return found


PATHS = _leaves(BASE)


def _get(data: Any, path: tuple) -> Any:
    for key in path:
        data = data[key]
    return data


def _mutate(data: dict, path: tuple, how: str, factor: float) -> None:
    parent, key = _get(data, path[:-1]), path[-1]
    value = parent[key]
    if how == "delete":
        if isinstance(parent, list):
            parent.pop(key)
        else:
            del parent[key]
    elif how == "add_key":
        if isinstance(value, dict):
            value["unexpected_key"] = 1
        else:
            parent[key] = {"unexpected_key": 1}
    elif how == "to_string":
        parent[key] = str(value)
    elif how == "to_bool":
        parent[key] = True
    elif how == "to_list":
        parent[key] = [value] if not isinstance(value, dict) else [1]
    elif isinstance(value, bool) or not isinstance(value, int | float):
        parent[key] = {"scale": factor, "inf": math.inf, "nan": math.nan, "flip": -1}.get(how)
    elif how == "scale":
        scaled = value * factor
        parent[key] = int(scaled) if isinstance(value, int) and abs(scaled) < 2**63 else scaled
    elif how == "inf":
        parent[key] = math.inf
    elif how == "nan":
        parent[key] = math.nan
    elif how == "flip":
        parent[key] = -value if value else -1


def _write(data: dict, path: Path) -> None:
    path.write_text(
        "\n".join(f"{_key(k)} = {_value(v)}" for k, v in data.items()) + "\n", encoding="utf-8"
    )


def _quietly(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        return main(argv), err.getvalue()


def _estimated_seconds(path: Path) -> float:
    from simulator.engine.sizing import estimate

    with warnings.catch_warnings():  # validate has already printed them
        warnings.simplefilter("ignore", SimulatorWarning)
        return estimate(cfg.load_scenario(path)).seconds


MUTATIONS = st.sampled_from(
    ["delete", "add_key", "to_string", "to_bool", "to_list", "scale", "inf", "nan", "flip"]
)
FACTORS = st.sampled_from([1e-300, 1e-30, 1e-3, 0.5, 3.0, 1e3, 1e30, 1e300])


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(
    mutations=st.lists(
        st.tuples(st.sampled_from(PATHS), MUTATIONS, FACTORS), min_size=1, max_size=2
    )
)
def test_validate_and_run_agree(tmp_path_factory, mutations):
    import copy

    data = copy.deepcopy(BASE)
    for path, how, factor in mutations:
        # An earlier mutation may have removed or replaced this path.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _mutate(data, path, how, factor)
    folder = tmp_path_factory.mktemp("fuzz")
    scenario = folder / "s.toml"
    _write(data, scenario)
    validated, message = _quietly(["validate", str(scenario)])
    assert validated in (0, 2), message
    if validated == 2:
        assert message.startswith("wom: error: ") and "Traceback" not in message, message
    if validated == 0 and _estimated_seconds(scenario) > MAX_RUN_SECONDS:
        return
    ran, run_message = _quietly(["run", str(scenario), "--quiet", "--out", str(folder / "out")])
    assert ran == validated, (mutations, message, run_message)
    if ran == 2:
        assert run_message == message, (message, run_message)
