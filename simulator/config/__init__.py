"""Scenario configuration: frozen, validated pydantic models, TOML loading and overrides.

A scenario is validated once, here, at the boundary; everything downstream trusts it.
Every default cites its source (see :mod:`simulator.calibration`).
"""

from __future__ import annotations

import math
import tomllib
import warnings
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from simulator import calibration as cal
from simulator.errors import ConfigError, SimulatorWarning

SOURCE_TYPES: tuple[str, ...] = tuple(cal.TRUST)
"""Every source type an exposure can have, in a fixed order (their index is stored in arrays)."""

MEDIA: tuple[str, ...] = ("newspaper", "tv", "radio", "banner")
"""Media a segment can use besides the platform layers (``population.segments.*.media``).

Newspapers read ``Newspaper.medium`` and advertising ``Advertising.medium`` from it; each
platform layer's members are drawn from the entry named after the layer.
"""

MAX_BUDGET = 1e9
"""Most EUR a channel may spend: beyond it, money is a typo, not a campaign."""


class ScenarioWarning(SimulatorWarning):
    """A scenario that runs, but probably not as meant (a channel that never acts...).

    The ``wom`` command prints it as one ``wom: warning:`` line, as every
    :class:`~simulator.errors.SimulatorWarning`.
    """


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


# --------------------------------------------------------------------------- simulation


class Simulation(Parameters):
    steps: int = Field(
        90,
        ge=1,
        le=1_000_000,
        description="number of time steps (default 90 days: a three-month campaign) [assumption]",
    )
    dt: float = Field(
        1.0,
        gt=0.0,
        le=1000.0,
        description="length of one step, in time_unit (default one day) [assumption]",
    )
    time_unit: Literal["day", "week", "month", "year"] = Field(
        "day", description="unit of dt and of the bass rule's p and q"
    )
    replicates: int = Field(40, ge=1, le=1_000_000, description="replicates per strategy")
    block_size: int = Field(
        50,
        ge=1,
        le=100_000,
        description="replicates simulated together; each block has its own random streams, "
        "so results do not depend on how blocks are scheduled",
    )
    seed: int = Field(2026, ge=0, description="one seed fixes every output")
    stop_when_quiet: bool = Field(
        False,
        description="end a block early once nobody talks and no channel acts again (the "
        "rest of the series repeats the final values); for cascades",
    )

    @property
    def step_days(self) -> float:
        """Length of one step in days."""
        return (
            self.dt
            * {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}[self.time_unit]
        )


# --------------------------------------------------------------------------- population


class Segment(Parameters):
    name: Name = Field(description="segment name, e.g. young / adult / senior")
    share: float = Field(
        gt=0.0,
        le=1.0,
        description="share of the population (default scenario: young 0.3, adult 0.45, "
        "senior 0.25) [assumption]",
    )
    interest_alpha: float = Field(
        2.0, gt=0.0, description="Beta(alpha, beta) interest in the category [assumption]"
    )
    interest_beta: float = Field(3.0, gt=0.0, description="see interest_alpha [assumption]")
    interest: Probability | None = Field(
        None, description="one fixed interest for everyone in the segment, instead of Beta"
    )
    media: dict[str, Probability] = Field(
        default_factory=dict,
        description="probability of using each medium or platform (newspaper, tv, radio, "
        "banner, and one entry per platform layer; other names are errors) [assumption]",
    )


class Population(Parameters):
    size: int = Field(
        5000,
        ge=1,
        le=50_000_000,
        description="number of consumers (default 5,000: a small town) [assumption]",
    )
    segments: Annotated[tuple[Segment, ...], Array] = Field(
        min_length=1, description="consumer segments"
    )
    threshold_alpha: float = Field(
        1.0,
        gt=0.0,
        description="Beta(alpha, beta) adoption thresholds; (1, 1) is uniform, "
        "as in the linear threshold model (Kempe et al. 2003)",
    )
    threshold_beta: float = Field(
        1.0, gt=0.0, description="see threshold_alpha (Kempe et al. 2003)"
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Population:
        total = sum(s.share for s in self.segments)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"segment shares must sum to 1, got {total:.6g}")
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"segment names must be unique, got {names}")
        return self

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)


# --------------------------------------------------------------------------- network layers


