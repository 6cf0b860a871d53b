"""A self-contained HTML report of a run: the question, the answer, tables, figures, config.

The page embeds plotly.js once and needs no network, so it opens from a USB stick in a
classroom. Script errors are shown on the page (not only in the browser console), so a
broken figure cannot go unnoticed.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from simulator import metrics
from simulator.config import TIE_KINDS
from simulator.config.toml import scenario_to_toml
from simulator.engine.trace import Trace, trace, village
from simulator.results import RunResult
from simulator.views import customers
from simulator.views import figures as plots
from simulator.views.i18n import number, term, text
from simulator.views.plotly_page import PAGE_CSS
from simulator.views.question import question_answer

NETWORK_PEOPLE = 300
"""Town size of the network illustration: larger towns are drawn as a village this big."""

_DRAWABLE_LAYERS = ("market", "platform", "well_mixed")

_COLUMNS = (
    ("col_adopters", "adopters", 1),
    ("col_reach", "reach", 0),
    ("col_cost", "cost", 0),
    ("col_cost_per_adoption", "cost_per_adoption", 2),
    ("col_wom_multiplier", "wom_multiplier", 2),
    ("col_days_to_50pct_adopters", "days_to_50pct_adopters", 1),
    ("col_detractors", "detractors", 1),
)

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 2px solid #009E73; padding-bottom: 4px; }
.kicker { color: #009E73; font-weight: bold; text-transform: uppercase; letter-spacing: 0.06em;
  font-size: 0.85em; margin-top: 0; }
.answer { background: #eef8f4; border-left: 5px solid #009E73; padding: 10px 16px; }
.answer p { margin: 0.4em 0; }
.setup, .note, figcaption { color: #555; font-size: 0.92em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { padding: 6px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; }
td .interval { display: block; color: #777; font-size: 0.85em; white-space: nowrap; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px;
  margin-right: 6px; vertical-align: baseline; }
figure { margin: 28px 0 8px; }
pre { background: #f6f6f6; padding: 12px; overflow-x: auto; font-size: 0.82em; }
.wom-error { color: #b00020; font-weight: bold; border: 2px solid #b00020; padding: 8px; }
footer { color: #777; font-size: 0.85em; margin-top: 36px; }
"""


_CUSTOMER_COLUMNS = (
    ("col_customers", "customers", 1, 1.0),
    ("col_trial_conversion", "trial_conversion_rate", 1, 100.0),
    ("col_active_customers", "active_customers", 1, 1.0),
    ("col_purchases", "purchases", 0, 1.0),
    ("col_revenue", "revenue", 0, 1.0),
    ("col_clv", "clv", 0, 1.0),
    ("col_cac", "customer_acquisition_cost", 2, 1.0),
    ("col_roi", "roi", 0, 100.0),
)
"""Columns of the customers table: (text key, summary column, digits, scale)."""

_ERROR_CATCHER = """
(function () {
  function show(message) {
    var box = document.getElementById("wom-errors");
    var line = document.createElement("p");
    line.className = "wom-error";
    line.textContent = %s + message;
    (box || document.body || document.documentElement).appendChild(line);
  }
  window.addEventListener("error", function (event) { show(event.message); });
  window.addEventListener("unhandledrejection", function (event) {
    show(String(event.reason && event.reason.message || event.reason));
  });
})();
"""


def _cell(row: Mapping[str, Any], key: str, digits: int, lang: str, scale: float = 1.0) -> str:
    mean, low, high = (row[key] * scale, row[f"{key}_low"] * scale, row[f"{key}_high"] * scale)
    if not math.isfinite(mean):
        return text("na", lang)
    shown = number(mean, lang, digits)
    if not (math.isfinite(low) and math.isfinite(high)):
        return shown
    interval = f"[{number(low, lang, digits)}, {number(high, lang, digits)}]"
    return f'{shown} <span class="interval">{interval}</span>'


