"""A hand-out of an executed teacher notebook: one self-contained HTML page with its text and
its charts drawn, the code hidden, plotly.js embedded once, no network needed.

Exporters that copy a notebook's outputs lose its interactive charts: a plotly
``FigureWidget`` is only a reference to a widget model, and the model's saved state holds the
chart as it was first shown, not as the notebook's callbacks left it. So the page is drawn
from what the kernel held when the notebook finished (``figures``: each chart widget's last
figure, by model id; ``widgets``: every widget's state): charts become static plotly
figures, tables and text stay, controls are written as "name: value".
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from typing import Any

from simulator.views.i18n import text
from simulator.views.plotly_page import PAGE_CSS, figure_html

__all__ = ["render_handout"]

_PLOTLY_MIME = "application/vnd.plotly.v1+json"
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_MODEL_PREFIX = "IPY_MODEL_"
_BOXES = ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel")
_CHOICES = ("DropdownModel", "ToggleButtonsModel", "RadioButtonsModel", "SelectModel")

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa;
  line-height: 1.45; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
h1 { font-size: 1.7em; } h2 { font-size: 1.3em; border-bottom: 2px solid #009E73; }
.kicker { color: #009E73; font-weight: bold; text-transform: uppercase; font-size: 0.85em; }
.controls { background: #f2f7f5; border-left: 5px solid #009E73; padding: 6px 14px; }
.controls p { margin: 0.3em 0; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
pre { background: #f6f6f6; padding: 12px; font-size: 0.82em; }
img { max-width: 100%; }
footer { color: #777; font-size: 0.85em; margin-top: 36px; }
/* the notebook's heading links (a pilcrow after each heading) show only on hover */
a.anchor-link { visibility: hidden; text-decoration: none; margin-left: 0.3em; }
h1:hover a.anchor-link, h2:hover a.anchor-link, h3:hover a.anchor-link { visibility: visible; }
"""


def _markdown(source: str) -> str:
    # nbconvert (installed with Voilà, the notebooks extra) renders notebook markdown
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return str(markdown2html_mistune(source))


def _scrolling(fragment: str) -> str:
    """Tables scroll sideways inside their own box, so the page never does on a phone."""
    return f'<div class="scroll">{fragment}</div>' if "<table" in fragment else fragment


