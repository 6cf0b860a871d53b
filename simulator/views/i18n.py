"""Every user-facing word of the figures and the report, in English and Spanish.

Texts are looked up by key with :func:`text`; names that come from scenarios (titles,
strategy, channel and segment names) go through :func:`term`, which translates the ones in
:data:`GLOSSARY` and leaves any other name as written. The course is taught in Spanish
(Spain), so Spanish texts are written for its students, not word for word.
"""

from __future__ import annotations

from simulator.views.glossary import GLOSSARY, VOCABULARY

__all__ = [
    "GLOSSARY",
    "LANGUAGES",
    "SOURCE_LABELS",
    "TEXT",
    "VOCABULARY",
    "money",
    "number",
    "separators",
    "source_label",
    "term",
    "text",
]

LANGUAGES = ("en", "es")
"""Languages of figures and reports; English is the default."""

TEXT: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- units and axes
    "days": {"en": "days", "es": "días"},
    "day": {"en": "day", "es": "día"},
    "day_n": {"en": "day {day:g}", "es": "día {day:g}"},
    "people": {"en": "people", "es": "personas"},
    "eur": {"en": "€", "es": "€"},
    "adopters_axis": {"en": "adopters (people)", "es": "clientes (personas)"},
    "reach_axis": {"en": "people reached (aware)", "es": "personas alcanzadas (lo conocen)"},
    "cost_axis": {"en": "money spent (€)", "es": "dinero gastado (€)"},
    "cost_per_adoption_axis": {
        "en": "cost per adopter (€)",
        "es": "coste por cliente (€)",
    },
    "adoptions_axis": {"en": "adoptions (people)", "es": "compras (personas)"},
    "conversion_axis": {
        "en": "adoptions per 1,000 contacts",
        "es": "compras por cada 1.000 contactos",
    },
    "difference_axis": {
        "en": "difference in adopters vs {reference} (people)",
        "es": "diferencia de clientes frente a «{reference}» (personas)",
    },
    "strategy": {"en": "strategy", "es": "estrategia"},
    # ---------------------------------------------------------------- series and states
    "aware": {"en": "aware", "es": "lo conocen"},
    "adopters": {"en": "adopters", "es": "clientes"},
    "promoters": {"en": "promoters", "es": "promotores"},
    "detractors": {"en": "detractors", "es": "detractores"},
    "rejecters": {"en": "rejecters", "es": "lo rechazan"},
    "active_customers": {"en": "active customers", "es": "clientes activos"},
    "purchases": {"en": "purchases", "es": "compras"},
    "cohort_active": {
        "en": "first-month customers still buying",
        "es": "clientes del primer mes que siguen comprando",
    },
    "state_unaware": {"en": "has not heard of it", "es": "no lo conoce"},
    "state_aware": {"en": "has heard of it", "es": "lo conoce"},
    "state_rejecter": {"en": "rejects it", "es": "lo rechaza"},
    "state_promoter": {"en": "satisfied customer", "es": "cliente satisfecho"},
    "state_detractor": {"en": "unhappy customer", "es": "cliente insatisfecho"},
    # ---------------------------------------------------------------- figure titles
    "fig_adoption": {
        "en": "How many people adopt, day by day",
        "es": "Cuántas personas compran, día a día",
    },
    "fig_adoption_note": {
        "en": "line: mean of {replicates} runs; band: 95 % interval of the mean; dotted: 5 to "
        "95 % of single runs, the spread one business may see",
        "es": "línea: media de {replicates} simulaciones; banda: intervalo del 95 % de la media; "
        "puntos: del 5 al 95 % de las simulaciones sueltas, lo que puede vivir un negocio",
    },
    "spread_runs": {"en": "5-95 % of runs", "es": "5-95 % de las simulaciones"},
    "fig_reach_cost": {
        "en": "People reached for the money spent",
        "es": "Personas alcanzadas según el dinero gastado",
    },
    "fig_reach_cost_note": {
        "en": "error bars: 95 % intervals",
        "es": "barras de error: intervalos del 95 %",
    },
    "equal_budget": {"en": "equal budget: {budget}", "es": "mismo presupuesto: {budget}"},
    "fig_cost_per_adoption": {
        "en": "What each new adopter costs",
        "es": "Lo que cuesta cada cliente nuevo",
    },
    "fig_cost_per_adoption_note": {
        "en": "lower is better; error bars: 95 % intervals",
        "es": "cuanto más bajo, mejor; barras de error: intervalos del 95 %",
    },
    "fig_attribution": {
        "en": "What convinced each adopter",
        "es": "Qué convenció a cada cliente",
    },
    "fig_attribution_note": {
        "en": "mean adoptions per run, by the message that tipped the decision",
        "es": "compras medias por simulación, según el mensaje que decidió la compra",
    },
    "fig_conversion": {
        "en": "How convincing one contact is: an ad vs a friend",
        "es": "Cuánto convence un contacto: un anuncio frente a un conocido",
    },
    "fig_conversion_note": {
        "en": "adoptions per 1,000 ad impressions or per 1,000 recommendations; "
        "error bars: 95 % intervals",
        "es": "compras por cada 1.000 impactos publicitarios o por cada 1.000 recomendaciones; "
        "barras de error: intervalos del 95 %",
    },
    "paid_contact": {"en": "one ad impression", "es": "un impacto publicitario"},
    "wom_contact": {"en": "one recommendation", "es": "una recomendación"},
    "fig_difference": {
        "en": "Adopters gained or lost against {reference}",
        "es": "Clientes de más o de menos frente a «{reference}»",
    },
    "fig_difference_groups": {
        "en": "Adopters gained or lost against the best of each group",
        "es": "Clientes de más o de menos frente a la mejor opción de cada grupo",
    },
    "difference_axis_groups": {
        "en": "difference in adopters vs the best of the group (people)",
        "es": "diferencia de clientes frente a la mejor del grupo (personas)",
    },
    "fig_difference_note": {
        "en": "paired runs (same town, same chance); error bars: 95 % intervals; "
        "a bar crossing 0 means no clear difference",
        "es": "simulaciones emparejadas (mismo pueblo, mismo azar); barras de error: intervalos "
        "del 95 %; si la barra cruza el 0, no hay diferencia clara",
    },
    "fig_network": {
        "en": "Who has heard of it, {day}: one run of “{strategy}”",
        "es": "Quién lo conoce, {day}: una simulación de «{strategy}»",
    },
    "fig_spread": {
        "en": "How “{strategy}” spreads through the town (one run)",
        "es": "Cómo se extiende «{strategy}» por el pueblo (una simulación)",
    },
    "fig_spread_note": {
        "en": "press Play: new customers appear next to earlier ones, along the lines of "
        "family and friends",
        "es": "pulsa Reproducir: los clientes nuevos aparecen junto a los anteriores, siguiendo "
        "las líneas de familia y amigos",
    },
    "spread_counts": {
        "en": "day {day}: {heard} have heard of it, {customers} customers",
        "es": "día {day}: {heard} lo conocen, {customers} clientes",
    },
    "ties_shown": {"en": "ties: {layer}", "es": "lazos: {layer}"},
    "ties_strong": {"en": "family and close friends", "es": "familia y amigos íntimos"},
    "ties_weak": {"en": "acquaintances (market)", "es": "conocidos (mercado)"},
    "ties_online": {"en": "online only: {layer}", "es": "solo en línea: {layer}"},
    "play": {"en": "Play", "es": "Reproducir"},
    "pause": {"en": "Pause", "es": "Pausa"},
    # ---------------------------------------------------------------- report
    "report_title": {"en": "Simulation report", "es": "Informe de la simulación"},
    "question": {"en": "The question", "es": "La pregunta"},
    "answer": {"en": "What the simulation says", "es": "Qué dice la simulación"},
    "answer_most": {
        "en": "Most adopters: <b>{best}</b>, {value} people (95 % interval {low} to {high}).",
        "es": "Más clientes: <b>{best}</b>, {value} personas (intervalo del 95 %: de {low} a "
        "{high}).",
    },
    "answer_cheapest": {
        "en": "Lowest cost per adopter: <b>{best}</b>, €{value} each (95 % interval {low} to {high}).",
        "es": "Menor coste por cliente: <b>{best}</b>, {value} € por cliente (intervalo del 95 %: de "
        "{low} a {high}).",
    },
    "answer_runner_up": {
        "en": "Runner-up: <b>{other}</b>, with {difference} fewer adopters (95 % interval {low} "
        "to {high}; paired runs).",
        "es": "En segundo lugar: <b>{other}</b>, con {difference} clientes menos (intervalo del "
        "95 %: de {low} a {high}; simulaciones emparejadas).",
    },
    "answer_tie": {
        "en": "Runner-up: <b>{other}</b>; the difference, {difference} adopters (95 % interval "
        "{low} to {high}; paired runs), is not clear: more runs would tell.",
        "es": "En segundo lugar: <b>{other}</b>; la diferencia, {difference} clientes (intervalo "
        "del 95 %: de {low} a {high}; simulaciones emparejadas), no es clara: harían falta "
        "más simulaciones.",
    },
    "setup": {
        "en": "{people} people, {replicates} runs per strategy, {steps} steps of {dt} {unit}, "
        "seed {seed}. Every interval is a 95 % confidence interval of the mean over runs.",
        "es": "{people} personas, {replicates} simulaciones por estrategia, {steps} pasos de "
        "{dt} {unit}, semilla {seed}. Todos los intervalos son intervalos de confianza del "
        "95 % de la media de las simulaciones.",
    },
    "summary": {"en": "Results by strategy", "es": "Resultados por estrategia"},
    "figures": {"en": "Figures", "es": "Gráficos"},
    "network_section": {
        "en": "The spread, person by person",
        "es": "El boca a boca, persona a persona",
    },
    # The spread's caption: which run (a village or the town itself), then the legend.
    "network_caption": {
        "en": "One run of the strategy with the most adopters, in a village of {people} "
        "people with the same parameters (budgets and followers scaled to its size).",
        "es": "Una simulación de la estrategia con más clientes, en un pueblo de {people} "
        "personas con los mismos parámetros (presupuestos y seguidores a escala).",
    },
    "network_caption_same": {
        "en": "One run of the strategy with the most adopters.",
        "es": "Una simulación de la estrategia con más clientes.",
    },
    "network_legend": {
        "en": "Dots are people, coloured by what they know; grey lines are offline ties "
        "(family, friends, acquaintances at the market), coloured lines are online ties. "
        "Press {play} to watch the days go by.",
        "es": "Cada punto es una persona, coloreada según lo que sabe del producto; las líneas "
        "grises son lazos fuera de internet (familia, amigos, conocidos del mercado) y las de "
        "color, lazos en los medios sociales (en línea). Pulsa {play} para ver pasar los días.",
    },
    "config": {"en": "The scenario, as run", "es": "El escenario, tal como se ejecutó"},
    "config_caption": {
        "en": "Rerun it with: wom run scenario.toml (the file next to this report).",
        "es": "Para repetirlo: wom run scenario.toml (el archivo junto a este informe).",
    },
    "provenance": {"en": "Provenance", "es": "Procedencia"},
    "generated": {
        "en": "Made by wom-simulator; works offline (no internet needed).",
        "es": "Generado con wom-simulator; funciona sin conexión a internet.",
    },
    "show": {"en": "show", "es": "mostrar"},
    "script_error": {
        "en": "A figure could not be drawn: ",
        "es": "No se pudo dibujar un gráfico: ",
    },
    # ---------------------------------------------------------------- summary table columns
    "col_strategy": {"en": "strategy", "es": "estrategia"},
    "col_adopters": {"en": "adopters", "es": "clientes"},
    "col_reach": {"en": "reach (people)", "es": "alcance (personas)"},
    "col_cost": {"en": "cost (€)", "es": "coste (€)"},
    "col_cost_per_adoption": {"en": "cost per adopter (€)", "es": "coste por cliente (€)"},
    "col_wom_multiplier": {"en": "word-of-mouth multiplier", "es": "multiplicador del boca a boca"},
    "col_days_to_50pct_adopters": {
        "en": "days to half the adopters",
        "es": "días hasta la mitad de los clientes",
    },
    "col_detractors": {"en": "unhappy customers", "es": "clientes insatisfechos"},
    "col_rejecters": {"en": "rejecters", "es": "lo rechazan"},
    "table_note": {
        "en": "Mean over runs [95 % interval]. The word-of-mouth multiplier is all adoptions "
        "divided by those tipped directly by paid channels or samples.",
        "es": "Media de las simulaciones [intervalo del 95 %]. El multiplicador del boca a boca "
        "es el total de compras dividido entre las que provocaron directamente los canales "
        "de pago o las muestras.",
    },
    "na": {"en": "n/a", "es": "n/d"},
    # ---------------------------------------------------------------- wom lab panels
    "lab_reset": {"en": "Back to the lesson's values", "es": "Volver a los valores de la lección"},
    "lab_busy": {"en": "Simulating…", "es": "Simulando…"},
    "handout_kicker": {
        "en": "Hand-out · the charts as the lesson left them",
        "es": "Material para clase · los gráficos como los dejó la lección",
    },
    # ---------------------------------------------------------------- an experiment's answer
    "question_answer": {
        "en": "{strategy} against {against}: {difference} {metric} [{low}, {high}] (95 % "
        "interval of the difference, paired runs).",
        "es": "{strategy} frente a {against}: {difference} {metric} [{low}; {high}] "
        "(intervalo del 95 % de la diferencia, simulaciones emparejadas).",
    },
    "answer_lead": {
        "en": "Measured in this run ({runs} runs per strategy):",
        "es": "Medido en esta ejecución ({runs} simulaciones por estrategia):",
    },
    "answer_unit_adopters": {"en": "customers", "es": "clientes"},
    "answer_unit_reach": {"en": "people who heard of it", "es": "personas que lo conocen"},
    "answer_mean": {
        "en": "{strategy}, {value} {metric} on average (95 % interval {low} to {high})",
        "es": "{strategy}, {value} {metric} de media (intervalo del 95 %: de {low} a {high})",
    },
    "question_more": {"en": "{strategy} gives more.", "es": "{strategy} da más."},
    "question_spread": {
        "en": "Run by run, what a single business could see: from {low} to {high} (5 to "
        "95 % of the {runs} paired runs); the interval above is that of the mean of many runs.",
        "es": "Simulación a simulación, lo que podría vivir un solo negocio: de {low} a {high} "
        "(del 5 al 95 % de las {runs} simulaciones emparejadas); el intervalo de arriba es el "
        "de la media de muchas simulaciones.",
    },
    "question_less": {"en": "{strategy} gives less.", "es": "{strategy} da menos."},
    "question_tie": {
        "en": "The interval includes 0: no clear difference with these runs.",
        "es": "El intervalo incluye el 0: no hay una diferencia clara con estas simulaciones.",
    },
    "yes": {"en": "yes", "es": "sí"},
    "no": {"en": "no", "es": "no"},
    # ---------------------------------------------------------------- customers (lifecycle)
    "customers_section": {
        "en": "Customers, not first adoptions",
        "es": "Clientes, no solo primeras compras",
    },
    "col_customers": {"en": "customers", "es": "clientes"},
    "col_trial_conversion": {
        "en": "samples that became customers (%)",
        "es": "muestras que acaban en cliente (%)",
    },
    "col_active_customers": {
        "en": "active customers at the end",
        "es": "clientes activos al final",
    },
    "col_purchases": {"en": "purchases", "es": "compras"},
    "col_revenue": {"en": "revenue (€)", "es": "ingresos (€)"},
    "col_clv": {"en": "customer lifetime value (€)", "es": "valor del cliente (€)"},
    "col_cac": {"en": "cost per customer won (€)", "es": "coste por cliente conseguido (€)"},
    "col_roi": {"en": "return on the money (%)", "es": "rentabilidad (%)"},
    "customers_note": {
        "en": "Mean over runs [95 % interval]. Customer lifetime value: the margin of every "
        "purchase in the run, discounted to day 0. Cost per customer won: money spent divided "
        "by customers. Return: (lifetime value - money spent) / money spent.",
        "es": "Media de las simulaciones [intervalo del 95 %]. Valor del cliente: el margen de "
        "todas las compras de la simulación, descontado al día 0. Coste por cliente conseguido: "
        "dinero gastado entre clientes. Rentabilidad: (valor del cliente - dinero gastado) / "
        "dinero gastado.",
    },
    "talk_section": {"en": "Word of mouth, tie by tie", "es": "Boca a boca, lazo a lazo"},
    "talk_strong": {
        "en": "close ties: adoptions per 1,000 messages",
        "es": "lazos fuertes: adopciones por 1.000 mensajes",
    },
    "talk_weak": {
        "en": "acquaintances: adoptions per 1,000 messages",
        "es": "conocidos: adopciones por 1.000 mensajes",
    },
    "talk_follow": {
        "en": "online-only follows: adoptions per 1,000 messages",
        "es": "seguidores solo en línea: adopciones por 1.000 mensajes",
    },
    "talk_other": {
        "en": "other ties: adoptions per 1,000 messages",
        "es": "otros lazos: adopciones por 1.000 mensajes",
    },
    "talk_share": {
        "en": "adoptions tipped by word of mouth (%)",
        "es": "adopciones decididas por el boca a boca (%)",
    },
    "talk_valence": {"en": "good : bad messages", "es": "mensajes buenos : malos"},
    "talk_note": {
        "en": "Mean over runs [95 % interval]. A message's chance to convert is the trust of "
        "its tie times persuasion times the listener's interest, lowered when the listener "
        "has heard it often; close ties are household and close friends, offline or copied "
        "online.",
        "es": "Media de las simulaciones [intervalo del 95 %]. La probabilidad de que un "
        "mensaje convenza es la confianza en el lazo por la persuasión por el interés de "
        "quien lo oye, menor si ya lo ha oído muchas veces; los lazos fuertes son la familia "
        "y los amigos íntimos, fuera de la red o copiados en ella.",
    },
    "customers_acquisition": {
        "en": "<b>Acquisition</b> is winning customers. A first adoption tipped by a friend or "
        "an ad makes a customer; a free sample only makes a <b>trial</b>, not a customer: "
        "the person tastes the product and buys only if it convinced them. With <b>{strategy}"
        "</b>, of the {trials} people whose sample made them try it, {converted} became "
        "customers ({rate} %); the other {lost} tried it for free and never paid.",
        "es": "<b>Captar</b> es conseguir clientes. Una primera compra que provoca un conocido "
        "o un anuncio da un cliente; una muestra gratuita solo da una <b>prueba</b>, no un "
        "cliente: la persona prueba el producto y solo compra si la convence. Con <b>{strategy}"
        "</b>, de las {trials} personas que probaron el producto gracias a la muestra, "
        "{converted} se hicieron clientes ({rate} %); las otras {lost} lo probaron gratis y "
        "nunca pagaron.",
    },
    "customers_no_trials": {
        "en": "<b>Acquisition</b> is winning customers. No strategy of this run gave free "
        "samples, so every first adoption made a customer.",
        "es": "<b>Captar</b> es conseguir clientes. Ninguna estrategia de esta simulación dio "
        "muestras gratuitas, así que cada primera compra dio un cliente.",
    },
    "customers_retention": {
        "en": "<b>Retention</b> is keeping them: customers come back to buy again, and after "
        "each purchase some drop out for good. With <b>{strategy}</b>, the strategy with most "
        "customers ({customers}), {active} were still buying at the end of the {days} days; "
        "they made {purchases} purchases, €{revenue} of revenue, worth €{clv} of "
        "discounted margin against €{cost} spent: €{cac} per customer won. "
        "All numbers are means of {replicates} runs.",
        "es": "<b>Fidelizar</b> es conservarlos: los clientes vuelven a comprar y, después de "
        "cada compra, algunos dejan de venir para siempre. Con <b>{strategy}</b>, la "
        "estrategia con más clientes ({customers}), {active} seguían comprando al cabo de los "
        "{days} días; hicieron {purchases} compras, {revenue} € de ingresos, que valen "
        "{clv} € de margen descontado frente a {cost} € gastados: {cac} € por cliente "
        "conseguido. Todas las cifras son medias de {replicates} simulaciones.",
    },
    "fig_active_customers": {
        "en": "Customers still buying, day by day",
        "es": "Clientes que siguen comprando, día a día",
    },
    "active_customers_axis": {
        "en": "active customers (people)",
        "es": "clientes activos (personas)",
    },
    "fig_purchases": {
        "en": "Purchases in each day (first and repeat)",
        "es": "Compras de cada día (primeras y repetidas)",
    },
    "purchases_axis": {"en": "purchases per day", "es": "compras por día"},
    "fig_cohort_active": {
        "en": "Retention: customers won in the first 30 days who are still buying",
        "es": "Retención: clientes ganados en los primeros 30 días que siguen comprando",
    },
    "cohort_active_axis": {
        "en": "first-month customers still buying (people)",
        "es": "clientes del primer mes que siguen comprando (personas)",
    },
    # ---------------------------------------------------------------- time units
    "unit_day": {"en": "day", "es": "día"},
    "unit_week": {"en": "week", "es": "semana"},
    "unit_month": {"en": "month", "es": "mes"},
    "unit_year": {"en": "year", "es": "año"},
}

