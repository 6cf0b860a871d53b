"""What people do with messages: trust by source, word of mouth, and the product they talk about."""

from __future__ import annotations

import math

from pydantic import Field, field_validator

from simulator import calibration as cal
from simulator.config.base import SOURCE_TYPES, Forever, Money, Parameters, Probability, _cited


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
    persuasion: Probability = _cited(
        cal.WOM_PERSUASION,
        "conversion of a fully interested person by one fully trusted recommendation",
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
        120.0,
        ge=1.0,
        description="steps an adopter keeps talking, a whole number up to 1,000,000 or inf: "
        "1 gives independent-cascade semantics, inf gives SI / Bass semantics (default 120, "
        "so that response.word_of_mouth.decay_days, not this hard stop, ends talk; 30 before "
        "talk decayed) [assumption]",
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
        0.60,
        description="share of adopters who are promoters; response.word_of_mouth."
        "passive_share are passives and the rest detractors [pi_plus 0.60 of MODEL-REVIEW "
        "G3, an illustrative NPS structure (Reichheld 2003 [R]); the previous model had "
        f"{round(1.0 - cal.DISSATISFIED_SHARE.value, 4)} satisfied and no passives, from "
        f"{cal.DISSATISFIED_SHARE.source}]",
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


# The index of a source type is stored in arrays: one order everywhere, or counts go to the
# wrong source. SourceType is the list; calibration and Trust must follow it.
if tuple(cal.TRUST) != SOURCE_TYPES or tuple(Trust.model_fields) != SOURCE_TYPES:
    raise ImportError(
        "simulator.calibration.TRUST, simulator.config.Trust and SourceType must list the same "
        f"source types in the same order; got {tuple(cal.TRUST)}, {tuple(Trust.model_fields)} "
        f"and {SOURCE_TYPES}"
    )
