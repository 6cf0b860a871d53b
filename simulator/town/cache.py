"""A folder of built towns, so that repeated runs, sweeps and the planner build each once.

A town (population and network) depends only on the population and layer configs, the
seed and the code that draws it. :func:`town_key` hashes exactly those, the code being the
package version, numpy's version (its random streams) and the source of every module that
builds a town, so a cached town can never be stale: any change gives a new key, and the
old file is simply not read again. Towns with loaded graphs (``edge_list`` and ``graph``
layers) are not cached: their data come from outside the config.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from importlib import metadata
from pathlib import Path

import numpy as np

from simulator import config as cfg
from simulator.town.network import Layer, Network
from simulator.town.population import Population

Town = tuple[Population, Network]

_SOURCES = ("town", "streams.py", "config")  # what draws a town, below simulator/
_GENERATED = frozenset({"market", "platform", "well_mixed"})


@functools.cache
def code_version() -> str:
    """A hash of the package version, numpy's version and the town-building source.

    Examples
    --------
    >>> len(code_version())
    64
    """
    try:
        installed = metadata.version("wom-simulator")
    except metadata.PackageNotFoundError:  # run from a source tree: the sources say it all
        installed = "source"
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{installed}|numpy {np.__version__}".encode())
    for name in _SOURCES:
        root = package / name
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def town_key(population: cfg.Population, layers: Mapping[str, cfg.Layer], seed: int) -> str | None:
    """The cache key of a town, or None when a layer is loaded from outside the config.

    Examples
    --------
    >>> scenario = cfg.default_scenario()
    >>> key = town_key(scenario.population, scenario.layers, 1)
    >>> key == town_key(scenario.population, scenario.layers, 1), key == town_key(
    ...     scenario.population, scenario.layers, 2)
    (True, False)
    """
    if any(layer.kind not in _GENERATED for layer in layers.values()):
        return None
    described = {
        "population": population.model_dump(mode="json"),
        "layers": [[name, layer.model_dump(mode="json")] for name, layer in layers.items()],
        "seed": seed,
        "code": code_version(),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def cached_town(
    cache_dir: str | os.PathLike[str],
    population: cfg.Population,
    layers: Mapping[str, cfg.Layer],
    seed: int,
    build: Callable[[], Town],
) -> Town:
    """The town of these configs and seed: read from ``cache_dir``, or built and stored.

    ``build`` makes the town when it is not stored (or its file cannot be read, e.g. a
    run stopped while another wrote it: files are written whole, then renamed into place).

    Examples
    --------
    >>> import tempfile
    >>> from simulator.town.network import build_network
    >>> from simulator.town.population import build_population
    >>> scenario = cfg.default_scenario()
    >>> def build():
    ...     people = build_population(scenario.population, rng=3)
    ...     return people, build_network(scenario.layers, people, seed=3)
    >>> folder = tempfile.mkdtemp()
    >>> fresh = cached_town(folder, scenario.population, scenario.layers, 3, build)
    >>> again = cached_town(folder, scenario.population, scenario.layers, 3, None)  # read
    >>> bool(np.array_equal(fresh[1].layers[0].indices, again[1].layers[0].indices))
    True
    """
    key = town_key(population, layers, seed)
    if key is None:
        return build()
    path = Path(cache_dir) / f"town-{key}.npz"
    with contextlib.suppress(OSError, KeyError, ValueError, zipfile.BadZipFile):
        return _read(path, key, layers)
    town = build()
    _write(path, key, town)
    return town


def _write(path: Path, key: str, town: Town) -> None:
    population, network = town
    arrays = {
        "key": np.array(key),
        "segment_names": np.array(population.segment_names),
        "media_names": np.array(sorted(population.media), dtype=str),
        "segment": population.segment,
        "interest": population.interest,
        **{f"media/{name}": used for name, used in population.media.items()},
    }
    for layer in network.layers:
        for part in ("indptr", "indices", "tie"):
            arrays[f"layer/{layer.name}/{part}"] = getattr(layer, part)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, allow_pickle=False, **arrays)
        os.replace(temporary, path)  # whole or not at all, even with runs side by side
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _read(path: Path, key: str, layers: Mapping[str, cfg.Layer]) -> Town:
    with np.load(path, allow_pickle=False) as stored:
        if str(stored["key"]) != key:
            raise ValueError(f"{path} holds another town")
        population = Population(
            tuple(str(name) for name in stored["segment_names"]),
            stored["segment"],
            stored["interest"],
            {str(name): stored[f"media/{name}"] for name in stored["media_names"]},
        )
        built = tuple(
            Layer(
                name,
                layer,
                stored[f"layer/{name}/indptr"],
                stored[f"layer/{name}/indices"],
                stored[f"layer/{name}/tie"],
            )
            for name, layer in layers.items()
        )
    return population, Network(population.size, built)
