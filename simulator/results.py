"""Frozen results with provenance: per-replicate arrays, time series and tables."""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator import metrics
from simulator.config import SOURCE_TYPES, Scenario
from simulator.errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

    from simulator.engine.run import PreparedStrategy

SERIES = ("aware", "adopters", "promoters", "detractors", "rejecters")

LIFECYCLE_SERIES = ("active_customers", "purchases", "margin", "cohort_active")
"""Per-step series of a run with ``lifecycle.enabled``: customers alive after each step
(column 0: before the first), purchases made in each step (column 0 is 0), the
margin of those purchases discounted to day 0 (float EUR; its sum over the steps is
``discounted_margin`` up to rounding), and the retention curve of the first month's
customers: those acquired by day 30 who are still active after each step."""

LIFECYCLE_TOTALS = (
    "customers",
    "trials",
    "trial_customers",
    "revenue",
    "discounted_margin",
    "margin_total",
    "cohort_customers",
    "cohort_retained",
    "won_back",
)
"""Per-replicate totals of a run with ``lifecycle.enabled``: customers ever, trials (free
samples that tipped an adoption), trials that became customers, revenue (price x
purchases, EUR), every purchase's margin discounted to day 0 (EUR) and undiscounted
(``margin_per_purchase`` x purchases, EUR); the retention
cohort, customers first counted in a series column of day <= 30 (``COHORT_DAYS`` of
:mod:`simulator.engine.lifecycle`), and those of them still active (not dropped out) in
the column of day 90 (``RETENTION_DAYS``), or the last column if the horizon is
shorter; and the times a lapsed customer was won back (``lifecycle.win_back``; not new
customers)."""

LIFECYCLE_SPLITS = tuple(
    f"{total}_by_{kind}"
    for kind in ("source", "channel")
    for total in ("customers", "revenue", "discounted_margin")
)
"""Totals of a run with ``lifecycle.enabled`` split by each customer's acquisition: by
``source`` (replicates, source types), the source type of the exposure that tipped her
adoption, in the order of :data:`simulator.config.SOURCE_TYPES`; by ``channel``
(replicates, channels + 1), the channel of that exposure, last column organic. Each split
adds up to its total (revenue and discounted margin exactly by source: the totals are
the sums of those splits)."""

RESPONSE_TOTALS = (
    "unspent",
    "positive_messages",
    "negative_messages",
    "passives",
    "messages_by_tie",
    "tipped_by_tie",
)
"""Per-replicate totals of a run with a response mechanism on (issue 14), each present only
when its mechanism is: ``unspent`` (replicates, channels), EUR a frequency cap left
unbought; ``positive_messages`` and ``negative_messages`` (replicates,), word-of-mouth
messages by valence; ``passives`` (replicates,), adopters who are passives;
``messages_by_tie`` and ``tipped_by_tie`` (replicates, tie kinds), word-of-mouth messages
and the adoptions they tipped by the :class:`simulator.town.network.Tie` kind they
travelled, in the enum's order."""


REPUTATION_TOTALS = (
    "reviews",
    "negative_reviews",
    "rating",
    "replies",
    "recovered",
    "complaints_to_customers",
    "page_followers",
    "page_views",
    "page_engagements",
    "page_shares",
    "page_share_views",
    "cue_purchases",
)
"""Per-replicate totals of a run with a reputation or page mechanism on (issue 15), present
only when it is: reviews posted, those with 1 or 2 stars, the final shrunk rating
(unrounded), replies made, complainers recovered by a reply, negative messages that
reached active customers (``reputation``); and, per channel (replicates, channels; zero
but for dynamic pages), followers at the end, post views, engagements, shares (every
generation) and views of shares (``social_page`` G5 fields); the extra visits of customers
who saw a post (``cue_purchases``, when a page's ``purchase_lift`` is on)."""


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class StrategyResult:
    """One strategy's replicates.

    Attributes
    ----------
    series : mapping of str to (replicates, steps + 1) int arrays
        ``aware`` (reach), ``adopters``, ``promoters``, ``detractors``, ``rejecters``.
    impressions, reach, cost : (replicates, channels) arrays
        Per channel: impressions delivered, unique people reached, EUR spent.
    by_source : (replicates, source types) int array
        Adoptions by the source type of the exposure that tipped them.
    by_channel : (replicates, channels + 1) int array
        Adoptions by the channel whose exposure tipped them; last column: organic
        (word of mouth between consumers, or the bass rule's background influence).
    direct : (replicates,) int array
        Adoptions tipped directly by a paid channel (not by a share or a friend).
    messages : (replicates,) int array
        Word-of-mouth messages sent between consumers (recommendations and complaints).
    lifecycle : mapping of str to arrays
        Empty unless ``lifecycle.enabled``; then the series :data:`LIFECYCLE_SERIES`
        (replicates, steps + 1), the totals :data:`LIFECYCLE_TOTALS` (replicates,) and
        their splits by acquisition source and channel, :data:`LIFECYCLE_SPLITS`.
    response : mapping of str to arrays
        Empty unless a response mechanism is on (``scenario.response``); then those of
        :data:`RESPONSE_TOTALS` that it produces.
    reputation : mapping of str to arrays
        Empty unless a reputation or page mechanism is on (issue 15); then those of
        :data:`REPUTATION_TOTALS` that it produces.
    """

    name: str
    channels: tuple[str, ...]
    series: Mapping[str, np.ndarray]
    impressions: np.ndarray
    reach: np.ndarray
    cost: np.ndarray
    by_source: np.ndarray
    by_channel: np.ndarray
    direct: np.ndarray
    messages: np.ndarray
    lifecycle: Mapping[str, np.ndarray] = field(default_factory=dict)
    response: Mapping[str, np.ndarray] = field(default_factory=dict)
    reputation: Mapping[str, np.ndarray] = field(default_factory=dict)

    @staticmethod
    def from_arrays(prepared: PreparedStrategy, arrays: Mapping[str, np.ndarray]) -> StrategyResult:
        return StrategyResult(
            name=prepared.name,
            channels=tuple(plan.name for plan in prepared.plans),
            series={name: _frozen(arrays[name]) for name in SERIES},
            **{
                key: _frozen(arrays[key])
                for key in (
                    "impressions",
                    "reach",
                    "cost",
                    "by_source",
                    "by_channel",
                    "direct",
                    "messages",
                )
            },
            lifecycle={
                key: _frozen(arrays[key])
                for key in LIFECYCLE_SERIES + LIFECYCLE_TOTALS + LIFECYCLE_SPLITS
                if key in arrays
            },
            response={key: _frozen(arrays[key]) for key in RESPONSE_TOTALS if key in arrays},
            reputation={key: _frozen(arrays[key]) for key in REPUTATION_TOTALS if key in arrays},
        )

    @property
    def replicates(self) -> int:
        return int(self.direct.size)


