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

from simulator import config as cfg
from simulator.engine import lifecycle
from simulator.engine.workload import (
    channel_load,
    layer_edges,
    market_edges_drawn,
    schedule_events,
    word_of_mouth_load,
)
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

INFLUENCE_BYTES_PER_EDGE = 80
"""The reduced multiplex of celf and imm seeding (:mod:`simulator.engine.seed_choice`):
sources, targets, probabilities and their sort order (int64 and float64), and IMM's
transposed copy (three more arrays). Counted from the code, not measured; IMM's
reverse-reachable sets come on top (about 8 bytes per member drawn)."""

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

RESPONSE_BYTES_PER_PERSON = 5
"""Talk response per person and replicate: messages heard (int32), passive (bool)."""

ATTITUDE_BYTES_PER_PERSON = 8
"""Attitudes (issue 15), when on: the value (float32) and the step it is at (int32)."""

AD_STOCK_BYTES_PER_PERSON = 16
"""One paid channel's ad stock per person and replicate: stock (float32), last exposure
(int32) and the frequency cap's window counts (engine/adstock.py)."""

AD_STOCK_KINDS = ("social_ads", "newspaper", "advertising")
"""Channel kinds whose media keep an ad stock when the response is on."""
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

PARALLEL_ABOVE_SECONDS = 1.5
"""Estimated simulating time above which ``--workers auto`` shares the blocks among the
CPUs: a helper process costs about a second to start (imports and its own town), so
shorter runs stay in one process."""


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
        if channel.kind == "seeding" and channel.strategy in ("celf", "imm"):
            # CELF keeps one bool per edge and per person for each live-edge sample
            worlds = channel.samples * (edges + size) if channel.strategy == "celf" else 0
            peak = max(peak, kept + INFLUENCE_BYTES_PER_EDGE * edges + worlds)
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
    >>> estimate(cfg.default_scenario()).describe()  # measured: 243 MiB resident (wom run, report included)
    'about 170 MiB of memory and 3 s'
    >>> data = cfg.default_scenario().model_dump()
    >>> data["population"]["size"] = 50_000_000
    >>> big = estimate(cfg.validate_scenario(data))
    >>> big.bytes > 30 * 2**30, big.drivers[0]  # a year of customers: the block dominates
    (True, 'simulation.block_size')
    """
    # About 100 lines, most of them the docstring's parameters and one sum per part of
    # memory and time, each beside the constant it uses: split, the parts lose that view.
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
        if variant.lifecycle.enabled:
            per_person += lifecycle.BYTES_PER_PERSON
            if variant.lifecycle.referred_margin_uplift > 0:
                per_person += lifecycle.UPLIFT_BYTES_PER_PERSON
        if variant.reputation.attitudes.enabled:  # value (float32) and step (int32)
            per_person += ATTITUDE_BYTES_PER_PERSON
        told = 0.0  # the response's per-edge memory of who told whom, per replicate
        if variant.response.enabled:
            paid = sum(c.kind in AD_STOCK_KINDS for c in variant.channels.values())
            per_person += RESPONSE_BYTES_PER_PERSON + AD_STOCK_BYTES_PER_PERSON * paid
            if variant.response.word_of_mouth.repeat_sender < 1:
                told = edges / max(len(towns), 1) * block / 8  # one bit each
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
        block_peak = max(
            block_peak, block * size * per_person + told + step_impressions + step_messages
        )
        plans += channels * (4 * size + 16 * steps)  # audience (int32) and schedule
        plans += sum(16 * schedule_events(variant, c) for c in variant.channels.values())
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
    simulator.errors.ConfigError: simulation.block_size = 50 and population.size = 50,000,000 need about ... GiB of memory, more than the 22 GiB available; lower simulation.block_size or population.size
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


def auto_workers(scenario: cfg.Scenario, cpus: int) -> int:
    """Workers for ``--workers auto``: 1 for a short run, else one per CPU up to the tasks.

    Results do not depend on the number of workers, only the time does.

    Examples
    --------
    >>> auto_workers(cfg.default_scenario(), cpus=2)  # 6 strategies, a block each
    2
    >>> small = cfg.default_scenario().model_dump(mode="json")
    >>> small["population"]["size"] = 500
    >>> auto_workers(cfg.validate_scenario(small), cpus=2)
    1
    """
    if cpus <= 1 or estimate(scenario, outputs=False).seconds < PARALLEL_ABOVE_SECONDS:
        return 1
    simulation = scenario.simulation
    blocks = math.ceil(simulation.replicates / simulation.block_size)
    return max(1, min(cpus, blocks * len(scenario.resolved_strategies())))
