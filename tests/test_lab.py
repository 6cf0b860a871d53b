"""``wom lab``: the notebooks served without code (Voilà) and exported as hand-outs, checked
in headless Chromium with every request that leaves this machine refused.

- served: the lesson page loads with nothing from the internet, a slider moves and the chart
  it drives changes;
- exported: every hand-out opens from ``file://`` and draws at least as many charts as its
  notebook makes (counted from the notebook's source, not from the exporter);
- bad input: one ``wom: error:`` line and exit status 2.

Notebooks run in quick mode (``WOM_NOTEBOOK_QUICK=1``: a town of 400, 4 runs).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulator.cli import main
from tests.browser import browser, open_page
from tests.test_responsive import check_page

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def charts_made(path: Path) -> int:
    """Charts a notebook makes, read from its code: chart widgets, figures put into output
    widgets (``show_in``), ``.show()`` calls, and cells whose last line displays a figure
    (``fig`` or a ``plots.`` call)."""
    made = 0
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        made += len(re.findall(r"FigureWidget\(", source)) + len(re.findall(r"\.show\(\)", source))
        made += len(re.findall(r"\bshow_in\(", source))
        last = source.strip().splitlines()[-1]
        if (last == "fig" or last.startswith("plots.")) and not last.endswith(".show()"):
            made += 1
    return made


def test_charts_made_counts_widgets_shows_and_displayed_figures():
    counts = {p.name[:2]: charts_made(p) for p in sorted((NOTEBOOKS / "en").glob("*.ipynb"))}
    assert counts == {"01": 6, "02": 6, "03": 5, "04": 2, "05": 2}


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--port", "0"], "--port"),
        (["--port", "70000"], "--port"),
        (["--host", "no such host!"], "--host"),
        (["--notebooks", "/nowhere"], "--notebooks"),
        (["--export", str(ROOT / "README.md")], "--export"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, names, capsys):
    assert main(["lab", "--no-browser", *argv]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wom: error:") and names in lines[0], lines


def test_an_unknown_language_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["lab", "--lang", "fr"])
    assert stop.value.code == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("wom: error:") and "--lang" in line and "'fr'" in line


def test_a_port_in_use_is_refused(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["lab", "--no-browser", "--port", str(port)]) == 2
    line = capsys.readouterr().err.strip()
    assert "cannot listen" in line and str(port) in line


@contextmanager
def _serving(lang: str) -> Iterator[str]:
    """``wom lab --lang LANG`` on a free port; its URL. Stopped (with Voilà) afterwards."""
    pytest.importorskip("voila")
    port = _free_port()
    env = {**os.environ, "WOM_NOTEBOOK_QUICK": "1", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "simulator.cli", "lab", "--lang", lang, "--no-browser"]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith(f"wom lab: the {lang} notebooks at http://127.0.0.1:{port}/"), first
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=60)
        process.stdout.close()


@pytest.fixture
def served():
    """``wom lab --lang en`` on a free port; its URL."""
    with _serving("en") as url:
        yield url


_CHART = """() => { const gd = document.querySelector('.wom-controls').parentElement
  .querySelector('.js-plotly-plot'); return gd && gd._fullData ?
  JSON.stringify(gd._fullData.map(t => Array.from(t.y || [], v => Number(Number(v).toPrecision(9))))) : null; }"""
"""The data of the first chart under the control panel (the adoption curves) as drawn, as
plain numbers to 9 digits: the saved state holds encoded arrays, an update typed arrays,
and plotly decodes both into its drawn traces."""


_CHARTS = """() => JSON.stringify([...document.querySelector('.wom-controls').parentElement
  .querySelectorAll('.js-plotly-plot')].map(gd => gd._fullData ? gd._fullData.map(
  t => Array.from(t.y || t.x || [], v => String(v))) : null))"""
"""Every chart under the control panel, as drawn."""


_TOOLBAR = """() => { const panel = document.querySelector('.wom-controls');
  const gd = panel && panel.parentElement.querySelector('.js-plotly-plot');
  return gd && gd.querySelector('.modebar') ?
  [...gd.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title')) : null; }"""
"""The toolbar buttons' titles of the first chart under the control panel."""


_ANYWIDGET_LATE = "[anywidget] Failed to initialize model."
"""The page error anywidget raises when a widget's code took more than 2 s to start."""


def test_lab_page_loads_offline_and_a_slider_changes_the_chart(served):
    with browser() as chromium:
        # this machine's server is reachable; every other host is not
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        outside: list[str] = []
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith((served, "data:", "blob:"))
                else (outside.append(route.request.url), route.abort())
            ),
        )
        # anywidget gives a chart's model 2 s to load its code and rejects it after that: the
        # chart is still drawn from its saved state but loses its live link, so a slider no
        # longer reaches it. A busy machine (a test suite beside it) can take longer, so the
        # page is loaded again, as a student would, until every chart started in time.
        for _ in range(3):
            errors.clear()
            page.goto(
                f"{served}/voila/render/02_word_of_mouth_or_advertising.ipynb", timeout=120_000
            )
            page.wait_for_selector(".wom-controls .widget-slider .noUi-handle", timeout=120_000)
            page.wait_for_function(f"({_CHART})() !== null", timeout=120_000)
            # both charts of the panel (adoption curves, cost per adopter) are drawn
            page.wait_for_function(
                "document.querySelector('.wom-controls').parentElement"
                ".querySelectorAll('.js-plotly-plot svg.main-svg').length >= 2",
                timeout=120_000,
            )
            page.wait_for_timeout(2_500)  # past anywidget's 2 s: a late start has shown
            if _ANYWIDGET_LATE not in errors:
                break
        # two panels: the experiment's controls and the map's strategy list, each with
        # its own reset button and busy sign
        panels = page.locator(".wom-controls")
        assert panels.count() == 2
        experiment = panels.first
        assert experiment.locator(".wom-reset").count() == 1
        assert experiment.locator(".wom-busy").count() == 1
        assert page.locator(".wom-reset").count() == page.locator(".wom-busy").count() == 2
        assert "print(" not in page.content()  # the code is hidden
        page.locator(".wom-controls").locator("xpath=..").locator(".js-plotly-plot").first.hover()
        titles = page.evaluate(_TOOLBAR)
        assert "Download plot as a PNG" in titles and "Share chart..." not in titles, titles
        before = page.evaluate(_CHART)
        every_before = page.evaluate(_CHARTS)
        assert len(json.loads(every_before)) >= 2, every_before
        # drawn from the start, not only once a control moves (Voilà draws a widget from its
        # saved state): a band, a line and a spread per strategy, each with its points
        curves = json.loads(before)
        assert len(curves) == 12 and all(len(trace) > 0 for trace in curves), curves
        budget = page.locator(".wom-controls .widget-slider").first
        assert "300" in budget.inner_text()
        handle = budget.locator(".noUi-handle")
        # 300 -> 350 EUR, and the chart must follow. In CI a move was once lost (the readout
        # said 350, the chart stayed for 120 s; where it was lost is not known): press again,
        # as a student would, while the chart has not changed.
        from playwright.sync_api import TimeoutError as PlaywrightTimeout  # browser() has it

        changed = False
        for _ in range(3):
            handle.focus()
            handle.press("ArrowRight")
            try:
                page.wait_for_function(f"({_CHART})() !== {json.dumps(before)}", timeout=40_000)
            except PlaywrightTimeout:
                continue
            changed = True
            break
        assert changed, "three slider moves and the chart never changed"
        # every chart of the panel follows the slider, not only the first: this is what a
        # late anywidget start (below) would break
        page.wait_for_function(
            f"JSON.parse(({_CHARTS})()).every((c, i) => JSON.stringify(c)"
            f" !== JSON.stringify(JSON.parse({json.dumps(every_before)})[i]))",
            timeout=60_000,
        )
        assert "300" not in budget.inner_text()
        experiment.locator(".wom-reset").click()
        page.wait_for_function(f"({_CHART})() === {json.dumps(before)}", timeout=120_000)
        assert "300" in budget.inner_text()
    # A late start that came after the reloads above is harmless only because every chart
    # was just shown to follow the slider; any other page error fails.
    assert outside == [] and [e for e in errors if e != _ANYWIDGET_LATE] == [], (outside, errors)


