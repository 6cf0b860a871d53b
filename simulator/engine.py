"""The time loop: every replicate of a block advances together as flat arrays.

State is private to this module. A block of ``b`` replicates over ``n`` people is a flat
array of ``b * n`` entries (index ``replicate * n + person``); every step costs work
proportional to what happens (messages sent, people reached), except under the bass rule,
whose hazard applies to everyone.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator import adoption
from simulator import config as cfg
from simulator.channels import ChannelPlan, Exposures, compile_channel, deliver, sample_edges
from simulator.network import Network, Tie, build_network
from simulator.population import Population, build_population
from simulator.results import RunResult, StrategyResult, provenance
from simulator.streams import stream
from simulator.trust import tie_sources_and_trust

Progress = Callable[[int, int], None]
"""Called as ``progress(blocks_done, blocks_total)``."""

ORGANIC_SOURCES = (
    cfg.SOURCE_TYPES.index("word_of_mouth"),
    cfg.SOURCE_TYPES.index("online_opinion"),
)


@dataclass(frozen=True)
class LayerTable:
    """A layer with each edge's message strength and source type for one strategy."""

    name: str
    indptr: np.ndarray
    indices: np.ndarray
    strength: np.ndarray  # trust x persuasion (independent, threshold) or trust (bass)
    source: np.ndarray
    contact_probability: float
    well_mixed: bool
    well_mixed_strength: float
    well_mixed_source: int


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
    tables = []
    for layer in network.layers:
        sources, trust = tie_sources_and_trust(scenario, layer.config)
        strength = (trust * persuasion)[layer.tie].astype(np.float32)
        if rule.kind == "threshold" and rule.weights == "inverse_in_degree":
            in_degree = layer.in_degree()
            strength = strength / np.maximum(in_degree[layer.indices], 1).astype(np.float32)
        tie = int(Tie.EXTERNAL)  # well-mixed and loaded layers use the layer's own source
        wm_strength = float(trust[tie] * persuasion)
        if layer.well_mixed and rule.kind == "threshold" and rule.weights == "inverse_in_degree":
            wm_strength /= max(network.size - 1, 1)
        tables.append(
            LayerTable(
                layer.name,
                layer.indptr,
                layer.indices,
                strength,
                sources[layer.tie],
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
    for table in tables:
        if table.well_mixed:
            total += table.well_mixed_strength * (size - 1)
        else:
            total += np.bincount(table.indices, weights=table.strength, minlength=size)
    return total


def prepare(
    scenario: cfg.Scenario, *, graphs: Mapping[str, Any] | None = None
) -> list[PreparedStrategy]:
    """Resolve strategies and build their towns, networks and channel plans.

    Strategies that do not change the population or the layers share one town and one
    network (common random numbers); one that does gets its own, drawn from the same
    streams.
    """
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


def run_block(prepared: PreparedStrategy, block: int, replicates: int) -> dict[str, np.ndarray]:
    """Simulate one block of replicates; its streams depend only on the seed and ``block``."""
    return _Block(prepared, block, replicates).run()


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
            self.bass_numerator = np.zeros(self.flat, np.float64)
            self.bass_well_mixed = np.zeros(replicates, np.float64)

    # ----------------------------------------------------------------- one step

    def run(self) -> dict[str, np.ndarray]:
        steps = self.scenario.simulation.steps
        last_event = max(
            (int(np.flatnonzero(p.impressions_at).max(initial=-1)) for p in self.p.plans),
            default=-1,
        )
        for step in range(steps):
            self.step(step)
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
        self.reached[exposures.channel[paid], exposures.target[paid]] = True
        self._apply(self._decide(exposures), forced)

    def _decide(self, exposures: Exposures) -> adoption.Decision:
        impact = self.scenario.product.negative_impact
        if self.rule.kind == "independent":
            return adoption.independent(
                exposures, self.state, self.interest, impact, rng=self.rng_adopt
            )
        if self.rule.kind == "threshold":
            if self.rule.decay > 0:
                self.conviction *= np.float32(1.0 - self.rule.decay)
            return adoption.threshold(
                exposures, self.state, self.interest, impact, self.conviction, self.thresholds
            )
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
        target = speakers[owner] - speakers[owner] % n + table.indices[edges]
        self.messages += np.bincount(speakers[owner] // n, minlength=self.reps)
        return Exposures(
            target.astype(np.int64),
            table.strength[edges],
            table.source[edges],
            np.full(edges.size, -1, np.int16),
            np.full(edges.size, valence, np.int8),
        )

    def _update_bass_share(self) -> None:
        """Add talkers who start, and remove those who stop, from the bass share."""
        # The deque has just been appended to in _apply; the batch that fell off is kept.
        entering, leaving = (
            getattr(self, "_bass_entering", None),
            getattr(self, "_bass_leaving", None),
        )
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
                    if sign > 0:  # everyone in those replicates hears of it
                        reps = np.unique(batch // n)
                        self._mark_aware((reps[:, None] * n + np.arange(n)).ravel())
                    continue
                edges, owner = sample_edges(table.indptr, batch % n, 1.0, self.rng_talk)
                target = batch[owner] - batch[owner] % n + table.indices[edges]
                np.add.at(self.bass_numerator, target, weight[owner] * table.strength[edges])
                if sign > 0:
                    self._mark_aware(target)

    # ----------------------------------------------------------------- bookkeeping

    def _mark_aware(self, target: np.ndarray) -> None:
        fresh = target[self.state[target] == adoption.UNAWARE]
        if fresh.size:
            fresh = np.unique(fresh)
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
            direct = (channel >= 0) & ~np.isin(source, ORGANIC_SOURCES)
            self.direct += np.bincount(rep[direct], minlength=reps)
            self._pay_referrals(rep[(channel < 0) & np.isin(source, ORGANIC_SOURCES)])

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
) -> RunResult:
    """Run every strategy of ``scenario`` and return frozen results.

    Replicates run in blocks of ``simulation.block_size``; block ``b`` of every strategy
    uses the same streams (common random numbers), so differences between strategies are
    the strategies' and results do not depend on how blocks are scheduled.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> s = default_scenario().model_copy(update={"simulation": cfg.Simulation(
    ...     steps=10, replicates=2, block_size=2)})
    >>> result = simulate(s)
    >>> [r.name for r in result.strategies][:2]
    ['word of mouth', 'newspaper']
    """
    started = time.perf_counter()
    prepared = prepare(scenario, graphs=graphs)
    built = time.perf_counter()
    sizes = block_sizes(scenario.simulation.replicates, scenario.simulation.block_size)
    total = len(prepared) * len(sizes)
    done = 0
    strategies = []
    for strategy in prepared:
        blocks = []
        for block, replicates in enumerate(sizes):
            blocks.append(run_block(strategy, block, replicates))
            done += 1
            if progress is not None:
                progress(done, total)
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
