"""Customers inside a block: trials, activation and repeat purchases (MODEL-REVIEW G1).

Made by :mod:`simulator.engine.block` only when ``lifecycle.enabled``; when off, nothing
here is allocated or drawn and the block is the first-adoption model it always was.

In this first slice only the accounting of who is a customer changes: an adopter whose
adoption was tipped by a free sample is a *trial*, and becomes a customer with
probability ``trial_conversion_promoter`` (satisfied) or ``trial_conversion_detractor``
(dissatisfied), satisfaction being the block's own draw, times min(1, interest / mean
interest) when ``trial_conversion_by_interest``; any other adopter is a customer at once. Each customer keeps her *acquisition source* (the source type of the exposure
that tipped her adoption: free sample, word of mouth, each medium) and channel, so that
customers, revenue and CLV can be split by them; the splits add up to the totals exactly
(the totals are their sums). A customer whose adoption a friend's message tipped (source
``word_of_mouth``) is *referred*: her drop-out probability after each purchase is
``referred_dropout_multiplier`` times the one drawn for her (Schmitt, Skiera & Van den
Bulte 2011; MODEL-REVIEW G1 and G6). Word of mouth is untouched: a trialist who does not buy still talks with her
valence, exactly as every adopter does today.

Customers buy on the purchase calendar of :mod:`simulator.engine.purchases` (BG/NBD), from
the start of the step after the one that made them: a step costs work proportional to
its activations and purchases, never a scan of the block. Three new streams (named
``lifecycle/...``) draw conversions, customers and purchases, so no existing stream
changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from simulator import config as cfg
from simulator.engine.messages import COMPILED_ABOVE, Exposures
from simulator.engine.purchases import (
    BAKERY,
    BGNBD,
    CDNOW,
    CustomerBook,
    PurchaseCalendar,
    activate,
    buy,
    draw_customers,
    erode_margin_uplift,
)
from simulator.results import LIFECYCLE_SERIES
from simulator.streams import stream

PRESETS: dict[str, BGNBD] = {"bakery": BAKERY, "cdnow": CDNOW}
"""The BG/NBD parameters behind ``lifecycle.preset``."""


BYTES_PER_PERSON = 36
"""The customer book per person and replicate: rate and drop-out (float32), next purchase
time and discounted margin (float64), purchases (int32), active (bool); acquisition
source (int8), channel (int16) and series column of acquisition (int32)."""

UPLIFT_BYTES_PER_PERSON = 20
"""The referred margin uplift, when on: uplift (float32), activation time and extra margin
(float64)."""

COHORT_DAYS = 30.0
"""The retention cohort: customers acquired by the end of this day (series column)."""

RETENTION_DAYS = 90.0
"""The day at which the cohort's retention is measured (or the horizon, if shorter)."""

SOURCES = len(cfg.SOURCE_TYPES)
FREE_SAMPLE = cfg.SOURCE_TYPES.index("free_sample")
WORD_OF_MOUTH = cfg.SOURCE_TYPES.index("word_of_mouth")
"""A friend's message: the acquisition source of a referred customer."""


class _MarginCalendar(PurchaseCalendar):
    """The book's calendar, which keeps the discounted margin of the slots it hands out.

    :func:`~simulator.engine.purchases.buy` takes a step's due slots from the calendar
    before it adds their margins; every later round of the step is a subset of them. So
    the step's discounted margin is ``npv[slots] - before``, gathered over the step's
    buyers only (O(purchases)), with no copy of ``npv`` per person.
    """

    def __init__(self, npv: np.ndarray, window: int) -> None:
        super().__init__(window)
        self.npv = npv
        self.slots = np.zeros(0, np.int64)
        self.before = np.zeros(0, np.float64)

    def due(self, step: int) -> np.ndarray:
        slots = super().due(step)
        self.slots, self.before = slots, self.npv[slots]
        return slots


