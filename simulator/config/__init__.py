"""Scenario configuration: frozen, validated pydantic models, TOML loading and overrides.

A scenario is validated once, here, at the boundary; everything downstream trusts it.
Every default cites its source (see :mod:`simulator.calibration`).

The models live in topic modules (:mod:`~simulator.config.base`, ``layers``, ``channels``,
``rules``, ``behaviour``, ``lifecycle``, ``scenario``); reading and checking scenarios in
:mod:`~simulator.config.io`; the built-in scenario in :mod:`~simulator.config.defaults`;
the TOML writer in :mod:`~simulator.config.toml`. Import them all from here.
"""

from simulator.config.base import (
    MAX_BUDGET,
    SOURCE_TYPES,
    Array,
    Forever,
    Model,
    Money,
    Name,
    NonNegative,
    Parameters,
    Price,
    Probability,
    SourceType,
    ZeroOrPrice,
    variant_kinds,
)
from simulator.config.behaviour import Product, Trust, WordOfMouth
from simulator.config.channels import (
    CHANNEL_KINDS,
    Advertising,
    BroadcastChannel,
    Channel,
    ChannelBase,
    Dialogue,
    ImpressionChannel,
    Newspaper,
    Seeding,
    SocialAds,
    SocialPage,
)
from simulator.config.defaults import default_scenario, default_scenario_data
from simulator.config.io import (
    TINY_TOWN,
    ScenarioWarning,
    apply_overrides,
    check_runnable,
    load_scenario,
    parse_override,
    read_toml,
    scenario_doubts,
    set_path,
    validate_scenario,
)
from simulator.config.layers import (
    LAYER_KINDS,
    EdgeListLayer,
    GraphLayer,
    Layer,
    LayerBase,
    MarketLayer,
    PlatformLayer,
    WellMixedLayer,
)
from simulator.config.lifecycle import Lifecycle
from simulator.config.reputation import (
    REALISTIC_PAGE,
    REALISTIC_REPUTATION,
    Reputation,
    Reviews,
    realistic_reputation_overrides,
)
from simulator.config.response import (
    REALISTIC,
    AdvertisingResponse,
    MediumResponse,
    Response,
    TalkResponse,
    realistic_overrides,
)
from simulator.config.rules import (
    ADOPTION_KINDS,
    Adoption,
    BassRule,
    IndependentRule,
    ThresholdRule,
)
from simulator.config.scenario import MEDIA, Population, Scenario, Segment, Simulation, Strategy
from simulator.errors import ConfigError

__all__ = [
    "ADOPTION_KINDS",
    "CHANNEL_KINDS",
    "LAYER_KINDS",
    "MAX_BUDGET",
    "MEDIA",
    "REALISTIC",
    "REALISTIC_PAGE",
    "REALISTIC_REPUTATION",
    "SOURCE_TYPES",
    "TINY_TOWN",
    "Adoption",
    "Advertising",
    "AdvertisingResponse",
    "Array",
    "BassRule",
    "BroadcastChannel",
    "Channel",
    "ChannelBase",
    "ConfigError",
    "Dialogue",
    "EdgeListLayer",
    "Forever",
    "GraphLayer",
    "ImpressionChannel",
    "IndependentRule",
    "Layer",
    "LayerBase",
    "Lifecycle",
    "MarketLayer",
    "MediumResponse",
    "Model",
    "Money",
    "Name",
    "Newspaper",
    "NonNegative",
    "Parameters",
    "PlatformLayer",
    "Population",
    "Price",
    "Probability",
    "Product",
    "Reputation",
    "Response",
    "Reviews",
    "Scenario",
    "ScenarioWarning",
    "Seeding",
    "Segment",
    "Simulation",
    "SocialAds",
    "SocialPage",
    "SourceType",
    "Strategy",
    "TalkResponse",
    "ThresholdRule",
    "Trust",
    "WellMixedLayer",
    "WordOfMouth",
    "ZeroOrPrice",
    "apply_overrides",
    "check_runnable",
    "default_scenario",
    "default_scenario_data",
    "load_scenario",
    "parse_override",
    "read_toml",
    "realistic_overrides",
    "realistic_reputation_overrides",
    "scenario_doubts",
    "set_path",
    "validate_scenario",
    "variant_kinds",
]
