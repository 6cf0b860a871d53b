"""Plotly figures of results: adoption curves, reach and cost, attribution, the network.

Every function takes results (or a :class:`simulator.engine.trace.Trace`) and returns a plotly
``Figure``; nothing here shows, saves or prints. Colours follow the channel a strategy buys
(the same channel has the same colour in every experiment) and the source type of a
message, so figures of different experiments read alike. Strategies named
``"group: item"`` (e.g. ``"bakery: newspaper"``) are drawn grouped: one panel or one group
of bars per group, one colour per item.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator import metrics
from simulator.config import SOURCE_TYPES
from simulator.engine.trace import STATE_KEYS, STATES, Trace
from simulator.results import RunResult, StrategyResult
from simulator.town.network import Tie
from simulator.views.i18n import number, separators, source_label, term, text

# Okabe-Ito based: distinguishable with the common colour-vision deficiencies.
CHANNEL_COLORS = {
    "seeding": "#009E73",
    "newspaper": "#A6761D",
    "advertising/radio": "#E69F00",
    "advertising/tv": "#D55E00",
    "advertising/banner": "#CC79A7",
    "social_ads/facebook": "#0072B2",
    "social_ads/instagram": "#C51B7D",
    "social_ads": "#56B4E9",
    "social_page": "#6A3D9A",
}
"""Colour of a strategy that buys one channel, by channel kind (and medium or platform)."""

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

SOURCE_COLORS = {
    "word_of_mouth": "#009E73",
    "online_opinion": "#7FD8BE",
    "branded_content": "#6A3D9A",
    "editorial": "#88CCEE",
    "tv_ad": "#D55E00",
    "newspaper_ad": "#A6761D",
    "magazine_ad": "#999933",
    "radio_ad": "#E69F00",
    "social_ad": "#0072B2",
    "banner_ad": "#CC79A7",
    "free_sample": "#00573F",
    "background": "#BBBBBB",
}
"""Colour of each source type (word of mouth in greens, paid media in their channel's)."""

STATE_COLORS = {
    "unaware": "#D9D9D9",
    "aware": "#F0C808",
    "rejecter": "#555555",
    "promoter": "#009E73",
    "detractor": "#D55E00",
}
"""Colour of each person state in network pictures."""

LAYER_COLORS = {"market": "#9A9A9A", "facebook": "#0072B2", "instagram": "#C51B7D"}
"""Colour of the ties of each layer (others get the palette)."""

SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "pentagon")

FONT = {"family": "Helvetica, Arial, sans-serif", "size": 14}


@dataclass(frozen=True)
class StrategyStyle:
    """How a strategy is drawn: its group and item (for grouped names), label, colour."""

    name: str
    group: str | None
    item: str
    label: str
    color: str
    symbol: str


def _channel_key(result: RunResult, strategy: str) -> str | None:
    """Colour key of the one channel a strategy buys (None for zero or several)."""
    spec = next(s for s in result.scenario.resolved_strategies() if s.name == strategy)
    if len(spec.channels) != 1:
        return None
    channel = result.scenario.channels[spec.channels[0]]
    for path, value in spec.set.items():  # an override may change the medium or platform
        if path in (f"channels.{spec.channels[0]}.medium", f"channels.{spec.channels[0]}.platform"):
            channel = channel.model_copy(update={path.rsplit(".", 1)[1]: value})
    if channel.kind == "advertising":
        return f"advertising/{channel.medium}"
    if channel.kind == "social_ads":
        key = f"social_ads/{channel.platform}"
        return key if key in CHANNEL_COLORS else "social_ads"
    return channel.kind


