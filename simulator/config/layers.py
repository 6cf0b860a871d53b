"""Network layers: who can talk to whom (a market, online platforms, given graphs)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from simulator import calibration as cal
from simulator.config.base import (
    Forever,
    Parameters,
    Probability,
    SourceType,
    _cited,
    variant_kinds,
)


class LayerBase(Parameters):
    contact_probability: Probability = Field(
        0.02,
        description="probability per step that a talking adopter mentions the product to a "
        "given contact (feed visibility for a platform post); the default scenario uses 0.025 "
        "offline (calibrated with word_of_mouth.persuasion to the facts of wom check-model) "
        "and 0.002 online [assumption; for scale, Keller Fay TalkTrack 2006 counts 56 brand "
        "mentions per person per week, all brands together]",
    )


SEGMENT_MIXING = 1.6
"""Default ``segment_mixing``: tuned so that about 60 % of the default town's market ties
join people of one segment (MODEL-REVIEW G3)."""


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
    distinct_ties: bool = Field(
        True,
        description="draw again a close friend or acquaintance who repeats a tie, so the "
        "realised numbers meet close_friends and acquaintances (false: they merge, the model "
        "before 2026-12, about 6.3 strong and 8.1 weak ties for 7.5 and 15)",
    )
    segment_mixing: Forever = Field(
        SEGMENT_MIXING,
        ge=0.0,
        description="homophily: people live on the ring sorted by segment + this x U(0, 1), so "
        "0 puts each segment in one stretch of town and inf places people at random (the "
        "model before 2026-12: 35.6 % same-segment ties, chance); the default gives about 60 % "
        "of market ties within a segment [MODEL-REVIEW G3 target 0.6: age is among the "
        "strongest homophily dimensions, McPherson, Smith-Lovin & Cook 2001; the share itself "
        "is an assumption; calibrated: this value was tuned to give it]",
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
        0.12,
        description="share of online ties that copy an offline tie and keep its trust; a town "
        "offers only its offline ties between members, so a larger request is an error naming "
        "the realised share (default 0.12: most of what the default town offers; 0.3 before "
        "2026-12, silently met as 0.089) [assumption]",
    )
    cap_friend_share: bool = Field(
        False,
        description="copy every offline tie there is when friend_share asks for more (the model "
        "before 2026-12 did so silently); false: asking for more than the realised share plus "
        "0.05 is an error",
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

LAYER_KINDS: tuple[str, ...] = variant_kinds(Layer)
"""Every layer ``kind``, in declaration order."""
