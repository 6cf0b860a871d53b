"""Marketing channels: schedule, audience, exposures delivered and money spent.

A channel is compiled once per strategy into a :class:`ChannelPlan` (who can be reached,
what happens at which step, what it costs); :func:`deliver` turns one step of a plan into
exposures for a block of replicates. Costs are fixed by the plan before anything runs, so
spend never exceeds a channel's budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulator import config as cfg
from simulator.town.network import Network
from simulator.town.population import Population
from simulator.town.seeding import select_seeds
from simulator.town.trust import tie_sources_and_trust


@dataclass(frozen=True)
class Exposures:
    """Messages received in one step, one entry per message.

    ``target`` is a flat index ``replicate * size + person``; ``strength`` is trust x
    persuasion (the adoption rule multiplies by the receiver's interest); ``channel`` is the
    channel's index, or -1 for organic word of mouth; ``valence`` is +1 or -1.
    """

    target: np.ndarray
    strength: np.ndarray
    source: np.ndarray
    channel: np.ndarray
    valence: np.ndarray

    @staticmethod
    def empty() -> Exposures:
        return Exposures(
            np.zeros(0, np.int64),
            np.zeros(0, np.float32),
            np.zeros(0, np.int8),
            np.zeros(0, np.int16),
            np.zeros(0, np.int8),
        )

    @staticmethod
    def uniform(
        target: np.ndarray, strength: float, source: int, channel: int, valence: int = 1
    ) -> Exposures:
        n = target.size
        return Exposures(
            target.astype(np.int64, copy=False),
            np.full(n, strength, np.float32),
            np.full(n, source, np.int8),
            np.full(n, channel, np.int16),
            np.full(n, valence, np.int8),
        )

    @staticmethod
    def concatenate(parts: list[Exposures]) -> Exposures:
        parts = [p for p in parts if p.target.size]
        if not parts:
            return Exposures.empty()
        if len(parts) == 1:
            return parts[0]
        return Exposures(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in Exposures.__dataclass_fields__
            )
        )


@dataclass(frozen=True)
class ChannelPlan:
    """A channel compiled for one strategy.

    ``impressions_at[step]`` impressions (or views, or seeds) are delivered at each step,
    at ``cost_at[step]`` EUR, to people drawn from ``audience``.
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
    share_source_by_tie: np.ndarray | None = None
    share_strength_by_tie: np.ndarray | None = None

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def planned_cost(self) -> float:
        return float(self.cost_at.sum())


def _event_steps(
    config: cfg.ChannelBase, per_week: float, steps: int, step_days: float
) -> np.ndarray:
    """Steps of events every 7 / per_week days from start_day, within the campaign."""
    end = min(config.end_day, steps * step_days)
    days = np.arange(config.start_day, end, 7.0 / per_week)
    return np.floor(days / step_days + 1e-9).astype(np.int64)


def _affordable(event_steps: np.ndarray, unit_cost: float, budget: float) -> np.ndarray:
    if unit_cost <= 0:
        return event_steps
    return event_steps[: int(math.floor(budget / unit_cost + 1e-9))]


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
    steps = scenario.simulation.steps
    step_days = scenario.simulation.step_days
    trust = scenario.trust.model_dump()
    impressions = np.zeros(steps, np.int64)
    cost = np.zeros(steps, np.float64)
    platform = None

    if config.kind == "seeding":
        source = "free_sample"
        affordable = int(math.floor(config.budget / config.cost_per_seed + 1e-9))
        wanted = len(config.people) if config.strategy == "given" else config.seeds
        k = min(affordable, wanted) if wanted else affordable
        k = min(k, population.size)
        start = int(math.floor(config.start_day / step_days + 1e-9))
        if start < steps and config.start_day < config.end_day:
            impressions[start] = k
            cost[start] = k * config.cost_per_seed
        audience = np.arange(population.size, dtype=np.int32)
        strength = 1.0
    elif config.kind in ("newspaper", "advertising"):
        medium = config.medium
        source = config.source if config.kind == "newspaper" else config.resolved_source
        audience = population.audience(medium, config.target_segments)
        if config.kind == "newspaper":
            per_event = int(round(audience.size * config.reach_per_insertion))
            unit_cost = config.price_per_insertion or (
                config.cpm * audience.size / config.audience_in_market / 1000.0
            )
            events = _event_steps(config, config.insertions_per_week, steps, step_days)
        else:
            per_event = int(round(audience.size * config.reach_per_flight))
            unit_cost = config.resolved_cpm * per_event / config.audience_in_market / 1000.0
            events = _event_steps(config, config.flights_per_week, steps, step_days)
        events = _affordable(events, unit_cost, config.budget)
        np.add.at(impressions, events, per_event)
        np.add.at(cost, events, unit_cost)
        strength = trust[source] * config.persuasion
    elif config.kind == "social_ads":
        source = config.source
        platform = config.platform
        audience = population.audience(config.platform, config.target_segments)
        first = int(math.floor(config.start_day / step_days + 1e-9))
        end_day = min(config.end_day, config.start_day + config.days)
        last = min(steps, int(math.ceil(end_day / step_days - 1e-9)))
        if last > first and audience.size and config.cpm > 0:
            per_step = config.budget / (last - first)
            bought = int(math.floor(per_step / config.cpm * 1000.0 + 1e-9))
            impressions[first:last] = bought
            cost[first:last] = bought * config.cpm / 1000.0
        strength = trust[source] * config.persuasion
    elif config.kind == "social_page":
        source = config.source
        platform = config.platform
        members = population.audience(config.platform)
        followers = min(config.followers, members.size)
        audience = np.sort(rng.choice(members, size=followers, replace=False)).astype(np.int32)
        per_post = int(round(followers * config.organic_reach))
        unit_cost = config.hours_per_post * config.hourly_cost
        events = _affordable(
            _event_steps(config, config.posts_per_week, steps, step_days), unit_cost, config.budget
        )
        np.add.at(impressions, events, per_post)
        np.add.at(cost, events, unit_cost)
        strength = trust[source] * config.persuasion
        share_source, share_trust = tie_sources_and_trust(scenario, scenario.layers[platform])
        share_strength = (share_trust * scenario.word_of_mouth.persuasion).astype(np.float32)
    else:  # pragma: no cover - the config union is closed
        raise ValueError(f"unknown channel kind {config.kind!r}")
    if audience.size == 0:
        impressions[:] = 0
        cost[:] = 0.0
    return ChannelPlan(
        name,
        index,
        config,
        cfg.SOURCE_TYPES.index(source),
        float(strength),
        audience,
        impressions,
        cost,
        platform,
        share_source if config.kind == "social_page" else None,
        share_strength if config.kind == "social_page" else None,
    )


@dataclass(frozen=True)
class Delivery:
    """What a channel did in one step for a block of replicates."""

    exposures: Exposures
    forced: np.ndarray  # flat indices that adopt outright (seeds)
    impressions: int  # per replicate
    cost: float  # per replicate


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
        return None
    offsets = (np.arange(replicates, dtype=np.int64) * size)[:, None]
    if plan.kind == "seeding":
        if plan.config.strategy == "given":
            seeds = np.broadcast_to(np.array(plan.config.people[:count]), (replicates, count))
        else:
            seeds = select_seeds(network, plan.config.strategy, count, replicates, rng=rng)
        targets = (offsets + seeds).ravel()
        return Delivery(Exposures.empty(), targets, count, float(plan.cost_at[step]))
    chosen = plan.audience[rng.integers(0, plan.audience.size, size=(replicates, count))]
    targets = (offsets + chosen).ravel()
    exposures = Exposures.uniform(targets, plan.strength, plan.source, plan.index)
    if plan.kind == "social_page" and plan.config.share_probability > 0:
        sharers = targets[rng.random(targets.size) < plan.config.share_probability]
        layer = network.layer(plan.platform)
        edges, owner = sample_edges(layer.indptr, sharers % size, plan.config.share_reach, rng)
        if edges.size:
            tie = layer.tie[edges]
            shared = (sharers[owner] // size) * size + layer.indices[edges]
            exposures = Exposures.concatenate(
                [
                    exposures,
                    Exposures(
                        shared.astype(np.int64),
                        plan.share_strength_by_tie[tie],
                        plan.share_source_by_tie[tie],
                        np.full(shared.size, plan.index, np.int16),
                        np.ones(shared.size, np.int8),
                    ),
                ]
            )
    return Delivery(exposures, np.zeros(0, np.int64), count, float(plan.cost_at[step]))


def sample_edges(
    indptr: np.ndarray, speakers: np.ndarray, probability: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each out-edge of ``speakers`` kept with ``probability``, in O(edges kept).

    The speakers' edge ranges, laid end to end, form one sequence of Bernoulli trials;
    the kept positions are found by skipping geometric gaps (the number of trials up to
    and including the next success), so the work is proportional to the contacts made,
    not to the edges. Above one half, one uniform per edge is cheaper. Returns the kept
    edge indices and, for each, the position of its speaker in ``speakers``.

    Examples
    --------
    >>> indptr = np.array([0, 3, 3, 5])
    >>> edges, owner = sample_edges(indptr, np.array([0, 2]), 1.0, np.random.default_rng(0))
    >>> edges.tolist(), owner.tolist()
    ([0, 1, 2, 3, 4], [0, 0, 0, 1, 1])
    """
    starts = indptr[speakers]
    degree = indptr[speakers + 1] - starts
    ends = np.cumsum(degree)
    total = int(ends[-1]) if ends.size else 0
    if total == 0 or probability <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if probability >= 1:
        positions = np.arange(total, dtype=np.int64)
    elif probability > 0.5:
        positions = np.flatnonzero(rng.random(total) < probability)
    else:
        positions = bernoulli_positions(total, probability, rng)
    owner = np.searchsorted(ends, positions, side="right")
    edges = starts[owner] + positions - (ends[owner] - degree[owner])
    return edges.astype(np.int64), owner


def bernoulli_positions(total: int, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Positions of the successes among ``total`` Bernoulli(``probability``) trials.

    Cumulative sums of geometric gaps, drawn in chunks a little larger than the expected
    count: O(successes) work and random numbers.

    Examples
    --------
    >>> positions = bernoulli_positions(1_000_000, 0.01, np.random.default_rng(1))
    >>> bool(9_500 < positions.size < 10_500), bool(positions.max() < 1_000_000)
    (True, True)
    """
    expected = total * probability
    chunk = int(expected + 4.0 * math.sqrt(expected) + 16)
    # A gap above total already lands past the end: clipping it there is exact, and keeps
    # the sums from overflowing when the probability is tiny.
    positions = np.cumsum(np.minimum(rng.geometric(probability, chunk), total + 1)) - 1
    parts = [positions]
    while positions[-1] < total - 1:
        positions = positions[-1] + np.cumsum(
            np.minimum(rng.geometric(probability, chunk), total + 1)
        )
        parts.append(positions)
    positions = np.concatenate(parts) if len(parts) > 1 else positions
    return positions[: np.searchsorted(positions, total)]