def strategy_styles(result: RunResult, lang: str = "en") -> list[StrategyStyle]:
    """One style per strategy, in the result's order.

    A strategy's colour is its channel's when every item buys a different single channel;
    otherwise items take the palette in order. Grouped names (all of the form
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
    parts = [n.split(": ", 1) if grouped else (None, n) for n in names]
    items = list(dict.fromkeys(item for _, item in parts))
    groups = list(dict.fromkeys(group for group, _ in parts))
    keys: dict[str, str | None] = {}
    for name, (_, item) in zip(names, parts, strict=True):
        key = _channel_key(result, name)
        if item in keys and keys[item] != key:
            key = None
        keys[item] = key
    by_channel = all(keys[i] is not None for i in items) and len(set(keys.values())) == len(items)
    colors = {
        item: CHANNEL_COLORS[keys[item]] if by_channel else PALETTE[i % len(PALETTE)]
        for i, item in enumerate(items)
    }
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


def _figure_layout(fig: go.Figure, title: str, note: str | None, lang: str, **layout) -> go.Figure:
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


def _rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def _interval_over_time(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95 % Student-t interval at each step, over replicates (rows)."""
    values = series.astype(np.float64)
    mean = values.mean(axis=0)
    if values.shape[0] < 2:
        return mean, mean, mean
    quantile = metrics.t_quantile(values.shape[0] - 1)
    half = quantile * values.std(axis=0, ddof=1) / math.sqrt(values.shape[0])
    return mean, mean - half, mean + half


def _x_axis(styles: list[StrategyStyle]) -> list:
    """Bar positions: strategy labels, or [groups, items] for grouped names."""
    if styles and styles[0].group is not None:
        return [
            [s.label.split(": ", 1)[0] for s in styles],
            [s.label.split(": ", 1)[1] for s in styles],
        ]
    return [s.label for s in styles]


# --------------------------------------------------------------------------- adoption curves


def adoption_curves(result: RunResult, *, series: str = "adopters", lang: str = "en") -> go.Figure:
    """Mean of a series over time per strategy, with its 95 % interval as a band.

    Grouped strategies get one panel per group, sharing the y axis.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> fig = adoption_curves(simulate(s))
    >>> len(fig.data)  # a band and a line per strategy
    10
    """
    styles = strategy_styles(result, lang)
    groups = list(dict.fromkeys(s.group for s in styles))
    grouped = groups != [None]
    fig = make_subplots(
        rows=1,
        cols=len(groups),
        shared_yaxes=True,
        subplot_titles=[term(g, lang) for g in groups] if grouped else None,
        horizontal_spacing=0.03 if grouped else 0.0,
    )
    legend_done: set[str] = set()
    for style, strategy in zip(styles, result.strategies, strict=True):
        mean, low, high = _interval_over_time(strategy.series[series])
        column = groups.index(style.group) + 1
        name = term(style.item, lang) if grouped else style.label
        first = name not in legend_done
        legend_done.add(name)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([result.days, result.days[::-1]]),
                y=np.concatenate([high, low[::-1]]),
                fill="toself",
                fillcolor=_rgba(style.color, 0.2),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
            ),
            row=1,
            col=column,
        )
        fig.add_trace(
            go.Scatter(
                x=result.days,
                y=mean,
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=first,
                line={"color": style.color, "width": 3},
                hovertemplate=f"{style.label}<br>{text('day', lang)} %{{x:g}}: %{{y:,.1f}}"
                "<extra></extra>",
            ),
            row=1,
            col=column,
        )
    fig.update_xaxes(title_text=text("days", lang), rangemode="tozero")
    axis = {"adopters": "adopters_axis", "aware": "reach_axis"}.get(series)
    axis_title = text(axis, lang) if axis else f"{text(series, lang)} ({text('people', lang)})"
    fig.update_yaxes(title_text=axis_title, row=1, col=1, rangemode="tozero")
    replicates = result.strategies[0].replicates
    return _figure_layout(
        fig,
        text("fig_adoption", lang) if series == "adopters" else axis_title,
        text("fig_adoption_note", lang, replicates=replicates),
        lang,
        height=480,
        legend={"title": {"text": ""}},
    )


# --------------------------------------------------------------------------- reach and cost


def _budget(result: RunResult, strategy: str) -> float:
    spec = next(s for s in result.scenario.resolved_strategies() if s.name == strategy)
    scenario = result.scenario.for_strategy(spec)
    return float(sum(channel.budget for channel in scenario.channels.values()))