def summary_table(result: RunResult, *, lang: str = "en", summary: Any = None) -> str:
    """The summary as an HTML table: mean and 95 % interval of the headline metrics.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> summary_table(simulate(s), lang="es").count("<tr>")
    7
    """
    frame = result.to_frame("summary") if summary is None else summary
    styles = plots.strategy_styles(result, lang)
    header = "".join(
        f"<th>{html.escape(text(key, lang))}</th>"
        for key in ("col_strategy", *(c[0] for c in _COLUMNS))
    )
    rows = []
    for style, (_, row) in zip(styles, frame.iterrows(), strict=True):
        swatch = f'<span class="swatch" style="background:{style.color}"></span>'
        cells = "".join(f"<td>{_cell(row, key, digits, lang)}</td>" for _, key, digits in _COLUMNS)
        rows.append(f"<tr><td>{swatch}{html.escape(style.label)}</td>{cells}</tr>")
    return (
        f'<div class="scroll" data-table="summary"><table><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="note">{html.escape(text("table_note", lang))}</p>'
    )


def answer(result: RunResult, *, lang: str = "en", summary: Any = None) -> str:
    """The measured answer in words: the strategy with most adopters, the cheapest
    adopter, and the paired difference between the two best strategies (for grouped
    strategy names, the best and the runner-up of each group).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> "Most adopters" in answer(simulate(s))
    True
    """
    frame = (result.to_frame("summary") if summary is None else summary).reset_index(drop=True)
    styles = plots.strategy_styles(result, lang)
    groups = list(dict.fromkeys(style.group for style in styles))

    def fmt(value: float, digits: int) -> str:
        return number(value, lang, digits)

    paragraphs = []
    for group in groups:
        rows = [i for i, style in enumerate(styles) if style.group == group]
        shown = {i: html.escape(term(styles[i].item, lang)) for i in rows}
        order = sorted(rows, key=lambda i: -frame["adopters"].iloc[i])
        best = frame.iloc[order[0]]
        parts = [
            text(
                "answer_most",
                lang,
                best=shown[order[0]],
                value=fmt(best["adopters"], 1),
                low=fmt(best["adopters_low"], 1),
                high=fmt(best["adopters_high"], 1),
            )
        ]
        costs = frame["cost_per_adoption"].to_numpy(np.float64)[rows]
        spent = frame["cost"].to_numpy(np.float64)[rows] > 0
        if group is None and np.isfinite(costs[spent]).any():
            cheapest_index = rows[int(np.nanargmin(np.where(spent, costs, np.nan)))]
            cheapest = frame.iloc[cheapest_index]
            parts.append(
                text(
                    "answer_cheapest",
                    lang,
                    best=shown[cheapest_index],
                    value=fmt(cheapest["cost_per_adoption"], 2),
                    low=fmt(cheapest["cost_per_adoption_low"], 2),
                    high=fmt(cheapest["cost_per_adoption_high"], 2),
                )
            )
        if len(order) > 1:
            table = metrics.compare(result, "adopters", best["strategy"])
            row = table[table["strategy"] == frame["strategy"].iloc[order[1]]].iloc[0]
            # best minus runner-up: positive when the best is ahead
            ahead = -row["difference"]
            ahead_low, ahead_high = -row["difference_high"], -row["difference_low"]
            clear = ahead_low > 0
            parts.append(
                text(
                    "answer_runner_up" if clear else "answer_tie",
                    lang,
                    other=shown[order[1]],
                    difference=fmt(ahead if clear else row["difference"], 1),
                    low=fmt(ahead_low if clear else row["difference_low"], 1),
                    high=fmt(ahead_high if clear else row["difference_high"], 1),
                )
            )
        prefix = "" if group is None else f"<b>{html.escape(term(group, lang))}</b>. "
        paragraphs.append(f"<p>{prefix}{' '.join(parts)}</p>")
    return "".join(paragraphs)


def customers_table(result: RunResult, *, lang: str = "en", summary: Any = None) -> str:
    """Customers and what they are worth per strategy, mean and 95 % interval, as an HTML
    table that scrolls sideways on a narrow screen (runs with ``lifecycle.enabled``)."""
    frame = result.to_frame("summary") if summary is None else summary
    return _strategy_table(result, frame, _CUSTOMER_COLUMNS, "customers", lang)


