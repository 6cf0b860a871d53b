"""Bad scenario input is refused up front: one line naming the path, the rule and the value.

Most cases validate in this process (fast); a handful run ``wom`` in a subprocess through
:mod:`tests.refusal` to check what a user sees: exit status 2, one line, no traceback,
nothing created or lost. Sizes are checked with :func:`simulator.engine.sizing.check_size`,
which allocates nothing.
"""

from __future__ import annotations

import copy
import math
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from simulator import config as cfg
from simulator.config.toml import scenario_to_toml
from simulator.engine import sizing
from simulator.errors import ConfigError
from tests.refusal import refuse_and_keep

DEFAULT = cfg.default_scenario_data()
GiB = 2**30


def _load(data: dict[str, Any]) -> cfg.Scenario:
    """What ``wom validate`` and ``wom run`` do with a file's data."""
    scenario = cfg.validate_scenario(data, origin="s.toml")
    cfg.check_runnable(scenario, origin="s.toml")
    return scenario


def _edited(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEFAULT)
    cfg.set_path(data, path, value, origin="test")
    return data


def _refused(data: dict[str, Any], *fragments: str) -> str:
    with pytest.raises(ConfigError) as error:
        _load(data)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("s.toml: "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


# --------------------------------------------------------------------------- unknown names

UNKNOWN_KEYS = [
    ("colour", "colour: is not a parameter"),
    ("simulation.stepz", "simulation.stepz: is not a parameter"),
    ("population.sise", "population.sise: is not a parameter"),
    ("population.segments.0.nam", "population.segments.0.nam: is not a parameter"),
    ("layers.market.frends", "layers.market.frends: is not a parameter"),
    ("layers.facebook.folows", "layers.facebook.folows: is not a parameter"),
    ("channels.newspaper.budjet", "channels.newspaper.budjet: is not a parameter"),
    ("strategies.0.chanels", "strategies.0.chanels: is not a parameter"),
    ("trust.friends", "trust.friends: is not a parameter"),
    ("word_of_mouth.talk", "word_of_mouth.talk: is not a parameter"),
    ("product.qualty", "product.qualty: is not a parameter"),
    ("adoption.decay", "adoption.decay: is not a parameter"),  # independent has no decay
]


@pytest.mark.parametrize(("path", "expected"), UNKNOWN_KEYS, ids=[p for p, _ in UNKNOWN_KEYS])
def test_unknown_key_at_every_level_names_its_path(path, expected):
    data = copy.deepcopy(DEFAULT)
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[last] = 1
    _refused(data, expected)


@pytest.mark.parametrize("medium", ["newspapers", "facebok"])
def test_unknown_medium_of_a_segment_is_an_error_with_the_allowed_names(medium):
    data = copy.deepcopy(DEFAULT)
    data["population"]["segments"][0]["media"][medium] = 0.3
    _refused(
        data,
        f"population.segments.0.media.{medium}: unknown medium '{medium}'",
        "['banner', 'facebook', 'instagram', 'newspaper', 'radio', 'tv']",
    )


def test_newspaper_medium_must_exist():
    _refused(
        _edited("channels.newspaper.medium", "newspapers"),
        "channels.newspaper.medium: unknown medium 'newspapers'",
        "'radio'",
    )


# --------------------------------------------------------------------------- strategies


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            {"channels.newspaper.budget": -5},
            "strategy 'newspaper': channels.newspaper.budget: Input should be greater "
            "than or equal to 0 (got -5)",
        ),
        (
            {"channels.newspaper.budget": math.inf},
            "strategy 'newspaper': channels.newspaper.budget: Input should be a finite "
            "number (got inf)",
        ),
        (
            {"channels.newspaper.budjet": 5},
            "strategy 'newspaper': channels.newspaper.budjet: is not a parameter",
        ),
        # Only the strategy's own channels are there to override.
        ({"channels.radio.budget": 5}, "strategy 'newspaper' set: 'channels.radio.budget'"),
        ({"simulation": 5}, "'simulation' is a section, not a value"),
    ],
    ids=["negative", "inf", "misspelt", "other channel", "section"],
)
def test_a_strategy_set_is_checked_when_the_scenario_loads(override, expected):
    data = copy.deepcopy(DEFAULT)
    data["strategies"][1]["set"] = override
    cfg.validate_scenario(data)  # as written, the scenario itself is valid
    _refused(data, expected)


@pytest.mark.parametrize("name", ["", "   "])
def test_a_strategy_needs_a_name(name):
    _refused(_edited("strategies.0.name", name), "strategies.0.name: ")


def test_a_strategy_lists_each_channel_once():
    _refused(
        _edited("strategies.0.channels", ["radio", "radio"]),
        "strategies.0.channels: each channel may be listed once",
    )