class CustomerLedger:
    """Customers of one block of ``replicates`` x ``size`` people; private to the engine."""

    def __init__(
        self,
        scenario: cfg.Scenario,
        block: int,
        replicates: int,
        size: int,
        *,
        channels: int,
        interest: np.ndarray | None = None,
    ) -> None:
        life = scenario.lifecycle
        seed = scenario.simulation.seed
        simulation = scenario.simulation
        self.life = life
        # A trialist's conversion scales with her interest (MODEL-REVIEW G1), capped at 1.
        self.trial_scale: np.ndarray | None = None
        if life.trial_conversion_by_interest and interest is not None and interest.size:
            mean = float(interest.mean())
            if mean > 0:
                self.trial_scale = np.minimum(1.0, interest / mean)
        self.model = PRESETS[life.preset]
        self.size = size
        self.reps = replicates
        self.channels = channels  # column ``channels`` of the splits by channel: organic
        self.dt_days = simulation.step_days
        self.rng_trial = stream(seed, "lifecycle/trial", block)
        self.rng_customers = stream(seed, "lifecycle/customers", block)
        self.rng_purchases = stream(seed, "lifecycle/purchases", block)
        self.rng_win_back = stream(seed, "lifecycle/win_back", block)
        self.rng_cue = stream(seed, "lifecycle/cues", block)
        self.cue_purchases = np.zeros(replicates, np.int64)
        self.cues = False  # whether a page's posts add visits (the block sets it)
        self.lapsed_count = 0  # lapsed customers now, in every replicate together
        self.won_back = np.zeros(replicates, np.int64)
        self._returning: np.ndarray | None = None
        self.book = CustomerBook.empty(
            replicates * size,
            dt_days=self.dt_days,
            end_step=simulation.steps,
            margin=life.margin_per_purchase,
            discount_per_year=life.discount_per_year,
        )
        self.calendar = _MarginCalendar(self.book.npv, self.book.calendar.window)
        self.book.calendar = self.calendar  # nothing is filed yet: a like-for-like swap
        if life.referred_margin_uplift > 0:
            erode_margin_uplift(self.book, days=life.referred_margin_decay_days)
        steps = simulation.steps
        self.series = {
            name: np.zeros((replicates, steps + 1), np.float64 if name == "margin" else np.int32)
            for name in LIFECYCLE_SERIES
        }
        # Retention: the cohort is the customers of series columns 1..cohort_column (day
        # <= COHORT_DAYS); their active flags are counted at retention_column.
        self.cohort_column = int(math.floor(COHORT_DAYS / self.dt_days + 1e-9))
        self.retention_column = min(steps, int(math.ceil(RETENTION_DAYS / self.dt_days - 1e-9)))
        self._cohort: list[np.ndarray] = []
        self._cohort_alive = np.zeros(replicates, np.int64)  # the retention curve, now
        self.cohort_retained: np.ndarray | None = None
        self.active = np.zeros(replicates, np.int64)
        self.customers = np.zeros(replicates, np.int64)
        self.trials = np.zeros(replicates, np.int64)
        self.trial_customers = np.zeros(replicates, np.int64)
        self.purchases = np.zeros(replicates, np.int64)
        # Read only at customers' slots: zeros cost nothing until written (calloc).
        self.source = np.zeros(replicates * size, np.int8)
        self.channel = np.zeros(replicates * size, np.int16)
        self.joined = np.zeros(replicates * size, np.int32)  # series column; 0: never
        self.customers_by_source = np.zeros((replicates, SOURCES), np.int64)
        self.customers_by_channel = np.zeros((replicates, channels + 1), np.int64)
        # Multipliers of a person's trial conversion and of a new customer's purchase rate
        # (the shown rating, issue 15): set by the block when reputation is on.
        self.conversion: Callable[[np.ndarray], np.ndarray] | None = None
        self.repeat: Callable[[np.ndarray], np.ndarray] | None = None
        # The step's new customers with their source and channel, until step().
        self._joining: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def adopt(
        self, new: np.ndarray, satisfied: np.ndarray, source: np.ndarray, channel: np.ndarray
    ) -> None:
        """Count the step's adopters; trials (free samples) convert with their probability.

        ``source`` and ``channel`` are those of each adopter's tipping exposure (channel
        -1: organic). Activation waits for :meth:`step`, after this step's purchases.
        """
        n, reps = self.size, self.reps
        trial = source == FREE_SAMPLE
        trialists = new[trial]
        if trialists.size:
            chance = np.where(
                satisfied[trial],
                self.life.trial_conversion_promoter,
                self.life.trial_conversion_detractor,
            )
            if self.trial_scale is not None:
                chance = chance * self.trial_scale[trialists % n]
            if self.conversion is not None:
                chance = np.minimum(chance * self.conversion(trialists), 1.0)
            bought = self.rng_trial.random(trialists.size) < chance
            self.trials += np.bincount(trialists // n, minlength=reps)
            self.trial_customers += np.bincount(trialists[bought] // n, minlength=reps)
            keep = np.concatenate([np.flatnonzero(~trial), np.flatnonzero(trial)[bought]])
            self._joining = new[keep], source[keep], channel[keep]
        else:
            self._joining = new, source, channel

    def lapsed(self, people: np.ndarray) -> np.ndarray:
        """Which of ``people`` are lapsed customers (made customers, then dropped out)."""
        return (self.joined[people] > 0) & ~self.book.active[people]

    def win_back(self, exposures: Exposures, interest: np.ndarray) -> None:
        """Exposures that reach lapsed customers may win them back (``win_back``).

        A positive exposure wins back with p = strength x interest x ``win_back``, the
        independent rule's chance scaled down, with its own stream: the adoption rule
        never sees lapsed customers, so first adoptions stay exactly as without win-back.
        Those who come back buy again from the next step with a new rate and drop-out;
        they are not new customers. O(exposures) only while someone is lapsed.
        """
        if self.lapsed_count == 0 or self.life.win_back == 0 or exposures.target.size == 0:
            return
        if exposures.target.size > COMPILED_ABOVE:  # the same positions, in one pass
            from simulator.engine import kernels  # numba: only for large passes

            hit = kernels.lapsed_hits(
                exposures.valence, exposures.target, self.joined, self.book.active
            )
        else:
            hit = np.flatnonzero((exposures.valence > 0) & self.lapsed(exposures.target))
        if hit.size == 0:
            return
        target = exposures.target[hit]
        chance = exposures.strength[hit] * interest[target % self.size] * self.life.win_back
        won = target[self.rng_win_back.random(hit.size) < chance]
        if won.size:
            won = np.unique(won)
            self._returning = won if self._returning is None else np.union1d(self._returning, won)

    def step(
        self, step: int, exposures: Exposures | None = None, interest: np.ndarray | None = None
    ) -> np.ndarray:
        """End ``step``: the lapsed customers its ``exposures`` win back (see
        :meth:`win_back`), the purchases due, then the activation of the step's new
        customers and of those won back; return the customers who bought (each once)."""
        if exposures is not None and interest is not None:
            self.win_back(exposures, interest)
        n, reps = self.size, self.reps
        bought = buy(self.book, step, rng=self.rng_purchases)
        buyers = np.zeros(0, np.int64)
        if bought.size:
            self.series["purchases"][:, step + 1] = np.bincount(bought // n, minlength=reps)
            self.purchases += self.series["purchases"][:, step + 1]
            first = self.calendar.slots  # each buyer once: later rounds are subsets
            gain = self.book.npv[first] - self.calendar.before
            self.series["margin"][:, step + 1] = np.bincount(
                first // n, weights=gain, minlength=reps
            )
            buyers = self.calendar.slots  # each buyer once: later rounds are subsets
            dropped = buyers[~self.book.active[buyers]]
            self.active -= np.bincount(dropped // n, minlength=reps)
            left = dropped[self.joined[dropped] <= self.cohort_column]  # joined >= 1 here
            self._cohort_alive -= np.bincount(left // n, minlength=reps)
            self.lapsed_count += dropped.size
        joining, self._joining = self._joining, None
        if joining is not None and joining[0].size:
            people, source, channel = joining
            self._acquire(people, source, channel)
            self.joined[people] = step + 1
            if step + 1 <= self.cohort_column:
                self._cohort.append(people)
                self._cohort_alive += np.bincount(people // n, minlength=reps)
            customers = draw_customers(people.size, self.model, rng=self.rng_customers)
            multiplier = self.life.referred_dropout_multiplier
            if multiplier != 1.0:  # referred customers churn less (Schmitt et al. 2011)
                referred = source == WORD_OF_MOUTH
                lowered = customers.dropout[referred] * np.float32(multiplier)
                customers.dropout[referred] = np.minimum(lowered, np.float32(1.0))
            if self.repeat is not None:  # searchers buy more often at a better rating
                customers.rate[:] *= self.repeat(people).astype(np.float32)
            activate(self.book, people, customers, self._next_start(step), rng=self.rng_purchases)
            if self.book.uplift is not None:  # ... and are worth more at first (Schmitt et al.)
                referred = people[source == WORD_OF_MOUTH]
                self.book.uplift[referred] = np.float32(self.life.referred_margin_uplift)
        returning, self._returning = self._returning, None
        if returning is not None:
            self._come_back(returning, step)
        self.series["active_customers"][:, step + 1] = self.active
        self.series["cohort_active"][:, step + 1] = self._cohort_alive
        if step + 1 == self.retention_column:
            self.cohort_retained = self._count_retained()
        return buyers

    def cue(self, step: int, people: np.ndarray, days: float) -> None:
        """Extra visits in ``step`` of ``people`` (flat, distinct) whose rate a post raised.

        A customer still active buys once more with probability min(1, ``days`` x rate),
        ``days`` the lift times the days it lasts: the expected extra purchases of a
        Poisson rate raised by the lift over those days. The visit is counted and its
        margin discounted at a uniform instant of the step; it is not followed by a
        drop-out draw, and her scheduled purchases are unchanged (the memoryless clock).
        Work: O(people).
        """
        book = self.book
        people = people[book.active[people]]
        if people.size == 0 or days <= 0:
            return
        chance = np.minimum(1.0, days * book.rate[people].astype(np.float64))
        draws = self.rng_cue.random(2 * people.size)
        extra = people[draws[: people.size] < chance]
        if extra.size == 0:
            return
        n, reps = self.size, self.reps
        times = (step + draws[people.size :][: extra.size]) * self.dt_days
        book.purchases[extra] += 1
        gain = book.margin * np.exp(-book.discount_per_day * times)
        book.npv[extra] += gain
        made = np.bincount(extra // n, minlength=reps)
        self.cue_purchases += made
        self.purchases += made
        self.series["purchases"][:, step + 1] += made
        self.series["margin"][:, step + 1] += np.bincount(extra // n, weights=gain, minlength=reps)

    def _come_back(self, people: np.ndarray, step: int) -> None:
        """Activate won-back customers (distinct: each was lapsed, hence chosen once)."""
        n, reps = self.size, self.reps
        customers = draw_customers(people.size, self.model, rng=self.rng_win_back)
        activate(self.book, people, customers, self._next_start(step), rng=self.rng_win_back)
        if self.book.uplift is not None:  # the referred margin uplift was for the first spell
            self.book.uplift[people] = 0.0
        rep = people // n
        self.lapsed_count -= people.size
        self.won_back += np.bincount(rep, minlength=reps)
        self.active += np.bincount(rep, minlength=reps)
        cohort = people[self.joined[people] <= self.cohort_column]
        self._cohort_alive += np.bincount(cohort // n, minlength=reps)

    def _extra(self) -> np.ndarray:
        """Referred customers' undiscounted extra margin, per replicate (0 when off)."""
        if self.book.extra is None:
            return np.zeros(self.reps)
        slots = np.flatnonzero(self.book.extra)
        weights = self.book.extra[slots]
        return np.bincount(slots // self.size, weights=weights, minlength=self.reps)

    def _count_retained(self) -> np.ndarray:
        """Cohort customers active now, per replicate: O(cohort)."""
        if not self._cohort:
            return np.zeros(self.reps, np.int64)
        cohort = np.concatenate(self._cohort)
        kept = cohort[self.book.active[cohort]]
        return np.bincount(kept // self.size, minlength=self.reps).astype(np.int64)

    def _acquire(self, people: np.ndarray, source: np.ndarray, channel: np.ndarray) -> None:
        """Count new customers, and keep each one's acquisition source and channel."""
        n, reps = self.size, self.reps
        rep = people // n
        column = np.where(channel >= 0, channel, self.channels).astype(np.int16)
        self.source[people] = source
        self.channel[people] = column
        self.customers += np.bincount(rep, minlength=reps)
        self.active += np.bincount(rep, minlength=reps)
        self.customers_by_source += _split(rep, source, SOURCES, reps)
        self.customers_by_channel += _split(rep, column, self.channels + 1, reps)

    def _next_start(self, step: int) -> float:
        """The first instant of step ``step + 1``, in days, safe from rounding."""
        start = (step + 1) * self.dt_days
        while math.floor(start / self.dt_days) < step + 1:
            start = math.nextafter(start, math.inf)
        return start

    def quiet(self) -> bool:
        """No purchase is pending within the run: later steps change nothing here."""
        return len(self.book.calendar) == 0 and self._joining is None and self._returning is None

    def hold(self, step: int) -> None:
        """Fill the series after ``step`` when a block ends early (nothing changes)."""
        self.series["active_customers"][:, step + 2 :] = self.active[:, None]
        self.series["cohort_active"][:, step + 2 :] = self._cohort_alive[:, None]

    def outputs(self) -> dict[str, np.ndarray]:
        """Series, totals and their splits by acquisition source and channel.

        Revenue and discounted margin are summed by source first; the totals are the
        sums of those splits, so the splits by source add up to them exactly.
        """
        reps, book = self.reps, self.book
        cohort = sum(
            (np.bincount(c // self.size, minlength=reps) for c in self._cohort),
            np.zeros(reps, np.int64),
        )
        # A block that ended early (quiet) changes nothing after: count now.
        retained = self._count_retained() if self.cohort_retained is None else self.cohort_retained
        slots = np.flatnonzero(book.purchases)  # only buyers have a margin: O(buyers) weights
        rep = slots // self.size
        purchases = book.purchases[slots].astype(np.float64)
        margin = book.npv[slots]
        splits: dict[str, np.ndarray] = {}
        for kind, groups, count in (
            ("source", self.source, SOURCES),
            ("channel", self.channel, self.channels + 1),
        ):
            group = groups[slots]
            bought = _split(rep, group, count, reps, purchases).astype(np.int64)
            splits[f"customers_by_{kind}"] = getattr(self, f"customers_by_{kind}")
            splits[f"revenue_by_{kind}"] = bought * self.life.price
            splits[f"discounted_margin_by_{kind}"] = _split(rep, group, count, reps, margin)
        return {
            **self.series,
            "customers": self.customers,
            "trials": self.trials,
            "trial_customers": self.trial_customers,
            "revenue": splits["revenue_by_source"].sum(axis=1),
            "discounted_margin": splits["discounted_margin_by_source"].sum(axis=1),
            "margin_total": self.purchases * self.life.margin_per_purchase + self._extra(),
            "cohort_customers": cohort,
            "cohort_retained": retained,
            "won_back": self.won_back,
            **({"cue_purchases": self.cue_purchases} if self.cues else {}),
            **splits,
        }


def _split(
    rep: np.ndarray,
    group: np.ndarray,
    count: int,
    reps: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """A (reps, count) table of the entries (or their ``weights``) by replicate and group."""
    cells = rep * count + group.astype(np.int64)
    table = np.bincount(cells, weights=weights, minlength=reps * count)
    return table.reshape(reps, count)
