"""Adoption rules: who adopts (or rejects) after a step's exposures, and what tipped them.

Each rule reduces exactly to its classic form (see the rule classes in
:mod:`simulator.config`): ``independent`` to the independent cascade, ``threshold`` to the
linear threshold model, ``bass`` to the Bass (1969) model on a well-mixed population.
:data:`RULES` holds the one function per rule kind that the engine calls each step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.config import SOURCE_TYPES
from simulator.engine.messages import COMPILED_ABOVE, Exposures, bernoulli_positions

UNAWARE, AWARE, REJECTER, PROMOTER, DETRACTOR = 0, 1, 2, 3, 4
"""Person states; adopters are PROMOTER or DETRACTOR."""

BACKGROUND = SOURCE_TYPES.index("background")
WORD_OF_MOUTH = SOURCE_TYPES.index("word_of_mouth")

YEARS_PER_UNIT: dict[str, float] = {
    "day": 1.0 / 365.25,
    "week": 7.0 / 365.25,
    "month": 1.0 / 12.0,
    "year": 1.0,
}
"""Years in one :attr:`simulator.config.Simulation.time_unit` (365.25 days a year, as in
:attr:`~simulator.config.Simulation.step_days`); the bass rule's p and q are per year."""


@dataclass(frozen=True)
class Decision:
    """Outcome of one step: new adopters with what tipped them, and new rejecters.

    For each adopter, ``source`` and ``channel`` say what tipped them and ``exposure`` is
    the position of the tipping message in the step's :class:`Exposures` (the arrays the
    rule was given), or -1 when no message did (the bass rule's background hazard and
    word-of-mouth share).
    """

    adopters: np.ndarray
    source: np.ndarray
    channel: np.ndarray
    exposure: np.ndarray
    rejecters: np.ndarray

    @staticmethod
    def none() -> Decision:
        empty = np.zeros(0, np.int64)
        return Decision(empty, np.zeros(0, np.int8), np.zeros(0, np.int16), empty, empty)


def open_exposures(exposures: Exposures, state: np.ndarray) -> tuple[Exposures, np.ndarray | None]:
    """Exposures whose receiver can still adopt (unaware or aware), and which were kept.

    The mask is None when every exposure was kept; :func:`in_step` maps positions among
    the kept exposures back to the step's.
    """
    keep = state[exposures.target] <= AWARE
    if keep.all():
        return exposures, None
    return exposures.take(keep), keep


def in_step(kept: np.ndarray | None, position: np.ndarray) -> np.ndarray:
    """Positions among the exposures ``kept`` by :func:`open_exposures`, as the step's."""
    return position if kept is None else np.flatnonzero(kept)[position]


