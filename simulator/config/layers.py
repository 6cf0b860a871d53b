"""Network layers: who can talk to whom (a market, online platforms, given graphs)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from simulator import calibration as cal
from simulator.config.base import Parameters, Probability, SourceType, _cited, variant_kinds


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

LAYER_KINDS: tuple[str, ...] = variant_kinds(Layer)
"""Every layer ``kind``, in declaration order."""