# --------------------------------------------------------------------------- types

WRONG_TYPES = [
    ("simulation.steps", True, "simulation.steps: Input should be a valid integer (got True)"),
    ("simulation.steps", 90.0, "simulation.steps: Input should be a valid integer (got 90.0)"),
    (
        "channels.newspaper.budget",
        "500",
        "channels.newspaper.budget: Input should be a valid number (got '500')",
    ),
    (
        "layers.facebook.reciprocal",
        "yes",
        "layers.facebook.reciprocal: Input should be a valid boolean (got 'yes')",
    ),
    ("title", 5, "title: Input should be a valid string (got 5)"),
    ("strategies.0.channels", "radio", "strategies.0.channels: Input should be a valid tuple"),
    ("population.segments.0.share", [0.3], "population.segments.0.share: Input should be"),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), WRONG_TYPES, ids=[f"{p}={v!r}" for p, v, _ in WRONG_TYPES]
)
def test_types_are_strict(path, value, expected):
    _refused(_edited(path, value), expected)


def test_an_int_is_a_float_and_a_list_is_a_tuple():
    data = _edited("channels.newspaper.budget", 500)
    data["channels"]["free_samples"]["people"] = [1, 2]
    scenario = _load(data)
    assert scenario.channels["newspaper"].budget == 500.0
    assert scenario.channels["free_samples"].people == (1, 2)


def test_model_dumps_validate_back_in_both_modes():
    scenario = cfg.default_scenario()
    assert cfg.validate_scenario(scenario.model_dump()) == scenario
    assert cfg.validate_scenario(scenario.model_dump(mode="json")) == scenario


def test_numpy_scalars_count_as_python_numbers():
    simulation = cfg.Simulation(steps=np.int64(12), dt=np.float64(0.5), stop_when_quiet=np.True_)
    assert (simulation.steps, simulation.dt, simulation.stop_when_quiet) == (12, 0.5, True)


# --------------------------------------------------------------------------- finite numbers

NON_FINITE = [
    ("channels.newspaper.budget", math.inf),
    ("simulation.dt", math.inf),
    ("population.segments.0.interest_alpha", math.inf),
    ("population.segments.1.media.tv", math.nan),
    ("trust.tv_ad", math.nan),
    ("layers.facebook.follows", math.nan),
    ("channels.radio.start_day", math.inf),
    ("channels.radio.end_day", math.nan),
    ("word_of_mouth.talk_steps", math.nan),
    ("product.margin", -math.inf),
]


@pytest.mark.parametrize(("path", "value"), NON_FINITE, ids=[f"{p}={v}" for p, v in NON_FINITE])
def test_non_finite_numbers_are_refused(path, value):
    _refused(_edited(path, value), f"{path}: Input should be a ")


def test_bass_p_must_be_finite():
    data = copy.deepcopy(DEFAULT)
    data["adoption"] = {"kind": "bass", "p": math.inf}
    _refused(data, "adoption.p: Input should be a finite number (got inf)")


def test_inf_means_forever_only_for_talk_steps_and_end_day():
    data = _edited("word_of_mouth.talk_steps", math.inf)
    data["channels"]["radio"]["end_day"] = math.inf
    scenario = _load(data)
    assert math.isinf(scenario.word_of_mouth.talk_steps)
    assert math.isinf(scenario.channels["radio"].end_day)


# --------------------------------------------------------------------------- ranges

OUT_OF_RANGE = [
    ("layers.facebook.follows", 2.9e116, "less than or equal to 10000"),
    ("channels.newspaper.cpm", 0, "greater than or equal to 0.01 (got 0)"),
    ("channels.facebook_ads.cpm", 0, "greater than or equal to 0.01 (got 0)"),
    ("channels.radio.cpm", 0, "greater than or equal to 0.01 (got 0)"),
    ("channels.newspaper.budget", 1e10, "less than or equal to 1000000000"),
    ("channels.free_samples.cost_per_seed", 1e-300, "greater than or equal to 0.01"),
    ("channels.newspaper.price_per_insertion", 1e-5, "0 or at least 0.01"),
    ("channels.facebook_page.hourly_cost", 1e-300, "0 or at least 0.01"),
    ("layers.facebook.popularity_exponent", 1.0000001, "greater than or equal to 1.1"),
    ("word_of_mouth.talk_steps", 1e300, "at most 1,000,000 when finite"),
    ("simulation.dt", 1e300, "less than or equal to 1000"),
    ("simulation.steps", 0, "greater than or equal to 1"),
    ("population.size", 0, "greater than or equal to 1"),
]