def first_per_target(target: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Index of the smallest ``key`` for each distinct ``target``."""
    order = np.lexsort((key, target))
    sorted_target = target[order]
    first = np.ones(order.size, bool)
    first[1:] = sorted_target[1:] != sorted_target[:-1]
    return order[first]


def independent(
    exposures: Exposures,
    state: np.ndarray,
    interest: np.ndarray,
    negative_impact: float,
    *,
    rng: np.random.Generator,
    per_exposure: bool = False,
    slot: Callable[[], np.ndarray] | None = None,
) -> Decision:
    """Each exposure succeeds with p = strength x interest (x negative_impact if negative).

    P(adopt in a step) = 1 - prod(1 - p_e) over positive exposures. When several exposures
    succeed, the one that tipped the person is the first in a uniformly random order; if
    it is negative, the person rejects the product instead.

    Successes are found by thinning, in O(exposures x bound) random numbers: candidates
    are the successes of Bernoulli(bound) trials, ``bound`` the largest p possible in the
    step (interest is at most 1), and a candidate succeeds with probability p / bound.
    ``per_exposure=True`` draws one uniform per exposure instead, the reference the
    thinning is tested against (same distribution, other draws). ``slot``, when given,
    returns a work array of -1 per flat index that lets large steps pick the tipping
    messages in compiled code (:mod:`simulator.engine.kernels`, the same winners).

    Examples
    --------
    >>> state = np.zeros(3, np.int8)
    >>> sure = Exposures.uniform(np.array([0, 2]), 1.0, source=0, channel=-1)
    >>> independent(sure, state, np.ones(3, np.float32), 1.0,
    ...             rng=np.random.default_rng(0)).adopters.tolist()
    [0, 2]
    """
    count = exposures.target.size
    if count == 0:
        return Decision.none()
    size = interest.size
    kept = None  # the fast path indexes the step's exposures themselves
    if per_exposure:
        exposures, kept = open_exposures(exposures, state)
        scale = np.where(exposures.valence > 0, 1.0, negative_impact)
        p = np.minimum(exposures.strength * interest[exposures.target % size] * scale, 1.0)
        success = np.flatnonzero(rng.random(p.size) < p)
    else:
        louder = max(1.0, negative_impact) if (exposures.valence < 0).any() else 1.0
        bound = min(1.0, float(exposures.strength.max()) * louder)
        if bound <= 0.0:
            return Decision.none()
        if bound < 0.5:
            candidate = bernoulli_positions(count, bound, rng)
        else:  # thinning saves little: every exposure is a candidate
            candidate, bound = np.arange(count), 1.0
        if candidate.size > COMPILED_ABOVE:
            from simulator.engine import kernels  # numba: only for large steps

            # the same candidates and successes as below, without temporary arrays
            candidate = kernels.open_candidates(candidate, exposures.target, state, AWARE)
            success = kernels.thinned_successes(
                candidate,
                rng.random(candidate.size),
                bound,
                exposures.target,
                exposures.strength,
                exposures.valence,
                interest,
                size,
                float(negative_impact),
            )
        else:
            candidate = candidate[state[exposures.target[candidate]] <= AWARE]
            target = exposures.target[candidate]
            scale = np.where(exposures.valence[candidate] > 0, 1.0, negative_impact)
            p = np.minimum(exposures.strength[candidate] * interest[target % size] * scale, 1.0)
            success = candidate[rng.random(candidate.size) * bound < p]
    if success.size == 0:
        return Decision.none()
    order = rng.random(success.size)  # a uniformly random order among the successes
    if slot is not None and success.size > COMPILED_ABOVE:
        from simulator.engine import kernels  # numba: only for large steps

        first = kernels.first_per_target(exposures.target[success], order, slot())
    else:
        first = first_per_target(exposures.target[success], order)
    winner = success[first]
    positive = exposures.valence[winner] > 0
    won = winner[positive]
    return Decision(
        exposures.target[won],
        exposures.source[won],
        exposures.channel[won],
        in_step(kept, won),
        exposures.target[winner[~positive]],
    )


def threshold(
    exposures: Exposures,
    state: np.ndarray,
    interest: np.ndarray,
    negative_impact: float,
    conviction: np.ndarray,
    thresholds: np.ndarray,
) -> Decision:
    """Add each exposure's strength x interest to conviction (negative ones subtract).

    A person adopts when conviction reaches their threshold; the exposure that tipped
    them is the largest positive one they received in that step. ``conviction`` is updated
    in place (decay is applied by the engine before the step).

    Examples
    --------
    >>> state = np.zeros(2, np.int8); conviction = np.zeros(2, np.float32)
    >>> push = Exposures.uniform(np.array([0, 0, 1]), 0.3, source=0, channel=-1)
    >>> threshold(push, state, np.ones(2, np.float32), 1.0, conviction,
    ...           np.array([0.5, 0.5], np.float32)).adopters.tolist()
    [0]
    """
    exposures, kept = open_exposures(exposures, state)
    if exposures.target.size == 0:
        return Decision.none()
    size = interest.size
    scale = np.where(exposures.valence > 0, 1.0, -negative_impact)
    push = (exposures.strength * interest[exposures.target % size] * scale).astype(np.float32)
    np.add.at(conviction, exposures.target, push)
    # Only the exposures of people whose conviction crossed can have tipped anyone.
    candidates = np.flatnonzero(conviction[exposures.target] >= thresholds[exposures.target])
    best = candidates[first_per_target(exposures.target[candidates], -push[candidates])]
    crossed = best[push[best] > 0]
    return Decision(
        exposures.target[crossed],
        exposures.source[crossed],
        exposures.channel[crossed],
        in_step(kept, crossed),
        np.zeros(0, np.int64),
    )


def bass(
    exposures: Exposures,
    state: np.ndarray,
    interest: np.ndarray,
    share: np.ndarray,
    p: float,
    q: float,
    dt: float,
    *,
    rng: np.random.Generator,
) -> Decision:
    """Hazard h = p + q x share; P(adopt) = 1 - exp(-h dt) x prod(1 - p_e) over exposures.

    ``p`` and ``q`` are rates per year and ``dt`` is the step length in years.
    ``share`` is the trust-weighted share of talking adopters among each person's contacts
    (negative word of mouth already subtracted). Exposures from channels add their own
    independent chances p_e = strength x interest. The tipping source is drawn in
    proportion to each part's hazard: background (p), word of mouth (q x share), or the
    channel exposure with the largest chance.

    Examples
    --------
    >>> state = np.zeros(4, np.int8)
    >>> d = bass(Exposures.empty(), state, np.ones(4, np.float32), np.zeros(4), p=50.0,
    ...          q=0.0, dt=1.0, rng=np.random.default_rng(0))
    >>> d.adopters.tolist(), set(d.source.tolist()) == {BACKGROUND}
    ([0, 1, 2, 3], True)
    """
    size = interest.size
    base = (p + q * share) * dt
    hazard = base.copy()
    exposures, kept = open_exposures(exposures, state)
    if exposures.target.size:
        chance = np.minimum(exposures.strength * interest[exposures.target % size], 1 - 1e-7)
        channel_hazard = -np.log1p(-chance)
        np.add.at(hazard, exposures.target, channel_hazard)
    adopt = np.flatnonzero((state <= AWARE) & (rng.random(state.size) < -np.expm1(-hazard)))
    if adopt.size == 0:
        return Decision.none()
    draw = rng.random(adopt.size) * hazard[adopt]
    source = np.where(draw < p * dt, BACKGROUND, WORD_OF_MOUTH).astype(np.int8)
    channel = np.full(adopt.size, -1, np.int16)
    exposure = np.full(adopt.size, -1, np.int64)
    by_channel = np.flatnonzero(draw >= base[adopt])
    if by_channel.size and exposures.target.size:
        best = first_per_target(exposures.target, -channel_hazard)  # sorted by target
        pick = best[np.searchsorted(exposures.target[best], adopt[by_channel])]
        source[by_channel] = exposures.source[pick]
        channel[by_channel] = exposures.channel[pick]
        exposure[by_channel] = in_step(kept, pick)
    return Decision(adopt.astype(np.int64), source, channel, exposure, np.zeros(0, np.int64))


def bass_by_counts(
    exposures: Exposures,
    state: np.ndarray,
    interest: np.ndarray,
    open_count: np.ndarray,
    share: np.ndarray,
    p: float,
    q: float,
    dt: float,
    *,
    rng: np.random.Generator,
) -> Decision:
    """The bass rule when every layer is well mixed, in O(adoptions + exposures).

    ``share`` is one number per replicate (everyone in replicate ``r`` has the same
    share of talking contacts), so everyone open in ``r`` has the same word-of-mouth
    hazard ``h_r`` and P(adopt) = 1 - exp(-h_r dt) x prod(1 - p_e) splits into two
    independent events: a Binomial(open_r, 1 - exp(-h_r dt)) count of people drawn
    uniformly among the open, and each exposed person's own channel chances. The tipping
    source is then drawn in proportion to each part's hazard, as in :func:`bass`.
    ``p`` and ``q`` are rates per year and ``dt`` is the step length in years.

    Examples
    --------
    >>> state = np.zeros(4, np.int8)
    >>> d = bass_by_counts(Exposures.empty(), state, np.ones(2, np.float32), np.array([2, 2]),
    ...                    np.zeros(2), p=50.0, q=0.0, dt=1.0, rng=np.random.default_rng(0))
    >>> sorted(d.adopters.tolist())
    [0, 1, 2, 3]
    """
    n = interest.size
    base = (p + q * share) * dt  # hazard per replicate
    counts = rng.binomial(open_count, -np.expm1(-base))
    background = _uniform_open(counts, state, n, open_count, rng)
    exposures, kept = open_exposures(exposures, state)
    if exposures.target.size == 0:
        adopters = background
        hazard = base[adopters // n]
    else:
        chance = np.minimum(exposures.strength * interest[exposures.target % n], 1 - 1e-7)
        channel_hazard = -np.log1p(-chance)
        exposed, inverse = np.unique(exposures.target, return_inverse=True)
        own = np.bincount(inverse, weights=channel_hazard, minlength=exposed.size)
        hit = exposed[rng.random(exposed.size) < -np.expm1(-own)]
        adopters = np.union1d(background, hit)
        hazard = base[adopters // n]
        where = np.searchsorted(exposed, adopters)
        where = np.minimum(where, exposed.size - 1)
        is_exposed = exposed[where] == adopters
        hazard[is_exposed] += own[where[is_exposed]]
    if adopters.size == 0:
        return Decision.none()
    draw = rng.random(adopters.size) * hazard
    source = np.where(draw < p * dt, BACKGROUND, WORD_OF_MOUTH).astype(np.int8)
    channel = np.full(adopters.size, -1, np.int16)
    exposure = np.full(adopters.size, -1, np.int64)
    by_channel = np.flatnonzero(draw >= base[adopters // n])
    if by_channel.size and exposures.target.size:
        best = first_per_target(exposures.target, -channel_hazard)
        pick = best[np.searchsorted(exposures.target[best], adopters[by_channel])]
        source[by_channel] = exposures.source[pick]
        channel[by_channel] = exposures.channel[pick]
        exposure[by_channel] = in_step(kept, pick)
    return Decision(adopters.astype(np.int64), source, channel, exposure, np.zeros(0, np.int64))


def _uniform_open(
    counts: np.ndarray,
    state: np.ndarray,
    n: int,
    open_count: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """``counts[r]`` distinct open people drawn uniformly in each replicate ``r``.

    Uniform draws of anyone, keeping the open ones in order of first appearance
    (a uniformly random order of the open), cost O(counts x size / open): about the
    adopters the step would have if everyone were open.
    """
    need = counts.astype(np.int64)
    chosen = [np.zeros(0, np.int64)]
    while need.any():
        reps = np.flatnonzero(need)
        draws = np.ceil(need[reps] * n / open_count[reps] * 1.5).astype(np.int64) + 16
        candidate = np.repeat(reps * n, draws) + rng.integers(0, n, draws.sum())
        candidate = candidate[state[candidate] <= AWARE]
        _, first = np.unique(candidate, return_index=True)
        candidate = candidate[np.sort(first)]  # distinct, in order of first draw
        if len(chosen) > 1:
            candidate = candidate[~np.isin(candidate, np.concatenate(chosen))]
        rep = candidate // n
        group_start = np.searchsorted(rep, rep)  # candidates are grouped by replicate
        keep = candidate[np.arange(rep.size) - group_start < need[rep]]
        chosen.append(keep)
        need -= np.bincount(keep // n, minlength=open_count.size)
    return np.concatenate(chosen)


# --------------------------------------------------------------------------- one entry per rule kind


@dataclass
class ThresholdMemory:
    """Conviction accumulated so far, and each person's threshold (flat, per replicate)."""

    conviction: np.ndarray  # float32, updated in place by the rule
    thresholds: np.ndarray  # float32


@dataclass(frozen=True)
class BassContacts:
    """Trust-weighted talking contacts under the bass rule, kept up to date by the engine.

    ``numerator`` is per person and replicate (None when every layer is well mixed and the
    rule draws adoptions from counts); ``well_mixed`` is per replicate, what the
    well-mixed layers add to everyone; ``denominator`` is per person of the town.
    """

    numerator: np.ndarray | None
    well_mixed: np.ndarray
    denominator: np.ndarray


@dataclass(frozen=True)
class Step:
    """What a rule sees in one step of a block; the arrays are the engine's.

    ``state`` is flat (``replicate * size + person``), ``interest`` per person,
    ``open_count`` per replicate (people who can still adopt). ``memory`` is the rule's
    own: :class:`ThresholdMemory` for ``threshold``, :class:`BassContacts` for ``bass``.
    ``reference`` asks for the reference draws the fast paths are tested against.
    ``dt`` is in ``time_unit`` (the simulation's); :attr:`step_years` is the same length
    in years, the unit of the bass rule's p and q.
    """

    exposures: Exposures
    state: np.ndarray
    interest: np.ndarray
    open_count: np.ndarray
    negative_impact: float
    dt: float
    memory: ThresholdMemory | BassContacts | None
    rng: np.random.Generator
    reference: bool = False
    time_unit: str = field(kw_only=True)
    slot: Callable[[], np.ndarray] | None = field(default=None, kw_only=True)

    @property
    def step_years(self) -> float:
        """Length of one step in years."""
        # "year" multiplies by exactly 1.0, so yearly scenarios keep their bytes.
        return self.dt * YEARS_PER_UNIT[self.time_unit]


def _independent_rule(rule: cfg.IndependentRule, step: Step) -> Decision:
    return independent(
        step.exposures,
        step.state,
        step.interest,
        step.negative_impact,
        rng=step.rng,
        per_exposure=step.reference,
        slot=step.slot,
    )


def _threshold_rule(rule: cfg.ThresholdRule, step: Step) -> Decision:
    memory = step.memory
    if not isinstance(memory, ThresholdMemory):
        raise TypeError(f"the threshold rule needs a ThresholdMemory, got {memory!r}")
    if rule.decay > 0:
        memory.conviction *= np.float32(1.0 - rule.decay)
    return threshold(
        step.exposures,
        step.state,
        step.interest,
        step.negative_impact,
        memory.conviction,
        memory.thresholds,
    )


def _bass_rule(rule: cfg.BassRule, step: Step) -> Decision:
    # p and q are per year whatever the step: the hazard of one step is (p + q x share)
    # times the step length in years.
    contacts = step.memory
    if not isinstance(contacts, BassContacts):
        raise TypeError(f"the bass rule needs BassContacts, got {contacts!r}")
    if contacts.numerator is None:  # every layer well mixed: one share per replicate
        denominator = max(float(contacts.denominator[0]), 1e-300)
        share = np.clip(contacts.well_mixed / denominator, 0.0, 1.0)
        return bass_by_counts(
            step.exposures,
            step.state,
            step.interest,
            step.open_count,
            share,
            rule.p,
            rule.q,
            step.step_years,
            rng=step.rng,
        )
    size, replicates = step.interest.size, step.open_count.size
    share = contacts.numerator + np.repeat(contacts.well_mixed, size)
    share = np.clip(share / np.tile(np.maximum(contacts.denominator, 1e-300), replicates), 0.0, 1.0)
    return bass(
        step.exposures,
        step.state,
        step.interest,
        share,
        rule.p,
        rule.q,
        step.step_years,
        rng=step.rng,
    )


Rule = Callable[[Any, Step], Decision]
"""Decides one step under one kind of rule (the config is that kind's)."""

RULES: dict[str, Rule] = {
    "independent": _independent_rule,
    "threshold": _threshold_rule,
    "bass": _bass_rule,
}
"""One function per adoption rule kind of :data:`simulator.config.Adoption`."""
