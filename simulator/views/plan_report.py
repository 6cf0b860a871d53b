"""``plan.html``: the budget plan as one self-contained page (plotly.js inline), es or en.

Functions take the plan's table (``PlanResult.to_frame()``, the rows of ``plan.csv``) and
plain metadata, so this layer needs nothing from the planner but its numbers.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from simulator.views.i18n import money, number, term
from simulator.views.plan_text import plan_text
from simulator.views.plotly_page import figure_html
from simulator.views.style import PALETTE, figure_layout, rgba

if TYPE_CHECKING:
    import pandas as pd

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 2px solid #009E73; padding-bottom: 4px; }
.kicker { color: #009E73; font-weight: bold; text-transform: uppercase; letter-spacing: 0.06em;
  font-size: 0.85em; margin-top: 0; }
.answer { background: #eef8f4; border-left: 5px solid #009E73; padding: 10px 16px; }
.setup, .note { color: #555; font-size: 0.92em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { padding: 6px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
pre { background: #f6f6f6; padding: 12px; overflow-x: auto; font-size: 0.82em; }
"""


def _channels(frame: pd.DataFrame) -> list[str]:
    return [c[: -len(".eur")] for c in frame.columns if c.endswith(".eur")]


def _interval(row: Any, name: str, lang: str, digits: int = 1) -> str:
    mean, low, high = row[name], row[f"{name}_low"], row[f"{name}_high"]
    if low != low:
        return number(mean, lang, digits)
    return (
        f"{number(mean, lang, digits)} [{number(low, lang, digits)}, {number(high, lang, digits)}]"
    )


def _split(row: Any, channels: Sequence[str], lang: str) -> str:
    parts = [
        f"{money(row[f'{c}.eur'], lang)} {plan_text('on', lang)} {term(c, lang)}"
        for c in channels
        if row[f"{c}.eur"] > 0
    ]
    return ", ".join(parts) or plan_text("nothing", lang)


def _note(key: str, rows: pd.DataFrame, lang: str, *more: str) -> str:
    """A figure's note, with the replicates its points rest on when the table gives them."""
    parts = [plan_text(key, lang), *(plan_text(m, lang) for m in more)]
    if "replicates" in rows and rows.replicates.notna().any():
        low, high = int(rows.replicates.min()), int(rows.replicates.max())
        count = str(low) if low == high else f"{low}-{high}"
        parts.append(plan_text("per_point", lang, replicates=count))
    return "; ".join(parts)