def test_lab_charts_speak_spanish_and_share_nothing():
    """A chart widget draws with the plotly.js bundled in the widget, which the page's
    Spanish locale never reached: its toolbar was English. Now: Spanish, no cloud button."""
    with _serving("es") as url, browser() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        outside: list[str] = []
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith((url, "data:", "blob:"))
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page.goto(f"{url}/voila/render/02_boca_a_boca_o_publicidad.ipynb", timeout=120_000)
        page.wait_for_function(f"({_TOOLBAR})() !== null", timeout=120_000)
        chart = page.locator(".wom-controls").locator("xpath=..").locator(".js-plotly-plot")
        chart.first.hover()  # the toolbar shows on hover
        titles = page.evaluate(_TOOLBAR)
        assert "Descargar el gráfico como imagen PNG" in titles, titles
        assert not [t for t in titles if t.startswith(("Download", "Zoom", "Pan", "Autoscale"))]
        assert not [t for t in titles if re.search("cloud|Chart Studio|Edit", t, re.I)], titles
        separators = page.evaluate(
            "document.querySelector('.wom-controls').parentElement"
            ".querySelector('.js-plotly-plot')._fullLayout.separators"
        )
        assert separators == ",.", separators  # decimal comma
        # The sliders' values (drawn by the panel: a slider's own format has no locale) and
        # the panel's table are written with a decimal comma too.
        readouts = page.evaluate(
            "[...document.querySelectorAll('.wom-controls .wom-readout')].map(e => e.innerText)"
        )
        assert readouts == ["0,83", "1,00", "0,05"], readouts  # trust x2, market chatter
        table = page.locator("table.dataframe").first  # the summary table of the panel
        shown = table.inner_text()
        assert re.search(r"\d,\d", shown) and not re.search(r"\d\.\d{1,2}\b", shown), shown
        # On a phone the sliders narrow beside their values; the page does not scroll sideways.
        page.set_viewport_size({"width": 390, "height": 900})
        page.wait_for_timeout(1_000)
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, (scroll, client)
        rights = page.evaluate(
            "[...document.querySelectorAll('.wom-controls .wom-readout')]"
            ".map(e => e.getBoundingClientRect().right)"
        )
        assert rights and max(rights) <= client, (rights, client)
        assert outside == [], outside


