"""What ``wom run`` prints: the town, the table of results and a one-line verdict, in English
or Spanish, within :data:`WIDTH` columns.

Each cell is the mean and its 95 % interval written as ``mean ±half-width`` (an interval
that is not symmetric at the shown precision is written ``mean [low, high]``), so a table
of seven strategies and five metrics fits a terminal of 100 columns.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd

from simulator import metrics
from simulator.metrics.incremental import baseline_of, incremental_table
from simulator.results import RunResult
from simulator.views.i18n import number, term

WIDTH = 100
"""Columns of the widest line printed."""

TERMINAL_TEXT: dict[str, dict[str, str]] = {
    "setup": {
        "en": "A town of {people} people; {replicates} runs per strategy, {days} {unit}, "
        "seed {seed}. Each cell: mean ±half of its 95 % interval.",
        "es": "Un pueblo de {people} personas; {replicates} simulaciones por estrategia, "
        "{days} {unit}, semilla {seed}. Cada celda: media ±la mitad de su intervalo del 95 %.",
    },
    "strategy": {"en": "strategy", "es": "estrategia"},
    "adopters": {"en": "adopters", "es": "clientes"},
    "reach": {"en": "reach|(people)", "es": "alcance|(personas)"},
    "cost": {"en": "cost (€)", "es": "coste (€)"},
    "cost_per_adoption": {"en": "€ per|adopter", "es": "€ por|cliente"},
    "wom_multiplier": {"en": "word-of-mouth|multiplier", "es": "multiplicador|boca a boca"},
    "customers_title": {
        "en": "Customers (a free sample is a trial, not a customer)",
        "es": "Clientes (una muestra gratuita es una prueba, no un cliente)",
    },
    "customers": {"en": "customers", "es": "clientes"},
    "revenue": {"en": "revenue (€)", "es": "ingresos (€)"},
    "clv": {"en": "lifetime|value (€)", "es": "valor del|cliente (€)"},
    "customer_acquisition_cost": {"en": "€ per|customer", "es": "€ por cliente|conseguido"},
    "roi": {"en": "return|(%)", "es": "rentabilidad|(%)"},
    "verdict": {
        "en": "Verdict: most adopters with {best}, {value} ±{half}",
        "es": "Veredicto: más clientes con {best}, {value} ±{half}",
    },
    "verdict_customers": {
        "en": "Verdict: most customers with {best}, {value} ±{half}",
        "es": "Veredicto: más clientes con {best}, {value} ±{half}",
    },
    "verdict_cheapest_added": {
        "en": " Lowest cost per added customer: {best}, {value}.",
        "es": " Menor coste por cliente añadido: {best}, {value}.",
    },
    "verdict_cheapest_added_same": {
        "en": " It is also the cheapest: {value} per added customer.",
        "es": " Es también la más barata: {value} por cliente añadido.",
    },
    "verdict_ahead": {
        "en": "; {difference} ±{half} more than {other} (paired runs).",
        "es": "; {difference} ±{half} más que {other} (emparejadas).",
    },
    "verdict_tie": {
        "en": "; no clear difference from {other} ({difference} ±{half}): more runs would tell.",
        "es": "; sin diferencia clara con {other} ({difference} ±{half}): harían falta más "
        "simulaciones.",
    },
    "verdict_cheapest": {
        "en": " Lowest cost per adopter: {best}, {value}.",
        "es": " Menor coste por cliente: {best}, {value}.",
    },
    "verdict_cheapest_same": {
        "en": " It is also the cheapest: {value} per adopter.",
        "es": " Es también la más barata: {value} por cliente.",
    },
    "added_title": {
        "en": "Over '{baseline}' (paired runs; walk-ins buy with no campaign)",
        "es": "Frente a '{baseline}' (simulaciones emparejadas; hay quien compra sin campaña)",
    },
    "incremental": {"en": "added|customers", "es": "clientes|añadidos"},
    "incremental_clv": {"en": "added|value (€)", "es": "valor|añadido (€)"},
    "cost_per_incremental": {"en": "€ per added|customer", "es": "€ por cliente|añadido"},
    "days": {"en": "days", "es": "días"},
    "na": {"en": "n/a", "es": "n/d"},
}
"""Every word the terminal prints; ``|`` splits a column title over two lines."""

COLUMNS = (
    ("adopters", 1, 1.0),
    ("reach", 0, 1.0),
    ("cost", 0, 1.0),
    ("cost_per_adoption", 2, 1.0),
    ("wom_multiplier", 2, 1.0),
)
"""The results table: (summary column, digits, scale)."""

CUSTOMER_COLUMNS = (
    ("customers", 1, 1.0),
    ("revenue", 0, 1.0),
    ("clv", 0, 1.0),
    ("customer_acquisition_cost", 2, 1.0),
    ("roi", 0, 100.0),
)
"""The customers table of a run with ``lifecycle.enabled``."""

ADDED_COLUMNS = (
    ("incremental", 1, 1.0),
    ("incremental_clv", 0, 1.0),
    ("cost_per_incremental", 2, 1.0),
)
"""What each strategy adds over one that runs no channel (paired replicates)."""


def _t(key: str, lang: str, **values: Any) -> str:
    template = TERMINAL_TEXT[key][lang]
    return template.format(**values) if values else template


def cell(row: Any, name: str, digits: int, lang: str = "en", scale: float = 1.0) -> str:
    """A mean and its 95 % interval as ``mean ±half`` (``mean [low, high]`` when the
    interval is not symmetric at ``digits``).

    Examples
    --------
    >>> cell({"x": 8.4, "x_low": 8.27, "x_high": 8.53}, "x", 2, "es")
    '8,40 ±0,13'
    >>> cell({"x": 5.0, "x_low": 1.0, "x_high": 12.0}, "x", 1)
    '5.0 [1.0, 12.0]'
    """
    mean, low, high = (row[name] * scale, row[f"{name}_low"] * scale, row[f"{name}_high"] * scale)
    if mean != mean:  # NaN
        return _t("na", lang)
    shown = number(mean, lang, digits)
    if low != low or high != high or number(low, lang, digits) == number(high, lang, digits):
        return shown  # no interval, or one too narrow to show (a budget spent in every run)
    below, above = round(mean - low, digits), round(high - mean, digits)
    if abs(below - above) <= 10.0**-digits:
        return f"{shown} ±{number((high - low) / 2, lang, digits)}"
    return f"{shown} [{number(low, lang, digits)}, {number(high, lang, digits)}]"


def table(frame: pd.DataFrame, columns: Any, lang: str = "en") -> str:
    """Rows of ``frame`` as aligned text, column titles over two lines where they are long.

    Examples
    --------
    >>> frame = pd.DataFrame({"strategy": ["radio"], "cost": [984.0], "cost_low": [984.0],
    ...                       "cost_high": [984.0]})
    >>> print(table(frame, [("cost", 0, 1.0)], "es"))
    estrategia  coste (€)
    ----------  ---------
    radio             984

    Grouped names (``"group: item"``) are printed under a line for each group, and names
    too long for :data:`WIDTH` are cut with an ellipsis.
    """
    titles = [_t("strategy", lang), *(_t(name, lang) for name, _, _ in columns)]
    split = [title.split("|") for title in titles]
    depth = max(len(parts) for parts in split)
    header = [[""] * (depth - len(parts)) + parts for parts in split]
    names = [term(str(name), lang) for name in frame["strategy"]]
    grouped = len(names) > 1 and all(": " in name for name in names)
    rows, groups = [], []
    for name, (_, row) in zip(names, frame.iterrows(), strict=True):
        group, item = name.split(": ", 1) if grouped else ("", name)
        groups.append(group)
        shown = f"  {item}" if grouped else item
        rows.append([shown, *(cell(row, n, d, lang, s) for n, d, s in columns)])
    widths = [
        max(*(len(line) for line in header[i]), *(len(r[i]) for r in rows))
        for i in range(len(titles))
    ]
    room = WIDTH - sum(widths[1:]) - 2 * (len(widths) - 1)
    if widths[0] > room >= 12:
        widths[0] = room
        for r in rows:
            r[0] = r[0] if len(r[0]) <= room else r[0][: room - 1] + "…"

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    heading = [line([header[i][level] for i in range(len(titles))]) for level in range(depth)]
    body = []
    for index, (group, r) in enumerate(zip(groups, rows, strict=True)):
        if grouped and (index == 0 or groups[index - 1] != group):
            body.append(group)
        body.append(line(r))
    return "\n".join([*heading, line(["-" * w for w in widths]), *body])


def verdict(result: RunResult, frame: pd.DataFrame, lang: str = "en") -> str:
    """One sentence: the strategy with most customers (adopters without the lifecycle), how
    far ahead of the runner-up (paired runs), and the lowest cost per customer it added
    over a strategy with no channel (per adopter when there is none).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> result = simulate(s)
    >>> verdict(result, result.to_frame("summary")).startswith("Verdict: most customers with")
    True
    """
    frame = frame.reset_index(drop=True)
    counted = "customers" if "customers" in frame.columns else "adopters"
    order = np.argsort(-frame[counted].to_numpy(np.float64), kind="stable")
    best = frame.iloc[order[0]]
    name = lambda row: term(str(row["strategy"]), lang)  # noqa: E731
    sentence = _t(
        "verdict_customers" if counted == "customers" else "verdict",
        lang,
        best=name(best),
        value=number(best[counted], lang, 1),
        half=number((best[f"{counted}_high"] - best[f"{counted}_low"]) / 2, lang, 1),
    )
    if len(frame) > 1:
        other = frame.iloc[order[1]]
        paired = metrics.compare(result, counted, str(best["strategy"]))
        row = paired[paired["strategy"] == other["strategy"]].iloc[0]
        ahead, half = -row["difference"], (row["difference_high"] - row["difference_low"]) / 2
        clear = -row["difference_high"] > 0
        sentence += _t(
            "verdict_ahead" if clear else "verdict_tie",
            lang,
            other=name(other),
            difference=number(ahead, lang, 1),
            half=number(half, lang, 1),
        )
    else:
        sentence += "."
    # With a baseline, the cost that matters is per customer the strategy added.
    baseline = baseline_of(result)
    prices, key, texts = frame, "cost_per_adoption", ("verdict_cheapest", "verdict_cheapest_same")
    if baseline is not None:
        prices = incremental_table(result, baseline)
        key = "cost_per_incremental"
        texts = ("verdict_cheapest_added", "verdict_cheapest_added_same")
    costs = np.where(frame["cost"] > 0, prices[key], np.nan).astype(np.float64)
    if np.isfinite(costs).any():
        cheapest = prices.iloc[int(np.nanargmin(costs))]
        shown = cell(cheapest, key, 2, lang)
        euros = f"{shown} €" if lang == "es" else f"€{shown}"
        if cheapest["strategy"] == best["strategy"]:
            sentence += _t(texts[1], lang, value=euros)
        else:
            sentence += _t(texts[0], lang, best=name(cheapest), value=euros)
    return sentence


def run_text(result: RunResult, frame: pd.DataFrame, lang: str = "en") -> str:
    """Everything ``wom run`` prints after simulating: title, town, tables, verdict; no line
    is wider than :data:`WIDTH` (long titles and the verdict are wrapped).

    Examples
    --------
    >>> from simulator.config import default_scenario
    >>> from simulator.engine.run import simulate
    >>> s = default_scenario().model_copy(update={"simulation": __import__(
    ...     "simulator.config").config.Simulation(steps=5, replicates=3)})
    >>> result = simulate(s)
    >>> shown = run_text(result, result.to_frame("summary"), "es")
    >>> "Un pueblo de 5.000 personas" in shown, max(map(len, shown.splitlines())) <= WIDTH
    (True, True)
    """
    scenario = result.scenario
    simulation = scenario.simulation
    wrap = lambda words: textwrap.fill(words, WIDTH)  # noqa: E731
    parts = [
        wrap(term(scenario.title, lang)),
        wrap(
            _t(
                "setup",
                lang,
                people=number(scenario.population.size, lang),
                replicates=simulation.replicates,
                days=number(simulation.steps * simulation.step_days, lang),
                unit=_t("days", lang),
                seed=simulation.seed,
            )
        ),
        "",
        table(frame, COLUMNS, lang),
    ]
    if "customers" in frame.columns:
        parts += ["", _t("customers_title", lang), table(frame, CUSTOMER_COLUMNS, lang)]
    baseline = baseline_of(result)
    if baseline is not None:
        added = incremental_table(result, baseline)
        columns = [c for c in ADDED_COLUMNS if c[0] in added.columns]
        title = _t("added_title", lang, baseline=term(baseline, lang))
        parts += ["", wrap(title), table(added, columns, lang)]
    parts += ["", wrap(verdict(result, frame, lang))]
    return "\n".join(parts)


__all__ = [
    "ADDED_COLUMNS",
    "COLUMNS",
    "CUSTOMER_COLUMNS",
    "WIDTH",
    "cell",
    "run_text",
    "table",
    "verdict",
]
