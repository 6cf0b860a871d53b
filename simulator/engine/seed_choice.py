"""Seeds that maximise spread: the multiplex reduced to one probability per tie, CELF and IMM.

The scenario's multiplex is reduced to one probability per edge, the chance that an adopter
convinces that contact while she talks. Each talker kind (promoters, a share
``product.quality`` of adopters; passives, ``response.word_of_mouth.passive_share``, when
the talk response is on) sends the contact a Poisson number of messages, ``c x T`` with
``c`` the layer's contact probability per step and ``T`` the steps she talks
(``word_of_mouth.talk_steps``, at most the horizon), each step weighted by the talk's decay
``exp(-age / decay_days)`` and by ``passive_talk`` for a passive; a message convinces with
``s x i``, the tie's strength (trust x persuasion, x ``passive_strength`` for a passive) times
the listener's interest, and a repeat from the same sender with ``repeat_sender`` times
that. Detractors' warnings, saturation over senders, the horizon cutting late talkers short
and well-mixed layers are left out: the reduction ranks seeds, it does not predict the run.
On that graph a seeding channel
with ``strategy = "celf"`` or ``"imm"`` has its seeds chosen once, before any replicate, by
:func:`~simulator.town.influence.celf` or :func:`~simulator.town.imm.imm`, from the stream
``"seeding/<channel>"`` of the scenario's seed; its plan then gives those people in every
replicate, as ``strategy = "given"`` would.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from simulator import config as cfg
from simulator.streams import stream

if TYPE_CHECKING:
    from simulator.engine.channels import ChannelPlan
    from simulator.engine.prepare import LayerTable
    from simulator.town.population import Population

INFLUENCE_STRATEGIES = ("celf", "imm")
"""Seeding strategies chosen on the reduced multiplex."""


def _convinced(messages: float, success: np.ndarray, repeat: float) -> np.ndarray:
    """Chance that Poisson(``messages``) messages convince, the first with ``success`` and
    each later one from the same sender with ``repeat x success``."""
    if repeat >= 1.0:
        return -np.expm1(-messages * success)
    first = np.exp(-messages)
    later = (1.0 - success) / (1.0 - repeat * success)
    return 1.0 - first - later * (np.exp(-messages * repeat * success) - first)


def edge_probabilities(
    scenario: cfg.Scenario, population: Population, layers: Sequence[LayerTable]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The multiplex as one CSR (``indptr``, ``indices``) with a probability per edge.

    Examples
    --------
    >>> from simulator.engine.prepare import prepare
    >>> scenario = cfg.default_scenario()
    >>> first = prepare(scenario)[0]
    >>> indptr, indices, p = edge_probabilities(scenario, first.population, first.layers)
    >>> indptr.size == scenario.population.size + 1, bool(((p >= 0) & (p <= 1)).all())
    (True, True)
    """
    n = population.size
    steps = int(min(scenario.word_of_mouth.talk_steps, scenario.simulation.steps))
    interest = population.interest.astype(np.float64)
    talk = scenario.response.word_of_mouth
    # talkers: (share of adopters, steps of talk at full rate, strength factor)
    if scenario.response.enabled and talk.enabled:
        # the decay of simulator.engine.talk.decay_factor (that module imports this one's)
        ages = np.arange(steps) * scenario.simulation.step_days
        rate = np.ones(steps) if math.isinf(talk.decay_days) else np.exp(-ages / talk.decay_days)
        talkers = [(scenario.product.quality, float(rate.sum()), 1.0)]
        if talk.passive_share > 0:
            talkers.append(
                (talk.passive_share, float(rate.sum()) * talk.passive_talk, talk.passive_strength)
            )
        repeat = talk.repeat_sender
    else:
        talkers, repeat = [(scenario.product.quality, float(steps), 1.0)], 1.0
    sources, targets, probabilities = [], [], []
    for table in layers:
        if table.well_mixed or table.indices.size == 0:
            continue
        speaker = np.repeat(np.arange(n), np.diff(table.indptr))
        success = np.clip(
            table.tie_strength[table.tie].astype(np.float64) * interest[table.indices], 0, 1
        )
        probability: np.ndarray = np.zeros(success.size, np.float64)
        for share, full_steps, strength in talkers:
            messages = table.contact_probability * full_steps
            probability += share * _convinced(messages, np.clip(success * strength, 0, 1), repeat)
        sources.append(speaker)
        targets.append(table.indices.astype(np.int64))
        probabilities.append(np.clip(probability, 0.0, 1.0))
    if not sources:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int64), np.zeros(0)
    source = np.concatenate(sources)
    order = np.argsort(source, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(source, minlength=n))]).astype(np.int64)
    return indptr, np.concatenate(targets)[order], np.concatenate(probabilities)[order]