def reach_vs_cost(result: RunResult, *, lang: str = "en") -> go.Figure:
    """People reached against money spent, per strategy, with 95 % whiskers both ways.

    A dashed line marks the budget when every strategy was given the same one, so a dot
    left of it did not manage to spend it all. Grouped strategies get one panel per group.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> fig = reach_vs_cost(simulate(s))
    >>> fig.layout.shapes[0].x0
    1000.0
    """
    styles = strategy_styles(result, lang)
    groups = list(dict.fromkeys(s.group for s in styles))
    grouped = groups != [None]
    fig = make_subplots(
        rows=1,
        cols=len(groups),
        shared_yaxes=True,
        subplot_titles=[term(g, lang) for g in groups] if grouped else None,
        horizontal_spacing=0.03 if grouped else 0.0,
    )
    legend_done: set[str] = set()
    for style, strategy in zip(styles, result.strategies, strict=True):
        values = metrics.replicate_metrics(strategy, result.days)
        cost, cost_low, cost_high = metrics.mean_interval(values["cost"])
        reach, reach_low, reach_high = metrics.mean_interval(values["reach"])
        adopters = float(np.mean(values["adopters"]))
        name = term(style.item, lang) if grouped else style.label
        fig.add_trace(
            go.Scatter(
                x=[cost],
                y=[reach],
                mode="markers",
                name=name,
                legendgroup=name,
                showlegend=name not in legend_done,
                marker={
                    "color": style.color,
                    "size": 14,
                    "line": {"color": "white", "width": 1},
                },
                error_x=_whisker(cost, cost_low, cost_high, style.color),
                error_y=_whisker(reach, reach_low, reach_high, style.color),
                hovertemplate=f"{style.label}<br>{text('col_cost', lang)}: %{{x:,.0f}}<br>"
                f"{text('col_reach', lang)}: %{{y:,.0f}}<br>{text('col_adopters', lang)}: "
                f"{number(adopters, lang, 1)}<extra></extra>",
            ),
            row=1,
            col=groups.index(style.group) + 1,
        )
        legend_done.add(name)
    budgets = {round(_budget(result, s.name), 6) for s in result.strategies}
    if len(budgets) == 1 and (budget := budgets.pop()) > 0:
        for column in range(1, len(groups) + 1):
            label = text("equal_budget", lang, budget=f"{number(budget, lang)} EUR")
            fig.add_vline(
                x=budget,
                line={"dash": "dash", "color": "#555555", "width": 1.5},
                row=1,
                col=column,
                **(
                    {"annotation_text": label, "annotation_position": "bottom left"}
                    if column == 1
                    else {}
                ),
            )
    fig.update_xaxes(title_text=text("cost_axis", lang), rangemode="tozero")
    fig.update_yaxes(title_text=text("reach_axis", lang), rangemode="tozero", row=1, col=1)
    return _figure_layout(
        fig, text("fig_reach_cost", lang), text("fig_reach_cost_note", lang), lang, height=480
    )


def _whisker(mean: float, low: float, high: float, color: str) -> dict:
    if not (math.isfinite(low) and math.isfinite(high)):
        return {"visible": False}
    return {
        "type": "data",
        "symmetric": False,
        "array": [max(high - mean, 0.0)],
        "arrayminus": [max(mean - low, 0.0)],
        "color": color,
        "thickness": 1.5,
        "width": 6,
    }


