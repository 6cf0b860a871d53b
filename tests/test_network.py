"""Network layers: structure of generated layers and loading real graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from simulator import config as cfg
from simulator.errors import ArgumentError, ConfigError
from simulator.town.network import Tie, build_network, read_edge_list
from simulator.town.population import build_population


@pytest.fixture(scope="module")
def town():
    scenario = cfg.default_scenario()
    population = build_population(scenario.population, rng=np.random.default_rng(5))
    return population, build_network(scenario.layers, population, seed=5)


def _graph(layer):
    n = layer.size
    return sp.csr_matrix((np.ones(layer.edges), layer.indices, layer.indptr), shape=(n, n))


def test_market_is_mutual_clustered_and_has_both_tie_kinds(town):
    _, network = town
    market = network.layer("market")
    adjacency = _graph(market)
    assert (adjacency != adjacency.T).nnz == 0
    assert adjacency.diagonal().sum() == 0
    assert {Tie.STRONG, Tie.WEAK} <= set(np.unique(market.tie).tolist())
    clustering = nx.average_clustering(nx.from_scipy_sparse_array(adjacency))
    assert 0.15 < clustering < 0.5  # realistic range (docs/CALIBRATION.md section 6: 0.15-0.3)


def test_platforms_are_members_only_heavy_tailed_and_copy_offline_ties(town):
    population, network = town
    for name in ("facebook", "instagram"):
        layer = network.layer(name)
        speakers = np.repeat(np.arange(layer.size), np.diff(layer.indptr))
        members = population.media[name]
        assert members[speakers].all() and members[layer.indices].all()
        followers = np.diff(layer.indptr)
        assert followers.max() > 10 * followers.mean()
        assert (layer.tie != Tie.ONLINE).any()  # some online ties copy offline ones
    instagram = _graph(network.layer("instagram"))
    assert (instagram != instagram.T).nnz > 0  # follows are one-way


def test_same_seed_same_network_other_seed_differs():
    scenario = cfg.default_scenario()
    population = build_population(scenario.population, rng=1)
    first = build_network(scenario.layers, population, seed=3)
    again = build_network(scenario.layers, population, seed=3)
    other = build_network(scenario.layers, population, seed=4)
    assert all(
        np.array_equal(a.indices, b.indices)
        for a, b in zip(first.layers, again.layers, strict=True)
    )
    assert not np.array_equal(first.layers[0].indices, other.layers[0].indices)


def test_edge_list_reads_snap_style(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("# comment\n0 1\n\n1 2\n5 1\n")
    indptr, _, tie = read_edge_list(path, size=6)
    assert np.diff(indptr).tolist() == [1, 3, 1, 1, 0, 0]
    assert (tie == Tie.EXTERNAL).all()


@pytest.mark.parametrize("line", ["1 2 3", "a b", "7"])
def test_edge_list_bad_line_names_file_and_line(tmp_path, line):
    path = tmp_path / "g.txt"
    path.write_text(f"# header\n0 1\n{line}\n")
    with pytest.raises(
        ConfigError, match=rf"g\.txt:3: expected two integer node ids 'u v', got '{line}'"
    ):
        read_edge_list(path)


def test_edge_list_larger_than_population(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("0 1\n1 2\n")
    with pytest.raises(ConfigError, match=r"has 3 nodes but population\.size is 2"):
        read_edge_list(path, size=2)


def test_networkx_graph_becomes_a_layer():
    data = cfg.default_scenario().model_dump()
    data["population"]["size"] = 34
    data["layers"] = {"karate": {"kind": "graph"}}
    for segment in data["population"]["segments"]:  # media must name existing layers
        segment["media"] = {
            k: v for k, v in segment["media"].items() if k not in ("facebook", "instagram")
        }
    data["channels"] = {"s": {"kind": "seeding", "seeds": 2}}
    data["strategies"] = [{"name": "s", "channels": ["s"]}]
    scenario = cfg.validate_scenario(data)
    population = build_population(scenario.population, rng=0)
    network = build_network(
        scenario.layers, population, seed=0, graphs={"karate": nx.karate_club_graph()}
    )
    assert network.layer("karate").edges == 2 * nx.karate_club_graph().number_of_edges()
    with pytest.raises(ArgumentError, match="needs a networkx graph"):
        build_network(scenario.layers, population, seed=0)