def plan_figures(
    frame: pd.DataFrame, *, lang: str = "en", colors: Mapping[str, str] | None = None
) -> list[go.Figure]:
    """The split, the response curves, the marginal returns and the frontier.

    ``colors`` maps channel names to their colour (:func:`simulator.views.style.channel_color`),
    so a channel looks as in every other chart; channels not in it take the palette.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame([
    ...     {"section": "recommended", "label": "recommended", "objective_name": "customers",
    ...      "a.eur": 60.0, "b.eur": 40.0, "objective": 5.0, "objective_low": 4.0,
    ...      "objective_high": 6.0, "budget": 100.0},
    ...     {"section": "frontier", "label": "x", "objective_name": "customers",
    ...      "a.eur": 60.0, "b.eur": 40.0, "objective": 5.0, "objective_low": 4.0,
    ...      "objective_high": 6.0, "budget": 100.0}])
    >>> len(plan_figures(frame))
    2
    """
    channels = _channels(frame)
    objective = plan_text(f"obj_{frame['objective_name'].iloc[0]}", lang)
    labels = [term(c, lang) for c in channels]
    figures = []
    split = go.Figure()
    recommended = frame[frame.section == "recommended"].iloc[0]
    split.add_bar(
        x=labels,
        y=[recommended[f"{c}.eur"] for c in channels],
        name=plan_text("recommended", lang),
        marker_color=PALETTE[0],
    )
    current = frame[(frame.section == "comparison") & (frame.label == "current plan")]
    if len(current):
        split.add_bar(
            x=labels,
            y=[current.iloc[0][f"{c}.eur"] for c in channels],
            name=plan_text("current", lang),
            marker_color="#BBBBBB",
        )
    figures.append(
        figure_layout(
            split,
            plan_text("fig_split", lang),
            plan_text("fig_split_note", lang),
            lang,
            yaxis_title=plan_text("eur_axis", lang),
            barmode="group",
        )
    )
    curves = frame[frame.section == "response_curve"]
    if len(curves):
        response, marginal = go.Figure(), go.Figure()
        for index, channel in enumerate(channels):
            color = (colors or {}).get(channel, PALETTE[index % len(PALETTE)])
            rows = curves[curves.channel == channel]
            x, y = rows.channel_spend.tolist(), rows.objective.tolist()
            band_x = x + x[::-1]
            band_y = rows.objective_high.tolist() + rows.objective_low.tolist()[::-1]
            response.add_scatter(
                x=band_x,
                y=band_y,
                fill="toself",
                fillcolor=rgba(color, 0.15),
                line_width=0,
                hoverinfo="skip",
                showlegend=False,
            )
            response.add_scatter(x=x, y=y, name=term(channel, lang), line_color=color)
            best = rows[rows.is_recommended.astype(bool)]
            response.add_scatter(
                x=best.channel_spend,
                y=best.objective,
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": color},
                showlegend=False,
            )
            marginal.add_scatter(
                x=x, y=rows.marginal_return.tolist(), name=term(channel, lang), line_color=color
            )
        figures.append(
            figure_layout(
                response,
                plan_text("fig_curves", lang, objective=objective),
                _note("fig_curves_note", curves, lang),
                lang,
                xaxis_title=plan_text("spend_axis", lang),
                yaxis_title=objective,
            )
        )
        figures.append(
            figure_layout(
                marginal,
                plan_text("fig_marginal", lang, objective=objective),
                plan_text("fig_marginal_note", lang),
                lang,
                xaxis_title=plan_text("spend_axis", lang),
            )
        )
    frontier = frame[frame.section == "frontier"].sort_values("budget")
    if len(frontier):
        front = go.Figure()
        front.add_scatter(
            x=frontier.budget,
            y=frontier.objective,
            mode="lines+markers",
            line_color=PALETTE[0],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": frontier.objective_high - frontier.objective,
                "arrayminus": frontier.objective - frontier.objective_low,
            },
            text=[_split(r, channels, lang) for _, r in frontier.iterrows()],
            name=objective,
        )
        figures.append(
            figure_layout(
                front,
                plan_text("fig_frontier", lang, objective=objective),
                _note("fig_frontier_note", frontier, lang, "frontier_points"),
                lang,
                xaxis_title=plan_text("budget_axis", lang),
                yaxis_title=objective,
            )
        )
    return figures


