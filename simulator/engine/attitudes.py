"""Attitudes that valenced messages move, instead of one-message rejection (MODEL-REVIEW G4).

Made by :mod:`simulator.engine.block` only when ``reputation.attitudes.message_weight`` is
above 0; off, nothing here is allocated and a negative message that succeeds makes a
rejecter, as before.

Per step, before the adoption rule (:meth:`Attitudes.weigh`): each word-of-mouth message
(a person's, not a channel's: ads and posts act through their own strength) of valence
``v`` to an open person (unaware or aware) moves her attitude ``a`` by ``v w_msg``
(clipped to [-1, 1]); attitudes decay as ``exp(-delta_att t)`` (kept lazily: each person's
value and the step it was last brought up to date). The rule then sees the positive
messages with their strength times ``exp(theta a)``, ``a`` her attitude *before* the
step's messages (so a first message converts as it did), and the negative messages with
strength 0: a person rejects only when her attitude falls below ``-att_rej``. Walk-ins and
trial conversions are multiplied by the same ``exp(theta a)`` (:meth:`Attitudes.factor`).
Rejecters pass bad word of mouth on, for ``relay_days``, at ``relay`` times a detractor's
rate (the block sends it). Work is O(messages) a step; no random number is drawn here.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from simulator import config as cfg
from simulator.engine.adoption import AWARE
from simulator.engine.messages import Exposures
from simulator.engine.reviews import ReviewBoard


class Attitudes:
    """Every person's attitude in a block of ``replicates`` x ``size``; private to the engine.

    Examples
    --------
    >>> data = cfg.default_scenario_data()
    >>> data["reputation"] = {"attitudes": {"message_weight": 0.2}}
    >>> attitudes = Attitudes(cfg.validate_scenario(data), replicates=1, size=3)
    >>> three = Exposures.uniform(np.array([1, 1, 1]), 0.1, source=0, channel=-1, valence=-1)
    >>> state = np.zeros(3, np.int8)
    >>> seen, rejecters = attitudes.weigh(0, three, state)
    >>> rejecters.tolist(), seen.strength.tolist()  # three complaints: -0.6 < -0.5
    ([1], [0.0, 0.0, 0.0])
    """

    def __init__(self, scenario: cfg.Scenario, *, replicates: int, size: int) -> None:
        self.config = config = scenario.reputation.attitudes
        step_days = scenario.simulation.step_days
        self.size, self.reps = size, replicates
        self.value = np.zeros(replicates * size, np.float32)
        self.updated = np.zeros(replicates * size, np.int32)  # step the value is at
        self.decay = math.exp(-config.decay_per_day * step_days)  # per step
        self.now = 0
        relay_steps = max(1, int(math.ceil(config.relay_days / step_days - 1e-9)))
        self.relaying: deque[np.ndarray] = deque(maxlen=relay_steps)

    @staticmethod
    def needed(scenario: cfg.Scenario) -> bool:
        return scenario.reputation.attitudes.enabled

    def current(self, people: np.ndarray) -> np.ndarray:
        """``people``'s attitudes now (flat indices), decayed to the current step."""
        age = self.now - self.updated[people]
        return self.value[people] * np.power(self.decay, age, dtype=np.float64)

    def factor(self, people: np.ndarray) -> np.ndarray:
        """Each of ``people``'s conversion multiplier, ``exp(theta a)``."""
        return np.exp(self.config.effect * self.current(people))

    def weigh(
        self, step: int, exposures: Exposures, state: np.ndarray
    ) -> tuple[Exposures, np.ndarray]:
        """Move open recipients' attitudes; the exposures as the rule sees them, and the
        people (flat, distinct) whose attitude fell below the threshold this step."""
        self.now = step
        if exposures.target.size == 0:
            return exposures, np.zeros(0, np.int64)
        # Word of mouth moves attitudes (a channel's message acts through its own strength).
        reached = (state[exposures.target] <= AWARE) & (exposures.channel < 0)
        targets = exposures.target[reached]
        before = self.current(exposures.target)
        strength = exposures.strength * np.exp(self.config.effect * before).astype(np.float32)
        strength[exposures.valence < 0] = 0.0  # only the attitude can make a rejecter
        seen = Exposures(
            exposures.target,
            strength,
            exposures.source,
            exposures.channel,
            exposures.valence,
            exposures.sender,
        )
        if targets.size == 0:
            return seen, np.zeros(0, np.int64)
        people = np.unique(targets)
        self.value[people] = self.current(people)
        self.updated[people] = step
        push = exposures.valence[reached].astype(np.float32) * np.float32(
            self.config.message_weight
        )
        np.add.at(self.value, targets, push)
        self.value[people] = np.clip(self.value[people], -1.0, 1.0)
        rejecters = people[self.value[people] < -self.config.rejection_threshold]
        self.relaying.append(rejecters)
        return seen, rejecters

    def relayers(self, state: np.ndarray, rejecter: int) -> np.ndarray:
        """Rejecters of the last ``relay_days`` who are still rejecters (flat)."""
        if not self.relaying:
            return np.zeros(0, np.int64)
        people = np.concatenate(self.relaying)
        return people[state[people] == rejecter]


def conversion_factor(
    people: np.ndarray, reviews: ReviewBoard | None, attitudes: Attitudes | None
) -> np.ndarray:
    """``people``'s (flat) multiplier of walking in and of converting a trial: the rating
    they read (1 if they do not read reviews) times ``exp(theta attitude)``.

    Examples
    --------
    >>> conversion_factor(np.arange(3), None, None).tolist()
    [1.0, 1.0, 1.0]
    """
    factor = reviews.person_factor(people) if reviews is not None else np.ones(people.size)
    if attitudes is not None:
        factor = factor * attitudes.factor(people)
    return factor
