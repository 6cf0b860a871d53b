"""The customer lifecycle: trials, repeat purchases, drop-out and what customers are worth.

On by default: a free sample makes a trial, which becomes a customer with a probability
set by satisfaction and interest, and customers buy again, drop out and may be won back as
in the BG/NBD model (MODEL-REVIEW G1). Off, the engine counts first adoptions only, as it
did before.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulator.config.base import Money, Parameters, Price, Probability


class Lifecycle(Parameters):
    """Customers with a lifetime (Fader, Hardie & Lee 2005 BG/NBD; MODEL-REVIEW G1)."""

    enabled: bool = Field(
        True,
        description="count customers, repeat purchases, revenue and CLV (false: first "
        "adoptions only, the model before customers had a lifecycle)",
    )
    preset: Literal["bakery", "cdnow"] = Field(
        "bakery",
        description="purchase rates and drop-out of customers: 'bakery' (about one visit a "
        "week, 3 % drop-out per visit) [assumption], or 'cdnow', the BG/NBD fit of Fader, "
        "Hardie & Lee 2005 to the CDNOW cohort",
    )
    trial_conversion_promoter: Probability = Field(
        0.40,
        description="share of satisfied sample holders who become customers [Arbitron/Edison "
        "2008 product sampling study: 26 % of new-to-product samplers bought; MODEL-REVIEW "
        "G1 splits it as promoters 0.40, passives 0.20, detractors 0; the model has no "
        "passives yet]",
    )
    trial_conversion_detractor: Probability = Field(
        0.0,
        description="share of dissatisfied sample holders who become customers [MODEL-REVIEW "
        "G1, after Arbitron/Edison 2008]",
    )
    trial_conversion_by_interest: bool = Field(
        True,
        description="scale a trialist's conversion by min(1, interest / mean interest), so "
        "that a sample given to someone with little interest in the category rarely makes a "
        "customer; false: the same conversion for everyone [MODEL-REVIEW G1 c_f; the form is "
        "an assumption]",
    )
    referred_dropout_multiplier: float = Field(
        0.82,
        ge=0.0,
        description="drop-out probability after each purchase of a referred customer (one "
        "whose adoption a friend's message tipped, source word_of_mouth), as a multiple of "
        "her drawn one; 1 switches it off [Schmitt, Skiera & Van den Bulte 2011: referred "
        "customers have higher retention that persists [V]; the 18 % lower churn behind "
        "0.82 is MODEL-REVIEW G1's reading, still to be checked against the paper [R]]",
    )
    referred_margin_uplift: float = Field(
        0.10,
        ge=0.0,
        le=10.0,
        description="extra margin share of a referred customer's purchases at acquisition, "
        "eroding with referred_margin_decay_days; 0 switches it off [Schmitt, Skiera & Van "
        "den Bulte 2011: referred customers have a higher margin that erodes over time [V]; "
        "the size 0.10 is MODEL-REVIEW G6's [assumption]]",
    )
    referred_margin_decay_days: float = Field(
        180.0,
        gt=0.0,
        le=1e5,
        description="days over which a referred customer's extra margin falls by a factor e "
        "[MODEL-REVIEW G6 tau_m, an assumption read off Schmitt et al. 2011's eroding margin]",
    )
    win_back: Probability = Field(
        0.5,
        description="a lapsed customer (one who dropped out) reached by a positive message "
        "comes back with the independent rule's chance (strength x interest) times this, "
        "and buys again with a newly drawn rate and drop-out; 0: lapsed customers are lost "
        "for good [assumption; MODEL-REVIEW G1 w_back]",
    )
    price: Price = Field(
        4.0, description="price of one purchase, EUR (a bakery basket) [assumption]"
    )
    margin_per_purchase: Money = Field(
        1.5, description="margin of one purchase, EUR (a bakery) [assumption]"
    )
    discount_per_year: float = Field(
        0.10,
        ge=0.0,
        le=1.0,
        description="yearly discount rate of future margins [assumption; Gupta, Lehmann & "
        "Stuart 2004 used about 12 %]",
    )

    @model_validator(mode="after")
    def _margin_within_price(self) -> Lifecycle:
        if self.margin_per_purchase > self.price:
            raise ValueError(
                f"lifecycle.margin_per_purchase ({self.margin_per_purchase:g} EUR) must not "
                f"exceed lifecycle.price ({self.price:g} EUR)"
            )
        return self
