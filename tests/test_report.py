"""The HTML report: self-contained, one plotly.js, every figure placed, the measured answer,
both languages, and written by ``wom run --out`` (with ``--lang``).

A village of 300 people for 20 days, 4 replicates: each report takes about a second.
"""

from __future__ import annotations

import json
import re

import pytest

from simulator.cli import main
from simulator.engine.run import simulate
from simulator.views import report
from simulator.views.i18n import TEXT
from tests.conftest import small_scenario

QUICK = [
    "--set",
    "population.size=300",
    "--set",
    "simulation.steps=20",
    "--replicates",
    "4",
    "--quiet",
]


@pytest.fixture(scope="module")
def result():
    data = small_scenario(replicates=4, steps=20).model_dump()
    data["population"]["size"] = 300
    from simulator.config import validate_scenario

    return simulate(validate_scenario(data))


@pytest.fixture(scope="module")
def summary(result):
    return result.to_frame("summary")


@pytest.fixture(scope="module")
def pages(result, summary):
    history = report.network_history(result)
    return {
        lang: report.render_report(result, lang=lang, summary=summary, history=history)
        for lang in ("en", "es")
    }


def _figure_count(page: str) -> int:
    return int(re.search(r'data-figures="(\d+)"', page).group(1))


def test_page_is_self_contained_with_plotly_once(pages):
    for page in pages.values():
        assert "<script src=" not in page and "<link " not in page
        assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?https?:""", page)
        # plotly.js is inlined once: its bundle defines the global Plotly object once
        # plotly.js inline once: its licence banner opens the one inline bundle
        assert page.count("* plotly.js v") == 1
        divs = page.count('class="plotly-graph-div"')
        assert (
            divs == _figure_count(page) == 10
        )  # three of customers, six result figures and the spread


def test_answer_names_the_winner_with_its_interval(summary, pages):
    best = summary.loc[summary["adopters"].idxmax()]
    page = pages["en"]
    assert f"Most adopters: <b>{best['strategy']}</b>" in page
    assert f"{best['adopters']:,.1f} people" in page
    assert f"{best['adopters_low']:,.1f} to {best['adopters_high']:,.1f}" in page


def test_summary_table_has_one_row_per_strategy_with_intervals(result, summary):
    table = report.summary_table(result, summary=summary)
    assert table.count("<tr>") == len(result.strategies) + 1
    assert table.count('class="interval"') >= len(result.strategies)


def test_word_of_mouth_by_tie_table_matches_the_summary(result, pages):
    """With talk response on, one row per strategy and a close tie's conversion per 1,000
    messages as in summary.csv; with it off (the fixture), no table."""
    from simulator.config import default_scenario_data, validate_scenario

    assert report.talk_table(result) == "" and 'data-section="talk"' not in pages["en"]
    data = default_scenario_data()
    data["population"]["size"] = 600
    data["simulation"].update(steps=30, replicates=4)
    talking = simulate(validate_scenario(data))
    summary = talking.to_frame("summary")
    table = report.talk_table(talking, summary=summary)
    assert table.count("<tr>") == len(talking.strategies) + 1
    shown = f"{summary.iloc[0]['conversion_per_message.strong_ties'] * 1000:,.1f}"
    assert f"<td>{shown} " in table
    page = report.render_report(talking, lang="es", summary=summary, network=False)
    assert TEXT["talk_section"]["es"] in page


def test_spanish_report_has_no_english_headings(pages):
    spanish, english = pages["es"], pages["en"]
    assert '<html lang="es">' in spanish
    for key in ("answer", "summary", "figures", "config", "provenance", "network_section"):
        assert TEXT[key]["es"] in spanish, key
        assert TEXT[key]["en"] not in spanish, key
        assert TEXT[key]["en"] in english, key
    assert "Boca a boca frente a publicidad" in spanish  # the built-in title, translated
    assert "Más clientes: <b>boca a boca</b>" in spanish


def test_config_and_provenance_are_included(result, pages):
    page = pages["en"]
    assert "[simulation]" in page and "replicates = 4" in page
    assert f"&quot;seed&quot;: {result.scenario.simulation.seed}" in page


def test_grouped_answer_has_one_paragraph_per_group():
    data = small_scenario(replicates=3, steps=10).model_dump()
    data["population"]["size"] = 300
    data["channels"] = {"samples": data["channels"]["free_samples"]}
    data["strategies"] = [
        {
            "name": f"{k} samples: {who}",
            "channels": ["samples"],
            "set": {"channels.samples.budget": 10.0 * k, "channels.samples.strategy": who},
        }
        for k in (10, 30)
        for who in ("random", "degree")
    ]
    from simulator.config import validate_scenario

    grouped = simulate(validate_scenario(data))
    text = report.answer(grouped)
    assert text.count("<p>") == 2
    assert "<b>10 samples</b>." in text and "<b>30 samples</b>." in text


def test_large_towns_are_drawn_as_a_village(result):
    history = report.network_history(result)
    assert history.size == result.scenario.population.size  # small enough: the town itself
    data = result.scenario.model_dump()
    data["population"]["size"] = 1200
    data["simulation"]["replicates"] = 2
    from simulator.config import validate_scenario

    bigger = simulate(validate_scenario(data))
    history = report.network_history(bigger)
    assert history.size == report.NETWORK_PEOPLE


def test_wom_run_writes_the_report_in_the_chosen_language(tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--out", str(out), "--lang", "es", *QUICK]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in page and "Qué dice la simulación" in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "report.html" in manifest["files"]


def test_wom_run_rejects_an_unknown_language(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--out", str(tmp_path / "x"), "--lang", "fr", *QUICK])
    assert exit_info.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
