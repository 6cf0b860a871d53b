"""Attribution rules marketers use, Shapley values, and their scores against the truth.

Every rule here sees what an analytics suite would see: each person's touchpoint path
(touches in order, each labelled by a *player*: a channel, or word of mouth) and whether
the person converted. A rule splits each conversion among the players of the path; the
credits are summed per replicate into a ``(replicates, players + 1)`` array whose last
column is *organic*: conversions with no recorded touch. Ground truth comes from
elsewhere (paired runs with channels switched off, :mod:`simulator.studies.attribution`);
:func:`score` compares the two.

Paths are flat arrays sorted by journey and then by time: ``journey`` (the row of each
touch's journey), ``player`` (0 to players - 1) and ``step``; per journey, ``replicate``,
``converted`` and ``conversion_step``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulator.errors import ArgumentError

HALF_LIFE_DAYS = 7.0
"""Half-life of the time-decay rule: 7 days, the default of Google Analytics' time-decay
model (Google Analytics Help, "About attribution models", Universal Analytics)."""

POSITION_SHARES = (0.4, 0.2, 0.4)
"""First, middle and last shares of the position-based rule (the "U-shaped" 40/20/40 of
Google Analytics; with two touches each gets half, with one it gets all)."""

RULES = (
    "last_touch",
    "first_touch",
    "linear",
    "time_decay",
    "position_based",
    "markov",
    "shapley_paths",
)
"""The rules :func:`credit` knows, in the order tables list them."""


@dataclass(frozen=True)
class Paths:
    """Touchpoint paths of one strategy's replicates (see the module docstring).

    Examples
    --------
    >>> paths = Paths.from_lists([[0, 1], [1], [0]], converted=[True, True, False],
    ...                          players=2)
    >>> paths.lengths.tolist(), paths.conversions_per_replicate().tolist()
    ([2, 1, 1], [2.0])
    """

    journey: np.ndarray
    player: np.ndarray
    step: np.ndarray
    replicate: np.ndarray
    converted: np.ndarray
    conversion_step: np.ndarray
    players: int
    replicates: int

    @staticmethod
    def from_lists(
        paths: list[list[int]],
        *,
        converted: list[bool],
        players: int,
        replicate: list[int] | None = None,
    ) -> Paths:
        """Paths from plain lists of players (one step per touch), for examples and tests."""
        lengths = [len(p) for p in paths]
        replicates = np.zeros(len(paths), np.int64) if replicate is None else np.array(replicate)
        return Paths(
            journey=np.repeat(np.arange(len(paths)), lengths),
            player=np.array([c for p in paths for c in p], np.int64),
            step=np.concatenate([np.arange(n) for n in lengths] or [np.zeros(0, np.int64)]),
            replicate=replicates,
            converted=np.asarray(converted, bool),
            conversion_step=np.array([max(n - 1, 0) for n in lengths]),
            players=players,
            replicates=int(replicates.max(initial=-1)) + 1,
        )

    @property
    def lengths(self) -> np.ndarray:
        return np.bincount(self.journey, minlength=self.converted.size)

    def conversions_per_replicate(self) -> np.ndarray:
        return np.bincount(self.replicate[self.converted], minlength=self.replicates).astype(
            np.float64
        )


def _positions(paths: Paths) -> tuple[np.ndarray, np.ndarray]:
    """Each touch's position in its path and its path's length."""
    lengths = paths.lengths
    starts = np.cumsum(lengths) - lengths
    return np.arange(paths.journey.size) - starts[paths.journey], lengths[paths.journey]


def _weights(paths: Paths, rule: str, step_days: float) -> np.ndarray:
    """Each touch's share of its path's conversion under a heuristic rule (sums to 1)."""
    position, length = _positions(paths)
    if rule == "last_touch":
        return (position == length - 1).astype(np.float64)
    if rule == "first_touch":
        return (position == 0).astype(np.float64)
    if rule == "linear":
        return 1.0 / length
    if rule == "time_decay":
        ago = (paths.conversion_step[paths.journey] - paths.step) * step_days
        raw = np.exp2(-ago / HALF_LIFE_DAYS)
        total = np.bincount(paths.journey, weights=raw, minlength=paths.converted.size)
        return raw / total[paths.journey]
    first, middle, last = POSITION_SHARES
    weight = np.where(position == 0, first, np.where(position == length - 1, last, 0.0))
    inner = np.maximum(length - 2, 1)
    weight = np.where((position > 0) & (position < length - 1), middle / inner, weight)
    weight = np.where(length == 2, 0.5, weight)
    return np.where(length == 1, 1.0, weight)


def credit(paths: Paths, rule: str, *, step_days: float = 1.0) -> np.ndarray:
    """Conversions credited to each player by ``rule``, per replicate.

    Returns a ``(replicates, players + 1)`` array; the last column holds conversions whose
    path is empty (organic, no touch recorded). Every rule credits each conversion once,
    so rows sum to the replicate's conversions.

    Examples
    --------
    >>> paths = Paths.from_lists([[0, 1], [1], [0, 0, 1]], converted=[True, True, False],
    ...                          players=2)
    >>> credit(paths, "last_touch").tolist(), credit(paths, "first_touch").tolist()
    ([[0.0, 2.0, 0.0]], [[1.0, 1.0, 0.0]])
    >>> credit(paths, "linear").tolist()
    [[0.5, 1.5, 0.0]]
    """
    if rule not in RULES:
        raise ArgumentError(f"rule must be one of {', '.join(RULES)}; got {rule!r}")
    out = np.zeros((paths.replicates, paths.players + 1))
    converted = paths.converted
    empty = converted & (paths.lengths == 0)
    out[:, -1] = np.bincount(paths.replicate[empty], minlength=paths.replicates)
    if rule == "markov":
        out[:, :-1] = _per_replicate(paths, markov_credit)
        return out
    if rule == "shapley_paths":
        out[:, :-1] = _per_replicate(paths, path_shapley_credit)
        return out
    weight = _weights(paths, rule, step_days) * converted[paths.journey]
    np.add.at(out, (paths.replicate[paths.journey], paths.player), weight)
    return out


def _per_replicate(paths: Paths, rule: Callable[[Paths], np.ndarray]) -> np.ndarray:
    """A rule fitted on each replicate's paths alone (a marketer has one data set)."""
    rows = np.zeros((paths.replicates, paths.players))
    for replicate in range(paths.replicates):  # a handful of replicates, not people
        mine = paths.replicate == replicate
        rows[replicate] = rule(_subset(paths, mine))
    return rows


