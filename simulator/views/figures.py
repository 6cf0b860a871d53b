"""Plotly figures of results: adoption curves, reach and cost, bars, attribution.

Every function takes results and returns a plotly ``Figure``; nothing here shows, saves
or prints. Colours follow the channel a strategy buys and the source type of a message
(:mod:`simulator.views.style`), so figures of different experiments read alike.
Strategies named ``"group: item"`` (e.g. ``"bakery: newspaper"``) are drawn grouped: one
panel or one group of bars per group, one colour per item. The pictures of the town are
in :mod:`simulator.views.network`; their names are importable from here too, as the
notebooks use them (``from simulator.views import figures as plots``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator import metrics
from simulator.config import SOURCE_TYPES
from simulator.results import RunResult, StrategyResult
from simulator.views import plotly_page
from simulator.views.bands import (
    columns,
    error_bars,
    interval_over_time,
    spread_over_time,
    whisker,
)
from simulator.views.i18n import money, number, source_label, term, text
from simulator.views.network import layout_positions, network_picture, spread_animation
from simulator.views.style import (
    BASELINE_COLOR,
    CHANNEL_COLORS,
    FONT,
    LAYER_COLORS,
    PALETTE,
    SOURCE_COLORS,
    STATE_COLORS,
    SYMBOLS,
    StrategyStyle,
    figure_layout,
    rgba,
    strategy_spec,
    strategy_styles,
)

__all__ = [
    "BASELINE_COLOR",
    "CHANNEL_COLORS",
    "FONT",
    "LAYER_COLORS",
    "PAID_SOURCES",
    "PALETTE",
    "SOURCE_COLORS",
    "STATE_COLORS",
    "SYMBOLS",
    "StrategyStyle",
    "adoption_curves",
    "attribution",
    "best_by_group",
    "conversion_per_contact",
    "cost_per_adoption",
    "figure_html",
    "layout_positions",
    "metric_bars",
    "network_picture",
    "paired_differences",
    "reach_vs_cost",
    "spread_animation",
    "strategy_styles",
]


def _x_axis(styles: list[StrategyStyle]) -> list[str] | list[list[str]]:
    """Bar positions: strategy labels, or [groups, items] for grouped names."""
    if styles and styles[0].group is not None:
        return [
            [s.label.split(": ", 1)[0] for s in styles],
            [s.label.split(": ", 1)[1] for s in styles],
        ]
    return [s.label for s in styles]


def _group_panels(styles: list[StrategyStyle], lang: str) -> tuple[list[str | None], go.Figure]:
    """The strategies' groups in order (``[None]`` when names are not grouped) and a figure
    with one panel per group, side by side, sharing the y axis."""
    groups = list(dict.fromkeys(s.group for s in styles))
    grouped = groups != [None]
    fig = make_subplots(
        rows=1,
        cols=len(groups),
        shared_yaxes=True,
        subplot_titles=[term(g, lang) for g in groups if g is not None] if grouped else None,
        horizontal_spacing=0.03 if grouped else 0.0,
    )
    return groups, fig


# --------------------------------------------------------------------------- adoption curves


def adoption_curves(result: RunResult, *, series: str = "adopters", lang: str = "en") -> go.Figure:
    """Mean of a series over time per strategy, with its 95 % interval as a band and the
    5-95 % spread of single runs as dotted lines (a prediction band: what one campaign may
    get, much wider than the interval of the mean).

    Grouped strategies get one panel per group, sharing the y axis.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> fig = adoption_curves(simulate(s))
    >>> len(fig.data)  # a band, a line and the spread per strategy (six, with no campaign)
    18
    """
    styles = strategy_styles(result, lang)
    groups, fig = _group_panels(styles, lang)
    grouped = groups != [None]
    legend_done: set[str] = set()
    for style, strategy in zip(styles, result.strategies, strict=True):
        mean, low, high = interval_over_time(strategy.series[series])
        column = groups.index(style.group) + 1
        name = term(style.item, lang) if grouped else style.label
        first = name not in legend_done
        legend_done.add(name)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([result.days, result.days[::-1]]),
                y=np.concatenate([high, low[::-1]]),
                fill="toself",
                fillcolor=rgba(style.color, 0.2),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
            ),
            row=1,
            col=column,
        )
        spread_low, spread_high = spread_over_time(strategy.series[series])
        gap = np.array([np.nan])
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([result.days, gap, result.days]),
                y=np.concatenate([spread_low, gap, spread_high]),
                mode="lines",
                name=f"{name}: {text('spread_runs', lang)}",
                line={"color": style.color, "width": 1, "dash": "dot"},
                connectgaps=False,
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
    return figure_layout(
        fig,
        text("fig_adoption", lang) if series == "adopters" else axis_title,
        text("fig_adoption_note", lang, replicates=replicates),
        lang,
        height=480,
        legend={"title": {"text": ""}},
    )


# --------------------------------------------------------------------------- reach and cost


def _budget(result: RunResult, strategy: str) -> float:
    spec = strategy_spec(result, strategy)
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
    groups, fig = _group_panels(styles, lang)
    grouped = groups != [None]
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
                error_x=whisker(cost, cost_low, cost_high, style.color),
                error_y=whisker(reach, reach_low, reach_high, style.color),
                hovertemplate=f"{style.label}<br>{text('col_cost', lang)}: %{{x:,.0f}}<br>"
                f"{text('col_reach', lang)}: %{{y:,.0f}}<br>{text('col_adopters', lang)}: "
                f"{number(adopters, lang, 1)}<extra></extra>",
            ),
            row=1,
            col=groups.index(style.group) + 1,
        )
        legend_done.add(name)
    # A baseline that runs no channel has no budget to compare.
    budgets = {round(_budget(result, s.name), 6) for s in result.strategies if s.channels}
    if len(budgets) == 1 and (budget := budgets.pop()) > 0:
        for column in range(1, len(groups) + 1):
            label = text("equal_budget", lang, budget=money(budget, lang))
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
    return figure_layout(
        fig, text("fig_reach_cost", lang), text("fig_reach_cost_note", lang), lang, height=480
    )


def _bars(
    styles: list[StrategyStyle],
    values: Sequence[Sequence[float]],
    hover: str,
    digits: int,
    lang: str,
    *,
    labels: bool = True,
) -> go.Bar:
    means, lows, highs = columns(values)
    return go.Bar(
        x=_x_axis(styles),
        y=[mean if math.isfinite(mean) else None for mean in means.tolist()],
        marker={"color": [s.color for s in styles]},
        error_y=error_bars(means, lows, highs),
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
    return figure_layout(
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
    6
    """
    styles = strategy_styles(result, lang)
    margin = result.scenario.product.margin
    values = [
        metrics.mean_interval(metrics.replicate_metrics(s, result.days, margin)[metric])
        for s in result.strategies
    ]
    fig = go.Figure(_bars(styles, values, axis, digits, lang))
    fig.update_yaxes(title_text=axis, rangemode="tozero")
    return figure_layout(fig, title, text("fig_reach_cost_note", lang), lang, height=480)


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
    means, lows, highs = columns(
        [[row["difference"], row["difference_low"], row["difference_high"]] for row in rows]
    )
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=means,
            orientation="h",
            marker={"color": [s.color for s in styles]},
            error_x=error_bars(means, lows, highs),
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
    return figure_layout(
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
    return figure_layout(
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
    return figure_layout(
        fig,
        text("fig_conversion", lang),
        text("fig_conversion_note", lang),
        lang,
        barmode="group",
        height=480,
    )


def _seeding_mask(result: RunResult, strategy: StrategyResult) -> np.ndarray:
    spec = strategy_spec(result, strategy.name)
    return np.array(
        [result.scenario.channels[name].kind == "seeding" for name in spec.channels], bool
    ).reshape(-1)


def figure_html(figure: go.Figure, index: int, lang: str = "en") -> str:
    """A figure as an HTML fragment for a page holding several (see
    :func:`simulator.views.plotly_page.figure_html`): the first carries plotly.js inline.

    Examples
    --------
    >>> first, second = figure_html(go.Figure(), 0), figure_html(go.Figure(), 1)
    >>> len(first) > 1_000_000 > len(second), 'id="figure-1"' in second
    (True, True)
    """
    return plotly_page.figure_html(figure, index, lang)
