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

__all__ = [
    "NARROW_PX",
    "PAGE_CSS",
    "SPANISH",
    "figure_html",
    "plotly_config",
    "plotly_script",
    "widget_config",
]

NARROW_PX = 700
"""Below this width (a phone, a narrow window) figures put their legend under the plot,
wrap their title and use small side margins, so the plot keeps most of the width."""

PAGE_CSS = """
main { padding-left: clamp(12px, 4vw, 32px); padding-right: clamp(12px, 4vw, 32px); }
h1, h2, p, li, figcaption, .answer, .kicker { overflow-wrap: break-word; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
.scroll table { min-width: 640px; }
figure { min-width: 0; margin-left: 0; margin-right: 0; }
.js-plotly-plot, .plotly-graph-div { max-width: 100%; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
@media (max-width: 700px) {
  body { font-size: 15px; }
  main { padding-top: 12px; }
  h1 { font-size: 1.35em; }
  h2 { font-size: 1.15em; }
}
"""
"""Layout rules every page with figures shares: tables scroll sideways inside their box
(the page itself never does), long words wrap, smaller type on a phone."""

_RESPONSIVE = r"""
(function () {
  var NARROW = %d;
  function copy(value) { return value === undefined ? undefined : JSON.parse(JSON.stringify(value)); }
  function wrap(text, chars) {
    return text.split("<br>").map(function (line) {
      var sup = /^<sup>(.*)<\/sup>$/.exec(line), body = sup ? sup[1] : line, out = [], cur = "";
      body.split(" ").forEach(function (word) {
        if (cur && (cur + " " + word).length > chars) { out.push(cur); cur = word; }
        else { cur = cur ? cur + " " + word : word; }
      });
      if (cur) { out.push(cur); }
      return sup ? out.map(function (l) { return "<sup>" + l + "</sup>"; }).join("<br>") : out.join("<br>");
    }).join("<br>");
  }
  // The figure's box on the page (and plotly's wrapper around it) grows with the figure.
  function size(gd, height) {
    gd.style.height = height + "px";
    if (gd.parentElement && gd.parentElement.style.height) { gd.parentElement.style.height = height + "px"; }
  }
  function adapt(gd) {
    if (!gd._fullLayout || !window.Plotly) { return; }
    var narrow = gd.clientWidth < NARROW;
    if (gd._womNarrow === narrow) { return; }
    if (!gd._womWide) {
      var title = gd.layout.title && gd.layout.title.text || "";
      var axis = function (name) { return gd.layout[name] && gd.layout[name].title && gd.layout[name].title.text || ""; };
      gd._womWide = {"title.text": title, "xaxis.title.text": axis("xaxis"), "yaxis.title.text": axis("yaxis"),
                     legend: copy(gd.layout.legend) || {},
                     margin: copy(gd.layout.margin) || {}, height: gd.layout.height || 450};
      if (gd.layout.updatemenus && gd.layout.updatemenus.length) {  // put back by a wide layout
        var menu = gd.layout.updatemenus[0], wide = gd._womWide;
        wide["updatemenus[0].y"] = menu.y; wide["updatemenus[0].yanchor"] = menu.yanchor;
        wide["updatemenus[0].pad.b"] = menu.pad && menu.pad.b || 0;
        var own = gd.layout.title || {};
        ["y", "yref", "yanchor"].forEach(function (key) { wide["title." + key] = own[key] === undefined ? null : own[key]; });
        wide["title.pad.t"] = own.pad && own.pad.t || 0;
      }
    }
    gd._womNarrow = narrow;
    var wide = gd._womWide;
    // long names of horizontal bars, and of vertical bars under them, wrap on a phone
    ["xaxis", "yaxis"].forEach(function (name) {
      var axis = gd._fullLayout[name];
      if (!axis || axis.type !== "category" || !axis._categories) { return; }
      if (!(name + ".tickmode" in wide)) {
        var own = gd.layout[name] || {};
        wide[name + ".tickmode"] = own.tickmode || null;
        wide[name + ".tickvals"] = own.tickvals || null;
        wide[name + ".ticktext"] = own.ticktext || null;
        wide[name + ".tickangle"] = own.tickangle === undefined ? null : own.tickangle;
      }
      wide["_" + name] = axis._categories.slice();
    });
    if (!narrow) {
      var back = copy(wide);
      delete back._xaxis; delete back._yaxis;
      size(gd, wide.height);
      Plotly.relayout(gd, back).then(function () { separate(gd, 3); }); return;
    }
    var entries = gd.data.filter(function (t) { return t.showlegend !== false; }).length;
    var chars = Math.max(18, Math.floor(gd.clientWidth / 10));
    var title = wrap(wide["title.text"], chars), lines = title.split("<br>").length;
    var bottom = 40 + 22 * entries + (gd.layout.sliders ? 90 : 0);
    var height = Math.max(wide.height, 360) + 21 * lines + bottom - 60;
    var ticks = {}, categories = wide._yaxis;
    if (categories) {
      var labels = categories.map(function (c) { return wrap(String(c), 14); });
      var most = Math.max.apply(null, labels.map(function (l) { return l.split("<br>").length; }));
      ticks = {"yaxis.tickmode": "array", "yaxis.tickvals": categories, "yaxis.ticktext": labels};
      height += categories.length * 17 * (most - 1);  // room for every line of every name
    }
    var columns = wide._xaxis, across = columns ? gd.clientWidth / columns.length : 0;
    // Names tilted under the bars take the plot's room (a plot 81 px wide was seen): level
    // and wrapped to the width of their bar instead, when each bar has 60 px or more.
    if (columns && across >= 60 && columns.some(function (c) { return String(c).length > 12; })) {
      ticks["xaxis.tickmode"] = "array"; ticks["xaxis.tickvals"] = columns; ticks["xaxis.tickangle"] = 0;
      ticks["xaxis.ticktext"] = columns.map(function (c) { return wrap(String(c), Math.max(8, Math.floor(across / 8))); });
    }
    size(gd, height);
    Plotly.relayout(gd, {
      "title.text": title,
      "xaxis.title.text": wrap(wide["xaxis.title.text"], chars),
      "yaxis.title.text": wrap(wide["yaxis.title.text"], Math.floor(chars * 0.9)),
      "legend.orientation": "h", "legend.x": 0, "legend.xanchor": "left",
      "legend.yref": "container", "legend.y": 0, "legend.yanchor": "bottom",
      "margin.l": 48, "margin.r": 8, "margin.t": 24 + 21 * lines, "margin.b": bottom,
      "height": height
    }).then(function () { return Object.keys(ticks).length ? Plotly.relayout(gd, ticks) : null; }).then(function () { separate(gd, 3); });
  }
  function box(gd, selector, pick) {
    var found = null;
    Array.prototype.forEach.call(gd.querySelectorAll(selector), function (node) {
      var r = node.getBoundingClientRect();
      if (r.height > 0) { found = found === null ? r[pick] : (pick === "top" ? Math.min(found, r[pick]) : Math.max(found, r[pick])); }
    });
    return found;
  }
  // Titles, buttons, tick labels, sliders and the legend must not overlap: measure and
  // make room (a few passes, as room in one margin can move the others). A title over two
  // lines (a note under it) meets an animation's buttons at any width; the legend moves
  // under the plot only on a phone.
  function separate(gd, passes) {
    if (!passes || gd._womNarrow === undefined) { return; }
    var top = gd.getBoundingClientRect().top, update = {}, grow = 0;
    var titleBottom = box(gd, ".gtitle", "bottom");
    var above = Math.max(box(gd, ".updatemenu-container", "bottom") || 0, titleBottom || 0);
    var buttons = box(gd, ".updatemenu-container", "top");
    var plotTop = top + gd._fullLayout._size.t;
    var titleTop = box(gd, ".gtitle", "top"), pinned = gd.layout.title || {};
    if (titleTop !== null && pinned.yref === "container" && titleTop < top + 4) {
      // plotly anchors a pinned title of several lines by its first: lower all of it
      var lower = top + 8 - titleTop;
      update["title.pad.t"] = (pinned.pad && pinned.pad.t || 0) + lower;
      update["margin.t"] = gd._fullLayout.margin.t + lower; grow += lower;
    } else if (titleBottom !== null && buttons !== null && buttons < titleBottom + 4) {
      // The buttons sit on the plot's top edge: pin the title to the top of the figure
      // (plotly centres it in the top margin, so a taller margin would move it too) and
      // make the margin hold the title, then the buttons.
      var need = 8 + (titleBottom - box(gd, ".gtitle", "top")) + 8 +
                 (box(gd, ".updatemenu-container", "bottom") - buttons) + 6;
      update["title.yref"] = "container"; update["title.y"] = 1; update["title.yanchor"] = "top";
      update["title.pad.t"] = 8; update["updatemenus[0].y"] = 1;
      update["updatemenus[0].yanchor"] = "bottom"; update["updatemenus[0].pad.b"] = 4;
      var margin = gd._fullLayout.margin.t;
      if (need > margin) { update["margin.t"] = need; grow += need - margin; }
    } else if (above && plotTop < above + 6) {
      update["margin.t"] = gd._fullLayout.margin.t + above + 10 - plotTop; grow += above + 10 - plotTop;
    }
    var legendTop = gd._womNarrow ? box(gd, ".legend", "top") : null;
    var axisBottom = Math.max(box(gd, ".xaxislayer-above", "bottom") || 0, box(gd, ".xtitle", "bottom") || 0,
                              box(gd, ".slider-container", "bottom") || 0);
    if (legendTop !== null && axisBottom && legendTop < axisBottom + 6) {
      update["margin.b"] = gd._fullLayout.margin.b + axisBottom + 10 - legendTop; grow += axisBottom + 10 - legendTop;
    }
    if (!Object.keys(update).length) { return; }
    update.height = gd._fullLayout.height + grow;
    size(gd, update.height);
    Plotly.relayout(gd, update).then(function () { separate(gd, passes - 1); });
  }
  function adaptAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".js-plotly-plot"), adapt);
  }
  var timer = null;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(adaptAll, 150); });
  window.addEventListener("load", function () { setTimeout(adaptAll, 0); });
})();
"""

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


def widget_config(lang: str = "en") -> dict[str, Any]:
    """plotly.js ``config`` of an interactive chart widget (``FigureWidget``): that of
    :func:`plotly_config` with, in Spanish, the locale itself.

    A chart widget draws with the plotly.js bundled in the widget, not the page's, so the
    locale a page registers never reaches it; plotly.js takes locales in a figure's
    ``config`` too, which is how the widget gets its Spanish toolbar and decimal comma.

    Examples
    --------
    >>> config = widget_config("es")
    >>> config["locale"], config["locales"]["es"]["format"]["decimal"], config["showSendToCloud"]
    ('es', ',', False)
    >>> "locales" in widget_config("en")
    False
    """
    config = plotly_config(lang)
    if lang == "es":
        config["locales"] = {
            "es": {"dictionary": SPANISH["dictionary"], "format": SPANISH["format"]}
        }
    return config


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
    scripts.append(f"<script>{_RESPONSIVE % NARROW_PX}</script>")
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
