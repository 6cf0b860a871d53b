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


@njit(cache=True, nogil=True)
def packed_pair_keys(a, b, size, shift):
    """``(min x size + max) << shift | i`` of each pair ``i`` of ``(a, b)``: sorting these
    orders the pairs by key and, among equal keys, by position (a stable sort's order).

    Examples
    --------
    >>> packed_pair_keys(np.array([2, 0]), np.array([1, 1]), 3, 1).tolist()
    [10, 3]
    """
    packed = np.empty(a.size, np.int64)
    for i in range(a.size):
        low = min(a[i], b[i])
        high = max(a[i], b[i])
        packed[i] = ((np.int64(low) * size + high) << shift) | i
    return packed


@njit(cache=True, nogil=True)
def unpack_keys(packed, shift):
    """Keys and positions of sorted :func:`packed_pair_keys`.

    Examples
    --------
    >>> [x.tolist() for x in unpack_keys(np.array([2, 11]), 1)]
    [[1, 5], [0, 1]]
    """
    keys = np.empty(packed.size, np.int64)
    order = np.empty(packed.size, np.int64)
    mask = (np.int64(1) << shift) - 1
    for i in range(packed.size):
        keys[i] = packed[i] >> shift
        order[i] = packed[i] & mask
    return keys, order


@njit(cache=True, nogil=True)
def repeats_and_loops(keys, order, a, b):
    """For pairs sorted by key (``order``: their positions, ascending among equal keys):
    whether each repeats the key before it, or is a self-pair.

    Examples
    --------
    >>> repeats_and_loops(np.array([1, 1, 4]), np.array([0, 1, 2]), np.array([0, 1, 2]),
    ...                   np.array([1, 0, 2])).tolist()
    [False, True, True]
    """
    bad = np.empty(keys.size, np.bool_)
    for i in range(keys.size):
        j = order[i]
        bad[i] = a[j] == b[j] or (i > 0 and keys[i] == keys[i - 1])
    return bad


@njit(cache=True, nogil=True)
def mark_in_sorted(queries, table, marked):
    """Set ``marked[i]`` where ``queries[i]`` is in ``table``; both sorted ascending.

    A galloping merge: each query starts its search where the previous one ended, so
    the cost is about ``q log(t / q)`` for ``q`` queries and ``t`` entries, and the table
    is read in order (no random jumps across memory).

    Examples
    --------
    >>> marked = np.zeros(4, bool)
    >>> mark_in_sorted(np.array([1, 3, 3, 9]), np.array([0, 3, 4, 5, 9]), marked)
    >>> marked.tolist()
    [False, True, True, True]
    """
    n = table.size
    low = 0
    for i in range(queries.size):
        query = queries[i]
        if low < n and table[low] < query:  # table[previous] < query <= the answer
            previous = low
            step = 1
            while previous + step < n and table[previous + step] < query:
                previous += step
                step *= 2
            left = previous + 1
            right = min(previous + step, n)
            while left < right:
                middle = (left + right) // 2
                if table[middle] < query:
                    left = middle + 1
                else:
                    right = middle
            low = left
        if low < n and table[low] == query:
            marked[i] = True


@njit(cache=True, nogil=True)
def merge_sorted(first, second):
    """The sorted union (with repeats) of two sorted arrays.

    Examples
    --------
    >>> merge_sorted(np.array([1, 4, 6]), np.array([2, 4, 9])).tolist()
    [1, 2, 4, 4, 6, 9]
    """
    merged = np.empty(first.size + second.size, np.int64)
    i = 0
    j = 0
    for k in range(merged.size):
        if j >= second.size or (i < first.size and first[i] <= second[j]):
            merged[k] = first[i]
            i += 1
        else:
            merged[k] = second[j]
            j += 1
    return merged