@pytest.mark.parametrize(
    ("path", "value", "expected"), OUT_OF_RANGE, ids=[f"{p}={v}" for p, v, _ in OUT_OF_RANGE]
)
def test_out_of_range_values_name_the_bound(path, value, expected):
    message = _refused(_edited(path, value), f"{path}: ")
    assert expected in message


def test_a_free_newspaper_page_or_own_time_is_still_allowed():
    data = _edited("channels.newspaper.price_per_insertion", 0)
    data["channels"]["facebook_page"]["hourly_cost"] = 0
    _load(data)


# --------------------------------------------------------------------------- warnings


def test_the_default_scenario_warns_about_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cfg.load_scenario(None)
        cfg.load_scenario(None, ["population.segments.0.interest_alpha=3"])


WARNINGS: list[tuple[str, Callable[[dict], None], str]] = [
    (
        "the only strategy of a channel runs none",
        lambda d: d["strategies"][0].update(channels=[]),
        "channels.free_samples: no strategy runs it",
    ),
    (
        "channel nobody runs",
        lambda d: d["strategies"].pop(2),
        "channels.radio: no strategy runs it",
    ),
    (
        "starts after the run",
        lambda d: d["channels"]["radio"].update(start_day=365.0, end_day=400.0),
        "channels.radio.start_day = 365 is at or after the end of the run (day 365",
    ),
    (
        "tiny town",
        lambda d: d["population"].update(size=5),
        "population.size = 5 is below 10",
    ),
    (
        "medium nobody uses",
        lambda d: [s["media"].update(radio=0.0) for s in d["population"]["segments"]],
        "channels.radio: nobody in segments ['young', 'adult', 'senior'] uses 'radio'",
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"), [w[1:] for w in WARNINGS], ids=[w[0] for w in WARNINGS]
)
def test_doubtful_scenarios_warn_but_run(edit, expected):
    data = copy.deepcopy(DEFAULT)
    edit(data)
    with pytest.warns(cfg.ScenarioWarning, match=r"^s\.toml: ") as caught:
        _load(data)
    assert any(expected in str(w.message) for w in caught), [str(w.message) for w in caught]


# --------------------------------------------------------------------------- --set


def test_set_reaches_list_entries_of_the_built_in_scenario():
    scenario = cfg.load_scenario(
        None, ["population.segments.0.interest_alpha=3", "strategies.0.name=x"]
    )
    assert scenario.population.segments[0].interest_alpha == 3.0
    assert scenario.strategies[0].name == "x"
    scenario = cfg.load_scenario(None, ["channels.radio.target_segments=['adult']"])
    assert scenario.channels["radio"].target_segments == ("adult",)
    with pytest.raises(ConfigError) as error:  # the list is empty by default
        cfg.load_scenario(None, ["channels.radio.target_segments.0=adult"])
    assert str(error.value) == (
        "--set: 'channels.radio.target_segments.0': '0' is not an index: the list is "
        "empty; or set the whole list, e.g. channels.radio.target_segments=[...]"
    )


def test_set_path_accepts_a_model_dump_with_tuples():
    data = cfg.default_scenario().model_dump()
    cfg.set_path(data, "strategies.0.name", "x", origin="--set")
    cfg.set_path(data, "population.segments.1.interest_alpha", 3, origin="--set")
    scenario = cfg.validate_scenario(data)
    assert scenario.strategies[0].name == "x"
    assert scenario.population.segments[1].interest_alpha == 3.0


@pytest.mark.parametrize("path", ["simulation", "layers.market", "strategies.0", "strategies"])
def test_set_on_a_section_names_it(path):
    with pytest.raises(ConfigError) as error:
        cfg.load_scenario(None, [f"{path}=5"])
    assert str(error.value).startswith(f"--set: '{path}' is a section, not a value")


def test_set_creates_a_section_the_file_omits_but_not_a_value_for_it(tmp_path):
    path = tmp_path / "minimal.toml"
    path.write_text(
        '[population]\nsize = 100\n[[population.segments]]\nname = "all"\nshare = 1.0\n'
        '[layers.market]\nkind = "market"\n'
    )
    assert cfg.load_scenario(path, ["word_of_mouth.talk_steps=3"]).word_of_mouth.talk_steps == 3
    with pytest.raises(ConfigError, match="'word_of_mouth' is a section, not a value"):
        cfg.load_scenario(path, ["word_of_mouth=3"])


# --------------------------------------------------------------------------- sizes


def _scenario(**paths: Any) -> cfg.Scenario:
    data = copy.deepcopy(DEFAULT)
    for path, value in paths.items():
        cfg.set_path(data, path.replace("__", "."), value, origin="test")
    return cfg.validate_scenario(data)


OVERSIZED = [
    ({"population__size": 50_000_000}, ("population.size = 50,000,000", "; lower ")),
    (
        {"population__size": 2_000_000, "layers__facebook__follows": 10_000},
        ("population.size = 2,000,000", "; lower "),
    ),
    ({"simulation__replicates": 1_000_000}, ("simulation.replicates = 1,000,000",)),
    ({"simulation__steps": 1_000_000}, ("simulation.steps = 1,000,000",)),
    (
        {"simulation__block_size": 100_000, "simulation__replicates": 100_000},
        ("simulation.block_size = 100,000",),
    ),
    (
        {"channels__facebook_ads__budget": 1e9, "channels__facebook_ads__cpm": 0.01},
        ("channels.facebook_ads.budget",),
    ),
]


@pytest.mark.parametrize(
    ("paths", "fragments"),
    OVERSIZED,
    ids=["people", "follows", "replicates", "steps", "block", "ads"],
)
def test_oversized_scenarios_are_refused_naming_what_to_lower(paths, fragments):
    scenario = _scenario(**paths)
    with pytest.raises(ConfigError) as error:
        sizing.check_size(scenario, available=22 * GiB)
    message = str(error.value)
    assert "\n" not in message
    assert "of memory, more than the 22 GiB available; lower " in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_check_size_is_cheap_and_passes_the_default():
    big = _scenario(population__size=50_000_000, layers__facebook__follows=10_000)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ConfigError):
        sizing.check_size(big, available=22 * GiB)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 0.5 and peak < 5 * 2**20, (seconds, peak)
    found = sizing.check_size(cfg.default_scenario(), available=22 * GiB)
    # Measured on this machine: 135 MiB resident, 0.3 to 0.5 s to simulate.
    assert 100 * 2**20 < found.bytes < 300 * 2**20 and 0.05 < found.seconds < 5, found
    assert not found.long


