"""Repeat purchases of customers: BG/NBD presets, the purchase calendar, cohort runs.

A customer, once active, buys as a Poisson process of her own rate and, right after each
purchase, drops out for good with her own probability (the BG/NBD model of Fader, Hardie &
Lee 2005). Rates are Gamma and drop-out probabilities Beta across customers. Rates are per
day internally; each preset states the unit of its ``alpha``.

Purchases are events on a :class:`PurchaseCalendar` keyed by step: a step costs work
proportional to the purchases due in it, never a scan of every customer. Purchase times are
continuous (float64 days); a purchase at time ``t`` falls in step ``floor(t / dt)``, and
the next gap is drawn at once, so one customer may buy several times in one step (see
:func:`buy`).

Flat indices (``replicate * n + person``) are the calendar's slots, so one calendar and one
:class:`CustomerBook` serve every replicate of a block.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import sys
from dataclasses import dataclass

import numpy as np

from simulator.analytic._checks import check_float, check_int
from simulator.errors import ArgumentError

DAYS_PER_YEAR = 365.25
"""Days in a year, as in :attr:`simulator.config.scenario.Simulation.step_days`."""

Seed = int | np.random.SeedSequence | np.random.Generator | None


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class BGNBD:
    """Parameters of the BG/NBD customer base, with the time unit of ``alpha``.

    ``lam ~ Gamma(shape r, rate alpha)`` purchases per ``unit_days`` days and
    ``p ~ Beta(a, b)`` drop-out probability after each purchase. ``a = 0`` is the limit in
    which Beta(a, b) puts all its mass at 0: nobody drops out (the NBD model).

    Examples
    --------
    >>> BAKERY.mean_rate_per_day * 7, round(BAKERY.mean_dropout, 3)
    (1.0, 0.03)
    >>> BGNBD(r=-1.0, alpha=1.0, a=1.0, b=1.0)
    Traceback (most recent call last):
    ...
    simulator.errors.ArgumentError: The 'r' parameter of BGNBD must be a float in the range (0, inf). Got -1.0 instead.
    """

    r: float
    alpha: float
    a: float
    b: float
    unit_days: float = 1.0

    def __post_init__(self) -> None:
        name = "BGNBD"
        check_float(self.r, "r", name, low=0.0, low_closed=False)
        check_float(self.alpha, "alpha", name, low=0.0, low_closed=False)
        check_float(self.a, "a", name, low=0.0)
        check_float(self.b, "b", name, low=0.0, low_closed=False)
        check_float(self.unit_days, "unit_days", name, low=0.0, low_closed=False)

    @property
    def alpha_days(self) -> float:
        """``alpha`` in days: the Gamma rate of purchase rates expressed per day."""
        return self.alpha * self.unit_days

    @property
    def mean_rate_per_day(self) -> float:
        return self.r / self.alpha_days

    @property
    def mean_dropout(self) -> float:
        return self.a / (self.a + self.b)

    def without_dropout(self) -> BGNBD:
        """The same purchase rates, nobody drops out (the NBD model)."""
        return dataclasses.replace(self, a=0.0)


BAKERY = BGNBD(r=2.0, alpha=2.0, a=3.0, b=97.0, unit_days=7.0)
"""A neighbourhood bakery, in weeks [assumption, MODEL-REVIEW G1; to be replaced by the shop's
loyalty-card data]: r = 2, mean rate r / alpha = 1 visit per week; mean drop-out
a / (a + b) = 0.03 per visit. The concentration a + b = 100 is a further [assumption]: it
gives E[visits before drop-out] = (a + b - 1) / (a - 1) = 49.5 (1 / 0.03 = 33 only without
heterogeneity; Jensen's inequality makes the mean over customers larger)."""

CDNOW = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426, unit_days=7.0)
"""CD retailer, in weeks: the BG/NBD fit to the CDNOW cohort of Fader, Hardie & Lee (2005),
*Marketing Science* 24(2):275-284 [R: check Table 1]. With a < 1 the mean lifetime number
of purchases is infinite, but E[X(t)] is finite for every t."""


@dataclass(frozen=True)
class Customers:
    """Per-customer purchase rate (per day) and drop-out probability, float32.

    float32, as in the engine's other per-person arrays: these live for every person of
    every replicate of a block, and 7 significant digits are far below the sampling noise.
    Times and gaps are computed in float64 (see :func:`buy`).
    """

    rate: np.ndarray
    dropout: np.ndarray


