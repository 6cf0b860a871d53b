"""The attribution lab: attribution rules scored against what the simulator knows is true.

:func:`attribute` runs one strategy with every subset of its channels switched on (common
random numbers: the same town, seed and streams, so a difference between two subsets is
the channels', not noise), records the touchpoint paths and the referral tree of the full
strategy (:mod:`simulator.engine.touches`), credits its conversions with the rules of
:mod:`simulator.metrics.attribution`, and scores each rule against the Shapley value of
each channel (:mod:`simulator.metrics.attribution_scores`).

A conversion is an adoption (the engine's first adoption: a purchase, or a free sample's
trial). A rule sees touches labelled by channel, or *word of mouth* for a message from a
friend or follower; a page's share is the page's touch. The truth has no word-of-mouth
player (word of mouth cannot be switched off without changing the product): what rules
give to word of mouth or to no touch is compared with the conversions that happen with
every channel off, the *organic* column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator import config as cfg
from simulator.engine import run as engine
from simulator.engine.trace import village
from simulator.errors import ArgumentError
from simulator.metrics import attribution as rules
from simulator.metrics.attribution_scores import score_table, verdict
from simulator.metrics.referral_tree import wom_metrics
from simulator.streams import stream

DEPTH = 16
"""Touches kept per person [assumption]: enough for the bakery's paths (a median of a few
touches before converting), 13 bytes each per person and replicate."""

EXACT_UP_TO = 6
"""Channels up to which Shapley values use all 2^k subsets (issue 17); above, sampled."""

PERMUTATIONS = 32
"""Random orders of the channels for sampled Shapley values above :data:`EXACT_UP_TO`
channels [assumption: Castro et al. 2009 report errors of a few percent with tens of
orders; each order costs at most k runs, shared between orders]."""

ORGANIC = "organic"
WORD_OF_MOUTH = "word of mouth"


@dataclass(frozen=True)
class Attribution:
    """What :func:`attribute` measured for one strategy.

    Attributes
    ----------
    scenario : Scenario
        The scenario, with the studied strategy's overrides applied.
    strategy : str
    channels : tuple of str
        The strategy's channels; the columns of the tables are these, then ``organic``.
    table : DataFrame
        Per rule and column, credited conversions, true incremental (Shapley) conversions,
        the removal effect and the error, each with a 95 % interval over replicates
        (:func:`simulator.metrics.attribution_scores.score_table`).
    verdict : DataFrame
        Per rule, the share of conversions misplaced and its worst channel
        (:func:`simulator.metrics.attribution_scores.verdict`).
    wom : DataFrame
        Viral coefficient, depth and generations of the referral tree
        (:func:`simulator.metrics.referral_tree.wom_metrics`).
    paths, referrals : DataFrame
        The ground truth: every kept touch of every touched person, and one row per
        customer (referrer, generation, what tipped her).
    coalitions : DataFrame
        Mean conversions with each subset of channels switched on (the runs behind the truth).
    shapley : str
        ``"exact"`` or ``"sampled"``.
    """

    scenario: cfg.Scenario
    strategy: str
    channels: tuple[str, ...]
    table: pd.DataFrame
    verdict: pd.DataFrame
    wom: pd.DataFrame
    paths: pd.DataFrame
    referrals: pd.DataFrame
    coalitions: pd.DataFrame
    shapley: str

    @property
    def replicates(self) -> int:
        return self.scenario.simulation.replicates


def _chosen(scenario: cfg.Scenario, strategy: str | None) -> cfg.Strategy:
    if strategy is None:
        return cfg.Strategy(name="all channels", channels=tuple(scenario.channels))
    names = [s.name for s in scenario.resolved_strategies()]
    for candidate in scenario.resolved_strategies():
        if candidate.name == strategy:
            return candidate
    raise ArgumentError(
        f"strategy must be one of the scenario's strategies {names} or None (every channel); "
        f"got {strategy!r}"
    )


def check_options(
    scenario: cfg.Scenario, strategy: str | None, depth: int, permutations: int
) -> cfg.Strategy:
    """The strategy to study, after checking every option (one line per problem)."""
    if isinstance(depth, bool) or not isinstance(depth, int | np.integer) or not 1 <= depth <= 1000:
        raise ArgumentError(f"depth must be a whole number from 1 to 1000; got {depth!r}")
    if (
        isinstance(permutations, bool)
        or not isinstance(permutations, int | np.integer)
        or not 1 <= permutations <= 10_000
    ):
        raise ArgumentError(
            f"permutations must be a whole number from 1 to 10000; got {permutations!r}"
        )
    chosen = _chosen(scenario, strategy)
    if not chosen.channels:
        raise ArgumentError(
            f"strategy {chosen.name!r} runs no channel: attribution needs at least one"
        )
    return chosen


def attribute(
    scenario: cfg.Scenario,
    strategy: str | None = None,
    *,
    depth: int = DEPTH,
    permutations: int = PERMUTATIONS,
    graphs: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Attribution:
    """Score attribution rules against the true incremental conversions of each channel.

    Parameters
    ----------
    scenario : Scenario
    strategy : str, optional
        The strategy to study; by default one running every channel of the scenario.
    depth : int
        Touches kept per person (the last ones), :data:`DEPTH` by default.
    permutations : int
        Random channel orders for sampled Shapley values (more than :data:`EXACT_UP_TO`
        channels only).
    graphs : mapping, optional
        Graphs for ``graph`` layers, as for :func:`simulator.engine.run.simulate`.
    progress : callable, optional
        Called with (runs done, runs in all).

    Examples
    --------
    >>> from simulator.config import default_scenario, set_path, validate_scenario
    >>> data = default_scenario().model_dump()
    >>> data["population"]["size"] = 500
    >>> data["simulation"].update(steps=20, replicates=2, block_size=2)
    >>> data["channels"] = {k: data["channels"][k] for k in ("free_samples", "newspaper")}
    >>> data["strategies"] = []
    >>> lab = attribute(validate_scenario(data))
    >>> lab.shapley, list(lab.channels), sorted(set(lab.table["rule"]))[:2]
    ('exact', ['free_samples', 'newspaper'], ['first_touch', 'last_touch'])
    """
    chosen = check_options(scenario, strategy, depth, permutations)
    channels = tuple(chosen.channels)
    k = len(channels)
    masks, orders = _coalitions(scenario.simulation.seed, k, permutations)
    full = (1 << k) - 1
    subsets = [
        cfg.Strategy(
            name=f"coalition {mask}",
            channels=tuple(c for i, c in enumerate(channels) if mask >> i & 1),
            set=chosen.set,
        )
        for mask in masks
    ]
    prepared = engine.prepare(
        scenario.model_copy(update={"strategies": tuple(subsets)}), graphs=graphs
    )
    sizes = engine.block_sizes(scenario.simulation.replicates, scenario.simulation.block_size)
    values: dict[int, np.ndarray] = {}
    recorded: list[dict[str, np.ndarray]] = []
    done, total = 0, len(prepared) * len(sizes)
    for mask, strategy_run in zip(masks, prepared, strict=True):
        finals = []
        for block, replicates in enumerate(sizes):
            out = engine.run_block(
                strategy_run, block, replicates, record=depth if mask == full else 0
            )
            finals.append(out["adopters"][:, -1].astype(np.float64))
            if mask == full:
                out["journey_replicate"] = out["journey_replicate"] + sum(sizes[:block])
                out["path_replicate"] = out["path_replicate"] + sum(sizes[:block])
                recorded.append(out)
            done += 1
            if progress is not None:
                progress(done, total)
        values[mask] = np.concatenate(finals)
    resolved = prepared[masks.index(full)].scenario
    return _measure(resolved, chosen.name, channels, values, recorded, orders, depth)


def _coalitions(seed: int, k: int, permutations: int) -> tuple[list[int], np.ndarray | None]:
    """The subsets of channels to run, and the sampled orders (None when exact)."""
    full = (1 << k) - 1
    if k <= EXACT_UP_TO:
        return list(range(1 << k)), None
    rng = stream(seed, "attribution/orders")
    orders = np.stack([rng.permutation(k) for _ in range(permutations)])
    needed = {0, full, *(full ^ (1 << c) for c in range(k))}
    for order in orders:
        mask = 0
        for player in order:
            mask |= 1 << int(player)
            needed.add(mask)
    return sorted(needed), orders


def _shapley(values: dict[int, np.ndarray], k: int, orders: np.ndarray | None) -> np.ndarray:
    """Per-replicate Shapley value of each channel, ``(replicates, k)``."""
    if orders is None:
        return rules.exact_shapley(np.stack([values[m] for m in range(1 << k)])).T
    total = np.zeros((k, values[0].size))
    for order in orders:
        mask, before = 0, values[0]
        for player in order:
            mask |= 1 << int(player)
            total[int(player)] += values[mask] - before
            before = values[mask]
    return (total / len(orders)).T


def _measure(
    scenario: cfg.Scenario,
    strategy: str,
    channels: tuple[str, ...],
    values: dict[int, np.ndarray],
    recorded: list[dict[str, np.ndarray]],
    orders: np.ndarray | None,
    depth: int,
) -> Attribution:
    k = len(channels)
    full = (1 << k) - 1
    replicates = values[full].size
    merged = {key: np.concatenate([out[key] for out in recorded]) for key in recorded[0]}
    paths = _paths(merged, k, replicates, depth)
    columns = [*channels, ORGANIC]
    credits = {}
    for rule in rules.RULES:
        raw = rules.credit(paths, rule, step_days=scenario.simulation.step_days)
        credits[rule] = np.column_stack([raw[:, :k], raw[:, k:].sum(axis=1)])
    truth = np.column_stack([_shapley(values, k, orders), values[0]])
    removal = np.column_stack([values[full] - values[full ^ (1 << c)] for c in range(k)])
    table = score_table(credits, truth, removal, columns)
    conversions = float(values[full].mean())
    converted = merged["journey_converted_at"] >= 0
    wom = wom_metrics(
        merged["journey_replicate"][converted].astype(np.int64),
        merged["journey_generation"][converted].astype(np.int64),
        merged["journey_referrer"][converted].astype(np.int64),
        replicates,
    )
    coalitions = pd.DataFrame(
        {
            "channels": [
                " + ".join(c for i, c in enumerate(channels) if m >> i & 1) for m in values
            ],
            "size": [bin(m).count("1") for m in values],
            "conversions": [float(v.mean()) for v in values.values()],
        }
    ).sort_values(["size", "channels"], kind="stable", ignore_index=True)
    return Attribution(
        scenario=scenario,
        strategy=strategy,
        channels=channels,
        table=table,
        verdict=verdict(table, conversions),
        wom=wom,
        paths=_path_frame(merged, scenario, channels, depth),
        referrals=referral_frame(merged, scenario, channels),
        coalitions=coalitions,
        shapley="exact" if orders is None else "sampled",
    )


def _paths(merged: dict[str, np.ndarray], k: int, replicates: int, depth: int) -> rules.Paths:
    """The recorded touches as the rules see them: channels, then word of mouth (player k)."""
    kept = np.minimum(merged["journey_touches"], depth)
    channel = merged["path_channel"].astype(np.int64)
    return rules.Paths(
        journey=np.repeat(np.arange(kept.size), kept),
        player=np.where(channel >= 0, channel, k),
        step=merged["path_step"].astype(np.int64),
        replicate=merged["journey_replicate"].astype(np.int64),
        converted=merged["journey_converted_at"] >= 0,
        conversion_step=merged["journey_converted_at"].astype(np.int64),
        players=k + 1,
        replicates=replicates,
    )


def _names(codes: np.ndarray, names: list[str], missing: str) -> pd.Categorical:
    labels = [*names, missing]
    return pd.Categorical.from_codes(np.where(codes >= 0, codes, len(names)), categories=labels)


def _path_frame(
    merged: dict[str, np.ndarray], scenario: cfg.Scenario, channels: tuple[str, ...], depth: int
) -> pd.DataFrame:
    kept = np.minimum(merged["journey_touches"], depth)
    converted = np.repeat(merged["journey_converted_at"] >= 0, kept)
    return pd.DataFrame(
        {
            "replicate": merged["path_replicate"],
            "person": merged["path_person"],
            "position": merged["path_position"],
            "channel": _names(merged["path_channel"], list(channels), WORD_OF_MOUTH),
            "source": pd.Categorical.from_codes(merged["path_source"], categories=cfg.SOURCE_TYPES),
            "step": merged["path_step"],
            "day": merged["path_step"] * scenario.simulation.step_days,
            "sender": merged["path_sender"],
            "valence": merged["path_valence"],
            "layer": _names(merged["path_layer"], list(scenario.layers), "none"),
            "converted": converted,
        }
    )


def referral_frame(
    merged: Mapping[str, np.ndarray], scenario: cfg.Scenario, channels: tuple[str, ...]
) -> pd.DataFrame:
    """One row per customer: step and day of adoption, what tipped her, referrer, generation."""
    converted = merged["journey_converted_at"] >= 0
    pick = {
        key: merged[f"journey_{key}"][converted]
        for key in (
            "replicate",
            "person",
            "converted_at",
            "channel",
            "source",
            "layer",
            "referrer",
            "generation",
            "touches",
        )
    }
    background = cfg.SOURCE_TYPES.index("background")
    source = pick["source"].astype(np.int64)
    tipped = np.where(
        pick["channel"] >= 0, pick["channel"], np.where(source == background, -1, len(channels))
    )
    return pd.DataFrame(
        {
            "replicate": pick["replicate"],
            "customer": pick["person"],
            "referrer": pick["referrer"],
            "step": pick["converted_at"],
            "day": pick["converted_at"] * scenario.simulation.step_days,
            "channel": _names(tipped, [*channels, WORD_OF_MOUTH], "background"),
            "source": pd.Categorical.from_codes(source, categories=cfg.SOURCE_TYPES),
            "layer": _names(pick["layer"], list(scenario.layers), "none"),
            "generation": pick["generation"],
            "touches": pick["touches"],
        }
    )


def village_referrals(
    scenario: cfg.Scenario, strategy: str | None = None, *, size: int = 300
) -> pd.DataFrame:
    """The referral tree of one replicate of the strategy in a village of ``size`` people
    (:func:`simulator.engine.trace.village`), for drawing."""
    chosen = _chosen(scenario, strategy)
    if strategy is None:
        scenario = scenario.model_copy(update={"strategies": (chosen,)})
    small = village(scenario, chosen.name, size=size)
    (prepared,) = engine.prepare(small)
    out = engine.run_block(prepared, 0, 1, record=1)
    return referral_frame(out, prepared.scenario, tuple(p.name for p in prepared.plans))


def shapley_summary(attribution: Attribution) -> pd.DataFrame:
    """The truth alone: per column, Shapley and removal effect with intervals."""
    first = attribution.table[attribution.table["rule"] == attribution.table["rule"].iloc[0]]
    return first[
        [
            "channel",
            "truth",
            "truth_low",
            "truth_high",
            "removal_effect",
            "removal_effect_low",
            "removal_effect_high",
        ]
    ].reset_index(drop=True)
