"""The time loop: every replicate of a block advances together as flat arrays.

State is private to this module. A block of ``b`` replicates over ``n`` people is a flat
array of ``b * n`` entries (index ``replicate * n + person``); every step costs work
proportional to what happens (messages sent, people reached), except under the bass rule
on networks with edges, whose hazard applies to everyone (on well-mixed layers it is one
number per replicate, and adoptions are drawn from counts).
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator import lifeline
from simulator.engine import adoption
from simulator.engine.channels import ChannelPlan, Exposures, compile_channel, deliver, sample_edges
from simulator.errors import SimulatorError
from simulator.results import RunResult, StrategyResult, provenance
from simulator.streams import stream
from simulator.town.network import Network, Tie, build_network
from simulator.town.population import Population, build_population
from simulator.town.trust import tie_sources_and_trust

Progress = Callable[[int, int], None]
"""Called as ``progress(blocks_done, blocks_total)``."""

FAST_PATHS = True
"""Draw independent-rule successes by thinning and bass adoptions from counts where it
is exact; tests switch it off to compare with the reference paths (one uniform per
exposure, one hazard per person)."""

ORGANIC_SOURCES = (
    cfg.SOURCE_TYPES.index("word_of_mouth"),
    cfg.SOURCE_TYPES.index("online_opinion"),
)


@dataclass(frozen=True)
class LayerTable:
    """A layer with what its messages weigh for one strategy, looked up by tie kind.

    No array per edge is stored beyond the layer's own: a message's strength is
    ``tie_strength[tie[edge]]`` (trust x persuasion; trust alone under the bass rule),
    divided by the listener's in-degree under threshold weights ``inverse_in_degree``.
    """

    name: str
    indptr: np.ndarray
    indices: np.ndarray
    tie: np.ndarray
    tie_strength: np.ndarray  # float32 per Tie kind
    tie_source: np.ndarray  # int8 per Tie kind
    in_degree: np.ndarray | None  # float32 max(in-degree, 1) per person, or None
    contact_probability: float
    well_mixed: bool
    well_mixed_strength: float
    well_mixed_source: int

    def strength(self, edges: np.ndarray) -> np.ndarray:
        """Strength of the messages sent along ``edges`` (float32)."""
        strength = self.tie_strength[self.tie[edges]]
        if self.in_degree is not None:
            strength = strength / self.in_degree[self.indices[edges]]
        return strength

    def source(self, edges: np.ndarray) -> np.ndarray:
        """Source type of the messages sent along ``edges``."""
        return self.tie_source[self.tie[edges]]


@dataclass(frozen=True)
class PreparedStrategy:
    """Everything a block needs: the strategy's scenario, town, network and channel plans."""

    name: str
    scenario: cfg.Scenario
    population: Population
    network: Network
    plans: tuple[ChannelPlan, ...]
    layers: tuple[LayerTable, ...]
    bass_denominator: np.ndarray | None


def _layer_tables(scenario: cfg.Scenario, network: Network) -> tuple[LayerTable, ...]:
    rule = scenario.adoption
    persuasion = 1.0 if rule.kind == "bass" else scenario.word_of_mouth.persuasion
    inverse = rule.kind == "threshold" and rule.weights == "inverse_in_degree"
    tables = []
    for layer in network.layers:
        sources, trust = tie_sources_and_trust(scenario, layer.config)
        tie = int(Tie.EXTERNAL)  # well-mixed and loaded layers use the layer's own source
        wm_strength = float(trust[tie] * persuasion)
        in_degree = None
        if inverse and layer.well_mixed:
            wm_strength /= max(network.size - 1, 1)
        elif inverse:
            in_degree = np.maximum(layer.in_degree(), 1).astype(np.float32)
        tables.append(
            LayerTable(
                layer.name,
                layer.indptr,
                layer.indices,
                layer.tie,
                (trust * persuasion).astype(np.float32),
                sources,
                in_degree,
                layer.config.contact_probability,
                layer.well_mixed,
                wm_strength,
                int(sources[tie]),
            )
        )
    return tuple(tables)


