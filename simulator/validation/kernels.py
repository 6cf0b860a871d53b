"""Compiled kernels (numba): the classic cascades on CSR graphs.

Each kernel is a small pure function over arrays and a numpy ``Generator``; it runs one
replicate after another inside compiled code, reusing its work arrays and resetting only
the entries a replicate touched, so a replicate costs work proportional to the cascade,
not to the graph. The CSR arrays are checked where they are read (a row pointer out of
order or a node id out of range stops the kernel with a status code), so a call never
pays an O(edges) validation pass. Independent cascade samples only the successful edges (geometric skip
sampling: the gap to the next success is ``floor(log U / log(1 - p))``), so it draws
about ``p`` random numbers per edge trial.

The engine (:func:`simulator.engine.run.simulate` on a
:func:`simulator.validation.cascades.cascade_scenario`) is the readable reference of the same
models; ``tests/test_performance_equivalence.py`` checks that both give the same
distribution of final sizes.

numba is imported here only, and this module only where a kernel is needed, so that
commands that never run a kernel do not pay for the import.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_NEVER = np.int64(1) << np.int64(62)  # a gap beyond any edge position
OK, BAD_INDPTR, BAD_INDEX, BAD_PROBABILITY = 0, 1, 2, 3
"""Status codes of the cascade kernels."""


@njit(cache=True)
def _gap(rng, log_q):
    """Failures before the next success of a Bernoulli(p) sequence, ``log_q = log(1 - p)``."""
    if log_q == 0.0:  # p = 0: no success ever
        return _NEVER
    gap = np.log(1.0 - rng.random()) / log_q  # 1 - U is in (0, 1], so the log is finite
    if gap >= 4.0e18:
        return _NEVER
    return np.int64(gap)


@njit(cache=True)
def independent_cascade(indptr, indices, seeds, p, replicates, rng, active, queue):
    """Final sizes and edge trials of ``replicates`` independent cascades.

    Each active node, once, tries every out-edge with success probability ``p``; an
    edge whose head is already active does nothing. Nodes are processed in the order
    they activate (breadth first), which does not change the distribution of the final
    set. Edge trials are the out-degrees of the activated nodes, summed. Returns sizes,
    trials and a status (:data:`OK`, or :data:`BAD_INDPTR` / :data:`BAD_INDEX` when the
    CSR arrays are malformed where the cascade read them). ``active`` (uint8) and
    ``queue`` (int32), one entry per node, are work arrays: zero on entry, zero again on
    a return with status OK, so callers may keep them for the next call.

    Examples
    --------
    >>> indptr, indices = np.array([0, 1, 2, 2]), np.array([1, 2], np.int32)
    >>> active, queue = np.zeros(3, np.uint8), np.zeros(3, np.int32)
    >>> sizes, trials, status = independent_cascade(indptr, indices, np.array([0]), 1.0, 2,
    ...                                             np.random.default_rng(0), active, queue)
    >>> sizes.tolist(), trials.tolist(), status
    ([3, 3], [2, 2], 0)
    """
    n = indptr.size - 1
    edges = indices.size
    sizes = np.empty(replicates, np.int64)
    trials = np.empty(replicates, np.int64)
    log_q = np.log1p(-p) if p < 1.0 else -np.inf
    if p <= 0.0:
        log_q = 0.0
    for replicate in range(replicates):
        tail = 0
        for seed in seeds:
            if active[seed] == 0:
                active[seed] = 1
                queue[tail] = seed
                tail += 1
        head = 0
        total = 0
        gap = _gap(rng, log_q)  # carried across nodes: the trials form one sequence
        while head < tail:
            node = queue[head]
            head += 1
            start = indptr[node]
            end = indptr[node + 1]
            if start > end or end > edges:
                return sizes, trials, BAD_INDPTR
            total += end - start
            position = start + gap
            while position < end:
                head_node = indices[position]
                if head_node < 0 or head_node >= n:
                    return sizes, trials, BAD_INDEX
                if active[head_node] == 0:
                    active[head_node] = 1
                    queue[tail] = head_node
                    tail += 1
                position += 1 + _gap(rng, log_q)
            gap = position - end
        sizes[replicate] = tail
        trials[replicate] = total
        for i in range(tail):
            active[queue[i]] = 0
    return sizes, trials, OK


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True, inline="always")
def _next_uniform(state):
    """A uniform on [0, 1) from xoshiro256+ (Blackman & Vigna 2018), state updated in place."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    result = s0 + s3
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    return np.float64(result >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def independent_cascade_per_edge(
    indptr, indices, seeds, probability, replicates, rng, active, queue
):
    """:func:`independent_cascade` with a probability per edge: edge ``e`` (the entry
    ``indices[e]``) succeeds with ``probability[e]``.

    One uniform is drawn per edge trial; the head activates when it succeeds and the head
    is inactive. The uniforms come from a xoshiro256+ generator inlined in the
    loop (Blackman & Vigna 2018, "Scrambled linear pseudorandom number generators"; its
    upper 53 bits, the ones used, pass BigCrush), seeded by four 64-bit draws of ``rng``,
    so one ``rng`` still fixes every result; inlined, a draw costs about a nanosecond
    instead of a call into numpy's generator. Edge trials count every out-edge of every activated node, as
    in :func:`independent_cascade`. A probability outside [0, 1] (or NaN) where the
    cascade reads it stops the kernel with :data:`BAD_PROBABILITY`.

    Examples
    --------
    >>> indptr, indices = np.array([0, 2, 2, 2]), np.array([1, 2], np.int32)  # 0 -> 1, 0 -> 2
    >>> active, queue = np.zeros(3, np.uint8), np.zeros(3, np.int32)
    >>> sizes, trials, status = independent_cascade_per_edge(
    ...     indptr, indices, np.array([0]), np.array([1.0, 0.0]), 2,
    ...     np.random.default_rng(0), active, queue)
    >>> sizes.tolist(), trials.tolist(), status
    ([2, 2], [2, 2], 0)
    """
    n = indptr.size - 1
    edges = indices.size
    sizes = np.empty(replicates, np.int64)
    trials = np.empty(replicates, np.int64)
    state = np.empty(4, np.uint64)
    for word in range(4):
        state[word] = np.uint64(rng.integers(0, 2**63)) * np.uint64(2) + np.uint64(word & 1)
    for replicate in range(replicates):
        tail = 0
        for seed in seeds:
            if active[seed] == 0:
                active[seed] = 1
                queue[tail] = seed
                tail += 1
        head = 0
        total = 0
        while head < tail:
            node = queue[head]
            head += 1
            start = indptr[node]
            end = indptr[node + 1]
            if start > end or end > edges:
                return sizes, trials, BAD_INDPTR
            total += end - start
            for edge in range(start, end):
                head_node = indices[edge]
                if head_node < 0 or head_node >= n:
                    return sizes, trials, BAD_INDEX
                chance = probability[edge]
                if not (0.0 <= chance <= 1.0):
                    return sizes, trials, BAD_PROBABILITY
                # Branch-free: whether the head is inactive and whether the trial succeeds
                # are coin flips to the processor, and a mispredicted branch costs more
                # than the uniform drawn for a trial whose head is already active.
                hit = np.uint8(_next_uniform(state) < chance) & (active[head_node] ^ np.uint8(1))
                queue[tail] = head_node
                tail += int(hit)
                active[head_node] |= hit
        sizes[replicate] = tail
        trials[replicate] = total
        for i in range(tail):
            active[queue[i]] = 0
    return sizes, trials, OK


@njit(cache=True)
def inverse_in_degree_probabilities(indptr, indices):
    """Weighted cascade: ``1 / in-degree`` of each edge's head (float64, one per edge).

    Examples
    --------
    >>> inverse_in_degree_probabilities(np.array([0, 2, 3, 3]), np.array([1, 2, 2])).tolist()
    [1.0, 0.5, 0.5]
    """
    degree = in_degrees(indptr, indices)
    probability = np.zeros(indices.size, np.float64)
    n = indptr.size - 1
    for edge in range(indices.size):
        head_node = indices[edge]
        if 0 <= head_node < n:
            probability[edge] = 1.0 / degree[head_node]
    return probability


@njit(cache=True)
def fingerprint(values):
    """A 64-bit hash of an integer array's values, in one sequential pass (four lanes).

    Examples
    --------
    >>> a = np.arange(10)
    >>> fingerprint(a) == fingerprint(a.copy()), fingerprint(a) == fingerprint(a[::-1].copy())
    (True, False)
    """
    prime = np.uint64(0x100000001B3)
    lanes = np.array(
        [0xCBF29CE484222325, 0x84222325CBF29CE4, 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F],
        np.uint64,
    )
    size = values.size
    for i in range(0, size - size % 4, 4):
        for lane in range(4):
            lanes[lane] = (lanes[lane] ^ np.uint64(values[i + lane])) * prime
    for i in range(size - size % 4, size):
        lanes[0] = (lanes[0] ^ np.uint64(values[i])) * prime
    digest = np.uint64(size)
    for lane in range(4):
        digest = (digest ^ lanes[lane]) * prime
    return digest


@njit(cache=True)
def in_degrees(indptr, indices):
    """In-degree of every node (int32); ids out of range are skipped (the cascade
    kernels report them).

    Examples
    --------
    >>> in_degrees(np.array([0, 2, 3, 3]), np.array([1, 2, 2], np.int32)).tolist()
    [0, 1, 2]
    """
    n = indptr.size - 1
    degree = np.zeros(n, np.int32)
    for edge in range(indices.size):
        node = indices[edge]
        if 0 <= node < n:
            degree[node] += 1
    return degree


@njit(cache=True)
def threshold_table(in_degree, node):
    """Fill ``node`` (float64, shape (nodes, 4)) for :func:`linear_threshold`: zero
    conviction and threshold, and each node's edge weight ``1 / in-degree`` beside them.

    Examples
    --------
    >>> node = np.empty((3, 4))
    >>> threshold_table(np.array([0, 1, 4], np.int32), node)
    >>> node[:, 2].tolist()
    [0.0, 1.0, 0.25]
    """
    for v in range(in_degree.size):
        node[v, 0] = 0.0
        node[v, 1] = 0.0
        node[v, 2] = 1.0 / in_degree[v] if in_degree[v] > 0 else 0.0
        node[v, 3] = 0.0


@njit(cache=True)
def linear_threshold(indptr, indices, seeds, replicates, rng, node, queue, reached):
    """Final sizes and edge trials of ``replicates`` linear-threshold cascades.

    Edge ``u -> v`` adds ``v``'s weight (``1 / in-degree``) to ``v``'s conviction when
    ``u`` activates; ``v`` activates when its conviction reaches its threshold, uniform
    on (0, 1] and drawn afresh each replicate (lazily, the first time ``v`` is reached).
    ``node[v]`` holds ``v``'s conviction, threshold and weight side by side (from
    :func:`threshold_table`; threshold 0 means not drawn yet, conviction inf means
    active), so reaching a node, the kernel's main cost, reads one cache line.
    ``queue`` and ``reached`` (int32) are work arrays. The kernel leaves ``node`` as it
    found it on an OK return. Returns sizes, edge trials and a status, as
    :func:`independent_cascade`.

    Examples
    --------
    >>> indptr, indices = np.array([0, 3, 3, 3, 3]), np.array([1, 2, 3], np.int32)
    >>> node = np.empty((4, 4))
    >>> threshold_table(in_degrees(indptr, indices), node)
    >>> work = np.zeros(4, np.int32), np.zeros(4, np.int32)
    >>> linear_threshold(indptr, indices, np.array([0]), 2, np.random.default_rng(0),
    ...                  node, *work)[0].tolist()
    [4, 4]
    """
    n = indptr.size - 1
    edges = indices.size
    sizes = np.empty(replicates, np.int64)
    trials = np.empty(replicates, np.int64)
    for replicate in range(replicates):
        tail = 0
        touched = 0
        for seed in seeds:
            if node[seed, 0] != np.inf:
                node[seed, 0] = np.inf
                queue[tail] = seed
                tail += 1
        head = 0
        total = 0
        while head < tail:
            speaker = queue[head]
            head += 1
            start = indptr[speaker]
            end = indptr[speaker + 1]
            if start > end or end > edges:
                return sizes, trials, BAD_INDPTR
            total += end - start
            for edge in range(start, end):
                listener = indices[edge]
                if listener < 0 or listener >= n:
                    return sizes, trials, BAD_INDEX
                conviction = node[listener, 0]
                if conviction == np.inf:
                    continue
                threshold = node[listener, 1]
                if threshold == 0.0:
                    threshold = 1.0 - rng.random()
                    node[listener, 1] = threshold
                    reached[touched] = listener
                    touched += 1
                conviction += node[listener, 2]
                if conviction >= threshold:
                    conviction = np.inf
                    queue[tail] = listener
                    tail += 1
                node[listener, 0] = conviction
        sizes[replicate] = tail
        trials[replicate] = total
        for i in range(tail):
            node[queue[i], 0] = 0.0
            node[queue[i], 1] = 0.0
        for i in range(touched):
            node[reached[i], 0] = 0.0
            node[reached[i], 1] = 0.0
    return sizes, trials, OK