def seed_costs(config: cfg.Seeding, indptr: np.ndarray) -> np.ndarray:
    """EUR per person as a seed: ``cost_per_seed x (1 + hub_premium x degree / mean degree)``.

    Examples
    --------
    >>> costs = seed_costs(cfg.Seeding(cost_per_seed=10, hub_premium=1), np.array([0, 3, 4, 4]))
    >>> costs.round(2).tolist()
    [32.5, 17.5, 10.0]
    """
    degree = np.diff(indptr).astype(np.float64)
    mean = degree.mean() if degree.size and degree.mean() > 0 else 1.0
    return config.cost_per_seed * (1.0 + config.hub_premium * degree / mean)


def celf_candidates(indptr: np.ndarray, k: int) -> np.ndarray:
    """The best connected tenth (at least ``10 k``): CELF stays fast in big towns."""
    degree = np.diff(indptr)
    count = min(degree.size, max(10 * k, degree.size // 10))
    return np.sort(np.argsort(-degree, kind="stable")[:count])


def choose_influencers(
    plan: ChannelPlan,
    scenario: cfg.Scenario,
    population: Population,
    layers: Sequence[LayerTable],
) -> ChannelPlan:
    """The plan with its seeds chosen by CELF or IMM, fixed as a list of people.

    The plan's seed count (what the budget buys at ``cost_per_seed``) is the ``k``; under
    ``hub_premium`` the budget buys people at their own cost instead, and the plan's count
    and cost become those of the seeds chosen.
    """
    config = plan.config
    assert isinstance(config, cfg.Seeding) and plan.seeds is not None
    start = np.flatnonzero(plan.impressions_at)
    if start.size == 0:
        return plan
    k = int(plan.impressions_at[start[0]])
    indptr, indices, probability = edge_probabilities(scenario, population, layers)
    rng = stream(scenario.simulation.seed, f"seeding/{plan.name}")
    impressions, cost = plan.impressions_at, plan.cost_at
    if plan.seeds.strategy == "celf":
        # numba-compiled kernels: only these strategies need them
        from simulator.town.influence import celf

        candidates = celf_candidates(indptr, k)
        chosen = celf(
            indptr, indices, probability, k, samples=config.samples, candidates=candidates, rng=rng
        )
    else:
        from simulator.town.imm import imm  # numba-compiled: only this strategy needs it

        if config.hub_premium > 0:
            costs = seed_costs(config, indptr)
            wanted = config.seeds or population.size
            chosen = imm(
                indptr,
                indices,
                probability,
                wanted,
                epsilon=config.epsilon,
                cost=costs,
                budget=config.budget,
                rng=rng,
            ).seeds
            impressions, cost = impressions.copy(), cost.copy()
            impressions[start[0]] = chosen.size
            cost[start[0]] = math.fsum(costs[chosen])
        else:
            chosen = imm(indptr, indices, probability, k, epsilon=config.epsilon, rng=rng).seeds
    seeds = dataclasses.replace(plan.seeds, strategy="given", people=tuple(int(p) for p in chosen))
    return dataclasses.replace(plan, seeds=seeds, impressions_at=impressions, cost_at=cost)
