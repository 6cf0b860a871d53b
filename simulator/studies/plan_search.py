"""Searching allocations: a coarse design over the simplex, racing, then local refinement.

Every step compares allocations on the same replicate blocks (common random numbers):

1. *Coarse design*: every split of the budget in quarters (at most
   :data:`~simulator.studies.plan_space.MAX_COARSE_POINTS`), within the bounds and hours;
2. *Successive halving* (Jamieson & Talwalkar 2016; racing, Maron & Moore 1997): keep the
   best third, double the replicates, until a few survive;
3. *Local refinement*: from the best survivor, move a step of budget from one channel to
   another while the best move beats the incumbent by more than one paired standard
   error; then halve the step, down to 1/64 of the budget. A move is paired with the
   incumbent on the same blocks, so the search cannot cycle.

The evaluation function is any :data:`~simulator.studies.plan_eval.Evaluate`, so the same
search runs on the simulator and, in the tests, on closed-form responses.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.studies.plan_eval import Evaluate
from simulator.studies.plan_space import (
    COARSE_UNITS,
    RESOLUTION,
    Allocation,
    PlanSettings,
    lattice_points,
    neighbours,
    to_cents,
    units_to_cents,
)


@dataclass(frozen=True)
class Schedule:
    """How much simulation each stage of the search gets (blocks of replicates).

    The defaults are [assumption]s sized so that 5 channels of the built-in town plan in
    about a minute on 2 cores; raise them for narrower intervals.
    """

    coarse_blocks: int = 1
    eta: int = 3
    survivors: int = 3
    refine_blocks: int = 4
    steps: tuple[int, ...] = (8, 4, 2, 1)
    holdout_blocks: int = 8
    curve_points: int = 9
    frontier: tuple[float, ...] = (0.25, 0.5, 0.75, 1.5)
    coarse_units: int = COARSE_UNITS
    max_moves: int = 60


HOLDOUT_BLOCK = 1_000_000
"""First replicate block of the final estimates: blocks the search never saw, so the
recommended allocation's interval is not inflated by having been chosen on the same noise
(the winner's curse) [assumption: searches use fewer blocks than this]."""


@dataclass(frozen=True)
class Stage:
    """One allocation as a stage of the search saw it."""

    stage: str
    units: tuple[int, ...]
    allocation: Allocation
    mean: float
    replicates: int


@dataclass(frozen=True)
class SearchResult:
    """The best allocation found and every evaluation on the way."""

    best: Allocation
    units: tuple[int, ...]
    stages: tuple[Stage, ...]
    refine_blocks: int


def _ordered(means: dict[tuple[int, ...], float]) -> list[tuple[int, ...]]:
    # Highest mean first; ties to the smaller units tuple, so the order is deterministic.
    return sorted(means, key=lambda p: (-means[p] if math.isfinite(means[p]) else math.inf, p))


def search(
    evaluate: Evaluate,
    settings: PlanSettings,
    schedule: Schedule = Schedule(),
    *,
    start: Sequence[tuple[int, ...]] = (),
    refine: bool = True,
) -> SearchResult:
    """The allocation of ``settings.budget`` that maximises the mean objective.

    Parameters
    ----------
    evaluate : Evaluate
        Outcomes of allocations over replicate blocks.
    settings : PlanSettings
        Channels, budget, bounds and hours.
    schedule : Schedule
        Blocks per stage and refinement steps.
    start : sequence of unit tuples
        More points for the coarse design (e.g. a warm start).
    refine : bool
        Run the local refinement after racing.

    Examples
    --------
    >>> from simulator import config as cfg
    >>> from simulator.studies.plan_eval import Outcome
    >>> from simulator.studies.plan_space import check_plan
    >>> s = check_plan(cfg.default_scenario(), budget=100, channels=["radio", "newspaper"])
    >>> def concave(allocations, blocks):  # sqrt(x) + 2 sqrt(y): optimum x = 20, y = 80
    ...     return {a: Outcome(*(np.full(len(blocks), np.sqrt(a[0]) + 2 * np.sqrt(a[1])),) * 5)
    ...             for a in allocations}
    >>> search(concave, s).best
    (2031, 7969)
    """
    points = list(dict.fromkeys([*lattice_points(settings, schedule.coarse_units), *start]))
    cents = _cents_of(points, settings)
    alive = list(cents)
    blocks = schedule.coarse_blocks
    stages: list[Stage] = []
    while True:
        outcomes = evaluate([cents[p] for p in alive], range(blocks))
        means = {p: float(outcomes[cents[p]].objective.mean()) for p in alive}
        replicates = outcomes[cents[alive[0]]].replicates
        label = "coarse" if blocks == schedule.coarse_blocks else f"racing ({blocks} blocks)"
        stages += [Stage(label, p, cents[p], means[p], replicates) for p in alive]
        if len(alive) <= schedule.survivors:
            break
        keep = max(schedule.survivors, math.ceil(len(alive) / schedule.eta))
        alive = _ordered(means)[:keep]
        blocks *= 2
    best = _ordered(means)[0]
    refine_blocks = max(blocks, schedule.refine_blocks)
    if refine:
        best = _refine(evaluate, settings, schedule, best, refine_blocks, stages)
    return SearchResult(_cents_of([best], settings)[best], best, tuple(stages), refine_blocks)


def _cents_of(
    points: Sequence[tuple[int, ...]], settings: PlanSettings
) -> dict[tuple[int, ...], Allocation]:
    """Cents of each lattice point that rounding can keep within the bounds."""
    found = {p: units_to_cents(p, settings) for p in points}
    return {p: c for p, c in found.items() if c is not None}


def _refine(
    evaluate: Evaluate,
    settings: PlanSettings,
    schedule: Schedule,
    best: tuple[int, ...],
    blocks: int,
    stages: list[Stage],
) -> tuple[int, ...]:
    """Move budget between pairs of channels while a move is better by > 1 paired SE."""
    moves = 0
    for step in schedule.steps:
        while moves < schedule.max_moves:
            candidates = neighbours(best, step, settings)
            if not candidates:
                break
            cents = _cents_of([best, *candidates], settings)
            outcomes = evaluate(list(cents.values()), range(blocks))
            base = outcomes[cents[best]].objective
            gains = {}
            for point in candidates:
                if point not in cents:
                    continue
                objective = outcomes[cents[point]].objective
                difference = objective - base
                error = float(difference.std(ddof=1) / math.sqrt(difference.size))
                gains[point] = (float(difference.mean()), error)
                label = f"refine (step {step / RESOLUTION:.3g} of budget)"
                stages.append(
                    Stage(label, point, cents[point], float(objective.mean()), difference.size)
                )
            if not gains:
                break
            chosen = max(gains, key=lambda p: (gains[p][0], [-u for u in p]))
            gain, error = gains[chosen]
            if not (gain > 0 and gain > error):
                break
            best = chosen
            moves += 1
    return best


def single_channel(settings: PlanSettings, index: int) -> Allocation:
    """The whole budget on one channel (bounds and hours not applied: a reference)."""
    cents = [0] * len(settings.channels)
    cents[index] = settings.budget_cents
    return tuple(cents)


def even_split(settings: PlanSettings) -> Allocation:
    """The budget split evenly (to the cent, largest remainder), as a reference."""
    return to_cents(np.ones(len(settings.channels)), settings.budget_cents)