def _subset(paths: Paths, journeys: np.ndarray) -> Paths:
    """The journeys selected by a boolean mask, renumbered, as one replicate."""
    new_index = np.cumsum(journeys) - 1
    touches = journeys[paths.journey]
    return Paths(
        new_index[paths.journey[touches]],
        paths.player[touches],
        paths.step[touches],
        np.zeros(int(journeys.sum()), np.int64),
        paths.converted[journeys],
        paths.conversion_step[journeys],
        paths.players,
        1,
    )


# --------------------------------------------------------------------------- Markov chains


def transition_counts(paths: Paths) -> np.ndarray:
    """First-order transitions between states ``start, players..., conversion, null``.

    Row ``start`` counts first touches; a path's last touch moves to ``conversion`` if the
    journey converted, else to ``null``. Repeated touches of one player are self-loops.
    Journeys without touches are left out.
    """
    m = paths.players
    start, conversion, null = m, m + 1, m + 2
    counts = np.zeros((m + 3, m + 3))
    position, length = _positions(paths)
    first = position == 0
    np.add.at(counts, (start, paths.player[first]), 1)
    inner = position < length - 1
    np.add.at(counts, (paths.player[inner], paths.player[np.flatnonzero(inner) + 1]), 1)
    last = position == length - 1
    ends = np.where(paths.converted[paths.journey[last]], conversion, null)
    np.add.at(counts, (paths.player[last], ends), 1)
    return counts


def conversion_probability(counts: np.ndarray, removed: int | None = None) -> float:
    """P(reaching conversion from start) in the chain of ``counts``; a ``removed``
    player's visitors go to null instead (the removal effect's counterfactual).

    Examples
    --------
    >>> paths = Paths.from_lists([[0, 1], [1], [0]], converted=[True, True, False],
    ...                          players=2)
    >>> counts = transition_counts(paths)
    >>> round(conversion_probability(counts), 4), round(conversion_probability(counts, 1), 4)
    (0.6667, 0.0)
    """
    m = counts.shape[0] - 3
    start, conversion = m, m + 1
    transient = [*range(m), start]
    total = counts.sum(axis=1, keepdims=True)
    probability = np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)
    if removed is not None:
        probability[removed] = 0.0  # absorbed into null
    q = probability[np.ix_(transient, transient)]
    r = probability[transient, conversion]
    absorbed = np.linalg.solve(np.eye(len(transient)) - q, r)
    return float(absorbed[-1])


def removal_effects(paths: Paths) -> np.ndarray:
    """Removal effect of each player: 1 - P(conversion without it) / P(conversion).

    As in Anderl, Becker, von Wangenheim and Schumann (2016) and the ``ChannelAttribution``
    package's first-order Markov model, computed exactly (absorbing-chain algebra) rather
    than by simulating paths.
    """
    counts = transition_counts(paths)
    full = conversion_probability(counts)
    if full <= 0:
        return np.zeros(paths.players)
    return np.array([1.0 - conversion_probability(counts, c) / full for c in range(paths.players)])


