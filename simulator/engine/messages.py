"""Messages between people: a step's exposures, and the sampling of who hears whom.

Channels and adoption rules both speak this language; they meet only in the engine
(:mod:`simulator.engine.block`), and neither imports the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

COMPILED_ABOVE = 50_000
"""Passes over more elements use :mod:`simulator.engine.kernels` (the same values); shorter
ones stay in numpy, sparing small runs the import of numba."""


@dataclass(frozen=True)
class Exposures:
    """Messages received in one step, one entry per message.

    ``target`` is a flat index ``replicate * size + person``; ``strength`` is trust x
    persuasion (the adoption rule multiplies by the receiver's interest); ``channel`` is the
    channel's index, or -1 for organic word of mouth; ``valence`` is +1 or -1.

    ``sender`` is the speaker's flat index of each message (-1 for paid media), kept only
    when the engine tracks senders (a referral programme runs); otherwise it is None, and
    costs no work or memory. The adoption rules never read it: their decision names the
    tipping message by its index, and the engine looks the sender up (:meth:`senders_of`).

    ``tie`` is the :class:`simulator.town.network.Tie` kind each word-of-mouth message
    travelled (-1 for paid media), kept only when talk response is on, for the conversion
    per message by tie kind; otherwise None.
    """

    target: np.ndarray
    strength: np.ndarray
    source: np.ndarray
    channel: np.ndarray
    valence: np.ndarray
    sender: np.ndarray | None = None
    tie: np.ndarray | None = None

    def take(self, index: np.ndarray) -> Exposures:
        """The messages at ``index`` (positions or a boolean mask), in that order."""
        return Exposures(
            self.target[index],
            self.strength[index],
            self.source[index],
            self.channel[index],
            self.valence[index],
            None if self.sender is None else self.sender[index],
            None if self.tie is None else self.tie[index],
        )

    def senders_of(self, index: np.ndarray) -> np.ndarray:
        """The sender of the messages at ``index`` (int64); -1 where ``index`` is -1 (no
        message), for paid media, and everywhere when senders are not tracked.

        Examples
        --------
        >>> from dataclasses import replace
        >>> talk = Exposures.uniform(np.array([4, 5]), 1.0, source=0, channel=-1)
        >>> paid = Exposures.uniform(np.array([6]), 1.0, source=1, channel=0)
        >>> both = Exposures.concatenate([replace(talk, sender=np.array([7, 9])), paid])
        >>> both.senders_of(np.array([1, -1, 2])).tolist()
        [9, -1, -1]
        """
        found = np.full(index.size, -1, np.int64)
        if self.sender is not None:
            hit = index >= 0
            found[hit] = self.sender[index[hit]]
        return found

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
            np.concatenate([p.target for p in parts]),
            np.concatenate([p.strength for p in parts]),
            np.concatenate([p.source for p in parts]),
            np.concatenate([p.channel for p in parts]),
            np.concatenate([p.valence for p in parts]),
            _optional([p.sender for p in parts], [p.target.size for p in parts], np.int64),
            _optional([p.tie for p in parts], [p.target.size for p in parts], np.int8),
        )


def _optional(arrays: list[np.ndarray | None], sizes: list[int], dtype: type) -> np.ndarray | None:
    """Parts of an optional field joined, -1 for the parts that lack it (paid media); None
    when no part has it."""
    if all(array is None for array in arrays):
        return None
    return np.concatenate(
        [np.full(n, -1, dtype) if a is None else a for a, n in zip(arrays, sizes, strict=True)]
    )


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
    if total > COMPILED_ABOVE:  # the same edges, one pass instead of a chain of arrays
        from simulator.engine import kernels  # numba: only for passes large enough to need it

        if probability >= 1:
            return kernels.all_edges(starts, degree, total)
        if probability > 0.5:
            positions = np.flatnonzero(rng.random(total) < probability)
        else:
            positions = bernoulli_positions(total, probability, rng)
        return kernels.edge_owners(starts, degree, positions)
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


def rank_within(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each entry's rank among equal values (in order of position), in O(n log n).

    Returns ``rank`` and ``group`` per entry (``group`` indexes ``distinct``), the
    ``distinct`` values sorted, and how many entries each has. Used to give the k-th
    message of a step to the same person its k-th place (wear-out, saturation, caps).

    Examples
    --------
    >>> rank, group, distinct, counts = rank_within(np.array([7, 3, 7, 7]))
    >>> rank.tolist(), group.tolist(), distinct.tolist(), counts.tolist()
    ([0, 0, 1, 2], [1, 0, 1, 1], [3, 7], [1, 3])
    """
    bits = max(1, int(values.size - 1).bit_length())
    if (
        values.dtype.kind == "i"
        and values.size
        and int(values.min()) >= 0
        and int(values.max()).bit_length() + bits <= 62
    ):
        # One 64-bit key per entry, value then position: numpy's vectorised sort of the
        # keys gives the stable order of the values several times faster than a stable
        # argsort (the same order, so the same ranks).
        key = values.astype(np.int64) << bits
        key |= np.arange(values.size)
        key.sort()
        order = key & ((1 << bits) - 1)
        ordered = (key >> bits).astype(values.dtype, copy=False)
        del key
    else:
        order = np.argsort(values, kind="stable")
        ordered = values[order]
    first = np.ones(ordered.size, bool)
    first[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    group_sorted = np.cumsum(first) - 1
    rank = np.empty(ordered.size, np.int64)
    group = np.empty(ordered.size, np.int64)
    rank[order] = np.arange(ordered.size) - starts[group_sorted]
    group[order] = group_sorted
    return rank, group, ordered[starts], np.diff(np.append(starts, ordered.size))
