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

    p and q are rates per year whatever ``simulation.time_unit`` is, as Bass (1969) and
    the meta-analyses publish them. P(adopt in a step) = 1 - exp(-h x step_years), with
    step_years = simulation.step_days / 365.25 (1/365.25 for one-day steps, exactly dt
    for yearly ones). On a well_mixed layer with talk_steps = inf it converges to
    Bass (1969) as the step shrinks; with one-year steps it follows the discrete hazard map.
    """

    kind: Literal["bass"] = "bass"
    p: NonNegative = _cited(
        cal.BASS_P, "external influence per year (converted by the step length)"
    )
    q: NonNegative = _cited(cal.BASS_Q, "imitation per year (converted by the step length)")


Adoption = Annotated[IndependentRule | ThresholdRule | BassRule, Field(discriminator="kind")]

ADOPTION_KINDS: tuple[str, ...] = variant_kinds(Adoption)
"""Every adoption rule ``kind``, in declaration order."""
