"""The referral programme inside a block: members, their extra talk and the rewards paid.

Made by :mod:`simulator.engine.block` only when a seeding channel offers a referral
reward (MODEL-REVIEW G6); without one nothing here is allocated or drawn, and messages
carry no sender.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from simulator import config as cfg
from simulator.engine.channels import ChannelPlan
from simulator.engine.messages import uplift_edges
from simulator.engine.prepare import LayerTable
from simulator.streams import stream
from simulator.town.network import Tie

WellMixed = Callable[[np.ndarray, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
"""The block's well-mixed contact sampler: ``(speakers, probability, rng)`` to each contact's
speaker position and a person below n - 1 (it counts the messages)."""


class Referrals:
    """Members, senders and talk uplift of one block; private to the engine."""

    def __init__(
        self, programmes: Sequence[cfg.Seeding], seed: int, block: int, replicates: int, size: int
    ) -> None:
        self.size = size
        self.reps = replicates
        self.members = np.zeros(replicates * size, bool)
        self.tipped_by = np.zeros(0, np.int64)  # sender of each rule adopter, this step
        self.referrals = np.zeros(replicates, np.int64)  # adoptions tipped by a member
        self.member_messages = np.zeros((replicates, len(Tie)), np.int64)
        # One programme in practice; with several, a member talks as the keenest would.
        strong = max(c.talk_uplift_strong for c in programmes)
        weak = max(c.talk_uplift_weak for c in programmes)
        self.uplift = np.array([weak] * len(Tie))
        self.uplift[Tie.STRONG] = strong
        self.rng = stream(seed, "referral_talk", block)

    @staticmethod
    def build(
        plans: Sequence[ChannelPlan], seed: int, block: int, replicates: int, size: int
    ) -> Referrals | None:
        """The programme of ``plans``, or None when no seeding channel pays a reward."""
        programmes = [
            plan.config
            for plan in plans
            if plan.referral_reward > 0 and isinstance(plan.config, cfg.Seeding)
        ]
        return Referrals(programmes, seed, block, replicates, size) if programmes else None

    def well_mixed_uplift(
        self,
        speakers: np.ndarray,
        probability: float,
        owner: np.ndarray,
        person: np.ndarray,
        contacts: WellMixed,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Members' extra contacts in a well-mixed layer (weak ties: x (1 + u_weak))."""
        members = self.members
        positions = np.flatnonzero(members[speakers])
        extra = min(1.0, probability * float(self.uplift[Tie.EXTERNAL]))
        if positions.size and extra > 0:
            more, whom = contacts(speakers[positions], extra, self.rng)
            owner, person = np.concatenate([owner, positions[more]]), np.concatenate([person, whom])
        by_member = owner[members[speakers[owner]]]
        np.add.at(self.member_messages, (speakers[by_member] // self.size, int(Tie.EXTERNAL)), 1)
        return owner, person

    def edge_uplift(
        self,
        table: LayerTable,
        speakers: np.ndarray,
        probability: float,
        edges: np.ndarray,
        owner: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Members' extra contacts along edges (see :func:`uplift_edges`), counted by tie."""
        member = self.members[speakers]
        positions = np.flatnonzero(member)
        if positions.size:
            more, whose = uplift_edges(
                table.indptr,
                table.tie,
                speakers[positions] % self.size,
                probability,
                self.uplift,
                self.rng,
            )
            whose = positions[whose]
            edge_count = table.indices.size  # an edge and a replicate name one contact
            made = (speakers[owner] // self.size) * edge_count + edges
            fresh = ~np.isin((speakers[whose] // self.size) * edge_count + more, made)
            edges = np.concatenate([edges, more[fresh]])
            owner = np.concatenate([owner, whose[fresh]])
        by_member = member[owner]
        np.add.at(
            self.member_messages,
            (speakers[owner[by_member]] // self.size, table.tie[edges[by_member]]),
            1,
        )
        return edges, owner

    def pay(self, referred_rep: np.ndarray, plans: Sequence[ChannelPlan], cost: np.ndarray) -> None:
        """Pay a reward per adoption tipped by a member's message, within each budget."""
        if referred_rep.size == 0:
            return
        count = np.bincount(referred_rep, minlength=self.reps)
        self.referrals += count
        for plan in plans:
            if plan.referral_reward > 0:
                left = plan.config.budget - cost[:, plan.index]
                cost[:, plan.index] += np.minimum(
                    count * plan.referral_reward, np.maximum(left, 0.0)
                )

    def outputs(self) -> dict[str, np.ndarray]:
        return {"referrals": self.referrals, "member_messages": self.member_messages}
