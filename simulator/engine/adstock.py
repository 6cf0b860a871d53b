"""Advertising response: ad stock, wear-out, frequency caps, carryover and walk-ins (G2).

Each paid medium with a :class:`simulator.config.MediumResponse` switched on keeps, per
person and replicate, an ad stock ``A`` that decays by ``lambda`` a step (stored lazily: the
stock and the step it was last updated). An impression that finds the stock at ``A``
converts with the channel's chance times ``w(A + 1)`` and adds 1 to it, so the ``k``-th of
``F`` impressions in one step, on a fresh person, weighs ``w(k)`` and a cohort converts with
``1 - prod_k (1 - pi w(k))`` (MODEL-REVIEW G2). People with a stock convert later at the
hazard ``strength x interest x zeta x A (1 - lambda)`` a step (carryover); a frequency
cap refuses impressions beyond ``F_cap`` per window and places them on people below it,
and what cannot be placed is not bought (unspent). Walk-ins are the baseline demand that
makes every channel's effect incremental.

State exists only for media whose response is on; off, the engine never calls this module,
so the previous model's draws are untouched. Work is proportional to the impressions
delivered and to the people holding a stock (the cap's redraws, when it binds, to the
channel's audience in the replicates concerned).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from simulator import config as cfg
from simulator.engine.adoption import AWARE, YEARS_PER_UNIT
from simulator.engine.channels import ChannelPlan, Delivery
from simulator.engine.messages import Exposures, bernoulli_positions, rank_within
from simulator.streams import stream

MEDIUM_OF_KIND = {"social_ads": "social", "newspaper": "newspaper", "advertising": "broadcast"}
"""Which :class:`simulator.config.AdvertisingResponse` entry answers for a channel kind."""

STOCK_FLOOR = 1e-3
"""A stock below this (after decay) is dropped: its remaining carryover is zeta x 1e-3 of
one impression's chance at most."""

COMPILED_ABOVE = 1_000
"""Passes over more elements use :mod:`simulator.engine.adstock_kernels` (the same values).
Lower than the engine's :data:`simulator.engine.messages.COMPILED_ABOVE`: the numpy forms
of the cap and the wear-out sort a step's impressions, which costs more within a few
days of a campaign than loading numba once (measured on the default run: 12.4-13.8 s
against 15.1-15.5 s in one process)."""

NEVER = np.iinfo(np.int32).min // 2
"""Step of an impression that never happened (the cap's ring starts full of them)."""


def medium_of(plan: ChannelPlan, scenario: cfg.Scenario) -> cfg.MediumResponse | None:
    """The response of a plan's medium, or None when the plan's kind has none (seeding, page).

    Examples
    --------
    >>> from simulator.config import default_scenario, SocialAds
    >>> plan = ChannelPlan("ads", 0, SocialAds(), 0, 0.1, np.zeros(0, np.int32),
    ...                    np.zeros(1, np.int64), np.zeros(1))
    >>> medium_of(plan, default_scenario()).enabled  # social ads: stock, wear-out, cap
    True
    """
    medium = MEDIUM_OF_KIND.get(plan.kind)
    return None if medium is None else getattr(scenario.response.advertising, medium)


def wear_weight(effective: np.ndarray, medium: cfg.MediumResponse) -> np.ndarray:
    """Wear-out ``w(n)`` of an impression that makes ``n`` effective exposures.

    Concave: ``exp(-(n - 1) / n_w)``. S-shape: ``(n / n_e) ** (kappa - 1)`` below ``n_e``,
    then ``exp(-(n - n_e) / n_w)`` (continuous at ``n_e``, where it is 1).

    Examples
    --------
    >>> concave = cfg.MediumResponse(wear_out=2.0)
    >>> wear_weight(np.array([1.0, 3.0]), concave).round(4).tolist()
    [1.0, 0.3679]
    >>> s_shape = cfg.MediumResponse(wear_out=2.0, shape="s_shape", kappa=2.0)
    >>> wear_weight(np.array([1.0, 3.0, 5.0]), s_shape).round(4).tolist()
    [0.3333, 1.0, 0.3679]
    """
    n = np.asarray(effective, np.float64)
    if medium.shape == "concave":
        return np.exp(-(n - 1.0) / medium.wear_out)
    top = medium.effective_frequency
    rising = (np.minimum(n, top) / top) ** (medium.kappa - 1.0)
    return rising * np.exp(-np.maximum(n - top, 0.0) / medium.wear_out)


