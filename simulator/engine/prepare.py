"""What every block of a strategy shares: its scenario, town, network and channel plans.

:func:`prepare` builds them once per run; the engine's blocks only read them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.engine.channels import ChannelPlan, compile_channel
from simulator.engine.messages import Exposures
from simulator.engine.seed_choice import INFLUENCE_STRATEGIES, choose_influencers
from simulator.streams import stream
from simulator.town.cache import cached_town
from simulator.town.interest import correlate_interest
from simulator.town.network import Network, Tie, build_network, check_graphs
from simulator.town.population import Population, build_population
from simulator.town.trust import tie_sources_and_trust


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


def every_edge(
    table: LayerTable, speakers: np.ndarray, size: int, valence: int, messages: np.ndarray
) -> Exposures:
    """A message from every speaker (flat index) along each of its edges of ``table``, as
    contact probability 1 gives them, in one compiled pass; adds each replicate's count
    to ``messages``. For large passes only: it imports numba.

    Examples
    --------
    >>> table = LayerTable("g", np.array([0, 1, 2]), np.array([1, 0], np.int32),
    ...     np.zeros(2, np.int8), np.array([0.5], np.float32), np.array([3], np.int8),
    ...     None, 1.0, False, 0.0, 0)
    >>> every_edge(table, np.array([0, 3]), 2, 1, np.zeros(2, np.int64)).target.tolist()
    [1, 2]
    """
    from simulator.engine import kernels  # numba: only for large passes

    return Exposures(
        *kernels.speaker_messages(
            speakers,
            table.indptr,
            size,
            table.indices,
            table.tie,
            table.tie_strength,
            table.tie_source,
            valence,
            messages,
        )
    )


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


def build_town(
    scenario: cfg.Scenario, graphs: Mapping[str, Any] | None = None
) -> tuple[Population, Network]:
    """The people and the network of a (resolved) scenario, from its seed's streams; raises
    what only a built town can tell (a friend share or an interest correlation its ties
    cannot give), which ``wom validate`` checks by building the towns too."""
    seed = scenario.simulation.seed
    people = build_population(scenario.population, rng=stream(seed, "population"))
    network = build_network(scenario.layers, people, seed=seed, graphs=graphs)
    market = next((layer for layer in network.layers if layer.config.kind == "market"), None)
    people = correlate_interest(people, scenario.population, market, rng=stream(seed, "interest"))
    return people, network


def _town_key(scenario: cfg.Scenario) -> str:
    """What a town depends on in a (resolved) scenario: seed, population and layers."""
    layers = {name: layer.model_dump_json() for name, layer in scenario.layers.items()}
    return f"{scenario.simulation.seed}|{scenario.population.model_dump_json()}|{layers}"


def check_towns(scenario: cfg.Scenario) -> None:
    """Build each distinct town of ``scenario``'s strategies once, and drop it: the checks
    a run makes while building, made without running (``wom validate``)."""
    built = set()
    for strategy in scenario.resolved_strategies():
        resolved = scenario.for_strategy(strategy)
        key = _town_key(resolved)
        # a graph layer is handed over at run time: there is no town to build without it
        if key not in built and not any(
            layer.kind == "graph" for layer in resolved.layers.values()
        ):
            build_town(resolved)
            built.add(key)


def prepare(
    scenario: cfg.Scenario,
    *,
    graphs: Mapping[str, Any] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    towns: dict[str, tuple[Population, Network]] | None = None,
) -> list[PreparedStrategy]:
    """Resolve strategies and build their towns, networks and channel plans.

    Strategies that do not change the population or the layers share one town and one
    network (common random numbers); one that does gets its own, drawn from the same
    streams. With ``cache_dir`` (by default the environment variable ``WOM_CACHE_DIR``,
    if set), towns are read from that folder when built before, and stored there when
    not (:mod:`simulator.town.cache`): the same arrays either way. ``towns``, a dict the
    caller keeps, shares the towns built by one call with the next (a planner prepares a
    strategy per allocation, all on the same town); it must only ever be given scenarios
    of the same seed and graphs.
    """
    if cache_dir is None:
        cache_dir = os.environ.get("WOM_CACHE_DIR") or None
    check_graphs(scenario, graphs)  # keys, missing entries and types, before any building
    seed = scenario.simulation.seed
    towns = {} if towns is None else towns
    prepared = []
    for strategy in scenario.resolved_strategies():
        resolved = scenario.for_strategy(strategy)
        key = _town_key(resolved)
        if key not in towns:

            def build(resolved: cfg.Scenario = resolved) -> tuple[Population, Network]:
                return build_town(resolved, graphs)

            towns[key] = (
                build()
                if cache_dir is None
                else cached_town(cache_dir, resolved.population, resolved.layers, seed, build)
            )
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
        plans = tuple(
            choose_influencers(plan, resolved, population, tables)
            if plan.seeds is not None and plan.seeds.strategy in INFLUENCE_STRATEGIES
            else plan
            for plan in plans
        )
        denominator = (
            _bass_denominator(tables, population.size) if resolved.adoption.kind == "bass" else None
        )
        prepared.append(
            PreparedStrategy(
                strategy.name, resolved, population, network, plans, tables, denominator
            )
        )
    return prepared