def draw_customers(count: int, model: BGNBD, *, rng: Seed = None) -> Customers:
    """Draw ``count`` customers: rate ~ Gamma(r, alpha) per day, drop-out ~ Beta(a, b).

    A rate below float32's smallest positive number (possible when r is small) becomes 0:
    a customer who never buys again, which is what such a rate means over any horizon.

    Examples
    --------
    >>> customers = draw_customers(100_000, BAKERY, rng=1)
    >>> round(float(customers.rate.mean()) * 7, 1), round(float(customers.dropout.mean()), 2)
    (1.0, 0.03)
    >>> customers.rate.dtype, customers.dropout.dtype
    (dtype('float32'), dtype('float32'))
    """
    count = check_int(count, "count", "draw_customers", low=0)
    rng = np.random.default_rng(rng)
    rate = rng.gamma(model.r, 1.0 / model.alpha_days, count).astype(np.float32)
    if model.a == 0.0:
        dropout = np.zeros(count, np.float32)
    else:
        dropout = rng.beta(model.a, model.b, count).astype(np.float32)
    return Customers(rate, dropout)


# --------------------------------------------------------------------------- the calendar


class PurchaseCalendar:
    """Slots due at each step: a ring of ``window`` step buckets and an overflow beyond it.

    ``schedule(slots, due_steps)`` files each slot under its step; ``due(step)`` returns
    (and removes) the slots filed under ``step``, once per step, in order. A slot filed
    twice comes out twice.

    Design: a step within ``window`` of the current one goes to bucket ``step % window``,
    a list of int64 chunks. Each call sorts its entries by step offset (a stable sort of
    16-bit keys, which numpy does as a radix sort, O(entries)) and appends one slice per
    distinct step: the only Python loop is over the distinct steps of one call, at most
    ``window``, never over entries. ``due`` concatenates one bucket's chunks. Steps beyond
    the window wait in an unsorted overflow; when the first of them comes due, every
    overflow entry now within the window moves into the ring, so each overflow entry is
    looked at about once per ``window`` steps of its wait. A global sorted array would cost
    O(pending) per insertion; a heap, a Python operation per event.

    Examples
    --------
    >>> calendar = PurchaseCalendar(window=4)
    >>> calendar.schedule(np.array([7, 3, 7, 9]), np.array([1, 0, 1, 10]))
    >>> calendar.due(0).tolist(), sorted(calendar.due(1).tolist()), len(calendar)
    ([3], [7, 7], 1)
    >>> [calendar.due(step).tolist() for step in range(2, 11)][-1]  # from the overflow
    [9]
    """

    def __init__(self, window: int = 1024, *, start: int = 0) -> None:
        self.window = check_int(window, "window", "PurchaseCalendar", low=1)
        self._now = check_int(start, "start", "PurchaseCalendar", low=0)
        self._buckets: list[list[np.ndarray]] = [[] for _ in range(self.window)]
        self._offset_type = np.uint16 if self.window <= 1 << 16 else np.int64
        self._far_due: list[np.ndarray] = []
        self._far_slots: list[np.ndarray] = []
        self._far_first = sys.maxsize
        self._pending = 0

    @property
    def now(self) -> int:
        """The next step :meth:`due` takes; nothing can be scheduled before it."""
        return self._now

    def __len__(self) -> int:
        """Entries scheduled and not yet due."""
        return self._pending

    def schedule(self, slots: np.ndarray, due_steps: np.ndarray) -> None:
        """File each of ``slots`` under the step at the same position of ``due_steps``."""
        slots = np.asarray(slots, dtype=np.int64).ravel()
        due = np.asarray(due_steps, dtype=np.int64).ravel()
        if slots.size != due.size:
            raise ArgumentError(
                "The 'due_steps' parameter of PurchaseCalendar.schedule must have one step "
                f"per slot ({slots.size}). Got {due.size} steps instead."
            )
        if slots.size == 0:
            return
        earliest = int(due.min())
        if earliest < self._now:
            raise ArgumentError(
                "The 'due_steps' parameter of PurchaseCalendar.schedule must contain only "
                f"steps in the range [{self._now}, inf) (the steps not yet taken). "
                f"Got {earliest} instead."
            )
        self._pending += slots.size
        near = due < self._now + self.window
        if not near.all():
            far = ~near
            self._far_due.append(due[far])
            self._far_slots.append(slots[far])
            self._far_first = min(self._far_first, int(due[far].min()))
            slots, due = slots[near], due[near]
        self._file(slots, due)

    def due(self, step: int) -> np.ndarray:
        """The slots due at ``step`` (int64, in no particular order), removed from the calendar.

        Steps are taken one at a time, in order, starting at ``start``.
        """
        if step != self._now:
            raise ArgumentError(
                "The 'step' parameter of PurchaseCalendar.due must be the next step not yet "
                f"taken, {self._now} (steps are taken one at a time, in order). "
                f"Got {step!r} instead."
            )
        if self._far_first <= step:
            self._pull_overflow()
        bucket = self._buckets[step % self.window]
        if not bucket:
            slots = np.zeros(0, np.int64)
        elif len(bucket) == 1:
            slots = bucket[0]
        else:
            slots = np.concatenate(bucket)
        bucket.clear()
        self._now += 1
        self._pending -= slots.size
        return slots

    def _file(self, slots: np.ndarray, due: np.ndarray) -> None:
        """Append entries due within the window to their buckets."""
        if slots.size == 0:
            return
        offset = (due - self._now).astype(self._offset_type)
        order = np.argsort(offset, kind="stable")
        offset = offset[order]
        slots = slots[order]  # a copy: the buckets never alias the caller's array
        firsts = np.concatenate(([0], np.flatnonzero(np.diff(offset)) + 1))
        buckets = ((self._now + offset[firsts].astype(np.int64)) % self.window).tolist()
        bounds = [*firsts.tolist(), slots.size]
        for bucket, (first, end) in zip(buckets, itertools.pairwise(bounds), strict=True):
            self._buckets[bucket].append(slots[first:end])

    def _pull_overflow(self) -> None:
        """Move every overflow entry now within the window into the ring."""
        due = np.concatenate(self._far_due)
        slots = np.concatenate(self._far_slots)
        near = due < self._now + self.window
        rest_due, rest_slots = due[~near], slots[~near]
        self._far_due = [rest_due] if rest_due.size else []
        self._far_slots = [rest_slots] if rest_slots.size else []
        self._far_first = int(rest_due.min()) if rest_due.size else sys.maxsize
        self._file(slots[near], due[near])