def _comparison_table(frame: pd.DataFrame, lang: str) -> str:
    channels = _channels(frame)
    objective = plan_text(f"obj_{frame['objective_name'].iloc[0]}", lang)
    heads = [
        plan_text("col_plan", lang),
        objective,
        plan_text("col_difference", lang),
        plan_text("col_probability", lang),
        plan_text("col_roi", lang),
    ]
    rows = []
    for _, row in frame[frame.section.isin(["recommended", "comparison"])].iterrows():
        label = plan_text("recommended", lang) if row.section == "recommended" else row.label
        difference = "" if row.section == "recommended" else _interval(row, "difference", lang)
        probability = (
            ""
            if row.section == "recommended"
            else f"{number(100 * row.probability_better, lang)} %"
        )
        roi = "" if row.roi != row.roi else f"{number(100 * row.roi, lang)} %"
        cells = [
            f"<b>{html.escape(term(label, lang))}</b><br>{html.escape(_split(row, channels, lang))}",
            _interval(row, "objective", lang),
            difference,
            probability,
            roi,
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    return f'<div class="scroll"><table><tr>{head}</tr>{"".join(rows)}</table></div>'


def _seeds_table(seeds: pd.DataFrame, lang: str) -> str:
    heads = [plan_text("col_rule", lang), "", plan_text("col_difference", lang)]
    rows = []
    for _, row in seeds.iterrows():
        cells = [
            html.escape(plan_text(f"rule_{row.rule}", lang)),
            _interval(row, "objective", lang),
            _interval(row, "difference", lang),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in heads)
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def plan_report_html(
    frame: pd.DataFrame,
    *,
    title: str,
    lang: str = "en",
    provenance: Mapping[str, Any] | None = None,
    seeds: pd.DataFrame | None = None,
    colors: Mapping[str, str] | None = None,
) -> str:
    """The whole plan page: the answer, the comparisons, the figures, the table.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame([{"section": "recommended", "label": "recommended",
    ...     "objective_name": "profit", "a.eur": 100.0, "objective": 5.0,
    ...     "objective_low": 4.0, "objective_high": 6.0, "budget": 100.0, "roi": 0.05,
    ...     "replicates": 80}])
    >>> page = plan_report_html(frame, title="Bakery", lang="es")
    >>> "Gasta 100 € en a" in page, '<script src="http' in page
    (True, False)
    """
    recommended = frame[frame.section == "recommended"].iloc[0]
    channels = _channels(frame)
    objective = plan_text(f"obj_{recommended.objective_name}", lang)
    provenance = dict(provenance or {})
    answer = [
        plan_text(
            "recommend",
            lang,
            split=_split(recommended, channels, lang),
            objective=objective,
            value=number(recommended.objective, lang, 1),
            low=number(recommended.objective_low, lang, 1),
            high=number(recommended.objective_high, lang, 1),
        )
    ]
    for _, row in frame[frame.section == "comparison"].iterrows():
        if row.difference == 0 and row.difference_low == row.difference_high:
            continue  # the recommendation itself (e.g. it is the best single channel)
        answer.append(
            plan_text(
                "beats",
                lang,
                label=term(row.label, lang),
                difference=number(row.difference, lang, 1),
                low=number(row.difference_low, lang, 1),
                high=number(row.difference_high, lang, 1),
                probability=number(100 * row.probability_better, lang),
            )
        )
    setup = plan_text(
        "setup",
        lang,
        objective=objective,
        channels=len(channels),
        replicates=int(recommended.get("replicates", 0) or 0),
        seed=provenance.get("seed", "?"),
    )
    blocks = [
        figure_html(fig, i, lang)
        for i, fig in enumerate(plan_figures(frame, lang=lang, colors=colors))
    ]
    seeds_html = ""
    if seeds is not None and len(seeds):
        seeds_html = (
            f"<h2>{html.escape(plan_text('seeds', lang))}</h2>"
            f"<p class='note'>{html.escape(plan_text('seeds_note', lang, samples=int(seeds.samples.iloc[0])))}</p>"
            + _seeds_table(seeds, lang)
        )
    table = frame.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="")
    budget = recommended.get("budget", math.nan)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(term(title, lang))}</title><style>{_STYLE}</style></head>
<body><main data-figures="{len(blocks)}">
<p class="kicker">{html.escape(plan_text("kicker", lang))}</p>
<h1>{html.escape(plan_text("title", lang, budget=number(budget, lang)))}</h1>
<p class="setup">{html.escape(term(title, lang))}. {html.escape(setup)}</p>
<h2>{html.escape(plan_text("answer", lang))}</h2>
<div class="answer">{"".join(f"<p>{html.escape(p)}</p>" for p in answer)}</div>
<h2>{html.escape(plan_text("comparisons", lang))}</h2>
{_comparison_table(frame, lang)}
{"".join(blocks)}
{seeds_html}
<h2>{html.escape(plan_text("table", lang))}</h2>
<details><summary>{html.escape(plan_text("show", lang))}</summary><div class="scroll">{table}</div></details>
<h2>{html.escape(plan_text("provenance", lang))}</h2>
<details><summary>{html.escape(plan_text("show", lang))}</summary>
<pre>{html.escape(json.dumps(provenance, indent=2, sort_keys=True, default=str))}</pre></details>
</main></body></html>
"""