class LayerBase(Parameters):
    contact_probability: Probability = Field(
        0.02,
        description="probability per step that a talking adopter mentions the product to a "
        "given contact (feed visibility for a platform post); the default scenario uses 0.05 "
        "offline and 0.002 online [assumption; for scale, Keller Fay TalkTrack 2006 counts 56 "
        "brand mentions per person per week, all brands together]",
    )


class MarketLayer(LayerBase):
    """Offline ties: households and close friends (strong), acquaintances (weak)."""

    kind: Literal["market"] = "market"
    neighbourhood_size: int = Field(250, ge=2, description="people per neighbourhood [assumption]")
    household_size: float = _cited(cal.HOUSEHOLD_SIZE, "mean household size", ge=1.0, le=20.0)
    close_friends: int = _cited(
        cal.CLOSE_FRIENDS, "close friends per person (strong ties)", ge=0, le=200
    )
    acquaintances: int = _cited(
        cal.ACQUAINTANCES, "acquaintances met at the market (weak ties)", ge=0, le=2000
    )
    local_share: Probability = Field(
        0.7,
        description="share of acquaintances met through friends (friends of friends, which makes "
        "clustering); the rest are anyone in town [assumption]",
    )
    rewire: Probability = Field(
        0.1,
        description="share of close friends drawn from the whole neighbourhood rather "
        "than next door (small-world rewiring) [assumption]",
    )


class PlatformLayer(LayerBase):
    """An online platform: a follower graph among its members."""

    kind: Literal["platform"] = "platform"
    follows: float = _cited(
        cal.ONLINE_FOLLOWS,
        "mean accounts followed per member, at most 10,000 (the default instagram layer's 60 "
        "is an [assumption])",
        ge=0.0,
        le=10_000.0,
    )
    friend_share: Probability = Field(
        0.3,
        description="share of online ties that copy an offline tie and keep its trust [assumption]",
    )
    popularity_exponent: float = Field(
        2.5,
        ge=1.1,
        le=100.0,
        description="Pareto tail exponent of follower counts, 1.1 to 100 (nearer 1 the "
        "popularities overflow) [assumption]",
    )
    reciprocal: bool = Field(True, description="friendships (True) or one-way follows (False)")


class EdgeListLayer(LayerBase):
    """A real graph read from a SNAP-style edge list (``u v`` a line, ``#`` comments)."""

    kind: Literal["edge_list"] = "edge_list"
    path: str = Field(description="edge-list file; relative paths are relative to the config")
    directed: bool = Field(False, description="False adds both directions of every edge")
    source: SourceType = Field("word_of_mouth", description="source type of its messages")
    tie_trust: Probability = Field(
        1.0, description="trust multiplier of its ties (default 1, as a strong tie) [assumption]"
    )


class GraphLayer(LayerBase):
    """A graph handed to :func:`simulator.engine.run.simulate` under this layer's name.

    Either a networkx graph or CSR arrays ``(indptr, indices)`` (edge ``u -> v``: ``v``
    hears ``u``), used as given.
    """

    kind: Literal["graph"] = "graph"
    source: SourceType = Field("word_of_mouth", description="source type of its messages")
    tie_trust: Probability = Field(
        1.0, description="trust multiplier of its ties (default 1, as a strong tie) [assumption]"
    )


class WellMixedLayer(LayerBase):
    """Everyone is everyone's contact, computed from counts (the Bass mean-field limit)."""

    kind: Literal["well_mixed"] = "well_mixed"
    source: SourceType = Field("word_of_mouth", description="source type of its messages")
    tie_trust: Probability = Field(
        1.0, description="trust multiplier of its ties (default 1, as a strong tie) [assumption]"
    )


