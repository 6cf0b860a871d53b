"""Reviews, the shown rating, complaints that cost customers and replies (MODEL-REVIEW G4).

Made by :mod:`simulator.engine.block` only when ``reputation`` is on (see
:class:`simulator.config.Reputation`); off, nothing here is allocated or drawn.

Per step, in the block's order:

1. :meth:`ReviewBoard.consult`: every positive exposure of a person who reads reviews (drawn
   once, ``search_share``) has its strength multiplied by the replicate's
   :func:`conversion_factor` of the rating shown at the start of the step (the block also
   applies :meth:`ReviewBoard.person_factor` to searchers' walk-ins and trial conversions,
   and its ``repeat_weight`` power to the purchase rate of searchers who become
   customers, Luca 2016: where prospects read the rating, it pulls revenue); a negative
   message that reaches an active customer adds ``negative_dropout`` to her drop-out
   probability (complaints cost customers).
2. :meth:`ReviewBoard.post`: the step's adopters (first purchases and trials) and buyers
   post a review with ``post_probability`` (x ``detractor_multiplier`` for detractors, x
   ``reply_negative_posting`` for them while a dialogue channel has hours); stars by
   satisfaction (:data:`STARS`). Negative reviews (1 or 2 stars) wait for a reply; each
   dialogue hour answers ``1 / hours_per_reply`` of them, oldest first, and a replied
   complainer is satisfied again with ``reply_recovery``.

Work is O(exposures + posts) a step. Draws come from new streams (``reputation/...``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simulator import config as cfg
from simulator.engine.adoption import DETRACTOR, PROMOTER
from simulator.engine.channels import ChannelPlan, dialogue_hours
from simulator.engine.messages import Exposures
from simulator.engine.purchases import CustomerBook
from simulator.streams import stream

STARS = np.array(
    [
        [0.0, 0.0, 0.0, 0.2, 0.8],  # promoter
        [0.0, 0.0, 0.5, 0.5, 0.0],  # passive
        [0.6, 0.4, 0.0, 0.0, 0.0],  # detractor
    ]
)
"""P(1..5 stars) by satisfaction: promoter, passive, detractor (MODEL-REVIEW G4
[assumption], J-shaped like Hu, Pavlou & Zhang 2009 [R])."""

PROMOTER_CLASS, PASSIVE_CLASS, DETRACTOR_CLASS = 0, 1, 2


def shown_rating(star_sum: np.ndarray, count: np.ndarray, reviews: cfg.Reviews) -> np.ndarray:
    """The rating shrunk to the prior: (sum of stars + k0 s0) / (N + k0).

    Examples
    --------
    >>> reviews = cfg.Reviews(prior_weight=5.0, prior_rating=3.5)
    >>> shown_rating(np.array([0.0, 50.0]), np.array([0, 10]), reviews).tolist()
    [3.5, 4.5]
    """
    k0, s0 = reviews.prior_weight, reviews.prior_rating
    count = np.asarray(count, np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):  # k0 = 0 and no review: the prior
        rating = (np.asarray(star_sum, np.float64) + k0 * s0) / (count + k0)
    return np.where(count + k0 > 0, rating, s0)


def conversion_factor(star_sum: np.ndarray, count: np.ndarray, reviews: cfg.Reviews) -> np.ndarray:
    """A searcher's conversion multiplier: exp(beta (R_shown - R_ref)) (1 + beta_n log(1 + N)).

    R_shown is :func:`shown_rating` rounded to half stars, plus ``rating_shift``; beta is
    ``star_effect`` above R_ref and ``bad_star_multiplier`` times it below.

    Examples
    --------
    >>> reviews = cfg.Reviews(star_effect=0.1, bad_star_multiplier=2.0)
    >>> conversion_factor(np.array([45.0, 15.0]), np.array([10, 10]), reviews).round(4).tolist()
    [1.0, 0.6703]
    """
    shown = np.round(shown_rating(star_sum, count, reviews) * 2.0) / 2.0 + reviews.rating_shift
    gap = shown - reviews.reference_rating
    beta = np.where(
        gap >= 0, reviews.star_effect, reviews.star_effect * reviews.bad_star_multiplier
    )
    volume = 1.0 + reviews.count_effect * np.log1p(np.asarray(count, np.float64))
    return np.exp(beta * gap) * volume


class ReviewBoard:
    """Reviews, complaints and replies of one block; private to the engine."""

    def __init__(
        self,
        scenario: cfg.Scenario,
        plans: Sequence[ChannelPlan],
        block: int,
        replicates: int,
        size: int,
    ) -> None:
        self.config = config = scenario.reputation
        self.reviews = config.reviews
        seed = scenario.simulation.seed
        self.size, self.reps = size, replicates
        self.rng = stream(seed, "reputation/reviews", block)
        self.rng_reply = stream(seed, "reputation/replies", block)
        self.searchers: np.ndarray | None = None
        if self.reviews.enabled and self.reviews.search_share > 0:
            draw = stream(seed, "reputation/search", block).random(replicates * size)
            self.searchers = draw < self.reviews.search_share
        self.stars = np.zeros((replicates, 5), np.int64)
        simulation = scenario.simulation
        self.dialogue = [
            (plan.index, dialogue_hours(plan.config, simulation.steps, simulation.step_days))
            for plan in plans
            if isinstance(plan.config, cfg.Dialogue)
        ]
        self.pending = np.zeros(0, np.int64)  # complainers waiting for a reply, oldest first
        self.credit = np.zeros(replicates)  # a reply's worth of hours not yet used
        self.replies = np.zeros(replicates, np.int64)
        self.recovered = np.zeros(replicates, np.int64)
        self.complaints = np.zeros(replicates, np.int64)  # negative messages to customers
        self._factor: np.ndarray | None = None  # the step's factor, set by consult

    @staticmethod
    def needed(scenario: cfg.Scenario) -> bool:
        return scenario.reputation.enabled

    def factor(self) -> np.ndarray:
        """Each replicate's conversion multiplier for searchers, at the shown rating."""
        count = self.stars.sum(axis=1)
        star_sum = self.stars @ np.arange(1, 6)
        return conversion_factor(star_sum, count, self.reviews)

    def person_factor(self, people: np.ndarray) -> np.ndarray:
        """Each of ``people``'s (flat) multiplier at the step's rating: 1 for non-readers.

        Examples
        --------
        >>> scenario = cfg.validate_scenario(cfg.default_scenario_data())
        >>> board = ReviewBoard(scenario, (), 0, 2, 3)
        >>> board.person_factor(np.array([0, 4])).tolist()  # no searchers: reviews off
        [1.0, 1.0]
        """
        out = np.ones(people.size)
        if self.searchers is None or people.size == 0:
            return out
        factor = self.factor() if self._factor is None else self._factor
        reads = self.searchers[people]
        out[reads] = factor[people[reads] // self.size]
        return out

    def repeat_factor(self, people: np.ndarray) -> np.ndarray:
        """New customers' purchase-rate multiplier: :meth:`person_factor` ** repeat_weight."""
        return self.person_factor(people) ** self.reviews.repeat_weight

    def consult(self, exposures: Exposures, book: CustomerBook | None) -> Exposures:
        """Exposures as searchers weigh them, after complaints have reached customers."""
        self._factor = self.factor()
        if book is not None and self.config.negative_dropout > 0 and exposures.target.size:
            negative = exposures.target[exposures.valence < 0]
            hit = negative[book.active[negative]]
            if hit.size:  # one increment per message (np.add.at: repeats add up)
                np.add.at(book.dropout, hit, np.float32(self.config.negative_dropout))
                book.dropout[hit] = np.minimum(book.dropout[hit], np.float32(1.0))
                self.complaints += np.bincount(hit // self.size, minlength=self.reps)
        if self.searchers is None or exposures.target.size == 0:
            return exposures
        factor = self._factor
        if np.all(factor == 1.0):
            return exposures
        scaled = (exposures.valence > 0) & self.searchers[exposures.target]
        strength = exposures.strength.copy()
        strength[scaled] *= factor[exposures.target[scaled] // self.size].astype(np.float32)
        return Exposures(
            exposures.target,
            strength,
            exposures.source,
            exposures.channel,
            exposures.valence,
            exposures.sender,
        )

    def post(
        self,
        step: int,
        people: np.ndarray,
        state: np.ndarray,
        passive: np.ndarray | None,
        counts: dict[str, np.ndarray],
        impressions: np.ndarray,
    ) -> None:
        """Reviews of the step's adopters and buyers (``people``, flat), then replies.

        Replies change a recovered complainer's ``state`` to promoter (and mark her
        ``passive`` when there are passives), move her in ``counts`` and add to the dialogue
        channel's ``impressions`` (replies made).
        """
        hours = sum(float(h[step]) for _, h in self.dialogue)
        if self.reviews.enabled and people.size:
            self._post(people, state, passive, replying=hours > 0)
        if hours > 0 and self.config.reply_recovery > 0:
            self._reply(hours, state, passive, counts, impressions)

    def _post(
        self, people: np.ndarray, state: np.ndarray, passive: np.ndarray | None, replying: bool
    ) -> None:
        person_state = state[people]
        kind = np.where(person_state == DETRACTOR, DETRACTOR_CLASS, PROMOTER_CLASS)
        if passive is not None:
            kind[(person_state == PROMOTER) & passive[people]] = PASSIVE_CLASS
        chance = np.full(people.size, self.reviews.post_probability)
        detractor = kind == DETRACTOR_CLASS
        louder = self.reviews.detractor_multiplier
        if replying:
            louder *= self.config.reply_negative_posting
        chance[detractor] *= louder
        posts = np.flatnonzero(self.rng.random(people.size) < np.minimum(chance, 1.0))
        if posts.size == 0:
            return
        cumulative = np.cumsum(STARS, axis=1)[kind[posts]]
        stars = (self.rng.random(posts.size)[:, None] >= cumulative[:, :-1]).sum(axis=1)
        authors = people[posts]
        np.add.at(self.stars, (authors // self.size, stars), 1)
        negative = authors[stars <= 1]  # 1 or 2 stars (columns 0 and 1)
        if negative.size and self.dialogue:
            self.pending = np.concatenate([self.pending, negative])

    def _reply(
        self,
        hours: float,
        state: np.ndarray,
        passive: np.ndarray | None,
        counts: dict[str, np.ndarray],
        impressions: np.ndarray,
    ) -> None:
        capacity = self.credit + hours / self.config.hours_per_reply
        whole = np.floor(capacity + 1e-9)
        self.credit = capacity - whole
        if self.pending.size == 0:
            return
        rep = self.pending // self.size
        order = np.argsort(rep, kind="stable")  # oldest first within each replicate
        start = np.searchsorted(rep[order], rep[order])
        rank = np.empty(order.size, np.int64)
        rank[order] = np.arange(order.size) - start
        answered = rank < whole[rep]
        replied, self.pending = self.pending[answered], self.pending[~answered]
        made = np.bincount(replied // self.size, minlength=self.reps)
        self.replies += made
        impressions[:, self.dialogue[0][0]] += made
        still = replied[state[replied] == DETRACTOR]
        back = still[self.rng_reply.random(still.size) < self.config.reply_recovery]
        if back.size == 0:
            return
        back = np.unique(back)
        state[back] = PROMOTER
        if passive is not None:
            passive[back] = True
        moved = np.bincount(back // self.size, minlength=self.reps)
        counts["promoters"] += moved
        counts["detractors"] -= moved
        self.recovered += moved

    def outputs(self) -> dict[str, np.ndarray]:
        """Reviews, stars, the final rating (unrounded), replies, recoveries, complaints."""
        count = self.stars.sum(axis=1)
        star_sum = self.stars @ np.arange(1, 6)
        return {
            "reviews": count,
            "negative_reviews": self.stars[:, :2].sum(axis=1),
            "rating": shown_rating(star_sum, count, self.reviews),
            "replies": self.replies,
            "recovered": self.recovered,
            "complaints_to_customers": self.complaints,
        }
