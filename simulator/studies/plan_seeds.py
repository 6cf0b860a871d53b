"""Whom to give the samples to: seed rules compared at an equal number of samples.

The scenario's multiplex is reduced to one probability per edge
(:func:`simulator.engine.seed_choice.edge_probabilities`). On it :func:`~simulator.town.influence.celf`,
:func:`~simulator.town.imm.imm` and :func:`~simulator.town.influence.degree_discount`
choose seeds, given to the engine as
``strategy = "given"``; ``random``, ``degree`` and ``pagerank`` are the engine's own. Every
rule then runs through the whole simulator on the same replicate blocks (common random
numbers), with the plan's recommended allocation, so the comparison is in the plan's own
objective, not in the reduced model's spread.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator import config as cfg
from simulator.engine.prepare import PreparedStrategy, prepare
from simulator.engine.run import run_block
from simulator.engine.seed_choice import celf_candidates
from simulator.engine.seed_choice import edge_probabilities as seed_edges
from simulator.errors import ArgumentError
from simulator.metrics import mean_interval
from simulator.streams import stream
from simulator.studies.plan_eval import HOLDOUT_BLOCK, HOLDOUT_BLOCK_SIZE, objective_of, raw_of

if TYPE_CHECKING:
    import pandas as pd

    from simulator.studies.plan import PlanResult

SEED_RULES = ("random", "degree", "pagerank", "degree_discount", "celf", "imm")
"""Seed rules compared; the first is the reference."""


def edge_probabilities(prepared: PreparedStrategy) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The strategy's multiplex as one CSR with a probability per edge (see
    :func:`simulator.engine.seed_choice.edge_probabilities`)."""
    return seed_edges(prepared.scenario, prepared.population, prepared.layers)


CHOSEN_RULES = ("degree_discount", "celf", "imm")
"""Rules whose seeds :func:`choose_seeds` picks on the reduced multiplex, given to the engine."""


def choose_seeds(
    prepared: PreparedStrategy,
    rule: str,
    k: int,
    *,
    samples: int = 200,
    epsilon: float = 0.1,
) -> tuple[int, ...]:
    """``k`` people by ``degree_discount``, ``celf`` or ``imm`` on :func:`edge_probabilities`.

    CELF draws its live-edge samples from the stream ``"seeding/celf"`` of the seed, IMM
    its reverse-reachable sets from ``"seeding/imm"`` (``epsilon`` as the seeding
    channel's, default 0.1).
    """
    # numba-compiled kernels: only seed choice needs them
    from simulator.town.imm import imm
    from simulator.town.influence import celf, degree_discount

    indptr, indices, probability = edge_probabilities(prepared)
    if rule == "degree_discount":
        return tuple(int(p) for p in degree_discount(indptr, indices, probability, k))
    if rule == "celf":
        candidates = celf_candidates(indptr, k)
        rng = stream(prepared.scenario.simulation.seed, "seeding/celf")
        chosen = celf(
            indptr, indices, probability, k, samples=samples, candidates=candidates, rng=rng
        )
        return tuple(int(p) for p in chosen)
    if rule == "imm":
        rng = stream(prepared.scenario.simulation.seed, "seeding/imm")
        found = imm(indptr, indices, probability, k, epsilon=epsilon, rng=rng)
        return tuple(int(p) for p in found.seeds)
    raise ArgumentError(
        f"The 'rule' parameter of choose_seeds must be one of {', '.join(CHOSEN_RULES)}. "
        f"Got {rule!r}."
    )