Layer = Annotated[
    MarketLayer | PlatformLayer | EdgeListLayer | GraphLayer | WellMixedLayer,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------------- channels


class ChannelBase(Parameters):
    budget: Money = Field(
        1000.0,
        description="most this channel may spend, EUR, at most 1e9 (default 1,000: the "
        "course's example budget per channel) [assumption]",
    )
    start_day: float = Field(
        0.0,
        ge=0.0,
        le=1e7,
        description="first day of the campaign (default 0: at launch) [assumption]",
    )
    end_day: Forever = Field(
        math.inf,
        gt=0.0,
        description="campaign ends before this day (default inf: until the run ends) [assumption]",
    )


class Seeding(ChannelBase):
    """Free samples (or a referral programme) for k people chosen by a strategy."""

    kind: Literal["seeding"] = "seeding"
    seeds: int = Field(
        0,
        ge=0,
        description="people seeded; 0 (default) means as many as the budget buys [assumption]",
    )
    strategy: Literal["random", "degree", "pagerank", "given"] = Field(
        "random", description="how seeds are chosen; 'given' takes the ids in 'people'"
    )
    people: Annotated[tuple[int, ...], Array] = Field(
        (), description="seed ids for strategy 'given'"
    )
    cost_per_seed: Price = Field(
        10.0, description="EUR per free sample, at least 0.01 [assumption]"
    )
    referral_reward: Money = Field(
        0.0,
        description="EUR paid per adoption tipped by word of mouth (referral programme; "
        "default 0: none) [assumption]",
    )


class ImpressionChannel(ChannelBase):
    """Paid media that buy impressions spread over an audience."""

    target_segments: Annotated[tuple[str, ...], Array] = Field(
        (), description="segments reached; empty means every segment"
    )
    persuasion: Probability = Field(
        round(
            cal.CONVERSION_PER_SOCIAL_AD_IMPRESSION.value / (cal.TRUST["social_ad"].value * 0.4),
            5,
        ),
        description="conversion of a fully interested person by one fully trusted impression: "
        "WordStream 2017 Facebook ads 0.083 % per impression / (trust 0.46 x mean interest "
        "0.4); the same persuasion for print and broadcast is an [assumption]",
    )


class BroadcastChannel(ImpressionChannel):
    """Print and broadcast media sell their whole audience, most of it outside the market."""

    audience_in_market: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="share of the medium's paid audience that lives in this market; the "
        "rest is coverage the business pays for but cannot use [assumption]",
    )


class Newspaper(BroadcastChannel):
    kind: Literal["newspaper"] = "newspaper"
    medium: str = Field(
        "newspaper",
        description="population medium whose users are readers: newspaper, tv, radio, "
        "banner or a platform layer",
    )
    source: SourceType = Field("newspaper_ad", description="source type (trust)")
    cpm: Price = _cited(cal.CPM["newspaper"], "EUR per 1,000 copies of an insertion, at least 0.01")
    price_per_insertion: Annotated[Money, AfterValidator(_zero_or_at_least_a_cent)] = Field(
        0.0,
        description="EUR per insertion, 0 or at least 0.01; 0 (default) means cpm x readers / "
        "audience_in_market / 1000, priced from the OAAA / Solomon Partners 2022 CPM",
    )
    insertions_per_week: float = Field(
        1.0, gt=0.0, le=7.0, description="insertions per week [assumption]"
    )
    reach_per_insertion: Probability = Field(
        0.5, description="share of readers who see a given insertion [assumption]"
    )


class Advertising(BroadcastChannel):
    """Professional campaigns: TV, radio or online banners."""

    kind: Literal["advertising"] = "advertising"
    medium: Literal["tv", "radio", "banner"] = Field("radio", description="advertising medium")
    audience_in_market: float = Field(
        0.2,
        gt=0.0,
        le=1.0,
        description="share of the station's (or ad network's) paid audience that lives in "
        "this market [assumption]",
    )
    source: SourceType | None = Field(
        None, description="source type; default tv_ad, radio_ad or banner_ad by medium"
    )
    cpm: Price | None = Field(
        None,
        description="EUR per 1,000 impressions, at least 0.01; default by medium (OAAA 2022)",
    )
    flights_per_week: float = Field(4.0, gt=0.0, le=7.0, description="spots per week [assumption]")
    reach_per_flight: Probability = Field(
        0.3, description="share of the medium's audience reached by one spot [assumption]"
    )

    @property
    def resolved_source(self) -> str:
        return self.source or f"{self.medium}_ad"

    @property
    def resolved_cpm(self) -> float:
        return self.cpm if self.cpm is not None else cal.CPM[self.medium].value


class SocialAds(ImpressionChannel):
    """Paid ads shown to a platform's members, spread evenly over the campaign."""

    kind: Literal["social_ads"] = "social_ads"
    platform: str = Field("facebook", description="platform layer whose members see the ads")
    source: SourceType = Field("social_ad", description="source type (trust)")
    cpm: Price = _cited(cal.CPM["facebook"], "EUR per 1,000 impressions, at least 0.01")
    days: float = Field(
        28.0,
        gt=0.0,
        le=1e6,
        description="campaign length over which budget is spent (default 28 days) [assumption]",
    )


