"""Config: defaults, TOML round trip, overrides and one-line errors."""

from __future__ import annotations

import tomllib

import pytest

from simulator import calibration as cal
from simulator import config as cfg
from simulator.config.toml import scenario_to_toml
from simulator.errors import ConfigError


def test_default_round_trips_through_commented_toml():
    scenario = cfg.default_scenario()
    text = scenario_to_toml(scenario)
    assert cfg.validate_scenario(tomllib.loads(text)) == scenario
    assert "Nielsen Global Trust in Advertising 2015" in text
    assert "Leskovec" in text
    assert "\np = " not in text and "\nq = " not in text  # bass p, q only under a bass rule


def test_default_strategies_compare_channels_at_equal_budget():
    scenario = cfg.default_scenario()
    budgets = {scenario.channels[c].budget for s in scenario.strategies for c in s.channels}
    assert budgets == {1000.0}
    assert len(scenario.strategies) >= 5


def test_set_overrides_are_typed_and_validated(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(scenario_to_toml(cfg.default_scenario()))
    scenario = cfg.load_scenario(
        path, ["channels.newspaper.budget=500", "simulation.seed=9", "title=Bakery"]
    )
    assert scenario.channels["newspaper"].budget == 500.0
    assert scenario.simulation.seed == 9
    assert scenario.title == "Bakery"


def test_missing_sections_take_defaults(tmp_path):
    path = tmp_path / "minimal.toml"
    path.write_text(
        '[population]\nsize = 100\n[[population.segments]]\nname = "all"\nshare = 1.0\n'
        '[layers.market]\nkind = "market"\n'
    )
    scenario = cfg.load_scenario(path, ["simulation.steps=5"])
    assert scenario.simulation.steps == 5
    assert scenario.trust.word_of_mouth == pytest.approx(0.83)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("population.sizee=3", "population.sizee: is not a parameter"),
        (
            "channels.newspaper.budget=-5",
            "channels.newspaper.budget: Input should be greater than or equal to 0 (got -5)",
        ),
        (
            "layers.market.contact_probability=1.5",
            "layers.market.contact_probability: Input should be less than or equal to 1 (got 1.5)",
        ),
        ("channels.nope.budget=5", "no 'channels.nope'; allowed here: ['facebook_ads'"),
        ("nothing=1", "'nothing' is not a parameter"),
        (
            "simulation.replicates=0",
            "simulation.replicates: Input should be greater than or equal to 1",
        ),
        ("word_of_mouth.talk_steps=2.5", "talk_steps must be a whole number or inf"),
    ],
)
def test_bad_overrides_name_the_path(override, message):
    data = cfg.default_scenario().model_dump()
    with pytest.raises(ConfigError) as error:
        cfg.apply_overrides(data, [override])
        cfg.validate_scenario(data)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_unknown_key_in_file_names_file_and_path(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        scenario_to_toml(cfg.default_scenario()).replace("[product]", "[product]\nqualty = 0.5")
    )
    with pytest.raises(ConfigError, match=r"s\.toml: product\.qualty: is not a parameter"):
        cfg.load_scenario(path)


def test_malformed_and_missing_files(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        cfg.load_scenario(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[simulation]\nsteps = = 3\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: invalid TOML: .*line 2"):
        cfg.load_scenario(bad)


def test_cross_references_are_checked():
    data = cfg.default_scenario().model_dump()
    data["strategies"][0]["channels"] = ["tv_spots"]
    with pytest.raises(ConfigError, match="unknown channel 'tv_spots'"):
        cfg.validate_scenario(data)
    data = cfg.default_scenario().model_dump()
    data["channels"]["facebook_ads"]["platform"] = "myspace"
    with pytest.raises(ConfigError, match="'myspace' is not a platform layer"):
        cfg.validate_scenario(data)
    data = cfg.default_scenario().model_dump()
    data["population"]["segments"][0]["share"] = 0.5
    with pytest.raises(ConfigError, match="segment shares must sum to 1"):
        cfg.validate_scenario(data)


def test_config_is_frozen():
    scenario = cfg.default_scenario()
    with pytest.raises(Exception, match="frozen"):
        scenario.simulation.steps = 3


def test_source_types_are_one_list_in_one_order():
    # The index of a source type is stored in arrays, so the order is part of the format.
    assert cfg.SOURCE_TYPES[:2] == ("word_of_mouth", "online_opinion")
    assert cfg.SOURCE_TYPES[-2:] == ("free_sample", "background")
    assert tuple(cal.TRUST) == cfg.SOURCE_TYPES
    assert tuple(cfg.Trust.model_fields) == cfg.SOURCE_TYPES


def test_kinds_come_from_the_unions():
    assert cfg.LAYER_KINDS == ("market", "platform", "edge_list", "graph", "well_mixed")
    assert cfg.ADOPTION_KINDS == ("independent", "threshold", "bass")
    assert "social_page" in cfg.CHANNEL_KINDS and len(cfg.CHANNEL_KINDS) == 7
    assert cfg.CHANNEL_KINDS[-1] == "influencer"
    data = cfg.default_scenario_data()
    data["adoption"] = {"kind": "bass", "p": -1.0}
    with pytest.raises(ConfigError, match=r"config: adoption\.p: "):
        cfg.validate_scenario(data)
