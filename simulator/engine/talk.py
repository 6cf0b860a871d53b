"""Word of mouth that decays, saturates and has three valences (MODEL-REVIEW G3).

With :class:`simulator.config.TalkResponse` on, a talker of age ``a`` steps (0 on the
first talking step) contacts each tie with ``c_L x v x exp(-a dt / tau_talk)``, ``v`` being 1
for a promoter, ``passive_talk`` for a passive and ``detractor_talk_multiplier`` for a
detractor; a passive's recommendation weighs ``passive_strength``. The ``m``-th message a
person hears (counting from 1) is multiplied by ``s(m - 1)``, with ``s(n) = 1`` below
``n*`` and ``rho ** (n - n* + 1)`` from it, and a repeat message along the same tie by
``rho_same``.

Contacts stay O(contacts made): talkers are put in bins of rate within a factor 4, each
bin is sampled at its highest rate (:func:`simulator.engine.messages.sample_edges` through
the engine's contact sampler) and thinned to each talker's own rate.

Off, the engine never builds a :class:`Talk`, so the previous model's draws are untouched.
:meth:`Talk.cue` is the hook for purchase-cued talk (MODEL-REVIEW G3, step 1): the
lifecycle can hand it the people who bought in a step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from simulator import config as cfg
from simulator.engine.adoption import DETRACTOR, PROMOTER
from simulator.engine.messages import COMPILED_ABOVE, Exposures, rank_within
from simulator.engine.prepare import LayerTable
from simulator.streams import stream
from simulator.town.network import Tie

BINS = 6
"""Rate bins per valence and layer: talkers within a factor 4 of each other share one
sampling pass (the last bin takes every rate below 4 ** -5 of the top one), so at most 4
contacts are drawn per contact made, in a handful of passes a step."""

Contacts = Callable[[LayerTable, np.ndarray, float, int], tuple[Exposures, np.ndarray, np.ndarray]]
"""The engine's contact sampler: ``(table, speakers, probability, valence)`` to the messages,
the position of each message's speaker in ``speakers`` and its edge (-1 in well-mixed
layers)."""


def saturation_factor(heard_before: np.ndarray, after: int, rho: float) -> np.ndarray:
    """``s(n)``: 1 for ``n < n*``, ``rho ** (n - n* + 1)`` from ``n*`` on.

    Examples
    --------
    >>> saturation_factor(np.array([0, 1, 2, 3]), 2, 0.5).tolist()
    [1.0, 1.0, 0.5, 0.25]
    """
    beyond = np.maximum(np.asarray(heard_before, np.float64) - after + 1.0, 0.0)
    return rho**beyond


def decay_factor(ages: np.ndarray, step_days: float, decay_days: float) -> np.ndarray:
    """``exp(-a dt / tau_talk)`` for talkers of ``ages`` steps (1 when tau is inf).

    Examples
    --------
    >>> decay_factor(np.array([0, 14]), 1.0, 14.0).round(4).tolist()
    [1.0, 0.3679]
    """
    if math.isinf(decay_days):
        return np.ones(np.asarray(ages).size)
    return np.exp(-np.asarray(ages, np.float64) * step_days / decay_days)


ONE_BIN_CONTACTS = 20_000.0
"""Expected contacts at the top rate below which one bin (then thinning) beats binning:
a call costs about what thinning 20,000 candidates does (measured on the default town)."""


def rate_bins(rate: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Positions of ``rate`` grouped within a factor 4, with each group's top rate.

    Examples
    --------
    >>> [(p.tolist(), top) for p, top in rate_bins(np.array([1.0, 0.3, 0.2, 0.0]))]
    [([0, 1], 1.0), ([2], 0.2)]
    """
    positive = np.flatnonzero(rate > 0)
    if positive.size == 0:
        return []
    top = float(rate[positive].max())
    level = np.minimum(np.floor(-np.log2(rate[positive] / top) / 2), BINS - 1).astype(np.int64)
    groups = []
    for value in np.unique(level):
        members = positive[level == value]
        groups.append((members, float(rate[members].max())))
    return groups