def test_the_estimate_matches_what_the_default_run_allocates():
    from simulator.engine.run import simulate

    scenario = cfg.default_scenario()
    found = sizing.estimate(scenario, outputs=False)
    tracemalloc.start()
    try:
        simulate(scenario)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    arrays = found.bytes - sizing.BASELINE_BYTES  # the interpreter is not traced
    assert 0.5 < peak / arrays < 2.0, (
        peak,
        arrays,
    )  # traced 52 MB with the response on (2026-12-02)


def test_long_runs_are_flagged_and_described():
    found = sizing.estimate(_scenario(simulation__steps=200_000), outputs=False)
    assert found.long and "of memory and " in found.describe()
    assert sizing.available_memory() > 0


def test_more_workers_need_more_memory_and_less_time():
    scenario = _scenario(simulation__replicates=400)
    one, four = sizing.estimate(scenario), sizing.estimate(scenario, workers=4)
    assert four.bytes > 2 * one.bytes - sizing.BASELINE_BYTES and four.seconds < one.seconds


# --------------------------------------------------------------------------- the wom command


def _file(tmp_path, *edits: tuple[str, str]) -> str:
    """The default scenario as commented TOML, with the first ``old`` of each edit replaced."""
    text = scenario_to_toml(cfg.default_scenario())
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


COMMANDS = [
    (
        "steps = 365",
        "steps = true",
        "validate",
        "simulation.steps: Input should be a valid integer",
    ),
    ("set = {}", 'set = { "channels.free_samples.budget" = -5 }', "validate", "strategy 'word"),
    ("facebook = 0.6,", "facebok = 0.6, facebook = 0.6,", "run", "media.facebok: unknown medium"),
    ("budget = 1000.0", "budget = inf", "run", "channels.free_samples.budget: Input should be a"),
]


@pytest.mark.parametrize(
    ("old", "new", "command", "mention"), COMMANDS, ids=["bool", "strategy", "medium", "inf"]
)
def test_wom_refuses_bad_files_cleanly(tmp_path, old, new, command, mention):
    path = _file(tmp_path, (old, new))
    args = [command, path] + (["--out", str(tmp_path / "out")] if command == "run" else [])
    refuse_and_keep(args, tmp_path, mentions=mention)


def test_wom_run_refuses_a_set_on_a_section(tmp_path):
    refuse_and_keep(
        ["run", "--set", "simulation=5", "--out", str(tmp_path / "out")],
        tmp_path,
        mentions="'simulation' is a section, not a value",
    )


def test_wom_run_refuses_an_oversized_town_before_building_it(tmp_path):
    # Far beyond any machine (terabytes), so that it cannot start by accident.
    path = _file(tmp_path, ("size = 5000", "size = 50000000"), ("follows = 100", "follows = 10000"))
    refuse_and_keep(
        ["run", path, "--out", str(tmp_path / "out")],
        tmp_path,
        mentions=("population.size = 50,000,000", "more than the", "; lower "),
    )
