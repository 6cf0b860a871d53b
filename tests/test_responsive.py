"""Reports on a phone (390 px), a laptop (1280 px) and a projector (1920 px): the page never
scrolls sideways (wide tables scroll inside their box), every figure is drawn with a plot
area a reader can use, titles stay inside their figure and legends do not cover the plot.

Two quick experiments (one in Spanish, with the customers section and the spread
animation), opened offline in headless Chromium through Playwright.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.cli import main
from tests.browser import FIGURES, browser, open_page

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["--set", "population.size=300", "--set", "simulation.steps=20", "--replicates", "3"]
WIDTHS = (390, 1280, 1920)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("reports")
    made = {}
    for name, lang in (("friends_vs_ads", "es"), ("right_medium", "en")):
        out = folder / name
        argv = ["run", str(ROOT / "experiments" / f"{name}.toml"), "--lang", lang, "--quiet"]
        assert main([*argv, *QUICK, "--out", str(out)]) == 0
        made[name] = out / "report.html"
    return made


def check_page(page, errors, name: str, width: int, declared: int) -> list[str]:
    """What is wrong with the page at this width (empty when nothing is)."""
    found = [f"{name}@{width}: {error}" for error in errors]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    client = page.evaluate("document.documentElement.clientWidth")
    if scroll > client:
        found.append(f"{name}@{width}: the page scrolls sideways ({scroll} > {client} px)")
    figures = page.evaluate(FIGURES)
    if len(figures) != declared:
        found.append(f"{name}@{width}: {len(figures)} figures drawn of {declared}")
    # usable: most of the width on a phone, a real plot on a wide screen
    min_width = 0.55 * min(width - 32, 1056)
    for figure in figures:
        where = f"{name}@{width} {figure['id']}"
        if figure["drawn"] < 1:
            found.append(f"{where}: not drawn")
        if figure["right"] > client + 1:
            found.append(f"{where}: figure wider than the page")
        if figure["plotWidth"] < min_width and figure["plotWidth"] < 0.4 * figure["width"]:
            found.append(f"{where}: plot only {figure['plotWidth']:.0f} px wide")
        if figure["plotHeight"] < 180:
            found.append(f"{where}: plot only {figure['plotHeight']:.0f} px tall")
        title = figure["title"]
        if title and (title["right"] > figure["right"] + 2 or title["left"] < figure["left"] - 2):
            found.append(f"{where}: title cut ({title['left']:.0f}-{title['right']:.0f} px)")
        buttons = figure["buttons"]
        if (
            title
            and buttons
            and buttons["top"] < title["bottom"]
            and buttons["bottom"] > title["top"]
        ):
            found.append(f"{where}: the play buttons cover the title")
        legend = figure["legend"]
        if width < 700 and legend and legend["top"] < figure["plotBottom"] - 2:
            found.append(f"{where}: legend over the plot on a phone")
    return found


def test_reports_fit_phones_laptops_and_projectors(reports):
    problems = []
    with browser() as chromium:
        for name, path in reports.items():
            declared = int(re.search(r'data-figures="(\d+)"', path.read_text("utf-8")).group(1))
            assert declared >= 8, name  # customers, results and the spread animation
            for width in WIDTHS:
                page, errors = open_page(chromium, path.as_uri(), width)
                page.wait_for_timeout(1500)  # the layout adapts after the figures are drawn
                problems += check_page(page, errors, name, width, declared)
                if width == 390:  # the summary table scrolls inside its own box
                    inner = page.evaluate(
                        "document.querySelector('[data-table=summary]').scrollWidth"
                    )
                    assert inner > 390, name
                page.close()
    assert not problems, "\n".join(problems)


def test_a_figure_goes_back_to_its_wide_layout(reports):
    """Turning a phone to landscape, or widening a window, restores the legend beside it."""
    with browser() as chromium:
        page, errors = open_page(chromium, reports["friends_vs_ads"].as_uri(), 390)
        page.wait_for_timeout(1500)
        narrow = page.evaluate("document.querySelector('.js-plotly-plot').layout.legend")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_timeout(1000)
        wide = page.evaluate("document.querySelector('.js-plotly-plot').layout.legend")
        assert narrow.get("orientation") == "h" and wide.get("orientation") != "h"
        assert not errors


_ANIMATION = """() => { const gd = [...document.querySelectorAll('.js-plotly-plot')]
  .find(g => g._transitionData && g._transitionData._frames.length > 0);
  if (!gd) return null;
  const counter = gd._fullLayout.annotations.map(a => a.text)[0] || "";
  return {active: gd.layout.sliders[0].active, counter: counter,
          title: gd._fullLayout.title.text, frames: gd._transitionData._frames.length}; }"""
"""The spread animation of a report: the slider's day, the counter in its corner, its title."""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_animation_starts_on_day_zero_and_plays(reports, width):
    with browser() as chromium:
        page, errors = open_page(chromium, reports["friends_vs_ads"].as_uri(), width)
        page.wait_for_function(f"({_ANIMATION})() !== null", timeout=60_000)
        first = page.evaluate(_ANIMATION)
        assert first["active"] == 0, first
        assert first["counter"].startswith("día 0:") and "clientes" in first["counter"], first
        assert "pulsa Reproducir" in first["title"], first
        page.locator(".updatemenu-button").first.click()  # ▶ Reproducir
        page.wait_for_function(f"({_ANIMATION})().counter !== {first['counter']!r}", timeout=60_000)
        later = page.evaluate(_ANIMATION)
        assert not later["counter"].startswith("día 0:"), later
        assert errors == [], errors
