"""The answer to an experiment's own question (its ``[question]`` table): the measured paired
difference with its 95 % interval, and the spread of single runs, in the report's language.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np

from simulator import metrics
from simulator.results import RunResult
from simulator.views.i18n import number, term, text

__all__ = ["answer_markdown", "question_answer"]

_QUESTION_COLUMNS = {
    "adopters": "col_adopters",
    "customers": "col_customers",
    "reach": "col_reach",
    "cost_per_adoption": "col_cost_per_adoption",
    "customer_acquisition_cost": "col_cac",
    "revenue": "col_revenue",
    "clv": "col_clv",
}
"""The column title that names each metric a ``[question]`` may compare."""


_FIRST_ADOPTION = {"customers": "adopters", "customer_acquisition_cost": "cost_per_adoption"}
"""What a question's customer metric becomes when customers have no lifecycle."""

_PER_RUN = ("adopters", "customers", "reach", "revenue", "clv")
"""Question metrics with a value per run, whose spread the answer states (a prediction band)."""


def question_answer(result: RunResult, *, lang: str = "en") -> str:
    """The experiment's own question and its answer, measured: ``strategy`` minus
    ``against`` in the question's metric, paired run by run, with its 95 % interval
    (empty when the scenario has no ``[question]``).

    Examples
    --------
    >>> from simulator import config as cfg
    >>> from simulator.engine.run import simulate
    >>> data = cfg.default_scenario().model_dump(mode="json")
    >>> data["simulation"].update(steps=20, replicates=6, block_size=6)
    >>> data["question"] = {"ask": {"en": "Do friends beat ads?", "es": "¿Ganan los amigos?"},
    ...                     "strategy": "word of mouth", "against": "no campaign"}
    >>> box = question_answer(simulate(cfg.validate_scenario(data)), lang="es")
    >>> "¿Ganan los amigos?" in box, "Boca a boca frente a sin campaña" in box
    (True, True)
    """
    question = result.scenario.question
    names = {strategy.name for strategy in result.strategies}
    if question is None or not {question.strategy, question.against} <= names:
        return ""
    metric: str = question.metric
    if metric not in metrics.comparable_metrics(result):
        # without the lifecycle (lifecycle.enabled = false) a first adoption is the customer
        metric = _FIRST_ADOPTION.get(metric, "")
        if metric not in metrics.comparable_metrics(result):
            return ""
    sentence, verdict, spread = _measured(
        result,
        question.strategy,
        question.against,
        metric,
        lang,
        escape=html.escape,
        name=html.escape,
    )
    return (
        f'<p class="question"><b>{html.escape(question.text(lang))}</b></p>'
        f'<p>{sentence} {verdict}<span class="spread">{" " + spread if spread else ""}</span></p>'
    )


def _measured(
    result: RunResult,
    strategy_name: str,
    against_name: str,
    metric: str,
    lang: str,
    *,
    escape: Callable[[str], str],
    name: Callable[[str], str],
    unit: str | None = None,
) -> tuple[str, str, str]:
    """The paired difference ``strategy_name - against_name`` in ``metric`` as a sentence,
    its verdict, and the 5-95 % spread of single paired runs ("" for a ratio of means).

    Strategy names pass through ``name`` and other words through ``escape`` (HTML or
    markdown); ``unit`` names the metric (its column title by default)."""
    table = metrics.compare(result, metric, reference=against_name)
    row = table[table["strategy"] == strategy_name].iloc[0]
    digits = 2 if metric in ("cost_per_adoption", "customer_acquisition_cost") else 1
    difference, low, high = row["difference"], row["difference_low"], row["difference_high"]
    shown = number(difference, lang, digits)
    if difference > 0:
        shown = "+" + shown
    strategy, against = (name(term(each, lang)) for each in (strategy_name, against_name))
    sentence = text(
        "question_answer",
        lang,
        strategy=strategy,
        against=against,
        difference=shown,
        metric=escape(unit or text(_QUESTION_COLUMNS[metric], lang)),
        low=number(low, lang, digits),
        high=number(high, lang, digits),
    )
    if low > 0:
        verdict = text("question_more", lang, strategy=strategy)
    elif high < 0:
        verdict = text("question_less", lang, strategy=strategy)
    else:
        verdict = text("question_tie", lang)
    sentence, verdict = (_capital(part) for part in (sentence, verdict))
    spread = ""
    if metric in _PER_RUN:  # a ratio of means has no value run by run
        runs = result.to_frame("replicates").pivot(
            index="replicate", columns="strategy", values=metric
        )
        paired = (runs[strategy_name] - runs[against_name]).to_numpy(np.float64)
        band_low, band_high = np.percentile(paired, [5, 95])
        spread = text(
            "question_spread",
            lang,
            low=number(band_low, lang, digits),
            high=number(band_high, lang, digits),
            runs=len(paired),
        )
    return sentence, verdict, spread