def _bass_denominator(tables: tuple[LayerTable, ...], size: int) -> np.ndarray:
    """Sum of trust over each person's incoming contacts (the bass share's denominator)."""
    total = np.zeros(size, np.float64)
    chunk = 1 << 22  # bounded memory on large layers
    for table in tables:
        if table.well_mixed:
            total += table.well_mixed_strength * (size - 1)
            continue
        for start in range(0, table.indices.size, chunk):
            edges = np.arange(start, min(start + chunk, table.indices.size))
            total += np.bincount(
                table.indices[edges], weights=table.strength(edges), minlength=size
            )
    return total


def prepare(
    scenario: cfg.Scenario, *, graphs: Mapping[str, Any] | None = None
) -> list[PreparedStrategy]:
    """Resolve strategies and build their towns, networks and channel plans.

    Strategies that do not change the population or the layers share one town and one
    network (common random numbers); one that does gets its own, drawn from the same
    streams.
    """
    from simulator.town.network import check_graphs

    check_graphs(scenario, graphs)  # keys, missing entries and types, before any building
    seed = scenario.simulation.seed
    towns: dict[str, tuple[Population, Network]] = {}
    prepared = []
    for strategy in scenario.resolved_strategies():
        resolved = scenario.for_strategy(strategy)
        key = (
            resolved.population.model_dump_json()
            + "|"
            + str({n: layer.model_dump_json() for n, layer in resolved.layers.items()})
        )
        if key not in towns:
            population = build_population(resolved.population, rng=stream(seed, "population"))
            network = build_network(resolved.layers, population, seed=seed, graphs=graphs)
            towns[key] = (population, network)
        population, network = towns[key]
        plans = tuple(
            compile_channel(
                name,
                index,
                resolved.channels[name],
                resolved,
                population,
                rng=stream(seed, f"plan/{name}"),
            )
            for index, name in enumerate(strategy.channels)
        )
        tables = _layer_tables(resolved, network)
        denominator = (
            _bass_denominator(tables, population.size) if resolved.adoption.kind == "bass" else None
        )
        prepared.append(
            PreparedStrategy(
                strategy.name, resolved, population, network, plans, tables, denominator
            )
        )
    return prepared


def block_sizes(replicates: int, block_size: int) -> list[int]:
    """Replicates per block: full blocks, then the remainder.

    Examples
    --------
    >>> block_sizes(45, 20)
    [20, 20, 5]
    """
    full, rest = divmod(replicates, block_size)
    return [block_size] * full + ([rest] if rest else [])


def run_block(
    prepared: PreparedStrategy,
    block: int,
    replicates: int,
    *,
    observe: Callable[[np.ndarray], None] | None = None,
) -> dict[str, np.ndarray]:
    """Simulate one block of replicates; its streams depend only on the seed and ``block``.

    ``observe``, if given, is called with everyone's state (one int8 per person and
    replicate, replicate-major, see :mod:`simulator.engine.adoption` for the codes) before the
    first step and after each step that runs; it must not modify the array. It is how
    :func:`simulator.engine.trace.trace` records a run without a second copy of the engine.
    """
    return _Block(prepared, block, replicates).run(observe)