# --------------------------------------------------------------------------- the state


@dataclass(eq=False)
class CustomerBook:
    """Mutable purchase state of every slot, and its calendar; private to the engine.

    One entry per slot (flat index): ``rate`` (per day) and ``dropout`` float32,
    ``next_time`` float64 days (inf when no purchase is pending), ``purchases`` int32,
    ``active`` bool (activated and not dropped out), ``npv`` float64 (margins discounted to
    time 0 at the moment of each purchase). Purchases at or after ``end_step`` are never
    filed: they cannot happen within the run.
    """

    rate: np.ndarray
    dropout: np.ndarray
    next_time: np.ndarray
    purchases: np.ndarray
    active: np.ndarray
    npv: np.ndarray
    calendar: PurchaseCalendar
    dt_days: float
    end_step: int
    margin: float
    discount_per_day: float  # continuous rate: log(1 + d) / 365.25
    # Extra margin that erodes (referred customers, Schmitt et al. 2011): a purchase at
    # time t earns margin * (1 + uplift * exp(-(t - acquired) / uplift_days)). None until
    # :func:`erode_margin_uplift` allocates them, so the common case costs nothing.
    uplift: np.ndarray | None = None
    acquired: np.ndarray | None = None
    extra: np.ndarray | None = None  # the uplift's undiscounted margin, per slot
    uplift_days: float = math.inf

    @staticmethod
    def empty(
        size: int,
        *,
        dt_days: float,
        end_step: int,
        margin: float = 0.0,
        discount_per_year: float = 0.0,
    ) -> CustomerBook:
        """A book of ``size`` slots, nobody active yet.

        Examples
        --------
        >>> book = CustomerBook.empty(3, dt_days=1.0, end_step=30)
        >>> int(book.active.sum()), book.calendar.window
        (0, 30)
        """
        name = "CustomerBook.empty"
        size = check_int(size, "size", name, low=0)
        dt_days = check_float(dt_days, "dt_days", name, low=0.0, low_closed=False)
        end_step = check_int(end_step, "end_step", name, low=0)
        margin = check_float(margin, "margin", name)
        discount = check_float(discount_per_year, "discount_per_year", name, low=0.0)
        return CustomerBook(
            rate=np.zeros(size, np.float32),
            dropout=np.zeros(size, np.float32),
            next_time=np.full(size, np.inf),
            purchases=np.zeros(size, np.int32),
            active=np.zeros(size, bool),
            npv=np.zeros(size, np.float64),
            # A window as long as the run never overflows; beyond 1024 steps the overflow
            # holds the rare long gaps.
            calendar=PurchaseCalendar(window=max(1, min(end_step, 1024))),
            dt_days=dt_days,
            end_step=end_step,
            margin=margin,
            discount_per_day=math.log1p(discount) / DAYS_PER_YEAR,
        )


