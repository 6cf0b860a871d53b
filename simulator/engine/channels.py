"""Marketing channels: schedule, audience, exposures delivered and money spent.

A channel is compiled once per strategy into a :class:`ChannelPlan` (who can be reached,
what happens at which step, what it costs); :func:`deliver` turns one step of a plan into
exposures for a block of replicates. Costs are fixed by the plan before anything runs, so
spend never exceeds a channel's budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.engine.messages import Exposures, sample_edges
from simulator.town.network import Network
from simulator.town.population import Population
from simulator.town.seeding import select_seeds
from simulator.town.trust import share_sources_and_strength


@dataclass(frozen=True)
class SeedList:
    """How a seeding channel picks its seeds: a selection strategy, or the people given."""

    strategy: str
    people: tuple[int, ...]


@dataclass(frozen=True)
class Sharing:
    """How a business page's viewers pass a post on along their platform's ties."""

    layer: str
    probability: float
    reach: float
    source_by_tie: np.ndarray  # int8 per Tie kind
    strength_by_tie: np.ndarray  # float32 per Tie kind


@dataclass(frozen=True)
class ChannelPlan:
    """A channel compiled for one strategy.

    ``impressions_at[step]`` impressions (or views, or seeds) are delivered at each step,
    at ``cost_at[step]`` EUR, to people drawn from ``audience``; a plan with ``seeds``
    makes people adopt outright instead, and one with ``sharing`` has its viewers share.
    """

    name: str
    index: int
    config: cfg.Channel
    source: int
    strength: float
    audience: np.ndarray
    impressions_at: np.ndarray
    cost_at: np.ndarray
    platform: str | None = None
    seeds: SeedList | None = None
    sharing: Sharing | None = None
    referral_reward: float = 0.0

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def planned_cost(self) -> float:
        return float(self.cost_at.sum())


@dataclass(frozen=True)
class Campaign:
    """What one channel kind's compiler fixes; :func:`compile_channel` adds the rest."""

    source: str
    strength: float
    audience: np.ndarray
    impressions: np.ndarray
    cost: np.ndarray
    platform: str | None = None
    seeds: SeedList | None = None
    sharing: Sharing | None = None
    referral_reward: float = 0.0


@dataclass(frozen=True)
class _Calendar:
    """The scenario's time grid and trust, shared by the channel compilers."""

    scenario: cfg.Scenario
    population: Population
    steps: int
    step_days: float
    trust: dict[str, float]

    def empty(self) -> tuple[np.ndarray, np.ndarray]:
        """Impressions and cost per step, all zero."""
        return np.zeros(self.steps, np.int64), np.zeros(self.steps, np.float64)

    def event_steps(self, config: cfg.ChannelBase, per_week: float) -> np.ndarray:
        """Steps of events every 7 / per_week days from start_day, within the campaign."""
        end = min(config.end_day, self.steps * self.step_days)
        days = np.arange(config.start_day, end, 7.0 / per_week)
        return np.floor(days / self.step_days + 1e-9).astype(np.int64)


def _affordable(event_steps: np.ndarray, unit_cost: float, budget: float) -> np.ndarray:
    if unit_cost <= 0:
        return event_steps
    return event_steps[: int(math.floor(budget / unit_cost + 1e-9))]


def _seeding(config: cfg.Seeding, when: _Calendar, rng: np.random.Generator) -> Campaign:
    """Free samples: k seeds at the start day, as many as the budget buys."""
    impressions, cost = when.empty()
    size = when.population.size
    affordable = int(math.floor(config.budget / config.cost_per_seed + 1e-9))
    wanted = len(config.people) if config.strategy == "given" else config.seeds
    k = min(affordable, wanted) if wanted else affordable
    k = min(k, size)
    start = int(math.floor(config.start_day / when.step_days + 1e-9))
    if start < when.steps and config.start_day < config.end_day:
        impressions[start] = k
        cost[start] = k * config.cost_per_seed
    return Campaign(
        "free_sample",
        1.0,
        np.arange(size, dtype=np.int32),
        impressions,
        cost,
        seeds=SeedList(config.strategy, tuple(config.people)),
        referral_reward=config.referral_reward,
    )


