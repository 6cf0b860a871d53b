"""The business's page with followers who come and go, reach that follows engagement,
reshares and posts that keep customers (MODEL-REVIEW G5).

Made by :mod:`simulator.engine.block` only for ``social_page`` channels whose G5 fields
are on (:attr:`simulator.config.SocialPage.dynamic`); a page with them all off is
delivered by :func:`simulator.engine.channels.deliver` as before.

Per post: each follower sees it with the reach ``r = organic_reach x clip((E /
engagement_per_view) ** eta)`` of her replicate (one draw per candidate, O(reach x
people) with geometric skips); a viewer engages with ``engagement_per_view x
content_quality x interest / mean interest`` (x 0.2 for a bought fan) and shares
``shares_per_engagement`` of her engagements; ``E`` is the moving average of engagements
per view. Each share reaches each of the sharer's platform followers with ``share_reach``,
and they reshare as viewers do, for up to ``reshare_generations`` generations
(:func:`reshare_cascade`). Viewers of posts and shares follow with ``follow_after_view``;
customers follow after a purchase with ``follow_after_purchase``; followers leave with
``unfollow_per_day``; an active customer who sees a post has her drop-out x (1 -
``loyalty``) for ``loyalty_days``, and buys at (1 + ``purchase_lift``) her rate meanwhile
(an extra visit, :meth:`simulator.engine.lifecycle.CustomerLedger.cue`). Draws come from a new stream per page (``page/<name>``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

import numpy as np

from simulator import config as cfg
from simulator.engine.channels import ChannelPlan, Delivery
from simulator.engine.messages import Exposures, bernoulli_positions, sample_edges
from simulator.engine.purchases import CustomerBook
from simulator.streams import stream
from simulator.town.network import Network
from simulator.town.population import Population

BOUGHT_FAN_INTEREST = 0.2
"""A bought fan's interest in the category relative to anyone's (MODEL-REVIEW G5
[assumption])."""


def reshare_cascade(
    indptr: np.ndarray,
    indices: np.ndarray,
    first: np.ndarray,
    size: int,
    reach: float,
    reshare: np.ndarray,
    generations: int,
    rng: np.random.Generator,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Shares of ``first`` (flat sharers), reshared for up to ``generations`` generations.

    Each share reaches each of the sharer's out-edges with ``reach``; a person reached
    reshares with ``reshare[person]``. Returns, per generation, its sharers, the people
    their shares reached (flat) and the edges that reached them. With every out-degree ``k`` and a constant reshare
    chance ``s``, the shares form a Galton-Watson process of offspring mean ``b = k reach
    s``: a first share makes 1 / (1 - b) shares and k reach / (1 - b) views in expectation
    when b < 1 and generations are unbounded.

    Examples
    --------
    >>> indptr, indices = np.arange(6), np.array([1, 2, 3, 4, 4])  # a chain: i -> i + 1
    >>> out = reshare_cascade(indptr, indices, np.array([0]), 5, 1.0, np.ones(5), 3,
    ...                       np.random.default_rng(0))
    >>> [(sharers.tolist(), targets.tolist()) for sharers, targets, _ in out]
    [([0], [1]), ([1], [2]), ([2], [3])]
    """
    out = []
    sharers = np.asarray(first, np.int64)
    for generation in range(generations):
        if sharers.size == 0:
            break
        edges, owner = sample_edges(indptr, sharers % size, reach, rng)
        targets = (sharers[owner] // size) * size + indices[edges]
        out.append((sharers, targets.astype(np.int64), edges))
        if generation + 1 < generations:
            sharers = targets[rng.random(targets.size) < reshare[targets % size]]
    return out


def post_reach(engagement: np.ndarray, page: cfg.SocialPage) -> np.ndarray:
    """Reach of a post per replicate: ``r0 clip((E / eps0) ** eta, r_min / r0, r_max / r0)``.

    Examples
    --------
    >>> page = cfg.SocialPage(engagement=True, reach_feedback=1.0)
    >>> post_reach(np.array([0.048, 0.096, 1.0]), page).round(4).tolist()
    [0.052, 0.104, 0.16]
    """
    r0 = page.organic_reach
    if page.reach_feedback == 0 or r0 == 0:
        return np.full(engagement.size, r0)
    ratio = np.maximum(engagement, 0.0) / page.engagement_per_view
    return np.clip(r0 * ratio**page.reach_feedback, page.reach_min, page.reach_max)


class Page:
    """One dynamic page of one block; private to the engine."""

    def __init__(
        self,
        plan: ChannelPlan,
        scenario: cfg.Scenario,
        network: Network,
        members: np.ndarray,
        interest: np.ndarray,
        block: int,
        replicates: int,
    ) -> None:
        config = plan.config
        if not isinstance(config, cfg.SocialPage):  # pragma: no cover - built for pages only
            raise TypeError(f"a page needs a social_page channel, got {config.kind}")
        self.plan, self.config = plan, config
        self.size = size = interest.size
        self.reps = replicates
        self.flat = replicates * size
        starting = ((np.arange(replicates) * size)[:, None] + plan.audience).ravel()
        self.follows = np.zeros(self.flat, bool)
        self.follows[starting] = True
        self.bought = self.follows.copy() if config.bought_fans else None
        layer = network.layer(config.platform)
        self.indptr, self.indices, self.tie = layer.indptr, layer.indices, layer.tie
        self.member = np.zeros(size, bool)  # only platform members can follow
        self.member[members] = True
        mean = float(interest.mean()) if interest.size else 0.0
        self.relative = interest / mean if mean > 0 else np.zeros(size)
        steps = scenario.simulation.steps
        self.step_days = scenario.simulation.step_days
        self.posts_at = _post_steps(config, steps, self.step_days)
        self.engaged_mean = np.full(replicates, config.engagement_per_view)  # E, per view
        self.rng = stream(scenario.simulation.seed, f"page/{plan.name}", block)
        self.loyal: deque[np.ndarray] = deque()
        self.seen_customers = np.zeros(0, np.int64)  # this step's, for purchase_lift
        self.loyal_steps = max(1, int(math.ceil(config.loyalty_days / self.step_days - 1e-9)))
        self.views = np.zeros(replicates, np.int64)
        self.engagements = np.zeros(replicates, np.int64)
        self.shares = np.zeros(replicates, np.int64)
        self.share_views = np.zeros(replicates, np.int64)
        self.posts = 0

    # --------------------------------------------------------------- a step's posts

    def deliver(self, step: int, book: CustomerBook | None) -> Delivery | None:
        """The step's posts: views, shares and their reshares, as exposures."""
        posts = int(self.posts_at[step])
        if posts == 0:
            return None
        parts = []
        seen = []
        impressions = np.zeros(self.reps, np.int64)
        for _ in range(posts):
            viewers = self._viewers()
            impressions += np.bincount(viewers // self.size, minlength=self.reps)
            strength = np.full(viewers.size, self.plan.strength, np.float32)
            if self.bought is not None:
                strength[self.bought[viewers]] *= np.float32(BOUGHT_FAN_INTEREST)
            parts.append(
                Exposures(
                    viewers,
                    strength,
                    np.full(viewers.size, self.plan.source, np.int8),
                    np.full(viewers.size, self.plan.index, np.int16),
                    np.ones(viewers.size, np.int8),
                )
            )
            seen.append(viewers)
            sharers = self._engage(viewers)
            for _, targets, edges in self._cascade(sharers):
                parts.append(self._share_exposures(targets, edges))
                seen.append(targets)
        self.posts += posts
        everyone = np.concatenate(seen)
        self._follow(everyone, self.config.follow_after_view)
        self._keep(everyone, book)
        return Delivery(
            Exposures.concatenate(parts),
            np.zeros(0, np.int64),
            impressions,
            float(self.plan.cost_at[step]),
        )

    def _viewers(self) -> np.ndarray:
        """Followers who see one post: Bernoulli(reach of their replicate), O(reach x flat)."""
        reach = post_reach(self.engaged_mean, self.config)
        top = float(reach.max())
        if top <= 0:
            return np.zeros(0, np.int64)
        candidate = bernoulli_positions(self.flat, top, self.rng)
        candidate = candidate[self.follows[candidate]]
        keep = self.rng.random(candidate.size) * top < reach[candidate // self.size]
        viewers = candidate[keep]
        self.views += np.bincount(viewers // self.size, minlength=self.reps)
        return viewers

    def _chance(self, people: np.ndarray) -> np.ndarray:
        """Each viewer's chance to engage with a post."""
        config = self.config
        chance = (
            config.engagement_per_view * config.content_quality * self.relative[people % self.size]
        )
        if self.bought is not None:
            chance = np.where(self.bought[people], chance * BOUGHT_FAN_INTEREST, chance)
        return np.minimum(chance, 1.0)

    def _engage(self, viewers: np.ndarray) -> np.ndarray:
        """Engagements of a post's viewers (updating E), and the sharers among them."""
        config = self.config
        if not config.engagement:  # the page as before: share_probability per viewer
            return viewers[self.rng.random(viewers.size) < config.share_probability]
        engaged = viewers[self.rng.random(viewers.size) < self._chance(viewers)]
        rep_views = np.bincount(viewers // self.size, minlength=self.reps)
        rep_engaged = np.bincount(engaged // self.size, minlength=self.reps)
        self.engagements += rep_engaged
        seen = rep_views > 0
        weight = config.reach_memory
        self.engaged_mean[seen] = (1 - weight) * self.engaged_mean[seen] + weight * (
            rep_engaged[seen] / rep_views[seen]
        )
        return engaged[self.rng.random(engaged.size) < config.shares_per_engagement]

    def _cascade(self, sharers: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """A post's shares and their reshares (a bought fan's friends reshare as anyone)."""
        config = self.config
        if config.share_reach <= 0 or sharers.size == 0:
            return []
        if config.engagement:
            reshare = config.shares_per_engagement * self._chance(np.arange(self.size))
        else:
            reshare = np.full(self.size, config.share_probability)
        out = reshare_cascade(
            self.indptr,
            self.indices,
            sharers,
            self.size,
            config.share_reach,
            reshare,
            config.reshare_generations,
            self.rng,
        )
        for generation_sharers, targets, _ in out:
            self.shares += np.bincount(generation_sharers // self.size, minlength=self.reps)
            self.share_views += np.bincount(targets // self.size, minlength=self.reps)
        return out

    def _share_exposures(self, targets: np.ndarray, edges: np.ndarray) -> Exposures:
        sharing = self.plan.sharing
        if sharing is None:  # pragma: no cover - a page plan always has its sharing
            raise TypeError("a page plan without sharing")
        tie = self.tie[edges]
        return Exposures(
            targets,
            sharing.strength_by_tie[tie],
            sharing.source_by_tie[tie],
            np.full(targets.size, self.plan.index, np.int16),
            np.ones(targets.size, np.int8),
        )

    # --------------------------------------------------------------- followers and customers

    def _follow(self, people: np.ndarray, chance: float) -> None:
        if chance <= 0 or people.size == 0:
            return
        fresh = people[~self.follows[people] & self.member[people % self.size]]
        self.follows[fresh[self.rng.random(fresh.size) < chance]] = True

    def _keep(self, people: np.ndarray, book: CustomerBook | None) -> None:
        """Active customers who saw a post or a share churn less for loyalty_days (and are
        kept for :meth:`cued`)."""
        if book is None or (self.config.loyalty <= 0 and self.config.purchase_lift <= 0):
            return
        kept = np.unique(people[book.active[people]])
        if self.config.purchase_lift > 0:
            self.seen_customers = np.union1d(self.seen_customers, kept)
        if self.config.loyalty <= 0:
            return
        book.dropout[kept] *= np.float32(1.0 - self.config.loyalty)
        self.loyal.append(kept)

    def cued(self) -> tuple[np.ndarray, float]:
        """The active customers who saw a post this step, and their extra visits' factor
        (``purchase_lift x loyalty_days``); the list is emptied."""
        people, self.seen_customers = self.seen_customers, np.zeros(0, np.int64)
        return people, self.config.purchase_lift * self.config.loyalty_days

    def end_step(self, step: int, buyers: np.ndarray, book: CustomerBook | None) -> None:
        """Customers who bought may follow; followers may leave; loyalty wears off."""
        self._follow(buyers, self.config.follow_after_purchase)
        leave = self.config.unfollow_per_day * self.step_days
        if leave > 0:
            gone = bernoulli_positions(self.flat, min(leave, 1.0), self.rng)
            self.follows[gone] = False
        if book is not None and self.config.loyalty > 0:
            while len(self.loyal) > self.loyal_steps:  # posts seen loyalty_days ago
                people = self.loyal.popleft()
                book.dropout[people] = np.minimum(
                    book.dropout[people] / np.float32(1.0 - self.config.loyalty), 1.0
                )

    def outputs(self) -> dict[str, np.ndarray]:
        followers = np.bincount(
            np.flatnonzero(self.follows) // self.size, minlength=self.reps
        ).astype(np.int64)
        return {
            "followers": followers,
            "views": self.views,
            "engagements": self.engagements,
            "shares": self.shares,
            "share_views": self.share_views,
        }


def _post_steps(config: cfg.SocialPage, steps: int, step_days: float) -> np.ndarray:
    """Posts in each step, as :func:`simulator.engine.channels.compile_channel` schedules
    them (every 7 / posts_per_week days within the campaign, while the budget lasts)."""
    end = min(config.end_day, steps * step_days)
    days = np.arange(config.start_day, end, 7.0 / config.posts_per_week)
    events = np.floor(days / step_days + 1e-9).astype(np.int64)
    unit_cost = config.hours_per_post * config.hourly_cost
    if unit_cost > 0:
        events = events[: int(math.floor(config.budget / unit_cost + 1e-9))]
    return np.bincount(events, minlength=steps)[:steps]


class Pages:
    """The dynamic pages of one block, by channel index; private to the engine."""

    def __init__(self, pages: dict[int, Page]) -> None:
        self.pages = pages

    @staticmethod
    def build(
        plans: Sequence[ChannelPlan],
        scenario: cfg.Scenario,
        network: Network,
        population: Population,
        block: int,
        replicates: int,
    ) -> Pages | None:
        """The pages of ``plans`` with a G5 field on, or None when there are none."""
        pages = {
            plan.index: Page(
                plan,
                scenario,
                network,
                population.audience(plan.config.platform),
                population.interest,
                block,
                replicates,
            )
            for plan in plans
            if isinstance(plan.config, cfg.SocialPage) and plan.config.dynamic
        }
        return Pages(pages) if pages else None

    def __contains__(self, index: int) -> bool:
        return index in self.pages

    def deliver(self, index: int, step: int, book: CustomerBook | None) -> Delivery | None:
        return self.pages[index].deliver(step, book)

    def end_step(self, step: int, buyers: np.ndarray, book: CustomerBook | None) -> None:
        for page in self.pages.values():
            page.end_step(step, buyers, book)

    def follow(self, index: int, people: np.ndarray, chance: float) -> None:
        """``people`` (flat) who are members of page ``index``'s platform follow it with
        ``chance`` (an influencer's viewers)."""
        self.pages[index]._follow(people, chance)

    def cued(self) -> list[tuple[np.ndarray, float]]:
        """Each page's customers who saw a post this step, with their lift (see
        :meth:`Page.cued`)."""
        return [page.cued() for page in self.pages.values() if page.config.purchase_lift > 0]

    def outputs(self, channels: int) -> dict[str, np.ndarray]:
        """Per replicate and channel (zero for the other channels): ``page_<name>``."""
        out: dict[str, np.ndarray] = {}
        for index, page in self.pages.items():
            for name, values in page.outputs().items():
                table = out.setdefault(f"page_{name}", np.zeros((page.reps, channels), np.int64))
                table[:, index] = values
        return out
