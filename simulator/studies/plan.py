"""``simulator.plan``: how to split a budget across a scenario's channels, by simulation.

:func:`plan` checks its options (:func:`~simulator.studies.plan_space.check_plan`),
searches allocations with common random numbers (:mod:`~simulator.studies.plan_search`),
then estimates on fresh replicate blocks the recommended allocation's objective, its paired
difference from the best single channel, an even split and the current plan, each
channel's response curve (objective against that channel's spend, the others held at the
recommendation) with its marginal return, and the efficient frontier (the best objective at
other total budgets). :meth:`PlanResult.to_frame` gives them as one table (``plan.csv``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator import config as cfg
from simulator.errors import ArgumentError
from simulator.lifeline import check_workers
from simulator.metrics import mean_interval
from simulator.studies.plan_eval import (
    BLOCK_SIZE,
    HOLDOUT_BLOCK,
    HOLDOUT_BLOCK_SIZE,
    Evaluate,
    Outcome,
    SimulationEvaluator,
)
from simulator.studies.plan_search import (
    Schedule,
    SearchResult,
    coarse_design,
    even_split,
    search,
    single_channel,
)
from simulator.studies.plan_space import (
    RESOLUTION,
    Allocation,
    PlanSettings,
    check_plan,
    lattice_points,
    to_cents,
)

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Estimate:
    """An allocation's objective on the holdout blocks, and its paired difference from
    the recommendation (recommended minus this one)."""

    label: str
    allocation: Allocation
    objective: tuple[float, float, float]
    spend: float
    roi: float
    difference: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    probability_better: float = math.nan
    share_better: float = math.nan
    replicates: int = 0


@dataclass(frozen=True)
class CurvePoint:
    """One point of a channel's response curve (the other channels at the recommendation)."""

    channel: str
    spend: float
    objective: tuple[float, float, float]
    marginal: float
    recommended: bool
    current: bool
    replicates: int = 0


@dataclass(frozen=True)
class FrontierPoint:
    """The best allocation found at one total budget."""

    budget: float
    allocation: Allocation
    objective: tuple[float, float, float]
    roi: float
    meets_target: bool | None
    replicates: int = 0
    candidates: int = 0


