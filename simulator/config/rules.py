"""Adoption rules: how exposures turn into adoptions (independent, threshold, Bass)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from simulator import calibration as cal
from simulator.config.base import NonNegative, Parameters, Probability, _cited, variant_kinds


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

ADOPTION_KINDS: tuple[str, ...] = variant_kinds(Adoption)
"""Every adoption rule ``kind``, in declaration order."""