def _bars(
    styles: list[StrategyStyle],
    values: list[tuple[float, float, float]],
    hover: str,
    digits: int,
    lang: str,
    *,
    labels: bool = True,
) -> go.Bar:
    means = np.array([v[0] for v in values], np.float64)
    lows = np.array([v[1] for v in values], np.float64)
    highs = np.array([v[2] for v in values], np.float64)
    finite = np.isfinite(lows) & np.isfinite(highs)
    return go.Bar(
        x=_x_axis(styles),
        y=np.where(np.isfinite(means), means, None),
        marker={"color": [s.color for s in styles]},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": np.where(finite, np.maximum(highs - means, 0), 0),
            "arrayminus": np.where(finite, np.maximum(means - lows, 0), 0),
            "color": "#333333",
            "thickness": 1.5,
        },
        text=[number(m, lang, digits) for m in means] if labels and len(styles) <= 8 else None,
        textposition="auto",  # inside a bar when it fits, clear of the whiskers
        textangle=0,
        cliponaxis=False,
        customdata=np.stack([lows, highs], axis=1),
        hovertemplate=f"%{{x}}<br>{hover}: %{{y:,.{digits}f}} "
        f"[%{{customdata[0]:,.{digits}f}}, %{{customdata[1]:,.{digits}f}}]<extra></extra>",
        showlegend=False,
    )


def cost_per_adoption(result: RunResult, *, lang: str = "en") -> go.Figure:
    """Cost per adopter (total spend / total adopters) per strategy, with 95 % whiskers.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> cost_per_adoption(simulate(s)).data[0].type
    'bar'
    """
    styles = strategy_styles(result, lang)
    values = []
    for strategy in result.strategies:
        per_replicate = metrics.replicate_metrics(strategy, result.days)
        values.append(metrics.ratio_interval(per_replicate["cost"], per_replicate["adopters"]))
    fig = go.Figure(_bars(styles, values, text("col_cost_per_adoption", lang), 2, lang))
    fig.update_yaxes(title_text=text("cost_per_adoption_axis", lang), rangemode="tozero")
    return _figure_layout(
        fig,
        text("fig_cost_per_adoption", lang),
        text("fig_cost_per_adoption_note", lang),
        lang,
        height=480,
    )


def metric_bars(
    result: RunResult, metric: str, *, title: str, axis: str, lang: str = "en", digits: int = 1
) -> go.Figure:
    """Mean of any per-replicate metric (see :func:`simulator.metrics.replicate_metrics`)
    per strategy, with 95 % whiskers.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> fig = metric_bars(simulate(s), "adopters", title="Adopters", axis="people")
    >>> len(fig.data[0].y)
    5
    """
    styles = strategy_styles(result, lang)
    margin = result.scenario.product.margin
    values = [
        metrics.mean_interval(metrics.replicate_metrics(s, result.days, margin)[metric])
        for s in result.strategies
    ]
    fig = go.Figure(_bars(styles, values, axis, digits, lang))
    fig.update_yaxes(title_text=axis, rangemode="tozero")
    return _figure_layout(fig, title, text("fig_reach_cost_note", lang), lang, height=480)


def best_by_group(result: RunResult, metric: str = "adopters") -> dict[str | None, str]:
    """The strategy with the highest mean ``metric`` in each group (one group, ``None``,
    when strategy names are not grouped).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> list(best_by_group(simulate(s)))
    [None]
    """
    best: dict[str | None, tuple[float, str]] = {}
    margin = result.scenario.product.margin
    for style, strategy in zip(strategy_styles(result), result.strategies, strict=True):
        mean = float(np.mean(metrics.replicate_metrics(strategy, result.days, margin)[metric]))
        if style.group not in best or mean > best[style.group][0]:
            best[style.group] = (mean, strategy.name)
    return {group: name for group, (_, name) in best.items()}