class Talk:
    """Talk state of one block: passives, messages heard, ties already used."""

    def __init__(
        self,
        scenario: cfg.Scenario,
        layers: Sequence[LayerTable],
        block: int,
        replicates: int,
    ) -> None:
        self.config = scenario.response.word_of_mouth
        self.step_days = scenario.simulation.step_days
        self.louder = scenario.product.detractor_talk_multiplier
        self.quality = scenario.product.quality
        self.size = size = scenario.population.size
        self.reps = replicates
        flat = replicates * size
        config = self.config
        self.passive = np.zeros(flat, bool) if config.passive_share > 0 else None
        self.heard = np.zeros(flat, np.int32) if config.saturation < 1 else None
        # who told whom, one bit per (replicate, edge): one byte each would take 2.2 GB at
        # a million people and 20 replicates
        self.told = (
            {
                table.name: np.zeros((replicates * table.indices.size + 7) // 8, np.uint8)
                for table in layers
                if not table.well_mixed
            }
            if config.repeat_sender < 1
            else {}
        )
        self.cued: list[np.ndarray] = []
        self.rng = stream(scenario.simulation.seed, "talk/response", block)
        self.positive = np.zeros(replicates, np.int64)
        self.negative = np.zeros(replicates, np.int64)
        self.passives = np.zeros(replicates, np.int64)
        self.messages_by_tie = np.zeros((replicates, len(Tie)), np.int64)
        self.tipped_by_tie = np.zeros((replicates, len(Tie)), np.int64)

    @staticmethod
    def needed(scenario: cfg.Scenario) -> bool:
        return scenario.response.enabled and scenario.response.word_of_mouth.enabled

    @property
    def satisfied_share(self) -> float:
        """Promoters and passives: the adopters who say good things."""
        return self.quality + self.config.passive_share

    def mark_passives(self, new: np.ndarray, draw: np.ndarray) -> None:
        """Adopters whose outcome ``draw`` falls between promoters and detractors."""
        if self.passive is None:
            return
        passive = new[(draw >= self.quality) & (draw < self.satisfied_share)]
        self.passive[passive] = True
        self.passives += np.bincount(passive // self.size, minlength=self.reps)

    def cue(self, people: np.ndarray) -> None:
        """Hook for purchase-cued talk: ``people`` (flat) talk once more next step, at
        ``cue_talk`` times the layer's contact probability (MODEL-REVIEW G3, ``c_cue``).

        Called by the block with each step's buyers when the lifecycle is on.
        """
        if self.config.cue_talk > 0:
            self.cued.append(people.astype(np.int64))

    def _speakers(
        self, batches: Sequence[np.ndarray], state: np.ndarray
    ) -> list[tuple[np.ndarray, int, np.ndarray, np.ndarray]]:
        """Talkers by valence: people, valence, relative rate and strength of each."""
        if not batches and not self.cued:
            return []
        sizes = [b.size for b in batches]
        ages = np.repeat(np.arange(len(batches) - 1, -1, -1), sizes)  # one call, not one a day
        cued = self.cued
        self.cued = []
        people = np.concatenate([*batches, *cued]) if batches or cued else np.zeros(0, np.int64)
        rate = np.empty(people.size)
        rate[: ages.size] = decay_factor(ages, self.step_days, self.config.decay_days)
        rate[ages.size :] = self.config.cue_talk
        talker_state = state[people]
        strength = np.ones(people.size)
        if self.passive is not None:
            passive = self.passive[people]
            rate = np.where(passive, rate * self.config.passive_talk, rate)
            strength[passive] = self.config.passive_strength
        groups = []
        for code, valence, louder in ((PROMOTER, 1, 1.0), (DETRACTOR, -1, self.louder)):
            mine = talker_state == code
            if mine.any():
                groups.append((people[mine], valence, rate[mine] * louder, strength[mine]))
        return groups

    def word_of_mouth(
        self,
        batches: Sequence[np.ndarray],
        state: np.ndarray,
        layers: Sequence[LayerTable],
        contacts: Contacts,
        messages: np.ndarray,
    ) -> Exposures:
        """This step's word of mouth; ``messages`` (per replicate) loses the thinned ones."""
        parts = []
        for speakers, valence, rate, strength in self._speakers(batches, state):
            for table in layers:
                wanted = np.minimum(table.contact_probability * rate, 1.0)
                for members, top in self._groups(table, wanted):
                    parts.append(
                        self._bin(
                            table,
                            speakers[members],
                            wanted[members],
                            strength[members],
                            top,
                            valence,
                            contacts,
                            messages,
                        )
                    )
        exposures = Exposures.concatenate(parts)
        if self.heard is not None and exposures.target.size:
            rank, group, people, counts = rank_within(exposures.target)
            before = self.heard[people][group] + rank
            factor = saturation_factor(before, self.config.saturation_after, self.config.saturation)
            exposures = _scaled(exposures, factor)
            self.heard[people] += counts.astype(np.int32)
        replicate = exposures.target // self.size
        positive = exposures.valence > 0
        self.positive += np.bincount(replicate[positive], minlength=self.reps)
        self.negative += np.bincount(replicate[~positive], minlength=self.reps)
        if exposures.tie is not None:
            self.messages_by_tie += _by_tie(replicate, exposures.tie, self.reps)
        return exposures

    def tally_tipped(self, exposures: Exposures, tipping: np.ndarray) -> None:
        """Count the adoptions that word of mouth tipped, by the tie kind it travelled.

        ``tipping`` is each adopter's tipping message (a position in ``exposures``, -1
        when none did), as the adoption rule's decision gives it.
        """
        if exposures.tie is None or tipping.size == 0:
            return
        tipped = tipping[tipping >= 0]
        tie = exposures.tie[tipped]
        spoken = tie >= 0  # paid messages carry no tie
        replicate = exposures.target[tipped[spoken]] // self.size
        self.tipped_by_tie += _by_tie(replicate, tie[spoken], self.reps)

    def _groups(self, table: LayerTable, wanted: np.ndarray) -> list[tuple[np.ndarray, float]]:
        """Rate bins, or one bin at the top rate when that samples few contacts anyway.

        Binning keeps the work proportional to contacts made when rates spread widely;
        each bin costs a call, though, and a small town's talkers make a few hundred
        contacts a step: there, sampling everyone at the top rate and thinning wastes
        less than the calls cost (same distribution, other draws).
        """
        positive = np.flatnonzero(wanted > 0)
        if positive.size == 0:
            return []
        top = float(wanted[positive].max())
        degree = self.size - 1 if table.well_mixed else table.indices.size / max(self.size, 1)
        if positive.size * degree * top <= ONE_BIN_CONTACTS:
            return [(positive, top)]
        return rate_bins(wanted)

    def _bin(
        self,
        table: LayerTable,
        speakers: np.ndarray,
        wanted: np.ndarray,
        strength: np.ndarray,
        top: float,
        valence: int,
        contacts: Contacts,
        messages: np.ndarray,
    ) -> Exposures:
        """One rate bin on one layer: sample at the bin's top rate, thin to each rate."""
        exposures, owner, edges = contacts(table, speakers, top, valence)
        if exposures.target.size == 0:
            return exposures
        keep = self.rng.random(owner.size) * top < wanted[owner]
        if not keep.all():
            dropped = exposures.target[~keep] // self.size
            messages -= np.bincount(dropped, minlength=self.reps)
            exposures, owner, edges = exposures.take(keep), owner[keep], edges[keep]
        tie = np.full(edges.size, Tie.EXTERNAL, np.int8)
        along = edges >= 0  # -1: a well-mixed contact
        tie[along] = table.tie[edges[along]]
        exposures = replace(exposures, tie=tie)
        factor = strength[owner]
        told = self.told.get(table.name)
        if told is not None and edges.size:
            used = (exposures.target // self.size) * table.indices.size + edges
            factor = np.where(_told_before(told, used), factor * self.config.repeat_sender, factor)
        return _scaled(exposures, factor) if (factor != 1.0).any() else exposures

    def outputs(self) -> dict[str, np.ndarray]:
        """Messages by valence and by tie kind, the adoptions they tipped by tie kind, and
        passives (when there are any)."""
        out = {
            "positive_messages": self.positive,
            "negative_messages": self.negative,
            "messages_by_tie": self.messages_by_tie,
            "tipped_by_tie": self.tipped_by_tie,
        }
        if self.passive is not None:
            out["passives"] = self.passives
        return out


def _told_before(told: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Whether each (replicate, edge) position in ``used`` had carried a message before
    this call, read from the bitset ``told`` (bit ``p & 7`` of byte ``p >> 3``), which
    then records them all.

    Examples
    --------
    >>> told = np.zeros(2, np.uint8)
    >>> _told_before(told, np.array([3, 9, 3])).tolist(), told.tolist()
    ([False, False, False], [8, 2])
    >>> _told_before(told, np.array([9, 10])).tolist()
    [True, False]
    """
    if used.size > COMPILED_ABOVE:  # the same answer in two passes, without ufunc.at
        from simulator.engine import kernels  # numba: only for large passes

        return kernels.seen_then_set_bits(told, used)
    byte, mask = used >> 3, np.left_shift(1, used & 7).astype(np.uint8)
    was = (told[byte] & mask) != 0
    np.bitwise_or.at(told, byte, mask)
    return was


def _scaled(exposures: Exposures, factor: np.ndarray) -> Exposures:
    strength = (exposures.strength * factor).astype(np.float32)
    return Exposures(
        exposures.target,
        strength,
        exposures.source,
        exposures.channel,
        exposures.valence,
        exposures.sender,
        exposures.tie,
    )


def _by_tie(replicate: np.ndarray, tie: np.ndarray, replicates: int) -> np.ndarray:
    """Counts per (replicate, tie kind)."""
    kinds = len(Tie)
    flat = replicate * kinds + tie
    return np.bincount(flat, minlength=replicates * kinds).reshape(replicates, kinds)