def _newspaper(config: cfg.Newspaper, when: _Calendar, rng: np.random.Generator) -> Campaign:
    """Print insertions: readers by segment, priced per insertion or by CPM."""
    audience = when.population.audience(config.medium, config.target_segments)
    per_event = int(round(audience.size * config.reach_per_insertion))
    unit_cost = config.price_per_insertion or (
        config.cpm * audience.size / config.readers_per_copy / config.audience_in_market / 1000.0
    )
    events = when.event_steps(config, config.insertions_per_week)
    return _broadcast(config, config.source, audience, per_event, unit_cost, events, when)


def _advertising(config: cfg.Advertising, when: _Calendar, rng: np.random.Generator) -> Campaign:
    """Professional flights (TV, radio, banners), priced by CPM."""
    audience = when.population.audience(config.medium, config.target_segments)
    per_event = int(round(audience.size * config.reach_per_flight))
    unit_cost = config.resolved_cpm * per_event / config.audience_in_market / 1000.0
    events = when.event_steps(config, config.flights_per_week)
    return _broadcast(config, config.resolved_source, audience, per_event, unit_cost, events, when)


def _broadcast(
    config: cfg.BroadcastChannel,
    source: str,
    audience: np.ndarray,
    per_event: int,
    unit_cost: float,
    events: np.ndarray,
    when: _Calendar,
) -> Campaign:
    impressions, cost = when.empty()
    events = _affordable(events, unit_cost, config.budget)
    np.add.at(impressions, events, per_event)
    np.add.at(cost, events, unit_cost)
    strength = when.trust[source] * config.persuasion
    return Campaign(source, strength, audience, impressions, cost)


def _social_ads(config: cfg.SocialAds, when: _Calendar, rng: np.random.Generator) -> Campaign:
    """Paid platform ads: the budget spread evenly over the campaign's steps."""
    impressions, cost = when.empty()
    audience = when.population.audience(config.platform, config.target_segments)
    first = int(math.floor(config.start_day / when.step_days + 1e-9))
    end_day = min(config.end_day, config.start_day + config.days)
    last = min(when.steps, int(math.ceil(end_day / when.step_days - 1e-9)))
    if last > first and audience.size and config.cpm > 0:
        per_step = config.budget / (last - first)
        bought = int(math.floor(per_step / config.cpm * 1000.0 + 1e-9))
        impressions[first:last] = bought
        cost[first:last] = bought * config.cpm / 1000.0
    strength = when.trust[config.source] * config.persuasion
    return Campaign(config.source, strength, audience, impressions, cost, config.platform)


def _social_page(config: cfg.SocialPage, when: _Calendar, rng: np.random.Generator) -> Campaign:
    """The business's own page: followers drawn among members, posts cost hours."""
    impressions, cost = when.empty()
    members = when.population.audience(config.platform)
    followers = min(config.followers, members.size)
    audience = np.sort(rng.choice(members, size=followers, replace=False)).astype(np.int32)
    per_post = int(round(followers * config.organic_reach))
    unit_cost = config.hours_per_post * config.hourly_cost
    events = _affordable(when.event_steps(config, config.posts_per_week), unit_cost, config.budget)
    np.add.at(impressions, events, per_post)
    np.add.at(cost, events, unit_cost)
    scenario = when.scenario
    share_source, share_strength = share_sources_and_strength(
        scenario, scenario.layers[config.platform], config.share_trust
    )
    sharing = Sharing(
        config.platform,
        config.share_probability,
        config.share_reach,
        share_source,
        share_strength,
    )
    strength = when.trust[config.source] * config.persuasion
    return Campaign(
        config.source, strength, audience, impressions, cost, config.platform, sharing=sharing
    )