class SocialPage(ChannelBase):
    """The business's own page: followers, posts, organic reach, shares."""

    kind: Literal["social_page"] = "social_page"
    platform: str = Field("facebook", description="platform layer of the page")
    source: SourceType = Field("branded_content", description="source type of the page's posts")
    followers: int = Field(
        500,
        ge=0,
        le=1_000_000_000,
        description="page followers among platform members (default 500: a small local "
        "business) [assumption]",
    )
    posts_per_week: float = Field(3.0, gt=0.0, le=50.0, description="posts per week [assumption]")
    organic_reach: Probability = _cited(cal.ORGANIC_REACH, "share of followers who see a post")
    share_probability: Probability = Field(
        0.02,
        description="content quality: probability that a viewer shares a post with their "
        "own followers [assumption]",
    )
    share_reach: Probability = Field(
        0.2, description="share of a sharer's followers who see the share [assumption]"
    )
    hours_per_post: float = Field(
        1.5, ge=0.01, le=1000.0, description="hours to make a post [assumption]"
    )
    hourly_cost: Annotated[Money, AfterValidator(_zero_or_at_least_a_cent)] = Field(
        20.0, description="EUR per hour of work, 0 (own time) or at least 0.01 [assumption]"
    )
    persuasion: Probability = Field(
        0.005, description="persuasion of a post, as for paid impressions [assumption]"
    )


Channel = Annotated[
    Seeding | Newspaper | Advertising | SocialAds | SocialPage, Field(discriminator="kind")
]


# --------------------------------------------------------------------------- trust, word of mouth


class Trust(Parameters):
    """Trust weight by source type (Nielsen Global Trust in Advertising 2015)."""

    word_of_mouth: Probability = _cited(cal.TRUST["word_of_mouth"], "people I know")
    online_opinion: Probability = _cited(cal.TRUST["online_opinion"], "opinions online")
    branded_content: Probability = _cited(cal.TRUST["branded_content"], "brand's own content")
    editorial: Probability = _cited(cal.TRUST["editorial"], "editorial content")
    tv_ad: Probability = _cited(cal.TRUST["tv_ad"], "TV ads")
    newspaper_ad: Probability = _cited(cal.TRUST["newspaper_ad"], "newspaper ads")
    magazine_ad: Probability = _cited(cal.TRUST["magazine_ad"], "magazine ads")
    radio_ad: Probability = _cited(cal.TRUST["radio_ad"], "radio ads")
    social_ad: Probability = _cited(cal.TRUST["social_ad"], "social network ads")
    banner_ad: Probability = _cited(cal.TRUST["banner_ad"], "online banners")
    free_sample: Probability = _cited(cal.TRUST["free_sample"], "a sample in hand")
    background: Probability = _cited(cal.TRUST["background"], "Bass external influence")


class WordOfMouth(Parameters):
    persuasion: Probability = Field(
        round(
            cal.CONVERSION_PER_RECOMMENDATION.value / (cal.TRUST["word_of_mouth"].value * 0.4), 4
        ),
        description="conversion of a fully interested person by one fully trusted "
        "recommendation: Leskovec, Adamic and Huberman 2007 about 1 % per recommendation / "
        "(trust 0.83 x mean interest 0.4)",
    )
    strong_tie_trust: Probability = Field(
        1.0,
        description="trust multiplier of strong ties (1: the reference weak ties are scaled "
        "against) [assumption]",
    )
    weak_tie_trust: Probability = _cited(
        cal.WEAK_TIE_FACTOR, "trust multiplier of weak ties relative to strong ties"
    )
    talk_steps: Forever = Field(
        30.0,
        ge=1.0,
        description="steps an adopter keeps talking, a whole number up to 1,000,000 or inf: "
        "1 gives independent-cascade semantics, inf gives SI / Bass semantics [assumption]",
    )

    @field_validator("talk_steps")
    @classmethod
    def _talk_steps_is_whole(cls, steps: float) -> float:
        if not (math.isinf(steps) or (float(steps).is_integer() and steps <= 1_000_000)):
            raise ValueError(
                "talk_steps must be a whole number or inf (at most 1,000,000 when finite)"
            )
        return steps


