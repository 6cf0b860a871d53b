"""Messages between people: a step's exposures, and the sampling of who hears whom.

Channels and adoption rules both speak this language; they meet only in the engine
(:mod:`simulator.engine.block`), and neither imports the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Exposures:
    """Messages received in one step, one entry per message.

    ``target`` is a flat index ``replicate * size + person``; ``strength`` is trust x
    persuasion (the adoption rule multiplies by the receiver's interest); ``channel`` is the
    channel's index, or -1 for organic word of mouth; ``valence`` is +1 or -1.

    When the engine tracks senders (a referral programme runs), a word-of-mouth message's
    ``channel`` is ``-2 - sender`` instead of -1, ``sender`` being the speaker's flat index
    (see :func:`tag_senders`). The adoption rules copy the tipping message's ``channel`` into
    their decision untouched, so the sender of every adoption is known without another array
    per message, and without any work or memory when no programme runs.
    """

    target: np.ndarray
    strength: np.ndarray
    source: np.ndarray
    channel: np.ndarray
    valence: np.ndarray

    @property
    def sender(self) -> np.ndarray:
        """Each message's speaker (flat index), or -1 for paid media and untracked talk."""
        return senders(self.channel)

    @staticmethod
    def empty() -> Exposures:
        return Exposures(
            np.zeros(0, np.int64),
            np.zeros(0, np.float32),
            np.zeros(0, np.int8),
            np.zeros(0, np.int16),
            np.zeros(0, np.int8),
        )

    @staticmethod
    def uniform(
        target: np.ndarray, strength: float, source: int, channel: int, valence: int = 1
    ) -> Exposures:
        n = target.size
        return Exposures(
            target.astype(np.int64, copy=False),
            np.full(n, strength, np.float32),
            np.full(n, source, np.int8),
            np.full(n, channel, np.int16),
            np.full(n, valence, np.int8),
        )

    @staticmethod
    def concatenate(parts: list[Exposures]) -> Exposures:
        parts = [p for p in parts if p.target.size]
        if not parts:
            return Exposures.empty()
        if len(parts) == 1:
            return parts[0]
        return Exposures(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in Exposures.__dataclass_fields__
            )
        )


WORD_OF_MOUTH = -1
"""The ``channel`` of an organic word-of-mouth message whose sender is not tracked."""


def tag_senders(sender: np.ndarray) -> np.ndarray:
    """The ``channel`` values of word-of-mouth messages from ``sender`` (flat indices).

    Examples
    --------
    >>> tag_senders(np.array([0, 7])).tolist(), senders(np.array([3, -1, -2, -9])).tolist()
    ([-2, -9], [-1, -1, 0, 7])
    """
    return -2 - sender.astype(np.int64, copy=False)


def senders(channel: np.ndarray) -> np.ndarray:
    """The sender (flat index) coded in ``channel`` values; -1 where there is none."""
    return np.where(channel <= -2, -2 - channel.astype(np.int64, copy=False), -1)


def untag(channel: np.ndarray) -> np.ndarray:
    """``channel`` values with every word-of-mouth message back at -1 (int16).

    Examples
    --------
    >>> untag(np.array([3, -1, -2, -9])).tolist()
    [3, -1, -1, -1]
    """
    return np.maximum(channel, WORD_OF_MOUTH).astype(np.int16)


def sample_edges(
    indptr: np.ndarray, speakers: np.ndarray, probability: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Each out-edge of ``speakers`` kept with ``probability``, in O(edges kept).

    The speakers' edge ranges, laid end to end, form one sequence of Bernoulli trials;
    the kept positions are found by skipping geometric gaps (the number of trials up to
    and including the next success), so the work is proportional to the contacts made,
    not to the edges. Above one half, one uniform per edge is cheaper. Returns the kept
    edge indices and, for each, the position of its speaker in ``speakers``.

    Examples
    --------
    >>> indptr = np.array([0, 3, 3, 5])
    >>> edges, owner = sample_edges(indptr, np.array([0, 2]), 1.0, np.random.default_rng(0))
    >>> edges.tolist(), owner.tolist()
    ([0, 1, 2, 3, 4], [0, 0, 0, 1, 1])
    """
    starts = indptr[speakers]
    degree = indptr[speakers + 1] - starts
    ends = np.cumsum(degree)
    total = int(ends[-1]) if ends.size else 0
    if total == 0 or probability <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if probability >= 1:
        positions = np.arange(total, dtype=np.int64)
    elif probability > 0.5:
        positions = np.flatnonzero(rng.random(total) < probability)
    else:
        positions = bernoulli_positions(total, probability, rng)
    owner = np.searchsorted(ends, positions, side="right")
    edges = starts[owner] + positions - (ends[owner] - degree[owner])
    return edges.astype(np.int64), owner


def bernoulli_positions(total: int, probability: float, rng: np.random.Generator) -> np.ndarray:
    """Positions of the successes among ``total`` Bernoulli(``probability``) trials.

    Cumulative sums of geometric gaps, drawn in chunks a little larger than the expected
    count: O(successes) work and random numbers.

    Examples
    --------
    >>> positions = bernoulli_positions(1_000_000, 0.01, np.random.default_rng(1))
    >>> bool(9_500 < positions.size < 10_500), bool(positions.max() < 1_000_000)
    (True, True)
    """
    expected = total * probability
    chunk = int(expected + 4.0 * math.sqrt(expected) + 16)
    # A gap above total already lands past the end: clipping it there is exact, and keeps
    # the sums from overflowing when the probability is tiny.
    positions = np.cumsum(np.minimum(rng.geometric(probability, chunk), total + 1)) - 1
    parts = [positions]
    while positions[-1] < total - 1:
        positions = positions[-1] + np.cumsum(
            np.minimum(rng.geometric(probability, chunk), total + 1)
        )
        parts.append(positions)
    positions = np.concatenate(parts) if len(parts) > 1 else positions
    return positions[: np.searchsorted(positions, total)]


def uplift_edges(
    indptr: np.ndarray,
    tie: np.ndarray,
    speakers: np.ndarray,
    probability: float,
    uplift_by_tie: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Extra contacts that raise an edge's chance from ``p`` to ``min(1, p (1 + u_tie))``.

    Drawn independently of the contacts already made, with ``q = p u / (1 - p)`` per edge,
    so that an edge is used by either draw with probability ``p + q (1 - p) = p (1 + u)``;
    the caller drops the edges both draws kept. One geometric pass at the largest ``q``,
    then thinning by tie kind: O(edges kept). Returns edges and owners as
    :func:`sample_edges`.

    Examples
    --------
    >>> indptr, tie = np.array([0, 2]), np.array([0, 1])
    >>> edges, owner = uplift_edges(
    ...     indptr, tie, np.array([0]), 0.5, np.array([0.0, 1.0]), np.random.default_rng(0)
    ... )
    >>> edges.tolist()  # q = 0 on the strong tie, 1 on the weak one
    [1]
    """
    if probability >= 1 or probability <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    extra = np.minimum(probability * uplift_by_tie / (1.0 - probability), 1.0)
    top = float(extra.max())
    if top <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    edges, owner = sample_edges(indptr, speakers, top, rng)
    if extra.min() < top:
        keep = rng.random(edges.size) * top < extra[tie[edges]]
        edges, owner = edges[keep], owner[keep]
    return edges, owner
