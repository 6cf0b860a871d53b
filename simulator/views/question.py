"""The answer to an experiment's own question (its ``[question]`` table): the measured paired
difference with its 95 % interval, and the spread of single runs, in the report's language.
"""

from __future__ import annotations

import html

import numpy as np

from simulator import metrics
from simulator.results import RunResult
from simulator.views.i18n import number, term, text

__all__ = ["question_answer"]

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
    table = metrics.compare(result, metric, reference=question.against)
    row = table[table["strategy"] == question.strategy].iloc[0]
    digits = 2 if metric in ("cost_per_adoption", "customer_acquisition_cost") else 1
    difference, low, high = row["difference"], row["difference_low"], row["difference_high"]
    shown = number(difference, lang, digits)
    if difference > 0:
        shown = "+" + shown
    strategy, against = (
        html.escape(term(name, lang)) for name in (question.strategy, question.against)
    )
    sentence = text(
        "question_answer",
        lang,
        strategy=strategy,
        against=against,
        difference=shown,
        metric=html.escape(text(_QUESTION_COLUMNS[metric], lang)),
        low=number(low, lang, digits),
        high=number(high, lang, digits),
    )
    if low > 0:
        verdict = text("question_more", lang, strategy=strategy)
    elif high < 0:
        verdict = text("question_less", lang, strategy=strategy)
    else:
        verdict = text("question_tie", lang)
    sentence, verdict = (part[:1].upper() + part[1:] for part in (sentence, verdict))
    spread = ""
    if metric in _PER_RUN:  # a ratio of means has no value run by run
        runs = result.to_frame("replicates").pivot(
            index="replicate", columns="strategy", values=metric
        )
        paired = (runs[question.strategy] - runs[question.against]).to_numpy(np.float64)
        band_low, band_high = np.percentile(paired, [5, 95])
        spread = " " + text(
            "question_spread",
            lang,
            low=number(band_low, lang, digits),
            high=number(band_high, lang, digits),
            runs=len(paired),
        )
    return (
        f'<p class="question"><b>{html.escape(question.text(lang))}</b></p>'
        f'<p>{sentence} {verdict}<span class="spread">{spread}</span></p>'
    )
