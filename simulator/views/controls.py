"""The control panel of the teacher notebooks: the controls on top, a reset button and a
busy sign, the charts below; one call wires a notebook's controls to its update function.

Served by ``wom lab`` (the code hidden), a notebook shows only this panel and its text, so
a student sees what the controls do, that the model is working (the sign and the greyed
controls) and how to get back to the lesson's values (the reset button).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from typing import Any

from simulator.views.i18n import text
from simulator.views.plotly_page import widget_config

__all__ = ["BUSY_CLASS", "lab_panel", "redraw"]

BUSY_CLASS = "wom-busy"
"""CSS class of the busy sign, which the browser tests look for."""


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
        Language of the button and the sign.

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
    top = widgets.VBox([*controls, bar])
    top.add_class("wom-controls")
    return widgets.VBox([top, *outputs])


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