def influencer_audience(config: cfg.Influencer, members: int) -> tuple[int, int]:
    """An influencer's followers in town (at most the platform's members) and the views of
    one post among them.

    Examples
    --------
    >>> influencer_audience(cfg.Influencer(tier="nano"), 4000)  # 5,000 x 10 %, 30 % see
    (500, 150)
    """
    followers = min(
        members, int(round(config.resolved("followers") * config.resolved("in_town_share")))
    )
    return followers, int(round(followers * config.resolved("reach_rate")))


def _influencer(config: cfg.Influencer, when: _Calendar, rng: np.random.Generator) -> Campaign:
    """Sponsored posts: the account's followers in town, drawn among the platform's members;
    viewers engage at ``engagement_rate / reach_rate`` and share a part of it."""
    impressions, cost = when.empty()
    members = when.population.audience(config.platform)
    followers, per_post = influencer_audience(config, members.size)
    audience = np.sort(rng.choice(members, size=followers, replace=False)).astype(np.int32)
    unit_cost = config.resolved("price_per_post")
    events = _affordable(when.event_steps(config, config.posts_per_week), unit_cost, config.budget)
    np.add.at(impressions, events, per_post)
    np.add.at(cost, events, unit_cost)
    scenario = when.scenario
    share_source, share_strength = share_sources_and_strength(
        scenario, scenario.layers[config.platform], config.share_trust
    )
    reach = config.resolved("reach_rate")
    engaged = config.resolved("engagement_rate") / reach if reach > 0 else 0.0
    sharing = Sharing(
        config.platform,
        min(1.0, engaged * config.shares_per_engagement),
        config.share_reach,
        share_source,
        share_strength,
    )
    strength = config.trust * config.persuasion
    return Campaign(
        config.source, strength, audience, impressions, cost, config.platform, sharing=sharing
    )


def dialogue_hours(config: cfg.Dialogue, steps: int, step_days: float) -> np.ndarray:
    """Hours a dialogue channel has in each step: ``hours_per_week`` spread over the days of
    the campaign, while the budget lasts (whole steps; a step it cannot pay has none).

    Examples
    --------
    >>> hours = dialogue_hours(cfg.Dialogue(hours_per_week=7.0, budget=50.0, end_day=5), 7, 1.0)
    >>> hours.tolist()  # 20 EUR an hour: two days and a half are paid, two whole steps
    [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    first = int(math.floor(config.start_day / step_days + 1e-9))
    last = min(steps, int(math.ceil(min(config.end_day, steps * step_days) / step_days - 1e-9)))
    hours = np.zeros(steps, np.float64)
    per_step = config.hours_per_week * step_days / 7.0
    unit_cost = per_step * config.hourly_cost
    paid = last - first if unit_cost <= 0 else int(math.floor(config.budget / unit_cost + 1e-9))
    hours[first : first + max(0, min(paid, last - first))] = per_step
    return hours


def _dialogue(config: cfg.Dialogue, when: _Calendar, rng: np.random.Generator) -> Campaign:
    """Community management: hours each step, no exposures; the engine makes the replies."""
    impressions, _ = when.empty()
    hours = dialogue_hours(config, when.steps, when.step_days)
    return Campaign(
        config.source,
        0.0,
        np.zeros(0, np.int32),
        impressions,
        hours * config.hourly_cost,
    )


ChannelCompiler = Callable[[Any, _Calendar, np.random.Generator], Campaign]
"""Fixes one kind of channel's audience, schedule and costs (the config is that kind's)."""

CHANNEL_KINDS: dict[str, ChannelCompiler] = {
    "seeding": _seeding,
    "newspaper": _newspaper,
    "advertising": _advertising,
    "social_ads": _social_ads,
    "social_page": _social_page,
    "dialogue": _dialogue,
    "influencer": _influencer,
}
"""One compiler per channel kind of :data:`simulator.config.Channel`."""


def compile_channel(
    name: str,
    index: int,
    config: cfg.Channel,
    scenario: cfg.Scenario,
    population: Population,
    *,
    rng: np.random.Generator,
) -> ChannelPlan:
    """Fix a channel's audience, schedule and costs for a scenario."""
    when = _Calendar(
        scenario,
        population,
        scenario.simulation.steps,
        scenario.simulation.step_days,
        scenario.trust.model_dump(),
    )
    campaign = CHANNEL_KINDS[config.kind](config, when, rng)
    impressions, cost = campaign.impressions, campaign.cost
    # Replies need no audience; a dynamic page (G5) may start with no followers and grow.
    grows = isinstance(config, cfg.SocialPage) and config.dynamic
    if campaign.audience.size == 0 and config.kind != "dialogue" and not grows:
        impressions[:] = 0
        cost[:] = 0.0
    return ChannelPlan(
        name,
        index,
        config,
        cfg.SOURCE_TYPES.index(campaign.source),
        float(campaign.strength),
        campaign.audience,
        impressions,
        cost,
        campaign.platform,
        campaign.seeds,
        campaign.sharing,
        campaign.referral_reward,
    )


