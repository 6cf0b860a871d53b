"""The classic diffusion models as special cases of a scenario: independent cascade, linear
threshold and Bass.

Each function builds the :class:`~simulator.config.Scenario` whose settings reduce the
simulator exactly to the classic model (the settings are spelled out in the code), runs it
with the ordinary engine and returns final sizes. They serve validation, benchmarks against
peer tools, and teaching ("the model is the textbook model in the limit").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.engine import simulate
from simulator.results import RunResult


def cascade_scenario(
    size: int,
    seeds: Any,
    *,
    rule: cfg.Adoption,
    persuasion: float = 1.0,
    replicates: int = 100,
    seed: int = 0,
    steps: int | None = None,
    block_size: int = 100,
    layer: cfg.Layer | None = None,
) -> cfg.Scenario:
    """A scenario reduced to a classic cascade on one layer named ``graph``.

    Reductions: one segment with interest 1; trust 1 on the layer's ties; every talking
    adopter contacts every contact (``contact_probability = 1``) during exactly one step
    (``talk_steps = 1``); all adopters satisfied (no negative word of mouth); seeds are the
    given people, adopting at step 0 for free; the run stops when nobody talks.

    Examples
    --------
    >>> s = cascade_scenario(10, [0], rule=cfg.IndependentRule(), persuasion=0.5)
    >>> s.word_of_mouth.talk_steps, s.layers["graph"].contact_probability
    (1.0, 1.0)
    """
    people = tuple(int(p) for p in np.atleast_1d(np.asarray(seeds)))
    return cfg.Scenario(
        title="classic cascade",
        simulation=cfg.Simulation(
            steps=steps or size + 1,
            replicates=replicates,
            block_size=block_size,
            seed=seed,
            stop_when_quiet=True,
        ),
        population=cfg.Population(
            size=size,
            segments=(cfg.Segment(name="everyone", share=1.0, interest=1.0),),
        ),
        layers={"graph": layer or cfg.GraphLayer(contact_probability=1.0, tie_trust=1.0)},
        trust=cfg.Trust(word_of_mouth=1.0),
        word_of_mouth=cfg.WordOfMouth(persuasion=persuasion, talk_steps=1),
        product=cfg.Product(quality=1.0),
        adoption=rule,
        channels={
            "seeds": cfg.Seeding(
                strategy="given", people=people, cost_per_seed=1.0, budget=float(len(people))
            )
        },
        strategies=(cfg.Strategy(name="cascade", channels=("seeds",)),),
    )


def _final_sizes(result: RunResult) -> np.ndarray:
    return np.asarray(result.strategies[0].series["adopters"][:, -1], np.int64)


def independent_cascade(
    indptr: np.ndarray,
    indices: np.ndarray,
    seeds: Any,
    p: float,
    *,
    replicates: int = 100,
    rng: int = 0,
    return_trials: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Independent cascade (Kempe et al. 2003) with uniform probability ``p``.

    ``indptr``, ``indices`` are the CSR arrays of the directed graph (edge ``u -> v``:
    ``u`` may activate ``v``). Returns final sizes including seeds, per replicate, and
    with ``return_trials`` the edge trials (sum of the out-degrees of activated nodes).

    Examples
    --------
    >>> indptr, indices = np.array([0, 1, 2, 2]), np.array([1, 2])   # path 0 -> 1 -> 2
    >>> independent_cascade(indptr, indices, [0], 1.0, replicates=3).tolist()
    [3, 3, 3]
    """
    size = len(indptr) - 1
    scenario = cascade_scenario(
        size, seeds, rule=cfg.IndependentRule(), persuasion=p, replicates=replicates, seed=rng
    )
    result = simulate(scenario, graphs={"graph": (indptr, indices)})
    sizes = _final_sizes(result)
    if return_trials:
        return sizes, np.asarray(result.strategies[0].messages, np.int64)
    return sizes


def linear_threshold(
    indptr: np.ndarray,
    indices: np.ndarray,
    seeds: Any,
    *,
    replicates: int = 100,
    rng: int = 0,
    return_trials: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Linear threshold (Kempe et al. 2003): weights 1 / in-degree, thresholds U[0, 1].

    Returns final sizes including seeds per replicate (and edge trials with
    ``return_trials``).

    Examples
    --------
    >>> indptr, indices = np.array([0, 3, 3, 3, 3]), np.array([1, 2, 3])   # star from 0
    >>> linear_threshold(indptr, indices, [0], replicates=2).tolist()
    [4, 4]
    """
    size = len(indptr) - 1
    scenario = cascade_scenario(
        size,
        seeds,
        rule=cfg.ThresholdRule(weights="inverse_in_degree"),
        persuasion=1.0,
        replicates=replicates,
        seed=rng,
    )
    result = simulate(scenario, graphs={"graph": (indptr, indices)})
    sizes = _final_sizes(result)
    if return_trials:
        return sizes, np.asarray(result.strategies[0].messages, np.int64)
    return sizes


def bass_scenario(
    size: int,
    p: float,
    q: float,
    *,
    dt: float,
    years: float,
    replicates: int,
    seed: int = 0,
    block_size: int = 50,
) -> cfg.Scenario:
    """Bass (1969) as a scenario: a well-mixed population, background influence ``p`` and
    imitation ``q`` per year, adopters talking forever, no channels.

    Examples
    --------
    >>> bass_scenario(100, 0.03, 0.38, dt=1.0, years=15, replicates=2).simulation.steps
    15
    """
    return cfg.Scenario(
        title="Bass model",
        simulation=cfg.Simulation(
            steps=int(round(years / dt)),
            dt=dt,
            time_unit="year",
            replicates=replicates,
            block_size=block_size,
            seed=seed,
        ),
        population=cfg.Population(
            size=size, segments=(cfg.Segment(name="everyone", share=1.0, interest=1.0),)
        ),
        layers={"everyone": cfg.WellMixedLayer(contact_probability=1.0)},
        word_of_mouth=cfg.WordOfMouth(talk_steps=float("inf")),
        product=cfg.Product(quality=1.0),
        adoption=cfg.BassRule(p=p, q=q),
        strategies=(cfg.Strategy(name="bass"),),
    )
