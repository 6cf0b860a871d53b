"""The built-in scenario: a small bakery's town, its networks, five channels at equal spend."""

from __future__ import annotations

from typing import Any

from simulator import calibration as cal
from simulator.config.channels import Advertising, Newspaper, Seeding, SocialAds, SocialPage
from simulator.config.layers import MarketLayer, PlatformLayer
from simulator.config.scenario import Population, Scenario, Segment, Strategy


def default_scenario() -> Scenario:
    """The built-in scenario: a town of 5,000, one market and two platforms, five channels.

    Each strategy spends the same budget (1,000 EUR) on one channel, so they compare at
    equal spend.

    Examples
    --------
    >>> [s.name for s in default_scenario().strategies]
    ['word of mouth', 'newspaper', 'radio', 'social ads', 'social page', 'no campaign']
    """
    # Long because it is data: the whole built-in scenario, written out to be read.
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
            "market": MarketLayer(contact_probability=cal.MARKET_CONTACT.value),
            "facebook": PlatformLayer(contact_probability=0.002, reciprocal=True),
            "instagram": PlatformLayer(
                contact_probability=0.002, follows=60, reciprocal=False, friend_share=0.08
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
            # the baseline: who buys anyway (walk-ins), so that each channel's effect is
            # read as what it adds (issue 14)
            Strategy(name="no campaign", channels=()),
        ),
    )


def default_scenario_data() -> dict[str, Any]:
    """The built-in scenario as plain data (lists, not tuples), ready for ``set_path``.

    Examples
    --------
    >>> from simulator.config import set_path, validate_scenario
    >>> data = default_scenario_data()
    >>> set_path(data, "strategies.0.name", "x", origin="--set")
    >>> validate_scenario(data).strategies[0].name
    'x'
    """
    return default_scenario().model_dump(mode="json")
