"""Every user-facing word of ``plan.html``, in English and Spanish (see :mod:`~simulator.views.i18n`)."""

from __future__ import annotations

from simulator.views.i18n import LANGUAGES

PLAN_TEXT: dict[str, dict[str, str]] = {
    "kicker": {
        "en": "wom plan · how to split the budget",
        "es": "wom plan · cómo repartir el presupuesto",
    },
    "title": {
        "en": "How should you split €{budget}?",
        "es": "¿Cómo repartir {budget} €?",
    },
    "setup": {
        "en": "Objective: {objective}. {channels} channels; every allocation was simulated "
        "with the same random numbers (paired comparisons); the final estimates use {replicates} "
        "fresh replicates that the search never saw. Seed {seed}. Intervals are 95 %.",
        "es": "Objetivo: {objective}. {channels} canales; cada reparto se simuló con los "
        "mismos números aleatorios (comparaciones emparejadas); las estimaciones finales usan "
        "{replicates} réplicas nuevas que la búsqueda no vio. Semilla {seed}. Intervalos del 95 %.",
    },
    "answer": {"en": "The answer", "es": "La respuesta"},
    "recommend": {
        "en": "Spend {split}. Expected {objective}: {value} [{low}, {high}].",
        "es": "Gasta {split}. {objective} esperado: {value} [{low}; {high}].",
    },
    "beats": {
        "en": "It beats «{label}» by {difference} [{low}, {high}] (probability {probability} %).",
        "es": "Supera a «{label}» en {difference} [{low}; {high}] (probabilidad {probability} %).",
    },
    "nothing": {"en": "nothing", "es": "nada"},
    "comparisons": {"en": "Against the alternatives", "es": "Frente a las alternativas"},
    "col_plan": {"en": "plan", "es": "reparto"},
    "col_objective": {"en": "{objective}", "es": "{objective}"},
    "col_difference": {
        "en": "recommended minus this",
        "es": "recomendado menos este",
    },
    "col_probability": {
        "en": "probability the recommended is better",
        "es": "probabilidad de que el recomendado sea mejor",
    },
    "col_roi": {"en": "ROI", "es": "ROI"},
    "fig_split": {"en": "Where the money goes", "es": "Adónde va el dinero"},
    "fig_split_note": {
        "en": "€ per channel: recommended and current plan",
        "es": "€ por canal: recomendado y reparto actual",
    },
    "recommended": {"en": "recommended", "es": "recomendado"},
    "current": {"en": "current plan", "es": "reparto actual"},
    "fig_curves": {
        "en": "Response curves: {objective} against each channel's spend",
        "es": "Curvas de respuesta: {objective} según lo gastado en cada canal",
    },
    "fig_curves_note": {
        "en": "the other channels at the recommendation; diamond: recommended spend; band: 95 %",
        "es": "los demás canales como en la recomendación; rombo: gasto recomendado; banda: 95 %",
    },
    "fig_marginal": {
        "en": "Marginal return: {objective} per extra euro",
        "es": "Rendimiento marginal: {objective} por cada euro más",
    },
    "fig_marginal_note": {
        "en": "between neighbouring points of each response curve; at the optimum the "
        "channels used earn about the same",
        "es": "entre puntos vecinos de cada curva; en el óptimo los canales usados rinden "
        "más o menos lo mismo",
    },
    "fig_frontier": {
        "en": "Efficient frontier: the best {objective} for each total budget",
        "es": "Frontera eficiente: el mejor {objective} para cada presupuesto total",
    },
    "fig_frontier_note": {
        "en": "error bars: 95 % intervals",
        "es": "barras de error: intervalos del 95 %",
    },
    "per_point": {
        "en": "{replicates} fresh replicates per point",
        "es": "{replicates} réplicas nuevas por punto",
    },
    "frontier_points": {
        "en": "each point the best of the splits raced at that budget",
        "es": "cada punto, el mejor de los repartos comparados con ese presupuesto",
    },
    "spend_axis": {"en": "spend on the channel (€)", "es": "gasto en el canal (€)"},
    "budget_axis": {"en": "total budget (€)", "es": "presupuesto total (€)"},
    "on": {"en": "on", "es": "en"},
    "eur_axis": {"en": "€", "es": "€"},
    "seeds": {"en": "Whom to give the samples to", "es": "A quién dar las muestras"},
    "seeds_note": {
        "en": "{samples} samples, each rule simulated on the same replicates; difference "
        "against random people",
        "es": "{samples} muestras; cada regla simulada con las mismas réplicas; diferencia "
        "frente a personas al azar",
    },
    "col_rule": {"en": "who gets them", "es": "quién las recibe"},
    "table": {"en": "Every estimate", "es": "Todas las estimaciones"},
    "provenance": {"en": "Provenance", "es": "Procedencia"},
    "show": {"en": "show", "es": "mostrar"},
    "obj_profit": {"en": "profit (€)", "es": "beneficio (€)"},
    "obj_clv": {"en": "customer value (€)", "es": "valor de los clientes (€)"},
    "obj_customers": {"en": "customers", "es": "clientes"},
    "obj_adopters": {"en": "adopters", "es": "compradores"},
    "rule_random": {"en": "random people", "es": "personas al azar"},
    "rule_degree": {"en": "the best connected", "es": "los más conectados"},
    "rule_pagerank": {"en": "the most central (PageRank)", "es": "los más centrales (PageRank)"},
    "rule_degree_discount": {
        "en": "best connected, not neighbours (degree discount)",
        "es": "los más conectados sin ser vecinos (degree discount)",
    },
    "rule_celf": {
        "en": "largest simulated spread (CELF)",
        "es": "mayor difusión simulada (CELF)",
    },
    "rule_imm": {
        "en": "largest spread by reverse-reachable sets (IMM)",
        "es": "mayor difusión por conjuntos alcanzables al revés (IMM)",
    },
}
"""Texts of the plan report by key, then language."""


def plan_text(key: str, lang: str = "en", **values: object) -> str:
    """The plan report's text for ``key`` in ``lang``, with ``{placeholders}`` filled.

    Examples
    --------
    >>> plan_text("title", "es", budget="1.000")
    '¿Cómo repartir 1.000 €?'
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    template = PLAN_TEXT[key][lang]
    return template.format(**values) if values else template
