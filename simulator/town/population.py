"""People and their attributes: segment, interest in the category, media they use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.config import Population as PopulationConfig


@dataclass(frozen=True)
class Population:
    """Consumers as arrays indexed by person id ``0 .. size - 1``.

    Attributes
    ----------
    segment : int8 array
        Index into ``segment_names``.
    interest : float32 array
        Interest in the product category, in [0, 1]; multiplies every conversion.
    media : dict of str to bool array
        Who uses each medium or platform (newspaper readers, facebook members...).
    """

    segment_names: tuple[str, ...]
    segment: np.ndarray
    interest: np.ndarray
    media: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return int(self.segment.size)

    def audience(self, medium: str, segments: tuple[str, ...] = ()) -> np.ndarray:
        """Ids of people who use ``medium``, restricted to ``segments`` when given."""
        uses = self.media.get(medium)
        mask = np.zeros(self.size, bool) if uses is None else uses.copy()
        if segments:
            wanted = [self.segment_names.index(s) for s in segments]
            mask &= np.isin(self.segment, wanted)
        return np.flatnonzero(mask).astype(np.int32)


def build_population(config: PopulationConfig, *, rng: np.random.Generator) -> Population:
    """Draw segments, interests and media use.

    Segment sizes are exact (largest remainder), so shares hold at any size.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> people = build_population(default_scenario().population, rng=1)
    >>> people.size, sorted(people.media)[:2]
    (5000, ['banner', 'facebook'])
    """
    rng = np.random.default_rng(rng)
    n = config.size
    shares = np.array([s.share for s in config.segments])
    counts = np.floor(shares * n).astype(np.int64)
    remainder = n - counts.sum()
    counts[np.argsort(-(shares * n - counts), kind="stable")[:remainder]] += 1
    segment = rng.permutation(np.repeat(np.arange(len(shares), dtype=np.int8), counts))

    alpha = np.array([s.interest_alpha for s in config.segments])[segment]
    beta = np.array([s.interest_beta for s in config.segments])[segment]
    interest = rng.beta(alpha, beta).astype(np.float32)
    fixed = np.array([np.nan if s.interest is None else s.interest for s in config.segments])
    fixed = fixed[segment]
    interest = np.where(np.isnan(fixed), interest, fixed).astype(np.float32)

    media_names = sorted({m for s in config.segments for m in s.media})
    uniforms = rng.random((len(media_names), n))
    media = {}
    for row, medium in enumerate(media_names):
        probability = np.array([s.media.get(medium, 0.0) for s in config.segments])[segment]
        media[medium] = uniforms[row] < probability
    return Population(config.segment_names, segment, interest, media)