def stock_decay(medium: cfg.MediumResponse, step_days: float) -> float:
    """``lambda = 0.5 ** (step_days / half_life)``; 0 with no half-life (gone by the next step).

    Examples
    --------
    >>> stock_decay(cfg.MediumResponse(half_life_days=2.0), 1.0) ** 2
    0.5000000000000001
    """
    if medium.half_life_days <= 0:
        return 0.0
    return 0.5 ** (step_days / medium.half_life_days)


@dataclass
class AdStock:
    """One channel's ad stock in a block (flat arrays, ``replicate * size + person``)."""

    plan: ChannelPlan
    medium: cfg.MediumResponse
    decay: float
    size: int
    stock: np.ndarray  # float64 stock after the last update
    last: np.ndarray  # int32 step of the last update
    holding: np.ndarray  # bool: in ``active``
    active: np.ndarray  # int64 flat indices holding a stock (for carryover)
    ring: np.ndarray | None  # int32 (flat, cap): steps of each person's last cap impressions
    ring_next: np.ndarray | None  # int8 next slot of the ring
    window: int  # cap window in steps
    rng_cap: np.random.Generator
    powers: np.ndarray = field(default_factory=lambda: np.ones(0))  # decay ** k, k = 0, 1, ...
    seen: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # kernel scratch

    @staticmethod
    def build(
        plan: ChannelPlan, medium: cfg.MediumResponse, scenario: cfg.Scenario, block: int, flat: int
    ) -> AdStock:
        cap = medium.frequency_cap
        step_days = scenario.simulation.step_days
        capped = math.isfinite(cap)
        return AdStock(
            plan,
            medium,
            stock_decay(medium, step_days),
            scenario.population.size,
            np.zeros(flat, np.float64),
            np.zeros(flat, np.int32),
            np.zeros(flat, bool),
            np.zeros(0, np.int64),
            np.full((flat, int(cap)), NEVER, np.int32) if capped else None,
            np.zeros(flat, np.int8) if capped else None,
            max(1, math.ceil(medium.cap_window_days / step_days - 1e-9)),
            stream(scenario.simulation.seed, f"cap/{plan.name}", block),
        )

    # ------------------------------------------------------------------ frequency cap

    def _admit(self, targets: np.ndarray, step: int) -> np.ndarray:
        """Which of ``targets`` (in order) fit under the cap; the ring records them."""
        ring, ring_next = self.ring, self.ring_next
        if ring is None or ring_next is None:  # pragma: no cover - called only when capped
            raise TypeError("no frequency cap")
        cap = ring.shape[1]
        if targets.size > COMPILED_ABOVE:  # the same answer, one pass and no sort
            from simulator.engine import adstock_kernels  # numba: only for large passes

            return adstock_kernels.admit_under_cap(
                ring, ring_next, targets, step, step - self.window
            )
        used = (ring[targets] > step - self.window).sum(axis=1)
        rank, _, _, _ = rank_within(targets)
        admitted = rank + used < cap
        people, slots = targets[admitted], rank[admitted]
        ring[people, (ring_next[people] + slots) % cap] = step
        distinct, counts = np.unique(people, return_counts=True)
        ring_next[distinct] = (ring_next[distinct] + counts) % cap
        return admitted

    def place(self, targets: np.ndarray, step: int, replicates: int) -> np.ndarray:
        """The impressions the cap lets through, redrawn among people below it.

        A draw that finds its person at the cap is drawn again uniformly among the
        audience members of its replicate who are below it; impressions that find nobody
        are dropped (not bought).
        """
        if self.ring is None:
            return targets
        admitted = self._admit(targets, step)
        placed = [targets[admitted]]
        pending = targets[~admitted]
        audience = self.plan.audience.astype(np.int64)
        cap = self.ring.shape[1]
        compiled = False
        if pending.size:
            # Every replicate with pending draws at once: its members' room under the cap,
            # gathered once and kept up to date; each pending draw then picks uniformly
            # among its own replicate's members with room (one call, not one a replicate).
            reps = np.flatnonzero(np.bincount(pending // self.size, minlength=replicates))
            row_of = np.full(replicates, -1, np.int64)  # a replicate's row among ``reps``
            row_of[reps] = np.arange(reps.size)
            compiled = reps.size * audience.size > COMPILED_ABOVE
            if compiled:  # the same rooms, without the copy of the ring
                from simulator.engine import adstock_kernels  # numba: only for large passes

                room = adstock_kernels.room_under_cap(
                    self.ring, reps, audience, self.size, step - self.window
                )
            else:
                people = (reps[:, None] * self.size + audience[None, :]).ravel()
                room = cap - (self.ring[people] > step - self.window).sum(axis=1)
        while pending.size:
            if compiled:
                open_flat, counts = adstock_kernels.open_members(room, audience.size, reps.size)
            else:
                open_flat = np.flatnonzero(room > 0)
                counts = np.bincount(open_flat // audience.size, minlength=reps.size)
            row = row_of[pending // self.size]  # a lookup, not a search per draw
            row = row[counts[row] > 0]
            if row.size == 0:
                break
            offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
            chosen = open_flat[offsets[row] + self.rng_cap.integers(0, counts[row])]
            pending = reps[chosen // audience.size] * self.size + audience[chosen % audience.size]
            admitted = self._admit(pending, step)
            room -= np.bincount(chosen[admitted], minlength=room.size)  # not ufunc.at: slow
            placed.append(pending[admitted])
            pending = pending[~admitted]
        return np.concatenate(placed)

    # ------------------------------------------------------------------ stock and wear-out

    def _decayed_by(self, exponents: np.ndarray) -> np.ndarray:
        """``decay ** exponents`` (integers >= 0), read from a table of the powers.

        The table is made by the same numpy power as the direct expression, so the
        values are the same; a lookup costs a fraction of a ``pow`` per person.
        """
        top = int(exponents.max()) if exponents.size else 0
        if top >= self.powers.size:
            self.powers = self.decay ** np.arange(max(top + 1, 2 * self.powers.size, 64))
        return self.powers[exponents]

    def wear(self, targets: np.ndarray, step: int) -> np.ndarray:
        """Wear-out weight of each impression (in order), and the stock they leave."""
        if targets.size > COMPILED_ABOVE:  # the same values, one pass and no sort
            from simulator.engine import adstock_kernels  # numba: only for large passes

            if self.seen.size != self.stock.size:
                self.seen = np.zeros(self.stock.size, np.int32)
            self._decayed_by(np.array([step]))  # the table covers every gap (<= step)
            effective, fresh = adstock_kernels.wear_pass(
                targets, self.stock, self.last, self.powers, step, self.holding, self.seen
            )
            self.active = np.concatenate([self.active, fresh])
            return wear_weight(effective, self.medium)
        rank, group, people, counts = rank_within(targets)
        decayed = self.stock[people] * self._decayed_by(step - self.last[people])
        effective = decayed[group] + rank + 1.0
        self.stock[people] = decayed + counts
        self.last[people] = step
        fresh = people[~self.holding[people]]
        self.holding[fresh] = True
        self.active = np.concatenate([self.active, fresh])
        return wear_weight(effective, self.medium)

    def carryover(self, step: int, state: np.ndarray) -> Exposures:
        """This step's delayed chances from the stock held at the end of the last step.

        The stock a person held after step ``t - 1`` releases ``A (1 - lambda)`` during
        step ``t``; over its life one unit releases 1, so ``carryover`` is the delayed
        share of the first impression's chance. Stocks under :data:`STOCK_FLOOR` and
        people who can no longer adopt leave the active set.
        """
        people = self.active
        if people.size == 0:
            return Exposures.empty()
        if people.size > COMPILED_ABOVE:  # the same stocks and releases, in one pass
            from simulator.engine import kernels  # numba: only for large passes

            self._decayed_by(np.array([step]))  # the table covers every gap (<= step)
            zeta = self.medium.carryover
            self.active, live, strength = kernels.carryover(
                people,
                self.last,
                self.stock,
                self.powers,
                self.decay,
                step,
                state,
                self.holding,
                STOCK_FLOOR,
                AWARE,
                self.plan.strength * zeta,
                zeta > 0,
            )
            if zeta <= 0:
                return Exposures.empty()
            return Exposures(
                live,
                strength,
                np.full(strength.size, self.plan.source, np.int8),
                np.full(strength.size, self.plan.index, np.int16),
                np.ones(strength.size, np.int8),
            )
        gap = step - self.last[people]
        held = self.stock[people] * self._decayed_by(np.maximum(gap - 1, 0))
        drop = (held * self.decay < STOCK_FLOOR) | (state[people] > AWARE)
        self.holding[people[drop]] = False
        self.active = people[~drop]
        zeta = self.medium.carryover
        if zeta <= 0:
            return Exposures.empty()
        released = held * (1.0 - self.decay)
        live = (gap >= 1) & (released > 0) & (state[people] <= AWARE)
        strength = (self.plan.strength * zeta * released[live]).astype(np.float32)
        return Exposures(
            people[live],
            strength,
            np.full(strength.size, self.plan.source, np.int8),
            np.full(strength.size, self.plan.index, np.int16),
            np.ones(strength.size, np.int8),
        )


class AdResponse:
    """Every channel's ad stock in a block, the walk-ins, and the budget a cap left unspent."""

    def __init__(
        self,
        scenario: cfg.Scenario,
        plans: tuple[ChannelPlan, ...],
        interest: np.ndarray,
        block: int,
        replicates: int,
    ) -> None:
        size = scenario.population.size
        self.reps = replicates
        self.size = size
        self.stocks: dict[int, AdStock] = {}
        for plan in plans:
            medium = medium_of(plan, scenario)
            if medium is not None and medium.enabled:
                self.stocks[plan.index] = AdStock.build(
                    plan, medium, scenario, block, replicates * size
                )
        self.unspent = np.zeros((replicates, len(plans)), np.float64)
        simulation = scenario.simulation
        years = simulation.dt * YEARS_PER_UNIT[simulation.time_unit]
        self.walk_in_rate = scenario.response.advertising.walk_ins_per_year * years
        self.interest = interest.astype(np.float64)
        self.mean_interest = max(float(self.interest.mean()), 1e-12) if size else 1.0
        self.rng_walk_in = stream(simulation.seed, "walk_ins", block)

    @staticmethod
    def needed(scenario: cfg.Scenario, plans: tuple[ChannelPlan, ...]) -> bool:
        """Whether any channel's medium, or the walk-ins, is switched on."""
        if not scenario.response.enabled:
            return False
        media = (medium_of(plan, scenario) for plan in plans)
        walk_ins = scenario.response.advertising.walk_ins_per_year > 0
        return walk_ins or any(m is not None and m.enabled for m in media)

    def respond(self, plan: ChannelPlan, delivery: Delivery, step: int) -> Delivery:
        """A channel's delivery under its cap and wear-out (unchanged if its medium is off)."""
        stock = self.stocks.get(plan.index)
        if stock is None:
            return delivery
        exposures = delivery.exposures
        wanted = exposures.target
        targets = stock.place(wanted, step, self.reps)
        per_replicate = np.bincount(targets // self.size, minlength=self.reps)
        impressions: int | np.ndarray = delivery.impressions
        cost: float | np.ndarray = delivery.cost
        if targets.size < wanted.size:  # the cap bound: fewer impressions bought
            unit = delivery.cost / delivery.impressions if delivery.impressions else 0.0
            missing = delivery.impressions - per_replicate
            self.unspent[:, plan.index] += missing * unit
            impressions, cost = per_replicate, delivery.cost - missing * unit
        weight = stock.wear(targets, step)
        strength = (plan.strength * weight).astype(np.float32)
        worn = Exposures(
            targets,
            strength,
            np.full(targets.size, plan.source, np.int8),
            np.full(targets.size, plan.index, np.int16),
            np.ones(targets.size, np.int8),
        )
        return replace(delivery, exposures=worn, impressions=impressions, cost=cost)

    def carryover(self, step: int, state: np.ndarray) -> list[Exposures]:
        """Each channel's delayed chances this step (see :meth:`AdStock.carryover`)."""
        return [stock.carryover(step, state) for stock in self.stocks.values()]

    def walk_ins(
        self,
        state: np.ndarray,
        boost: Callable[[np.ndarray], np.ndarray] | None = None,
        cap: float = 1.0,
    ) -> np.ndarray:
        """People who adopt this step with no message: flat indices, each open (<= AWARE).

        Person ``f`` walks in with ``1 - exp(-p_year dt interest_f / mean_interest)``;
        candidates are drawn at the highest interest's chance and thinned, so the work
        is proportional to the walk-ins, not to the people. ``boost``, if given, maps
        candidates to a multiplier of their rate, at most ``cap`` (the bound is drawn at
        ``cap`` whatever the step's multipliers, so that strategies stay paired).
        """
        if self.walk_in_rate <= 0 or state.size == 0:
            return np.zeros(0, np.int64)
        scale = self.walk_in_rate / self.mean_interest
        bound = -math.expm1(-scale * cap * float(self.interest.max()))
        if bound <= 0:
            return np.zeros(0, np.int64)
        candidate = bernoulli_positions(state.size, bound, self.rng_walk_in)
        rate = scale * self.interest[candidate % self.size]
        if boost is not None:
            rate = rate * np.minimum(boost(candidate), cap)
        chance = -np.expm1(-rate)
        keep = self.rng_walk_in.random(candidate.size) * bound < chance
        return candidate[keep & (state[candidate] <= AWARE)].astype(np.int64)

    def outputs(self) -> dict[str, np.ndarray]:
        """``unspent``: EUR per replicate and channel that a frequency cap left unbought.

        Walk-ins are the adoptions booked to the ``background`` source.
        """
        return {"unspent": self.unspent}
