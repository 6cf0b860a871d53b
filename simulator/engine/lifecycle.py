"""Customers inside a block: trials, activation and repeat purchases (MODEL-REVIEW G1).

Made by :mod:`simulator.engine.block` only when ``lifecycle.enabled``; when off, nothing
here is allocated or drawn and the block is the first-adoption model it always was.

In this first slice only the accounting of who is a customer changes: an adopter whose
adoption was tipped by a free sample is a *trial*, and becomes a customer with
probability ``trial_conversion_promoter`` (satisfied) or ``trial_conversion_detractor``
(dissatisfied), satisfaction being the block's own draw; any other adopter is a customer
at once. Word of mouth is untouched: a trialist who does not buy still talks with her
valence, exactly as every adopter does today.

Customers buy on the purchase calendar of :mod:`simulator.engine.purchases` (BG/NBD), from
the start of the step after the one that made them: a step costs work proportional to
its activations and purchases, never a scan of the block. Three new streams (named
``lifecycle/...``) draw conversions, customers and purchases, so no existing stream
changes.
"""

from __future__ import annotations

import math

import numpy as np

from simulator import config as cfg
from simulator.engine.purchases import (
    BAKERY,
    BGNBD,
    CDNOW,
    CustomerBook,
    activate,
    buy,
    draw_customers,
)
from simulator.results import LIFECYCLE_SERIES
from simulator.streams import stream

PRESETS: dict[str, BGNBD] = {"bakery": BAKERY, "cdnow": CDNOW}
"""The BG/NBD parameters behind ``lifecycle.preset``."""


BYTES_PER_PERSON = 29
"""The customer book per person and replicate: rate and drop-out (float32), next purchase
time and discounted margin (float64), purchases (int32), active (bool)."""


class CustomerLedger:
    """Customers of one block of ``replicates`` x ``size`` people; private to the engine."""

    def __init__(self, scenario: cfg.Scenario, block: int, replicates: int, size: int) -> None:
        life = scenario.lifecycle
        seed = scenario.simulation.seed
        simulation = scenario.simulation
        self.life = life
        self.model = PRESETS[life.preset]
        self.size = size
        self.reps = replicates
        self.dt_days = simulation.step_days
        self.rng_trial = stream(seed, "lifecycle/trial", block)
        self.rng_customers = stream(seed, "lifecycle/customers", block)
        self.rng_purchases = stream(seed, "lifecycle/purchases", block)
        self.book = CustomerBook.empty(
            replicates * size,
            dt_days=self.dt_days,
            end_step=simulation.steps,
            margin=life.margin_per_purchase,
            discount_per_year=life.discount_per_year,
        )
        steps = simulation.steps
        self.series = {
            name: np.zeros((replicates, steps + 1), np.int32) for name in LIFECYCLE_SERIES
        }
        self.active = np.zeros(replicates, np.int64)
        self.customers = np.zeros(replicates, np.int64)
        self.trials = np.zeros(replicates, np.int64)
        self.trial_customers = np.zeros(replicates, np.int64)
        self.purchases = np.zeros(replicates, np.int64)
        self._joining: np.ndarray | None = None  # the step's new customers, until step()

    def adopt(self, new: np.ndarray, satisfied: np.ndarray, trial: np.ndarray) -> None:
        """Count the step's adopters; trials (free samples) convert with their probability.

        Activation waits for :meth:`step`, after this step's purchases are taken.
        """
        n, reps = self.size, self.reps
        trialists = new[trial]
        if trialists.size:
            chance = np.where(
                satisfied[trial],
                self.life.trial_conversion_promoter,
                self.life.trial_conversion_detractor,
            )
            bought = self.rng_trial.random(trialists.size) < chance
            self.trials += np.bincount(trialists // n, minlength=reps)
            self.trial_customers += np.bincount(trialists[bought] // n, minlength=reps)
            joining = np.concatenate([new[~trial], trialists[bought]])
        else:
            joining = new
        self._joining = joining

    def step(self, step: int) -> None:
        """Take the purchases due at ``step``, then activate the step's new customers."""
        n, reps = self.size, self.reps
        bought = buy(self.book, step, rng=self.rng_purchases)
        if bought.size:
            self.series["purchases"][:, step + 1] = np.bincount(bought // n, minlength=reps)
            self.purchases += self.series["purchases"][:, step + 1]
            buyers = np.unique(bought)
            dropped = buyers[~self.book.active[buyers]]
            self.active -= np.bincount(dropped // n, minlength=reps)
        joining, self._joining = self._joining, None
        if joining is not None and joining.size:
            self.customers += np.bincount(joining // n, minlength=reps)
            self.active += np.bincount(joining // n, minlength=reps)
            customers = draw_customers(joining.size, self.model, rng=self.rng_customers)
            activate(self.book, joining, customers, self._next_start(step), rng=self.rng_purchases)
        self.series["active_customers"][:, step + 1] = self.active

    def _next_start(self, step: int) -> float:
        """The first instant of step ``step + 1``, in days, safe from rounding."""
        start = (step + 1) * self.dt_days
        while math.floor(start / self.dt_days) < step + 1:
            start = math.nextafter(start, math.inf)
        return start

    def quiet(self) -> bool:
        """No purchase is pending within the run: later steps change nothing here."""
        return len(self.book.calendar) == 0 and self._joining is None

    def hold(self, step: int) -> None:
        """Fill the series after ``step`` when a block ends early (nothing changes)."""
        self.series["active_customers"][:, step + 2 :] = self.active[:, None]

    def outputs(self) -> dict[str, np.ndarray]:
        n = self.size
        slots = np.flatnonzero(self.book.npv)  # only buyers have a margin: O(buyers) weights
        margin = np.bincount(slots // n, weights=self.book.npv[slots], minlength=self.reps)
        return {
            **self.series,
            "customers": self.customers,
            "trials": self.trials,
            "trial_customers": self.trial_customers,
            "revenue": self.purchases * self.life.price,
            "discounted_margin": margin,
        }
