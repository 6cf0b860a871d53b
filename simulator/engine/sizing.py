"""Memory and time a scenario will need, estimated from its parameters before any work.

:func:`estimate` counts what the engine allocates (the town's arrays, one block of
replicates, the outputs) and the work it does, from the scenario alone: no array is made
and no file is read beyond its size. :func:`check_size` refuses, with one line naming the
parameters to lower, a scenario that cannot fit in the memory this machine has free.

The per-unit constants below were measured, not derived; see :data:`MEASURED`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from simulator import config as cfg
from simulator.errors import ConfigError
from simulator.town.network.layers import COMPILED_ABOVE

MEASURED = (
    "2026-12-01, x86_64, 2 cores shared with other work, 23.5 GiB, Python 3.11.7, numpy 2.4.6"
)
"""When and where the constants were measured: memory as the peak RSS of ``wom run``
(``/usr/bin/time -v``) or by ``tracemalloc``, time by ``perf_counter`` around
:func:`simulator.engine.run.simulate` with the machine quiet (while others ran their tests the
same runs took up to 1.9 x longer)."""

# --------------------------------------------------------------------------- constants

BASELINE_BYTES = 135 * 2**20
"""Resident memory of ``wom run`` before the town exists (Python, numpy, pandas, pydantic):
130 MiB measured for a town of 300, 135 MiB for the default scenario."""

NUMBA_BYTES = 70 * 2**20
"""Extra resident memory once numba's edge kernels are loaded (layers built from more
than :data:`simulator.town.network.layers.COMPILED_ABOVE` edges): about 60 MiB measured."""

LAYER_BYTES_PER_EDGE = 5
"""A built layer keeps ``indices`` (int32) and ``tie`` (int8) per directed edge, and an
int64 ``indptr`` per person."""

MARKET_BUILD_BYTES_PER_EDGE = {True: 45, False: 70}
"""Peak temporary memory while the market layer is generated, per directed edge drawn
before duplicates merge (:func:`market_edges_drawn`): speaker and listener lists (int64),
their copies in person ids, one sort key per edge, the CSR it becomes. By whether the
edges are compiled by numba (more than :data:`COMPILED_ABOVE`) or numpy: measured 45 (1
million people, default layer; tracemalloc), 35 (200,000 people with 500 acquaintances
each; RSS 3.6 GiB) and 68 (20,000 and 50,000 people; numpy)."""

PLATFORM_BUILD_BYTES_PER_EDGE = {(True, True): 24, (True, False): 35, (False, True): 47}
"""The same for a platform layer, per edge it ends with, by (compiled by numba,
``reciprocal``), including the copy of offline ties: measured by tracemalloc 24
(reciprocal, 60 edges a person) and 35 (one-way, 28) on 0.2 and 1 million people, 37 to
47 on 20,000 and 50,000 (numpy)."""

EDGE_LIST_BYTES_PER_LINE = 64
"""Reading an edge list, per ``u v`` line besides three copies of its text (bytes,
decoded, without comments): the ids as int64, their relabelling by ``np.unique``.
Counted from the code of :mod:`simulator.town.network.loading`, not measured."""

PAGERANK_BYTES_PER_EDGE = 40
"""scipy sparse adjacency, its sum over layers and the transition matrix, for pagerank
seeding (float64 data and int32 indices, three copies)."""

POPULATION_BYTES_PER_PERSON_MEDIUM = 9
"""One float64 uniform and one bool per person and medium while media use is drawn."""

POPULATION_BYTES_PER_PERSON = 50
"""Segments, interests and their float64 temporaries (Beta parameters and draws)."""

BLOCK_BYTES_PER_PERSON = 5
"""Per person and replicate of a block: the int8 state and the int32 scratch of
deduplication; plus one bool per channel (who it reached), counted apart."""

THRESHOLD_BYTES_PER_PERSON = 16
"""Conviction and thresholds (float32) and the float64 Beta draw they come from."""

BASS_BYTES_PER_PERSON = 48
"""The bass rule on a network: the float64 share of talking contacts and its four
float64 temporaries per step."""

EXPOSURE_BYTES = 48
"""Per impression or message of a step: the draws that make it, target (int64),
strength, source, channel, valence, the copy that concatenates the step's messages and
the indices that mark who was reached. Measured 38: RSS 1,070 MiB for 100,000 people in
blocks of 400 replicates and 36,000 social-ad impressions per replicate and step
(estimate 1,200 MiB)."""

SERIES_BYTES = 4 * 5
"""Five int32 series per replicate and step (aware, adopters, promoters, ...)."""

FRAME_BYTES_PER_ROW = 128
"""``to_frame("series")`` and its CSV and parquet files (written by ``--out``): one row
per strategy, replicate and step. Measured 124: 1.5 million rows took 178 MiB more."""

SECONDS_PER_BLOCK_STEP = 7e-5
"""Fixed cost of one step of one block (Python and numpy call overhead): 74 us measured
with 500 blocks of one replicate in a town of 50, 90 steps."""

SECONDS_PER_REPLICATE_STEP = 3e-7
"""Added per replicate to each block step (the series, counts and bincounts over the
block): 2 s more than the block overhead for 3,000 steps of 400 replicates x 5 strategies."""

SECONDS_PER_CHANNEL_STEP = 1.2e-5
"""Added per channel to each block step (its delivery, even when it delivers nothing):
148 us a block step measured with five channels, 100 us with one."""

SECONDS_PER_IMPRESSION = 2.7e-8
"""Drawing and delivering one impression, per replicate: 5.8 s for 213 million more
impressions (facebook_ads.budget = 50,000 in the default scenario)."""

SECONDS_PER_MESSAGE = 8.5e-8
"""One word-of-mouth message sent and decided: 70 ns measured with 10 million messages,
87 ns with 208 million (nearly everyone adopting)."""

SECONDS_PER_FLAT_STEP = {"bass": 1.2e-7, "threshold": 2.5e-9}
"""Per person, replicate and step where a rule touches everyone every step: the bass
rule on a network (a hazard and a uniform per person: 9.6 s for the default scenario,
48.6 s at 20,000 people) and the threshold rule with decay (2.6 ns measured)."""

SECONDS_PER_BUILT_EDGE = 1.3e-7
"""Generating a layer, per directed edge: 2.6 s for the 20 million edges of the default
town at 200,000 people, 0.21 s for 2 million."""

SECONDS_PER_BASS_ADOPTION = 4.5e-7
"""One adoption under the bass rule, which ends with nearly everyone adopting: 0.85 s for
100 replicates of 20,000 people, well mixed, 150 steps (the Bass model of
:func:`simulator.validation.cascades.bass_scenario`)."""

LONG_RUN_SECONDS = 60.0
"""Runs estimated above this deserve a word before they start (the CLI prints it)."""


# --------------------------------------------------------------------------- estimate


@dataclass(frozen=True)
class Estimate:
    """What a run will need, roughly (within a factor of about 2 to 3).

    Attributes
    ----------
    bytes : int
        Peak resident memory of the run's processes together, interpreters included.
    seconds : float
        Wall time of building and simulating (not of importing or writing files).
    parts : tuple of (str, int)
        The memory by part, largest first: ``town`` (people and layers, and the peak
        while they are built), ``block`` (one block of replicates), ``outputs`` (series
        and tables) and ``schedules`` (the channels' plans).
    drivers : tuple of str
        Dotted parameters that drive the largest parts, to lower first.
    """

    bytes: int
    seconds: float
    parts: tuple[tuple[str, int], ...] = ()
    drivers: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line such as ``about 1.2 GiB of memory and 3 min``.

        Examples
        --------
        >>> Estimate(bytes=3 * 2**30, seconds=200.0).describe()
        'about 3 GiB of memory and 3 min 20 s'
        """
        return f"about {format_bytes(self.bytes)} of memory and {format_seconds(self.seconds)}"

    @property
    def long(self) -> bool:
        """Whether the run is estimated to take more than :data:`LONG_RUN_SECONDS`."""
        return self.seconds > LONG_RUN_SECONDS


def format_bytes(count: float) -> str:
    """``1.5 GiB``, ``300 MiB``: two significant figures at most.

    Examples
    --------
    >>> format_bytes(61.4 * 2**30), format_bytes(3.2 * 2**20), format_bytes(2**50 * 5.5)
    ('61 GiB', '3.2 MiB', '5,600 TiB')
    """
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale or unit == "KiB":
            value = count / scale
            return f"{float(f'{value:.2g}'):,.0f} {unit}" if value >= 10 else f"{value:.2g} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_seconds(seconds: float) -> str:
    """``45 s``, ``3 min 20 s``, ``2 h 5 min``, ``12 days``.

    Examples
    --------
    >>> format_seconds(0.4), format_seconds(7300), format_seconds(5e6)
    ('under a second', '2 h 2 min', '58 days')
    """
    if seconds < 1:
        return "under a second"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if seconds < 86400 * 2:
        hours, rest = divmod(round(seconds / 60), 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days = seconds / 86400
    return f"{days:,.0f} days" if days < 3650 else f"{days / 365.25:,.0f} years"


def _members(scenario: cfg.Scenario, medium: str, segments: tuple[str, ...] = ()) -> float:
    """Expected number of people who use ``medium`` (in ``segments``, if given)."""
    population = scenario.population
    return population.size * sum(
        s.share * s.media.get(medium, 0.0)
        for s in population.segments
        if not segments or s.name in segments
    )


def market_edges_drawn(layer: cfg.MarketLayer, size: int) -> float:
    """Directed edges the market layer draws before duplicates merge.

    Households of ``1 + Poisson(h - 1)`` people give ``(h^2 - 1) / h`` housemates a
    person on average; then close friends and acquaintances, each tie both ways.
    """
    h = layer.household_size
    return size * ((h * h - 1.0) / h + layer.close_friends + layer.acquaintances)


def layer_edges(scenario: cfg.Scenario, name: str) -> float:
    """Expected directed edges of a layer, from its parameters (or its file's size).

    Market: strong ties (households and close friends) lose about a fifth where they
    coincide, and acquaintances met through friends often repeat a tie (a share
    ``0.7 x local_share`` merge); measured within -18 % .. +22 % for 2 to 100
    acquaintances and 6 to 20 close friends (more above: 500 acquaintances merge to 170).
    Platform: ``follows`` per member. Edge list: the file's bytes over about 12 bytes a
    line, doubled when undirected. Graph and well-mixed layers: 0 (a graph is handed over
    at run time; well-mixed has no edges).

    Examples
    --------
    >>> scenario = cfg.default_scenario()
    >>> round(layer_edges(scenario, "market") / scenario.population.size, 1)  # 14.5 built
    14.1
    """
    layer = scenario.layers[name]
    size = scenario.population.size
    if layer.kind == "market":
        acquaintances = size * layer.acquaintances
        strong = market_edges_drawn(layer, size) - acquaintances
        return 0.8 * strong + acquaintances * (1.0 - 0.7 * layer.local_share)
    if layer.kind == "platform":
        members = _members(scenario, name)
        return min(layer.follows, max(members - 1.0, 0.0)) * members
    if layer.kind == "edge_list":
        try:
            lines = Path(layer.path).stat().st_size / 12.0
        except OSError:
            return 0.0  # reported when the layer is read
        return lines * (1 if layer.directed else 2)
    return 0.0


def _events(channel: cfg.ChannelBase, per_week: float, scenario: cfg.Scenario) -> float:
    """Events (insertions, flights, posts) the schedule allows within the run."""
    last_day = min(channel.end_day, scenario.simulation.steps * scenario.simulation.step_days)
    return max(math.ceil((last_day - channel.start_day) * per_week / 7.0), 0)


def _schedule_events(channel_scenario: cfg.Scenario, channel: cfg.Channel) -> float:
    """Events a channel's schedule lays out (float64 days, then int64 steps) before the
    budget cuts them."""
    per_week = {
        "newspaper": "insertions_per_week",
        "advertising": "flights_per_week",
        "social_page": "posts_per_week",
    }.get(channel.kind)
    return _events(channel, getattr(channel, per_week), channel_scenario) if per_week else 0.0


def _affordable(events: float, unit_cost: float, budget: float) -> float:
    return events if unit_cost <= 0 else min(events, math.floor(budget / unit_cost + 1e-9))


def channel_load(scenario: cfg.Scenario, channel: cfg.Channel) -> tuple[float, float]:
    """(most in one step, total over the run) impressions or seeds, per replicate.

    The same arithmetic as :func:`simulator.engine.channels.compile_channel`, on expected
    audiences instead of drawn ones. A business page's impressions include the shares
    its viewers make to their followers.

    Examples
    --------
    >>> scenario = cfg.default_scenario()
    >>> [round(channel_load(scenario, c)[1]) for c in scenario.channels.values()][:3]
    [100, 5350, 32085]
    """
    size = scenario.population.size
    step_days = scenario.simulation.step_days
    steps = scenario.simulation.steps
    if channel.kind == "seeding":
        wanted = len(channel.people) if channel.strategy == "given" else channel.seeds
        affordable = math.floor(channel.budget / channel.cost_per_seed + 1e-9)
        seeds = float(min(affordable, wanted or affordable, size))
        return seeds, seeds
    if channel.kind == "social_ads":
        first = math.floor(channel.start_day / step_days + 1e-9)
        end_day = min(channel.end_day, channel.start_day + channel.days)
        last = min(steps, math.ceil(end_day / step_days - 1e-9))
        if last <= first:
            return 0.0, 0.0
        bought = math.floor(channel.budget / (last - first) / channel.cpm * 1000.0 + 1e-9)
        return float(bought), float(bought * (last - first))
    if channel.kind == "social_page":
        followers = min(channel.followers, _members(scenario, channel.platform))
        ties = layer_edges(scenario, channel.platform) / max(
            _members(scenario, channel.platform), 1.0
        )
        per_post = followers * channel.organic_reach
        per_post *= 1.0 + channel.share_probability * channel.share_reach * ties
        events = _affordable(
            _events(channel, channel.posts_per_week, scenario),
            channel.hours_per_post * channel.hourly_cost,
            channel.budget,
        )
        per_step = max(channel.posts_per_week * step_days / 7.0, 1.0)
        return per_post * min(per_step, events), per_post * events
    audience = _members(scenario, channel.medium, channel.target_segments)
    if channel.kind == "newspaper":
        per_event = audience * channel.reach_per_insertion
        unit_cost = channel.price_per_insertion or (
            channel.cpm * audience / channel.audience_in_market / 1000.0
        )
        per_week = channel.insertions_per_week
    else:
        per_event = audience * channel.reach_per_flight
        unit_cost = channel.resolved_cpm * per_event / channel.audience_in_market / 1000.0
        per_week = channel.flights_per_week
    events = _affordable(_events(channel, per_week, scenario), unit_cost, channel.budget)
    per_step = max(per_week * step_days / 7.0, 1.0)
    return per_event * min(per_step, events), per_event * events


def word_of_mouth_load(scenario: cfg.Scenario) -> tuple[float, float]:
    """(messages if everyone adopted, conversions per adopter), per replicate.

    Everyone who adopts talks for ``talk_steps`` steps (at most the run) and reaches each
    contact with ``contact_probability`` a step: an upper bound on the messages, reached
    when nearly everyone adopts. How far it spreads is guessed from the conversions one
    adopter makes among its contacts, each contact being converted with probability
    ``1 - (1 - trust x persuasion x mean interest) ** (contact_probability x talk)``.
    :func:`estimate` takes a share ``min(1, conversions / 10)`` of the messages: fitted
    to three runs of the default town (0.17, 1.2 and 12 conversions per adopter; 1.2 %,
    4.6 % and 96 % of the upper bound sent), it is within 1.5 x of the first and last and
    2.7 x over the middle one. Under the bass rule a talker reaches all its contacts, once
    as it starts and once as it stops, on a network; on a well-mixed layer only counts
    change (see ``SECONDS_PER_BASS_ADOPTION``).

    Examples
    --------
    >>> messages, spread = word_of_mouth_load(cfg.default_scenario())
    >>> round(messages), round(spread, 2)
    (132240, 0.17)
    """
    simulation = scenario.simulation
    size = scenario.population.size
    segments = scenario.population.segments
    interest = sum(
        s.share * (s.interest_alpha / (s.interest_alpha + s.interest_beta))
        if s.interest is None
        else s.share * s.interest
        for s in segments
    )
    trust, wom = scenario.trust, scenario.word_of_mouth
    bass = scenario.adoption.kind == "bass"
    talk = 2.0 if bass else min(wom.talk_steps, simulation.steps)
    messages = spread = 0.0
    for name, layer in scenario.layers.items():
        degree = (size - 1.0) if layer.kind == "well_mixed" else layer_edges(scenario, name) / size
        if layer.kind == "market":
            weak = size * layer.acquaintances * (1.0 - 0.7 * layer.local_share) / size
            weight = (degree - weak) * wom.strong_tie_trust + weak * wom.weak_tie_trust
            tie_trust = trust.word_of_mouth * weight / max(degree, 1e-9)
        elif layer.kind == "platform":
            tie_trust = trust.online_opinion
        else:
            tie_trust = getattr(trust, layer.source) * layer.tie_trust
        if bass and layer.kind == "well_mixed":
            continue  # the bass rule counts a well-mixed layer's talkers, sends nothing
        reached = 1.0 if bass else layer.contact_probability
        messages += size * degree * reached * talk
        converts = min(1.0, tie_trust * wom.persuasion * interest)
        spread += degree * (1.0 - (1.0 - converts) ** (layer.contact_probability * talk))
    return messages, spread


def _town_parts(variant: cfg.Scenario) -> tuple[float, float, float, float]:
    """(kept bytes, peak bytes while building, edges drawn, most drawn by one layer)."""
    size = variant.population.size
    media = {m for s in variant.population.segments for m in s.media}
    kept = float(size * (5 + len(media)))
    peak = kept + size * (
        POPULATION_BYTES_PER_PERSON + POPULATION_BYTES_PER_PERSON_MEDIUM * len(media)
    )
    edges = market = largest = 0.0
    for name in sorted(variant.layers, key=lambda n: variant.layers[n].kind != "market"):
        layer = variant.layers[name]
        count = layer_edges(variant, name)
        drawn = market_edges_drawn(layer, size) if layer.kind == "market" else count
        by_numba = drawn > COMPILED_ABOVE
        if layer.kind == "platform":  # copying offline ties scans the market's edges
            per_edge = PLATFORM_BUILD_BYTES_PER_EDGE.get((by_numba, layer.reciprocal), 47)
            building = per_edge * count + 8 * market
        elif layer.kind == "edge_list":  # the text, then numbers, then a market's compile
            lines = count / (1 if layer.directed else 2)
            building = (EDGE_LIST_BYTES_PER_LINE + 3 * 12) * lines
            building += MARKET_BUILD_BYTES_PER_EDGE[by_numba] * count
        else:
            building = MARKET_BUILD_BYTES_PER_EDGE[by_numba] * drawn
        peak = max(peak, kept + building)
        kept += LAYER_BYTES_PER_EDGE * count + 8 * (size + 1)
        edges += drawn
        largest = max(largest, drawn)
        if layer.kind == "market" and not market:
            market = count
    rule = variant.adoption
    if rule.kind == "bass":
        kept += 8 * size
    elif rule.kind == "threshold" and rule.weights == "inverse_in_degree":
        kept += 4 * size
    for channel in variant.channels.values():
        if channel.kind == "seeding" and channel.strategy == "pagerank":
            peak = max(peak, kept + PAGERANK_BYTES_PER_EDGE * edges)
    return kept, max(peak, kept), edges, largest


def _variant(scenario: cfg.Scenario, strategy: cfg.Strategy) -> cfg.Scenario:
    """The strategy's scenario; without overrides, a copy with its channels (no need to
    validate again, which keeps :func:`check_size` well under a millisecond)."""
    if strategy.set:
        return scenario.for_strategy(strategy)
    channels = {name: scenario.channels[name] for name in strategy.channels}
    return scenario.model_copy(update={"channels": channels, "strategies": ()})


def _town_key(variant: cfg.Scenario, scenario: cfg.Scenario) -> str:
    # The engine shares one town between strategies with the same population and layers.
    if variant.population is scenario.population and variant.layers is scenario.layers:
        return ""
    return variant.population.model_dump_json() + str(
        {n: layer.model_dump_json() for n, layer in variant.layers.items()}
    )


def estimate(scenario: cfg.Scenario, *, workers: int = 1, outputs: bool = True) -> Estimate:
    """Estimate the peak memory and the time of ``simulate(scenario)``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario; each strategy is resolved (its ``set`` applied).
    workers : int
        Processes sharing the blocks: each builds the town and runs its own block, so
        memory (the returned ``bytes``, per machine) grows with them and time shrinks.
    outputs : bool
        Count the series table that ``wom run --out`` writes.

    Returns
    -------
    Estimate
        Peak bytes of all processes together, seconds, parts and drivers.

    Examples
    --------
    >>> estimate(cfg.default_scenario()).describe()  # measured: 135 MiB, 0.3 to 0.5 s
    'about 150 MiB of memory and under a second'
    >>> data = cfg.default_scenario().model_dump()
    >>> data["population"]["size"] = 50_000_000
    >>> big = estimate(cfg.validate_scenario(data))
    >>> big.bytes > 30 * 2**30, big.drivers[0]
    (True, 'population.size')
    """
    simulation = scenario.simulation
    strategies = scenario.resolved_strategies()
    variants = [_variant(scenario, s) for s in strategies]
    towns: dict[str, tuple[float, float, float, float]] = {}
    for variant in variants:
        key = _town_key(variant, scenario)
        if key not in towns:
            towns[key] = _town_parts(variant)
    kept = sum(t[0] for t in towns.values())
    building = max(t[1] - t[0] for t in towns.values())  # towns are built one at a time
    edges = sum(t[2] for t in towns.values())
    compiled = any(t[3] > COMPILED_ABOVE for t in towns.values())

    block = min(simulation.block_size, simulation.replicates)
    blocks = math.ceil(simulation.replicates / simulation.block_size)
    steps = simulation.steps
    block_peak = plans = run_seconds = impressions_bytes = 0.0
    for variant in variants:
        size = variant.population.size
        channels = len(variant.channels)
        per_person = BLOCK_BYTES_PER_PERSON + channels
        rule = variant.adoption
        every_step = 0.0  # seconds per person, replicate and step
        if rule.kind == "threshold":
            per_person += THRESHOLD_BYTES_PER_PERSON
            every_step = SECONDS_PER_FLAT_STEP["threshold"] * (rule.decay > 0)
        elif rule.kind == "bass" and any(
            layer.kind != "well_mixed" for layer in variant.layers.values()
        ):
            per_person += BASS_BYTES_PER_PERSON
            every_step = SECONDS_PER_FLAT_STEP["bass"]
        loads = [channel_load(variant, c) for c in variant.channels.values()]
        step_impressions = sum(most for most, _ in loads) * block * EXPOSURE_BYTES
        impressions_bytes = max(impressions_bytes, step_impressions)
        messages, spread = word_of_mouth_load(variant)
        share = min(1.0, spread / 10.0)
        talk = 2.0 if rule.kind == "bass" else min(variant.word_of_mouth.talk_steps, steps)
        step_messages = messages / talk * share * block * EXPOSURE_BYTES  # all talking at once
        block_peak = max(block_peak, block * size * per_person + step_impressions + step_messages)
        plans += channels * (4 * size + 16 * steps)  # audience (int32) and schedule
        plans += sum(16 * _schedule_events(variant, c) for c in variant.channels.values())
        block_steps = blocks * steps
        run_seconds += (
            block_steps * (SECONDS_PER_BLOCK_STEP + channels * SECONDS_PER_CHANNEL_STEP)
            + simulation.replicates * steps * SECONDS_PER_REPLICATE_STEP
            + simulation.replicates * steps * size * every_step
            + simulation.replicates * sum(total for _, total in loads) * SECONDS_PER_IMPRESSION
            + simulation.replicates * messages * share * SECONDS_PER_MESSAGE
            + simulation.replicates * size * SECONDS_PER_BASS_ADOPTION * (rule.kind == "bass")
        )
    series = len(variants) * simulation.replicates * (steps + 1)
    # Every block's series are kept; one strategy's are copied when its blocks are merged.
    output = series * SERIES_BYTES * (1 + 1 / len(variants))
    output += series * FRAME_BYTES_PER_ROW if outputs else 0
    numba = NUMBA_BYTES if compiled else 0
    per_process = BASELINE_BYTES + numba + kept + plans + max(building, block_peak)
    total = per_process * workers + output
    build_seconds = edges * SECONDS_PER_BUILT_EDGE
    seconds = build_seconds + run_seconds / min(workers, max(blocks * len(variants), 1))

    parts = sorted(
        [
            ("town", (kept + building) * workers),
            ("block", block_peak * workers),
            ("outputs", output),
            ("schedules", plans * workers),
        ],
        key=lambda part: -part[1],
    )
    return Estimate(
        bytes=int(total),
        seconds=float(seconds),
        parts=tuple((name, int(b)) for name, b in parts),
        drivers=_drivers(scenario, parts, impressions_bytes, block_peak),
    )


def _drivers(
    scenario: cfg.Scenario,
    parts: list[tuple[str, float]],
    impressions_bytes: float,
    block_peak: float,
) -> tuple[str, ...]:
    """The dotted parameters to lower: those of the largest part of the memory, then the
    first of the second largest when it weighs a tenth of the total or more."""

    def of(part: str) -> list[str]:
        if part == "town":
            found = ["population.size"]
            heaviest = max(scenario.layers, key=lambda n: layer_edges(scenario, n))
            found += {
                "platform": [f"layers.{heaviest}.follows"],
                "market": [f"layers.{heaviest}.acquaintances"],
                "edge_list": [f"layers.{heaviest}.path"],
            }.get(scenario.layers[heaviest].kind, [])
            return found
        if part == "block":
            found = ["simulation.block_size", "population.size"]
            if scenario.channels and impressions_bytes > block_peak / 2:
                loads = {n: channel_load(scenario, c)[0] for n, c in scenario.channels.items()}
                loudest = max(loads, key=loads.__getitem__)
                # More impressions a step than people: the budget is what explodes.
                where = 0 if loads[loudest] > scenario.population.size else 1
                found.insert(where, f"channels.{loudest}.budget")
            return found
        if part == "schedules":  # a channel's events over a very long run
            return ["simulation.steps", "simulation.dt"]
        return ["simulation.replicates", "simulation.steps"]

    total = sum(size for _, size in parts)
    drivers = of(parts[0][0])
    if len(parts) > 1 and parts[1][1] >= total / 10:
        drivers += of(parts[1][0])[:1]
    return tuple(dict.fromkeys(drivers))


# --------------------------------------------------------------------------- check


def available_memory() -> int | None:
    """Bytes of memory this machine can give now: ``MemAvailable`` of ``/proc/meminfo``,
    else the free physical pages, else None (unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def _value(scenario: cfg.Scenario, path: str) -> str:
    node: object = scenario
    for key in path.split("."):
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    if isinstance(node, float) and node.is_integer():
        node = int(node)
    return f"{node:,}" if isinstance(node, int) else repr(node)


def check_size(
    scenario: cfg.Scenario,
    available: int | None = None,
    *,
    workers: int = 1,
    outputs: bool = True,
    origin: str | None = None,
) -> Estimate:
    """Refuse a scenario that needs more memory than the machine has free.

    Cheap: arithmetic on the parameters, nothing is allocated.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    available : int, optional
        Bytes free; default :func:`available_memory` (no check when it is unknown).
    workers, outputs
        As for :func:`estimate`.
    origin : str, optional
        Prefixed to the message (a file name).

    Returns
    -------
    Estimate
        For the caller to print before long runs (``estimate.long``).

    Raises
    ------
    ConfigError
        One line: the parameters that drive the estimate with their values, the memory
        needed and available, and what to lower.

    Examples
    --------
    >>> data = cfg.default_scenario().model_dump()
    >>> data["population"]["size"] = 50_000_000
    >>> check_size(cfg.validate_scenario(data), available=22 * 2**30)
    Traceback (most recent call last):
    ...
    simulator.errors.ConfigError: population.size = 50,000,000 and layers.facebook.follows = 100 need about ... GiB of memory, more than the 22 GiB available; lower population.size, layers.facebook.follows or simulation.block_size
    >>> check_size(cfg.default_scenario(), available=22 * 2**30).long
    False
    """
    found = estimate(scenario, workers=workers, outputs=outputs)
    if available is None:
        available = available_memory()
    if available is None or found.bytes <= available:
        return found
    named = found.drivers[:2]
    values = " and ".join(f"{path} = {_value(scenario, path)}" for path in named)
    lower = list(found.drivers[:3])
    if workers > 1:
        values += f" with {workers} workers"
        lower.append("--workers")
    advice = ", ".join(lower[:-1]) + f" or {lower[-1]}" if len(lower) > 1 else lower[0]
    prefix = f"{origin}: " if origin else ""
    raise ConfigError(
        f"{prefix}{values} need about {format_bytes(found.bytes)} of memory, more than the "
        f"{format_bytes(available)} available; lower {advice}"
    )
