"""Searching allocations: a coarse design over the simplex, racing, then local refinement.

Every step compares allocations on the same replicate blocks (common random numbers):

1. *Coarse design*: every split of the budget in quarters when there are at most
   :data:`COARSE_POINTS` of them (up to three channels), else every split in halves (each
   channel alone, each pair half and half) and the even split, within the bounds and
   hours: concave responses with fixed costs put their optimum on few channels, and the
   refinement walks from there to the quarters and below;
2. *Successive halving* (Jamieson & Talwalkar 2016; racing, Maron & Moore 1997): keep the
   best third, double the replicates, until a few survive;
3. *Local refinement*: from the best survivor, move a step of budget from one channel to
   another while the best move beats the incumbent by more than one paired standard
   error; then halve the step, down to 1/32 of the budget. The moves are raced too: all
   on the first block, the best :attr:`Schedule.finalists` on every refinement block,
   where the test is made. A move is paired with the incumbent on the same blocks, so
   the search cannot cycle.

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

COARSE_POINTS = 20
"""Most points of a coarse design in quarters; beyond, halves and the even split
[assumption: 5 channels have 70 quarter splits, about 1.4 s for each block of 10
replicates on the built-in town, most of them spreading money thin over four or five
channels]."""


@dataclass(frozen=True)
class Schedule:
    """How much simulation each stage of the plan gets (blocks of replicates).

    Search blocks hold ``block_size`` replicates (10), holdout blocks
    ``holdout_block_size`` (40; :mod:`~simulator.studies.plan_eval`). The defaults are
    [assumption]s sized so that 5 channels of the built-in town plan in about two minutes
    on 2 cores; raise them for narrower intervals.

    Attributes
    ----------
    coarse_blocks, eta, survivors
        Blocks of the coarse design; the racing keeps the best ``1 / eta`` and doubles
        the blocks until at most ``survivors`` are left.
    refine_blocks, steps, finalists, max_moves
        Blocks on which a move is tested; the moves' sizes (lattice units, 64 to a
        budget); moves raced to ``refine_blocks`` each round; most moves in all.
    pick_blocks
        Search blocks on which the best single channel is picked (it is then estimated
        on the holdout blocks).
    holdout_blocks
        Holdout blocks of the recommendation and the references.
    curve_points, curve_blocks
        Spends per response curve (evenly from 0 to the budget, with the recommended and
        the current spend); holdout blocks per curve point.
    frontier, frontier_blocks
        Fractions of the budget of the efficient frontier; holdout blocks per point.
    coarse_units
        Step of the coarse design in lattice units (default: quarters when that makes
        at most :data:`COARSE_POINTS` splits, else halves).
    """

    coarse_blocks: int = 1
    eta: int = 3
    survivors: int = 3
    refine_blocks: int = 4
    steps: tuple[int, ...] = (16, 8, 4, 2)
    finalists: int = 1
    max_moves: int = 16
    pick_blocks: int = 2
    holdout_blocks: int = 2
    curve_points: int = 3
    curve_blocks: int = 1
    frontier: tuple[float, ...] = (0.25, 0.5, 1.5)
    frontier_blocks: int = 1
    coarse_units: int | None = None


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
    survivors: tuple[tuple[int, ...], ...] = ()


def _ordered(means: dict[tuple[int, ...], float]) -> list[tuple[int, ...]]:
    # Highest mean first; ties to the smaller units tuple, so the order is deterministic.
    return sorted(means, key=lambda p: (-means[p] if math.isfinite(means[p]) else math.inf, p))


def coarse_design(settings: PlanSettings, schedule: Schedule = Schedule()) -> list[tuple[int, ...]]:
    """The coarse design's lattice points (see the module's step 1).

    Examples
    --------
    >>> from simulator import config as cfg
    >>> from simulator.studies.plan_space import check_plan
    >>> scenario = cfg.default_scenario()
    >>> len(coarse_design(check_plan(scenario, budget=100, channels=["radio", "newspaper"])))
    5
    >>> len(coarse_design(check_plan(scenario, budget=100)))  # 5 channels: 15 halves, 1 even
    16
    """
    if schedule.coarse_units is not None:
        return lattice_points(settings, schedule.coarse_units)
    quarters = lattice_points(settings, COARSE_UNITS)
    if len(quarters) <= COARSE_POINTS:
        return quarters
    n = len(settings.channels)
    even = tuple(RESOLUTION // n + (1 if i < RESOLUTION % n else 0) for i in range(n))
    design = lattice_points(settings, 2 * COARSE_UNITS)
    cents = units_to_cents(even, settings)
    if cents is not None and settings.feasible(cents):
        design.append(even)
    return list(dict.fromkeys(design))


def race(
    evaluate: Evaluate,
    cents: dict[tuple[int, ...], Allocation],
    schedule: Schedule,
    stages: list[Stage],
    *,
    survivors: int,
    label: str = "coarse",
) -> tuple[list[tuple[int, ...]], int]:
    """Successive halving of ``cents``' points: the survivors, best first, and their blocks."""
    alive = list(cents)
    blocks = schedule.coarse_blocks
    while True:
        outcomes = evaluate([cents[p] for p in alive], range(blocks))
        means = {p: float(outcomes[cents[p]].objective.mean()) for p in alive}
        replicates = outcomes[cents[alive[0]]].replicates
        name = label if blocks == schedule.coarse_blocks else f"racing ({blocks} blocks)"
        stages += [Stage(name, p, cents[p], means[p], replicates) for p in alive]
        if len(alive) <= survivors:
            return _ordered(means), blocks
        keep = max(survivors, math.ceil(len(alive) / schedule.eta))
        alive = _ordered(means)[:keep]
        blocks *= 2


