"""Plotly figures of customers (runs with ``lifecycle.enabled``): active customers and
purchases over time, per strategy, mean and 95 % band like the adoption curves.

Kept apart from :mod:`simulator.views.figures` (near the module size limit); the curves
are drawn by its :func:`~simulator.views.figures.adoption_curves`, so colours, bands and
panels of grouped strategies read alike.
"""

from __future__ import annotations

import dataclasses

import plotly.graph_objects as go

from simulator.results import LIFECYCLE_SERIES, RunResult
from simulator.views.figures import adoption_curves
from simulator.views.i18n import text
from simulator.views.style import figure_layout

__all__ = [
    "active_customers_curves",
    "cohort_retention_curves",
    "has_customers",
    "purchases_per_step",
]


def has_customers(result: RunResult) -> bool:
    """Whether ``result`` counts customers (its scenario had ``lifecycle.enabled``)."""
    return bool(result.strategies) and all(s.lifecycle for s in result.strategies)


def _with_lifecycle_series(result: RunResult) -> RunResult:
    """``result`` with each strategy's lifecycle series beside its adoption series, so the
    adoption curve helper can draw them."""
    return dataclasses.replace(
        result,
        strategies=tuple(
            dataclasses.replace(
                strategy,
                series={
                    **strategy.series,
                    **{name: strategy.lifecycle[name] for name in LIFECYCLE_SERIES},
                },
            )
            for strategy in result.strategies
        ),
    )


def _curves(result: RunResult, series: str, title: str, axis: str, lang: str) -> go.Figure:
    fig = adoption_curves(_with_lifecycle_series(result), series=series, lang=lang)
    fig.update_yaxes(title_text=axis, row=1, col=1)
    note = text("fig_adoption_note", lang, replicates=result.strategies[0].replicates)
    return figure_layout(fig, title, note, lang)


def active_customers_curves(result: RunResult, *, lang: str = "en") -> go.Figure:
    """Customers still buying after each step, per strategy: mean and 95 % band.

    Examples
    --------
    >>> from simulator.config import load_scenario
    >>> from simulator.engine.run import simulate
    >>> s = load_scenario(None, ["lifecycle.enabled=true", "simulation.steps=5",
    ...                          "simulation.replicates=3"])
    >>> len(active_customers_curves(simulate(s)).data)  # a band, a line, a spread each
    18
    """
    return _curves(
        result,
        "active_customers",
        text("fig_active_customers", lang),
        text("active_customers_axis", lang),
        lang,
    )


def purchases_per_step(result: RunResult, *, lang: str = "en") -> go.Figure:
    """Purchases made in each step (first and repeat), per strategy: mean and 95 % band."""
    return _curves(
        result,
        "purchases",
        text("fig_purchases", lang),
        text("purchases_axis", lang),
        lang,
    )


def cohort_retention_curves(result: RunResult, *, lang: str = "en") -> go.Figure:
    """The retention curve: customers won by day 30 who are still active after each step.

    The curve rises while the first month's customers arrive, then falls as they drop
    out; its value on day 90 over its value on day 30 is ``retention_90d``, less the
    customers who dropped out before day 30.
    """
    return _curves(
        result,
        "cohort_active",
        text("fig_cohort_active", lang),
        text("cohort_active_axis", lang),
        lang,
    )
