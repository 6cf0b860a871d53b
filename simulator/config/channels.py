"""Marketing channels: free samples, print and broadcast advertising, social ads and pages,
influencers and community management."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from simulator import calibration as cal
from simulator.config.base import (
    Array,
    Forever,
    Money,
    Parameters,
    Price,
    Probability,
    SourceType,
    ZeroOrPrice,
    _cited,
    variant_kinds,
)


class ChannelBase(Parameters):
    budget: Money = Field(
        1000.0,
        description="most this channel may spend, EUR, at most 1e9 (default 1,000: the "
        "course's example budget per channel) [assumption]",
    )
    start_day: float = Field(
        0.0,
        ge=0.0,
        le=1e7,
        description="first day of the campaign (default 0: at launch) [assumption]",
    )
    end_day: Forever = Field(
        90.0,
        gt=0.0,
        description="campaign ends before this day (default 90: a three-month campaign within "
        "the year the run follows; inf: until the run ends) [assumption]",
    )


class Seeding(ChannelBase):
    """Free samples (or a referral programme) for k people chosen by a strategy."""

    kind: Literal["seeding"] = "seeding"
    seeds: int = Field(
        0,
        ge=0,
        description="people seeded; 0 (default) means as many as the budget buys [assumption]",
    )
    strategy: Literal["random", "degree", "pagerank", "given", "celf", "imm"] = Field(
        "random",
        description="how seeds are chosen: 'random' (new seeds each replicate), 'degree' "
        "(most contacts), 'pagerank' (most central), 'given' (the ids in 'people'), 'celf' "
        "(lazy greedy on the spread, Leskovec et al. 2007) or 'imm' (reverse-reachable sets, "
        "Tang, Shi & Xiao 2015); celf and imm work on the scenario's multiplex reduced to one "
        "probability per tie (contact probability x trust x persuasion x interest over the "
        "talking steps) and give the same seeds in every replicate",
    )
    epsilon: float = Field(
        0.1,
        gt=0.0,
        lt=1.0,
        description="strategy 'imm': the seeds reach at least (1 - 1/e - epsilon) of the best "
        "set's spread on the reduced multiplex, with probability 1 - 1/n; smaller is closer "
        "and slower (default 0.1: within the 0.1-0.5 of Tang, Shi & Xiao 2015) [assumption]",
    )
    samples: int = Field(
        200,
        ge=1,
        le=100_000,
        description="strategy 'celf': live-edge worlds the spread is averaged over (default "
        "200 keeps the greedy's choice stable on towns of thousands) [assumption]",
    )
    hub_premium: float = Field(
        0.0,
        ge=0.0,
        le=100.0,
        description="strategy 'imm': a seed costs cost_per_seed x (1 + hub_premium x her "
        "contacts / the mean contacts), so hubs and influencers cost more, and the budget is "
        "spent by budgeted influence maximisation (the better of the greedy by spread and by "
        "spread per EUR, Leskovec et al. 2007); default 0: every seed costs the same "
        "[assumption]",
    )
    people: Annotated[tuple[int, ...], Array] = Field(
        (), description="seed ids for strategy 'given'"
    )
    cost_per_seed: Price = Field(
        10.0, description="EUR per free sample, at least 0.01 [assumption]"
    )
    referral_reward: Money = Field(
        0.0,
        description="EUR paid per adoption tipped by a member's message: the seeds are the "
        "programme's members (referral programme; default 0: none) [assumption]",
    )
    talk_uplift_strong: float = Field(
        0.1,
        ge=0.0,
        le=100.0,
        description="under a referral reward, a member's contact probability on strong ties "
        "(household, close friends) is multiplied by 1 + this: Ryu & Feick 2007, rewards raise "
        "referral likelihood, less to strong ties; magnitude [assumption]",
    )
    talk_uplift_weak: float = Field(
        0.5,
        ge=0.0,
        le=100.0,
        description="under a referral reward, a member's contact probability on weak, online "
        "and loaded ties and in well-mixed layers is multiplied by 1 + this: Ryu & Feick 2007, "
        "rewards raise referral likelihood particularly to weak ties; magnitude [assumption]",
    )


class ImpressionChannel(ChannelBase):
    """Paid media that buy impressions spread over an audience."""

    target_segments: Annotated[tuple[str, ...], Array] = Field(
        (), description="segments reached; empty means every segment"
    )
    persuasion: Probability = Field(
        round(
            cal.CONVERSION_PER_SOCIAL_AD_IMPRESSION.value / (cal.TRUST["social_ad"].value * 0.4),
            5,
        ),
        description="conversion of a fully interested person by one fully trusted impression: "
        "WordStream 2017 Facebook ads 0.083 % per impression / (trust 0.46 x mean interest "
        "0.4); the same persuasion for print and broadcast is an [assumption]",
    )


class BroadcastChannel(ImpressionChannel):
    """Print and broadcast media sell their whole audience, most of it outside the market."""

    audience_in_market: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="share of the medium's paid audience that lives in this market; the "
        "rest is coverage the business pays for but cannot use [assumption]",
    )


class Newspaper(BroadcastChannel):
    kind: Literal["newspaper"] = "newspaper"
    medium: str = Field(
        "newspaper",
        description="population medium whose users are readers: newspaper, tv, radio, "
        "banner or a platform layer",
    )
    source: SourceType = Field("newspaper_ad", description="source type (trust)")
    cpm: Price = _cited(cal.CPM["newspaper"], "EUR per 1,000 copies of an insertion, at least 0.01")
    price_per_insertion: ZeroOrPrice = Field(
        0.0,
        description="EUR per insertion, 0 or at least 0.01; 0 (default) means cpm x readers / "
        "readers_per_copy / audience_in_market / 1000, priced from the OAAA / Solomon Partners 2022 CPM",
    )
    insertions_per_week: float = Field(
        1.0, gt=0.0, le=7.0, description="insertions per week [assumption]"
    )
    reach_per_insertion: Probability = Field(
        0.5, description="share of readers who see a given insertion [assumption]"
    )
    readers_per_copy: float = Field(
        2.0,
        ge=1.0,
        le=10.0,
        description="readers of each copy bought (pass-along readership), so the cpm per 1,000 "
        "copies buys this many readers a copy; 1: priced per reader, the model before 2026-12 "
        "[assumption: about 2 readers per copy, MODEL-REVIEW A.2, not checked against a "
        "readership survey]",
    )


class Advertising(BroadcastChannel):
    """Professional campaigns: TV, radio or online banners."""

    kind: Literal["advertising"] = "advertising"
    medium: Literal["tv", "radio", "banner"] = Field("radio", description="advertising medium")
    audience_in_market: float = Field(
        0.2,
        gt=0.0,
        le=1.0,
        description="share of the station's (or ad network's) paid audience that lives in "
        "this market [assumption]",
    )
    source: SourceType | None = Field(
        None, description="source type; default tv_ad, radio_ad or banner_ad by medium"
    )
    cpm: Price | None = Field(
        None,
        description="EUR per 1,000 impressions, at least 0.01; default by medium (OAAA 2022)",
    )
    flights_per_week: float = Field(4.0, gt=0.0, le=7.0, description="spots per week [assumption]")
    reach_per_flight: Probability = Field(
        0.3, description="share of the medium's audience reached by one spot [assumption]"
    )

    @property
    def resolved_source(self) -> str:
        return self.source or f"{self.medium}_ad"

    @property
    def resolved_cpm(self) -> float:
        return self.cpm if self.cpm is not None else cal.CPM[self.medium].value


class SocialAds(ImpressionChannel):
    """Paid ads shown to a platform's members, spread evenly over the campaign."""

    kind: Literal["social_ads"] = "social_ads"
    platform: str = Field("facebook", description="platform layer whose members see the ads")
    source: SourceType = Field("social_ad", description="source type (trust)")
    cpm: Price = _cited(cal.CPM["facebook"], "EUR per 1,000 impressions, at least 0.01")
    days: float = Field(
        90.0,
        gt=0.0,
        le=1e6,
        description="campaign length over which budget is spent (default 90 days, the other "
        "campaigns' three months: over 28 days the 3-a-week frequency cap leaves about two "
        "thirds of 1,000 EUR unspent in the built-in town; 28 before the cap) [assumption]",
    )


