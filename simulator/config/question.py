"""The ``[question]`` table of an experiment: what it asks and the paired comparison that
answers it (re-exported by :mod:`simulator.config.study`, where experiments are described).

Examples
--------
>>> q = Question(ask={"en": "Are friends worth more than ads?"}, strategy="free samples",
...              against="social ads", metric="customers")
>>> q.text("es")  # falls back to English when there is no Spanish
'Are friends worth more than ads?'
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from simulator.config.base import Model, Name

AnswerMetric = Literal[
    "adopters",
    "customers",
    "reach",
    "cost_per_adoption",
    "customer_acquisition_cost",
    "revenue",
    "clv",
]

ANSWER_METRICS: tuple[str, ...] = get_args(AnswerMetric)
"""Metrics a question may compare: per-replicate counts and money, and two costs per person
(ratios of means, compared by the delta method; see :func:`simulator.metrics.compare`)."""


class Question(Model):
    """The question of an experiment and the comparison that answers it.

    The answer is ``strategy`` minus ``against`` in ``metric``, paired replicate by
    replicate, with its 95 % interval, computed from the run (never written here).
    """

    ask: dict[Literal["en", "es"], str] = Field(
        description='the question, by language: { en = "...", es = "..." } (en required)'
    )
    strategy: Name = Field(description="the strategy whose result answers the question")
    against: Name = Field(description="the strategy it is compared with")
    metric: AnswerMetric = Field("customers", description="what is compared")

    @model_validator(mode="after")
    def _english_and_two_strategies(self) -> Question:
        if not self.ask.get("en", "").strip():
            raise ValueError("ask.en: the question in English is required and not blank")
        if self.strategy == self.against:
            raise ValueError(
                f"against must name another strategy than strategy; got {self.against!r} twice"
            )
        return self

    def text(self, lang: str) -> str:
        """The question in ``lang``, or in English when it has no text in ``lang``."""
        return self.ask.get(lang) or self.ask["en"]  # type: ignore[call-overload]