def compare_seeds(
    scenario: cfg.Scenario,
    result: PlanResult,
    *,
    rules: Sequence[str] = SEED_RULES,
    channel: str | None = None,
    blocks: int | None = None,
    block_size: int | None = None,
) -> pd.DataFrame:
    """Each seed rule with the plan's recommended allocation, paired against the first rule.

    Parameters
    ----------
    scenario : Scenario
        The plan's scenario.
    result : PlanResult
        From :func:`simulator.plan`; its recommendation fixes every channel's money.
    rules : sequence of str
        Among :data:`SEED_RULES`.
    channel : str, optional
        The seeding channel (default: the plan's first). When the recommendation gives it
        nothing, its budget in the scenario sets the number of samples.
    blocks : int, optional
        Replicate blocks (default: the plan's holdout blocks).
    block_size : int, optional
        Replicates per block (default: the plan's holdout block size).

    Returns
    -------
    DataFrame
        ``rule``, ``samples``, ``objective`` (and ``_low``, ``_high``), ``difference``
        from the first rule (and its interval), ``replicates``.
    """
    import pandas as pd  # heavy: only the table needs it

    settings = result.settings
    seeding = [
        c for c, kind in zip(settings.channels, settings.kinds, strict=True) if kind == "seeding"
    ]
    channel = channel or (seeding[0] if seeding else None)
    if channel is None or channel not in seeding:
        raise ArgumentError(
            f"The 'channel' parameter of compare_seeds must be a seeding channel of the plan "
            f"({', '.join(seeding) or 'none planned'}). Got {channel!r}."
        )
    for rule in rules:
        if rule not in SEED_RULES:
            raise ArgumentError(
                f"The 'rules' parameter of compare_seeds must list rules among "
                f"{', '.join(SEED_RULES)}. Got {rule!r}."
            )
    index = settings.channels.index(channel)
    budgets = settings.engine_budgets(result.recommended.allocation)
    config = scenario.channels[channel]
    assert isinstance(config, cfg.Seeding)  # checked above: a seeding channel
    money = float(budgets[index]) if budgets[index] > 0 else config.budget
    samples = min(int(math.floor(money / config.cost_per_seed + 1e-9)), scenario.population.size)
    if samples < 1:
        raise ArgumentError(
            f"channels.{channel}: {money:g} EUR buys no sample at {config.cost_per_seed:g} EUR "
            "each; give it a budget to compare seed rules"
        )
    spend: dict[str, Any] = {
        f"channels.{c}.budget": float(b) for c, b in zip(settings.channels, budgets, strict=True)
    }
    spend[f"channels.{channel}.budget"] = samples * config.cost_per_seed
    spend[f"channels.{channel}.seeds"] = samples
    data = scenario.model_dump(mode="json")
    data["strategies"] = [{"name": "base", "channels": list(settings.channels), "set": spend}]
    base = prepare(cfg.validate_scenario(data, origin="compare_seeds"))[0]
    strategies = []
    for rule in rules:
        overrides = dict(spend)
        if rule in CHOSEN_RULES:
            people = choose_seeds(
                base, rule, samples, samples=config.samples, epsilon=config.epsilon
            )
            overrides[f"channels.{channel}.strategy"] = "given"
            overrides[f"channels.{channel}.people"] = list(people)
        else:
            overrides[f"channels.{channel}.strategy"] = rule
        strategies.append({"name": rule, "channels": list(settings.channels), "set": overrides})
    data["strategies"] = strategies
    prepared = prepare(cfg.validate_scenario(data, origin="compare_seeds"))
    count = blocks or int(result.provenance.get("schedule", {}).get("holdout_blocks", 2))
    size = block_size or int(result.provenance.get("holdout_block_size", HOLDOUT_BLOCK_SIZE))
    fixed = float(settings.fixed_cents(result.recommended.allocation).sum()) / 100
    outcomes = []
    for strategy in prepared:
        raws = [
            raw_of(scenario, run_block(strategy, HOLDOUT_BLOCK + b, size)) for b in range(count)
        ]
        raw = {name: np.concatenate([r[name] for r in raws]) for name in raws[0]}
        outcomes.append(objective_of(settings.objective, raw, fixed))
    rows: list[dict[str, Any]] = []
    for rule, outcome in zip(rules, outcomes, strict=True):
        mean, low, high = mean_interval(outcome.objective)
        difference = mean_interval(outcome.objective - outcomes[0].objective)
        rows.append(
            {
                "rule": rule,
                "samples": samples,
                "objective_name": settings.objective,
                "objective": mean,
                "objective_low": low,
                "objective_high": high,
                "difference": difference[0],
                "difference_low": difference[1],
                "difference_high": difference[2],
                "replicates": outcome.replicates,
            }
        )
    return pd.DataFrame(rows)
