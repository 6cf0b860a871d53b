"""Building large towns: the compiled generators and the threads give today's towns."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import config as cfg
from simulator.town.network import build_network, market, platforms
from simulator.town.population import build_population


def _town(size: int, *, threads: int | None = None):
    scenario = cfg.default_scenario()
    data = scenario.model_dump()
    data["population"]["size"] = size
    # friend_share > 0 on a one-way platform exercises the copied ties and their flips
    data["layers"]["instagram"]["friend_share"] = 0.3
    data["layers"]["instagram"]["cap_friend_share"] = True  # all there are
    scenario = cfg.validate_scenario(data, origin="test")
    population = build_population(scenario.population, rng=np.random.default_rng(7))
    return build_network(scenario.layers, population, seed=7, threads=threads)


def _same(one, two) -> None:
    for a, b in zip(one.layers, two.layers, strict=True):
        for name in ("indptr", "indices", "tie"):
            x, y = getattr(a, name), getattr(b, name)
            assert x.dtype == y.dtype, (a.name, name)
            np.testing.assert_array_equal(x, y, err_msg=f"{a.name}.{name}")


def test_compiled_generators_build_the_same_town_as_numpy(monkeypatch):
    numpy_built = _town(3_000)
    # A threshold of 0 sends this small town through the compiled kernels.
    monkeypatch.setattr(market, "COMPILED_ABOVE", 0)
    monkeypatch.setattr(platforms, "COMPILED_ABOVE", 0)
    compiled = _town(3_000)
    assert numpy_built.layer("instagram").edges > 0
    _same(numpy_built, compiled)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threads_do_not_change_the_town(threads):
    _same(_town(2_000, threads=1), _town(2_000, threads=threads))
