"""How figures look: one colour per channel kind and per source type, strategy styles, layout.

Colours are Okabe-Ito based (distinguishable with the common colour-vision deficiencies)
and keyed by what the configuration defines: :data:`SOURCE_COLORS` has one colour per
entry of :data:`simulator.config.SOURCE_TYPES`, and :data:`CHANNEL_COLORS` gives each
channel kind of :data:`simulator.config.Channel` the colour of the source type its
messages carry (advertising by medium, social ads by platform), so a channel and the
adoptions it tips share a colour in every figure and every experiment.
"""

from __future__ import annotations

import functools
import typing
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from simulator import config as cfg
from simulator.config import SOURCE_TYPES
from simulator.engine.trace import STATE_KEYS, STATES
from simulator.results import RunResult
from simulator.views.i18n import separators, term

__all__ = [
    "CHANNEL_COLORS",
    "FONT",
    "LAYER_COLORS",
    "OTHER_PLATFORM_COLOR",
    "PALETTE",
    "PLATFORM_COLORS",
    "SOURCE_COLORS",
    "STATE_COLORS",
    "SYMBOLS",
    "StrategyStyle",
    "channel_color",
    "channel_key",
    "figure_layout",
    "rgba",
    "strategy_spec",
    "strategy_styles",
]

PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#6A3D9A",
    "#A6761D",
    "#333333",
    "#F0E442",
)
"""Colours by position, for strategies that channels alone do not tell apart."""

SOURCE_COLORS: dict[str, str] = dict(
    zip(
        SOURCE_TYPES,
        (
            "#009E73",  # word_of_mouth: greens for people talking
            "#7FD8BE",  # online_opinion
            "#6A3D9A",  # branded_content
            "#88CCEE",  # editorial
            "#D55E00",  # tv_ad
            "#A6761D",  # newspaper_ad
            "#999933",  # magazine_ad
            "#E69F00",  # radio_ad
            "#0072B2",  # social_ad
            "#CC79A7",  # banner_ad
            "#00573F",  # free_sample
            "#BBBBBB",  # background
        ),
        strict=True,  # a new source type must get its colour here
    )
)
"""Colour of each source type (word of mouth in greens, paid media in their channel's)."""

PLATFORM_COLORS = {"facebook": SOURCE_COLORS["social_ad"], "instagram": "#C51B7D"}
"""Colour of each platform known by name: its ties, and the social ads shown on it."""

OTHER_PLATFORM_COLOR = "#56B4E9"
"""Colour of social ads on a platform without a colour of its own."""

LAYER_COLORS = {"market": "#9A9A9A", **PLATFORM_COLORS}
"""Colour of the ties of each layer (others get the palette)."""

STATE_COLORS = dict(
    zip(
        (STATE_KEYS[state] for state in STATES),
        ("#D9D9D9", "#F0C808", "#555555", "#009E73", "#D55E00"),
        strict=True,  # unaware, aware, rejecter, promoter, detractor
    )
)
"""Colour of each person state in network pictures."""

SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "pentagon")

FONT = {"family": "Helvetica, Arial, sans-serif", "size": 14}


def _channel_colors() -> dict[str, str]:
    """One colour per channel kind of :data:`simulator.config.Channel` (advertising per
    medium, social ads per platform): the colour of the source type of its messages."""
    models = typing.get_args(typing.get_args(cfg.Channel)[0])  # Annotated[A | B | ..., Field]
    colors: dict[str, str] = {}
    for model in models:
        kind = model.model_fields["kind"].default
        if kind == "seeding":  # free samples buy conversations: word of mouth
            colors[kind] = SOURCE_COLORS["word_of_mouth"]
        elif kind == "advertising":
            for medium in typing.get_args(model.model_fields["medium"].annotation):
                colors[f"{kind}/{medium}"] = SOURCE_COLORS[model(medium=medium).resolved_source]
        elif kind == "social_ads":
            colors |= {f"{kind}/{name}": color for name, color in PLATFORM_COLORS.items()}
            colors[kind] = OTHER_PLATFORM_COLOR
        else:
            colors[kind] = SOURCE_COLORS[model.model_fields["source"].default]
    return colors


CHANNEL_COLORS = _channel_colors()
"""Colour of a strategy that buys one channel, by channel kind (and medium or platform):
``"seeding"``, ``"newspaper"``, ``"advertising/radio"``, ``"social_ads/facebook"``...

Examples
--------
>>> CHANNEL_COLORS["advertising/radio"] == SOURCE_COLORS["radio_ad"]
True
"""


@dataclass(frozen=True)
class StrategyStyle:
    """How a strategy is drawn: its group and item (for grouped names), label, colour."""

    name: str
    group: str | None
    item: str
    label: str
    color: str
    symbol: str


def strategy_spec(result: RunResult, name: str) -> cfg.Strategy:
    """The strategy named ``name`` among those the result ran."""
    return next(s for s in result.scenario.resolved_strategies() if s.name == name)


