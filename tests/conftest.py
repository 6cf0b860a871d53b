"""Shared fixtures: small scenarios that run in well under a second."""

from __future__ import annotations

import pytest

from simulator import config as cfg


def small_scenario(**simulation) -> cfg.Scenario:
    """The default scenario shrunk to a village of 600 people and a month, with no
    advertising or talk response (``response.enabled = false``)."""
    base = cfg.default_scenario()
    data = base.model_dump()
    data["population"]["size"] = 600
    data["layers"]["facebook"]["follows"] = 20
    data["layers"]["instagram"]["follows"] = 15
    data["channels"]["facebook_page"]["followers"] = 100
    data["simulation"].update({"steps": 30, "replicates": 6, "block_size": 4, **simulation})
    # Without walk-ins, wear-out and decaying talk (tests/test_response.py covers them):
    # the tests built on this village pin counts that only messages make.
    data["response"] = {"enabled": False}
    return cfg.validate_scenario(data)


@pytest.fixture
def small() -> cfg.Scenario:
    return small_scenario()
