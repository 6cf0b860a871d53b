"""Online platform layers: heavy-tailed follower graphs that partly copy offline ties."""

from __future__ import annotations

import numpy as np

from simulator.config import PlatformLayer
from simulator.errors import ConfigError
from simulator.town.network.layers import COMPILED_ABOVE, Layer, Tie, compile_csr, csr_from_keys

FRIEND_SHARE_SLACK = 0.05
"""How far below ``friend_share`` the realised share may fall before it is an error
(MODEL-REVIEW G3)."""


def platform_layer(
    config: PlatformLayer,
    members: np.ndarray,
    market: Layer | None,
    *,
    rng: np.random.Generator,
    name: str = "platform",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generate a platform's follower graph among its ``members`` (a bool mask).

    Each member follows about ``follows`` accounts. A share ``friend_share`` of those
    follows copy offline ties between members (keeping the offline tie's kind, hence its
    trust); the rest go to accounts drawn with probability proportional to a Pareto
    popularity, so follower counts are heavy-tailed with density exponent
    ``popularity_exponent``. Edge ``u -> v`` means ``v`` follows ``u`` (sees ``u``'s posts);
    ``reciprocal`` platforms (friendships) add ``v -> u`` too.

    Examples
    --------
    >>> members = np.ones(2000, bool)
    >>> indptr, indices, tie = platform_layer(PlatformLayer(follows=20, reciprocal=False),
    ...                                       members, None, rng=np.random.default_rng(3))
    >>> followers = np.diff(indptr)
    >>> bool(followers.max() > 10 * followers.mean())   # heavy tail
    True
    """
    size = members.size
    ids = np.flatnonzero(members).astype(np.int32)  # int32 ids halve the memory at scale
    if ids.size < 2:
        return compile_csr(size, np.zeros(0), np.zeros(0), np.zeros(0, np.int8))
    follows_total = int(round(config.follows * ids.size))
    # Large platforms compute between the draws with compiled kernels: the same random
    # numbers, drawn by the same calls in the same order, so the same arrays.
    compiled = follows_total > COMPILED_ABOVE
    if compiled:
        from simulator.town.network import town_kernels  # numba: only for large towns

    speakers, listeners, ties = [], [], []
    copies = 0
    if market is not None and config.friend_share > 0:
        # Mutual offline ties appear twice; take each pair once (speaker < listener).
        if compiled:
            eligible, speaker = town_kernels.shared_ties(market.indptr, market.indices, members)
        else:
            speaker = np.repeat(np.arange(size, dtype=np.int32), np.diff(market.indptr))
            listener = market.indices
            eligible = np.flatnonzero(members[speaker] & members[listener] & (speaker < listener))
        per_pair = 2 if config.reciprocal else 1
        asked = int(round(config.friend_share * follows_total / per_pair))
        wanted = min(eligible.size, asked)
        realised = wanted * per_pair / max(follows_total, 1)
        if not config.cap_friend_share and config.friend_share - realised > FRIEND_SHARE_SLACK:
            raise ConfigError(
                f"layers.{name}.friend_share: at most {realised:.3f} of the follows can copy "
                f"an offline tie ({eligible.size:,} offline pairs of members for "
                f"{follows_total:,} follows); got {config.friend_share:g} (lower it, or set "
                f"layers.{name}.cap_friend_share = true to copy them all)"
            )
        if compiled:
            # choice(n) draws what choice(array of n) does, and gives the positions
            chosen_at = rng.choice(eligible.size, size=wanted, replace=False)
            chosen = eligible[chosen_at]
            a, b = speaker[chosen_at], market.indices[chosen]
        else:
            chosen = rng.choice(eligible, size=wanted, replace=False)
            a, b = speaker[chosen], listener[chosen]
        if not config.reciprocal:  # a one-way follow: either direction
            flip = rng.random(a.size) < 0.5
            a, b = np.where(flip, b, a), np.where(flip, a, b)
        speakers.append(a)
        listeners.append(b)
        ties.append(market.tie[chosen])
        copies = wanted * per_pair

    random_follows = max(follows_total - copies, 0)
    if config.reciprocal:
        random_follows //= 2
    popularity = rng.pareto(config.popularity_exponent - 1.0, ids.size) + 1.0
    # Nobody can be followed by more members than there are: cap the expected follower
    # count at half the members (a few passes, since capping changes the total).
    for _ in range(5):
        cap = 0.5 * ids.size * popularity.sum() / max(random_follows, 1)
        if popularity.max() <= cap:
            break
        popularity = np.minimum(popularity, cap)
    # How many random follows each account gets: one multinomial draw, O(members), the
    # same distribution as drawing each follow's account by popularity, O(follows log
    # members); pairing the accounts, in any order, with followers drawn independently
    # gives the same random pairs.
    counts = rng.multinomial(random_follows, popularity / popularity.sum())
    follower_draw = rng.integers(0, ids.size, random_follows)
    if compiled:
        empty = np.zeros(0, np.int32)
        keys = town_kernels.follow_keys(
            size,
            speakers[0] if speakers else empty,
            listeners[0] if listeners else empty,
            ties[0] if ties else np.zeros(0, np.int8),
            ids,
            counts,
            follower_draw,
            config.reciprocal,
            int(Tie.ONLINE),
        )
        return csr_from_keys(size, keys)
    followee = np.repeat(ids, counts)
    follower = ids[follower_draw]
    speakers.append(followee)
    listeners.append(follower)
    ties.append(np.full(random_follows, Tie.ONLINE, np.int8))

    a = np.concatenate(speakers)
    b = np.concatenate(listeners)
    return compile_csr(size, a, b, np.concatenate(ties), mutual=config.reciprocal)
