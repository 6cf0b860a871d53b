"""The sweep's ``report.html``: one self-contained page (plotly.js embedded) of its figures."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from simulator.views.plotly_page import figure_html
from simulator.views.sweep_figures import sweep_heatmap, sweep_lines

if TYPE_CHECKING:
    import pandas as pd
    import plotly.graph_objects as go

    from simulator.config.study import Study
    from simulator.studies.cells import Cell

MAX_TABLE_ROWS = 300
"""Largest summary printed as an HTML table (bigger studies: read the Parquet file)."""

MAX_PANELS = 9
"""Most values of a second parameter drawn as separate panels."""

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; font-size: 0.85em; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: right; }
th { background: #f3f3f3; } td.text { text-align: left; }
code { background: #f3f3f3; padding: 0 0.2em; }
.failed { color: #a00; }
"""


def sweep_figures(summary: pd.DataFrame, study: Study) -> list[go.Figure]:
    """The report's figures: each report metric against the swept parameters.

    One parameter: lines with bands. Two: lines in one panel per value of the second, and a
    heatmap per strategy. More (or Latin-hypercube samples): points with error bars against
    each parameter.
    """
    axes = [a for a in study.sweep.axes if a in summary.columns]
    if summary.empty or not axes:
        return []
    metrics = list(dict.fromkeys([study.sweep.metric, "cost_per_adoption"]))
    figures = []
    for metric in (m for m in metrics if m in summary.columns):
        if len(axes) == 2:
            # The parameter with more values makes the x-axis; the other, the panels.
            first, second = sorted(axes, key=lambda a: -summary[a].nunique())
            panels = summary[second].nunique() <= MAX_PANELS
            figures.append(sweep_lines(summary, first, metric, by=second if panels else None))
            if not summary.duplicated(["strategy", first, second]).any():
                figures.append(sweep_heatmap(summary, first, second, metric))
        else:
            figures.extend(sweep_lines(summary, axis, metric) for axis in axes)
    return figures


def _table(summary: pd.DataFrame, study: Study) -> str:
    metric = study.sweep.metric
    columns = [
        "cell",
        *[p for p in study.sweep.parameters if p in summary.columns],
        "strategy",
        "replicates",
    ]
    shown = [m for m in dict.fromkeys([metric, "cost_per_adoption"]) if m in summary.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    head += "".join(f"<th>{html.escape(m)} [95 % interval]</th>" for m in shown)
    rows = []
    for _, row in summary.iterrows():
        cells = "".join(
            f'<td class="text">{html.escape(str(row[c]))}</td>'
            if isinstance(row[c], str)
            else f"<td>{row[c]:.6g}</td>"
            if isinstance(row[c], float)
            else f"<td>{html.escape(str(row[c]))}</td>"
            for c in columns
        )
        for m in shown:
            mean, low, high = row[m], row[f"{m}_low"], row[f"{m}_high"]
            cells += f"<td>{mean:,.4g} [{low:,.4g}, {high:,.4g}]</td>"
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def sweep_report_html(
    summary: pd.DataFrame,
    study: Study,
    *,
    cells: Sequence[Cell],
    failed: Mapping[str, str],
    study_hash: str,
) -> str:
    """A self-contained HTML page: what was swept, failures, figures and (small) table."""
    figures = sweep_figures(summary, study)
    sweep = study.sweep
    simulation = study.scenario.simulation
    done = summary["cell"].nunique() if "cell" in summary.columns else 0
    lines = [
        f"<h1>{html.escape(study.scenario.title)}: sweep</h1>",
        f"<p>{len(cells)} cells, {done} done, {len(failed)} failed. Seed "
        f"{simulation.seed} (every cell shares it: common random numbers); "
        f"{simulation.replicates} replicates per strategy and cell"
        + (
            f", more (up to {sweep.max_replicates}) until the 95 % interval of "
            f"<code>{html.escape(sweep.metric)}</code> is narrower than {sweep.target_ci:g}"
            if sweep.target_ci is not None
            else ""
        )
        + f". Study hash <code>{study_hash}</code>. Intervals are 95 %.</p>",
        "<ul>",
    ]
    for path, values in {**sweep.grid, **sweep.zip}.items():
        shown = ", ".join(html.escape(str(v)) for v in values)
        kind = "grid" if path in sweep.grid else "zip (varies with the other zip paths)"
        lines.append(f"<li><code>{html.escape(path)}</code> ({kind}): {shown}</li>")
    if sweep.sample is not None:
        for path, (low, high) in sweep.sample.ranges.items():
            lines.append(
                f"<li><code>{html.escape(path)}</code>: {sweep.sample.count} Latin-hypercube "
                f"samples in [{low}, {high}]</li>"
            )
    lines.append("</ul>")
    if failed:
        lines.append('<h2 class="failed">Failed cells</h2><ul>')
        lines += [f'<li class="failed">{html.escape(m)}</li>' for m in failed.values()]
        lines.append("</ul>")
    for index, figure in enumerate(figures):
        lines.append(figure_html(figure, index))
    if 0 < len(summary) <= MAX_TABLE_ROWS:
        lines += ["<h2>Summary</h2>", _table(summary, study)]
    body = "\n".join(lines)
    title = html.escape(f"{study.scenario.title}: sweep")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
