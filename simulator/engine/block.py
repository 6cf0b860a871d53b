"""One block of replicates: every replicate advances together as flat arrays.

State is private to this module. A block of ``b`` replicates over ``n`` people is a flat
array of ``b * n`` entries (index ``replicate * n + person``); every step costs work
proportional to what happens (messages sent, people reached), except under the bass rule
on networks with edges, whose hazard applies to everyone (on well-mixed layers it is one
number per replicate, and adoptions are drawn from counts).

A step: channels deliver (:mod:`simulator.engine.channels`), word of mouth travels along the
layers, the rule of :data:`simulator.engine.adoption.RULES` decides who adopts, customers buy."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from simulator import config as cfg
from simulator.engine import adoption
from simulator.engine.adstock import AdResponse
from simulator.engine.attitudes import Attitudes, conversion_factor
from simulator.engine.channels import deliver
from simulator.engine.lifecycle import CustomerLedger
from simulator.engine.messages import COMPILED_ABOVE, Exposures, sample_edges
from simulator.engine.page import Pages
from simulator.engine.prepare import LayerTable, PreparedStrategy, every_edge
from simulator.engine.referrals import Referrals
from simulator.engine.reviews import ReviewBoard
from simulator.engine.rule_memory import RuleMemory
from simulator.engine.talk import Talk
from simulator.engine.touches import TouchRecorder
from simulator.streams import stream

ORGANIC_SOURCES = (
    cfg.SOURCE_TYPES.index("word_of_mouth"),
    cfg.SOURCE_TYPES.index("online_opinion"),
)
FREE_SAMPLE = cfg.SOURCE_TYPES.index("free_sample")
BACKGROUND = cfg.SOURCE_TYPES.index("background")

WALK_IN_BOOST_CAP = 3.0
"""The largest multiplier the rating and attitudes give a walk-in's rate (the bound the
walk-ins are drawn at when either is on) [assumption]."""

Forced = list[tuple[np.ndarray, int]]
"""People who adopt outright, with the index of the channel that seeded them (-1: walk-ins)."""


def run_block(
    prepared: PreparedStrategy,
    block: int,
    replicates: int,
    *,
    observe: Callable[[np.ndarray], None] | None = None,
    reference: bool = False,
    record: int = 0,
) -> dict[str, np.ndarray]:
    """Simulate one block of replicates; its streams depend only on the seed and ``block``.

    ``observe``, if given, is called with everyone's state (one int8 per person and
    replicate, replicate-major, see :mod:`simulator.engine.adoption` for the codes) before the
    first step and after each step that runs; it must not modify the array. It is how
    :func:`simulator.engine.trace.trace` records a run without a second copy of the engine.

    ``reference=True`` replaces the fast paths by the reference draws they are tested
    against (one uniform per exposure under the independent rule, one hazard per person
    under the bass rule): the same model, other random numbers.

    ``record=K > 0`` also keeps the ground truth of attribution (each person's last ``K``
    touches, who tipped every adopter and who referred her; see
    :mod:`simulator.engine.touches`) and adds its ``journey_*`` and ``path_*`` tables to
    the outputs. It draws no random number: every other output is unchanged.
    """
    return _Block(prepared, block, replicates, reference=reference, record=record).run(observe)


class _Block(RuleMemory):
    """Mutable state of one block; lives only inside :func:`run_block`."""

    def __init__(
        self,
        prepared: PreparedStrategy,
        block: int,
        replicates: int,
        *,
        reference: bool,
        record: int = 0,
    ) -> None:
        scenario = prepared.scenario
        seed = scenario.simulation.seed
        self.p = prepared
        self.scenario = scenario
        self.rule = scenario.adoption
        self.decide = adoption.RULES[self.rule.kind]
        self.reference = reference
        self.size = n = prepared.population.size
        self.reps = replicates
        self.flat = replicates * n
        self.rng_talk = stream(seed, "talk", block)
        self.rng_adopt = stream(seed, "adoption", block)
        self.rng_outcome = stream(seed, "outcome", block)
        self.rng_channel = [stream(seed, f"channel/{plan.name}", block) for plan in prepared.plans]
        self.interest = prepared.population.interest
        self.state = np.zeros(self.flat, np.int8)
        self.slot: np.ndarray | None = None  # scratch for deduplication, made when needed
        self.winner_slot: np.ndarray | None = None  # scratch of adoption, made when needed
        steps = scenario.simulation.steps
        channels = len(prepared.plans)
        self.series = {
            name: np.zeros((replicates, steps + 1), np.int32)
            for name in ("aware", "adopters", "promoters", "detractors", "rejecters")
        }
        self.counts = {name: np.zeros(replicates, np.int64) for name in self.series}
        self.impressions = np.zeros((replicates, channels), np.int64)
        self.cost = np.zeros((replicates, channels), np.float64)
        self.reached = np.zeros((channels, self.flat), bool)
        self.by_source = np.zeros((replicates, len(cfg.SOURCE_TYPES)), np.int64)
        self.by_channel = np.zeros((replicates, channels + 1), np.int64)
        self.direct = np.zeros(replicates, np.int64)
        self.messages = np.zeros(replicates, np.int64)
        talk = scenario.word_of_mouth.talk_steps
        self.talking: deque[np.ndarray] = deque(maxlen=None if np.isinf(talk) else int(talk))
        self.memory = self._rule_memory(block)
        self.ledger = (
            CustomerLedger(
                scenario, block, replicates, n, channels=channels, interest=self.interest
            )
            if scenario.lifecycle.enabled
            else None
        )
        self.referral = Referrals.build(prepared.plans, seed, block, replicates, n)
        self.members = None if self.referral is None else self.referral.members
        # Ad stock, caps and walk-ins only when switched on (issue 14): off, nothing is
        # allocated or drawn, and the previous model's numbers are unchanged.
        self.ads = (
            AdResponse(scenario, prepared.plans, self.interest, block, replicates)
            if AdResponse.needed(scenario, prepared.plans)
            else None
        )
        self.talk = (
            Talk(scenario, prepared.layers, block, replicates) if Talk.needed(scenario) else None
        )
        self.reviews = (  # reviews, complaints and replies (issue 15): only when on
            ReviewBoard(scenario, prepared.plans, block, replicates, n)
            if ReviewBoard.needed(scenario)
            else None
        )
        self.attitudes = (  # attitudes instead of one-message rejection (issue 15)
            Attitudes(scenario, replicates=replicates, size=n)
            if Attitudes.needed(scenario)
            else None
        )
        self.boosted = (self.reviews is not None and self.reviews.searchers is not None) or (
            self.attitudes is not None
        )
        if self.ledger is not None and self.boosted:  # the rating and attitudes convert
            self.ledger.conversion = self._conversion_factor
            if self.reviews is not None and self.reviews.reviews.repeat_weight > 0:
                self.ledger.repeat = self.reviews.repeat_factor
        self.pages = Pages.build(
            prepared.plans, scenario, prepared.network, prepared.population, block, replicates
        )
        # An influencer's viewers may follow a growing page of the same strategy.
        names = {plan.name: plan.index for plan in prepared.plans}
        self.influencer_pages = {
            plan.index: (names[plan.config.page], plan.config.follow_page)
            for plan in prepared.plans
            if isinstance(plan.config, cfg.Influencer)
            and plan.config.page is not None
            and self.pages is not None
            and names.get(plan.config.page, -1) in self.pages
        }
        if self.ledger is not None and self.pages is not None:
            self.ledger.cues = any(p.config.purchase_lift > 0 for p in self.pages.pages.values())
        self.recorder = (  # attribution's ground truth, only when asked: it costs memory
            TouchRecorder(
                replicates,
                n,
                depth=record,
                plans=prepared.plans,
                layers=[t.name for t in prepared.layers],
            )
            if record > 0
            else None
        )
        self.track_senders = self.members is not None or self.recorder is not None

    # ----------------------------------------------------------------- the time loop

    def run(self, observe: Callable[[np.ndarray], None] | None = None) -> dict[str, np.ndarray]:
        steps = self.scenario.simulation.steps
        last_event = max(
            (int(np.flatnonzero(p.impressions_at).max(initial=-1)) for p in self.p.plans),
            default=-1,
        )
        if observe is not None:
            observe(self.state)
        for step in range(steps):
            self.step(step)
            if observe is not None:
                observe(self.state)
            for name, series in self.series.items():
                series[:, step + 1] = self.counts[name]
            if (
                self.scenario.simulation.stop_when_quiet
                and step >= last_event
                and not any(batch.size for batch in self.talking)
                and (self.ledger is None or self.ledger.quiet())
            ):
                for name, series in self.series.items():
                    series[:, step + 2 :] = self.counts[name][:, None]
                if self.ledger is not None:
                    self.ledger.hold(step)
                break
        return self._outputs()

    def _outputs(self) -> dict[str, np.ndarray]:
        reach = (
            np.stack(
                [
                    np.bincount(np.flatnonzero(row) // self.size, minlength=self.reps)
                    for row in self.reached
                ],
                axis=1,
            )
            if len(self.p.plans)
            else np.zeros((self.reps, 0), np.int64)
        )
        return {
            **self.series,
            "impressions": self.impressions,
            "reach": reach,
            "cost": self.cost,
            "by_source": self.by_source,
            "by_channel": self.by_channel,
            "direct": self.direct,
            "messages": self.messages,
            **(self.ledger.outputs() if self.ledger is not None else {}),
            **(self.ads.outputs() if self.ads is not None else {}),
            **(self.talk.outputs() if self.talk is not None else {}),
            **(self.referral.outputs() if self.referral is not None else {}),
            **(self.reviews.outputs() if self.reviews is not None else {}),
            **(self.pages.outputs(len(self.p.plans)) if self.pages is not None else {}),
            **(self.recorder.outputs() if self.recorder is not None else {}),
        }

    def step(self, step: int) -> None:
        parts, forced = self._deliver(step)
        if self.rule.kind == "bass":
            self._update_bass_share()
        else:
            parts.append(self._word_of_mouth())
            if self.attitudes is not None:  # rejecters relay bad word of mouth
                parts.append(self._relay())
        exposures = Exposures.concatenate(parts)
        book = None if self.ledger is None else self.ledger.book
        if self.reviews is not None:  # searchers read the rating; complaints reach customers
            exposures = self.reviews.consult(exposures, book)
        self._mark_aware(exposures.target)
        if self.attitudes is not None:  # messages move attitudes; low ones reject
            exposures, rejecters = self.attitudes.weigh(step, exposures, self.state)
            self._reject(rejecters)
        if exposures.target.size > COMPILED_ABOVE:
            from simulator.engine import kernels  # numba: only for large passes

            kernels.mark_reached(self.reached, exposures.channel, exposures.target)
        else:
            paid = exposures.channel >= 0
            if paid.any():
                self.reached[exposures.channel[paid], exposures.target[paid]] = True
        open_count = self.size - self.counts["adopters"] - self.counts["rejecters"]
        decision = self.decide(
            self.rule,
            adoption.Step(
                exposures,
                self.state,
                self.interest,
                open_count,
                self.scenario.product.negative_impact,
                self.scenario.simulation.dt,
                self.memory,
                self.rng_adopt,
                self.reference,
                time_unit=self.scenario.simulation.time_unit,
                slot=self._winner_slot,
            ),
        )
        if self.referral is not None:  # the sender of each adopter's tipping message
            self.referral.tipped_by = exposures.senders_of(decision.exposure)
        if self.talk is not None:
            self.talk.tally_tipped(exposures, decision.exposure)
        if self.ads is not None:  # walk-ins: baseline demand, with no message
            if self.boosted:
                walk_ins = self.ads.walk_ins(self.state, self._conversion_factor, WALK_IN_BOOST_CAP)
            else:
                walk_ins = self.ads.walk_ins(self.state)
            forced.append((walk_ins, -1))
        if self.recorder is not None:
            self.recorder.record(step, exposures, decision, forced, self.state)
        self._apply(decision, forced)
        buyers = np.zeros(0, np.int64)
        if self.ledger is not None:
            buyers = self.ledger.step(step, exposures, self.interest)
            if self.talk is not None and buyers.size:  # a purchase cues talk (G3, c_cue)
                self.talk.cue(buyers)
        if self.reviews is not None:  # the step's adopters and buyers review; replies
            passive = None if self.talk is None else self.talk.passive
            people = np.concatenate([self.talking[-1], buyers])
            self.reviews.post(step, people, self.state, passive, self.counts, self.impressions)
        if self.pages is not None:
            if self.ledger is not None:  # customers who saw a post buy more, briefly
                for people, days in self.pages.cued():
                    self.ledger.cue(step, people, days)
            self.pages.end_step(step, buyers, book)

    def _deliver(self, step: int) -> tuple[list[Exposures], Forced]:
        """Each channel's exposures this step, and the people its seeds make adopt."""
        parts: list[Exposures] = []
        forced: Forced = []
        if self.ads is not None:  # delayed chances from the stock of earlier steps
            parts.extend(self.ads.carryover(step, self.state))
        for plan, rng in zip(self.p.plans, self.rng_channel, strict=True):
            if self.pages is not None and plan.index in self.pages:  # a page that grows (G5)
                book = None if self.ledger is None else self.ledger.book
                delivery = self.pages.deliver(plan.index, step, book)
            else:
                delivery = deliver(plan, step, self.reps, self.size, self.p.network, rng=rng)
            if delivery is None:
                continue
            if self.ads is not None:
                delivery = self.ads.respond(plan, delivery, step)
            self.impressions[:, plan.index] += delivery.impressions
            if plan.index in self.influencer_pages and self.pages is not None:
                page, chance = self.influencer_pages[plan.index]
                viewers = delivery.exposures.target[: self.reps * int(plan.impressions_at[step])]
                self.pages.follow(page, viewers, chance)
            self.cost[:, plan.index] += delivery.cost
            parts.append(delivery.exposures)
            if delivery.forced.size:
                forced.append((delivery.forced, plan.index))
                self.reached[plan.index, delivery.forced] = True
                if self.members is not None and plan.referral_reward > 0:
                    self.members[delivery.forced] = True  # a referral programme's seeds
        return parts, forced

    # ----------------------------------------------------------------- word of mouth

    def _talkers(self) -> tuple[np.ndarray, np.ndarray]:
        talkers = np.concatenate(self.talking) if self.talking else np.zeros(0, np.int64)
        state = self.state[talkers]
        return talkers[state == adoption.PROMOTER], talkers[state == adoption.DETRACTOR]

    def _word_of_mouth(self) -> Exposures:
        if self.talk is not None:  # decaying, saturating talk in three valences (issue 14)
            batches = list(self.talking)
            return self.talk.word_of_mouth(
                batches, self.state, self.p.layers, self._contacts, self.messages
            )
        promoters, detractors = self._talkers()
        louder = self.scenario.product.detractor_talk_multiplier
        parts, layer_of_part = [], []
        for layer, table in enumerate(self.p.layers):
            for speakers, valence, factor in ((promoters, 1, 1.0), (detractors, -1, louder)):
                if speakers.size == 0:
                    continue
                probability = min(1.0, table.contact_probability * factor)
                if (
                    probability >= 1.0
                    and not (table.well_mixed or self.track_senders)
                    and table.in_degree is None
                    and speakers.size * 4 > COMPILED_ABOVE
                ):  # everyone's every edge, as _contacts gives it, in one compiled pass
                    parts.append(every_edge(table, speakers, self.size, valence, self.messages))
                else:
                    parts.append(self._contacts(table, speakers, probability, valence)[0])
                layer_of_part.append(layer)
        if self.recorder is not None:
            self.recorder.word_of_mouth(layer_of_part, parts)
        return Exposures.concatenate(parts)

    def _relay(self) -> Exposures:
        """Bad word of mouth of recent rejecters, at ``relay`` times a detractor's rate."""
        if self.attitudes is None:  # pragma: no cover - called only with attitudes on
            raise TypeError("relaying needs attitudes")
        speakers = self.attitudes.relayers(self.state, adoption.REJECTER)
        factor = self.scenario.product.detractor_talk_multiplier * self.attitudes.config.relay
        if speakers.size == 0 or factor <= 0:
            return Exposures.concatenate([])
        parts = [
            self._contacts(table, speakers, min(1.0, table.contact_probability * factor), -1)[0]
            for table in self.p.layers
        ]
        return Exposures.concatenate(parts)

    def _conversion_factor(self, people: np.ndarray) -> np.ndarray:
        """``people``'s multiplier of walking in and of converting a trial."""
        return conversion_factor(people, self.reviews, self.attitudes)

    def _contacts(
        self, table: LayerTable, speakers: np.ndarray, probability: float, valence: int
    ) -> tuple[Exposures, np.ndarray, np.ndarray]:
        """Messages of ``speakers``, each one's speaker (a position) and edge (-1: none)."""
        n = self.size
        if table.well_mixed:
            owner, person = self._well_mixed_contacts(speakers, probability, self.rng_talk)
            if self.referral is not None and valence > 0:
                owner, person = self.referral.well_mixed_uplift(
                    speakers, probability, owner, person, self._well_mixed_contacts
                )
            own = speakers[owner] % n
            person += person >= own  # anyone but oneself
            target = speakers[owner] - own + person
            exposures = Exposures.uniform(
                target, table.well_mixed_strength, table.well_mixed_source, -1, valence
            )
            no_edge = np.full(owner.size, -1, np.int64)
            if not self.track_senders:
                return exposures, owner, no_edge
            return replace(exposures, sender=speakers[owner]), owner, no_edge
        edges, owner = sample_edges(table.indptr, speakers % n, probability, self.rng_talk)
        if self.referral is not None and valence > 0:
            edges, owner = self.referral.edge_uplift(table, speakers, probability, edges, owner)
        if edges.size > COMPILED_ABOVE and table.in_degree is None and not self.track_senders:
            from simulator.engine import kernels  # numba: only for large passes

            # the same targets, strengths, sources and counts as below, in one pass
            target, strength, source = kernels.edge_messages(
                speakers,
                owner,
                edges,
                n,
                table.indices,
                table.tie,
                table.tie_strength,
                table.tie_source,
                self.messages,
            )
            exposures = Exposures(
                target,
                strength,
                source,
                np.full(edges.size, -1, np.int16),
                np.full(edges.size, valence, np.int8),
            )
            return exposures, owner, edges
        sender = speakers[owner]
        replicate = sender // n
        self.messages += np.bincount(replicate, minlength=self.reps)
        exposures = Exposures(
            replicate * n + table.indices[edges],
            table.strength(edges),
            table.source(edges),
            np.full(edges.size, -1, np.int16),
            np.full(edges.size, valence, np.int8),
            sender if self.track_senders else None,
        )
        return exposures, owner, edges

    def _well_mixed_contacts(
        self, speakers: np.ndarray, probability: float, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Contacts in a well-mixed layer: each speaker's position, and a person below n - 1."""
        made = rng.binomial(self.size - 1, probability, speakers.size)
        self.messages += np.bincount(
            speakers // self.size, weights=made, minlength=self.reps
        ).astype(np.int64)
        owner = np.repeat(np.arange(speakers.size), made)
        return owner, rng.integers(0, self.size - 1, owner.size)

    # ----------------------------------------------------------------- bookkeeping

    def _winner_slot(self) -> np.ndarray:
        """-1 per flat index, kept so by the compiled pick of tipping messages; made on use."""
        if self.winner_slot is None:
            self.winner_slot = np.full(self.flat, -1, np.int32)
        return self.winner_slot

    def _distinct(self, values: np.ndarray) -> np.ndarray:
        """The distinct flat indices in ``values`` (in no particular order), in O(size)."""
        if values.size < 256:
            return np.unique(values)
        if self.slot is None:
            self.slot = np.empty(self.flat, np.int32)
        order = np.arange(values.size, dtype=np.int32)
        # With repeated indices one write wins, whichever: exactly one position matches.
        self.slot[values] = order
        return values[self.slot[values] == order]

    def _mark_aware(self, target: np.ndarray) -> None:
        if target.size > COMPILED_ABOVE:  # the same marks and counts, in one pass
            from simulator.engine import kernels  # numba: only for large passes

            kernels.mark_aware(
                self.state,
                target,
                self.counts["aware"],
                self.size,
                adoption.UNAWARE,
                adoption.AWARE,
            )
            return
        fresh = target[self.state[target] == adoption.UNAWARE]
        if fresh.size:
            fresh = self._distinct(fresh)
            self.state[fresh] = adoption.AWARE
            self.counts["aware"] += np.bincount(fresh // self.size, minlength=self.reps)

    def _reject(self, rejecters: np.ndarray) -> None:
        """Mark ``rejecters`` (flat, distinct, open) as such."""
        if rejecters.size:
            self.state[rejecters] = adoption.REJECTER
            self.counts["rejecters"] += np.bincount(rejecters // self.size, minlength=self.reps)

    def _apply(self, decision: adoption.Decision, forced: Forced) -> None:
        """Record the step's rejecters and adopters, and who talks next step."""
        new, source, channel, sender = self._with_seeds(decision, forced)
        self._reject(decision.rejecters)
        if new.size:
            self._adopt(new, source, channel, sender)
        leaving = (
            self.talking[0]
            if (self.talking.maxlen is not None and len(self.talking) == self.talking.maxlen)
            else None
        )
        self.talking.append(new)
        if self.rule.kind == "bass":
            self._bass_entering, self._bass_leaving = new, leaving

    def _with_seeds(
        self, decision: adoption.Decision, forced: Forced
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """The rule's adopters, then the seeds who had not adopted: people, source, channel
        and, when a referral programme runs, the tipping message's sender (-1 for none)."""
        adopters = [decision.adopters]
        sources = [decision.source]
        channels = [decision.channel]
        sent = [self.referral.tipped_by] if self.referral is not None else []
        for seeds, index in forced:
            seeds = np.unique(seeds[self.state[seeds] < adoption.PROMOTER])
            seeds = np.setdiff1d(seeds, decision.adopters, assume_unique=True)
            adopters.append(seeds)
            sources.append(np.full(seeds.size, FREE_SAMPLE if index >= 0 else BACKGROUND, np.int8))
            channels.append(np.full(seeds.size, index, np.int16))
            if sent:
                sent.append(np.full(seeds.size, -1, np.int64))
        sender = np.concatenate(sent) if sent else None
        return np.concatenate(adopters), np.concatenate(sources), np.concatenate(channels), sender

    def _adopt(
        self, new: np.ndarray, source: np.ndarray, channel: np.ndarray, sender: np.ndarray | None
    ) -> None:
        reps = self.reps
        n = self.size
        self._mark_aware(new)
        previously_rejected = self.state[new] == adoption.REJECTER
        if previously_rejected.any():  # a seed given to someone who had rejected
            self.counts["rejecters"] -= np.bincount(new[previously_rejected] // n, minlength=reps)
        draw = self.rng_outcome.random(new.size)
        quality = self.scenario.product.quality if self.talk is None else self.talk.satisfied_share
        satisfied = draw < quality
        if self.talk is not None:  # passives: satisfied, but they talk little
            self.talk.mark_passives(new, draw)
        self.state[new] = np.where(satisfied, adoption.PROMOTER, adoption.DETRACTOR)
        if self.ledger is not None:  # a free sample makes a trial, not yet a customer
            self.ledger.adopt(new, satisfied, source, channel)
        rep = new // n
        self.counts["adopters"] += np.bincount(rep, minlength=reps)
        self.counts["promoters"] += np.bincount(rep[satisfied], minlength=reps)
        self.counts["detractors"] += np.bincount(rep[~satisfied], minlength=reps)
        np.add.at(self.by_source, (rep, source), 1)
        column = np.where(channel >= 0, channel, self.by_channel.shape[1] - 1)
        np.add.at(self.by_channel, (rep, column), 1)
        organic = (source == ORGANIC_SOURCES[0]) | (source == ORGANIC_SOURCES[1])
        self.direct += np.bincount(rep[(channel >= 0) & ~organic], minlength=reps)
        if sender is not None and self.referral is not None:
            spoken = sender >= 0
            referred = rep[spoken][self.referral.members[sender[spoken]]]
            self.referral.pay(referred, self.p.plans, self.cost)