def _strategy_table(
    result: RunResult,
    frame: Any,
    columns: Sequence[tuple[str, str, int, float]],
    name: str,
    lang: str,
) -> str:
    """One row per strategy (its colour swatch and label), one cell per ``(heading key,
    summary column, digits, scale)``, then the note ``<name>_note``; scrolls sideways."""
    styles = plots.strategy_styles(result, lang)
    header = "".join(
        f"<th>{html.escape(text(key, lang))}</th>"
        for key in ("col_strategy", *(c[0] for c in columns))
    )
    rows = []
    for style, (_, row) in zip(styles, frame.iterrows(), strict=True):
        swatch = f'<span class="swatch" style="background:{style.color}"></span>'
        cells = "".join(
            f"<td>{_cell(row, key, digits, lang, scale)}</td>" for _, key, digits, scale in columns
        )
        rows.append(f"<tr><td>{swatch}{html.escape(style.label)}</td>{cells}</tr>")
    return (
        f'<div class="scroll" data-table="{name}"><table><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        f'<p class="note">{html.escape(text(f"{name}_note", lang))}</p>'
    )


def customers_story(result: RunResult, *, lang: str = "en", summary: Any = None) -> str:
    """Acquisition vs retention in words a student reads, with this run's numbers: how many
    sample trials became customers (the strategy with most trials), and how many customers
    the strategy with most customers kept, bought and was worth.

    Examples
    --------
    >>> from simulator.config import load_scenario
    >>> from simulator.engine.run import simulate
    >>> s = load_scenario(None, ["lifecycle.enabled=true", "simulation.steps=5",
    ...                          "simulation.replicates=3"])
    >>> "became customers" in customers_story(simulate(s))
    True
    """
    frame = (result.to_frame("summary") if summary is None else summary).reset_index(drop=True)
    styles = plots.strategy_styles(result, lang)
    name = lambda i: html.escape(term(styles[i].label, lang))  # noqa: E731
    # a mean over runs has one decimal, unless it is whole (every run gave 100 samples)
    fmt = lambda value, digits=1: number(  # noqa: E731
        value, lang, 0 if float(value).is_integer() else digits
    )
    trials = frame["trials"].to_numpy(np.float64)
    if (trials > 0).any():
        i = int(np.argmax(trials))
        row = frame.iloc[i]
        acquisition = text(
            "customers_acquisition",
            lang,
            strategy=name(i),
            trials=fmt(row["trials"]),
            converted=fmt(row["trial_customers"]),
            rate=fmt(100 * row["trial_conversion_rate"]),
            lost=fmt(row["trials"] - row["trial_customers"]),
        )
    else:
        acquisition = text("customers_no_trials", lang)
    i = int(np.argmax(frame["customers"].to_numpy(np.float64)))
    row = frame.iloc[i]
    retention = text(
        "customers_retention",
        lang,
        strategy=name(i),
        customers=fmt(row["customers"]),
        active=fmt(row["active_customers"]),
        days=number(float(result.days[-1]), lang, 0),
        purchases=fmt(row["purchases"], 0),
        revenue=fmt(row["revenue"], 0),
        clv=fmt(row["clv"], 0),
        cost=fmt(row["cost"], 0),
        cac=fmt(row["customer_acquisition_cost"], 2),
        replicates=result.strategies[0].replicates,
    )
    return (
        f'<div class="answer" data-story="customers"><p>{acquisition}</p><p>{retention}</p></div>'
    )


def talk_table(result: RunResult, *, lang: str = "en", summary: Any = None) -> str:
    """How well a word-of-mouth message converts, by the tie it travels, per strategy: an
    HTML section, or ``""`` when the run counted no messages by tie (talk response off).

    The course's first claim is that people trust a friend more than an acquaintance; the
    engine counts every message and the adoptions it tipped by tie kind
    (``conversion_per_message.*_ties`` in ``summary.csv``), shown here per 1,000 messages,
    with the word-of-mouth share of adoptions and the ratio of good to bad messages.

    Examples
    --------
    >>> from simulator.config import default_scenario_data, validate_scenario
    >>> from simulator.engine.run import simulate
    >>> data = default_scenario_data()
    >>> data["population"]["size"] = 600
    >>> data["simulation"].update(steps=30, replicates=4)
    >>> table = talk_table(simulate(validate_scenario(data)), lang="es")
    >>> table.count("<tr>"), "lazos fuertes" in table
    (7, True)
    """
    frame = result.to_frame("summary") if summary is None else summary
    kinds = [k for k in TIE_KINDS if f"conversion_per_message.{k}_ties" in frame.columns]
    if not kinds or "wom_share" not in frame.columns:
        return ""
    columns = [(f"talk_{k}", f"conversion_per_message.{k}_ties", 1, 1000.0) for k in kinds]
    columns += [("talk_share", "wom_share", 0, 100.0), ("talk_valence", "pwom_to_nwom", 1, 1.0)]
    return (
        f'<section data-section="talk"><h2>{html.escape(text("talk_section", lang))}</h2>'
        f"{_strategy_table(result, frame, columns, 'talk', lang)}</section>"
    )


