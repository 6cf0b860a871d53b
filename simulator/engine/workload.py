"""The work a scenario asks for, counted from its parameters: edges, impressions, messages.

:mod:`simulator.engine.sizing` turns these counts into memory and time.
"""

from __future__ import annotations

import math
from pathlib import Path

from simulator import config as cfg
from simulator.engine.channels import influencer_audience


def _members(scenario: cfg.Scenario, medium: str, segments: tuple[str, ...] = ()) -> float:
    """Expected number of people who use ``medium`` (in ``segments``, if given)."""
    population = scenario.population
    return population.size * sum(
        s.share * s.media.get(medium, 0.0)
        for s in population.segments
        if not segments or s.name in segments
    )


def market_edges_drawn(layer: cfg.MarketLayer, size: int) -> float:
    """Directed edges the market layer draws before duplicates merge.

    Households of ``1 + Poisson(h - 1)`` people give ``(h^2 - 1) / h`` housemates a
    person on average; then close friends and acquaintances, each tie both ways.
    """
    h = layer.household_size
    return size * ((h * h - 1.0) / h + layer.close_friends + layer.acquaintances)


def layer_edges(scenario: cfg.Scenario, name: str) -> float:
    """Expected directed edges of a layer, from its parameters (or its file's size).

    Market: strong ties (households and close friends) lose about a fifth where they
    coincide, and acquaintances met through friends often repeat a tie (a share
    ``0.7 x local_share`` merge); measured within -18 % .. +22 % for 2 to 100
    acquaintances and 6 to 20 close friends (more above: 500 acquaintances merge to 170).
    Platform: ``follows`` per member. Edge list: the file's bytes over about 12 bytes a
    line, doubled when undirected. Graph and well-mixed layers: 0 (a graph is handed over
    at run time; well-mixed has no edges).

    Examples
    --------
    >>> scenario = cfg.default_scenario()
    >>> round(layer_edges(scenario, "market") / scenario.population.size, 1)  # 14.5 built
    14.1
    """
    layer = scenario.layers[name]
    size = scenario.population.size
    if layer.kind == "market":
        acquaintances = size * layer.acquaintances
        strong = market_edges_drawn(layer, size) - acquaintances
        return 0.8 * strong + acquaintances * (1.0 - 0.7 * layer.local_share)
    if layer.kind == "platform":
        members = _members(scenario, name)
        return min(layer.follows, max(members - 1.0, 0.0)) * members
    if layer.kind == "edge_list":
        try:
            lines = Path(layer.path).stat().st_size / 12.0
        except OSError:
            return 0.0  # reported when the layer is read
        return lines * (1 if layer.directed else 2)
    return 0.0


def _events(channel: cfg.ChannelBase, per_week: float, scenario: cfg.Scenario) -> float:
    """Events (insertions, flights, posts) the schedule allows within the run."""
    last_day = min(channel.end_day, scenario.simulation.steps * scenario.simulation.step_days)
    return max(math.ceil((last_day - channel.start_day) * per_week / 7.0), 0)


def schedule_events(channel_scenario: cfg.Scenario, channel: cfg.Channel) -> float:
    """Events a channel's schedule lays out (float64 days, then int64 steps) before the
    budget cuts them."""
    per_week = {
        "newspaper": "insertions_per_week",
        "advertising": "flights_per_week",
        "social_page": "posts_per_week",
        "influencer": "posts_per_week",
    }.get(channel.kind)
    return _events(channel, getattr(channel, per_week), channel_scenario) if per_week else 0.0


def _affordable(events: float, unit_cost: float, budget: float) -> float:
    return events if unit_cost <= 0 else min(events, math.floor(budget / unit_cost + 1e-9))


