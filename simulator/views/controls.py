"""The control panel of the teacher notebooks: the controls on top, a reset button and a
busy sign, the charts below; one call wires a notebook's controls to its update function.

Served by ``wom lab`` (the code hidden), a notebook shows only this panel and its text, so
a student sees what the controls do, that the model is working (the sign and the greyed
controls) and how to get back to the lesson's values (the reset button).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from simulator.views.i18n import number, separators, text
from simulator.views.plotly_page import widget_config

__all__ = ["BUSY_CLASS", "READOUT_CLASS", "lab_panel", "readout_text", "redraw", "show_in"]

BUSY_CLASS = "wom-busy"
"""CSS class of the busy sign, which the browser tests look for."""

READOUT_CLASS = "wom-readout"
"""CSS class of the label that shows a slider's value with the language's separators."""

PLOTLY_MIME = "application/vnd.plotly.v1+json"
"""The mime type of a plotly figure, which notebooks and the hand-outs draw."""


def lab_panel(
    controls: Sequence[Any],
    outputs: Sequence[Any],
    update: Callable[..., object],
    *,
    lang: str = "en",
) -> Any:
    """Controls, a reset button and a busy sign above ``outputs``; ``update`` runs now and
    whenever a control's value changes.

    While ``update`` runs the controls are greyed and the sign says the model is working.
    The reset button puts every control back to the value it had when the panel was made
    and runs ``update`` once.

    Parameters
    ----------
    controls : sequence of ipywidgets widgets with a ``value``
        Sliders, drop-downs, toggles, check boxes.
    outputs : sequence of ipywidgets widgets
        Charts (plotly ``FigureWidget``), tables (``widgets.HTML``), output areas.
    update : callable
        Called with no argument; redraws the outputs from the controls' values.
    lang : {"en", "es"}
        Language of the button, the sign and the sliders' numbers. A slider draws its own
        value with a decimal point whatever the language (its format has no locale), so in
        a language that writes numbers otherwise (Spanish: 0,35 and 1.500) each float
        slider, and each integer slider that reaches 1,000, hides its own readout and shows
        a label beside it (see `readout_text`), kept in step with its value.

    Returns
    -------
    ipywidgets.VBox

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> slider = widgets.IntSlider(3, min=0, max=10)
    >>> shown = widgets.Label()
    >>> def draw():
    ...     shown.value = f"{slider.value} squared is {slider.value ** 2}"
    >>> panel = lab_panel([slider], [shown], draw, lang="en")
    >>> shown.value
    '3 squared is 9'
    >>> slider.value = 4
    >>> shown.value
    '4 squared is 16'
    >>> reset = panel.children[0].children[-1].children[0]
    >>> reset.click()
    >>> slider.value, shown.value
    (3, '3 squared is 9')

    In Spanish a float slider's value is shown with a decimal comma, also after a reset:

    >>> share = widgets.FloatSlider(0.35, min=0.0, max=1.0, step=0.05)
    >>> panel = lab_panel([share], [shown], lambda: None, lang="es")
    >>> slider_row = panel.children[0].children[0]
    >>> readout = slider_row.children[1]
    >>> share.readout, readout.value
    (False, '0,35')
    >>> share.value = 0.4
    >>> readout.value
    '0,40'
    >>> panel.children[0].children[-1].children[0].click()
    >>> readout.value
    '0,35'

    A chart widget among the outputs gets the project's toolbar in ``lang``:

    >>> import plotly.graph_objects as go
    >>> chart = go.FigureWidget()
    >>> _ = lab_panel([slider], [chart], draw, lang="es")
    >>> chart._config["locale"], chart._config["showSendToCloud"]
    ('es', False)
    """
    import ipywidgets as widgets  # the notebooks extra installs it

    text("lab_reset", lang)  # refuses an unknown language before anything is built
    initial = [control.value for control in controls]
    busy = widgets.HTML(
        f'<span class="{BUSY_CLASS}" style="color:#b35900;font-weight:bold">'
        f"⏳ {text('lab_busy', lang)}</span>"
    )
    busy.layout.visibility = "hidden"
    for output in outputs:
        if hasattr(output, "_config") and hasattr(output, "batch_update"):  # a chart widget
            # plotly gives a FigureWidget no public config: its toolbar, the cloud button
            # and its locale are this trait, which the widget reads when it first draws.
            output._config = widget_config(lang)
    reset = widgets.Button(description=text("lab_reset", lang), icon="undo")
    reset.add_class("wom-reset")
    reset.layout.width = "auto"  # the whole label, in both languages
    for control in controls:
        control.layout.max_width = "100%"  # a phone narrows the sliders, not the page
    shown = [_localised(control, lang, widgets) for control in controls]
    state = {"resetting": False}

    def run(change: object = None) -> None:
        if state["resetting"]:
            return
        busy.layout.visibility = "visible"
        for control in controls:
            control.disabled = True
        try:
            update()
        finally:
            for control in controls:
                control.disabled = False
            busy.layout.visibility = "hidden"

    def restore(button: object = None) -> None:
        state["resetting"] = True
        try:
            for control, value in zip(controls, initial, strict=True):
                control.value = value
        finally:
            state["resetting"] = False
        run()

    for control in controls:
        control.observe(run, names="value")
    reset.on_click(restore)
    run()
    bar = widgets.HBox([reset, busy], layout=widgets.Layout(align_items="center", grid_gap="12px"))
    top = widgets.VBox([*shown, bar])
    top.add_class("wom-controls")
    return widgets.VBox([top, *outputs])


def readout_text(control: Any, lang: str, value: float | None = None) -> str | None:
    """A slider's value (or ``value``) as ``lang`` writes it, or None when the slider's own
    readout already does (every slider in English; integers below 1,000; not a slider).

    The digits are those of the slider's ``readout_format`` (ipywidgets' default for a
    float slider is two).

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> readout_text(widgets.FloatSlider(0.35), "es")
    '0,35'
    >>> readout_text(widgets.FloatSlider(0.03, max=0.1, readout_format=".3f"), "es")
    '0,030'
    >>> readout_text(widgets.IntSlider(1500, max=5000), "es")
    '1.500'
    >>> readout_text(widgets.IntSlider(300, max=600), "es") is None  # no separator needed
    True
    >>> readout_text(widgets.FloatSlider(0.35), "en") is None  # the slider's own is right
    True
    """
    import ipywidgets as widgets  # the notebooks extra installs it

    if separators(lang) == separators("en"):
        return None
    shown = control.value if value is None else value
    if isinstance(control, widgets.FloatSlider):
        found = re.search(r"\.(\d+)f$", control.readout_format)
        digits = int(found.group(1)) if found else _step_digits(control.step)
        return number(shown, lang, digits)
    if isinstance(control, widgets.IntSlider) and max(abs(control.min), abs(control.max)) >= 1000:
        return number(shown, lang, 0)
    return None


def _step_digits(step: float) -> int:
    """Decimals a step needs (0.05 -> 2), for a float slider whose format is not ``.Nf``."""
    return len(f"{step:.10f}".rstrip("0").split(".")[1])


def _localised(control: Any, lang: str, widgets: Any) -> Any:
    """``control`` as the panel shows it: the control itself, or, when its readout must be
    written in ``lang`` (`readout_text`), a row of the control without its own readout and
    a label that follows its value."""
    shown = readout_text(control, lang)
    if shown is None:
        return control
    control.readout = False
    readout = widgets.Label(shown)
    readout.add_class(READOUT_CLASS)
    # As wide as the longest value, so that the slider does not jump as the text changes.
    widest = max(len(readout_text(control, lang, end) or "") for end in (control.min, control.max))
    readout.layout = widgets.Layout(min_width=f"{widest + 1}ch", flex="0 0 auto")

    def follow(change: object) -> None:
        readout.value = readout_text(control, lang) or ""

    control.observe(follow, names="value")
    # The row takes the width the notebook gave the slider and the slider fills what the
    # label leaves; on a phone the row (max_width 100%) narrows, not the page.
    row = widgets.HBox(
        [control, readout],
        layout=widgets.Layout(width=control.layout.width, max_width="100%", align_items="center"),
    )
    if control.layout.width:
        control.layout.width = "auto"
        control.layout.flex = "1 1 auto"
    control.layout.min_width = "0"
    return row


def redraw(chart: Any, figure: Any) -> None:
    """Put ``figure`` into ``chart``, a plotly ``FigureWidget`` already on screen, without
    making a new one (the page keeps its place and the hand-out its last state).

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> chart = go.FigureWidget()
    >>> redraw(chart, go.Figure(go.Scatter(x=[0, 1], y=[1, float("nan")]), {"title": "t"}))
    >>> len(chart.data), chart.layout.title.text, chart.data[0].y
    (1, 't', (1, None))
    >>> chart._widget_data[0]["y"]  # the state a page draws the chart from
    [1, None]
    """
    # Through JSON: NaN gaps become null, which widgets accept, and arrays become lists.
    spec = json.loads(figure.to_json())
    with chart.batch_update():
        chart.data = ()
        chart.add_traces(spec["data"])
        chart.layout = spec["layout"]
    # The edits above reach the browser as passing messages, lost when no page is connected
    # yet: Voilà runs the notebook first and then draws each widget from its saved state, so
    # a chart inside a panel (whose own display hook never runs, which would save it) came
    # up empty until a control moved. Save the state as plotly's display hook does.
    chart._widget_layout = copy.deepcopy(chart._layout_obj._props)
    chart._widget_data = copy.deepcopy(chart._data)


def show_in(output: Any, figure: Any) -> None:
    """Show ``figure`` in ``output``, an ipywidgets ``Output``, in place of what it showed.

    For figures a ``FigureWidget`` cannot hold (an animation's frames; see `redraw` for the
    others). The figure goes into the widget's saved state as the notebook's plotly renderer
    writes it (``wom lab``: HTML; Jupyter: plotly's mime type), or, when no renderer writes
    one (plain Python), as plotly's mime type; a hand-out draws it from that state.

    Examples
    --------
    >>> import ipywidgets as widgets
    >>> import plotly.graph_objects as go
    >>> import plotly.io as pio
    >>> shown = widgets.Output()
    >>> frames = [go.Frame(data=[go.Scatter(y=[2, 1])], name="day 1")]
    >>> before, pio.renderers.default = pio.renderers.default, "plotly_mimetype"
    >>> show_in(shown, go.Figure(go.Scatter(y=[1, 2]), frames=frames))
    >>> show_in(shown, go.Figure(go.Scatter(y=[1, 3]), frames=frames))
    >>> pio.renderers.default = before
    >>> (drawn,) = shown.outputs  # the second figure replaced the first
    >>> figure = drawn["data"][PLOTLY_MIME]
    >>> drawn["output_type"], figure["data"][0]["y"], figure["frames"][0]["name"]
    ('display_data', [1, 3], 'day 1')
    """
    # Set as the widget's state rather than displayed inside ``with output:``: a display is
    # caught by the page (Voilà, JupyterLab) and never reaches the kernel's copy of the
    # widget, which is what the hand-out exporter reads.
    # plotly only when a figure is shown; its encoder writes arrays as lists, NaN as null
    from plotly.io.json import to_json_plotly

    data = json.loads(to_json_plotly(figure._repr_mimebundle_()))
    if not data:
        data = {PLOTLY_MIME: json.loads(figure.to_json())}
    output.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)