def _customers_section(result: RunResult, lang: str, summary: Any) -> tuple[str, int]:
    """HTML of the customers section (runs with ``lifecycle.enabled``) and its number of
    figures; ``("", 0)`` for any other run. Its figures come first on the page, so the
    first carries plotly.js."""
    if not customers.has_customers(result):
        return "", 0
    figures = [
        ("active_customers", customers.active_customers_curves(result, lang=lang)),
        ("purchases", customers.purchases_per_step(result, lang=lang)),
        ("retention", customers.cohort_retention_curves(result, lang=lang)),
    ]
    blocks = "".join(
        f'<figure data-figure="{key}">{plots.figure_html(figure, index, lang)}</figure>'
        for index, (key, figure) in enumerate(figures)
    )
    section = (
        f'<section data-section="customers">'
        f"<h2>{html.escape(text('customers_section', lang))}</h2>"
        f"{customers_story(result, lang=lang, summary=summary)}"
        f"{customers_table(result, lang=lang, summary=summary)}{blocks}</section>"
    )
    return section, len(figures)


def network_history(result: RunResult) -> Trace | None:
    """One run of the strategy with most adopters, person by person, for the picture.

    Towns larger than :data:`NETWORK_PEOPLE` are drawn as a village of that size; towns
    built from loaded graphs cannot shrink and are not drawn above 2,000 people.
    """
    means = [strategy.series["adopters"][:, -1].mean() for strategy in result.strategies]
    best = result.strategies[int(np.argmax(means))].name
    scenario = result.scenario
    if scenario.population.size <= NETWORK_PEOPLE:
        return trace(scenario, best)
    if all(layer.kind in _DRAWABLE_LAYERS for layer in scenario.layers.values()):
        return trace(village(scenario, best, size=NETWORK_PEOPLE))
    if scenario.population.size <= 2000:
        return trace(scenario, best)
    return None


def report_figures(
    result: RunResult, *, lang: str = "en", history: Trace | None = None
) -> list[tuple[str, Any]]:
    """The report's figures as ``(key, Figure)`` pairs, in reading order.

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> [key for key, _ in report_figures(simulate(s))]
    ['adoption', 'difference', 'cost_per_adoption', 'reach_cost', 'attribution', 'conversion']
    """
    figures: list[tuple[str, Any]] = [("adoption", plots.adoption_curves(result, lang=lang))]
    if len(result.strategies) > 1:
        figures.append(("difference", plots.paired_differences(result, lang=lang)))
    if any(s.cost.sum() > 0 for s in result.strategies):
        figures.append(("cost_per_adoption", plots.cost_per_adoption(result, lang=lang)))
        figures.append(("reach_cost", plots.reach_vs_cost(result, lang=lang)))
    figures.append(("attribution", plots.attribution(result, lang=lang)))
    if any(s.messages.sum() > 0 for s in result.strategies):
        figures.append(("conversion", plots.conversion_per_contact(result, lang=lang)))
    if history is not None:
        figures.append(("spread", plots.spread_animation(history, lang=lang)))
    return figures


def _setup(result: RunResult, lang: str) -> str:
    """The line saying how the result was made: people, runs, steps, seed."""
    simulation = result.scenario.simulation
    return text(
        "setup",
        lang,
        people=number(result.scenario.population.size, lang),
        replicates=simulation.replicates,
        steps=simulation.steps,
        dt=f"{simulation.dt:g}",
        unit=text(f"unit_{simulation.time_unit}", lang),
        seed=simulation.seed,
    )


def _spread_caption(history: Trace | None, people: int, lang: str) -> str:
    """Caption of the spread animation: which run it shows (a smaller village, or the
    town of ``people`` itself), then how to read it."""
    village = history is not None and history.size < people
    which = text(
        "network_caption" if village else "network_caption_same",
        lang,
        people=number(history.size, lang) if history is not None else "",
    )
    play = f"«{text('play', lang)}»" if lang == "es" else f"“{text('play', lang)}”"
    return f"{which} {text('network_legend', lang, play=play)}"