@dataclass(frozen=True)
class RunResult:
    """All strategies of one run, the scenario that produced them and its provenance."""

    scenario: Scenario
    strategies: tuple[StrategyResult, ...]
    days: np.ndarray
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def strategy(self, name: str) -> StrategyResult:
        for result in self.strategies:
            if result.name == name:
                return result
        raise ArgumentError(f"no strategy {name!r}; have {[s.name for s in self.strategies]}")

    def to_frame(self, kind: str = "summary") -> pd.DataFrame:
        """A table: ``summary`` (mean and 95 % interval per strategy), ``replicates``
        (one row per strategy and replicate) or ``series`` (one row per strategy,
        replicate and step).

        Examples
        --------
        >>> from simulator import simulate, default_scenario
        >>> s = default_scenario().model_copy(update={"simulation": __import__(
        ...     "simulator.config").config.Simulation(steps=5, replicates=2, block_size=2)})
        >>> simulate(s).to_frame("series").shape[0]  # 6 strategies x 2 replicates x 6
        72
        """
        import pandas as pd  # heavy: only tables need it, not the simulation

        if kind == "summary":
            return metrics.summarize(self)
        if kind == "replicates":
            return metrics.replicate_table(self)
        if kind == "series":
            frames = []
            for result in self.strategies:
                replicates, steps = result.series["adopters"].shape
                frame = pd.DataFrame(
                    {
                        "strategy": result.name,
                        "replicate": np.repeat(np.arange(replicates), steps),
                        "step": np.tile(np.arange(steps), replicates),
                        "day": np.tile(self.days, replicates),
                    }
                )
                for name in SERIES:
                    frame[name] = result.series[name].ravel()
                for name in LIFECYCLE_SERIES:
                    if name in result.lifecycle:
                        frame[name] = result.lifecycle[name].ravel()
                frames.append(frame)
            return pd.concat(frames, ignore_index=True)
        raise ArgumentError(f"kind must be one of 'summary', 'replicates', 'series'; got {kind!r}")


def versions() -> dict[str, str]:
    """Versions of Python, the platform and the packages that shape results."""
    found = {"python": sys.version.split()[0], "platform": platform.platform()}
    for package in ("wom-simulator", "numpy", "scipy", "networkx", "pydantic", "pandas"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def provenance(
    scenario: Scenario, prepared: list[PreparedStrategy], timings: Mapping[str, float]
) -> dict[str, Any]:
    """What is needed to regenerate a run: seed, versions, network figures, timings."""
    first = prepared[0]
    layers = {
        layer.name: {
            "kind": layer.config.kind,
            "edges": layer.edges,
            "mean_out_degree": round(float(layer.out_degree().mean()), 3),
        }
        for layer in first.network.layers
    }
    return {
        "seed": scenario.simulation.seed,
        "replicates": scenario.simulation.replicates,
        "block_size": scenario.simulation.block_size,
        "source_types": list(SOURCE_TYPES),
        "versions": versions(),
        "network": layers,
        "timings": {k: round(v, 4) for k, v in timings.items()},
    }


def write_manifest(path: Path, result: RunResult, extra: Mapping[str, Any]) -> None:
    """Write ``manifest.json`` (provenance plus ``extra``), the mark of a complete output."""
    data = {**result.provenance, **extra}
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
