"""Figures of a sweep: a metric against a swept parameter with 95 % bands, and heatmaps.

Functions take a sweep's summary table (one row per cell and strategy, with ``metric``,
``metric_low`` and ``metric_high`` columns and one column per swept path, as written by
:func:`simulator.studies.run_sweep`) and return plotly Figures; they never show them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

LABELS = {
    "adopters": "adopters",
    "reach": "people reached",
    "cost": "cost (EUR)",
    "cost_per_adoption": "EUR per adoption",
    "cost_per_1000_reached": "EUR per 1,000 reached",
    "wom_multiplier": "word-of-mouth multiplier",
    "days_to_50pct_adopters": "days to 50 % of adopters",
    "profit": "profit (EUR)",
}


def metric_label(metric: str) -> str:
    """Axis label of a metric.

    Examples
    --------
    >>> metric_label("cost_per_adoption"), metric_label("newspaper.reach")
    ('EUR per adoption', 'newspaper.reach')
    """
    return LABELS.get(metric, metric)


def _colours(strategies: list[str]) -> dict[str, str]:
    # plotly only when a sweep figure is drawn: `wom sweep` starts faster
    from plotly.colors import qualitative

    palette = qualitative.Plotly
    return {name: palette[i % len(palette)] for i, name in enumerate(strategies)}


def _transparent(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha})"


def _strategies(summary: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(summary["strategy"]))


def _require(summary: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise ValueError(f"summary has no column {missing}; have {list(summary.columns)}")


def _add_strategy(
    figure: go.Figure,
    rows: pd.DataFrame,
    parameter: str,
    metric: str,
    name: str,
    colour: str,
    legend: bool,
    position: dict[str, int],
) -> None:
    # plotly only when a sweep figure is drawn: `wom sweep` starts faster
    import plotly.graph_objects as go

    rows = rows.sort_values(parameter, kind="stable")
    x = rows[parameter].tolist()
    mean = rows[metric].to_numpy(float)
    low = rows[f"{metric}_low"].to_numpy(float)
    high = rows[f"{metric}_high"].to_numpy(float)
    common = {"legendgroup": name, "name": name}
    if len(set(x)) < len(x):
        # Other parameters vary too (Latin-hypercube samples): points with error bars.
        figure.add_trace(
            go.Scatter(
                x=x,
                y=mean,
                mode="markers",
                marker={"color": colour},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": high - mean,
                    "arrayminus": mean - low,
                    "color": _transparent(colour, 0.5),
                },
                showlegend=legend,
                **common,
            ),
            **position,
        )
        return
    band = {"line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "mode": "lines"}
    figure.add_trace(go.Scatter(x=x, y=high, legendgroup=name, **band), **position)
    figure.add_trace(
        go.Scatter(
            x=x,
            y=low,
            legendgroup=name,
            fill="tonexty",
            fillcolor=_transparent(colour, 0.2),
            **band,
        ),
        **position,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=mean,
            mode="lines+markers",
            line={"color": colour},
            showlegend=legend,
            customdata=list(zip(low, high, strict=True)),
            hovertemplate=f"{name}<br>{parameter} = %{{x}}<br>{metric_label(metric)} = "
            "%{y:.4g} [%{customdata[0]:.4g}, %{customdata[1]:.4g}]<extra></extra>",
            **common,
        ),
        **position,
    )


def sweep_lines(
    summary: pd.DataFrame,
    parameter: str,
    metric: str = "adopters",
    *,
    by: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """``metric`` against ``parameter``: one line per strategy with its 95 % interval band.

    With ``by`` (another swept parameter), one panel per value of ``by``. When other swept
    parameters still vary (Latin-hypercube samples), points with error bars replace lines.

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"trust.word_of_mouth": [0.5, 0.9, 0.5, 0.9],
    ...     "strategy": ["word of mouth"] * 2 + ["newspaper"] * 2,
    ...     "adopters": [10.0, 30, 12, 13], "adopters_low": [8.0, 26, 10, 11],
    ...     "adopters_high": [12.0, 34, 14, 15]})
    >>> figure = sweep_lines(summary, "trust.word_of_mouth")
    >>> len(figure.data)  # band (2 traces) and line per strategy
    6
    """
    # plotly only when a sweep figure is drawn: `wom sweep` starts faster
    from plotly.subplots import make_subplots

    _require(summary, [parameter, "strategy", metric, f"{metric}_low", f"{metric}_high"])
    strategies = _strategies(summary)
    colours = _colours(strategies)
    panels: list[Any] = [None] if by is None else sorted(dict.fromkeys(summary[by]))
    columns = min(len(panels), 3)
    rows = math.ceil(len(panels) / columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        shared_yaxes=True,
        subplot_titles=None if by is None else [f"{by} = {value}" for value in panels],
        horizontal_spacing=0.04,
        vertical_spacing=0.12 if rows > 1 else 0.0,
    )
    for index, value in enumerate(panels):
        position = {"row": index // columns + 1, "col": index % columns + 1}
        part = summary if by is None else summary[summary[by] == value]
        for name in strategies:
            _add_strategy(
                figure,
                part[part["strategy"] == name],
                parameter,
                metric,
                name,
                colours[name],
                index == 0,
                position,
            )
    figure.update_xaxes(title_text=parameter, row=rows)
    figure.update_yaxes(title_text=metric_label(metric), col=1)
    figure.update_layout(
        title=title or f"{metric_label(metric)} against {parameter} (95 % intervals)",
        legend_title_text="strategy",
        template="plotly_white",
        height=420 * rows,
    )
    return figure


def sweep_heatmap(
    summary: pd.DataFrame,
    x: str,
    y: str,
    metric: str = "adopters",
    *,
    title: str | None = None,
) -> go.Figure:
    """Mean ``metric`` over two swept parameters: one heatmap per strategy, one colour scale.

    Raises ``ValueError`` when a strategy has more than one cell for an ``(x, y)`` pair
    (a third parameter varies: filter the summary first).

    Examples
    --------
    >>> import pandas as pd
    >>> summary = pd.DataFrame({"a": [1, 1, 2, 2], "b": [5, 6, 5, 6],
    ...     "strategy": ["s"] * 4, "adopters": [1.0, 2, 3, 4]})
    >>> sweep_heatmap(summary, "a", "b").data[0].z.tolist()
    [[1.0, 3.0], [2.0, 4.0]]
    """
    # plotly only when a sweep figure is drawn: `wom sweep` starts faster
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    _require(summary, [x, y, "strategy", metric])
    strategies = _strategies(summary)
    figure = make_subplots(
        rows=1,
        cols=len(strategies),
        shared_yaxes=True,
        subplot_titles=strategies,
        horizontal_spacing=0.03,
    )
    for index, name in enumerate(strategies):
        rows = summary[summary["strategy"] == name]
        if rows.duplicated([x, y]).any():
            raise ValueError(
                f"strategy {name!r} has several cells per ({x}, {y}); another parameter "
                "varies: filter the summary to one value of it"
            )
        table = rows.pivot(index=y, columns=x, values=metric).sort_index().sort_index(axis=1)
        figure.add_trace(
            go.Heatmap(
                z=table.to_numpy(float),
                x=[str(v) for v in table.columns],
                y=[str(v) for v in table.index],
                coloraxis="coloraxis",
                hovertemplate=f"{name}<br>{x} = %{{x}}<br>{y} = %{{y}}<br>"
                f"{metric_label(metric)} = %{{z:.4g}}<extra></extra>",
            ),
            row=1,
            col=index + 1,
        )
        figure.update_xaxes(title_text=x, type="category", row=1, col=index + 1)
    figure.update_yaxes(title_text=y, type="category", col=1)
    figure.update_layout(
        title=title or f"{metric_label(metric)} (mean) over {x} and {y}",
        coloraxis={"colorscale": "Viridis", "colorbar": {"title": {"text": metric_label(metric)}}},
        template="plotly_white",
        height=420,
    )
    return figure