ShareTrust = Literal["friend", "online"]
"""How a shared post persuades: as its sharer's word ("friend") or as an online opinion."""

SHARE_TRUST_HELP = (
    "trust and persuasion of a shared post: 'friend' (default, the model before 2026-12): "
    "the sharer's word of mouth, trusted by the tie it travels on, at word_of_mouth."
    "persuasion (a strong tie's full recommendation); 'online': an opinion posted online "
    "whatever the tie, trusted as an online-only follow's (a weak tie's with "
    "response.word_of_mouth.online_stranger_trust = 'weak_tie'), at the persuasion of an "
    "e-mailed recommendation, 0.0301 [Nielsen 2015: 66 % trust consumer opinions posted "
    "online, 83 % recommendations from people they know; Leskovec, Adamic & Huberman 2007: "
    "about 1 % purchases per online recommendation; that a share is such an opinion is an "
    "assumption]"
)


class SocialPage(ChannelBase):
    """The business's own page: followers, posts, organic reach, shares."""

    kind: Literal["social_page"] = "social_page"
    platform: str = Field("facebook", description="platform layer of the page")
    source: SourceType = Field("branded_content", description="source type of the page's posts")
    followers: int = Field(
        500,
        ge=0,
        le=1_000_000_000,
        description="page followers among platform members (default 500: a small local "
        "business) [assumption]",
    )
    posts_per_week: float = Field(3.0, gt=0.0, le=50.0, description="posts per week [assumption]")
    organic_reach: Probability = _cited(cal.ORGANIC_REACH, "share of followers who see a post")
    share_probability: Probability = Field(
        0.02,
        description="content quality: probability that a viewer shares a post with their "
        "own followers [assumption]",
    )
    share_reach: Probability = Field(
        0.2, description="share of a sharer's followers who see the share [assumption]"
    )
    share_trust: ShareTrust = Field(
        "friend",
        description=SHARE_TRUST_HELP,
    )
    hours_per_post: float = Field(
        1.5, ge=0.01, le=1000.0, description="hours to make a post [assumption]"
    )
    hourly_cost: ZeroOrPrice = Field(
        20.0, description="EUR per hour of work, 0 (own time) or at least 0.01 [assumption]"
    )
    persuasion: Probability = Field(
        0.005, description="persuasion of a post, as for paid impressions [assumption]"
    )
    # The page of MODEL-REVIEW G5; every field off by default (the page as it was: random
    # followers, constant reach, one generation of shares). On: config.REALISTIC_PAGE.
    follow_after_purchase: Probability = Field(
        0.0,
        description="phi_buy: chance that a customer who is a platform member follows the "
        "page after a purchase; 0 (default, off) [on: 0.05, MODEL-REVIEW G5 [assumption]]",
    )
    follow_after_view: Probability = Field(
        0.0,
        description="phi_view: chance that a viewer of a post or of a share follows the "
        "page; 0 (default, off) [on: 0.005, MODEL-REVIEW G5 [assumption]]",
    )
    unfollow_per_day: Probability = Field(
        0.0,
        description="u: daily chance that a follower leaves; 0 (default, off) [on: 0.001, "
        "MODEL-REVIEW G5 [assumption]]",
    )
    bought_fans: bool = Field(
        False,
        description="the starting followers are bought fans: their interest in the category "
        "counts x 0.2 when they engage or convert (MODEL-REVIEW G5 [assumption])",
    )
    engagement: bool = Field(
        False,
        description="viewers engage (like, comment, share) with engagement_per_view x "
        "content_quality x interest / mean interest; shares are shares_per_engagement of "
        "engagements and replace share_probability; false (default): share_probability per "
        "viewer, as before",
    )
    content_quality: float = Field(
        1.0,
        ge=0.0,
        le=20.0,
        description="q: engagement of the page's posts relative to a typical page (1) [assumption]",
    )
    engagement_per_view: Probability = Field(
        0.048,
        description="eps0: engagements per viewer of a typical post [Hootsuite 2020: 0.25 % "
        "engagement per follower / 5.2 % reach [S, computed]]",
    )
    shares_per_engagement: Probability = Field(
        0.1,
        description="sigma_share: share of engagements that are shares [assumption, MODEL-REVIEW "
        "G5; to be measured on platform insights]",
    )
    reach_feedback: float = Field(
        0.0,
        ge=0.0,
        le=5.0,
        description="eta: a post's reach is organic_reach x (E / engagement_per_view) ** "
        "eta, E the page's recent engagement per view (feed ranking), within "
        "[reach_min, reach_max]; 0 (default, off): constant reach [on: 1, MODEL-REVIEW G5 "
        "[assumption], EdgeRank-like]; needs engagement",
    )
    reach_memory: Probability = Field(
        0.2,
        gt=0.0,
        description="lambda_E: weight of the latest post in the engagement average [assumption]",
    )
    reach_min: Probability = Field(
        0.02,
        description="lowest organic reach [about 5.2 % in 2020 (Hootsuite) and falling, 2 % as a floor: assumption]",
    )
    reach_max: Probability = Field(
        0.16,
        description="highest organic reach [16 % of fans in 2012, Facebook via Manson (Social@Ogilvy) 2014 [V]]",
    )
    reshare_generations: int = Field(
        1,
        ge=1,
        le=1000,
        description="G_max: generations of shares; a share's viewers reshare with "
        "shares_per_engagement x their engagement chance; 1 (default): shares are never "
        "reshared, as before [on: 10, MODEL-REVIEW G5 [assumption]]",
    )
    loyalty: Probability = Field(
        0.0,
        description="gamma_loyal: an active customer who sees a post has her drop-out x "
        "(1 - loyalty) for loyalty_days; 0 (default, off) [on: 0.05, MODEL-REVIEW G5 "
        "[assumption]; fans spend more largely by selection, Lipsman et al. 2012 [R]]",
    )
    loyalty_days: float = Field(
        3.0, gt=0.0, le=3650.0, description="D: days a post's loyalty effect lasts [assumption]"
    )
    purchase_lift: float = Field(
        0.0,
        ge=0.0,
        le=20.0,
        description="kappa: an active customer who sees a post or a share buys at (1 + "
        "kappa) her rate for loyalty_days: an extra visit with probability kappa x rate x "
        "loyalty_days; 0 (default, off) [on: 1.0, assumption; firm-generated content raises "
        "customers' spending, Kumar, Bezawada, Rishika, Janakiraman & Kannan 2016 [R]]",
    )

    @property
    def dynamic(self) -> bool:
        """Whether the page needs the state of MODEL-REVIEW G5 (engine/page.py)."""
        return (
            self.follow_after_purchase > 0
            or self.follow_after_view > 0
            or self.unfollow_per_day > 0
            or self.bought_fans
            or self.engagement
            or self.reshare_generations > 1
            or self.loyalty > 0
            or self.purchase_lift > 0
        )

    @model_validator(mode="after")
    def _feedback_needs_engagement(self) -> SocialPage:
        if self.reach_feedback > 0 and not self.engagement:
            raise ValueError(
                "reach_feedback needs engagement = true (reach follows engagement); got "
                f"reach_feedback {self.reach_feedback:g} with engagement false"
            )
        if self.reach_min > self.reach_max:
            raise ValueError(
                f"reach_min ({self.reach_min:g}) must not exceed reach_max ({self.reach_max:g})"
            )
        return self


