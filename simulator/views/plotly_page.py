"""How plotly figures go into a page: plotly.js inline, its toolbar in the reader's language,
no cloud-sharing button.

plotly.js ships only its English texts; :data:`SPANISH` is the Spanish (Spain) locale for
the strings our charts can show (the toolbar, the double-click hints, the snapshot messages)
and its number and date formats. Every page of the project (run, plan, attribution and sweep
reports, notebook hand-outs) writes its figures through :func:`figure_html`, so the toolbar
is the same everywhere.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from simulator.views.i18n import LANGUAGES

__all__ = ["SPANISH", "figure_html", "plotly_config", "plotly_script"]

SPANISH: dict[str, Any] = {
    "moduleType": "locale",
    "name": "es",
    "dictionary": {
        "Autoscale": "Escala automática",
        "Box Select": "Seleccionar con un rectángulo",
        "Click to enter Plot title": "Pulsa para escribir el título",
        "Click to enter X axis title": "Pulsa para escribir el título del eje X",
        "Click to enter Y axis title": "Pulsa para escribir el título del eje Y",
        "Compare data on hover": "Comparar los datos al pasar el ratón",
        "Double-click on legend to isolate one trace": (
            "Doble clic en la leyenda para ver solo una serie"
        ),
        "Double-click to zoom back out": "Doble clic para volver a la vista inicial",
        "Download plot": "Descargar el gráfico",
        "Download plot as a PNG": "Descargar el gráfico como imagen PNG",
        "Download plot as JSON": "Descargar los datos del gráfico (JSON)",
        "Image download succeeded": "Imagen descargada",
        "JSON download succeeded": "Datos descargados",
        "Lasso Select": "Seleccionar a mano alzada",
        "Pan": "Desplazar",
        "Preparing image - this may take a few seconds": (
            "Preparando la imagen; puede tardar unos segundos"
        ),
        "Produced with Plotly.js": "Hecho con Plotly.js",
        "Reset": "Restablecer",
        "Reset axes": "Restablecer los ejes",
        "Reset view": "Restablecer la vista",
        "Reset views": "Restablecer las vistas",
        "Show closest data on hover": "Mostrar el dato más cercano al pasar el ratón",
        "Sorry, there was a problem downloading your image!": "No se pudo descargar la imagen.",
        "Sorry, there was a problem downloading your JSON file!": (
            "No se pudieron descargar los datos."
        ),
        "Toggle Spike Lines": "Mostrar u ocultar las líneas guía",
        "Toggle show closest data on hover": (
            "Mostrar u ocultar el dato más cercano al pasar el ratón"
        ),
        "Zoom": "Ampliar una zona",
        "Zoom in": "Acercar",
        "Zoom out": "Alejar",
        "trace": "serie",
    },
    "format": {
        "days": ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
        "shortDays": ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"],
        "months": [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
        "shortMonths": [
            "ene",
            "feb",
            "mar",
            "abr",
            "may",
            "jun",
            "jul",
            "ago",
            "sep",
            "oct",
            "nov",
            "dic",
        ],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": ".",
    },
}
"""plotly.js locale ``es``: Spanish toolbar, decimal comma, dates as 31/12/2026."""


def plotly_config(lang: str = "en") -> dict[str, Any]:
    """plotly.js ``config`` of every figure: resizes with the page, no plotly logo, no
    "Share chart" button (it would upload the chart to a cloud service), toolbar in ``lang``.

    Examples
    --------
    >>> config = plotly_config("es")
    >>> config["locale"], config["showSendToCloud"], config["displaylogo"]
    ('es', False, False)
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return {
        "displaylogo": False,
        "showSendToCloud": False,
        "responsive": True,
        "locale": "es" if lang == "es" else "en-US",
    }


@functools.cache
def _plotly_js() -> str:
    # plotly.offline only when a page is written
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def plotly_script(lang: str = "en") -> str:
    """``<script>`` elements with plotly.js inline and, in Spanish, its locale registered
    (before any figure is drawn, so the first figure has the Spanish toolbar too).

    Examples
    --------
    >>> '"moduleType": "locale"' in plotly_script("es"), '"moduleType": "locale"' in plotly_script("en")
    (True, False)
    """
    scripts = [
        '<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: "local"};</script>',
        f'<script type="text/javascript">{_plotly_js()}</script>',
    ]
    if lang == "es":
        scripts.append(
            f"<script>Plotly.register({json.dumps(SPANISH, ensure_ascii=False)});</script>"
        )
    return "".join(scripts)


def figure_html(figure: Any, index: int, lang: str = "en", *, div_id: str | None = None) -> str:
    """A figure as an HTML fragment for a page holding several; the first (``index`` 0)
    carries plotly.js inline (see :func:`plotly_script`), so the page needs no network.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> first, second = figure_html(go.Figure(), 0, "es"), figure_html(go.Figure(), 1, "es")
    >>> len(first) > 1_000_000 > len(second), 'id="figure-1"' in second
    (True, True)
    >>> '"locale": "es"' in second, "showSendToCloud" in second
    (True, True)
    """
    # plotly.io only when a figure is written to HTML
    import plotly.io as pio

    fragment = pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id or f"figure-{index}",
        default_width="100%",
        auto_play=False,  # an animation starts when the reader presses play
        config=plotly_config(lang),
    )
    return (plotly_script(lang) if index == 0 else "") + fragment
