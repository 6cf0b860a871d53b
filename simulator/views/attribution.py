"""The attribution lab's page: rules against the truth, the verdict, and a referral tree.

One self-contained HTML page in Spanish or English (plotly.js inline, no network), made
from an :class:`simulator.studies.attribution.Attribution` (passed in; this module does
not import the study) and a small village's referral tree.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from simulator.views.figures import figure_html
from simulator.views.i18n import number, term
from simulator.views.style import PALETTE, channel_color, figure_layout

TEXT: dict[str, dict[str, str]] = {
    "title": {
        "en": "Which attribution rule tells the truth?",
        "es": "¿Qué regla de atribución dice la verdad?",
    },
    "setup": {
        "en": "Strategy “{strategy}”: {channels}. {replicates} replicates of {people} people, "
        "{days} days. The truth: each channel's Shapley value over paired runs with channels "
        "switched off (same seed; {shapley} over {coalitions} subsets of channels).",
        "es": "Estrategia «{strategy}»: {channels}. {replicates} réplicas de {people} personas, "
        "{days} días. La verdad: el valor de Shapley de cada canal en corridas pareadas con "
        "canales apagados (misma semilla; {shapley} sobre {coalitions} subconjuntos de canales).",
    },
    "exact": {"en": "exact", "es": "exacto"},
    "sampled": {"en": "sampled", "es": "muestreado"},
    "verdict": {
        "en": "Verdict: which rule would have misled you",
        "es": "Veredicto: qué regla le habría engañado",
    },
    "verdict_note": {
        "en": "Misplaced: share of customers a rule credits to the wrong channel. Worst error: "
        "credited minus true incremental customers, with its 95 % interval over replicates.",
        "es": "Mal asignados: proporción de clientes que la regla acredita al canal equivocado. "
        "Peor error: clientes acreditados menos clientes incrementales verdaderos, con su "
        "intervalo del 95 % entre réplicas.",
    },
    "rule": {"en": "rule", "es": "regla"},
    "misplaced": {"en": "misplaced", "es": "mal asignados"},
    "worst": {"en": "worst channel", "es": "peor canal"},
    "worst_error": {"en": "worst error (customers)", "es": "peor error (clientes)"},
    "best": {
        "en": "best channel by the rule (truly)",
        "es": "mejor canal según la regla (en verdad)",
    },
    "chart": {
        "en": "Customers credited by each rule against the truth",
        "es": "Clientes acreditados por cada regla frente a la verdad",
    },
    "chart_note": {
        "en": "bars: rules; black diamonds: true incremental customers (Shapley), 95 % intervals",
        "es": "barras: reglas; rombos negros: clientes incrementales verdaderos (Shapley), intervalos del 95 %",
    },
    "truth": {"en": "truth (Shapley)", "es": "verdad (Shapley)"},
    "customers": {"en": "customers", "es": "clientes"},
    "table": {"en": "Every rule, every channel", "es": "Todas las reglas, todos los canales"},
    "channel": {"en": "channel", "es": "canal"},
    "credited": {"en": "credited", "es": "acreditados"},
    "removal": {"en": "lost without it", "es": "perdidos sin él"},
    "error": {"en": "error", "es": "error"},
    "wom": {
        "en": "Word of mouth from the referral tree",
        "es": "El boca a boca según el árbol de referidos",
    },
    "wom_note": {
        "en": "Generation 0: customers won without a referrer (channels, page shares); generation g + 1 "
        "were tipped by a message from a customer of generation g. K-factor: customers of the next "
        "generation per customer.",
        "es": "Generación 0: clientes ganados sin referente (canales, compartidos de la página); la "
        "generación g + 1 la convenció un mensaje de un cliente de la generación g. Factor K: clientes "
        "de la generación siguiente por cliente.",
    },
    "metric": {"en": "metric", "es": "métrica"},
    "generation": {"en": "generation", "es": "generación"},
    "mean": {"en": "mean [95 %]", "es": "media [95 %]"},
    "tree": {
        "en": "Who convinced whom: the referral tree of a village",
        "es": "Quién convenció a quién: el árbol de referidos de una aldea",
    },
    "tree_note": {
        "en": "one replicate, {people} people; each customer under her referrer, coloured by the channel that won the tree's root",
        "es": "una réplica, {people} personas; cada cliente bajo su referente, con el color del canal que ganó la raíz del árbol",
    },
    "organic": {"en": "organic", "es": "orgánico"},
    "word of mouth": {"en": "word of mouth", "es": "boca a boca"},
    "background": {"en": "background", "es": "fondo"},
    "last_touch": {"en": "last touch", "es": "último contacto"},
    "first_touch": {"en": "first touch", "es": "primer contacto"},
    "linear": {"en": "linear", "es": "lineal"},
    "time_decay": {"en": "time decay", "es": "decaimiento temporal"},
    "position_based": {"en": "position based 40/20/40", "es": "por posición 40/20/40"},
    "markov": {"en": "Markov removal effect", "es": "efecto de eliminación de Markov"},
    "shapley_paths": {"en": "Shapley on paths", "es": "Shapley sobre rutas"},
    "customers_per_referrer": {"en": "customers per referrer", "es": "clientes por referente"},
    "k_factor": {"en": "K-factor", "es": "factor K"},
    "share": {"en": "share of customers", "es": "proporción de clientes"},
    "depth": {"en": "deepest generation", "es": "generación más profunda"},
    "mean_generation": {"en": "mean generation", "es": "generación media"},
    "all": {"en": "all", "es": "todas"},
}


def _t(key: str, lang: str, **values: Any) -> str:
    template = TEXT[key][lang] if key in TEXT else term(key, lang)
    return template.format(**values) if values else template


def _interval(mean: float, low: float, high: float, lang: str, digits: int = 1) -> str:
    if low != low:
        return number(mean, lang, digits)
    return (
        f"{number(mean, lang, digits)} [{number(low, lang, digits)}, {number(high, lang, digits)}]"
    )


def rules_against_truth(attribution: Any, *, lang: str = "en") -> go.Figure:
    """Grouped bars: customers each rule credits per channel; the truth as diamonds."""
    table = attribution.table
    columns = list(dict.fromkeys(table["channel"]))
    labels = [_t(c, lang) for c in columns]
    fig = go.Figure()
    for index, (rule, part) in enumerate(table.groupby("rule", sort=False)):
        fig.add_bar(
            name=_t(str(rule), lang),
            x=labels,
            y=part["credited"],
            marker_color=PALETTE[index % len(PALETTE)],
        )
    truth = table[table["rule"] == table["rule"].iloc[0]]
    fig.add_scatter(
        name=_t("truth", lang),
        x=labels,
        y=truth["truth"],
        mode="markers",
        marker={"symbol": "diamond", "size": 13, "color": "black"},
        error_y={
            "type": "data",
            "array": (truth["truth_high"] - truth["truth"]).fillna(0),
            "arrayminus": (truth["truth"] - truth["truth_low"]).fillna(0),
            "color": "black",
        },
    )
    return figure_layout(
        fig,
        _t("chart", lang),
        _t("chart_note", lang),
        lang,
        barmode="group",
        yaxis_title=_t("customers", lang),
    )


def tree_positions(
    customer: np.ndarray, referrer: np.ndarray, generation: np.ndarray
) -> np.ndarray:
    """x of each customer in a tidy drawing: leaves side by side, a parent over its children.

    Examples
    --------
    >>> tree_positions(np.array([1, 2, 3]), np.array([-1, 1, 1]), np.array([0, 1, 1])).tolist()
    [0.5, 0.0, 1.0]
    """
    index = {int(c): i for i, c in enumerate(customer)}
    children: list[list[int]] = [[] for _ in customer]
    roots = []
    for i, parent in enumerate(referrer):  # a village: a few hundred customers
        if parent >= 0 and int(parent) in index:
            children[index[int(parent)]].append(i)
        else:
            roots.append(i)
    x = np.zeros(customer.size)
    next_leaf = 0.0
    for root in sorted(roots, key=lambda r: -len(children[r])):
        stack: list[tuple[int, bool]] = [(root, False)]
        while stack:  # depth first, without recursion
            node, done = stack.pop()
            if not children[node]:
                x[node], next_leaf = next_leaf, next_leaf + 1.0
            elif done:
                x[node] = float(np.mean(x[children[node]]))
            else:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children[node]))
    return x


def referral_tree(
    referrals: pd.DataFrame,
    *,
    lang: str = "en",
    people: int = 0,
    colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """The referral tree of one replicate: generation down, customers under their referrer,
    each in the colour of the channel that won its tree's root (``colors``, by channel name;
    others take the palette)."""
    customer = referrals["customer"].to_numpy()
    referrer = referrals["referrer"].to_numpy()
    generation = referrals["generation"].to_numpy()
    x = tree_positions(customer, referrer, generation)
    y = -generation.astype(float)
    index = {int(c): i for i, c in enumerate(customer)}
    root = np.arange(customer.size)
    for _ in range(int(generation.max(initial=0))):  # climb one generation per pass
        parents = np.array([index.get(int(referrer[r]), r) for r in root])
        root = np.where(referrer[root] >= 0, parents, root)
    won_by = referrals["channel"].astype(str).to_numpy()[root]
    fig = go.Figure()
    edges_x: list[float | None] = []
    edges_y: list[float | None] = []
    for i, parent in enumerate(referrer):
        if parent >= 0 and int(parent) in index:
            j = index[int(parent)]
            edges_x += [x[j], x[i], None]
            edges_y += [y[j], y[i], None]
    fig.add_scatter(
        x=edges_x,
        y=edges_y,
        mode="lines",
        line={"color": "#bbb", "width": 1},
        hoverinfo="skip",
        showlegend=False,
    )
    for index_colour, channel in enumerate(dict.fromkeys(won_by)):
        mine = won_by == channel
        fig.add_scatter(
            name=_t(str(channel), lang),
            x=x[mine],
            y=y[mine],
            mode="markers",
            marker={
                "size": 8,
                "color": (colors or {}).get(channel, PALETTE[index_colour % len(PALETTE)]),
            },
            text=[
                f"{c} ← {r}" if r >= 0 else str(c)
                for c, r in zip(customer[mine], referrer[mine], strict=True)
            ],
            hoverinfo="text",
        )
    return figure_layout(
        fig,
        _t("tree", lang),
        _t("tree_note", lang, people=people),
        lang,
        xaxis={"visible": False},
        yaxis={
            "title": _t("generation", lang),
            "tickvals": sorted(set(y.tolist())),
            "ticktext": [str(int(-v)) for v in sorted(set(y.tolist()))],
        },
    )


def _verdict_table(attribution: Any, lang: str) -> str:
    head = "".join(
        f"<th>{html.escape(_t(k, lang))}</th>"
        for k in ("rule", "misplaced", "worst", "worst_error", "best")
    )
    rows = []
    for _, row in attribution.verdict.iterrows():
        best = f"{_t(row['best_channel_by_rule'], lang)} ({_t(row['best_channel_truly'], lang)})"
        rows.append(
            "<tr>"
            f"<td>{html.escape(_t(row['rule'], lang))}</td>"
            f"<td>{number(100 * row['misplaced_share'], lang, 1)} %</td>"
            f"<td>{html.escape(_t(row['worst_channel'], lang))}</td>"
            f"<td>{_interval(row['worst_error'], row['worst_error_low'], row['worst_error_high'], lang)}</td>"
            f"<td>{'✓' if row['picks_best'] else '✗'} {html.escape(best)}</td>"
            "</tr>"
        )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _full_table(attribution: Any, lang: str) -> str:
    keys = ("rule", "channel", "credited", "truth", "removal", "error")
    head = "".join(f"<th>{html.escape(_t(k, lang))}</th>" for k in keys)
    rows = []
    for _, row in attribution.table.iterrows():
        cells = [
            _t(row["rule"], lang),
            _t(row["channel"], lang),
            _interval(row["credited"], row["credited_low"], row["credited_high"], lang),
            _interval(row["truth"], row["truth_low"], row["truth_high"], lang),
            _interval(
                row["removal_effect"], row["removal_effect_low"], row["removal_effect_high"], lang
            ),
            _interval(row["error"], row["error_low"], row["error_high"], lang),
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _wom_table(wom: pd.DataFrame, lang: str) -> str:
    head = "".join(f"<th>{html.escape(_t(k, lang))}</th>" for k in ("metric", "generation", "mean"))
    rows = []
    for _, row in wom.iterrows():
        digits = 1 if row["metric"] in ("customers", "depth") else 3
        generation = (
            _t("all", lang)
            if row["generation"] != row["generation"]
            else str(int(row["generation"]))
        )
        cells = [
            _t(row["metric"], lang),
            generation,
            _interval(row["mean"], row["low"], row["high"], lang, digits),
        ]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
h2 { border-bottom: 2px solid #009E73; padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { padding: 5px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { color: #555; font-size: 0.92em; }
"""


