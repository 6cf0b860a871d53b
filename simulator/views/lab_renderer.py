"""How plotly figures show in notebooks served by ``wom lab``: HTML with plotly.js sent once
by the kernel, the project's toolbar (no cloud button, Spanish in ``es``), and nothing
fetched from the internet.

Voilà's page cannot load JupyterLab's plotly renderer extension, and plotly's own
``notebook`` renderer asks a CDN for MathJax with every figure, so ``wom lab`` starts its
kernels with :func:`use` (the ``--IPKernelApp.exec_lines`` of its kernel).
"""

from __future__ import annotations

import uuid
from typing import Any

from plotly.io.base_renderers import MimetypeRenderer

from simulator.views.plotly_page import figure_html, plotly_script

__all__ = ["LabRenderer", "use"]


class LabRenderer(MimetypeRenderer):
    """A plotly renderer writing figures as HTML fragments for a page that has plotly.js.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> bundle = LabRenderer("es").to_mimebundle(go.Figure(go.Bar(y=[1])).to_plotly_json())
    >>> fragment = bundle["text/html"]
    >>> "Plotly.newPlot" in fragment, '"locale": "es"' in fragment, "cdnjs" in fragment
    (True, True, False)
    """

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    def activate(self) -> None:
        # IPython only in a kernel
        from IPython.display import HTML, display

        display(HTML(plotly_script(self.lang)))

    def to_mimebundle(self, fig_dict: Any) -> dict[str, str]:
        div_id = f"wom-{uuid.uuid4().hex}"
        return {"text/html": figure_html(fig_dict, 1, self.lang, div_id=div_id)}


def use(lang: str = "en") -> None:
    """Make :class:`LabRenderer` plotly's default renderer in this kernel."""
    # plotly.io only in a kernel that draws figures
    import plotly.io as pio

    pio.renderers["wom_lab"] = LabRenderer(lang)
    pio.renderers.default = "wom_lab"