def channel_key(result: RunResult, strategy: str) -> str | None:
    """Key in :data:`CHANNEL_COLORS` of the one channel a strategy buys (None for zero or
    several).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=3, replicates=2)})
    >>> result = simulate(s)
    >>> [channel_key(result, strategy.name) for strategy in result.strategies][:3]
    ['seeding', 'newspaper', 'advertising/radio']
    """
    spec = strategy_spec(result, strategy)
    if len(spec.channels) != 1:
        return None
    name = spec.channels[0]
    channel: Any = result.scenario.channels[name]
    for path, value in spec.set.items():  # an override may change the medium or platform
        if path in (f"channels.{name}.medium", f"channels.{name}.platform"):
            channel = channel.model_copy(update={path.rsplit(".", 1)[1]: value})
    if channel.kind == "advertising":
        return f"advertising/{channel.medium}"
    if channel.kind == "social_ads":
        key = f"social_ads/{channel.platform}"
        return key if key in CHANNEL_COLORS else "social_ads"
    return str(channel.kind)


BASELINE_COLOR = "#999999"
"""A strategy that runs no channel (the walk-ins' baseline): grey in every figure."""


def strategy_styles(result: RunResult, lang: str = "en") -> list[StrategyStyle]:
    """One style per strategy, in the result's order.

    A strategy that buys one channel has that channel's colour (:data:`CHANNEL_COLORS`),
    the same in every figure and report; a second strategy on the same channel, and a
    strategy of several channels, take the palette colours no channel of the result uses. Grouped names (all of the form
    ``"group: item"``) share colours by item and symbols by group.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=3, replicates=2)})
    >>> [style.color for style in strategy_styles(simulate(s))][:2]
    ['#009E73', '#A6761D']
    """
    names = [s.name for s in result.strategies]
    grouped = len(names) > 1 and all(": " in n for n in names)
    parts: list[tuple[str | None, str]] = [
        (n.split(": ", 1)[0], n.split(": ", 1)[1]) if grouped else (None, n) for n in names
    ]
    items = list(dict.fromkeys(item for _, item in parts))
    groups = list(dict.fromkeys(group for group, _ in parts))
    keys: dict[str, str | None] = {}
    for name, (_, item) in zip(names, parts, strict=True):
        key = channel_key(result, name)
        if item in keys and keys[item] != key:
            key = None
        keys[item] = key
    # The first item buying a channel gets the channel's colour, in every chart and report;
    # the others (no single channel, or a channel already shown) the free palette colours.
    colors: dict[str, str] = {}
    for name, (_, item) in zip(names, parts, strict=True):
        if not strategy_spec(result, name).channels:  # the baseline: who buys anyway
            colors[item] = BASELINE_COLOR
    for item in items:
        key = keys[item]
        if item not in colors and key is not None and CHANNEL_COLORS[key] not in colors.values():
            colors[item] = CHANNEL_COLORS[key]
    taken = set(colors.values()) | {CHANNEL_COLORS[k] for k in keys.values() if k is not None}
    free = [color for color in PALETTE if color not in taken] or list(PALETTE)
    for item in items:
        if item not in colors:
            unused = [color for color in free if color not in colors.values()]
            colors[item] = unused[0] if unused else free[len(colors) % len(free)]
    return [
        StrategyStyle(
            name=name,
            group=group,
            item=item,
            label=term(name, lang),
            color=colors[item],
            symbol=SYMBOLS[groups.index(group) % len(SYMBOLS)],
        )
        for name, (group, item) in zip(names, parts, strict=True)
    ]


@functools.cache
def _template() -> go.layout.Template:
    """A light look (white, light grey grid); smaller and faster than plotly's templates."""
    axis = {
        "gridcolor": "#E5E5E5",
        "linecolor": "#BBBBBB",
        "zerolinecolor": "#CCCCCC",
        "ticks": "",
        "automargin": True,
        "title": {"standoff": 12},
    }
    return go.layout.Template(
        layout={
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": list(PALETTE),
            "xaxis": axis,
            "yaxis": axis,
            "hovermode": "closest",
        }
    )


def figure_layout(
    fig: go.Figure, title: str, note: str | None, lang: str, **layout: Any
) -> go.Figure:
    """Give ``fig`` the house look: title (and a note under it), font, separators of ``lang``.

    Examples
    --------
    >>> figure_layout(go.Figure(), "Adopters", "mean of 3 runs", "en").layout.title.text
    'Adopters<br><sup>mean of 3 runs</sup>'
    """
    subtitle = f"<br><sup>{note}</sup>" if note else ""
    fig.update_layout(
        title={"text": f"{title}{subtitle}", "x": 0.01, "xanchor": "left"},
        template=_template(),
        font=FONT,
        separators=separators(lang),
        hoverlabel={"namelength": -1},
        margin={"t": 90, "l": 80, "r": 30, "b": 70},
        **layout,
    )
    return fig


def rgba(color: str, alpha: float) -> str:
    """A ``#RRGGBB`` colour as a CSS ``rgba(...)`` with opacity ``alpha``.

    Examples
    --------
    >>> rgba("#0072B2", 0.2)
    'rgba(0, 114, 178, 0.2)'
    """
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def channel_color(channel: Any) -> str:
    """Colour of one channel of a scenario (its :data:`CHANNEL_COLORS` entry), so a channel
    looks the same in plans, attribution charts and run reports.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> channel_color(default_scenario().channels["newspaper"]) == SOURCE_COLORS["newspaper_ad"]
    True
    """
    if channel.kind == "advertising":
        return CHANNEL_COLORS[f"advertising/{channel.medium}"]
    if channel.kind == "social_ads":
        return CHANNEL_COLORS.get(f"social_ads/{channel.platform}", OTHER_PLATFORM_COLOR)
    return CHANNEL_COLORS[str(channel.kind)]
