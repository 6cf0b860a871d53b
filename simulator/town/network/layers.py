"""Compiled layers (CSR arrays with a tie kind per edge) and the multiplex that holds them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np


class Tie(IntEnum):
    """Kind of an edge; lower values are stronger (deduplication keeps the strongest)."""

    STRONG = 0  # household and close friends (offline); trust of people I know
    WEAK = 1  # acquaintances (offline); trust of people I know x weak-tie factor
    ONLINE = 2  # online-only follow; trust of consumer opinions online
    EXTERNAL = 3  # loaded graph; the layer's own source type and trust


@dataclass(frozen=True)
class Layer:
    """One directed layer: edge ``u -> v`` means ``v`` hears what ``u`` says.

    ``indices[indptr[u]:indptr[u + 1]]`` are the listeners of ``u``; ``tie`` holds each
    edge's :class:`Tie`. A ``well_mixed`` layer has no edges: everyone hears everyone.
    """

    name: str
    config: Any
    indptr: np.ndarray
    indices: np.ndarray
    tie: np.ndarray

    @property
    def size(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def edges(self) -> int:
        return int(self.indices.size)

    @property
    def well_mixed(self) -> bool:
        return self.config.kind == "well_mixed"

    def out_degree(self) -> np.ndarray:
        if self.well_mixed:
            return np.full(self.size, self.size - 1, np.int64)
        return np.diff(self.indptr)

    def in_degree(self) -> np.ndarray:
        if self.well_mixed:
            return np.full(self.size, self.size - 1, np.int64)
        return np.bincount(self.indices, minlength=self.size)


@dataclass(frozen=True)
class Network:
    """The multiplex: layers in config order, all over the same ``size`` people."""

    size: int
    layers: tuple[Layer, ...]

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    def out_degree(self) -> np.ndarray:
        """Contacts summed over layers (a person counted once per layer)."""
        return np.sum([layer.out_degree() for layer in self.layers], axis=0)


COMPILED_ABOVE = 2_000_000
"""Edge lists longer than this are compiled with :mod:`simulator.validation.kernels` (same arrays,
several times faster, one 64-bit key per edge of temporary memory); shorter ones by
numpy alone, which spares small runs the import of numba."""


def compile_csr(
    size: int,
    speakers: np.ndarray,
    listeners: np.ndarray,
    tie: np.ndarray,
    *,
    mutual: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort edges by speaker, drop self-loops and duplicates (keeping the strongest tie).

    With ``mutual`` each pair gives both directions. Edges are ordered by sorting one
    64-bit key ``(speaker x size + listener) x 4 + tie`` in place (numpy's vectorised
    sort); large inputs build and read the keys with compiled loops, which gives the
    same arrays with less memory and time.

    Examples
    --------
    >>> indptr, indices, tie = compile_csr(3, np.array([0, 0, 1, 2]), np.array([1, 1, 1, 0]),
    ...                                    np.array([1, 0, 0, 2], np.int8))
    >>> indptr.tolist(), indices.tolist(), tie.tolist()
    ([0, 1, 1, 2], [1, 0], [0, 2])
    """
    speakers = np.asarray(speakers)
    listeners = np.asarray(listeners)
    tie = np.asarray(tie, np.int8)
    if speakers.dtype.kind != "i":
        speakers = speakers.astype(np.int64)
    if listeners.dtype.kind != "i":
        listeners = listeners.astype(np.int64)
    if speakers.size * (1 + mutual) > COMPILED_ABOVE:
        # numba compiles on import: only for graphs large enough to need it
        from simulator.town.network import csr_kernels

        return csr_from_keys(size, csr_kernels.edge_keys(size, speakers, listeners, tie, mutual))
    if mutual:
        speakers, listeners = (
            np.concatenate([speakers, listeners]),
            np.concatenate([listeners, speakers]),
        )
        tie = np.tile(tie, 2)
    return _compile_sorted(size, speakers, listeners, tie)


def csr_from_keys(size: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays from unsorted edge keys ``(speaker x size + listener) x 4 + tie``
    (int64, no self-loops), sorted in place: what :func:`compile_csr` does after making
    the keys, for generators that write their edges' keys directly.

    Examples
    --------
    >>> indptr, indices, tie = csr_from_keys(3, np.array([(2 * 3 + 0) * 4 + 2, 4, 5]))
    >>> indptr.tolist(), indices.tolist(), tie.tolist()
    ([0, 1, 1, 2], [1, 0], [0, 2])
    """
    from simulator.town.network import csr_kernels  # numba: only for large graphs

    keys.sort()  # numpy's vectorised sort: faster here than any compiled one
    return csr_kernels.csr_from_sorted_keys(size, keys)


def _compile_sorted(
    size: int, speakers: np.ndarray, listeners: np.ndarray, tie: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    key = speakers.astype(np.int64) * size
    key += listeners
    keep = speakers != listeners
    key = key[keep]
    key *= 4  # a tie kind takes two bits (Tie values are 0..3)
    key += tie[keep]
    del keep
    key.sort()
    first = np.empty(key.size, bool)
    first[:1] = True
    np.not_equal(key[1:] >> 2, key[:-1] >> 2, out=first[1:])
    key = key[first]
    del first
    tie = (key & 3).astype(np.int8)
    key >>= 2
    speaker, indices = np.divmod(key, size)
    del key
    indptr = np.zeros(size + 1, np.int64)
    np.cumsum(np.bincount(speaker, minlength=size), out=indptr[1:])
    return indptr, indices.astype(np.int32), tie
