"""Compiled kernels (numba) of the market and platform generators for large towns.

Each kernel replaces the deterministic numpy passes between two random draws of a
generator, so a town built with them has the same arrays as one built by numpy alone:
the random numbers are drawn by the same numpy calls in the same order, and only what
is computed from them moves here (pairs within households, picking a neighbour, the
sort keys of the final edges). Fused loops write each edge once, straight into its sort
key, instead of a chain of temporary arrays: at a million people that is several
gigabytes of memory traffic saved.

Like :mod:`simulator.town.network.csr_kernels`, this module is imported only for towns
above :data:`simulator.town.network.layers.COMPILED_ABOVE` edges.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def household_pairs(sizes, size):
    """Every pair ``(i, j)``, ``i < j``, of positions in the same household, where
    household ``h`` is the next run of ``sizes[h]`` positions of ``0 .. size - 1``.

    Examples
    --------
    >>> a, b = household_pairs(np.array([3, 1, 5]), 5)  # the last household is cut
    >>> list(zip(a.tolist(), b.tolist()))
    [(0, 1), (0, 2), (1, 2)]
    """
    count = 0
    start = 0
    for h in range(sizes.size):
        if start >= size:
            break
        members = min(sizes[h], size - start)
        count += members * (members - 1) // 2
        start += members
    first = np.empty(count, np.int64)
    second = np.empty(count, np.int64)
    write = 0
    start = 0
    for h in range(sizes.size):
        if start >= size:
            break
        members = min(sizes[h], size - start)
        for i in range(start, start + members):
            for j in range(i + 1, start + members):
                first[write] = i
                second[write] = j
                write += 1
        start += members
    return first, second


@njit(cache=True, nogil=True)
def mutual_rows(size, speakers, listeners):
    """CSR ``(indptr, indices)`` of the undirected graph of the pairs, self-loops and
    repeats dropped, each row sorted: what ``compile_csr(..., mutual=True)`` gives, in
    two passes over the pairs and one sort per row.

    Cheap when pairs are local (a person's row is written near her neighbours' rows),
    as in the market's households and lattice of friends.

    Examples
    --------
    >>> indptr, indices = mutual_rows(3, np.array([0, 1, 1, 2]), np.array([1, 0, 1, 0]))
    >>> indptr.tolist(), indices.tolist()
    ([0, 2, 3, 4], [1, 2, 0, 0])
    """
    fill = np.zeros(size + 1, np.int64)
    for i in range(speakers.size):
        if speakers[i] != listeners[i]:
            fill[speakers[i] + 1] += 1
            fill[listeners[i] + 1] += 1
    for p in range(size):
        fill[p + 1] += fill[p]
    rows = fill.copy()
    slots = np.empty(fill[size], np.int32)
    for i in range(speakers.size):
        a = speakers[i]
        b = listeners[i]
        if a != b:
            slots[fill[a]] = b
            fill[a] += 1
            slots[fill[b]] = a
            fill[b] += 1
    indptr = np.zeros(size + 1, np.int64)
    write = 0
    for p in range(size):
        start = rows[p]
        end = rows[p + 1]
        if end - start > 32:
            slots[start:end].sort()
        else:  # insertion sort: rows of a few neighbours
            for i in range(start + 1, end):
                value = slots[i]
                j = i - 1
                while j >= start and slots[j] > value:
                    slots[j + 1] = slots[j]
                    j -= 1
                slots[j + 1] = value
        previous = -1
        for i in range(start, end):
            if slots[i] != previous:
                previous = slots[i]
                slots[write] = previous
                write += 1
        indptr[p + 1] = write
    return indptr, slots[:write].copy()


@njit(cache=True, nogil=True)
def random_neighbours(indptr, neighbours, people, uniforms):
    """Neighbour ``floor(u x degree)`` of each person (the person itself when isolated),
    with ``u`` the person's entry of ``uniforms``.

    Examples
    --------
    >>> random_neighbours(np.array([0, 2, 2]), np.array([1, 0]), np.array([0, 1]),
    ...                   np.array([0.75, 0.5])).tolist()
    [0, 1]
    """
    chosen = np.empty(people.size, np.int64)
    for i in range(people.size):
        person = people[i]
        start = indptr[person]
        degree = indptr[person + 1] - start
        if degree > 0:
            chosen[i] = neighbours[start + np.int64(np.floor(uniforms[i] * degree))]
        else:
            chosen[i] = person
    return chosen


@njit(cache=True, nogil=True)
def market_keys(size, person, strong_a, strong_b, weak_a, weak_b):
    """Sort keys ``(speaker x size + listener) x 4 + tie`` of the market's mutual edges:
    the strong pairs (tie 0) and the weak ones (tie 1), positions mapped to people by
    ``person``, self-loops dropped, both directions of each pair.

    Examples
    --------
    >>> market_keys(3, np.array([2, 0, 1]), np.array([0]), np.array([1]),
    ...             np.array([2]), np.array([2])).tolist()  # person 2 -> 0 and back
    [24, 8]
    """
    count = 0
    for i in range(strong_a.size):
        count += 2 * (strong_a[i] != strong_b[i])
    for i in range(weak_a.size):
        count += 2 * (weak_a[i] != weak_b[i])
    keys = np.empty(count, np.int64)
    write = 0
    for part in range(2):
        first = strong_a if part == 0 else weak_a
        second = strong_b if part == 0 else weak_b
        for i in range(first.size):
            if first[i] == second[i]:
                continue
            a = person[first[i]]
            b = person[second[i]]
            keys[write] = (a * size + b) * 4 + part
            keys[write + 1] = (b * size + a) * 4 + part
            write += 2
    return keys


@njit(cache=True, nogil=True)
def shared_ties(indptr, indices, members):
    """Positions of the edges ``u -> v`` with ``u < v`` between two members (each
    mutual offline tie once), and each one's speaker ``u``.

    Examples
    --------
    >>> edges, speakers = shared_ties(np.array([0, 2, 3, 4]), np.array([1, 2, 0, 0]),
    ...                               np.array([True, True, False]))
    >>> edges.tolist(), speakers.tolist()
    ([0], [0])
    """
    count = 0
    for u in range(indptr.size - 1):
        if members[u]:
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                count += u < v and members[v]
    edges = np.empty(count, np.int64)
    speakers = np.empty(count, np.int32)
    write = 0
    for u in range(indptr.size - 1):
        if members[u]:
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if u < v and members[v]:
                    edges[write] = e
                    speakers[write] = u
                    write += 1
    return edges, speakers


@njit(cache=True, nogil=True)
def follow_keys(size, copied_a, copied_b, copied_tie, ids, counts, follower_draw, mutual, online):
    """Sort keys of a platform's edges: the copied offline ties, then ``counts[k]``
    follows of account ``ids[k]`` in order, each by follower ``ids[follower_draw[j]]``
    (tie ``online``); self-loops dropped, with ``mutual`` both directions.

    Examples
    --------
    >>> follow_keys(3, np.array([0]), np.array([1]), np.array([0], np.int8),
    ...             np.array([0, 2]), np.array([0, 1]), np.array([0]), False, 2).tolist()
    [4, 26]
    """
    count = 0
    for i in range(copied_a.size):
        count += copied_a[i] != copied_b[i]
    j = 0
    for k in range(ids.size):
        for _ in range(counts[k]):
            count += ids[k] != ids[follower_draw[j]]
            j += 1
    if mutual:
        count *= 2
    keys = np.empty(count, np.int64)
    write = 0
    for i in range(copied_a.size):
        a = np.int64(copied_a[i])
        b = np.int64(copied_b[i])
        if a != b:
            keys[write] = (a * size + b) * 4 + copied_tie[i]
            write += 1
            if mutual:
                keys[write] = (b * size + a) * 4 + copied_tie[i]
                write += 1
    j = 0
    for k in range(ids.size):
        a = np.int64(ids[k])
        for _ in range(counts[k]):
            b = np.int64(ids[follower_draw[j]])
            j += 1
            if a != b:
                keys[write] = (a * size + b) * 4 + online
                write += 1
                if mutual:
                    keys[write] = (b * size + a) * 4 + online
                    write += 1
    return keys