@dataclass(frozen=True)
class Delivery:
    """What a channel did in one step for a block of replicates."""

    exposures: Exposures
    forced: np.ndarray  # flat indices that adopt outright (seeds)
    impressions: int | np.ndarray  # per replicate (an array when a frequency cap bound)
    cost: float | np.ndarray  # per replicate


def deliver(
    plan: ChannelPlan,
    step: int,
    replicates: int,
    size: int,
    network: Network,
    *,
    rng: np.random.Generator,
) -> Delivery | None:
    """One step of a plan: impressions drawn with replacement from the audience.

    Impressions repeat on the same person as real campaigns do (frequency); unique reach is
    counted separately. The business page's viewers share with probability
    ``share_probability``; each of a sharer's followers sees the share with probability
    ``share_reach``, as a message from that tie (trust of the tie, channel of the page).
    """
    count = int(plan.impressions_at[step])
    if count == 0:
        if plan.kind == "dialogue" and plan.cost_at[step] > 0:  # hours paid, replies later
            return Delivery(Exposures.empty(), np.zeros(0, np.int64), 0, float(plan.cost_at[step]))
        return None
    offsets = (np.arange(replicates, dtype=np.int64) * size)[:, None]
    if plan.seeds is not None:
        if plan.seeds.strategy == "given":
            seeds = np.broadcast_to(np.array(plan.seeds.people[:count]), (replicates, count))
        else:
            seeds = select_seeds(network, plan.seeds.strategy, count, replicates, rng=rng)
        targets = (offsets + seeds).ravel()
        return Delivery(Exposures.empty(), targets, count, float(plan.cost_at[step]))
    chosen = plan.audience[rng.integers(0, plan.audience.size, size=(replicates, count))]
    targets = (offsets + chosen).ravel()
    exposures = Exposures.uniform(targets, plan.strength, plan.source, plan.index)
    if plan.sharing is not None and plan.sharing.probability > 0:
        exposures = Exposures.concatenate(
            [exposures, _shares(plan.sharing, plan.index, targets, size, network, rng)]
        )
    return Delivery(exposures, np.zeros(0, np.int64), count, float(plan.cost_at[step]))


def _shares(
    sharing: Sharing,
    index: int,
    viewers: np.ndarray,
    size: int,
    network: Network,
    rng: np.random.Generator,
) -> Exposures:
    """Messages from the viewers who share, to the followers who see their share."""
    sharers = viewers[rng.random(viewers.size) < sharing.probability]
    layer = network.layer(sharing.layer)
    edges, owner = sample_edges(layer.indptr, sharers % size, sharing.reach, rng)
    if not edges.size:
        return Exposures.empty()
    tie = layer.tie[edges]
    shared = (sharers[owner] // size) * size + layer.indices[edges]
    return Exposures(
        shared.astype(np.int64),
        sharing.strength_by_tie[tie],
        sharing.source_by_tie[tie],
        np.full(shared.size, index, np.int16),
        np.ones(shared.size, np.int8),
    )