def _figure_blocks(
    figures: list[tuple[str, Any]],
    history: Trace | None,
    people: int,
    lang: str,
    first_index: int = 0,
) -> list[str]:
    """HTML of the figures: a heading, then one ``<figure>`` each; the spread animation
    under its own heading, with a caption. ``first_index`` is the page's number of the
    first (0: it carries plotly.js)."""
    blocks = []
    for index, (key, figure) in enumerate(figures, start=first_index):
        if key == "spread":
            caption = _spread_caption(history, people, lang)
            blocks.append(f"<h2>{html.escape(text('network_section', lang))}</h2>")
            blocks.append(
                f'<figure data-figure="{key}">{plots.figure_html(figure, index, lang)}'
                f"<figcaption>{html.escape(caption)}</figcaption></figure>"
            )
            continue
        if index == first_index:
            blocks.append(f"<h2>{html.escape(text('figures', lang))}</h2>")
        blocks.append(
            f'<figure data-figure="{key}">{plots.figure_html(figure, index, lang)}</figure>'
        )
    return blocks


def render_report(
    result: RunResult,
    *,
    lang: str = "en",
    network: bool = True,
    extra_provenance: Mapping[str, Any] | None = None,
    summary: Any = None,
    history: Trace | None = None,
) -> str:
    """The whole report as one HTML page (plotly.js inline, no network needed).

    Parameters
    ----------
    result : RunResult
    lang : {"en", "es"}
        Language of every label and text.
    network : bool
        Add the spread animation (one extra run of the best strategy, see
        :func:`network_history`).
    extra_provenance : mapping, optional
        More provenance to list (e.g. the command line).
    summary : DataFrame, optional
        ``result.to_frame("summary")``, when already computed.
    history : Trace, optional
        The run to animate, when already traced (see :func:`network_history`).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> page = render_report(simulate(s), network=False)
    >>> page.count('class="plotly-graph-div"'), '<script src="http' in page  # 3 of customers
    (9, False)
    """
    summary = result.to_frame("summary") if summary is None else summary
    if network and history is None:
        history = network_history(result)
    elif not network:
        history = None
    figures = report_figures(result, lang=lang, history=history)
    scenario = result.scenario
    title = html.escape(term(scenario.title, lang))
    setup = _setup(result, lang)
    customers_html, customer_figures = _customers_section(result, lang, summary)
    blocks = _figure_blocks(
        figures, history, scenario.population.size, lang, first_index=customer_figures
    )
    style = _STYLE + PAGE_CSS
    results_table = summary_table(result, lang=lang, summary=summary)
    provenance = {**result.provenance, **(extra_provenance or {})}
    page = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
<script>{_ERROR_CATCHER % json.dumps(text("script_error", lang))}</script>
</head>
<body>
<main data-figures="{len(figures) + customer_figures}">
<div id="wom-errors" role="alert"></div>
<p class="kicker">{html.escape(text("report_title", lang))} · {html.escape(text("question", lang))}</p>
<h1>{title}</h1>
<p class="setup">{html.escape(setup)}</p>
<h2>{html.escape(text("answer", lang))}</h2>
<div class="answer">{question_answer(result, lang=lang)}{answer(result, lang=lang, summary=summary)}</div>
<h2>{html.escape(text("summary", lang))}</h2>
{results_table}
{customers_html}{talk_table(result, lang=lang, summary=summary)}{"".join(blocks)}
<h2>{html.escape(text("config", lang))}</h2>
<p class="note">{html.escape(text("config_caption", lang))}</p>
<details><summary>{html.escape(text("show", lang))}</summary>
<pre>{html.escape(scenario_to_toml(scenario, comments=False))}</pre></details>
<h2>{html.escape(text("provenance", lang))}</h2>
<details><summary>{html.escape(text("show", lang))}</summary>
<pre>{html.escape(json.dumps(provenance, indent=2, sort_keys=True, default=str))}</pre></details>
<footer>{html.escape(text("generated", lang))}</footer>
</main>
</body>
</html>
"""
    return page


def write_report(
    path: str | Path,
    result: RunResult,
    *,
    lang: str = "en",
    network: bool = True,
    extra_provenance: Mapping[str, Any] | None = None,
    summary: Any = None,
) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    page = render_report(
        result, lang=lang, network=network, extra_provenance=extra_provenance, summary=summary
    )
    path.write_text(page, encoding="utf-8")
    return path
