"""Compiled kernels (numba) that compile large edge lists into CSR arrays.

numba is imported here only, and this module only for graphs above
:data:`simulator.town.network.layers.COMPILED_ABOVE` edges, so that small towns do not pay
for the import.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def edge_keys(size, speakers, listeners, tie, mutual):
    """One sortable key ``(speaker x size + listener) x 4 + tie`` per edge, self-loops
    dropped; with ``mutual`` every pair also gives the reverse edge.

    Examples
    --------
    >>> edge_keys(3, np.array([0, 1]), np.array([1, 1]), np.array([2, 0], np.int8),
    ...           True).tolist()
    [6, 14]
    """
    count = 0
    for i in range(speakers.size):
        if speakers[i] != listeners[i]:
            count += 2 if mutual else 1
    keys = np.empty(count, np.int64)
    write = 0
    for i in range(speakers.size):
        a = np.int64(speakers[i])
        b = np.int64(listeners[i])
        if a == b:
            continue
        keys[write] = (a * size + b) * 4 + tie[i]
        write += 1
        if mutual:
            keys[write] = (b * size + a) * 4 + tie[i]
            write += 1
    return keys


@njit(cache=True, nogil=True)
def csr_from_sorted_keys(size, keys):
    """CSR arrays from sorted :func:`edge_keys`, keeping the first (strongest) of
    repeated edges, in one pass without divisions.

    Examples
    --------
    >>> keys = np.sort(edge_keys(3, np.array([0, 0, 1, 2]), np.array([1, 1, 1, 0]),
    ...                          np.array([1, 0, 0, 2], np.int8), False))
    >>> [a.tolist() for a in csr_from_sorted_keys(3, keys)]
    [[0, 1, 1, 2], [1, 0], [0, 2]]
    """
    indices = np.empty(keys.size, np.int32)
    tie = np.empty(keys.size, np.int8)
    indptr = np.zeros(size + 1, np.int64)
    speaker = 0
    row_start = np.int64(0)  # speaker x size
    write = 0
    previous = np.int64(-1)
    for i in range(keys.size):
        edge = keys[i] >> 2
        if edge == previous:
            continue
        previous = edge
        while edge >= row_start + size:
            indptr[speaker + 1] = write
            speaker += 1
            row_start += size
        indices[write] = edge - row_start
        tie[write] = keys[i] & 3
        write += 1
    while speaker < size:
        indptr[speaker + 1] = write
        speaker += 1
    if write >= keys.size - keys.size // 8:  # few repeats: keep the arrays, skip a copy
        return indptr, indices[:write], tie[:write]
    return indptr, indices[:write].copy(), tie[:write].copy()
