"""Compiled passes of :mod:`simulator.engine.adstock` over a step's impressions.

The numpy forms rank each impression among those to the same person (a sort of the
step's impressions, then a gather and a scatter per array); these kernels take the
impressions once, in order, and give the same values: the k-th impression of a person in
a step is the k-th one met in order, so a running count per person is its rank. Work is
proportional to the impressions, with no sort.

Used for passes above :data:`simulator.engine.adstock.COMPILED_ABOVE` elements; the numpy
forms stay for shorter ones (tests compare the two forms value for value).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def admit_under_cap(ring, ring_next, targets, step, since):
    """Which of ``targets`` (in order) fit under the cap; the ring records them.

    ``ring[person]`` holds the steps of a person's last ``cap`` admitted impressions,
    oldest at ``ring_next[person]``. An impression is admitted when fewer than ``cap``
    of them are later than ``since``; it then overwrites the oldest, which is outside the
    window (steps only grow along the ring), so counting the ring again for the person's
    next impression counts this one too: the same answer as ranking the step's
    impressions first.

    Examples
    --------
    >>> ring = np.full((3, 2), -100, np.int32)
    >>> ring_next = np.zeros(3, np.int8)
    >>> admit_under_cap(ring, ring_next, np.array([1, 1, 1, 2]), 5, 0).tolist()
    [True, True, False, True]
    >>> ring[1].tolist(), ring_next.tolist()
    ([5, 5], [0, 0, 1])
    """
    cap = ring.shape[1]
    admitted = np.zeros(targets.size, np.bool_)
    for i in range(targets.size):
        person = targets[i]
        used = 0
        for slot in range(cap):
            if ring[person, slot] > since:
                used += 1
        if used < cap:
            slot = ring_next[person]
            ring[person, slot] = step
            ring_next[person] = (slot + 1) % cap
            admitted[i] = True
    return admitted


@njit(cache=True, nogil=True)
def wear_pass(targets, stock, last, powers, step, holding, seen):
    """Effective exposures of each impression (in order), the stocks they leave, and the
    people who hold a stock for the first time (sorted).

    A person's stock decays to ``stock * powers[step - last]`` at her first impression
    of the step; her impression of rank ``r`` (from 0) makes ``decayed + r + 1``
    effective exposures, and she keeps ``decayed + count``. ``seen`` is scratch of the
    stock's size, all zeros, and left so.

    Examples
    --------
    >>> stock, last = np.array([0.0, 2.0]), np.array([0, 3], np.int32)
    >>> holding, seen = np.array([False, True]), np.zeros(2, np.int32)
    >>> powers = 0.5 ** np.arange(8)
    >>> effective, fresh = wear_pass(np.array([1, 0, 1]), stock, last, powers, 4, holding, seen)
    >>> effective.tolist(), fresh.tolist(), stock.tolist(), last.tolist()
    ([2.0, 1.0, 3.0], [0], [1.0, 3.0], [4, 4])
    """
    effective = np.empty(targets.size, np.float64)
    fresh = np.empty(targets.size, np.int64)
    fresh_count = 0
    for i in range(targets.size):
        person = targets[i]
        rank = seen[person]
        if rank == 0:
            stock[person] = stock[person] * powers[step - last[person]]
            last[person] = step
            if not holding[person]:
                holding[person] = True
                fresh[fresh_count] = person
                fresh_count += 1
        effective[i] = stock[person] + rank + 1.0
        seen[person] = rank + 1
    for i in range(targets.size):
        person = targets[i]
        count = seen[person]
        if count > 0:
            stock[person] = stock[person] + count
            seen[person] = 0
    return effective, np.sort(fresh[:fresh_count])


@njit(cache=True, nogil=True)
def room_under_cap(ring, reps, audience, size, since):
    """Room under the cap of each audience member in each of ``reps``, replicate by
    replicate (``cap`` minus her impressions later than ``since``), without the
    gathered copy of the ring.

    Examples
    --------
    >>> ring = np.array([[3, -9], [-9, -9], [8, 8], [8, -9]], np.int32)  # 2 people, 2 replicates
    >>> room_under_cap(ring, np.array([0, 1]), np.array([0, 1], np.int32), 2, 0).tolist()
    [1, 2, 0, 1]
    """
    cap = ring.shape[1]
    members = audience.size
    room = np.empty(reps.size * members, np.int64)
    for row in range(reps.size):
        first = reps[row] * size
        for member in range(members):
            person = first + audience[member]
            used = 0
            for slot in range(cap):
                if ring[person, slot] > since:
                    used += 1
            room[row * members + member] = cap - used
    return room


@njit(cache=True, nogil=True)
def open_members(room, members, rows):
    """Positions with room left (in order) and how many there are in each row of
    ``members``: ``np.flatnonzero(room > 0)`` and its counts by row, in one pass.

    Examples
    --------
    >>> positions, counts = open_members(np.array([1, 0, 2, 0, 0, 3]), 3, 2)
    >>> positions.tolist(), counts.tolist()
    ([0, 2, 5], [2, 1])
    """
    positions = np.empty(room.size, np.int64)
    counts = np.zeros(rows, np.int64)
    found = 0
    for position in range(room.size):
        if room[position] > 0:
            positions[found] = position
            found += 1
            counts[position // members] += 1
    return positions[:found], counts