class Dialogue(ChannelBase):
    """Community management: hours a week to reply to negative reviews (MODEL-REVIEW G4).

    Its "impressions" are the replies made; without reviews (reputation.reviews) it only
    spends its hours.
    """

    kind: Literal["dialogue"] = "dialogue"
    source: SourceType = Field(
        "branded_content", description="source type of the business's replies"
    )
    hours_per_week: float = Field(
        2.0,
        gt=0.0,
        le=168.0,
        description="hours a week set aside to reply to reviews [assumption]",
    )
    hourly_cost: ZeroOrPrice = Field(
        20.0, description="EUR per hour of work, 0 (own time) or at least 0.01 [assumption]"
    )


INFLUENCER_TIERS: dict[str, dict[str, float]] = {
    "nano": {
        "followers": 5_000,
        "in_town_share": 0.1,
        "engagement_rate": 0.048,
        "reach_rate": 0.30,
        "price_per_post": 55.0,
    },
    "micro": {
        "followers": 30_000,
        "in_town_share": 0.01,
        "engagement_rate": 0.032,
        "reach_rate": 0.22,
        "price_per_post": 300.0,
    },
    "macro": {
        "followers": 750_000,
        "in_town_share": 0.0005,
        "engagement_rate": 0.012,
        "reach_rate": 0.15,
        "price_per_post": 7_500.0,
    },
}
"""An influencer account by tier (Instagram). Followers: the middle of each tier's band
(nano 1k-10k, micro 10k-100k, macro 500k-1M; Later x Fohr 2021 tiers) [assumption: one
point in the band]. Engagement per follower and post: nano 4.8 %, micro 3.2 %, macro
1.2 % (zipdo 2023 compilation of Instagram statistics [D]). Reach per post, the share of
followers who see it: the middle of nano 20-40 %, micro 15-30 %, macro 10-20 %
(startmotionmedia, mid-2024 Instagram ranges [D]). Price per post: the middle of nano
$10-100, micro $100-500, macro $5,000-10,000 (reach-influencers.com 2022, CALIBRATION.md
5.3 [D]; a 2026 guide gives ten times as much for nano; USD taken as EUR [assumption]).
Share of followers who live in the town: [assumption] (a local food account vs a national
one)."""