class Product(Parameters):
    quality: Probability = Field(
        round(1.0 - cal.DISSATISFIED_SHARE.value, 4),
        description=f"share of adopters satisfied (promoters); the rest are detractors "
        f"[{cal.DISSATISFIED_SHARE.source}]",
    )
    detractor_talk_multiplier: float = _cited(
        cal.DETRACTOR_TALK_MULTIPLIER, "how much more often detractors talk", ge=0.0, le=10.0
    )
    negative_impact: float = _cited(
        cal.NEGATIVE_IMPACT,
        "impact of a negative message relative to a positive one",
        ge=0.0,
        le=10.0,
    )
    margin: Money = Field(
        0.0, description="profit per adoption, EUR (default 0: not reported) [assumption]"
    )


# --------------------------------------------------------------------------- adoption rules


class IndependentRule(Parameters):
    """Each positive exposure converts with probability trust x persuasion x interest.

    Reduces to the independent cascade (Kempe et al. 2003) with talk_steps = 1 and
    contact_probability = 1; a negative exposure with the same probability scaled by
    product.negative_impact makes the person reject the product.
    """

    kind: Literal["independent"] = "independent"


class ThresholdRule(Parameters):
    """Trust-weighted conviction accumulates; adoption when it reaches the threshold.

    Reduces to the linear threshold model (Kempe et al. 2003) with talk_steps = 1,
    contact_probability = 1, decay = 0, persuasion = 1, interest = 1 and weights
    1 / in-degree (``weights = "inverse_in_degree"``).
    """

    kind: Literal["threshold"] = "threshold"
    decay: Probability = Field(
        0.0,
        description="share of conviction forgotten per step (default 0, as in the linear "
        "threshold model, Kempe et al. 2003)",
    )
    weights: Literal["trust", "inverse_in_degree"] = Field(
        "trust", description="edge weight: trust, or trust / in-degree (linear threshold)"
    )


class BassRule(Parameters):
    """Hazard h = p + q x (trust-weighted share of talking adopters among contacts).

    P(adopt in a step) = 1 - exp(-h dt). On a well_mixed layer with talk_steps = inf it
    converges to Bass (1969) as dt -> 0; with dt = 1 it follows the discrete hazard map.
    """

    kind: Literal["bass"] = "bass"
    p: NonNegative = _cited(cal.BASS_P, "external influence per time_unit")
    q: NonNegative = _cited(cal.BASS_Q, "imitation per time_unit")


Adoption = Annotated[IndependentRule | ThresholdRule | BassRule, Field(discriminator="kind")]


# --------------------------------------------------------------------------- scenario


class Strategy(Parameters):
    name: Name = Field(description="label in tables and figures")
    channels: Annotated[tuple[str, ...], Array] = Field(
        (), description="names of the scenario's channels this strategy runs"
    )
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="dotted-path overrides of the scenario for this strategy",
    )


