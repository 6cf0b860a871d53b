"""Person-by-person history of one run, for network pictures and animations.

Results keep counts, not who is in which state, so :func:`trace` runs one strategy again
with the engine and records everyone's state after every step. The run is the first block
of the strategy, so the traced replicate is exactly the one :func:`simulator.engine.run.simulate`
reports for the same scenario. :func:`village` shrinks a scenario to a few hundred people
(same parameters per person) so that the picture stays readable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator import config as cfg
from simulator.engine import adoption
from simulator.engine import run as engine
from simulator.town.network import Network

STATES = (
    adoption.UNAWARE,
    adoption.AWARE,
    adoption.REJECTER,
    adoption.PROMOTER,
    adoption.DETRACTOR,
)
"""Person states in the order figures list them."""

STATE_KEYS = {
    adoption.UNAWARE: "unaware",
    adoption.AWARE: "aware",
    adoption.REJECTER: "rejecter",
    adoption.PROMOTER: "promoter",
    adoption.DETRACTOR: "detractor",
}


@dataclass(frozen=True)
class Trace:
    """Everyone's state after every step of one run of one strategy.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was run (with the strategy's overrides applied).
    strategy : str
        Name of the strategy.
    days : (steps + 1,) float array
        Day at the end of each step (0 is the start).
    states : (steps + 1, people) int8 array
        State codes of :mod:`simulator.engine.adoption` (unaware, aware, rejecter, promoter,
        detractor).
    network : Network
        The layers the run used.
    segment : (people,) int array
        Segment index of each person, into ``scenario.population.segment_names``.
    """

    scenario: cfg.Scenario
    strategy: str
    days: np.ndarray
    states: np.ndarray
    network: Network
    segment: np.ndarray

    @property
    def size(self) -> int:
        return int(self.states.shape[1])

    def counts(self, state: int) -> np.ndarray:
        """People in ``state`` after each step."""
        return (self.states == state).sum(axis=1)


def trace(
    scenario: cfg.Scenario,
    strategy: str | None = None,
    *,
    graphs: dict[str, Any] | None = None,
) -> Trace:
    """Run replicate 0 of one strategy again and record everyone's state at every step.

    Parameters
    ----------
    scenario : Scenario
        Keep it small (a few hundred people, see :func:`village`): the history holds
        ``(steps + 1) x people`` states.
    strategy : str, optional
        Name of the strategy to trace; the first one by default.
    graphs : mapping, optional
        Graphs for ``graph`` layers, as for :func:`simulator.engine.run.simulate`.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> small = village(default_scenario(), size=200)
    >>> history = trace(small, "word of mouth")
    >>> history.states.shape  # a year of 200 people
    (366, 200)
    >>> int(history.counts(adoption.PROMOTER)[-1]) > 0
    True
    """
    strategies = scenario.resolved_strategies()
    names = [s.name for s in strategies]
    chosen = strategies[0] if strategy is None else None
    for candidate in strategies:
        if candidate.name == strategy:
            chosen = candidate
    if chosen is None:
        raise ValueError(f"no strategy {strategy!r}; have {names}")
    single = scenario.model_copy(update={"strategies": (chosen,)})
    (prepared,) = engine.prepare(single, graphs=graphs)
    first_block = engine.block_sizes(
        scenario.simulation.replicates, scenario.simulation.block_size
    )[0]
    people = prepared.population.size
    history: list[np.ndarray] = []
    # Replicate 0 is the first `people` states of block 0: the very run simulate reports.
    engine.run_block(
        prepared, 0, first_block, observe=lambda state: history.append(state[:people].copy())
    )
    steps = scenario.simulation.steps
    # stop_when_quiet ends a block early: the rest of the run repeats the last states.
    history += [history[-1]] * (steps + 1 - len(history))
    return Trace(
        scenario=prepared.scenario,
        strategy=chosen.name,
        days=np.arange(steps + 1) * scenario.simulation.step_days,
        states=np.stack(history),
        network=prepared.network,
        segment=np.asarray(prepared.population.segment),
    )


def village(
    scenario: cfg.Scenario, strategy: str | None = None, *, size: int = 400
) -> cfg.Scenario:
    """One strategy of ``scenario`` in a town of ``size`` people, per person unchanged.

    The strategy's overrides are applied first. Budgets of seeding, newspaper, advertising
    and social ads shrink with the town (so each person sees as many samples and ads as
    before) and page followers shrink likewise. People keep their number of offline
    contacts; platform follows are capped at a quarter of the town so that the village
    is not one crowd. A scenario already this small keeps its town. One replicate is run.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> small = village(default_scenario(), "newspaper", size=500)
    >>> small.population.size, small.channels["newspaper"].budget
    (500, 100.0)
    >>> [s.name for s in small.strategies]
    ['newspaper']
    """
    strategies = scenario.resolved_strategies()
    chosen = strategies[0]
    if strategy is not None:
        matches = [s for s in strategies if s.name == strategy]
        if not matches:
            raise ValueError(f"no strategy {strategy!r}; have {[s.name for s in strategies]}")
        chosen = matches[0]
    data = scenario.for_strategy(chosen).model_dump()
    data["strategies"] = [
        {"name": chosen.name, "channels": list(chosen.channels), "set": {}},
    ]
    data["simulation"]["replicates"] = 1
    people = data["population"]["size"]
    if people > size:
        factor = size / people
        data["population"]["size"] = size
        for layer in data["layers"].values():
            if layer["kind"] == "market":
                layer["neighbourhood_size"] = max(2, min(layer["neighbourhood_size"], size))
            elif layer["kind"] == "platform":
                layer["follows"] = min(layer["follows"], size / 4)
        for channel in data["channels"].values():
            if channel["kind"] == "social_page":
                channel["followers"] = round(channel["followers"] * factor)
                continue
            channel["budget"] *= factor
            if channel["kind"] == "seeding":
                if channel["seeds"]:
                    channel["seeds"] = max(1, math.floor(channel["seeds"] * factor))
                channel["people"] = [p for p in channel["people"] if p < size]
                if channel["strategy"] == "given" and not channel["people"]:
                    channel["people"] = [0]
            if channel["kind"] == "newspaper":
                channel["price_per_insertion"] *= factor
    return cfg.validate_scenario(data, origin=f"village of strategy '{chosen.name}'")