def activate(
    book: CustomerBook,
    slots: np.ndarray,
    customers: Customers,
    time_days: float,
    *,
    rng: np.random.Generator,
) -> None:
    """Make ``slots`` (distinct, not active) customers alive at ``time_days``.

    Their first repeat purchase is an exponential gap later; activation itself is not a
    purchase and no drop-out can follow it (the BG/NBD convention: X(t) counts repeat
    purchases after time 0 of a customer alive at 0). The first purchase must fall in a
    step not yet taken, so activate at the start of the step after the one that tipped.
    """
    slots = np.asarray(slots, dtype=np.int64)
    book.rate[slots] = customers.rate
    book.dropout[slots] = customers.dropout
    book.active[slots] = True
    with np.errstate(divide="ignore"):  # a rate of 0 never buys: the gap is inf
        gap = rng.standard_exponential(slots.size) / customers.rate
    book.next_time[slots] = time_days + gap
    if book.acquired is not None:
        book.acquired[slots] = time_days
    _file_next(book, slots, book.next_time[slots])


def erode_margin_uplift(book: CustomerBook, *, days: float) -> None:
    """Let customers earn an extra margin share that decays with ``days`` (e-folding).

    Allocates ``book.uplift`` (float32, 0 for everyone), ``book.acquired`` (float64,
    activation time) and ``book.extra`` (float64, the undiscounted extra margin earned);
    the caller then sets the uplift of the customers who have one.

    Examples
    --------
    >>> book = CustomerBook.empty(1, dt_days=1.0, end_step=10, margin=1.0)
    >>> erode_margin_uplift(book, days=180.0)
    >>> book.uplift.tolist(), book.uplift_days
    ([0.0], 180.0)
    """
    book.uplift_days = check_float(days, "days", "erode_margin_uplift", low=0.0, low_closed=False)
    book.uplift = np.zeros(book.rate.size, np.float32)
    book.acquired = np.zeros(book.rate.size, np.float64)
    book.extra = np.zeros(book.rate.size, np.float64)


def buy(book: CustomerBook, step: int, *, rng: np.random.Generator) -> np.ndarray:
    """Take the purchases due at ``step``; return the slots that bought, once per purchase.

    For each purchase: count it, add its discounted margin, then drop out with the
    customer's probability, or else draw the gap to the next purchase in continuous time.
    A next purchase that falls in this same step is taken at once, in a further round over
    those customers only, so several purchases by one customer in one step all count; the
    rounds end because the gaps are positive. Work: O(purchases) random numbers and array
    operations, plus O(rounds) Python steps.

    Examples
    --------
    >>> book = CustomerBook.empty(2, dt_days=7.0, end_step=10)
    >>> rng = np.random.default_rng(0)
    >>> two = Customers(np.array([3.0, 0.0], np.float32), np.zeros(2, np.float32))
    >>> activate(book, np.arange(2), two, 0.0, rng=rng)
    >>> week = buy(book, 0, rng=rng)  # about 21 purchases by slot 0, none by slot 1
    >>> bool(set(week.tolist()) == {0}), int(book.purchases[0]) == week.size
    (True, True)
    """
    slots = book.calendar.due(step)
    rounds = []
    while slots.size:
        rounds.append(slots)
        times = book.next_time[slots]
        book.purchases[slots] += 1  # slots are distinct within a round: one entry each
        if book.margin != 0.0:
            margin = book.margin * np.exp(-book.discount_per_day * times)
            if book.uplift is not None and book.acquired is not None and book.extra is not None:
                age = times - book.acquired[slots]
                share = book.uplift[slots] * np.exp(-age / book.uplift_days)
                book.extra[slots] += book.margin * share
                margin *= 1.0 + share
            book.npv[slots] += margin
        drop = rng.random(slots.size) < book.dropout[slots]
        gone = slots[drop]
        book.active[gone] = False
        book.next_time[gone] = np.inf
        stay = slots[~drop]
        after = times[~drop] + rng.standard_exponential(stay.size) / book.rate[stay]
        book.next_time[stay] = after
        again = np.floor(after / book.dt_days) <= step
        _file_next(book, stay[~again], after[~again])
        slots = stay[again]
    if not rounds:
        return np.zeros(0, np.int64)
    return rounds[0] if len(rounds) == 1 else np.concatenate(rounds)


