"""What the adoption rules keep between steps: threshold conviction, the bass share.

A mixin of the block (:mod:`simulator.engine.block`). The threshold rule keeps each
person's accumulated conviction and threshold. The hazard of the bass rule needs, for
everyone, the trust-weighted share of contacts who talk; it is updated from the people who
start or stop talking each step, not recomputed (one number per replicate on well-mixed
layers, a per-person numerator on layers with edges)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator import config as cfg
from simulator.engine import adoption
from simulator.engine.messages import sample_edges
from simulator.engine.prepare import LayerTable, PreparedStrategy
from simulator.streams import stream


class RuleMemory:
    """The rules' memory of a block; the block provides the attributes below."""

    size: int
    reps: int
    flat: int
    reference: bool
    rule: cfg.Adoption
    state: np.ndarray
    scenario: cfg.Scenario
    p: PreparedStrategy
    memory: adoption.ThresholdMemory | adoption.BassContacts | None
    rng_talk: np.random.Generator
    everyone_heard: np.ndarray
    _bass_entering: np.ndarray | None
    _bass_leaving: np.ndarray | None
    _mark_aware: Callable[[np.ndarray], None]  # the block's method

    def _rule_memory(self, block: int) -> adoption.ThresholdMemory | adoption.BassContacts | None:
        """What the rule keeps between steps (see :class:`simulator.engine.adoption.Step`)."""
        if self.rule.kind == "threshold":
            population = self.scenario.population
            thresholds = stream(self.scenario.simulation.seed, "thresholds", block).beta(
                population.threshold_alpha, population.threshold_beta, self.flat
            )
            return adoption.ThresholdMemory(
                np.zeros(self.flat, np.float32), thresholds.astype(np.float32)
            )
        if self.rule.kind != "bass":
            return None
        # Under the bass rule word of mouth acts through the share of talking contacts,
        # kept here (see _update_bass_share). With well-mixed layers only, everyone in a
        # replicate has the same share, so the hazard is one number per replicate and
        # adoptions are drawn from counts: O(adoptions) a step.
        by_counts = not self.reference and all(t.well_mixed for t in self.p.layers)
        self.everyone_heard = np.zeros(self.reps, bool)
        self._bass_entering: np.ndarray | None = None
        self._bass_leaving: np.ndarray | None = None
        denominator = self.p.bass_denominator
        if denominator is None:  # pragma: no cover - prepare computes it under the bass rule
            raise TypeError("a bass strategy was prepared without its share denominator")
        return adoption.BassContacts(
            None if by_counts else np.zeros(self.flat, np.float64),
            np.zeros(self.reps, np.float64),
            denominator,
        )

    def _update_bass_share(self) -> None:
        """Add talkers who start, and remove those who stop, from the bass share."""
        # The deque has just been appended to in _apply; the batch that fell off is kept.
        entering, leaving = self._bass_entering, self._bass_leaving
        self._bass_entering = self._bass_leaving = None
        impact = self.scenario.product.negative_impact
        for batch, sign in ((entering, 1.0), (leaving, -1.0)):
            if batch is None or batch.size == 0:
                continue
            state = self.state[batch]
            weight = np.where(state == adoption.PROMOTER, 1.0, -impact) * sign
            for table in self.p.layers:
                if table.well_mixed:
                    self._bass_well_mixed_share(table, batch, weight, sign)
                else:
                    self._bass_layer_share(table, batch, weight, sign)

    def _bass_contacts(self) -> adoption.BassContacts:
        if not isinstance(self.memory, adoption.BassContacts):  # pragma: no cover
            raise TypeError("the bass share is kept only under the bass rule")
        return self.memory

    def _bass_well_mixed_share(
        self, table: LayerTable, batch: np.ndarray, weight: np.ndarray, sign: float
    ) -> None:
        n = self.size
        self._bass_contacts().well_mixed[:] += table.well_mixed_strength * np.bincount(
            batch // n, weights=weight, minlength=self.reps
        )
        if sign > 0:  # everyone in those replicates hears of it, once
            reps = np.unique(batch // n)
            reps = reps[~self.everyone_heard[reps]]
            if reps.size:
                self.everyone_heard[reps] = True
                self._mark_aware((reps[:, None] * n + np.arange(n)).ravel())

    def _bass_layer_share(
        self, table: LayerTable, batch: np.ndarray, weight: np.ndarray, sign: float
    ) -> None:
        n = self.size
        numerator = self._bass_contacts().numerator
        if numerator is None:  # pragma: no cover - counts are used on well-mixed layers only
            raise TypeError("a layer with edges needs the per-person bass share")
        edges, owner = sample_edges(table.indptr, batch % n, 1.0, self.rng_talk)
        target = (batch[owner] // n) * n + table.indices[edges]
        np.add.at(numerator, target, weight[owner] * table.strength(edges))
        if sign > 0:
            self._mark_aware(target)