class Scenario(Parameters):
    """A whole experiment: the town, its networks, the channels and the strategies to compare."""

    title: str = Field("Scenario", description="what the experiment asks")
    simulation: Simulation = Field(default_factory=Simulation)
    population: Population
    layers: dict[str, Layer] = Field(min_length=1, description="network layers by name")
    trust: Trust = Field(default_factory=Trust)
    word_of_mouth: WordOfMouth = Field(default_factory=WordOfMouth)
    product: Product = Field(default_factory=Product)
    adoption: Adoption = Field(default_factory=IndependentRule)
    channels: dict[str, Channel] = Field(default_factory=dict, description="channels by name")
    strategies: Annotated[tuple[Strategy, ...], Array] = Field(
        default=(), description="strategies to compare; none means one with every channel"
    )

    @model_validator(mode="after")
    def _references_exist(self) -> Scenario:
        segment_names = set(self.population.segment_names)
        platforms = {n for n, layer in self.layers.items() if layer.kind == "platform"}
        media = sorted({*MEDIA, *platforms})
        for table, names in (("layers", self.layers), ("channels", self.channels)):
            for name in names:
                if not name.strip() or "." in name:
                    raise ValueError(
                        f"{table}: names must be non-empty and without dots (a dotted path "
                        f"could not reach them), got {name!r}"
                    )
        for i, seg in enumerate(self.population.segments):
            for medium in seg.media:
                if medium not in media:
                    raise ValueError(
                        f"population.segments.{i}.media.{medium}: unknown medium '{medium}'; "
                        f"allowed: {media} (the built-in media and the platform layers)"
                    )
        for name in platforms:
            for i, seg in enumerate(self.population.segments):
                if name not in seg.media:
                    raise ValueError(
                        f"population.segments.{i}.media needs an entry for platform layer "
                        f"'{name}' (probability of being a member)"
                    )
        for name, channel in self.channels.items():
            for seg in getattr(channel, "target_segments", ()):
                if seg not in segment_names:
                    raise ValueError(
                        f"channels.{name}.target_segments: unknown segment '{seg}'; "
                        f"allowed: {sorted(segment_names)}"
                    )
            if channel.kind == "newspaper" and channel.medium not in media:
                raise ValueError(
                    f"channels.{name}.medium: unknown medium '{channel.medium}'; "
                    f"allowed: {media} (got {channel.medium!r})"
                )
            platform = getattr(channel, "platform", None)
            if platform is not None and platform not in platforms:
                raise ValueError(
                    f"channels.{name}.platform: '{platform}' is not a platform layer; "
                    f"allowed: {sorted(platforms)}"
                )
            if channel.kind == "seeding" and channel.strategy == "given":
                outside = [p for p in channel.people if not 0 <= p < self.population.size]
                if not channel.people or outside:
                    raise ValueError(
                        f"channels.{name}.people must list seed ids in 0..{self.population.size - 1} "
                        f"for strategy 'given', got {list(channel.people)}"
                    )
            if channel.end_day <= channel.start_day:
                raise ValueError(
                    f"channels.{name}.end_day must be after start_day "
                    f"(got end_day {channel.end_day:g}, start_day {channel.start_day:g})"
                )
        strategy_names = [s.name for s in self.strategies]
        if len(set(strategy_names)) != len(strategy_names):
            raise ValueError(f"strategy names must be unique, got {strategy_names}")
        for i, strategy in enumerate(self.strategies):
            for channel in strategy.channels:
                if channel not in self.channels:
                    raise ValueError(
                        f"strategies.{i}.channels: unknown channel '{channel}'; "
                        f"allowed: {sorted(self.channels)}"
                    )
            if len(set(strategy.channels)) != len(strategy.channels):
                raise ValueError(
                    f"strategies.{i}.channels: each channel may be listed once, "
                    f"got {list(strategy.channels)}"
                )
        return self

    def resolved_strategies(self) -> tuple[Strategy, ...]:
        """The strategies to run (one running every channel when none are given)."""
        if self.strategies:
            return self.strategies
        return (Strategy(name="all channels", channels=tuple(self.channels)),)

    def for_strategy(self, strategy: Strategy, *, origin: str | None = None) -> Scenario:
        """This scenario with the strategy's overrides applied and only its channels.

        Parameters
        ----------
        strategy : Strategy
            One of :meth:`resolved_strategies`.
        origin : str, optional
            Where the scenario came from (a file name), prefixed to error messages.

        Raises
        ------
        ConfigError
            When the strategy's ``set`` names no parameter or gives an invalid value; the
            message names the strategy.
        """
        where = f"strategy '{strategy.name}'"
        if origin is not None:
            where = f"{origin}: {where}"
        data = self.model_dump(mode="json")  # lists, not tuples: overrides reach segments
        data["channels"] = {n: data["channels"][n] for n in strategy.channels}
        data["strategies"] = []
        for path, value in strategy.set.items():
            set_path(data, path, value, origin=f"{where} set")
        return validate_scenario(data, origin=where)


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
    >>> scenario = default_scenario()
    >>> len(check_runnable(scenario))
    5
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
    >>> scenario_doubts(default_scenario())
    []
    """
    doubts: list[str] = []
    if scenario.channels:
        for i, strategy in enumerate(scenario.strategies):
            if not strategy.channels:
                doubts.append(
                    f"strategies.{i}.channels: strategy '{strategy.name}' runs none of the "
                    f"channels {sorted(scenario.channels)} (channels = [])"
                )
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


# --------------------------------------------------------------------------- loading


def _format_location(loc: tuple[Any, ...]) -> str:
    # Discriminated unions insert the variant tag ("market", "bass") into the location.
    parts = [str(p) for p in loc]
    if parts[:1] in (["layers"], ["channels"]) and len(parts) > 2 and parts[2] in _VARIANT_TAGS:
        del parts[2]
    elif parts[:1] == ["adoption"] and len(parts) > 1 and parts[1] in _VARIANT_TAGS:
        del parts[1]
    return ".".join(parts) or "(scenario)"


_VARIANT_TAGS = {
    "market",
    "platform",
    "edge_list",
    "graph",
    "well_mixed",
    "seeding",
    "newspaper",
    "advertising",
    "social_ads",
    "social_page",
    "independent",
    "threshold",
    "bass",
}


def validate_scenario(data: dict[str, Any], *, origin: str = "config") -> Scenario:
    """Validate a plain dict as a :class:`Scenario`, with one-line errors.

    Examples
    --------
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
        first = exc.errors()[0]
        where = _format_location(first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "is not a parameter (check the spelling; wom show-default lists them all)"
        got = first.get("input")
        received = (
            "" if first["type"] in ("missing",) or isinstance(got, dict) else f" (got {got!r})"
        )
        more = exc.error_count() - 1
        extra = f" [and {more} more problem{'s' * (more > 1)}]" if more else ""
        # Checks across sections name their own dotted paths.
        where = "" if where == "(scenario)" else f"{where}: "
        raise ConfigError(f"{origin}: {where}{message}{received}{extra}") from None


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


def default_scenario_data() -> dict[str, Any]:
    """The built-in scenario as plain data (lists, not tuples), ready for ``set_path``.

    Examples
    --------
    >>> data = default_scenario_data()
    >>> set_path(data, "strategies.0.name", "x", origin="--set")
    >>> validate_scenario(data).strategies[0].name
    'x'
    """
    return default_scenario().model_dump(mode="json")


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
            if depth == 0 and key in _MODEL_SECTIONS:
                node[key] = {}
            else:
                allowed = sorted(node) if depth else sorted(Scenario.model_fields)
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
        if len(keys) == 1 and last not in Scenario.model_fields:
            raise ConfigError(
                f"{origin}: '{path}' is not a parameter; allowed: {sorted(Scenario.model_fields)}"
            )
        current = node.get(last, {} if len(keys) == 1 and last in _MODEL_SECTIONS else None)
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


_MODEL_SECTIONS = {"simulation", "population", "trust", "word_of_mouth", "product", "adoption"}


# --------------------------------------------------------------------------- default scenario


def default_scenario() -> Scenario:
    """The built-in scenario: a town of 5,000, one market and two platforms, five channels.

    Each strategy spends the same budget (1,000 EUR) on one channel, so they compare at
    equal spend.

    Examples
    --------
    >>> [s.name for s in default_scenario().strategies]
    ['word of mouth', 'newspaper', 'radio', 'social ads', 'social page']
    """
    # Platform use by age: assumptions in the spirit of Eurostat / Pew surveys, not sourced.
    segments = (
        Segment(
            name="young",
            share=0.3,
            interest_alpha=2.0,
            interest_beta=3.0,
            media={
                "facebook": 0.6,
                "instagram": 0.8,
                "newspaper": 0.1,
                "radio": 0.3,
                "tv": 0.5,
                "banner": 0.9,
            },
        ),
        Segment(
            name="adult",
            share=0.45,
            interest_alpha=2.0,
            interest_beta=3.0,
            media={
                "facebook": 0.7,
                "instagram": 0.45,
                "newspaper": 0.25,
                "radio": 0.5,
                "tv": 0.8,
                "banner": 0.8,
            },
        ),
        Segment(
            name="senior",
            share=0.25,
            interest_alpha=2.0,
            interest_beta=3.0,
            media={
                "facebook": 0.4,
                "instagram": 0.1,
                "newspaper": 0.5,
                "radio": 0.6,
                "tv": 0.95,
                "banner": 0.5,
            },
        ),
    )
    return Scenario(
        title="Word of mouth vs advertising for a small bakery, 1,000 EUR per channel",
        population=Population(segments=segments),
        layers={
            "market": MarketLayer(contact_probability=0.05),
            "facebook": PlatformLayer(contact_probability=0.002, reciprocal=True),
            "instagram": PlatformLayer(
                contact_probability=0.002, follows=60, reciprocal=False, friend_share=0.2
            ),
        },
        channels={
            "free_samples": Seeding(strategy="random"),
            "newspaper": Newspaper(),
            "radio": Advertising(medium="radio"),
            "facebook_ads": SocialAds(platform="facebook"),
            "facebook_page": SocialPage(platform="facebook"),
        },
        strategies=(
            Strategy(name="word of mouth", channels=("free_samples",)),
            Strategy(name="newspaper", channels=("newspaper",)),
            Strategy(name="radio", channels=("radio",)),
            Strategy(name="social ads", channels=("facebook_ads",)),
            Strategy(name="social page", channels=("facebook_page",)),
        ),
    )