def _file_next(book: CustomerBook, slots: np.ndarray, times: np.ndarray) -> None:
    """Schedule the purchases at ``times`` that fall before the end of the run."""
    # Compared as floats first: an inf or astronomically late time never reaches the cast.
    steps = np.floor(times / book.dt_days)
    within = steps < book.end_step
    book.calendar.schedule(slots[within], steps[within].astype(np.int64))


# --------------------------------------------------------------------------- cohorts


@dataclass(frozen=True)
class Cohort:
    """A cohort's run: per customer ``purchases`` (int32), ``active`` (bool, not dropped out
    at the end), ``npv`` (float64, discounted margin); per step ``per_step`` (int64,
    purchases in each step). Arrays are read-only."""

    purchases: np.ndarray
    active: np.ndarray
    per_step: np.ndarray
    npv: np.ndarray

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            getattr(self, field.name).flags.writeable = False


def simulate_customers(
    customers: Customers,
    steps: int,
    dt_days: float,
    *,
    margin: float = 0.0,
    discount_per_year: float = 0.0,
    rng: Seed = None,
) -> Cohort:
    """Run given customers, all alive at time 0, through ``steps`` steps of ``dt_days``.

    Examples
    --------
    >>> same = Customers(np.full(4, 1.0, np.float32), np.full(4, 1.0, np.float32))
    >>> cohort = simulate_customers(same, 30, 1.0, rng=2)  # each buys once, then drops out
    >>> cohort.purchases.tolist(), cohort.active.tolist(), int(cohort.per_step.sum())
    ([1, 1, 1, 1], [False, False, False, False], 4)
    """
    name = "simulate_customers"
    steps = check_int(steps, "steps", name, low=0)
    rng = np.random.default_rng(rng)
    size = customers.rate.size
    book = CustomerBook.empty(
        size, dt_days=dt_days, end_step=steps, margin=margin, discount_per_year=discount_per_year
    )
    activate(book, np.arange(size), customers, 0.0, rng=rng)
    per_step = np.zeros(steps, np.int64)
    for step in range(steps):
        per_step[step] = buy(book, step, rng=rng).size
    return Cohort(book.purchases, book.active, per_step, book.npv)


def simulate_cohort(
    model: BGNBD,
    customers: int,
    steps: int,
    dt_days: float,
    *,
    margin: float = 0.0,
    discount_per_year: float = 0.0,
    rng: Seed = None,
) -> Cohort:
    """Draw ``customers`` customers of ``model`` and run them from time 0 (BG/NBD).

    Customers and purchases draw from two streams spawned from ``rng``, so a change in how
    purchases are drawn leaves the customers as they were (common random numbers).

    Parameters
    ----------
    model : BGNBD
        Purchase rates and drop-out probabilities across customers.
    customers : int
        Cohort size, alive (and having made no repeat purchase) at time 0.
    steps : int
        Number of steps; the run covers ``[0, steps * dt_days)`` days.
    dt_days : float
        Step length in days.
    margin : float, default 0.0
        Margin per purchase (user input, e.g. 1.5 EUR for a bakery, MODEL-REVIEW G1).
    discount_per_year : float, default 0.0
        Discount rate per year, applied continuously: a margin at day ``t`` is worth
        ``(1 + d) ** (-t / 365.25)`` (the review's default d = 0.10 is an [assumption];
        Gupta, Lehmann & Stuart 2004 used about 12 %).
    rng : None, int, SeedSequence or Generator
        Seed of the run.

    Returns
    -------
    Cohort

    Examples
    --------
    >>> cohort = simulate_cohort(CDNOW, 10_000, 39, 7.0, rng=3)
    >>> round(float(cohort.purchases.mean()), 1)  # E[X(39 weeks)] = 1.197
    1.2
    """
    customer_rng, purchase_rng = np.random.default_rng(rng).spawn(2)
    drawn = draw_customers(customers, model, rng=customer_rng)
    return simulate_customers(
        drawn,
        steps,
        dt_days,
        margin=margin,
        discount_per_year=discount_per_year,
        rng=purchase_rng,
    )