SOURCE_LABELS: dict[str, dict[str, str]] = {
    "word_of_mouth": {"en": "friends and family (word of mouth)", "es": "boca a boca (conocidos)"},
    "online_opinion": {"en": "opinions online", "es": "opiniones en internet"},
    "branded_content": {"en": "the business's own posts", "es": "publicaciones del negocio"},
    "editorial": {"en": "editorial content", "es": "contenido editorial"},
    "tv_ad": {"en": "TV ad", "es": "anuncio de televisión"},
    "newspaper_ad": {"en": "newspaper ad", "es": "anuncio en el periódico"},
    "magazine_ad": {"en": "magazine ad", "es": "anuncio en revista"},
    "radio_ad": {"en": "radio ad", "es": "cuña de radio"},
    "social_ad": {"en": "social media ad", "es": "anuncio en medios sociales"},
    "banner_ad": {"en": "online banner", "es": "banner en internet"},
    "free_sample": {"en": "free sample", "es": "muestra gratuita"},
    "background": {"en": "outside influence", "es": "influencia externa"},
}
"""Readable names of the source types of :data:`simulator.config.SOURCE_TYPES`."""


def text(key: str, lang: str = "en", **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Examples
    --------
    >>> text("day_n", "es", day=3)
    'día 3'
    >>> text("nope", "en")
    Traceback (most recent call last):
    ...
    KeyError: "no text 'nope'"
    """
    _check(lang)
    try:
        template = TEXT[key][lang]
    except KeyError:
        raise KeyError(f"no text {key!r}") from None
    return template.format(**values) if values else template


def term(name: str, lang: str = "en") -> str:
    """A scenario name (title, strategy, channel, segment) in ``lang``.

    Names of the form ``"group: item"`` are translated part by part; a name without a
    translation is returned as written.

    Examples
    --------
    >>> term("bakery: free samples", "es")
    'panadería: muestras gratuitas'
    >>> term("my own strategy", "es")
    'my own strategy'
    """
    _check(lang)
    if lang == "en":
        return name
    if name in GLOSSARY:
        return GLOSSARY[name]
    if ": " in name:
        group, item = name.split(": ", 1)
        return f"{term(group, lang)}: {term(item, lang)}"
    return name


def source_label(source: str, lang: str = "en") -> str:
    """Readable name of a source type.

    Examples
    --------
    >>> source_label("newspaper_ad", "es")
    'anuncio en el periódico'
    """
    _check(lang)
    return SOURCE_LABELS[source][lang]


def number(value: float, lang: str = "en", digits: int = 0) -> str:
    """A number with the language's separators (1,234.5 in English, 1.234,5 in Spanish).

    Examples
    --------
    >>> number(12345.678, "en", 1), number(12345.678, "es", 1)
    ('12,345.7', '12.345,7')
    >>> number(-0.01, "en", 1)
    '0.0'
    >>> number(float("nan"), "es")
    'n/d'
    """
    _check(lang)
    if value != value:  # NaN
        return text("na", lang)
    formatted = f"{round(value, digits) + 0.0:,.{digits}f}"  # + 0.0: no "-0.0"
    if lang == "es":
        formatted = formatted.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return formatted


def money(value: float, lang: str = "en", digits: int = 0) -> str:
    """An amount of euros as each language writes it: €1,234 in English, 1.234 € in Spanish.

    Examples
    --------
    >>> money(1000, "en"), money(1000, "es"), money(8.4, "es", 2)
    ('€1,000', '1.000 €', '8,40 €')
    """
    shown = number(value, lang, digits)
    if value != value:  # NaN: "n/a" has no currency
        return shown
    return f"{shown} €" if lang == "es" else f"€{shown}"


def separators(lang: str) -> str:
    """Plotly's ``layout.separators`` (decimal mark, then thousands mark) for ``lang``.

    Examples
    --------
    >>> separators("es")
    ',.'
    """
    _check(lang)
    return ",." if lang == "es" else ".,"


def _check(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
