"""The cache of built towns: a cached town is the fresh one, and any change misses."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from simulator import config as cfg
from simulator.engine.run import simulate
from simulator.town import cache
from simulator.town.network import build_network
from simulator.town.population import build_population


def _scenario(**layer_changes):
    data = cfg.default_scenario().model_dump()
    data["population"]["size"] = 1_500
    data["simulation"].update(replicates=2, block_size=2, steps=20)
    data["layers"]["market"].update(layer_changes)
    return cfg.validate_scenario(data, origin="test")


def _builder(scenario, calls):
    def build():
        calls.append(1)
        people = build_population(scenario.population, rng=4)
        return people, build_network(scenario.layers, people, seed=4)

    return build


def _refuse():
    raise AssertionError("the town should have been read from the cache")


def _assert_same_town(one, two):
    (people_a, network_a), (people_b, network_b) = one, two
    assert people_a.segment_names == people_b.segment_names
    for name in ("segment", "interest"):
        x, y = getattr(people_a, name), getattr(people_b, name)
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)
    assert list(people_a.media) == list(people_b.media)
    for medium in people_a.media:
        np.testing.assert_array_equal(people_a.media[medium], people_b.media[medium])
    assert [layer.name for layer in network_a.layers] == [layer.name for layer in network_b.layers]
    for a, b in zip(network_a.layers, network_b.layers, strict=True):
        assert a.config == b.config
        for part in ("indptr", "indices", "tie"):
            x, y = getattr(a, part), getattr(b, part)
            assert x.dtype == y.dtype
            np.testing.assert_array_equal(x, y)


def test_a_cached_town_is_the_fresh_town(tmp_path):
    scenario, calls = _scenario(), []
    args = (tmp_path, scenario.population, scenario.layers, 4)
    fresh = cache.cached_town(*args, _builder(scenario, calls))
    read = cache.cached_town(*args, _refuse)
    assert calls == [1]
    assert len(list(tmp_path.glob("town-*.npz"))) == 1
    _assert_same_town(fresh, read)
    _assert_same_town(_builder(scenario, [])(), read)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: (s.population.model_copy(update={"size": 1_600}), s.layers, 4),
        lambda s: (s.population, _scenario(acquaintances=9).layers, 4),
        lambda s: (s.population, s.layers, 5),
    ],
    ids=["population", "layer", "seed"],
)
def test_a_change_of_config_or_seed_misses(tmp_path, change):
    scenario, calls = _scenario(), []
    cache.cached_town(tmp_path, scenario.population, scenario.layers, 4, _builder(scenario, calls))
    cache.cached_town(tmp_path, *change(scenario), _builder(scenario, calls))
    assert calls == [1, 1]
    assert len(list(tmp_path.glob("town-*.npz"))) == 2


def test_a_change_of_code_misses(tmp_path, monkeypatch):
    scenario, calls = _scenario(), []
    args = (tmp_path, scenario.population, scenario.layers, 4)
    cache.cached_town(*args, _builder(scenario, calls))
    monkeypatch.setattr(cache, "code_version", lambda: "another version of the code")
    cache.cached_town(*args, _builder(scenario, calls))
    assert calls == [1, 1]


def test_the_code_version_covers_the_town_sources():
    # Editing a generator must change the key: its file is among those hashed.
    root = cache.Path(cache.__file__).resolve().parents[1]
    hashed = {p for name in cache._SOURCES for p in (root / name).rglob("*.py")} | {
        root / "streams.py"
    }
    assert root / "town" / "network" / "market.py" in hashed
    assert root / "town" / "population.py" in hashed


def test_an_unreadable_file_is_rebuilt(tmp_path):
    scenario, calls = _scenario(), []
    args = (tmp_path, scenario.population, scenario.layers, 4)
    fresh = cache.cached_town(*args, _builder(scenario, calls))
    (stored,) = tmp_path.glob("town-*.npz")
    stored.write_bytes(b"half a file")
    rebuilt = cache.cached_town(*args, _builder(scenario, calls))
    assert calls == [1, 1]
    _assert_same_town(fresh, rebuilt)
    cache.cached_town(*args, _refuse)  # and stored again, whole


def test_loaded_graphs_are_not_cached(tmp_path):
    data = _scenario().model_dump()
    data["layers"]["friends"] = {"kind": "graph"}
    scenario = cfg.validate_scenario(data, origin="test")
    assert cache.town_key(scenario.population, scenario.layers, 4) is None
    graph = nx.path_graph(1_500)
    result = simulate(scenario, graphs={"friends": graph}, cache_dir=tmp_path)
    assert result.strategies and not list(tmp_path.iterdir())


@pytest.mark.parametrize("workers", [1, 2])
def test_simulate_with_a_cache_gives_the_same_results(tmp_path, workers):
    scenario = _scenario()
    plain = simulate(scenario)
    first = simulate(scenario, cache_dir=tmp_path, workers=workers)
    again = simulate(scenario, cache_dir=tmp_path, workers=workers)
    assert len(list(tmp_path.glob("town-*.npz"))) == 1
    for result in (first, again):
        for a, b in zip(plain.strategies, result.strategies, strict=True):
            for name in a.series:
                np.testing.assert_array_equal(a.series[name], b.series[name])
            np.testing.assert_array_equal(a.cost, b.cost)