def _capital(sentence: str) -> str:
    """``sentence`` with its first letter in capitals, past any leading markup (``**``).

    Examples
    --------
    >>> _capital("**boca a boca** da más."), _capital("<b>x</b>")
    ('**Boca a boca** da más.', '<b>X</b>')
    """
    inside_tag = False
    for index, char in enumerate(sentence):
        if char == "<":
            inside_tag = True
        elif char == ">":
            inside_tag = False
        elif char.isalpha() and not inside_tag:
            return sentence[:index] + char.upper() + sentence[index + 1 :]
    return sentence


def _plain(words: str) -> str:
    """Words shown literally in markdown: asterisks and underscores escaped."""
    return words.replace("*", "\\*").replace("_", "\\_")


def _bold(name: str) -> str:
    """A name in bold markdown."""
    return f"**{_plain(name)}**"


_UNITS = {"adopters": "answer_unit_adopters", "reach": "answer_unit_reach"}
"""The noun a closing answer counts in, where the column title would read badly."""


def answer_markdown(
    result: RunResult,
    strategy: str,
    against: str,
    *,
    metric: str = "adopters",
    lang: str = "en",
) -> str:
    """A notebook's closing answer, measured by ``result``: each strategy's mean in
    ``metric`` with its 95 % interval, their paired difference with its interval and
    verdict, and the 5-95 % spread of single runs, as markdown in ``lang``.

    A notebook shows it with ``IPython.display.Markdown``, so the numbers come from its
    own run, never typed in.

    Examples
    --------
    >>> from simulator import config as cfg
    >>> from simulator.engine.run import simulate
    >>> data = cfg.default_scenario().model_dump(mode="json")
    >>> data["simulation"].update(steps=20, replicates=6, block_size=6)
    >>> result = simulate(cfg.validate_scenario(data))
    >>> answer = answer_markdown(result, "word of mouth", "no campaign", lang="es")
    >>> answer.startswith("Medido en esta ejecución (6 simulaciones por estrategia):")
    True
    >>> "**Boca a boca** frente a **sin campaña**: +" in answer, "del 5 al 95 %" in answer
    (True, True)
    """
    if metric not in metrics.comparable_metrics(result):
        known = ", ".join(sorted(metrics.comparable_metrics(result)))
        raise ValueError(f"answer_markdown: metric must be one of {known}; got {metric!r}")
    names = [s.name for s in result.strategies]
    for role, name in (("strategy", strategy), ("against", against)):
        if name not in names:
            raise ValueError(f"answer_markdown: {role} must be one of {names}; got {name!r}")
    digits = 2 if metric in ("cost_per_adoption", "customer_acquisition_cost") else 1
    summary = result.to_frame("summary").set_index("strategy")
    unit = text(_UNITS[metric], lang) if metric in _UNITS else None
    means = []
    for each in (strategy, against):
        row = summary.loc[each]
        means.append(
            text(
                "answer_mean",
                lang,
                strategy=_bold(term(each, lang)),
                value=number(row[metric], lang, digits),
                metric=_plain(unit or text(_QUESTION_COLUMNS[metric], lang)),
                low=number(row[f"{metric}_low"], lang, digits),
                high=number(row[f"{metric}_high"], lang, digits),
            )
        )
    sentence, verdict, spread = _measured(
        result, strategy, against, metric, lang, escape=_plain, name=_bold, unit=unit
    )
    lead = text("answer_lead", lang, runs=result.strategies[0].replicates)
    return " ".join(
        part for part in (lead, "; ".join(means) + ".", sentence, verdict, spread) if part
    )