def render_attribution(
    attribution: Any, tree: pd.DataFrame | None = None, *, lang: str = "en", tree_people: int = 0
) -> str:
    """The whole page as HTML (plotly.js inline once)."""
    scenario = attribution.scenario
    setup = _t(
        "setup",
        lang,
        strategy=term(attribution.strategy, lang),
        channels=", ".join(term(c, lang) for c in attribution.channels),
        replicates=attribution.replicates,
        people=number(scenario.population.size, lang),
        days=number(scenario.simulation.steps * scenario.simulation.step_days, lang),
        shapley=_t(attribution.shapley, lang),
        coalitions=len(attribution.coalitions),
    )
    figures = [figure_html(rules_against_truth(attribution, lang=lang), 0, lang)]
    if tree is not None and len(tree):
        figures.append(
            figure_html(
                referral_tree(
                    tree,
                    lang=lang,
                    people=tree_people,
                    colors={n: channel_color(c) for n, c in scenario.channels.items()},
                ),
                1,
                lang,
            )
        )
    title = html.escape(_t("title", lang))
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{_STYLE}</style></head>
<body><main data-figures="{len(figures)}">
<h1>{title}</h1>
<p class="note">{html.escape(setup)}</p>
<h2>{html.escape(_t("verdict", lang))}</h2>
<p class="note">{html.escape(_t("verdict_note", lang))}</p>
{_verdict_table(attribution, lang)}
<figure>{figures[0]}</figure>
<h2>{html.escape(_t("wom", lang))}</h2>
<p class="note">{html.escape(_t("wom_note", lang))}</p>
{_wom_table(attribution.wom, lang)}
{"".join(f"<figure>{f}</figure>" for f in figures[1:])}
<h2>{html.escape(_t("table", lang))}</h2>
{_full_table(attribution, lang)}
<details><summary>provenance</summary><pre>{html.escape(json.dumps({"seed": scenario.simulation.seed, "strategy": attribution.strategy}))}</pre></details>
</main></body></html>
"""
