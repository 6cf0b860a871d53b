"""What a budget plan may do: its settings, checked once, and the allocations it may choose.

An *allocation* gives each planned channel a whole number of euro cents; they always add up
to the plan's budget exactly. The search moves on a lattice of ``budget / RESOLUTION``
units (:func:`lattice_points`, :func:`neighbours`) and turns units into cents by the
largest-remainder rule (:func:`to_cents`), so rounding never breaks the total or a bound.

A channel that is used at all costs a fixed number of hours (``setup_hours``: account
upkeep, learning the platform), paid at ``hourly_cost`` out of that channel's own money:
the engine gets what is left (:meth:`PlanSettings.engine_budgets`). With an
``hours_budget``, the setup hours of the channels used plus the page's posting hours must
fit in it (:meth:`PlanSettings.feasible`). This is how "one well-run platform beats three
thin ones" can emerge (MODEL-REVIEW A.4 and G7).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.errors import ArgumentError

OBJECTIVES = ("profit", "clv", "customers", "adopters")
"""What a plan maximises: ``profit`` (discounted margin, or ``product.margin`` x adopters
without the lifecycle, minus all that is spent), ``clv`` (discounted margin of the
customers won), ``customers`` (customers ever; adopters without the lifecycle) or
``adopters`` (first adoptions)."""

MONEY_OBJECTIVES = ("profit", "clv")

RESOLUTION = 64
"""Lattice units per budget: the finest step of the search is budget / 64 (15.6 EUR of
1,000) [assumption: finer than the 5 %-of-budget accuracy MODEL-REVIEW G7 asks for]."""

COARSE_UNITS = 16
"""The coarse design's step, in lattice units: quarters of the budget [assumption]."""

MAX_COARSE_POINTS = 126
"""Most points of the coarse design (all quarter splits of 5 channels: 126 with the
vertices and the centre) [assumption: a few seconds per replicate block]."""

DEFAULT_HOURLY_COST = 20.0
"""EUR per hour of setup work when the plan does not say: the default
``SocialPage.hourly_cost`` [assumption]."""

Allocation = tuple[int, ...]
"""Euro cents per planned channel, in the order of :attr:`PlanSettings.channels`."""


@dataclass(frozen=True)
class PlanSettings:
    """A checked plan: channels, budget, objective, bounds and hours (see :func:`check_plan`)."""

    channels: tuple[str, ...]
    budget_cents: int
    objective: str
    lower_cents: tuple[int, ...]
    upper_cents: tuple[int, ...]
    setup_hours: tuple[float, ...]
    hourly_cost: float
    hours_budget: float | None
    page_hourly_cost: tuple[float, ...]  # EUR per posting hour of a social page; 0 otherwise
    target_roi: float | None = None
    current: Allocation | None = None
    kinds: tuple[str, ...] = field(default=())

    @property
    def budget(self) -> float:
        return self.budget_cents / 100.0

    def fixed_cents(self, allocation: Allocation) -> np.ndarray:
        """Setup cost (cents) of each channel that the allocation uses."""
        used = np.asarray(allocation) > 0
        fixed = np.round(np.asarray(self.setup_hours) * self.hourly_cost * 100.0)
        return np.where(used, fixed, 0.0).astype(np.int64)

    def engine_budgets(self, allocation: Allocation) -> np.ndarray:
        """EUR each channel may spend in the engine: its money minus its setup cost."""
        return (np.asarray(allocation, np.int64) - self.fixed_cents(allocation)) / 100.0

    def hours(self, allocation: Allocation) -> float:
        """Setup hours of the channels used plus the pages' posting hours."""
        used = np.asarray(allocation) > 0
        setup = float(np.asarray(self.setup_hours)[used].sum())
        engine = self.engine_budgets(allocation)
        rate = np.asarray(self.page_hourly_cost)
        posting = np.divide(engine, rate, out=np.zeros_like(engine), where=rate > 0)
        return setup + float(posting.sum())

    def feasible(self, allocation: Allocation, *, bounds: bool = True) -> bool:
        """Whether the allocation pays every setup cost, fits the hours and the bounds."""
        cents = np.asarray(allocation, np.int64)
        if (cents < self.fixed_cents(allocation)).any():
            return False
        if self.hours_budget is not None and self.hours(allocation) > self.hours_budget + 1e-9:
            return False
        if bounds:
            low, high = np.asarray(self.lower_cents), np.asarray(self.upper_cents)
            return bool(((cents >= low) & (cents <= high)).all())
        return True

    def scaled(self, budget_cents: int) -> PlanSettings:
        """The same plan at another total budget (bounds kept; the upper ones clipped)."""
        upper = tuple(min(u, budget_cents) for u in self.upper_cents)
        return PlanSettings(
            self.channels,
            budget_cents,
            self.objective,
            self.lower_cents,
            upper,
            self.setup_hours,
            self.hourly_cost,
            self.hours_budget,
            self.page_hourly_cost,
            self.target_roi,
            self.current,
            self.kinds,
        )


