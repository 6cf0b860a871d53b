"""Online reputation: reviews, a shown rating, complaints that cost customers, replies (G4).

Every switch is off by default, and off is the previous model exactly: nobody posts a
review, so no rating is shown and no conversion is scaled by one; a complaint that reaches
a customer changes nothing; replies do nothing (a ``dialogue`` channel only spends its
hours). :data:`REALISTIC_REPUTATION` lists, in one place, the values the mechanisms take
when they are on, each with its source (MODEL-REVIEW G4 and G5), for the lead to flip.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, model_validator

from simulator.config.base import Parameters, Probability

STAR_EFFECT = round(math.log(1.06), 4)
"""beta_up: +1 shown star multiplies a searcher's conversion by 1.06, calibrated so that +1
shown star gives +5-9 % revenue in the model (Luca 2016: +1 Yelp star, +5-9 % revenue for
independent restaurants [V]); 1.07 before word of mouth was calibrated (issue 14)."""


class Reviews(Parameters):
    """Reviews posted after purchases, the rating they show, and its pull on prospects."""

    post_probability: Probability = Field(
        0.0,
        description="pi_rev: chance that a purchase (or a first adoption, or a trial) ends in "
        "a review; 0 (default, off): no reviews, no rating, conversions as before [on: 0.02, "
        "MODEL-REVIEW G4 assumption; reviews are under-reported, Hu, Pavlou & Zhang 2009 "
        "[R]]",
    )
    detractor_multiplier: float = Field(
        2.0,
        ge=0.0,
        le=50.0,
        description="k_sat: a detractor posts this many times as often as a promoter "
        "(J-shaped review distributions, Hu, Pavlou & Zhang 2009 [R]; x2 is MODEL-REVIEW "
        "G4's [assumption])",
    )
    prior_weight: float = Field(
        5.0,
        ge=0.0,
        le=1e6,
        description="k0: pseudo-reviews of the prior in the shown rating, "
        "(sum of stars + k0 s0) / (N + k0) [assumption, Bayesian shrinkage]",
    )
    prior_rating: float = Field(
        3.5, ge=1.0, le=5.0, description="s0: the prior's stars [assumption]"
    )
    reference_rating: float = Field(
        4.0,
        ge=1.0,
        le=5.0,
        description="R_ref: the shown rating at which reviews neither help nor hurt [assumption]",
    )
    star_effect: float = Field(
        STAR_EFFECT,
        ge=0.0,
        le=5.0,
        description="beta_up: a searcher's conversion is multiplied by exp(beta (R_shown - "
        "R_ref)) above R_ref [Luca 2016: +1 Yelp star, +5-9 % revenue for independent "
        "restaurants, none for chains [V]; ln 1.06, calibrated to that band]",
    )
    bad_star_multiplier: float = Field(
        2.0,
        ge=0.0,
        le=20.0,
        description="beta_down / beta_up: stars below R_ref weigh this many times more "
        "[negative reviews weigh more, Chevalier & Mayzlin 2006 [R]]",
    )
    count_effect: float = Field(
        0.0,
        ge=0.0,
        le=10.0,
        description="beta_n: a searcher's conversion is also multiplied by 1 + beta_n "
        "log(1 + N reviews) [on: 0.02, assumption: volume matters, Chevalier & Mayzlin 2006 "
        "[R]]",
    )
    search_share: Probability = Field(
        0.5,
        description="sigma_search: share of people who read reviews before they buy (drawn "
        "once per person) [assumption]",
    )
    repeat_weight: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="w_rep: a searcher who becomes a customer buys at her drawn rate times "
        "the conversion factor to this power (the rating pulls repeat visits mildly); 0: "
        "repeat purchases ignore the rating [assumption]",
    )
    rating_shift: float = Field(
        0.0,
        ge=-4.0,
        le=4.0,
        description="stars added to the shown rating (an experiment's lever: the Luca test "
        "shifts it by +1 at equal quality) [assumption]",
    )

    @property
    def enabled(self) -> bool:
        return self.post_probability > 0


class Attitudes(Parameters):
    """Attitudes moved by valenced messages instead of one-message rejection (G4, step 4)."""

    message_weight: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="w_msg: a message of valence v moves its open recipient's attitude (in "
        "[-1, 1]) by v w_msg; 0 (default, off): one negative message that succeeds makes "
        "a rejecter, as before [on: 0.2, MODEL-REVIEW G4: about three unanswered complaints "
        "make a rejecter] [assumption]",
    )
    effect: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="theta: a positive message's, a walk-in's and a trial's conversion is "
        "multiplied by exp(theta x attitude before the step's messages) (MODEL-REVIEW G4) "
        "[assumption]",
    )
    decay_per_day: float = Field(
        0.01,
        ge=0.0,
        le=10.0,
        description="delta_att: attitudes decay as exp(-delta_att t), t in days [MODEL-REVIEW "
        "G4: a half-life of about 70 days] [assumption]",
    )
    rejection_threshold: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="att_rej: a person whose attitude falls below -att_rej rejects "
        "(MODEL-REVIEW G4) [assumption]",
    )
    relay: float = Field(
        0.3,
        ge=0.0,
        le=10.0,
        description="nu_relay: a rejecter passes bad word of mouth on at this times a "
        "detractor's rate [MODEL-REVIEW G4 assumption; second-hand bad word of mouth, "
        "Goldenberg et al. 2007 [V qualitative]]",
    )
    relay_days: float = Field(
        30.0,
        gt=0.0,
        le=1e6,
        description="for how many days after rejecting a rejecter relays [assumption]",
    )

    @property
    def enabled(self) -> bool:
        return self.message_weight > 0


class Reputation(Parameters):
    """Reviews, complaints that raise churn, and what replies do (MODEL-REVIEW G4)."""

    reviews: Reviews = Field(default_factory=Reviews)
    attitudes: Attitudes = Field(default_factory=Attitudes)
    negative_dropout: Probability = Field(
        0.0,
        description="delta_neg: a negative message that reaches an active customer adds this "
        "to her drop-out probability after each purchase; 0 (default, off) [on: 0.01, "
        "MODEL-REVIEW G4 assumption; bad word of mouth is costly even with few dissatisfied "
        "customers, Goldenberg, Libai, Moldovan & Muller 2007 [V qualitative]]",
    )
    reply_recovery: Probability = Field(
        0.0,
        description="rho_rec: a complainer whose negative review gets a reply (a dialogue "
        "channel) becomes satisfied (a passive when there are passives) with this "
        "probability; 0 (default, off) [on: 0.3, MODEL-REVIEW G4 [assumption]]",
    )
    reply_negative_posting: Probability = Field(
        1.0,
        description="while the business replies, detractors post negative reviews this many "
        "times as often; 1 (default, off) [on: 0.7, calibrated so that replying 2 hours a "
        "week raises the shown rating by about 0.1 star in a year, Proserpio & Zervas 2017: "
        "+0.12 stars once hotels start replying [V]; their fewer negative reviews, 0.88, "
        "give about +0.05 star in the model]",
    )
    hours_per_reply: float = Field(
        0.25,
        gt=0.0,
        le=100.0,
        description="h_resp: hours of a dialogue channel one reply takes [assumption]",
    )

    @model_validator(mode="after")
    def _replies_need_reviews(self) -> Reputation:
        if self.reply_recovery > 0 and not self.reviews.enabled:
            raise ValueError(
                "reputation.reply_recovery needs reviews to reply to: set "
                "reputation.reviews.post_probability above 0 (got 0) or reply_recovery to 0 "
                f"(got {self.reply_recovery:g})"
            )
        return self

    @property
    def enabled(self) -> bool:
        """Whether the block needs any reputation state (reviews or complaints)."""
        return self.reviews.enabled or self.negative_dropout > 0


REALISTIC_REPUTATION: dict[str, Any] = {
    "reputation.reviews.post_probability": 0.02,
    "reputation.reviews.count_effect": 0.02,
    "reputation.negative_dropout": 0.01,
    "reputation.reply_recovery": 0.3,
    "reputation.reply_negative_posting": 0.7,
    "reputation.attitudes.message_weight": 0.2,
}
"""The reputation mechanisms on, at their proposed defaults (sources in the field
descriptions; MODEL-REVIEW G4). Replies act only in strategies with a ``dialogue``
channel; the page mechanisms (G5) are fields of each ``social_page`` channel, whose
proposed values are :data:`REALISTIC_PAGE` (they apply to a named channel)."""

REALISTIC_PAGE: dict[str, Any] = {
    "follow_after_purchase": 0.05,
    "follow_after_view": 0.005,
    "unfollow_per_day": 0.001,
    "engagement": True,
    "reach_feedback": 1.0,
    "reshare_generations": 10,
    "loyalty": 0.05,
    "purchase_lift": 1.0,
    "share_trust": "online",
}
"""A ``social_page`` channel's G5 fields on (MODEL-REVIEW G5: phi_buy, phi_view, u, eta,
G_max, gamma_loyal, kappa; all [assumption] except the engagement rate, Hootsuite 2020 [S]),
and shares read as opinions posted online, not as the sharer's recommendation (Nielsen
2015, Leskovec, Adamic & Huberman 2007; ``share_trust``)."""


def realistic_reputation_overrides(pages: tuple[str, ...] = ()) -> list[str]:
    """:data:`REALISTIC_REPUTATION`, and :data:`REALISTIC_PAGE` for each of ``pages``, as
    ``--set`` lines.

    Examples
    --------
    >>> realistic_reputation_overrides(("page",))[-1]
    'channels.page.share_trust=online'
    """
    lines = [f"{path}={value}" for path, value in REALISTIC_REPUTATION.items()]
    for page in pages:
        lines += [
            f"channels.{page}.{name}={str(value).lower() if isinstance(value, bool) else value}"
            for name, value in REALISTIC_PAGE.items()
        ]
    return lines
