"""Ground truth for attribution: each person's last touches, and who referred whom.

Kept only when a block is asked to (``run_block(..., record=K)``): a ring of the last ``K``
touches per person and replicate (arrays of shape ``(replicates x people, K)``, written in
O(touches) a step), and for each adopter the step, what tipped her and her referrer. A
touch is a message received while the person could still adopt (unaware or aware), or the
free sample that made her adopt; messages to adopters and rejecters are not touches.

A touch names its channel as the engine does: a paid medium's index, the business page's
index for the page's posts *and* for the shares of them (a page share is the page's
touch), -1 for a message from a friend or follower (word of mouth). Within one step the
touches are simultaneous; the tipping one is written last, so that the last touch of an
adopter's path is the one that tipped her.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simulator import config as cfg
from simulator.engine.adoption import AWARE, PROMOTER, Decision
from simulator.engine.channels import ChannelPlan
from simulator.engine.messages import Exposures

FREE_SAMPLE = cfg.SOURCE_TYPES.index("free_sample")

PATH_KEYS = ("channel", "source", "step", "sender", "valence", "layer")
"""Fields of one touch; ``sender`` is a person of the same replicate (-1 for media),
``layer`` the index of the layer a message travelled on (-1 for media)."""


class TouchRecorder:
    """Last ``depth`` touches per person, conversions and the referral tree of one block.

    Parameters
    ----------
    replicates, size : int
        The block's replicates and people per replicate (flat index ``r * size + person``).
    depth : int
        Touches kept per person (the most recent ones); older touches are counted only.
    plans : sequence of ChannelPlan
        The strategy's channels, to tell a page's shares (on the page's platform layer)
        from its posts.
    layers : sequence of str
        Layer names, in the order of the engine's layer tables.

    Examples
    --------
    >>> recorder = TouchRecorder(1, 3, depth=2, plans=(), layers=("market",))
    >>> talk = Exposures.uniform(np.array([0, 0, 0, 1]), 1.0, source=0, channel=-1)
    >>> state = np.zeros(3, np.int8)
    >>> decision = Decision(np.array([1]), np.array([0], np.int8), np.array([-1], np.int16),
    ...                     np.array([3]), np.zeros(0, np.int64))
    >>> recorder.record(0, talk, decision, [], state)
    >>> out = recorder.outputs()
    >>> out["journey_touches"].tolist(), out["journey_converted_at"].tolist()
    ([3, 1], [-1, 0])
    """

    def __init__(
        self,
        replicates: int,
        size: int,
        *,
        depth: int,
        plans: Sequence[ChannelPlan],
        layers: Sequence[str],
    ) -> None:
        flat = replicates * size
        self.size = size
        self.depth = depth
        self.count = np.zeros(flat, np.int32)
        self.ring: dict[str, np.ndarray] = {
            "channel": np.full((flat, depth), -1, np.int16),
            "source": np.zeros((flat, depth), np.int8),
            "step": np.zeros((flat, depth), np.int32),
            "sender": np.full((flat, depth), -1, np.int32),
            "valence": np.zeros((flat, depth), np.int8),
            "layer": np.full((flat, depth), -1, np.int8),
        }
        self.converted_at = np.full(flat, -1, np.int32)
        self.tip: dict[str, np.ndarray] = {
            "channel": np.full(flat, -1, np.int16),
            "source": np.full(flat, -1, np.int8),
            "layer": np.full(flat, -1, np.int8),
            "referrer": np.full(flat, -1, np.int32),
        }
        self.generation = np.full(flat, -1, np.int16)
        index = {name: i for i, name in enumerate(layers)}
        # A page's share arrives with the tie's source, not the page's own: that tells them apart.
        self.plan_source = np.array([p.source for p in plans] + [-1], np.int16)
        self.share_layer = np.array(
            [index[p.sharing.layer] if p.sharing is not None else -1 for p in plans] + [-1],
            np.int8,
        )
        self.word_of_mouth_layer: np.ndarray | None = None

    def word_of_mouth(self, layer_of_part: Sequence[int], parts: Sequence[Exposures]) -> None:
        """The layer of each word-of-mouth message this step (parts in concatenation order)."""
        sizes = [p.target.size for p in parts]
        self.word_of_mouth_layer = np.repeat(np.asarray(layer_of_part, np.int8), sizes)

    def _layers(self, exposures: Exposures) -> np.ndarray:
        """The layer of each of the step's messages; media first, then word of mouth."""
        spoken = self.word_of_mouth_layer
        self.word_of_mouth_layer = None
        spoken = np.zeros(0, np.int8) if spoken is None else spoken
        paid = exposures.channel[: exposures.target.size - spoken.size]
        share = (self.share_layer[paid] >= 0) & (
            exposures.source[: paid.size] != self.plan_source[paid]
        )
        media = np.where(share, self.share_layer[paid], -1).astype(np.int8)
        return np.concatenate([media, spoken])

    def record(
        self,
        step: int,
        exposures: Exposures,
        decision: Decision,
        forced: Sequence[tuple[np.ndarray, int]],
        state: np.ndarray,
    ) -> None:
        """Write the step's touches and conversions (call before the step is applied)."""
        layer = self._layers(exposures)
        open_ = np.flatnonzero(state[exposures.target] <= AWARE)
        tipping = np.zeros(exposures.target.size, np.int8)
        tipping[decision.exposure[decision.exposure >= 0]] = 1
        sender = exposures.senders_of(open_)
        seeds, seed_channel = self._seeds(decision, forced, state)
        touches = {
            "target": np.concatenate([exposures.target[open_], seeds]),
            "channel": np.concatenate([exposures.channel[open_], seed_channel]),
            "source": np.concatenate(
                [exposures.source[open_], np.full(seeds.size, FREE_SAMPLE, np.int8)]
            ),
            "sender": np.concatenate(
                [np.where(sender >= 0, sender % self.size, -1), np.full(seeds.size, -1)]
            ),
            "valence": np.concatenate([exposures.valence[open_], np.ones(seeds.size, np.int8)]),
            "layer": np.concatenate([layer[open_], np.full(seeds.size, -1, np.int8)]),
        }
        rank = np.concatenate([tipping[open_], np.full(seeds.size, 2, np.int8)])
        self._write(step, touches, rank)
        self._convert(step, exposures, layer, decision, seeds, seed_channel)

    def _seeds(
        self, decision: Decision, forced: Sequence[tuple[np.ndarray, int]], state: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Seeds who adopt this step (as :meth:`_Block._with_seeds` decides) and their channel."""
        people, channel = [np.zeros(0, np.int64)], [np.zeros(0, np.int16)]
        for seeds, index in forced:
            seeds = np.unique(seeds[state[seeds] < PROMOTER])
            seeds = np.setdiff1d(seeds, decision.adopters, assume_unique=True)
            people.append(seeds)
            channel.append(np.full(seeds.size, index, np.int16))
        return np.concatenate(people), np.concatenate(channel)

    def _write(self, step: int, touches: dict[str, np.ndarray], rank: np.ndarray) -> None:
        """Append touches to each person's ring, the tipping one last; O(touches)."""
        target = touches["target"]
        if target.size == 0:
            return
        order = np.lexsort((rank, target))  # stable: by person, then tipping last
        target = target[order]
        people, first, counts = np.unique(target, return_index=True, return_counts=True)
        group = np.repeat(np.arange(people.size), counts)
        within = np.arange(target.size) - first[group]
        keep = within >= counts[group] - self.depth  # only the last `depth` can stay
        order, target, group, within = order[keep], target[keep], group[keep], within[keep]
        slot = (self.count[target] + within) % self.depth
        for key, ring in self.ring.items():
            if key == "step":
                ring[target, slot] = step
            else:
                ring[target, slot] = touches[key][order]
        self.count[people] += counts.astype(np.int32)

    def _convert(
        self,
        step: int,
        exposures: Exposures,
        layer: np.ndarray,
        decision: Decision,
        seeds: np.ndarray,
        seed_channel: np.ndarray,
    ) -> None:
        """Book the step's adopters: what tipped them, their referrer and generation."""
        tip = decision.exposure
        spoken = exposures.senders_of(tip)
        friend = (decision.channel < 0) & (spoken >= 0)  # word of mouth from a person
        new = np.concatenate([decision.adopters, seeds])
        referrer = np.concatenate([np.where(friend, spoken, -1), np.full(seeds.size, -1)])
        self.converted_at[new] = step
        self.tip["channel"][new] = np.concatenate([decision.channel, seed_channel])
        self.tip["source"][new] = np.concatenate(
            [decision.source, np.full(seeds.size, FREE_SAMPLE, np.int8)]
        )
        tip_layer = np.where(tip >= 0, layer[np.maximum(tip, 0)] if layer.size else -1, -1)
        self.tip["layer"][new] = np.concatenate([tip_layer, np.full(seeds.size, -1)])
        self.tip["referrer"][new] = np.where(referrer >= 0, referrer % self.size, -1)
        # A referrer adopted in an earlier step, so her generation is already known.
        self.generation[new] = np.where(
            referrer >= 0, self.generation[np.maximum(referrer, 0)] + 1, 0
        )

    def outputs(self) -> dict[str, np.ndarray]:
        """Flat tables: ``journey_*`` one row per person touched or converted, ``path_*``
        one row per kept touch (oldest first); ``*_replicate`` is within the block."""
        size = self.size
        people = np.flatnonzero((self.count > 0) | (self.converted_at >= 0))
        kept = np.minimum(self.count[people], self.depth)
        rows = np.repeat(people, kept)
        position = np.arange(rows.size) - np.repeat(np.cumsum(kept) - kept, kept)
        slot = (self.count[rows] - np.repeat(kept, kept) + position) % self.depth
        out = {
            "journey_replicate": (people // size).astype(np.int32),
            "journey_person": (people % size).astype(np.int32),
            "journey_touches": self.count[people],
            "journey_converted_at": self.converted_at[people],
            "journey_generation": self.generation[people],
            **{f"journey_{key}": values[people] for key, values in self.tip.items()},
            "path_replicate": (rows // size).astype(np.int32),
            "path_person": (rows % size).astype(np.int32),
            "path_position": position.astype(np.int32),
            **{f"path_{key}": ring[rows, slot] for key, ring in self.ring.items()},
        }
        return out
