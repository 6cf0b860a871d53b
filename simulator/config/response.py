"""Realistic response to advertising and word of mouth (MODEL-REVIEW G2 and G3, issue 14).

Every mechanism is on by default, at the values of :data:`REALISTIC` (each field cites its
source). ``response.enabled = false`` switches them all off at once, and off is the model
before them exactly: the stock of an ad forgets everything by the next step and never
wears out, frequency is uncapped, nobody walks in, talk keeps its full rate for
``word_of_mouth.talk_steps``, the tenth recommendation counts as much as the first, every
satisfied adopter is a promoter, and online strangers are trusted like online opinions.
:func:`previous_model_overrides` gives the other defaults the previous model had
(``product.quality`` 0.95, ``word_of_mouth.talk_steps`` 30).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, field_validator

from simulator.config.base import Forever, Parameters, Probability


def _whole_or_inf(value: float, name: str) -> float:
    if not (math.isinf(value) or (float(value).is_integer() and 1 <= value <= 1_000_000)):
        raise ValueError(f"{name} must be a whole number from 1 to 1,000,000, or inf (off)")
    return value


SOCIAL_WEAR_OUT = 1.5
"""n_w of social ads, calibrated by ``wom check-model`` to the Sethuraman et al. (2011)
elasticity band (the ``facts`` row names it: calibrated, not emergent)."""


class MediumResponse(Parameters):
    """How one kind of paid medium is remembered and wears out (MODEL-REVIEW G2).

    A person's ad stock ``A`` decays by ``lambda = 0.5 ** (step_days / half_life_days)`` a
    step; an impression that finds ``A`` (before it) converts with the medium's
    probability times ``w(A + 1)``, then adds 1 to ``A``. Concave wear-out:
    ``w(n) = exp(-(n - 1) / wear_out)``; S-shaped: ``(n / n_e) ** (kappa - 1)`` below
    ``n_e = effective_frequency``, then ``exp(-(n - n_e) / wear_out)``. The stock converts
    later at the hazard ``strength x interest x carryover x A (1 - lambda)`` a step (for
    one impression, ``carryover`` times the first impression's chance over its life).
    """

    half_life_days: float = Field(
        0.0,
        ge=0.0,
        le=10_000.0,
        description="half-life of a person's ad stock, days; 0: the stock is gone by the "
        "next step (default 2 social, 7 print and broadcast; Trusov, Bucklin & Pauwels "
        "2009, traditional marketing carries over less than word of mouth [V])",
    )
    wear_out: Forever = Field(
        math.inf,
        gt=0.0,
        description="wear-out scale n_w, effective exposures; inf: the hundredth "
        "impression converts like the first (default social 2, calibrated so that the arc "
        "elasticity of adoptions to social-ad spend at 1,000 EUR is in [0.05, 0.30], "
        "Sethuraman, Tellis & Briesch 2011: 0.12 short-term [V]; print and broadcast 4 "
        "[assumption])",
    )
    shape: Literal["concave", "s_shape"] = Field(
        "concave",
        description="wear-out curve: concave (default; concave responses dominate, Simon & "
        "Arndt 1980 [R]) or s_shape (effective frequency, Krugman 1972 [R])",
    )
    effective_frequency: float = Field(
        3.0,
        ge=1.0,
        le=1000.0,
        description="n_e of the s_shape curve: exposures until full effect (Krugman 1972, "
        "'three exposures'; Naples 1979 [R])",
    )
    kappa: float = Field(
        2.0, ge=1.0, le=10.0, description="steepness of the s_shape curve below n_e [assumption]"
    )
    carryover: Probability = Field(
        0.0,
        description="zeta: delayed conversions from the stock, as a share of the "
        "first impression's chance; 0: none (default 0.3 [assumption, MODEL-REVIEW G2])",
    )
    frequency_cap: Forever = Field(
        math.inf,
        description="most impressions per person in any cap_window_days; impressions that "
        "cannot be placed are not bought (reported as unspent); inf: no cap (default 3 "
        "per 7 days for social ads, platform practice [assumption]; none for print and "
        "broadcast)",
    )
    cap_window_days: float = Field(
        7.0, gt=0.0, le=365.0, description="window of the frequency cap, days [assumption]"
    )

    @field_validator("frequency_cap")
    @classmethod
    def _cap_is_whole(cls, cap: float) -> float:
        return _whole_or_inf(cap, "frequency_cap")

    @property
    def enabled(self) -> bool:
        """Whether this medium needs any state beyond today's model."""
        return (
            self.half_life_days > 0
            or math.isfinite(self.wear_out)
            or self.carryover > 0
            or math.isfinite(self.frequency_cap)
        )


class AdvertisingResponse(Parameters):
    """Ad stock, wear-out, caps by medium, and walk-ins (MODEL-REVIEW G2)."""

    social: MediumResponse = Field(
        default_factory=lambda: MediumResponse(
            half_life_days=2.0, wear_out=SOCIAL_WEAR_OUT, carryover=0.3, frequency_cap=3.0
        ),
        description="social_ads channels",
    )
    newspaper: MediumResponse = Field(
        default_factory=lambda: MediumResponse(half_life_days=7.0, wear_out=4.0, carryover=0.3),
        description="newspaper channels (print)",
    )
    broadcast: MediumResponse = Field(
        default_factory=lambda: MediumResponse(half_life_days=7.0, wear_out=4.0, carryover=0.3),
        description="advertising channels (tv, radio, banner)",
    )
    walk_ins_per_year: Probability = Field(
        0.03,
        description="baseline demand: yearly chance that someone who has not adopted walks "
        "in and buys with no message, scaled by interest / mean interest; 0: none "
        "[Sultan, Farley & Lehmann 1990 mean Bass p 0.03]",
    )


class TalkResponse(Parameters):
    """Word of mouth that decays, saturates and comes in three valences (MODEL-REVIEW G3)."""

    decay_days: Forever = Field(
        14.0,
        gt=0.0,
        description="tau_talk: a talker's contact rate is multiplied by exp(-age / tau) "
        "(age 0 on the first talking step); inf: no decay [default 14 days, assumption: "
        "immediate word of mouth decays, Berger & Schwartz 2011 [R]]",
    )
    saturation_after: int = Field(
        2,
        ge=0,
        le=1_000_000,
        description="n*: messages a person hears at full effect; later ones count rho, "
        "rho^2... [Leskovec, Adamic & Huberman 2007: the effect peaks at about 2 "
        "recommendations [S]]",
    )
    saturation: Probability = Field(
        0.7,
        description="rho, the factor of each message beyond saturation_after; 1: none "
        "[Leskovec, Adamic & Huberman 2007 [S]]",
    )
    repeat_sender: Probability = Field(
        0.3,
        description="rho_same, the factor of a repeat message from the same sender on the "
        "same tie; 1: none [Leskovec, Adamic & Huberman 2007 [S]]",
    )
    passive_share: Probability = Field(
        0.30,
        description="pi_0: share of adopters who are passives (satisfied, talk little); "
        "promoters are product.quality, detractors the rest; 0: none [0.30 with quality "
        "0.60, an illustrative NPS structure, Reichheld 2003 [R]]",
    )
    passive_talk: float = Field(
        0.25,
        ge=0.0,
        le=10.0,
        description="nu_0, a passive's contact rate relative to a promoter's [assumption]",
    )
    passive_strength: Probability = Field(
        0.5,
        description="strength of a passive's recommendation relative to a promoter's "
        "(MODEL-REVIEW G3) [assumption]",
    )
    cue_talk: float = Field(
        0.4,
        ge=0.0,
        le=100.0,
        description="rate of the talk step that a purchase cues, relative to the layer's "
        "contact_probability (0.4 = 0.02 per contact on the market's 0.05); 0: none "
        "[assumption: MODEL-REVIEW G3 c_cue 0.02; needs the lifecycle's purchases]",
    )
    online_stranger_trust: Literal["online_opinion", "weak_tie"] = Field(
        "weak_tie",
        description="trust of an online-only follow: weak_tie (default, word_of_mouth x "
        "weak_tie_trust, 0.37; Nielsen 2015's 'consumer opinions online' item is about "
        "reviews, not followed strangers, MODEL-REVIEW A.0) or online_opinion (Nielsen "
        "2015, 0.66, the previous model)",
    )

    @property
    def enabled(self) -> bool:
        """Whether talk needs any state beyond today's model."""
        return (
            math.isfinite(self.decay_days)
            or self.saturation < 1
            or self.repeat_sender < 1
            or self.passive_share > 0
        )


class Response(Parameters):
    """Advertising and word-of-mouth response (issue 14), on by default."""

    enabled: bool = Field(
        True,
        description="ad stock, wear-out, caps, walk-ins, decaying and saturating talk, "
        "passives and purchase cues (false: all off, the model before them)",
    )

    advertising: AdvertisingResponse = Field(default_factory=AdvertisingResponse)
    word_of_mouth: TalkResponse = Field(default_factory=TalkResponse)


REALISTIC: dict[str, Any] = {
    "response.advertising.social.half_life_days": 2.0,
    "response.advertising.social.wear_out": SOCIAL_WEAR_OUT,
    "response.advertising.social.carryover": 0.3,
    "response.advertising.social.frequency_cap": 3.0,
    "response.advertising.newspaper.half_life_days": 7.0,
    "response.advertising.newspaper.wear_out": 4.0,
    "response.advertising.newspaper.carryover": 0.3,
    "response.advertising.broadcast.half_life_days": 7.0,
    "response.advertising.broadcast.wear_out": 4.0,
    "response.advertising.broadcast.carryover": 0.3,
    "response.advertising.walk_ins_per_year": 0.03,
    "response.word_of_mouth.decay_days": 14.0,
    "response.word_of_mouth.saturation": 0.7,
    "response.word_of_mouth.repeat_sender": 0.3,
    "response.word_of_mouth.passive_share": 0.30,
    "response.word_of_mouth.cue_talk": 0.4,
    "response.word_of_mouth.online_stranger_trust": "weak_tie",
    "product.quality": 0.60,
    "word_of_mouth.talk_steps": 120.0,
}
"""The defaults of the mechanisms, in one place (sources in the field descriptions); the
facts of ``wom check-model`` apply them explicitly, so that they hold whatever a file says.

``product.quality`` 0.60 is the promoter share pi_plus of MODEL-REVIEW G3: with passives
0.30 (talking at 0.25) and detractors 0.10 (at 1.5), messages are positive to negative as
(0.60 + 0.30 x 0.25) / (0.10 x 1.5) = 4.5. ``talk_steps`` 120 lets the 14-day decay, not
the hard stop, end talk (exp(-120 / 14) = 0.02 % of the first day's rate). Social-ad
wear-out is :data:`SOCIAL_WEAR_OUT` (calibrated); print and broadcast wear-out 4 is an
[assumption] (Sethuraman et al. 2011 find broadcast elasticities above print's [V]).
``cue_talk``: each purchase of a customer makes her talk once more (the lifecycle calls
:meth:`simulator.engine.talk.Talk.cue` with each step's buyers)."""

MECHANISMS_OFF: dict[str, Any] = {
    **{
        f"response.advertising.{medium}.{field}": value
        for medium in ("social", "newspaper", "broadcast")
        for field, value in (
            ("half_life_days", 0.0),
            ("wear_out", math.inf),
            ("carryover", 0.0),
            ("frequency_cap", math.inf),
        )
    },
    "response.advertising.walk_ins_per_year": 0.0,
    "response.word_of_mouth.decay_days": math.inf,
    "response.word_of_mouth.saturation": 1.0,
    "response.word_of_mouth.repeat_sender": 1.0,
    "response.word_of_mouth.passive_share": 0.0,
    "response.word_of_mouth.cue_talk": 0.0,
    "response.word_of_mouth.online_stranger_trust": "online_opinion",
}
"""Every mechanism at its off value, one by one (``response.enabled`` stays true): a
starting point to switch a single mechanism back on."""

PREVIOUS_NETWORK: dict[str, Any] = {
    "layers.market.distinct_ties": False,
    "layers.market.segment_mixing": math.inf,
    "layers.facebook.friend_share": 0.3,
    "layers.facebook.cap_friend_share": True,
    "layers.instagram.friend_share": 0.2,
    "layers.instagram.cap_friend_share": True,
    "population.interest_correlation": 0.0,
}
"""The built-in town's network before issue 14: repeated introductions merge, no
homophily (of segment or of interest), and friend shares of 0.3 and 0.2 silently capped at what the town offers."""

PREVIOUS_CALIBRATION: dict[str, Any] = {
    "word_of_mouth.persuasion": 0.0301,
    "word_of_mouth.weak_tie_trust": 0.25,
    "layers.market.contact_probability": 0.05,
    "response.advertising.social.wear_out": 2.0,
}
"""The calibration before the facts were met jointly (issue 14): 1 % per recommendation
(Leskovec et al. 2007), Goldenberg et al.'s mid-range weak-tie ratio, 0.05 contacts a
day and social-ad wear-out 2."""

PREVIOUS_MODEL: dict[str, Any] = {
    "response.enabled": False,
    "product.quality": 0.95,
    "word_of_mouth.talk_steps": 30.0,
    **PREVIOUS_NETWORK,
    **PREVIOUS_CALIBRATION,
    "channels.newspaper.readers_per_copy": 1.0,
}
"""The model before issue 14: every mechanism off, 95 % satisfied adopters (no passives),
30 days of full-rate talk, the network of :data:`PREVIOUS_NETWORK`, the calibration of
:data:`PREVIOUS_CALIBRATION` and a newspaper priced per reader (one reader a copy)."""


def previous_model_overrides() -> list[str]:
    """:data:`PREVIOUS_MODEL` as ``--set`` lines.

    Examples
    --------
    >>> previous_model_overrides()[:3]
    ['response.enabled=false', 'product.quality=0.95', 'word_of_mouth.talk_steps=30.0']
    """
    return [_override(path, value) for path, value in PREVIOUS_MODEL.items()]


def realistic_overrides() -> list[str]:
    """:data:`REALISTIC` as ``--set`` lines (``path=value``).

    Examples
    --------
    >>> realistic_overrides()[0]
    'response.advertising.social.half_life_days=2.0'
    """
    return [_override(path, value) for path, value in REALISTIC.items()]


def _override(path: str, value: Any) -> str:
    """One ``--set`` line: strings quoted, booleans as TOML writes them."""
    if isinstance(value, bool):
        return f"{path}={str(value).lower()}"
    return f"{path}={value!r}" if isinstance(value, str) else f"{path}={value}"