@pytest.mark.parametrize("lang", ["en", "es"])
def test_handouts_open_offline_with_their_charts(lang, tmp_path, monkeypatch):
    """Every hand-out of ``lang`` at 1280 px draws its charts; on a phone (390 px) and a
    projector (1920 px) it passes the reports' layout checks (no sideways scroll, usable
    plots, titles inside, legends and buttons clear; see tests/test_responsive.py)."""
    pytest.importorskip("voila")
    monkeypatch.setenv("WOM_NOTEBOOK_QUICK", "1")
    out = tmp_path / "handouts"
    assert main(["lab", "--lang", lang, "--export", str(out)]) == 0
    sources = sorted((NOTEBOOKS / lang).glob("*.ipynb"))
    written = sorted(out.glob("*.html"))
    assert [p.stem for p in written] == [p.stem for p in sources]
    drawn = {}
    problems: list[str] = []
    with browser() as chromium:
        for source, path in zip(sources, written, strict=True):
            page_text = path.read_text("utf-8")
            assert page_text.count("<script") > 1 and '<script src="http' not in page_text
            declared = int(re.search(r'data-figures="(\d+)"', page_text).group(1))
            for width in (1280, 390, 1920):
                page, errors = open_page(chromium, path.as_uri(), width)
                page.wait_for_timeout(1500)  # the layout adapts after the figures are drawn
                if width == 1280:
                    count = page.evaluate(
                        "[...document.querySelectorAll('.js-plotly-plot')]"
                        ".filter(gd => gd.querySelector('svg.main-svg')).length"
                    )
                    drawn[path.stem] = (count, charts_made(source))
                    assert errors == [], (path.name, errors)
                else:
                    problems += check_page(page, errors, path.stem, width, declared)
                page.close()
    short = {name: pair for name, pair in drawn.items() if pair[0] < pair[1]}
    assert not short, f"charts drawn vs made: {drawn}"
    assert not problems, "\n".join(problems)