class _Block:
    """Mutable state of one block; lives only inside :func:`run_block`."""

    def __init__(self, prepared: PreparedStrategy, block: int, replicates: int) -> None:
        scenario = prepared.scenario
        seed = scenario.simulation.seed
        self.p = prepared
        self.scenario = scenario
        self.rule = scenario.adoption
        self.size = n = prepared.population.size
        self.reps = replicates
        self.flat = replicates * n
        self.rng_talk = stream(seed, "talk", block)
        self.rng_adopt = stream(seed, "adoption", block)
        self.rng_outcome = stream(seed, "outcome", block)
        self.rng_channel = [stream(seed, f"channel/{plan.name}", block) for plan in prepared.plans]
        self.interest = prepared.population.interest
        self.state = np.zeros(self.flat, np.int8)
        self.slot: np.ndarray | None = None  # scratch for deduplication, made when needed
        steps = scenario.simulation.steps
        channels = len(prepared.plans)
        self.series = {
            name: np.zeros((replicates, steps + 1), np.int32)
            for name in ("aware", "adopters", "promoters", "detractors", "rejecters")
        }
        self.counts = {name: np.zeros(replicates, np.int64) for name in self.series}
        self.impressions = np.zeros((replicates, channels), np.int64)
        self.cost = np.zeros((replicates, channels), np.float64)
        self.reached = np.zeros((channels, self.flat), bool)
        self.by_source = np.zeros((replicates, len(cfg.SOURCE_TYPES)), np.int64)
        self.by_channel = np.zeros((replicates, channels + 1), np.int64)
        self.direct = np.zeros(replicates, np.int64)
        self.messages = np.zeros(replicates, np.int64)
        talk = scenario.word_of_mouth.talk_steps
        self.talking: deque[np.ndarray] = deque(maxlen=None if np.isinf(talk) else int(talk))
        if self.rule.kind == "threshold":
            pop = scenario.population
            self.conviction = np.zeros(self.flat, np.float32)
            self.thresholds = (
                stream(seed, "thresholds", block)
                .beta(pop.threshold_alpha, pop.threshold_beta, self.flat)
                .astype(np.float32)
            )
        if self.rule.kind == "bass":
            # With well-mixed layers only, everyone in a replicate has the same share of
            # talking contacts, so the bass hazard is one number per replicate and
            # adoptions are drawn from counts (see _bass_well_mixed): O(adoptions) a step.
            self.bass_by_counts = FAST_PATHS and all(t.well_mixed for t in prepared.layers)
            if not self.bass_by_counts:
                self.bass_numerator = np.zeros(self.flat, np.float64)
            self.bass_well_mixed = np.zeros(replicates, np.float64)
            self.everyone_heard = np.zeros(replicates, bool)
            self._bass_entering: np.ndarray | None = None
            self._bass_leaving: np.ndarray | None = None

    # ----------------------------------------------------------------- one step

    def run(self, observe: Callable[[np.ndarray], None] | None = None) -> dict[str, np.ndarray]:
        steps = self.scenario.simulation.steps
        last_event = max(
            (int(np.flatnonzero(p.impressions_at).max(initial=-1)) for p in self.p.plans),
            default=-1,
        )
        if observe is not None:
            observe(self.state)
        for step in range(steps):
            self.step(step)
            if observe is not None:
                observe(self.state)
            for name, series in self.series.items():
                series[:, step + 1] = self.counts[name]
            if (
                self.scenario.simulation.stop_when_quiet
                and step >= last_event
                and not any(batch.size for batch in self.talking)
            ):
                for name, series in self.series.items():
                    series[:, step + 2 :] = self.counts[name][:, None]
                break
        reach = (
            np.stack(
                [
                    np.bincount(np.flatnonzero(row) // self.size, minlength=self.reps)
                    for row in self.reached
                ],
                axis=1,
            )
            if len(self.p.plans)
            else np.zeros((self.reps, 0), np.int64)
        )
        return {
            **self.series,
            "impressions": self.impressions,
            "reach": reach,
            "cost": self.cost,
            "by_source": self.by_source,
            "by_channel": self.by_channel,
            "direct": self.direct,
            "messages": self.messages,
        }

    def step(self, step: int) -> None:
        parts: list[Exposures] = []
        forced: list[tuple[np.ndarray, int]] = []
        for plan, rng in zip(self.p.plans, self.rng_channel, strict=True):
            delivery = deliver(plan, step, self.reps, self.size, self.p.network, rng=rng)
            if delivery is None:
                continue
            self.impressions[:, plan.index] += delivery.impressions
            self.cost[:, plan.index] += delivery.cost
            parts.append(delivery.exposures)
            if delivery.forced.size:
                forced.append((delivery.forced, plan.index))
                self.reached[plan.index, delivery.forced] = True
        if self.rule.kind == "bass":
            # Under the bass rule word of mouth acts through the share of talking contacts.
            self._update_bass_share()
        else:
            parts.append(self._word_of_mouth())
        exposures = Exposures.concatenate(parts)
        self._mark_aware(exposures.target)
        paid = exposures.channel >= 0
        if paid.any():
            self.reached[exposures.channel[paid], exposures.target[paid]] = True
        self._apply(self._decide(exposures), forced)

    def _decide(self, exposures: Exposures) -> adoption.Decision:
        impact = self.scenario.product.negative_impact
        if self.rule.kind == "independent":
            return adoption.independent(
                exposures,
                self.state,
                self.interest,
                impact,
                rng=self.rng_adopt,
                per_exposure=not FAST_PATHS,
            )
        if self.rule.kind == "threshold":
            if self.rule.decay > 0:
                self.conviction *= np.float32(1.0 - self.rule.decay)
            return adoption.threshold(
                exposures, self.state, self.interest, impact, self.conviction, self.thresholds
            )
        if self.bass_by_counts:
            return self._bass_well_mixed(exposures)
        share = self.bass_numerator + np.repeat(self.bass_well_mixed, self.size)
        share = np.clip(
            share / np.tile(np.maximum(self.p.bass_denominator, 1e-300), self.reps), 0.0, 1.0
        )
        return adoption.bass(
            exposures,
            self.state,
            self.interest,
            share,
            self.rule.p,
            self.rule.q,
            self.scenario.simulation.dt,
            rng=self.rng_adopt,
        )

    def _bass_well_mixed(self, exposures: Exposures) -> adoption.Decision:
        """The bass rule when every layer is well mixed, in O(adoptions + exposures).

        Everyone open in replicate ``r`` has the same word-of-mouth hazard ``h_r``, so
        P(adopt) = 1 - exp(-h_r dt) x prod(1 - p_e) splits into two independent events:
        a Binomial(open_r, 1 - exp(-h_r dt)) count of people drawn uniformly among the
        open, and each exposed person's own channel chances. The tipping source is then
        drawn in proportion to each part's hazard, as in :func:`adoption.bass`.
        """
        n, rule, dt = self.size, self.rule, self.scenario.simulation.dt
        denominator = max(float(self.p.bass_denominator[0]), 1e-300)
        share = np.clip(self.bass_well_mixed / denominator, 0.0, 1.0)
        base = (rule.p + rule.q * share) * dt  # hazard per replicate
        open_count = n - self.counts["adopters"] - self.counts["rejecters"]
        rng = self.rng_adopt
        counts = rng.binomial(open_count, -np.expm1(-base))
        background = self._uniform_open(counts)
        exposures = adoption.open_exposures(exposures, self.state)
        if exposures.target.size == 0:
            adopters = background
            hazard = base[adopters // n]
        else:
            chance = np.minimum(exposures.strength * self.interest[exposures.target % n], 1 - 1e-7)
            channel_hazard = -np.log1p(-chance)
            exposed, inverse = np.unique(exposures.target, return_inverse=True)
            own = np.bincount(inverse, weights=channel_hazard, minlength=exposed.size)
            hit = exposed[rng.random(exposed.size) < -np.expm1(-own)]
            adopters = np.union1d(background, hit)
            hazard = base[adopters // n]
            where = np.searchsorted(exposed, adopters)
            where = np.minimum(where, exposed.size - 1)
            is_exposed = exposed[where] == adopters
            hazard[is_exposed] += own[where[is_exposed]]
        if adopters.size == 0:
            return adoption.Decision.none()
        draw = rng.random(adopters.size) * hazard
        source = np.where(draw < rule.p * dt, adoption.BACKGROUND, adoption.WORD_OF_MOUTH)
        source = source.astype(np.int8)
        channel = np.full(adopters.size, -1, np.int16)
        by_channel = np.flatnonzero(draw >= base[adopters // n])
        if by_channel.size and exposures.target.size:
            best = adoption.first_per_target(exposures.target, -channel_hazard)
            pick = best[np.searchsorted(exposures.target[best], adopters[by_channel])]
            source[by_channel] = exposures.source[pick]
            channel[by_channel] = exposures.channel[pick]
        return adoption.Decision(adopters.astype(np.int64), source, channel, np.zeros(0, np.int64))

    def _uniform_open(self, counts: np.ndarray) -> np.ndarray:
        """``counts[r]`` distinct open people drawn uniformly in each replicate ``r``.

        Uniform draws of anyone, keeping the open ones in order of first appearance
        (a uniformly random order of the open), cost O(counts x size / open): about the
        adopters the step would have if everyone were open.
        """
        n = self.size
        open_count = n - self.counts["adopters"] - self.counts["rejecters"]
        need = counts.astype(np.int64)
        chosen = [np.zeros(0, np.int64)]
        while need.any():
            reps = np.flatnonzero(need)
            draws = np.ceil(need[reps] * n / open_count[reps] * 1.5).astype(np.int64) + 16
            candidate = np.repeat(reps * n, draws) + self.rng_adopt.integers(0, n, draws.sum())
            candidate = candidate[self.state[candidate] <= adoption.AWARE]
            _, first = np.unique(candidate, return_index=True)
            candidate = candidate[np.sort(first)]  # distinct, in order of first draw
            if len(chosen) > 1:
                candidate = candidate[~np.isin(candidate, np.concatenate(chosen))]
            rep = candidate // n
            group_start = np.searchsorted(rep, rep)  # candidates are grouped by replicate
            keep = candidate[np.arange(rep.size) - group_start < need[rep]]
            chosen.append(keep)
            need -= np.bincount(keep // n, minlength=self.reps)
        return np.concatenate(chosen)

    # ----------------------------------------------------------------- word of mouth

    def _talkers(self) -> tuple[np.ndarray, np.ndarray]:
        talkers = np.concatenate(self.talking) if self.talking else np.zeros(0, np.int64)
        state = self.state[talkers]
        return talkers[state == adoption.PROMOTER], talkers[state == adoption.DETRACTOR]

    def _word_of_mouth(self) -> Exposures:
        promoters, detractors = self._talkers()
        louder = self.scenario.product.detractor_talk_multiplier
        parts = []
        for table in self.p.layers:
            for speakers, valence, factor in ((promoters, 1, 1.0), (detractors, -1, louder)):
                if speakers.size == 0:
                    continue
                probability = min(1.0, table.contact_probability * factor)
                parts.append(self._contacts(table, speakers, probability, valence))
        return Exposures.concatenate(parts)

    def _contacts(
        self, table: LayerTable, speakers: np.ndarray, probability: float, valence: int
    ) -> Exposures:
        n = self.size
        if table.well_mixed:
            made = self.rng_talk.binomial(n - 1, probability, speakers.size)
            owner = np.repeat(np.arange(speakers.size), made)
            self.messages += np.bincount(speakers // n, weights=made, minlength=self.reps).astype(
                np.int64
            )
            person = self.rng_talk.integers(0, n - 1, owner.size)
            own = speakers[owner] % n
            person += person >= own  # anyone but oneself
            target = speakers[owner] - own + person
            return Exposures.uniform(
                target, table.well_mixed_strength, table.well_mixed_source, -1, valence
            )
        edges, owner = sample_edges(table.indptr, speakers % n, probability, self.rng_talk)
        sender = speakers[owner]
        replicate = sender // n
        self.messages += np.bincount(replicate, minlength=self.reps)
        return Exposures(
            replicate * n + table.indices[edges],
            table.strength(edges),
            table.source(edges),
            np.full(edges.size, -1, np.int16),
            np.full(edges.size, valence, np.int8),
        )

    def _update_bass_share(self) -> None:
        """Add talkers who start, and remove those who stop, from the bass share."""
        # The deque has just been appended to in _apply; the batch that fell off is kept.
        entering, leaving = self._bass_entering, self._bass_leaving
        self._bass_entering = self._bass_leaving = None
        impact = self.scenario.product.negative_impact
        for batch, sign in ((entering, 1.0), (leaving, -1.0)):
            if batch is None or batch.size == 0:
                continue
            state = self.state[batch]
            weight = np.where(state == adoption.PROMOTER, 1.0, -impact) * sign
            n = self.size
            for table in self.p.layers:
                if table.well_mixed:
                    self.bass_well_mixed += table.well_mixed_strength * np.bincount(
                        batch // n, weights=weight, minlength=self.reps
                    )
                    if sign > 0:  # everyone in those replicates hears of it, once
                        reps = np.unique(batch // n)
                        reps = reps[~self.everyone_heard[reps]]
                        if reps.size:
                            self.everyone_heard[reps] = True
                            self._mark_aware((reps[:, None] * n + np.arange(n)).ravel())
                    continue
                edges, owner = sample_edges(table.indptr, batch % n, 1.0, self.rng_talk)
                target = (batch[owner] // n) * n + table.indices[edges]
                np.add.at(self.bass_numerator, target, weight[owner] * table.strength(edges))
                if sign > 0:
                    self._mark_aware(target)

    # ----------------------------------------------------------------- bookkeeping

    def _distinct(self, values: np.ndarray) -> np.ndarray:
        """The distinct flat indices in ``values`` (in no particular order), in O(size)."""
        if values.size < 256:
            return np.unique(values)
        if self.slot is None:
            self.slot = np.empty(self.flat, np.int32)
        order = np.arange(values.size, dtype=np.int32)
        # With repeated indices one write wins, whichever: exactly one position matches.
        self.slot[values] = order
        return values[self.slot[values] == order]

    def _mark_aware(self, target: np.ndarray) -> None:
        fresh = target[self.state[target] == adoption.UNAWARE]
        if fresh.size:
            fresh = self._distinct(fresh)
            self.state[fresh] = adoption.AWARE
            self.counts["aware"] += np.bincount(fresh // self.size, minlength=self.reps)

    def _apply(self, decision: adoption.Decision, forced: list[tuple[np.ndarray, int]]) -> None:
        free_sample = cfg.SOURCE_TYPES.index("free_sample")
        adopters = [decision.adopters]
        sources = [decision.source]
        channels = [decision.channel]
        for seeds, index in forced:
            seeds = np.unique(seeds[self.state[seeds] < adoption.PROMOTER])
            seeds = np.setdiff1d(seeds, decision.adopters, assume_unique=True)
            adopters.append(seeds)
            sources.append(np.full(seeds.size, free_sample, np.int8))
            channels.append(np.full(seeds.size, index, np.int16))
        new = np.concatenate(adopters)
        source = np.concatenate(sources)
        channel = np.concatenate(channels)
        reps = self.reps
        n = self.size

        rejecters = decision.rejecters
        if rejecters.size:
            self.state[rejecters] = adoption.REJECTER
            self.counts["rejecters"] += np.bincount(rejecters // n, minlength=reps)

        if new.size:
            self._mark_aware(new)
            previously_rejected = self.state[new] == adoption.REJECTER
            if previously_rejected.any():  # a seed given to someone who had rejected
                self.counts["rejecters"] -= np.bincount(
                    new[previously_rejected] // n, minlength=reps
                )
            satisfied = self.rng_outcome.random(new.size) < self.scenario.product.quality
            self.state[new] = np.where(satisfied, adoption.PROMOTER, adoption.DETRACTOR)
            rep = new // n
            self.counts["adopters"] += np.bincount(rep, minlength=reps)
            self.counts["promoters"] += np.bincount(rep[satisfied], minlength=reps)
            self.counts["detractors"] += np.bincount(rep[~satisfied], minlength=reps)
            np.add.at(self.by_source, (rep, source), 1)
            column = np.where(channel >= 0, channel, self.by_channel.shape[1] - 1)
            np.add.at(self.by_channel, (rep, column), 1)
            organic = (source == ORGANIC_SOURCES[0]) | (source == ORGANIC_SOURCES[1])
            self.direct += np.bincount(rep[(channel >= 0) & ~organic], minlength=reps)
            self._pay_referrals(rep[(channel < 0) & organic])

        leaving = (
            self.talking[0]
            if (self.talking.maxlen is not None and len(self.talking) == self.talking.maxlen)
            else None
        )
        self.talking.append(new)
        if self.rule.kind == "bass":
            self._bass_entering, self._bass_leaving = new, leaving

    def _pay_referrals(self, organic_rep: np.ndarray) -> None:
        """Referral programmes pay a reward per adoption tipped by word of mouth."""
        if organic_rep.size == 0:
            return
        count = np.bincount(organic_rep, minlength=self.reps)
        for plan in self.p.plans:
            reward = getattr(plan.config, "referral_reward", 0.0)
            if reward > 0:
                left = plan.config.budget - self.cost[:, plan.index]
                self.cost[:, plan.index] += np.minimum(count * reward, np.maximum(left, 0.0))


# --------------------------------------------------------------------------- public entry


def simulate(
    scenario: cfg.Scenario,
    *,
    graphs: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> RunResult:
    """Run every strategy of ``scenario`` and return frozen results.

    Replicates run in blocks of ``simulation.block_size``; block ``b`` of every strategy
    uses the same streams (common random numbers), so differences between strategies are
    the strategies' and results do not depend on how blocks are scheduled. With
    ``workers > 1`` this process and ``workers - 1`` helper processes share the
    (strategy, block) tasks; each helper builds the town once from the scenario's seed,
    and the results are identical to a one-process run.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> s = default_scenario().model_copy(update={"simulation": cfg.Simulation(
    ...     steps=10, replicates=2, block_size=2)})
    >>> result = simulate(s)
    >>> [r.name for r in result.strategies][:2]
    ['word of mouth', 'newspaper']
    """
    if isinstance(workers, np.integer):
        workers = int(workers)
    lifeline.check_workers(workers, option="workers")
    import multiprocessing

    # A spawned helper imports the main script before it can work; a script that calls
    # simulate(workers > 1) outside `if __name__ == "__main__":` calls it again here, and
    # the helper would rebuild the town only to fail starting helpers of its own.
    if workers > 1 and getattr(multiprocessing.current_process(), "_inheriting", False):
        raise cfg.ConfigError(
            f"workers={workers}: simulate() was called while a helper process was importing "
            "the main script; put the code that calls simulate() under "
            "'if __name__ == \"__main__\":' (helpers re-import the script), or use workers=1"
        )
    started = time.perf_counter()
    prepared = prepare(scenario, graphs=graphs)
    built = time.perf_counter()
    sizes = block_sizes(scenario.simulation.replicates, scenario.simulation.block_size)
    tasks = [
        (index, block, replicates)
        for index in range(len(prepared))
        for block, replicates in enumerate(sizes)
    ]
    if workers > 1 and len(tasks) > 1:
        outputs = _run_shared(scenario, graphs, prepared, tasks, workers, progress)
    else:
        outputs = {}
        for done, task in enumerate(tasks, start=1):
            outputs[task] = run_block(prepared[task[0]], task[1], task[2])
            if progress is not None:
                progress(done, len(tasks))
    strategies = []
    for index, strategy in enumerate(prepared):
        blocks = [outputs[(index, block, replicates)] for block, replicates in enumerate(sizes)]
        merged = {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}
        strategies.append(StrategyResult.from_arrays(strategy, merged))
    finished = time.perf_counter()
    timings = {"build_seconds": built - started, "simulate_seconds": finished - built}
    return RunResult(
        scenario=scenario,
        strategies=tuple(strategies),
        days=np.arange(scenario.simulation.steps + 1) * scenario.simulation.step_days,
        provenance=provenance(scenario, prepared, timings),
    )


# --------------------------------------------------------------------------- several processes

Task = tuple[int, int, int]  # (strategy index, block, replicates)
_helper_town: list[PreparedStrategy] = []


def _start_helper(scenario: cfg.Scenario, graphs: Mapping[str, Any] | None) -> None:
    """Build the town once in a helper process (from the seed: the parent's town)."""
    lifeline.ignore_interrupt()
    _helper_town[:] = prepare(scenario, graphs=graphs)


def _helper_block(task: Task) -> dict[str, np.ndarray]:
    index, block, replicates = task
    return run_block(_helper_town[index], block, replicates)


def _run_shared(
    scenario: cfg.Scenario,
    graphs: Mapping[str, Any] | None,
    prepared: list[PreparedStrategy],
    tasks: list[Task],
    workers: int,
    progress: Progress | None,
) -> dict[Task, dict[str, np.ndarray]]:
    """Run ``tasks`` here and in ``workers - 1`` spawned helpers, whichever is free.

    Helpers take tasks from the front, this process from the back; each helper has at
    most two tasks queued, and queued tasks a helper has not started when this process
    runs out of work are taken back, so a slow helper start delays nothing.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    helpers = workers - 1
    pending = deque(tasks)
    outputs: dict[Task, dict[str, np.ndarray]] = {}
    running: dict[Future, Task] = {}

    def collect(future: Future) -> None:
        outputs[running.pop(future)] = future.result()
        if progress is not None:
            progress(len(outputs), len(tasks))

    pool = ProcessPoolExecutor(
        max_workers=helpers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=lifeline.start_worker,  # helpers die with this process, even by kill -9
        initargs=(os.getpid(), _start_helper, scenario, graphs),
    )
    try:
        while pending or running:
            while pending and len(running) < 2 * helpers:
                task = pending.popleft()
                running[pool.submit(_helper_block, task)] = task
            if not pending:  # take back what no helper has started
                for future in [f for f in running if f.cancel()]:
                    pending.append(running.pop(future))
            if pending:
                task = pending.pop()
                outputs[task] = run_block(prepared[task[0]], task[1], task[2])
                if progress is not None:
                    progress(len(outputs), len(tasks))
            elif running:
                wait(list(running), return_when=FIRST_COMPLETED)
            for future in [f for f in running if f.done()]:
                collect(future)
    except BrokenProcessPool as exc:
        raise SimulatorError(
            f"workers={workers}: a helper process stopped before finishing its tasks; if this "
            "runs from a script, put the code that calls simulate() under "
            "'if __name__ == \"__main__\":' (helpers re-import the main script), or use "
            "workers=1; otherwise a helper may have run out of memory"
        ) from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return outputs