class _Page:
    """The figures written so far (plotly.js goes with the first) and the page language."""

    def __init__(self, figures: Mapping[str, Any], widgets: Mapping[str, Any], lang: str):
        self.figures = figures
        self.widgets = widgets
        self.lang = lang
        self.drawn = 0

    def figure(self, spec: Any) -> str:
        fragment = figure_html(spec, self.drawn, self.lang, div_id=f"figure-{self.drawn}")
        self.drawn += 1
        return f"<figure>{fragment}</figure>"

    def widget(self, model_id: str) -> str:
        if model_id in self.figures:
            return self.figure(self.figures[model_id])
        model = self.widgets.get(model_id)
        if model is None:
            return ""
        name, state = model.get("model_name", ""), model.get("state", {})
        layout = self.widgets.get(str(state.get("layout", "")).removeprefix(_MODEL_PREFIX), {})
        if layout.get("state", {}).get("visibility") == "hidden":
            return ""  # e.g. the busy sign of a control panel, shown only while it works
        description = html.escape(str(state.get("description", "")))
        if name in _BOXES:
            parts = [self.widget(child.removeprefix(_MODEL_PREFIX)) for child in state["children"]]
            controls = [part for part in parts if part.startswith("<p class=control>")]
            others = [part for part in parts if not part.startswith("<p class=control>")]
            box = f'<div class="controls">{"".join(controls)}</div>' if controls else ""
            return box + "".join(others)
        if name in ("HTMLModel", "HTMLMathModel"):
            return _scrolling(str(state.get("value", "")))
        if name == "LabelModel":
            return f"<p>{html.escape(str(state.get('value', '')))}</p>"
        if name == "OutputModel":
            return "".join(self.output(output) for output in state.get("outputs", []))
        if name in _CHOICES:
            index = state.get("index")
            labels = state.get("_options_labels", [])
            value = labels[index] if isinstance(index, int) and index < len(labels) else ""
            return f"<p class=control>{description}: <b>{html.escape(str(value))}</b></p>"
        if name == "CheckboxModel":
            mark = text("yes" if state.get("value") else "no", self.lang)
            return f"<p class=control>{description}: <b>{html.escape(mark)}</b></p>"
        if name.endswith("SliderModel") or name.endswith("TextModel"):
            value = state.get("value")
            if isinstance(value, float):
                value = f"{value:.6g}".replace(".", "," if self.lang == "es" else ".")
            return f"<p class=control>{description}: <b>{html.escape(str(value))}</b></p>"
        return ""  # buttons, layouts, styles: nothing a reader of paper needs

    def output(self, output: Mapping[str, Any]) -> str:
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stderr":
                return ""
            return f"<pre>{html.escape(''.join(output.get('text', '')))}</pre>"
        if kind == "error":
            return f"<pre>{html.escape(str(output.get('ename')))}: {html.escape(str(output.get('evalue')))}</pre>"
        data = output.get("data", {})
        if _WIDGET_MIME in data:
            return self.widget(data[_WIDGET_MIME]["model_id"])
        if _PLOTLY_MIME in data:
            return self.figure(data[_PLOTLY_MIME])
        if "text/html" in data:
            return _scrolling("".join(data["text/html"]))
        if "image/png" in data:
            png = "".join(data["image/png"]).replace("\n", "")
            base64.b64decode(png, validate=True)  # a broken image is an error, not a blank
            return f'<img alt="" src="data:image/png;base64,{png}">'
        if "text/markdown" in data:
            return _markdown("".join(data["text/markdown"]))
        if "text/plain" in data:
            return f"<pre>{html.escape(''.join(data['text/plain']))}</pre>"
        return ""


def render_handout(
    notebook: Mapping[str, Any],
    *,
    figures: Mapping[str, Any],
    widgets: Mapping[str, Any],
    lang: str = "en",
) -> tuple[str, int]:
    """The hand-out page of an executed notebook and the number of figures drawn in it.

    Parameters
    ----------
    notebook : mapping
        An executed notebook (nbformat 4, as read by ``nbformat`` or ``json``).
    figures : mapping
        The last figure (a plotly figure dict) of each chart widget, by model id.
    widgets : mapping
        Every widget's state by model id (``ipywidgets.Widget.get_manager_state()["state"]``).
    lang : {"en", "es"}

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> figure = go.Figure(go.Bar(x=["a"], y=[1])).to_plotly_json()
    >>> notebook = {"cells": [
    ...     {"cell_type": "markdown", "source": "# A lesson"},
    ...     {"cell_type": "code", "source": "chart", "outputs": [{"output_type": "display_data",
    ...      "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "box"}}}]}]}
    >>> widgets = {
    ...     "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_c"]}},
    ...     "s": {"model_name": "IntSliderModel", "state": {"description": "Budget", "value": 300}},
    ... }
    >>> page, drawn = render_handout(notebook, figures={"c": figure}, widgets=widgets)
    >>> drawn, "<b>300</b>" in page, ">A lesson<" in page, '<script src="http' in page
    (1, True, True, False)
    """
    page = _Page(figures, widgets, lang)
    blocks = []
    title = ""
    for cell in notebook.get("cells", []):
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            if not title and source.lstrip().startswith("# "):
                title = source.lstrip()[2:].splitlines()[0].strip()
            blocks.append(_markdown(source))
        elif cell.get("cell_type") == "code":
            blocks.extend(page.output(output) for output in cell.get("outputs", []))
    body = "\n".join(block for block in blocks if block)
    document = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_STYLE + PAGE_CSS}</style>
</head>
<body>
<main data-figures="{page.drawn}">
<p class="kicker">{html.escape(text("handout_kicker", lang))}</p>
{body}
<footer>{html.escape(text("generated", lang))}</footer>
</main>
</body>
</html>
"""
    return document, page.drawn