def markov_credit(paths: Paths) -> np.ndarray:
    """Conversions with a touch, split in proportion to the players' removal effects.

    Examples
    --------
    >>> paths = Paths.from_lists([[0, 1], [1], [0]], converted=[True, True, False],
    ...                          players=2)
    >>> markov_credit(paths).round(3).tolist()  # removal effects 0.5 and 1
    [0.667, 1.333]
    """
    touched = paths.converted & (paths.lengths > 0)
    effects = removal_effects(paths)
    if effects.sum() <= 0:
        return np.zeros(paths.players)
    return touched.sum() * effects / effects.sum()


# --------------------------------------------------------------------------- Shapley values


def shapley_weights(players: int) -> np.ndarray:
    """``|S|! (k - |S| - 1)! / k!`` for every coalition mask ``S`` of ``k`` players."""
    sizes = np.array([bin(mask).count("1") for mask in range(1 << players)])
    factorial = np.array([math.factorial(i) for i in range(players + 1)], np.float64)
    return factorial[sizes] * factorial[np.maximum(players - sizes - 1, 0)] / factorial[players]


def exact_shapley(values: np.ndarray) -> np.ndarray:
    """Shapley values from the value of every coalition (exact, all ``2^k`` subsets).

    ``values[mask]`` is the value of the coalition whose players are the bits of ``mask``
    (any trailing shape, e.g. one value per replicate). Returns ``(k, ...)``; the values
    sum to ``values[full] - values[0]`` (efficiency).

    Examples
    --------
    >>> exact_shapley(np.array([0.0, 10.0, 20.0, 30.0])).tolist()  # additive
    [10.0, 20.0]
    >>> exact_shapley(np.array([0.0, 0.0, 0.0, 1.0])).tolist()  # both needed
    [0.5, 0.5]
    """
    values = np.asarray(values, np.float64)
    players = int(values.shape[0]).bit_length() - 1
    if values.shape[0] != 1 << players:
        raise ArgumentError(f"values must have 2^k rows (one per coalition); got {values.shape[0]}")
    weight = shapley_weights(players)
    masks = np.arange(1 << players)
    out = np.zeros((players, *values.shape[1:]))
    for player in range(players):  # k <= 15 players, each a vector operation
        bit = 1 << player
        without = masks[(masks & bit) == 0]
        gain = values[without | bit] - values[without]
        out[player] = np.tensordot(weight[without], gain, axes=1)
    return out


def sampled_shapley(
    value: Callable[[int], np.ndarray], players: int, permutations: int, *, rng: np.random.Generator
) -> np.ndarray:
    """Shapley values estimated from random orders of the players (Castro et al. 2009).

    ``value(mask)`` gives a coalition's value (an array, e.g. per replicate); it should
    cache, as consecutive orders share coalitions. Each order adds every player's
    marginal gain when it joins; the mean over orders is unbiased.

    Examples
    --------
    >>> table = np.array([0.0, 10.0, 20.0, 30.0])
    >>> sampled_shapley(lambda m: table[m], 2, 4, rng=np.random.default_rng(0)).tolist()
    [10.0, 20.0]
    """
    total: np.ndarray | None = None
    for _ in range(permutations):
        mask, before = 0, value(0)
        gains: list[np.ndarray] = [np.zeros(0)] * players
        for player in rng.permutation(players):
            mask |= 1 << int(player)
            after = value(mask)
            gains[int(player)] = after - before
            before = after
        stacked = np.stack(gains)
        total = stacked if total is None else total + stacked
    if total is None:
        raise ArgumentError(f"permutations must be at least 1; got {permutations}")
    return total / permutations


def path_shapley_credit(paths: Paths) -> np.ndarray:
    """Data-driven Shapley on paths: players credited by Shapley values of conversion rates.

    A coalition's value is the conversion rate of the journeys whose set of players is
    exactly that coalition (Dalessandro, Perlich, Stitelman and Provost 2012; Zhao et al.
    2018), 0 where no journey has that set and for the empty set (journeys without any
    touch are not in the data); the conversions with a touch are split in proportion to
    the positive Shapley values.

    Examples
    --------
    >>> paths = Paths.from_lists([[0], [1], [0, 1], [0, 1]], converted=[True, False, True,
    ...                          True], players=2)
    >>> path_shapley_credit(paths).tolist()  # rates: {0} 1, {1} 0, {0, 1} 1
    [3.0, 0.0]
    """
    k = paths.players
    masks = np.zeros(paths.converted.size, np.int64)
    np.bitwise_or.at(masks, paths.journey, np.left_shift(1, paths.player))
    touched = paths.lengths > 0
    seen = np.bincount(masks[touched], minlength=1 << k).astype(np.float64)
    won = np.bincount(masks[touched & paths.converted], minlength=1 << k)
    rate = np.divide(won, seen, out=np.zeros(1 << k), where=seen > 0)
    rate[0] = 0.0
    shapley = np.maximum(exact_shapley(rate), 0.0)
    if shapley.sum() <= 0:
        return np.zeros(k)
    return float(won.sum()) * shapley / shapley.sum()