def paired_differences(
    result: RunResult,
    *,
    metric: str = "adopters",
    reference: str | None = None,
    lang: str = "en",
) -> go.Figure:
    """Paired difference of ``metric`` between each strategy and a reference, with 95 %
    whiskers (replicate ``i`` of every strategy shares its town and random streams).

    The reference defaults to the strategy with the highest mean, or for grouped names to
    the best of each group (groups may be different towns, so they are not compared).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> fig = paired_differences(simulate(s))
    >>> bool(min(fig.data[0].x) <= 0.0 <= max(fig.data[0].x))
    True
    """
    styles = strategy_styles(result, lang)
    references = (
        best_by_group(result, metric)
        if reference is None
        else dict.fromkeys({s.group for s in styles}, reference)
    )
    tables = {
        name: metrics.compare(result, metric, name).set_index("strategy")
        for name in set(references.values())
    }
    rows = [tables[references[style.group]].loc[style.name] for style in styles]
    labels = [s.label for s in styles]
    means = np.array([row["difference"] for row in rows], np.float64)
    lows = np.array([row["difference_low"] for row in rows], np.float64)
    highs = np.array([row["difference_high"] for row in rows], np.float64)
    finite = np.isfinite(lows) & np.isfinite(highs)
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=means,
            orientation="h",
            marker={"color": [s.color for s in styles]},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": np.where(finite, np.maximum(highs - means, 0), 0),
                "arrayminus": np.where(finite, np.maximum(means - lows, 0), 0),
                "color": "#333333",
                "thickness": 1.5,
            },
            customdata=np.stack([lows, highs], axis=1),
            hovertemplate="%{y}: %{x:+,.1f} [%{customdata[0]:+,.1f}, %{customdata[1]:+,.1f}]"
            "<extra></extra>",
            showlegend=False,
        )
    )
    if len(references) == 1:
        shown = term(next(iter(references.values())), lang)
        title = text("fig_difference", lang, reference=shown)
        axis = text("difference_axis", lang, reference=shown)
    else:
        title = text("fig_difference_groups", lang)
        axis = text("difference_axis_groups", lang)
    fig.add_vline(x=0, line={"color": "#333333", "width": 1})
    fig.update_xaxes(title_text=axis, zeroline=False)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _figure_layout(
        fig,
        title,
        text("fig_difference_note", lang),
        lang,
        height=max(360, 120 + 30 * len(labels)),
    )


# --------------------------------------------------------------------------- attribution


def attribution(result: RunResult, *, lang: str = "en") -> go.Figure:
    """Mean adoptions per strategy, stacked by the source type of the message that
    tipped each one (``StrategyResult.by_source``).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> fig = attribution(simulate(s))
    >>> fig.layout.barmode
    'stack'
    """
    styles = strategy_styles(result, lang)
    means = np.stack([s.by_source.mean(axis=0) for s in result.strategies])
    totals = means.sum(axis=1)
    fig = go.Figure()
    x = _x_axis(styles)
    for index, source in enumerate(SOURCE_TYPES):
        column = means[:, index]
        if not column.any():
            continue
        share = np.divide(column, totals, out=np.zeros_like(column), where=totals > 0)
        label = source_label(source, lang)
        fig.add_trace(
            go.Bar(
                x=x,
                y=column,
                name=label,
                marker={"color": SOURCE_COLORS[source]},
                customdata=share * 100,
                hovertemplate=f"{label}: %{{y:,.1f}} (%{{customdata:.0f}} %)<extra>%{{x}}</extra>",
            )
        )
    fig.update_yaxes(title_text=text("adoptions_axis", lang), rangemode="tozero")
    return _figure_layout(
        fig,
        text("fig_attribution", lang),
        text("fig_attribution_note", lang),
        lang,
        barmode="stack",
        height=500,
        legend={"traceorder": "normal"},
    )


PAID_SOURCES = tuple(
    s
    for s in SOURCE_TYPES
    if s not in ("word_of_mouth", "online_opinion", "free_sample", "background")
)
"""Source types of paid or owned media (what an impression carries)."""


