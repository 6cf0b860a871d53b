"""Compiled kernels (numba) of the step loop's large array passes: who hears whom, who is
newly aware, which exposures can succeed and which one tipped each adopter.

Each kernel computes from the random numbers that numpy drew, in the same order, exactly
what the numpy passes it replaces computed (tested value for value against them): a run
gives the same arrays with or without them. They fuse chains of gathers and temporary
arrays into one pass each, which is what a step costs when a million messages move.

This module is imported only for passes above
:data:`simulator.engine.messages.COMPILED_ABOVE` elements, so small runs never import numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def edge_owners(starts, degree, positions):
    """Edge and speaker position of every kept trial: ``positions`` (sorted) index the
    speakers' edge ranges laid end to end, speaker ``k`` owning ``degree[k]`` of them from
    edge ``starts[k]``; the same as ``searchsorted(cumsum(degree), positions, "right")``.

    Examples
    --------
    >>> edges, owner = edge_owners(np.array([0, 5]), np.array([3, 2]), np.array([0, 2, 4]))
    >>> edges.tolist(), owner.tolist()
    ([0, 2, 6], [0, 0, 1])
    """
    count = positions.size
    edges = np.empty(count, np.int64)
    owner = np.empty(count, np.int64)
    speaker = 0
    first = 0  # position of the speaker's first trial
    for i in range(count):
        position = positions[i]
        while position >= first + degree[speaker]:
            first += degree[speaker]
            speaker += 1
        owner[i] = speaker
        edges[i] = starts[speaker] + position - first
    return edges, owner


@njit(cache=True, nogil=True)
def all_edges(starts, degree, total):
    """Every edge of every speaker, in order (``edge_owners`` of ``arange(total)``).

    Examples
    --------
    >>> edges, owner = all_edges(np.array([4, 0]), np.array([2, 1]), 3)
    >>> edges.tolist(), owner.tolist()
    ([4, 5, 0], [0, 0, 1])
    """
    edges = np.empty(total, np.int64)
    owner = np.empty(total, np.int64)
    i = 0
    for speaker in range(degree.size):
        start = starts[speaker]
        for offset in range(degree[speaker]):
            edges[i] = start + offset
            owner[i] = speaker
            i += 1
    return edges, owner


@njit(cache=True, nogil=True)
def edge_messages(speakers, owner, edges, size, indices, tie, tie_strength, tie_source, messages):
    """Target (flat index), strength and source of the message along each kept edge, and
    each replicate's count of messages added to ``messages``.

    Examples
    --------
    >>> messages = np.zeros(2, np.int64)
    >>> target, strength, source = edge_messages(
    ...     np.array([1, 4]), np.array([0, 1, 1]), np.array([0, 1, 0]), 3, np.array([2, 0]),
    ...     np.array([0, 1]), np.array([0.5, 1.0], np.float32), np.array([7, 8], np.int8),
    ...     messages)
    >>> target.tolist(), strength.tolist(), source.tolist(), messages.tolist()
    ([2, 3, 5], [0.5, 1.0, 0.5], [7, 8, 7], [1, 2])
    """
    count = edges.size
    target = np.empty(count, np.int64)
    strength = np.empty(count, tie_strength.dtype)
    source = np.empty(count, tie_source.dtype)
    last = -1
    replicate = 0
    base = 0
    run = 0  # messages of the current speaker, added when the speaker changes
    for i in range(count):
        speaker = owner[i]
        if speaker != last:  # one division per speaker, not per message
            if run:
                messages[replicate] += run
                run = 0
            last = speaker
            replicate = speakers[speaker] // size
            base = replicate * size
        run += 1
        edge = edges[i]
        target[i] = base + indices[edge]
        kind = tie[edge]
        strength[i] = tie_strength[kind]
        source[i] = tie_source[kind]
    if run:
        messages[replicate] += run
    return target, strength, source


@njit(cache=True, nogil=True)
def speaker_messages(
    speakers, indptr, size, indices, tie, tie_strength, tie_source, valence, messages
):
    """Every speaker's message along each of its edges (contact probability 1): target,
    strength, source, channel (-1) and valence, as :func:`all_edges` then
    :func:`edge_messages` give them, without the edge and owner arrays.

    Examples
    --------
    >>> messages = np.zeros(2, np.int64)
    >>> target, strength, source, channel, valence = speaker_messages(
    ...     np.array([0, 3]), np.array([0, 2, 3]), 2, np.array([1, 0, 0]), np.zeros(3, np.int8),
    ...     np.array([0.5], np.float32), np.array([7], np.int8), 1, messages)
    >>> target.tolist(), channel.tolist(), valence.tolist(), messages.tolist()
    ([1, 0, 2], [-1, -1, -1], [1, 1, 1], [2, 1])
    """
    total = 0
    for k in range(speakers.size):
        node = speakers[k] % size
        total += indptr[node + 1] - indptr[node]
    target = np.empty(total, np.int64)
    strength = np.empty(total, tie_strength.dtype)
    source = np.empty(total, tie_source.dtype)
    channel = np.full(total, -1, np.int16)
    valences = np.full(total, valence, np.int8)
    i = 0
    for k in range(speakers.size):
        replicate = speakers[k] // size
        node = speakers[k] - replicate * size
        base = replicate * size
        start, end = indptr[node], indptr[node + 1]
        messages[replicate] += end - start
        for edge in range(start, end):
            target[i] = base + indices[edge]
            kind = tie[edge]
            strength[i] = tie_strength[kind]
            source[i] = tie_source[kind]
            i += 1
    return target, strength, source, channel, valences


@njit(cache=True, nogil=True)
def mark_aware(state, target, counts, size, unaware, aware):
    """Make the unaware among ``target`` aware, counting each person once per replicate.

    Examples
    --------
    >>> state, counts = np.array([0, 1, 0, 0], np.int8), np.zeros(2, np.int64)
    >>> mark_aware(state, np.array([0, 0, 1, 3]), counts, 2, 0, 1)
    >>> state.tolist(), counts.tolist()
    ([1, 1, 0, 1], [1, 1])
    """
    for i in range(target.size):
        person = target[i]
        if state[person] == unaware:
            state[person] = aware
            counts[person // size] += 1


@njit(cache=True, nogil=True)
def open_candidates(candidate, target, state, most_open):
    """The candidates whose receiver's state is at most ``most_open`` (can still adopt).

    Examples
    --------
    >>> open_candidates(np.array([0, 2]), np.array([1, 0, 2]), np.array([0, 3, 1]), 1).tolist()
    [2]
    """
    kept = np.empty(candidate.size, np.int64)
    count = 0
    for i in range(candidate.size):
        position = candidate[i]
        if state[target[position]] <= most_open:
            kept[count] = position
            count += 1
    return kept[:count]


@njit(cache=True, nogil=True)
def thinned_successes(
    candidate, uniforms, bound, target, strength, valence, interest, size, negative_impact
):
    """Candidates that succeed: ``uniform x bound < min(strength x interest x scale, 1)``,
    scale 1 for positive messages and ``negative_impact`` for negative ones, computed in
    the precisions numpy uses (strength x interest in float32, the rest in float64).

    Examples
    --------
    >>> thinned_successes(np.array([0, 1]), np.array([0.1, 0.9]), 1.0, np.array([0, 1]),
    ...                   np.array([0.5, 0.5], np.float32), np.array([1, 1], np.int8),
    ...                   np.ones(2, np.float32), 2, 1.0).tolist()
    [0]
    """
    success = np.empty(candidate.size, np.int64)
    count = 0
    for i in range(candidate.size):
        position = candidate[i]
        scale = 1.0 if valence[position] > 0 else negative_impact
        p = np.float64(strength[position] * interest[target[position] % size]) * scale
        if p > 1.0:
            p = 1.0
        if uniforms[i] * bound < p:
            success[count] = position
            count += 1
    return success[:count]


@njit(cache=True, nogil=True)
def first_per_target(target, key, slot):
    """Index of the smallest ``key`` for each distinct ``target``, by increasing target
    (ties to the earlier index): what a stable ``lexsort((key, target))`` gives.
    ``slot`` holds -1 for every possible target on entry and again on return.

    Examples
    --------
    >>> slot = np.full(5, -1, np.int64)
    >>> first_per_target(np.array([4, 1, 4, 1]), np.array([0.5, 0.2, 0.1, 0.3]), slot).tolist()
    [1, 2]
    >>> bool((slot == -1).all())
    True
    """
    distinct = np.empty(target.size, np.int64)
    count = 0
    for i in range(target.size):
        person = target[i]
        best = slot[person]
        if best < 0:
            slot[person] = i
            distinct[count] = person
            count += 1
        elif key[i] < key[best]:
            slot[person] = i
    distinct = np.sort(distinct[:count])
    first = np.empty(count, np.int64)
    for k in range(count):
        person = distinct[k]
        first[k] = slot[person]
        slot[person] = -1
    return first


@njit(cache=True, nogil=True)
def mark_reached(reached, channel, target):
    """``reached[channel, target] = True`` for the paid messages (``channel >= 0``).

    Examples
    --------
    >>> reached = np.zeros((2, 3), np.bool_)
    >>> mark_reached(reached, np.array([-1, 1, 0], np.int16), np.array([0, 2, 1]))
    >>> reached.astype(int).tolist()
    [[0, 1, 0], [0, 0, 1]]
    """
    for i in range(target.size):
        if channel[i] >= 0:
            reached[channel[i], target[i]] = True


@njit(cache=True, nogil=True)
def carryover(
    people, last, stock, powers, decay, step, state, holding, floor, aware, factor, release
):
    """One channel's ad-stock carryover over the people holding stock, as
    :meth:`simulator.engine.adstock.AdStock.carryover` computes it in numpy: the people
    who keep holding, and the live releases (people, float32 strength ``factor x held x
    (1 - decay)``, with ``release`` false when the carryover is off). ``holding`` is
    cleared for the people who drop out. ``powers[k]`` is ``decay ** k``.

    Examples
    --------
    >>> holding = np.ones(3, np.bool_)
    >>> kept, live, strength = carryover(
    ...     np.array([0, 1, 2]), np.array([0, 1, 1], np.int32), np.ones(3),
    ...     0.5 ** np.arange(8), 0.5, 2, np.array([0, 0, 3], np.int8), holding, 1e-3, 1, 1.0,
    ...     True)  # person 2 has adopted: she drops out and releases nothing
    >>> kept.tolist(), live.tolist(), strength.tolist(), holding.tolist()
    ([0, 1], [0, 1], [0.25, 0.5], [True, True, False])
    """
    count = people.size
    kept = np.empty(count, people.dtype)
    live = np.empty(count, people.dtype)
    strength = np.empty(count, np.float32)
    kept_count = 0
    live_count = 0
    share = 1.0 - decay
    for i in range(count):
        person = people[i]
        gap = step - last[person]
        held = stock[person] * powers[gap - 1 if gap > 1 else 0]
        open_ = state[person] <= aware
        if held * decay < floor or not open_:
            holding[person] = False
        else:
            kept[kept_count] = person
            kept_count += 1
        if release:
            released = held * share
            if gap >= 1 and released > 0 and open_:
                live[live_count] = person
                strength[live_count] = np.float32(factor * released)
                live_count += 1
    return kept[:kept_count], live[:live_count], strength[:live_count]


@njit(cache=True, nogil=True)
def lapsed_hits(valence, target, joined, active):
    """Positions of the positive messages that reach lapsed customers (joined once, no
    longer active): ``np.flatnonzero((valence > 0) & (joined[target] > 0) &
    ~active[target])`` in one pass.

    Examples
    --------
    >>> joined, active = np.array([0, 3, 2], np.int32), np.array([False, False, True])
    >>> lapsed_hits(np.array([1, 1, -1, 1]), np.array([1, 0, 1, 2]), joined, active).tolist()
    [0]
    """
    hits = np.empty(target.size, np.int64)
    found = 0
    for i in range(target.size):
        person = target[i]
        if valence[i] > 0 and joined[person] > 0 and not active[person]:
            hits[found] = i
            found += 1
    return hits[:found]


@njit(cache=True, nogil=True)
def seen_then_set_bits(bits, positions):
    """Whether each of ``positions`` was set in the bitset ``bits`` (uint8, bit ``p & 7``
    of byte ``p >> 3``) before this call, then set them all: every position reads the
    bits as they were, as ``was = told[p]; told[p] = True`` does on a boolean array.

    Examples
    --------
    >>> bits = np.zeros(2, np.uint8)
    >>> seen_then_set_bits(bits, np.array([3, 9, 3])).tolist(), bits.tolist()
    ([False, False, False], [8, 2])
    >>> seen_then_set_bits(bits, np.array([9, 10])).tolist()
    [True, False]
    """
    was = np.empty(positions.size, np.bool_)
    for i in range(positions.size):
        p = positions[i]
        was[i] = (bits[p >> 3] >> (p & 7)) & 1 == 1
    for i in range(positions.size):
        p = positions[i]
        bits[p >> 3] |= np.uint8(1 << (p & 7))
    return was
