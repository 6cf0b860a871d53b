"""Building the multiplex: one builder per layer kind, each from its own random stream."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.streams import stream
from simulator.town.network.layers import Layer, Network
from simulator.town.network.loading import load_layer
from simulator.town.network.market import market_layer
from simulator.town.network.platforms import platform_layer
from simulator.town.population import Population

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]
"""A layer's CSR arrays ``(indptr, indices, tie)``."""


@dataclass(frozen=True)
class Site:
    """What a layer builder may use besides its config: the town and what is built already."""

    name: str
    population: Population
    market: Layer | None  # the first market layer, built before every other layer
    graphs: Mapping[str, Any] | None


def _market(config: cfg.MarketLayer, site: Site, rng: np.random.Generator) -> Arrays:
    return market_layer(config, site.population.size, rng=rng, segment=site.population.segment)


def _platform(config: cfg.PlatformLayer, site: Site, rng: np.random.Generator) -> Arrays:
    return platform_layer(
        config, site.population.media[site.name], site.market, rng=rng, name=site.name
    )


def _loaded(
    config: cfg.EdgeListLayer | cfg.GraphLayer, site: Site, rng: np.random.Generator
) -> Arrays:
    return load_layer(site.name, config, site.population.size, site.graphs)  # checked there


def _well_mixed(config: cfg.WellMixedLayer, site: Site, rng: np.random.Generator) -> Arrays:
    size = site.population.size  # no edges: everyone hears everyone, from counts
    return np.zeros(size + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int8)


LayerBuilder = Callable[[Any, Site, np.random.Generator], Arrays]
"""Builds one kind of layer (the config is that kind's) from its stream."""

LAYER_KINDS: dict[str, LayerBuilder] = {
    "market": _market,
    "platform": _platform,
    "edge_list": _loaded,
    "graph": _loaded,
    "well_mixed": _well_mixed,
}
"""One builder per layer kind of :data:`simulator.config.Layer`."""


PARALLEL_ABOVE = 200_000
"""Towns of more people build their layers after the market two at a time, in threads."""


def build_network(
    layers: Mapping[str, cfg.Layer],
    population: Population,
    *,
    seed: int,
    graphs: Mapping[str, Any] | None = None,
    threads: int | None = None,
) -> Network:
    """Build every layer, each from its own stream ``network/<name>`` of ``seed``.

    Platform layers copy offline ties from the first ``market`` layer, so it is built first.
    ``edge_list`` and ``graph`` layers (``graphs[name]``: a networkx graph or CSR arrays
    ``(indptr, indices)``) are read and checked by
    :func:`simulator.town.network.loading.load_layer`.

    The other layers depend only on their streams, the population and the market, so in
    towns above :data:`PARALLEL_ABOVE` people they are built ``threads`` at a time (by
    default 2; the compiled kernels and numpy's random draws and sorts release the GIL).
    The arrays are the same whatever the number of threads.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.town.population import build_population
    >>> scenario = default_scenario()
    >>> people = build_population(scenario.population, rng=1)
    >>> one = build_network(scenario.layers, people, seed=1, threads=1)
    >>> two = build_network(scenario.layers, people, seed=1, threads=2)
    >>> all(np.array_equal(a.indices, b.indices) for a, b in zip(one.layers, two.layers))
    True
    """

    def build(name: str, market: Layer | None) -> Layer:
        layer_config = layers[name]
        site = Site(name, population, market, graphs)
        rng = stream(seed, f"network/{name}")
        return Layer(name, layer_config, *LAYER_KINDS[layer_config.kind](layer_config, site, rng))

    built: dict[str, Layer] = {}
    market_name = next((n for n in layers if layers[n].kind == "market"), None)
    market = None if market_name is None else build(market_name, None)
    if market_name is not None and market is not None:
        built[market_name] = market
    rest = [name for name in layers if name != market_name]
    if threads is None:
        threads = 2 if population.size > PARALLEL_ABOVE else 1
    if threads > 1 and len(rest) > 1:
        with ThreadPoolExecutor(min(threads, len(rest))) as pool:
            built.update(zip(rest, pool.map(lambda name: build(name, market), rest), strict=True))
    else:
        built.update((name, build(name, market)) for name in rest)
    return Network(population.size, tuple(built[name] for name in layers))