def channel_load(scenario: cfg.Scenario, channel: cfg.Channel) -> tuple[float, float]:
    """(most in one step, total over the run) impressions or seeds, per replicate.

    The same arithmetic as :func:`simulator.engine.channels.compile_channel`, on expected
    audiences instead of drawn ones. A business page's impressions include the shares
    its viewers make to their followers.

    Examples
    --------
    >>> scenario = cfg.default_scenario()
    >>> [round(channel_load(scenario, c)[1]) for c in scenario.channels.values()][:3]
    [100, 8694, 32085]
    """
    size = scenario.population.size
    step_days = scenario.simulation.step_days
    steps = scenario.simulation.steps
    if channel.kind == "seeding":
        wanted = len(channel.people) if channel.strategy == "given" else channel.seeds
        affordable = math.floor(channel.budget / channel.cost_per_seed + 1e-9)
        seeds = float(min(affordable, wanted or affordable, size))
        return seeds, seeds
    if channel.kind == "social_ads":
        first = math.floor(channel.start_day / step_days + 1e-9)
        end_day = min(channel.end_day, channel.start_day + channel.days)
        last = min(steps, math.ceil(end_day / step_days - 1e-9))
        if last <= first:
            return 0.0, 0.0
        bought = math.floor(channel.budget / (last - first) / channel.cpm * 1000.0 + 1e-9)
        return float(bought), float(bought * (last - first))
    if channel.kind == "dialogue":  # replies, no exposures
        return 0.0, 0.0
    if channel.kind == "influencer":
        _, posted = influencer_audience(channel, round(_members(scenario, channel.platform)))
        ties = layer_edges(scenario, channel.platform) / max(
            _members(scenario, channel.platform), 1.0
        )
        events = _affordable(
            _events(channel, channel.posts_per_week, scenario),
            channel.resolved("price_per_post"),
            channel.budget,
        )
        reach = channel.resolved("reach_rate")
        shares = min(1.0, channel.resolved("engagement_rate") / reach if reach > 0 else 0.0)
        shares = min(1.0, shares * channel.shares_per_engagement)
        views = posted * (1.0 + shares * channel.share_reach * ties)
        per_step = max(channel.posts_per_week * step_days / 7.0, 1.0)
        return views * min(per_step, events), views * events
    if channel.kind == "social_page":
        followers = min(channel.followers, _members(scenario, channel.platform))
        ties = layer_edges(scenario, channel.platform) / max(
            _members(scenario, channel.platform), 1.0
        )
        per_post = followers * channel.organic_reach
        per_post *= 1.0 + channel.share_probability * channel.share_reach * ties
        events = _affordable(
            _events(channel, channel.posts_per_week, scenario),
            channel.hours_per_post * channel.hourly_cost,
            channel.budget,
        )
        per_step = max(channel.posts_per_week * step_days / 7.0, 1.0)
        return per_post * min(per_step, events), per_post * events
    audience = _members(scenario, channel.medium, channel.target_segments)
    if channel.kind == "newspaper":
        per_event = audience * channel.reach_per_insertion
        unit_cost = channel.price_per_insertion or (
            channel.cpm * audience / channel.readers_per_copy / channel.audience_in_market / 1000.0
        )
        per_week = channel.insertions_per_week
    else:
        per_event = audience * channel.reach_per_flight
        unit_cost = channel.resolved_cpm * per_event / channel.audience_in_market / 1000.0
        per_week = channel.flights_per_week
    events = _affordable(_events(channel, per_week, scenario), unit_cost, channel.budget)
    per_step = max(per_week * step_days / 7.0, 1.0)
    return per_event * min(per_step, events), per_event * events


def word_of_mouth_load(scenario: cfg.Scenario) -> tuple[float, float]:
    """(messages if everyone adopted, conversions per adopter), per replicate.

    Everyone who adopts talks for ``talk_steps`` steps (at most the run) and reaches each
    contact with ``contact_probability`` a step: an upper bound on the messages, reached
    when nearly everyone adopts. How far it spreads is guessed from the conversions one
    adopter makes among its contacts, each contact being converted with probability
    ``1 - (1 - trust x persuasion x mean interest) ** (contact_probability x talk)``.
    :func:`estimate` takes a share ``min(1, conversions / 10)`` of the messages: fitted
    to three runs of the default town (0.17, 1.2 and 12 conversions per adopter; 1.2 %,
    4.6 % and 96 % of the upper bound sent), it is within 1.5 x of the first and last and
    2.7 x over the middle one. Under the bass rule a talker reaches all its contacts, once
    as it starts and once as it stops, on a network; on a well-mixed layer only counts
    change (see :data:`simulator.engine.sizing.SECONDS_PER_BASS_ADOPTION`).

    Examples
    --------
    >>> messages, spread = word_of_mouth_load(cfg.default_scenario())
    >>> round(messages), round(spread, 2)
    (317010, 3.31)
    """
    simulation = scenario.simulation
    size = scenario.population.size
    segments = scenario.population.segments
    interest = sum(
        s.share * (s.interest_alpha / (s.interest_alpha + s.interest_beta))
        if s.interest is None
        else s.share * s.interest
        for s in segments
    )
    trust, wom = scenario.trust, scenario.word_of_mouth
    bass = scenario.adoption.kind == "bass"
    talk = 2.0 if bass else min(wom.talk_steps, simulation.steps)
    messages = spread = 0.0
    for name, layer in scenario.layers.items():
        degree = (size - 1.0) if layer.kind == "well_mixed" else layer_edges(scenario, name) / size
        if layer.kind == "market":
            weak = size * layer.acquaintances * (1.0 - 0.7 * layer.local_share) / size
            weight = (degree - weak) * wom.strong_tie_trust + weak * wom.weak_tie_trust
            tie_trust = trust.word_of_mouth * weight / max(degree, 1e-9)
        elif layer.kind == "platform":
            tie_trust = trust.online_opinion
        else:
            tie_trust = getattr(trust, layer.source) * layer.tie_trust
        if bass and layer.kind == "well_mixed":
            continue  # the bass rule counts a well-mixed layer's talkers, sends nothing
        reached = 1.0 if bass else layer.contact_probability
        messages += size * degree * reached * talk
        converts = min(1.0, tie_trust * wom.persuasion * interest)
        spread += degree * (1.0 - (1.0 - converts) ** (layer.contact_probability * talk))
    return messages, spread