def _number(name: str, value: Any, *, low: float, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ArgumentError(f"The '{name}' parameter of plan must be {allowed}. Got {value!r}.")
    number = float(value)
    if not math.isfinite(number) or number < low or number > cfg.MAX_BUDGET:
        raise ArgumentError(f"The '{name}' parameter of plan must be {allowed}. Got {value!r}.")
    return number


def _per_channel(
    name: str, values: Mapping[str, Any] | None, channels: Sequence[str], allowed: str
) -> dict[str, float]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ArgumentError(
            f"The '{name}' parameter of plan must be a mapping of channel to {allowed}. "
            f"Got {values!r}."
        )
    out = {}
    for channel, value in values.items():
        if channel not in channels:
            raise ArgumentError(
                f"The '{name}' parameter of plan names an unknown channel {channel!r}; "
                f"allowed: {', '.join(channels)}."
            )
        out[channel] = _number(f"{name}.{channel}", value, low=0.0, allowed=allowed)
    return out


def check_plan(
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
) -> PlanSettings:
    """Check every option of a plan against its scenario, before any simulation.

    Each problem raises one :class:`~simulator.errors.ArgumentError` line naming the
    parameter, what is allowed and what was received. The default objective is ``profit``
    when the scenario puts a value on customers (``lifecycle.enabled`` with a margin, or
    ``product.margin`` > 0), else ``customers``. The default current plan is the
    scenario's own channel budgets, scaled to add up to ``budget``.

    Examples
    --------
    >>> s = cfg.default_scenario()
    >>> settings = check_plan(s, budget=1000, upper={"newspaper": 200})
    >>> settings.objective, settings.budget_cents, settings.upper_cents[1]
    ('profit', 100000, 20000)
    >>> check_plan(s, budget=1000, channels=["tv"])
    Traceback (most recent call last):
    ...
    simulator.errors.ArgumentError: The 'channels' parameter of plan names an unknown channel 'tv'; allowed: free_samples, newspaper, radio, facebook_ads, facebook_page.
    """
    # Long because each option gets its own message, checked in the order of the signature.
    budget = _number("budget", budget, low=0.01, allowed="a number of EUR in [0.01, 1e9]")
    budget_cents = int(round(budget * 100))
    known = tuple(scenario.channels)
    chosen = tuple(known if channels is None else channels)
    for name in chosen:
        if name not in known:
            raise ArgumentError(
                f"The 'channels' parameter of plan names an unknown channel {name!r}; "
                f"allowed: {', '.join(known)}."
            )
    if not chosen or len(set(chosen)) != len(chosen):
        raise ArgumentError(
            f"The 'channels' parameter of plan must list distinct channels of the scenario "
            f"({', '.join(known)}). Got {list(chosen)!r}."
        )
    lifecycle = scenario.lifecycle
    valued = lifecycle.margin_per_purchase > 0 if lifecycle.enabled else scenario.product.margin > 0
    if objective is None:
        objective = "profit" if valued else "customers"
    if objective not in OBJECTIVES:
        raise ArgumentError(
            f"The 'objective' parameter of plan must be one of {', '.join(OBJECTIVES)}. "
            f"Got {objective!r}."
        )
    if objective in MONEY_OBJECTIVES and not valued:
        raise ArgumentError(
            f"The 'objective' parameter of plan is {objective!r}, which needs a value per "
            "customer: set lifecycle.enabled=true (with lifecycle.margin_per_purchase > 0) "
            "or product.margin > 0, or choose 'customers' or 'adopters'."
        )
    low = _per_channel("lower", lower, chosen, "EUR >= 0")
    high = _per_channel("upper", upper, chosen, "EUR >= 0")
    lower_cents = tuple(int(math.ceil(low.get(c, 0.0) * 100 - 1e-6)) for c in chosen)
    upper_cents = tuple(
        min(budget_cents, int(math.floor(high.get(c, budget) * 100 + 1e-6))) for c in chosen
    )
    for c, lo, hi in zip(chosen, lower_cents, upper_cents, strict=True):
        if lo > hi:
            raise ArgumentError(
                f"The bounds of channel {c!r} cannot be met: lower {lo / 100:g} EUR is above "
                f"upper {hi / 100:g} EUR (upper is at most the budget, {budget:g} EUR)."
            )
    if sum(lower_cents) > budget_cents or sum(upper_cents) < budget_cents:
        raise ArgumentError(
            f"The bounds cannot be met with 'budget' = {budget:g} EUR: the lower bounds add "
            f"up to {sum(lower_cents) / 100:g} EUR and the upper bounds to "
            f"{sum(upper_cents) / 100:g} EUR; the budget must lie between them."
        )
    hours = _per_channel("setup_hours", setup_hours, chosen, "hours >= 0")
    rate = (
        DEFAULT_HOURLY_COST
        if hourly_cost is None
        else _number("hourly_cost", hourly_cost, low=0.0, allowed="EUR per hour >= 0")
    )
    if hours_budget is not None:
        hours_budget = _number("hours_budget", hours_budget, low=0.0, allowed="hours >= 0")
    page_rate = []
    for c in chosen:
        channel = scenario.channels[c]
        if channel.kind == "social_page":
            if channel.hourly_cost <= 0:
                raise ArgumentError(
                    f"channels.{c}.hourly_cost is 0, so money cannot buy its posts: give your "
                    "time a price (e.g. --set channels."
                    f"{c}.hourly_cost=20) or leave {c!r} out of 'channels'."
                )
            page_rate.append(channel.hourly_cost)
        else:
            page_rate.append(0.0)
    if target_roi is not None:
        target_roi = _number("target_roi", target_roi, low=-1.0, allowed="a ROI >= -1 (0.5: 50 %)")
        if not valued:
            raise ArgumentError(
                "The 'target_roi' parameter of plan needs a value per customer: set "
                "lifecycle.enabled=true or product.margin > 0."
            )
    given = _per_channel("current", current, chosen, "EUR >= 0")
    if current is None:
        given = {c: scenario.channels[c].budget for c in chosen}
    total = sum(given.values())
    weights = (
        [given.get(c, 0.0) / total for c in chosen]
        if total > 0
        else [1 / len(chosen)] * len(chosen)
    )
    current_cents = to_cents(np.asarray(weights), budget_cents)
    return PlanSettings(
        chosen,
        budget_cents,
        objective,
        lower_cents,
        upper_cents,
        tuple(hours.get(c, 0.0) for c in chosen),
        rate,
        hours_budget,
        tuple(page_rate),
        target_roi,
        current_cents,
        tuple(scenario.channels[c].kind for c in chosen),
    )


def to_cents(weights: np.ndarray, budget_cents: int) -> Allocation:
    """Shares of the budget as whole cents adding up to ``budget_cents`` exactly.

    The largest-remainder rule: each share's cents rounded down, the missing cents to
    the largest remainders (ties to the first channel).

    Examples
    --------
    >>> to_cents(np.array([1, 1, 1]) / 3, 100000)
    (33334, 33333, 33333)
    """
    weights = np.asarray(weights, np.float64)
    exact = weights / weights.sum() * budget_cents
    cents = np.floor(exact + 1e-9).astype(np.int64)
    missing = budget_cents - int(cents.sum())
    order = np.argsort(-(exact - cents), kind="stable")
    cents[order[:missing]] += 1
    return tuple(int(c) for c in cents)


def units_to_cents(units: Sequence[int], settings: PlanSettings) -> Allocation | None:
    """Lattice units as cents within the bounds, or None when rounding cannot keep them."""
    cents = np.array(to_cents(np.asarray(units, np.float64), settings.budget_cents))
    low, high = np.asarray(settings.lower_cents), np.asarray(settings.upper_cents)
    # A bound that is not a multiple of the unit: move the cents it needs from the others.
    for _ in range(len(cents)):
        below, above = cents < low, cents > high
        if not (below.any() or above.any()):
            break
        need = int(np.where(below, low - cents, 0).sum() - np.where(above, cents - high, 0).sum())
        cents = np.clip(cents, low, high)
        spare = np.where(need > 0, cents - low, high - cents)
        spare[below | above] = 0
        for index in np.argsort(-spare, kind="stable"):
            step = min(abs(need), int(spare[index]))
            cents[index] += -step if need > 0 else step
            need += step if need < 0 else -step
            if need == 0:
                break
    if int(cents.sum()) != settings.budget_cents or (cents < low).any() or (cents > high).any():
        return None
    return tuple(int(c) for c in cents)


def unit_bounds(settings: PlanSettings) -> tuple[np.ndarray, np.ndarray]:
    """Bounds in lattice units: the unit multiples nearest the bounds, inside them."""
    unit = settings.budget_cents / RESOLUTION
    low = np.ceil(np.asarray(settings.lower_cents) / unit - 1e-9).astype(np.int64)
    high = np.floor(np.asarray(settings.upper_cents) / unit + 1e-9).astype(np.int64)
    return low, np.maximum(high, low)


def lattice_points(settings: PlanSettings, step: int = COARSE_UNITS) -> list[tuple[int, ...]]:
    """Every split of the budget in multiples of ``step`` units, within bounds and hours.

    Bounds that are not multiples of ``step`` are met at the nearest units inside them.
    Beyond :data:`MAX_COARSE_POINTS`, the vertices, the even split and a deterministic
    spread of the others are kept.

    Examples
    --------
    >>> s = check_plan(cfg.default_scenario(), budget=1000, channels=["radio", "newspaper"])
    >>> lattice_points(s)
    [(0, 64), (16, 48), (32, 32), (48, 16), (64, 0)]
    """
    n = len(settings.channels)
    low, high = unit_bounds(settings)
    parts = RESOLUTION // step
    points = []
    for bars in itertools.combinations(range(parts + n - 1), n - 1):
        counts = np.diff([-1, *bars, parts + n - 1]) - 1
        units = counts * step
        units = np.clip(units, low, high)
        if units.sum() != RESOLUTION:
            continue
        points.append(tuple(int(u) for u in units))
    if not points:  # bounds between the coarse steps: start from the bounds' own split
        base = low.copy()
        spare = RESOLUTION - int(base.sum())
        room = high - low
        for index in np.argsort(-room, kind="stable"):
            add = min(spare, int(room[index]))
            base[index] += add
            spare -= add
        points = [tuple(int(u) for u in base)]
    points = list(dict.fromkeys(points))
    points = [p for p in points if _usable(p, settings)]
    if len(points) > MAX_COARSE_POINTS:
        keep = [p for p in points if max(p) == RESOLUTION]
        rest = [p for p in points if p not in keep]
        stride = len(rest) / (MAX_COARSE_POINTS - len(keep))
        points = keep + [rest[int(i * stride)] for i in range(MAX_COARSE_POINTS - len(keep))]
    return points


def neighbours(units: tuple[int, ...], step: int, settings: PlanSettings) -> list[tuple[int, ...]]:
    """Splits that move ``step`` units from one channel to another, within bounds and hours.

    Examples
    --------
    >>> s = check_plan(cfg.default_scenario(), budget=1000, channels=["radio", "newspaper"])
    >>> neighbours((32, 32), 8, s)
    [(24, 40), (40, 24)]
    """
    low, high = unit_bounds(settings)
    found = []
    for give, take in itertools.permutations(range(len(units)), 2):
        moved = list(units)
        moved[give] -= step
        moved[take] += step
        if moved[give] < low[give] or moved[take] > high[take]:
            continue
        point = tuple(moved)
        if _usable(point, settings):
            found.append(point)
    return found


def _usable(units: tuple[int, ...], settings: PlanSettings) -> bool:
    cents = units_to_cents(units, settings)
    return cents is not None and settings.feasible(cents)