def conversion_per_contact(result: RunResult, *, lang: str = "en") -> go.Figure:
    """Adoptions per 1,000 contacts: per ad impression (adoptions tipped by paid media
    over impressions of non-seeding channels) and per recommendation (adoptions tipped
    by word of mouth over word-of-mouth messages), with 95 % whiskers.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> [bar.name for bar in conversion_per_contact(simulate(s)).data]
    ['one ad impression', 'one recommendation']
    """
    styles = strategy_styles(result, lang)
    paid_columns = [SOURCE_TYPES.index(s) for s in PAID_SOURCES]
    word_of_mouth = SOURCE_TYPES.index("word_of_mouth")
    paid, spoken = [], []
    for strategy in result.strategies:
        seeding = _seeding_mask(result, strategy)
        impressions = strategy.impressions[:, ~seeding].sum(axis=1)
        tipped = strategy.by_source[:, paid_columns].sum(axis=1)
        paid.append(metrics.ratio_interval(tipped * 1000.0, impressions))
        spoken.append(
            metrics.ratio_interval(strategy.by_source[:, word_of_mouth] * 1000.0, strategy.messages)
        )
    x = _x_axis(styles)
    fig = go.Figure()
    for values, key, color in (
        (paid, "paid_contact", "#0072B2"),
        (spoken, "wom_contact", SOURCE_COLORS["word_of_mouth"]),
    ):
        bar = _bars(styles, values, text(key, lang), 2, lang, labels=False)
        bar.update(name=text(key, lang), marker={"color": color}, showlegend=True, x=x)
        fig.add_trace(bar)
    fig.update_yaxes(title_text=text("conversion_axis", lang), rangemode="tozero")
    return _figure_layout(
        fig,
        text("fig_conversion", lang),
        text("fig_conversion_note", lang),
        lang,
        barmode="group",
        height=480,
    )


def _seeding_mask(result: RunResult, strategy: StrategyResult) -> np.ndarray:
    spec = next(s for s in result.scenario.resolved_strategies() if s.name == strategy.name)
    return np.array(
        [result.scenario.channels[name].kind == "seeding" for name in spec.channels], bool
    ).reshape(-1)


# --------------------------------------------------------------------------- the network


def layout_positions(history: Trace, *, seed: int = 1, iterations: int = 50) -> np.ndarray:
    """2-D positions of people: a force layout in which strong offline ties (household,
    close friends) pull hard and acquaintances gently, so that circles of friends show;
    towns without a market layer use all their ties.

    The Fruchterman-Reingold (1991) algorithm with a cooling step, as in networkx's
    ``spring_layout``, written over dense coordinate differences: the town drawn in a
    report has at most a few hundred people, and this keeps networkx (0.3 s to import)
    out of every ``wom run``.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.trace import trace, village
    >>> positions = layout_positions(trace(village(default_scenario(), size=100)))
    >>> positions.shape, bool(np.abs(positions).max() <= 1.0)
    ((100, 2), True)
    """
    size = history.size
    layers = [layer for layer in history.network.layers if not layer.well_mixed]
    market = [layer for layer in layers if layer.config.kind == "market"]
    # float32: a drawing needs no more, and it halves the time of the dense n x n steps.
    attraction = np.zeros((size, size), np.float32)
    for layer in market or layers:
        sources = np.repeat(np.arange(layer.size), np.diff(layer.indptr))
        weights = np.where(layer.tie == Tie.WEAK, 0.1, 1.0) if market else np.ones(layer.edges)
        np.maximum.at(attraction, (sources, layer.indices), weights.astype(np.float32))
    attraction = np.maximum(attraction, attraction.T)  # ties pull both ways

    rng = np.random.default_rng(seed)
    x, y = rng.random(size, np.float32), rng.random(size, np.float32)
    optimal = np.float32(math.sqrt(1.0 / max(size, 1)))  # natural distance between neighbours
    temperature = 0.1  # the largest move, cooled linearly to 0
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx, dy = x[:, None] - x[None, :], y[:, None] - y[None, :]
        squared = np.maximum(dx * dx + dy * dy, np.float32(1e-4))
        # Every pair repels (k^2 / d), tied pairs also attract (w d^2 / k); per unit vector.
        force = optimal * optimal / squared - attraction * np.sqrt(squared) / optimal
        move_x, move_y = (dx * force).sum(axis=1), (dy * force).sum(axis=1)
        length = np.hypot(move_x, move_y)
        step = np.float32(temperature) / np.where(length < 0.01, np.float32(0.1), length)
        x += move_x * step
        y += move_y * step
        temperature -= cooling
    positions = np.column_stack([x, y]).astype(np.float64)
    positions -= positions.mean(axis=0)
    extent = np.abs(positions).max()
    return positions / extent if extent > 0 else positions


