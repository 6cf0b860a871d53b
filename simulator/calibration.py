"""Sourced default numbers: trust by source, media costs, reach and conversion benchmarks.

Every default that a scenario uses is defined here once, with its source and year, so that
``wom show-default`` can print the citation next to the value. Figures marked *assumption*
have no published source; change them freely and report the sensitivity.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sourced:
    """A default value with where it comes from.

    Examples
    --------
    >>> Sourced(0.83, "Nielsen Global Trust in Advertising 2015").value
    0.83
    """

    value: float
    source: str


NIELSEN_2015 = "Nielsen Global Trust in Advertising 2015 (% trusting completely or somewhat)"

# Trust in a message by its source type (Nielsen 2015, 30,000 respondents in 60 countries).
# Stated trust, not conversion: it multiplies a separately calibrated persuasion.
TRUST = {
    "word_of_mouth": Sourced(0.83, NIELSEN_2015 + ": recommendations from people I know"),
    "online_opinion": Sourced(0.66, NIELSEN_2015 + ": consumer opinions posted online"),
    "branded_content": Sourced(0.70, NIELSEN_2015 + ": branded websites"),
    "editorial": Sourced(0.66, NIELSEN_2015 + ": editorial content such as newspaper articles"),
    "tv_ad": Sourced(0.63, NIELSEN_2015 + ": ads on TV"),
    "newspaper_ad": Sourced(0.60, NIELSEN_2015 + ": ads in newspapers"),
    "magazine_ad": Sourced(0.58, NIELSEN_2015 + ": ads in magazines"),
    "radio_ad": Sourced(0.54, NIELSEN_2015 + ": ads on radio"),
    "social_ad": Sourced(0.46, NIELSEN_2015 + ": ads on social networks"),
    "banner_ad": Sourced(0.42, NIELSEN_2015 + ": online banner ads"),
    "free_sample": Sourced(1.0, "assumption: a person holding the product needs no persuading"),
    "background": Sourced(1.0, "assumption: Bass external influence p already is a rate"),
}

USD_TO_EUR = Sourced(0.92, "assumption: approximate 2022-2024 average exchange rate")


def usd(amount: float) -> float:
    """Convert a US-dollar benchmark to euros at :data:`USD_TO_EUR`.

    Examples
    --------
    >>> usd(100.0)
    92.0
    """
    return round(amount * USD_TO_EUR.value, 2)


# Cost per 1,000 impressions in EUR (sources quote USD).
CPM = {
    "newspaper": Sourced(
        usd(46.82), "OAAA / Solomon Partners 2022 median print newspaper CPM, USD 46.82"
    ),
    "tv": Sourced(usd(20.0), "OAAA / Solomon Partners 2022 non-prime broadcast TV CPM, USD 20"),
    "radio": Sourced(usd(6.75), "OAAA / Solomon Partners 2022 radio (:30) CPM, USD 6.75"),
    "banner": Sourced(usd(2.27), "OAAA / Solomon Partners 2022 display CPM, USD 2.27"),
    "facebook": Sourced(
        usd(10.0),
        "Facebook CPM USD 10, within published figures: USD 5.75 (Salesforce Marketing Cloud, "
        "Q1 2016), USD 6-15 (prooflytics 2025-26), USD 19.80 (superads, 2024-25); the "
        "docs/CALIBRATION.md default",
    ),
    "instagram": Sourced(
        usd(10.0),
        "Instagram CPM USD 10: USD 4.44 (Salesforce Marketing Cloud, Q1 2016), USD 9.50 "
        "(gitnux aggregator, 2023); the docs/CALIBRATION.md default",
    ),
}

# Per-exposure conversion benchmarks, turned into persuasion = conversion / (trust x mean interest).
CONVERSION_PER_RECOMMENDATION = Sourced(
    0.01, "Leskovec, Adamic and Huberman 2007: 0.5-1.45 % purchases per recommendation"
)
WOM_PERSUASION = Sourced(
    0.22,
    "calibrated: word of mouth is about a third of acquisitions over 12 months (Bughin, "
    "Doogan and Vetvik 2010: 20-50 %; the WOM-share fact of wom check-model), so one "
    "strong-tie recommendation converts 0.22 x 0.83 x 0.4 = 7 % of mean-interest listeners, "
    "where Leskovec, Adamic and Huberman 2007 measured 0.5-1.45 % per e-mailed "
    "recommendation (0.0301, their 1 %, before 2026-12)",
)
ONLINE_SHARE_PERSUASION = Sourced(
    0.0301,
    "persuasion of a shared post read as an opinion posted online: Leskovec, Adamic and "
    "Huberman 2007's 1 % purchases per e-mailed recommendation, at the trust of people I "
    "know (0.83) and a mean interest (0.4), 0.01 / (0.83 x 0.4); that a share persuades as "
    "such a recommendation, not as a conversation, is an assumption",
)
MARKET_CONTACT = Sourced(
    0.025,
    "calibrated: with persuasion, the split of word of mouth into fewer, more persuasive "
    "messages that meets the WOM-vs-advertising elasticity fact (Trusov, Bucklin and Pauwels "
    "2009); 0.05 before 2026-12 [assumption]; for scale, Keller Fay TalkTrack 2006 counts 56 "
    "brand mentions per person per week, all brands together",
)
CONVERSION_PER_SOCIAL_AD_IMPRESSION = Sourced(
    0.00083, "WordStream 2017 Facebook CTR 0.90 % x conversion 9.21 %"
)
CONVERSION_PER_BANNER_IMPRESSION = Sourced(
    0.000035, "WordStream 2016 Google Display benchmarks: CTR 0.46 % x conversion 0.77 %"
)

ORGANIC_REACH = Sourced(0.052, "Hootsuite 2020: 5.2 % of a Facebook page's followers see a post")

WEAK_TIE_FACTOR = Sourced(
    0.45,
    "calibrated: the value at which removing weak ties costs more customers than removing "
    "strong ones (Goldenberg, Libai and Muller 2001, the weak-ties fact of wom check-model), "
    "inside their ranges beta_w 0.005-0.015 / beta_s 0.01-0.07; 0.25, their mid-range ratio, "
    "before 2026-12",
)
DISSATISFIED_SHARE = Sourced(
    0.05,
    "Goldenberg, Libai, Moldovan and Muller 2007, The NPV of bad news: their motivating case "
    "is a product failing for about 2 % of the market; 5 % is the top of docs/CALIBRATION.md's "
    "suggested 2-5 % range",
)
DETRACTOR_TALK_MULTIPLIER = Sourced(
    1.5, "Anderson 1998: dissatisfied customers talk more, by less than folklore (range 1-2)"
)
NEGATIVE_IMPACT = Sourced(
    1.0,
    "assumption: equal impact, docs/CALIBRATION.md's neutral default (sensitivity 0.5-2); East, "
    "Hammond and Lomax 2008 find positive word of mouth usually has more impact than negative",
)
BASS_P = Sourced(0.03, "Sultan, Farley and Lehmann 1990 meta-analysis mean p (per year)")
BASS_Q = Sourced(0.38, "Sultan, Farley and Lehmann 1990 meta-analysis mean q (per year)")
ONLINE_FOLLOWS = Sourced(100, "Ugander et al. 2011: median Facebook user has 99 friends")
HOUSEHOLD_SIZE = Sourced(
    2.5,
    "assumption: recalled, not verified and not in docs/CALIBRATION.md: INE Spain 2021 census, "
    "about 2.5 persons per household",
)
CLOSE_FRIENDS = Sourced(
    6,
    "Dunbar 1992 and Dunbar 2024: support clique of 5 and sympathy group of 15; "
    "docs/CALIBRATION.md suggests 5-15 strong ties",
)
ACQUAINTANCES = Sourced(15, "Goldenberg, Libai and Muller 2001: 5-29 weak ties per person")
