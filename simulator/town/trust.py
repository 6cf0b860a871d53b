"""Trust of a message by the tie it travels on: source type and weight per tie kind."""

from __future__ import annotations

import numpy as np

from simulator import config as cfg
from simulator.calibration import ONLINE_SHARE_PERSUASION
from simulator.town.network.layers import Tie


def tie_sources_and_trust(
    scenario: cfg.Scenario, layer_config: cfg.Layer
) -> tuple[np.ndarray, np.ndarray]:
    """Source type index and trust weight for each :class:`Tie` kind on a layer.

    Offline and copied ties are people I know (strong or weak); online-only follows are
    consumer opinions online, trusted as such (Nielsen 2015's item) or, with
    ``response.word_of_mouth.online_stranger_trust = "weak_tie"``, as a weak offline tie
    (MODEL-REVIEW A.0); loaded graphs use their layer's own source and multiplier.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> s = default_scenario()
    >>> sources, trust = tie_sources_and_trust(s, s.layers["market"])
    >>> [cfg.SOURCE_TYPES[i] for i in sources[:3]], [round(float(t), 4) for t in trust[:3]]
    (['word_of_mouth', 'word_of_mouth', 'online_opinion'], [0.83, 0.3735, 0.3735])
    """
    table = scenario.trust.model_dump()
    wom = scenario.word_of_mouth
    external_source = getattr(layer_config, "source", "word_of_mouth")
    external_trust = getattr(layer_config, "tie_trust", 1.0)
    online = 1.0
    response = scenario.response
    if response.enabled and response.word_of_mouth.online_stranger_trust == "weak_tie":
        online = table["word_of_mouth"] * wom.weak_tie_trust / max(table["online_opinion"], 1e-12)
    sources = {
        Tie.STRONG: ("word_of_mouth", wom.strong_tie_trust),
        Tie.WEAK: ("word_of_mouth", wom.weak_tie_trust),
        Tie.ONLINE: ("online_opinion", online),
        Tie.EXTERNAL: (external_source, external_trust),
    }
    source_index = np.array([cfg.SOURCE_TYPES.index(sources[t][0]) for t in Tie], np.int8)
    trust = np.array([table[sources[t][0]] * sources[t][1] for t in Tie], np.float32)
    return source_index, trust


def share_sources_and_strength(
    scenario: cfg.Scenario, layer_config: cfg.Layer, share_trust: str
) -> tuple[np.ndarray, np.ndarray]:
    """Source type index and strength (trust x persuasion) per :class:`Tie` kind of a
    *shared post*.

    ``"friend"`` (the model before 2026-12): the sharer's own word of mouth, trusted by the
    tie (:func:`tie_sources_and_trust`) with ``word_of_mouth.persuasion``. ``"online"``:
    whatever the tie, an opinion posted online, trusted as an online-only follow's (a weak
    tie's with ``online_stranger_trust = "weak_tie"``) with the persuasion of an online
    recommendation (:data:`simulator.calibration.ONLINE_SHARE_PERSUASION`): reading a
    friend's share is not hearing her recommend the place.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> s = default_scenario()
    >>> _, friend = share_sources_and_strength(s, s.layers["facebook"], "friend")
    >>> _, online = share_sources_and_strength(s, s.layers["facebook"], "online")
    >>> [round(float(t), 4) for t in friend[:3]], [round(float(t), 4) for t in online[:3]]
    ([0.1826, 0.0822, 0.0822], [0.0112, 0.0112, 0.0112])
    """
    sources, trust = tie_sources_and_trust(scenario, layer_config)
    if share_trust == "friend":
        return sources, (trust * scenario.word_of_mouth.persuasion).astype(np.float32)
    online = int(Tie.ONLINE)
    keep = np.arange(len(Tie)) == int(Tie.EXTERNAL)  # a loaded graph keeps its own source
    persuasion = np.where(keep, scenario.word_of_mouth.persuasion, ONLINE_SHARE_PERSUASION.value)
    return (
        np.where(keep, sources, sources[online]).astype(np.int8),
        (np.where(keep, trust, trust[online]) * persuasion).astype(np.float32),
    )