def _edge_traces(history: Trace, positions: np.ndarray, lang: str, max_edges: int) -> list:
    """Lines for ties: offline strong and weak ties, and each platform's online-only ties
    (platform ties that copy an offline tie are already drawn as that tie)."""
    rng = np.random.default_rng(0)  # which ties to draw when there are too many
    traces = []
    for index, layer in enumerate(history.network.layers):
        if layer.well_mixed or layer.edges == 0:
            continue
        sources = np.repeat(np.arange(layer.size), np.diff(layer.indptr))
        targets = layer.indices.astype(np.int64)
        color = LAYER_COLORS.get(layer.name, PALETTE[index % len(PALETTE)])
        if layer.config.kind == "market":
            kinds = [
                (Tie.STRONG, text("ties_strong", lang), color, 0.5, max_edges),
                (Tie.WEAK, text("ties_weak", lang), color, 0.25, max_edges // 4),
            ]
        elif layer.config.kind == "platform":
            name = text("ties_online", lang, layer=term(layer.name, lang))
            kinds = [(Tie.ONLINE, name, color, 0.35, max_edges // 8)]
        else:
            kinds = [
                (
                    None,
                    text("ties_shown", lang, layer=term(layer.name, lang)),
                    color,
                    0.3,
                    max_edges,
                )
            ]
        for tie, name, tie_color, opacity, most in kinds:
            keep = sources < targets  # one line per pair of people
            if tie is not None:
                keep &= layer.tie == tie
            pair_sources, pair_targets = sources[keep], targets[keep]
            if pair_sources.size > most:
                chosen = np.sort(rng.choice(pair_sources.size, most, replace=False))
                pair_sources, pair_targets = pair_sources[chosen], pair_targets[chosen]
            if pair_sources.size == 0:
                continue
            x = np.full(pair_sources.size * 3, np.nan)
            y = np.full(pair_sources.size * 3, np.nan)
            x[0::3], x[1::3] = positions[pair_sources, 0], positions[pair_targets, 0]
            y[0::3], y[1::3] = positions[pair_sources, 1], positions[pair_targets, 1]
            traces.append(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    line={"color": tie_color, "width": 0.8},
                    opacity=opacity,
                    hoverinfo="skip",
                    name=name,
                    legendgroup="ties",
                )
            )
    return traces


def _state_traces(history: Trace, positions: np.ndarray, step: int, lang: str) -> list:
    states = history.states[step]
    names = history.scenario.population.segment_names
    traces = []
    for state in STATES:
        key = STATE_KEYS[state]
        people = np.flatnonzero(states == state)
        traces.append(
            go.Scatter(
                x=positions[people, 0],
                y=positions[people, 1],
                mode="markers",
                name=text(f"state_{key}", lang),
                marker={
                    "color": STATE_COLORS[key],
                    "size": 9 if state >= STATES[3] else 7,
                    "line": {"color": "white", "width": 0.5},
                },
                customdata=[term(names[s], lang) for s in history.segment[people]],
                hovertemplate=f"%{{customdata}}: {text(f'state_{key}', lang)}<extra></extra>",
                legendgroup="states",
            )
        )
    return traces


def _network_layout(fig: go.Figure, title: str, lang: str) -> go.Figure:
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    return _figure_layout(
        fig,
        title,
        None,
        lang,
        height=640,
        legend={"itemsizing": "constant", "x": 1.0, "xanchor": "left", "y": 1.0},
        plot_bgcolor="white",
    )


def network_picture(
    history: Trace,
    *,
    step: int | None = None,
    positions: np.ndarray | None = None,
    lang: str = "en",
    max_edges: int = 1200,
) -> go.Figure:
    """People as dots coloured by state at one step (the last by default), over their
    ties coloured by layer (at most ``max_edges`` strong ties drawn, fewer of the others).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.trace import trace, village
    >>> fig = network_picture(trace(village(default_scenario(), size=100)))
    >>> [t.name for t in fig.data][-2:]
    ['satisfied customer', 'unhappy customer']
    """
    step = history.states.shape[0] - 1 if step is None else step
    positions = layout_positions(history) if positions is None else positions
    fig = go.Figure(
        _edge_traces(history, positions, lang, max_edges)
        + _state_traces(history, positions, step, lang)
    )
    day = text("day_n", lang, day=float(history.days[step]))
    title = text("fig_network", lang, day=day, strategy=term(history.strategy, lang))
    return _network_layout(fig, title, lang)


def spread_animation(
    history: Trace,
    *,
    frames: int = 31,
    positions: np.ndarray | None = None,
    lang: str = "en",
    max_edges: int = 1200,
) -> go.Figure:
    """An animation of the spread: one plotly frame per sampled step, with play and
    pause buttons and a day slider. The figure first shows the last day.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.trace import trace, village
    >>> fig = spread_animation(trace(village(default_scenario(), size=100)), frames=5)
    >>> len(fig.frames), fig.layout.sliders[0].active
    (5, 4)
    """
    positions = layout_positions(history) if positions is None else positions
    last = history.states.shape[0] - 1
    steps = np.unique(np.linspace(0, last, min(frames, last + 1)).round().astype(int))
    edges = _edge_traces(history, positions, lang, max_edges)
    first_state = len(edges)
    state_indices = list(range(first_state, first_state + len(STATES)))
    fig = go.Figure(edges + _state_traces(history, positions, last, lang))
    labels = [number(float(history.days[s]), lang, 0) for s in steps]
    names = np.array([term(n, lang) for n in history.scenario.population.segment_names])
    frame_list = []
    for step, label in zip(steps, labels, strict=True):
        states = history.states[step]
        # Frames carry only what moves (who is where); style stays with the traces.
        data = []
        for state in STATES:
            people = np.flatnonzero(states == state)
            data.append(
                {
                    "type": "scatter",
                    "x": positions[people, 0],
                    "y": positions[people, 1],
                    "customdata": names[history.segment[people]],
                }
            )
        frame_list.append({"data": data, "traces": state_indices, "name": label})
    fig.frames = frame_list
    play = {"frame": {"duration": 250, "redraw": False}, "transition": {"duration": 0}}
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "pad": {"b": 4},
                "buttons": [
                    {
                        "label": f"▶ {text('play', lang)}",
                        "method": "animate",
                        "args": [None, {**play, "fromcurrent": False, "mode": "immediate"}],
                    },
                    {
                        "label": f"❚❚ {text('pause', lang)}",
                        "method": "animate",
                        "args": [[None], {**play, "mode": "immediate"}],
                    },
                ],
            }
        ],
        sliders=[
            {
                "active": len(steps) - 1,
                "currentvalue": {"prefix": f"{text('day', lang)} "},
                "pad": {"t": 30},
                "steps": [
                    {
                        "label": label,
                        "method": "animate",
                        "args": [[label], {**play, "mode": "immediate"}],
                    }
                    for label in labels
                ],
            }
        ],
    )
    title = text("fig_spread", lang, strategy=term(history.strategy, lang))
    return _network_layout(fig, title, lang)


def figure_html(figure: go.Figure, index: int) -> str:
    """A figure as an HTML fragment for a page holding several; the first (``index`` 0)
    carries plotly.js inline, so the page needs no network.

    Examples
    --------
    >>> first, second = figure_html(go.Figure(), 0), figure_html(go.Figure(), 1)
    >>> len(first) > 1_000_000 > len(second), 'id="figure-1"' in second
    (True, True)
    """
    import plotly.io as pio

    return pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=index == 0,
        div_id=f"figure-{index}",
        default_width="100%",
        auto_play=False,  # the spread animation starts when the reader presses play
        config={"displaylogo": False, "responsive": True},
    )
