"""The scenario: the run's settings, the town's population, the strategies to compare."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from simulator.config.base import Array, Name, Parameters, Probability
from simulator.config.behaviour import Product, Trust, WordOfMouth
from simulator.config.channels import Channel
from simulator.config.layers import Layer
from simulator.config.lifecycle import Lifecycle
from simulator.config.messages import config_error
from simulator.config.paths import set_dotted
from simulator.config.question import Question
from simulator.config.reputation import Reputation
from simulator.config.response import Response
from simulator.config.rules import Adoption, IndependentRule

MEDIA: tuple[str, ...] = ("newspaper", "tv", "radio", "banner")
"""Media a segment can use besides the platform layers (``population.segments.*.media``).

Newspapers read ``Newspaper.medium`` and advertising ``Advertising.medium`` from it; each
platform layer's members are drawn from the entry named after the layer.
"""

MODEL_SECTIONS = frozenset(
    {
        "simulation",
        "population",
        "trust",
        "word_of_mouth",
        "product",
        "adoption",
        "lifecycle",
        "response",
        "reputation",
    }
)
"""Top-level tables that are one model each: ``--set`` creates them when a file omits them."""


class Simulation(Parameters):
    steps: int = Field(
        365,
        ge=1,
        le=1_000_000,
        description="number of time steps (default 365 days: a year, so that repeat purchases "
        "and drop-out show after a three-month campaign) [assumption]",
    )
    dt: float = Field(
        1.0,
        gt=0.0,
        le=1000.0,
        description="length of one step, in time_unit (default one day) [assumption]",
    )
    time_unit: Literal["day", "week", "month", "year"] = Field(
        "day", description="unit of dt (the bass rule's p and q stay per year)"
    )
    replicates: int = Field(40, ge=1, le=1_000_000, description="replicates per strategy")
    block_size: int = Field(
        50,
        ge=1,
        le=100_000,
        description="replicates simulated together; each block has its own random streams, "
        "so results do not depend on how blocks are scheduled",
    )
    seed: int = Field(2026, ge=0, description="one seed fixes every output")
    stop_when_quiet: bool = Field(
        False,
        description="end a block early once nobody talks and no channel acts again (the "
        "rest of the series repeats the final values); for cascades",
    )

    @property
    def step_days(self) -> float:
        """Length of one step in days."""
        return (
            self.dt
            * {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}[self.time_unit]
        )


class Segment(Parameters):
    name: Name = Field(description="segment name, e.g. young / adult / senior")
    share: float = Field(
        gt=0.0,
        le=1.0,
        description="share of the population (default scenario: young 0.3, adult 0.45, "
        "senior 0.25) [assumption]",
    )
    interest_alpha: float = Field(
        2.0, gt=0.0, description="Beta(alpha, beta) interest in the category [assumption]"
    )
    interest_beta: float = Field(3.0, gt=0.0, description="see interest_alpha [assumption]")
    interest: Probability | None = Field(
        None, description="one fixed interest for everyone in the segment, instead of Beta"
    )
    media: dict[str, Probability] = Field(
        default_factory=dict,
        description="probability of using each medium or platform (newspaper, tv, radio, "
        "banner, and one entry per platform layer; other names are errors) [assumption]",
    )


INTEREST_CORRELATION = 0.3
"""Default ``population.interest_correlation`` [assumption: MODEL-REVIEW G3's rho_int, 2026;
homophily as such, McPherson, Smith-Lovin & Cook 2001; the value is not measured data]."""


class Population(Parameters):
    size: int = Field(
        5000,
        ge=1,
        le=50_000_000,
        description="number of consumers (default 5,000: a small town) [assumption]",
    )
    segments: Annotated[tuple[Segment, ...], Array] = Field(
        min_length=1, description="consumer segments"
    )
    threshold_alpha: float = Field(
        1.0,
        gt=0.0,
        description="Beta(alpha, beta) adoption thresholds; (1, 1) is uniform, "
        "as in the linear threshold model (Kempe et al. 2003)",
    )
    threshold_beta: float = Field(
        1.0, gt=0.0, description="see threshold_alpha (Kempe et al. 2003)"
    )
    interest_correlation: float = Field(
        INTEREST_CORRELATION,
        ge=0.0,
        lt=1.0,
        description="homophily of interest: the correlation of interest in the category "
        "across the market layer's ties, met by construction (0: interests independent, "
        "the model before 2026-12; no effect without a market layer or a Beta interest) "
        "[MODEL-REVIEW G3 rho_int 0.3; homophily, McPherson, Smith-Lovin & Cook 2001; "
        "the value itself is an assumption]",
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Population:
        total = sum(s.share for s in self.segments)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"segment shares must sum to 1, got {total:.6g}")
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"segment names must be unique, got {names}")
        return self

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)


class Strategy(Parameters):
    name: Name = Field(description="label in tables and figures")
    channels: Annotated[tuple[str, ...], Array] = Field(
        (), description="names of the scenario's channels this strategy runs"
    )
    set: dict[str, Any] = Field(
        default_factory=dict,
        description="dotted-path overrides of the scenario for this strategy",
    )


class Scenario(Parameters):
    """A whole experiment: the town, its networks, the channels and the strategies to compare."""

    title: str = Field("Scenario", description="what the experiment asks")
    simulation: Simulation = Field(default_factory=Simulation)
    population: Population
    layers: dict[str, Layer] = Field(min_length=1, description="network layers by name")
    trust: Trust = Field(default_factory=Trust)
    word_of_mouth: WordOfMouth = Field(default_factory=WordOfMouth)
    product: Product = Field(default_factory=Product)
    adoption: Adoption = Field(default_factory=IndependentRule)
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    response: Response = Field(
        default_factory=Response,
        description="realistic advertising and word-of-mouth response (issue 14; off by "
        "default, see simulator.config.response.REALISTIC)",
    )
    reputation: Reputation = Field(
        default_factory=Reputation,
        description="reviews, a shown rating, complaints that cost customers, replies (issue "
        "15; off by default, see simulator.config.reputation.REALISTIC_REPUTATION)",
    )
    channels: dict[str, Channel] = Field(default_factory=dict, description="channels by name")
    strategies: Annotated[tuple[Strategy, ...], Array] = Field(
        default=(), description="strategies to compare; none means one with every channel"
    )
    question: Question | None = Field(
        None,
        description="what the experiment asks and the paired comparison that answers it; "
        "the report's first box states the answer (none: the best strategy is reported)",
    )

    @model_validator(mode="after")
    def _references_exist(self) -> Scenario:
        # In this order: the first problem found is the one reported.
        self._check_names()
        self._check_media()
        self._check_channels()
        self._check_strategies()
        self._check_valence_mix()
        self._check_question()
        return self

    def _check_question(self) -> None:
        # The scenarios made from one strategy (each strategy's own, the animated village)
        # keep the question; only a comparison of two or more strategies is checked.
        if self.question is None or len(self.strategies) < 2:
            return
        names = [strategy.name for strategy in self.resolved_strategies()]
        for field in ("strategy", "against"):
            name = getattr(self.question, field)
            if name not in names:
                raise ValueError(f"question.{field}: unknown strategy '{name}'; allowed: {names}")

    def _check_valence_mix(self) -> None:
        passives = self.response.word_of_mouth.passive_share
        if self.response.enabled and self.product.quality + passives > 1.0 + 1e-9:
            raise ValueError(
                "product.quality (promoters) + response.word_of_mouth.passive_share must be at "
                f"most 1 (the rest are detractors); got {self.product.quality:g} + {passives:g}"
            )

    def _platforms(self) -> set[str]:
        return {n for n, layer in self.layers.items() if layer.kind == "platform"}

    def _check_names(self) -> None:
        for table, names in (("layers", self.layers), ("channels", self.channels)):
            for name in names:
                if not name.strip() or "." in name:
                    raise ValueError(
                        f"{table}: names must be non-empty and without dots (a dotted path "
                        f"could not reach them), got {name!r}"
                    )

    def _check_media(self) -> None:
        media = sorted({*MEDIA, *self._platforms()})
        for i, seg in enumerate(self.population.segments):
            for medium in seg.media:
                if medium not in media:
                    raise ValueError(
                        f"population.segments.{i}.media.{medium}: unknown medium '{medium}'; "
                        f"allowed: {media} (the built-in media and the platform layers)"
                    )
        for name in self._platforms():
            for i, seg in enumerate(self.population.segments):
                if name not in seg.media:
                    raise ValueError(
                        f"population.segments.{i}.media needs an entry for platform layer "
                        f"'{name}' (probability of being a member)"
                    )

    def _check_channels(self) -> None:
        segment_names = set(self.population.segment_names)
        platforms = self._platforms()
        media = sorted({*MEDIA, *platforms})
        for name, channel in self.channels.items():
            for segment in getattr(channel, "target_segments", ()):
                if segment not in segment_names:
                    raise ValueError(
                        f"channels.{name}.target_segments: unknown segment '{segment}'; "
                        f"allowed: {sorted(segment_names)}"
                    )
            if channel.kind == "newspaper" and channel.medium not in media:
                raise ValueError(
                    f"channels.{name}.medium: unknown medium '{channel.medium}'; "
                    f"allowed: {media} (got {channel.medium!r})"
                )
            platform = getattr(channel, "platform", None)
            if platform is not None and platform not in platforms:
                raise ValueError(
                    f"channels.{name}.platform: '{platform}' is not a platform layer; "
                    f"allowed: {sorted(platforms)}"
                )
            if channel.kind == "seeding" and channel.hub_premium > 0 and channel.strategy != "imm":
                raise ValueError(
                    f"channels.{name}.hub_premium needs strategy 'imm' (got hub_premium "
                    f"{channel.hub_premium:g} with strategy {channel.strategy!r})"
                )
            if channel.kind == "seeding" and channel.strategy == "given":
                outside = [p for p in channel.people if not 0 <= p < self.population.size]
                if not channel.people or outside:
                    raise ValueError(
                        f"channels.{name}.people must list seed ids in 0..{self.population.size - 1} "
                        f"for strategy 'given', got {list(channel.people)}"
                    )
            if channel.kind == "influencer" and channel.page is not None:
                page = self.channels.get(channel.page)
                if page is None or page.kind != "social_page":
                    pages = sorted(n for n, c in self.channels.items() if c.kind == "social_page")
                    raise ValueError(
                        f"channels.{name}.page must name a social_page channel; allowed: "
                        f"{pages} (got {channel.page!r})"
                    )
            if channel.end_day <= channel.start_day:
                raise ValueError(
                    f"channels.{name}.end_day must be after start_day "
                    f"(got end_day {channel.end_day:g}, start_day {channel.start_day:g})"
                )

    def _check_strategies(self) -> None:
        strategy_names = [s.name for s in self.strategies]
        if len(set(strategy_names)) != len(strategy_names):
            raise ValueError(f"strategy names must be unique, got {strategy_names}")
        for i, strategy in enumerate(self.strategies):
            for channel_name in strategy.channels:
                if channel_name not in self.channels:
                    raise ValueError(
                        f"strategies.{i}.channels: unknown channel '{channel_name}'; "
                        f"allowed: {sorted(self.channels)}"
                    )
            if len(set(strategy.channels)) != len(strategy.channels):
                raise ValueError(
                    f"strategies.{i}.channels: each channel may be listed once, "
                    f"got {list(strategy.channels)}"
                )

    def resolved_strategies(self) -> tuple[Strategy, ...]:
        """The strategies to run (one running every channel when none are given)."""
        if self.strategies:
            return self.strategies
        return (Strategy(name="all channels", channels=tuple(self.channels)),)

    def for_strategy(self, strategy: Strategy, *, origin: str | None = None) -> Scenario:
        """This scenario with the strategy's overrides applied and only its channels.

        Parameters
        ----------
        strategy : Strategy
            One of :meth:`resolved_strategies`.
        origin : str, optional
            Where the scenario came from (a file name), prefixed to error messages.

        Raises
        ------
        ConfigError
            When the strategy's ``set`` names no parameter or gives an invalid value; the
            message names the strategy.
        """
        where = f"strategy '{strategy.name}'"
        if origin is not None:
            where = f"{origin}: {where}"
        data = self.model_dump(mode="json")  # lists, not tuples: overrides reach segments
        data["channels"] = {n: data["channels"][n] for n in strategy.channels}
        data["strategies"] = []
        for path, value in strategy.set.items():
            set_dotted(
                data,
                path,
                value,
                origin=f"{where} set",
                fields=Scenario.model_fields,
                sections=MODEL_SECTIONS,
            )
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise config_error(exc, origin=where) from None