def search(
    evaluate: Evaluate,
    settings: PlanSettings,
    schedule: Schedule = Schedule(),
    *,
    start: Sequence[tuple[int, ...]] = (),
    refine: bool = True,
    design: Sequence[tuple[int, ...]] | None = None,
    survivors: int | None = None,
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
    design : sequence of unit tuples, optional
        The points to race instead of :func:`coarse_design`.
    survivors : int, optional
        Points the racing keeps (default ``schedule.survivors``).

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
    (1875, 8125)
    """
    base = coarse_design(settings, schedule) if design is None else list(design)
    points = list(dict.fromkeys([*base, *start]))
    cents = _cents_of(points, settings)
    stages: list[Stage] = []
    keep = schedule.survivors if survivors is None else survivors
    ordered, blocks = race(evaluate, cents, schedule, stages, survivors=keep)
    best = ordered[0]
    refine_blocks = max(blocks, schedule.refine_blocks)
    if refine:
        best = _refine(evaluate, settings, schedule, best, refine_blocks, stages)
    return SearchResult(
        _cents_of([best], settings)[best], best, tuple(stages), refine_blocks, tuple(ordered)
    )


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
        label = f"refine (step {step / RESOLUTION:.3g} of budget)"
        while moves < schedule.max_moves:
            cents = _cents_of([best, *neighbours(best, step, settings)], settings)
            candidates = [p for p in cents if p != best]
            if not candidates:
                break
            # The race: every move on the first block, the best few on all of them.
            first = evaluate([cents[p] for p in [best, *candidates]], range(1))
            base = first[cents[best]].objective
            ahead = sorted(
                candidates,
                key=lambda p: (-float((first[cents[p]].objective - base).mean()), p),
            )
            finalists = ahead[: max(1, schedule.finalists)]
            for point in ahead[len(finalists) :]:
                stages.append(
                    Stage(
                        label,
                        point,
                        cents[point],
                        float(first[cents[point]].objective.mean()),
                        base.size,
                    )
                )
            outcomes = evaluate([cents[p] for p in [best, *finalists]], range(blocks))
            base = outcomes[cents[best]].objective
            gains = {}
            for point in finalists:
                objective = outcomes[cents[point]].objective
                difference = objective - base
                error = float(difference.std(ddof=1) / math.sqrt(difference.size))
                gains[point] = (float(difference.mean()), error)
                stages.append(
                    Stage(label, point, cents[point], float(objective.mean()), difference.size)
                )
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