class Influencer(ChannelBase):
    """Paid posts by an influencer's account: its followers in town see them, some engage
    and share, and some follow the business's page."""

    kind: Literal["influencer"] = "influencer"
    tier: Literal["nano", "micro", "macro"] = Field(
        "micro", description="account size; fills every field left unset from INFLUENCER_TIERS"
    )
    platform: str = Field("instagram", description="platform layer of the account")
    source: SourceType = Field(
        "branded_content", description="source type of the posts (for the splits by source)"
    )
    followers: int | None = Field(
        None, ge=1, le=1_000_000_000, description="the account's followers; default by tier"
    )
    in_town_share: Probability | None = Field(
        None, description="share of the followers who live in the town; default by tier"
    )
    engagement_rate: Probability | None = Field(
        None, description="engagements per follower and post; default by tier"
    )
    reach_rate: Probability | None = Field(
        None, description="share of the followers who see a post; default by tier"
    )
    price_per_post: ZeroOrPrice | None = Field(
        None, description="EUR per sponsored post, 0 or at least 0.01; default by tier"
    )
    posts_per_week: float = Field(
        1.0, gt=0.0, le=50.0, description="sponsored posts per week [assumption]"
    )
    trust: Probability = Field(
        0.23,
        description="trust of influencer content: Nielsen Trust in Advertising 2021, 23 % "
        "trust advertising or opinions delivered by influencers [S] (CALIBRATION.md 4)",
    )
    persuasion: Probability = Field(
        0.005, description="persuasion of a post, as for the page's posts [assumption]"
    )
    shares_per_engagement: Probability = Field(
        0.1,
        description="share of engagements that are shares to the engager's own followers "
        "[assumption, as the page's]",
    )
    share_reach: Probability = Field(
        0.2, description="share of a sharer's followers who see the share [assumption]"
    )
    share_trust: ShareTrust = Field("friend", description=SHARE_TRUST_HELP)
    page: str | None = Field(
        None,
        description="a social_page channel whose follower list viewers may join; None: "
        "none (the page must be in the same strategy and grow: a G5 field on)",
    )
    follow_page: Probability = Field(
        0.01,
        description="chance that a viewer of a post who is a member of the page's platform "
        "follows the page [assumption; phi_view of MODEL-REVIEW G5 is 0.005, an "
        "influencer's endorsement doubles it]",
    )

    def resolved(self, name: str) -> float:
        """A tier field: the value given, or the tier's default (INFLUENCER_TIERS)."""
        value = getattr(self, name)
        return float(INFLUENCER_TIERS[self.tier][name] if value is None else value)


Channel = Annotated[
    Seeding | Newspaper | Advertising | SocialAds | SocialPage | Dialogue | Influencer,
    Field(discriminator="kind"),
]

CHANNEL_KINDS: tuple[str, ...] = variant_kinds(Channel)
"""Every channel ``kind``, in declaration order."""