@dataclass(frozen=True)
class PlanResult:
    """What :func:`plan` found; :meth:`to_frame` is ``plan.csv``."""

    scenario: cfg.Scenario
    settings: PlanSettings
    recommended: Estimate
    comparisons: tuple[Estimate, ...]
    curves: tuple[CurvePoint, ...]
    frontier: tuple[FrontierPoint, ...]
    search: SearchResult
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allocation(self) -> dict[str, float]:
        """EUR per channel of the recommendation."""
        return {
            c: cents / 100
            for c, cents in zip(self.settings.channels, self.recommended.allocation, strict=True)
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate, comparison, curve point and frontier point (``section``)."""
        import pandas as pd  # heavy: only the table needs it

        channels = self.settings.channels
        rows: list[dict[str, Any]] = []

        def spends(allocation: Allocation) -> dict[str, float]:
            return {f"{c}.eur": v / 100 for c, v in zip(channels, allocation, strict=True)}

        for estimate in (self.recommended, *self.comparisons):
            rows.append(
                {
                    "section": "recommended" if estimate is self.recommended else "comparison",
                    "label": estimate.label,
                    "budget": sum(estimate.allocation) / 100,
                    **spends(estimate.allocation),
                    **_triple("objective", estimate.objective),
                    "spend": estimate.spend,
                    "roi": estimate.roi,
                    **_triple("difference", estimate.difference),
                    "probability_better": estimate.probability_better,
                    "share_better": estimate.share_better,
                    "replicates": estimate.replicates,
                }
            )
        for point in self.curves:
            rows.append(
                {
                    "section": "response_curve",
                    "label": point.channel,
                    "channel": point.channel,
                    "channel_spend": point.spend,
                    **_triple("objective", point.objective),
                    "marginal_return": point.marginal,
                    "is_recommended": point.recommended,
                    "is_current": point.current,
                    "replicates": point.replicates,
                }
            )
        for front in self.frontier:
            rows.append(
                {
                    "section": "frontier",
                    "label": f"best at {front.budget:g} EUR",
                    "budget": front.budget,
                    **spends(front.allocation),
                    **_triple("objective", front.objective),
                    "roi": front.roi,
                    "meets_target_roi": front.meets_target,
                    "replicates": front.replicates,
                    "candidates": front.candidates,
                }
            )
        frame = pd.DataFrame(rows)
        frame.insert(2, "objective_name", self.settings.objective)
        return frame


def _triple(name: str, values: tuple[float, float, float]) -> dict[str, float]:
    return {name: values[0], f"{name}_low": values[1], f"{name}_high": values[2]}


def _roi(outcome: Outcome) -> float:
    spend = float(outcome.spend.sum())
    return float((outcome.value.sum() - spend) / spend) if spend > 0 else math.nan


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def estimate(
    label: str, outcome: Outcome, allocation: Allocation, reference: Outcome | None = None
) -> Estimate:
    """An :class:`Estimate`, paired with ``reference`` (the recommendation) when given.

    ``probability_better`` is the chance that the reference's expected objective is the
    higher, read from the paired mean difference and its standard error (normal
    approximation, flat prior); ``share_better`` is the share of replicates in which it
    was higher.

    Examples
    --------
    >>> a = Outcome(*(np.array([3.0, 4, 5, 6]),) * 5)
    >>> b = Outcome(*(np.array([1.0, 3, 5, 5]),) * 5)
    >>> e = estimate("b", b, (0, 100), reference=a)
    >>> e.difference[0], round(e.probability_better, 3), e.share_better
    (1.0, 0.993, 0.75)
    """
    difference: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    probability = share = math.nan
    if reference is not None:
        paired = reference.objective - outcome.objective
        difference = mean_interval(paired)
        error = float(paired.std(ddof=1) / math.sqrt(paired.size)) if paired.size > 1 else 0.0
        if error > 0:
            probability = _normal_cdf(difference[0] / error)
        else:
            probability = 1.0 if difference[0] > 0 else 0.0 if difference[0] < 0 else 0.5
        share = float((paired > 0).mean())
    return Estimate(
        label,
        allocation,
        mean_interval(outcome.objective),
        float(outcome.spend.mean()),
        _roi(outcome),
        difference,
        probability,
        share,
        outcome.replicates,
    )


def _holdout(blocks: int) -> range:
    return range(HOLDOUT_BLOCK, HOLDOUT_BLOCK + blocks)


def _compare(
    evaluate: Evaluate, settings: PlanSettings, schedule: Schedule, best: Allocation
) -> tuple[Estimate, tuple[Estimate, ...]]:
    """The recommendation and the references, on the holdout blocks."""
    singles = [single_channel(settings, i) for i in range(len(settings.channels))]
    # The best single channel is picked on the search's blocks, estimated on fresh ones.
    picked = evaluate(singles, range(schedule.pick_blocks))
    top = max(range(len(singles)), key=lambda i: float(picked[singles[i]].objective.mean()))
    references = {
        f"best single channel: {settings.channels[top]}": singles[top],
        "even split": even_split(settings),
    }
    if settings.current is not None:
        references["current plan"] = settings.current
    outcomes = evaluate([best, *references.values()], _holdout(schedule.holdout_blocks))
    recommended = estimate("recommended", outcomes[best], best)
    comparisons = tuple(
        estimate(label, outcomes[a], a, reference=outcomes[best]) for label, a in references.items()
    )
    return recommended, comparisons


def _curves(
    evaluate: Evaluate, settings: PlanSettings, schedule: Schedule, best: Allocation
) -> tuple[CurvePoint, ...]:
    """Objective against each channel's spend, the other channels at the recommendation.

    The points are estimated on the first ``curve_blocks`` holdout blocks (fresh for the
    search, and shared along a curve, so that a marginal return is a paired difference).
    """
    points = []
    grid = np.linspace(0, settings.budget_cents, schedule.curve_points).round().astype(int)
    current = settings.current or best
    for index, channel in enumerate(settings.channels):
        spends = sorted({*grid.tolist(), best[index], current[index]})
        allocations = []
        for cents in spends:
            moved = list(best)
            moved[index] = int(cents)
            allocation = tuple(moved)
            # Bounds and hours do not apply to a curve; a channel used must pay its setup.
            if (np.asarray(allocation) >= settings.fixed_cents(allocation)).all():
                allocations.append(allocation)
        outcomes = evaluate(allocations, _holdout(schedule.curve_blocks))
        previous: tuple[float, float] | None = None
        for allocation in allocations:
            spend = allocation[index] / 100
            interval = mean_interval(outcomes[allocation].objective)
            marginal = (
                math.nan
                if previous is None or spend == previous[0]
                else (interval[0] - previous[1]) / (spend - previous[0])
            )
            points.append(
                CurvePoint(
                    channel,
                    spend,
                    interval,
                    marginal,
                    allocation[index] == best[index],
                    allocation[index] == current[index],
                    outcomes[allocation].replicates,
                )
            )
            previous = (spend, interval[0])
    return tuple(points)


def _frontier(
    evaluate: Evaluate,
    settings: PlanSettings,
    schedule: Schedule,
    fractions: Sequence[float],
    shapes: Sequence[tuple[int, ...]] | None,
) -> list[FrontierPoint]:
    """The best allocation found at each ``fraction`` of the budget, by racing.

    With ``shapes`` (lattice units, e.g. the recommendation's at the full budget) the
    candidates at each budget are those shapes and every channel alone, and the best of
    them on the first search block is taken; without, the coarse design
    (:func:`~simulator.studies.plan_search.coarse_design`) is raced as the search races
    it. The winner is estimated on ``frontier_blocks`` holdout blocks.
    """
    found = []
    for fraction in sorted(fractions):
        cents = int(round(settings.budget_cents * fraction))
        if cents < 1 or sum(settings.lower_cents) > cents:
            continue
        scaled = settings.scaled(cents)
        if sum(scaled.upper_cents) < cents:
            continue
        race = schedule
        if shapes is None:
            design = coarse_design(scaled, schedule)
        else:
            design = list(dict.fromkeys([*shapes, *lattice_points(scaled, RESOLUTION)]))
            race = dataclasses.replace(schedule, eta=max(len(design), 2))  # one round
        result = search(evaluate, scaled, race, design=design, refine=False, survivors=1)
        outcome = evaluate([result.best], _holdout(schedule.frontier_blocks))[result.best]
        roi = _roi(outcome)
        meets = None if settings.target_roi is None else bool(roi >= settings.target_roi)
        found.append(
            FrontierPoint(
                cents / 100,
                result.best,
                mean_interval(outcome.objective),
                roi,
                meets,
                outcome.replicates,
                len({stage.units for stage in result.stages}),
            )
        )
    return found


def plan(
    scenario: cfg.Scenario,
    *,
    budget: float,
    channels: Sequence[str] | None = None,
    objective: str | None = None,
    lower: Mapping[str, float] | None = None,
    upper: Mapping[str, float] | None = None,
    setup_hours: Mapping[str, float] | None = None,
    hourly_cost: float | None = None,
    hours_budget: float | None = None,
    target_roi: float | None = None,
    current: Mapping[str, float] | None = None,
    schedule: Schedule | None = None,
    block_size: int = BLOCK_SIZE,
    holdout_block_size: int = HOLDOUT_BLOCK_SIZE,
    workers: int = 1,
    cache: str | Path | None = None,
    graphs: Mapping[str, Any] | None = None,
    evaluate: Evaluate | None = None,
) -> PlanResult:
    """Split ``budget`` EUR across the scenario's channels to maximise an objective.

    Parameters
    ----------
    scenario : Scenario
        The town and its channels (their ``budget`` is replaced by the plan's).
    budget : float
        EUR to allocate; the recommendation's channel budgets add up to it to the cent.
        With ``target_roi`` it is the most that may be spent.
    channels : sequence of str, optional
        Channels to plan (default: all of the scenario's).
    objective : {"profit", "clv", "customers", "adopters"}, optional
        Default ``profit`` when customers have a value (lifecycle with a margin, or
        ``product.margin``), else ``customers``.
    lower, upper : mapping of channel to EUR, optional
        Bounds per channel.
    setup_hours : mapping of channel to hours, optional
        Fixed hours to run a channel at all (account upkeep), paid at ``hourly_cost`` EUR
        per hour (default 20 [assumption]) out of that channel's money.
    hours_budget : float, optional
        Most hours in total: setup hours of the channels used plus the pages' posting hours.
    target_roi : float, optional
        Recommend the largest budget (in eighths of ``budget``) whose best allocation keeps
        ROI = (value - spend) / spend at or above this (0.5 is 50 %).
    current : mapping of channel to EUR, optional
        The plan to compare with (default: the scenario's channel budgets, scaled to
        ``budget``).
    schedule : Schedule, optional
        Replicate blocks per stage of the search (:class:`~simulator.studies.plan_search.Schedule`).
    block_size, holdout_block_size, workers, cache, graphs
        Replicates per search block and per holdout block; processes (results do not
        depend on them); a JSON-lines file that keeps finished blocks, to resume; graph
        objects of ``graph`` layers.
    evaluate : Evaluate, optional
        Replace the simulator (tests use closed-form responses).

    Returns
    -------
    PlanResult

    Raises
    ------
    ArgumentError
        One line for each bad option, before any simulation.

    Examples
    --------
    >>> from simulator import config as cfg
    >>> s = cfg.load_scenario(None, ["population.size=500", "simulation.steps=20"])
    >>> quick = Schedule(steps=(), holdout_blocks=2, curve_points=3, frontier=(0.5,))
    >>> result = plan(s, budget=300, channels=["free_samples", "newspaper"], schedule=quick)
    >>> sum(result.allocation.values())
    300.0
    """
    schedule = schedule or Schedule()
    settings = check_plan(
        scenario,
        budget=budget,
        channels=channels,
        objective=objective,
        lower=lower,
        upper=upper,
        setup_hours=setup_hours,
        hourly_cost=hourly_cost,
        hours_budget=hours_budget,
        target_roi=target_roi,
        current=current,
    )
    for name, size in (("block_size", block_size), ("holdout_block_size", holdout_block_size)):
        if isinstance(size, bool) or not isinstance(size, int) or size < 2:
            raise ArgumentError(
                f"The '{name}' parameter of plan must be an int >= 2. Got {size!r}."
            )
    check_workers(workers, option="workers")
    started = time.perf_counter()
    simulator = None
    if evaluate is None:
        simulator = SimulationEvaluator(
            scenario,
            settings,
            block_size=block_size,
            holdout_block_size=holdout_block_size,
            workers=workers,
            cache=cache,
            graphs=graphs,
        )
        evaluate = simulator
    try:
        chosen = settings
        frontier: list[FrontierPoint] = []
        if settings.target_roi is not None:
            eighths = [k / 8 for k in range(1, 9)]
            frontier = _frontier(evaluate, settings, schedule, eighths, None)
            meeting = [f for f in frontier if f.meets_target]
            level = meeting[-1].budget if meeting else frontier[0].budget
            chosen = settings.scaled(int(round(level * 100)))
        found = search(evaluate, chosen, schedule)
        recommended, comparisons = _compare(evaluate, chosen, schedule, found.best)
        curves = _curves(evaluate, chosen, schedule, found.best)
        if settings.target_roi is None:
            shapes = [found.units]
            frontier = _frontier(evaluate, settings, schedule, schedule.frontier, shapes)
            roi = recommended.roi
            frontier.append(
                FrontierPoint(
                    chosen.budget,
                    found.best,
                    recommended.objective,
                    roi,
                    None,
                    recommended.replicates,
                    len({stage.units for stage in found.stages}),
                )
            )
            frontier.sort(key=lambda f: f.budget)
    finally:
        if simulator is not None:
            simulator.close()
    seconds = time.perf_counter() - started
    provenance = {
        "seed": scenario.simulation.seed,
        "block_size": block_size,
        "holdout_block_size": holdout_block_size,
        "schedule": schedule.__dict__,
        "resolution": RESOLUTION,
        "allocations_searched": len({stage.units for stage in found.stages}),
        "replicates_simulated": None if simulator is None else simulator.replicates_run,
        "seconds": round(seconds, 3),
        "workers": workers,
    }
    return PlanResult(
        scenario,
        chosen,
        recommended,
        comparisons,
        tuple(curves),
        tuple(frontier),
        found,
        provenance,
    )


__all__ = [
    "CurvePoint",
    "Estimate",
    "FrontierPoint",
    "PlanResult",
    "Schedule",
    "check_plan",
    "estimate",
    "plan",
    "to_cents",
]
