"""Views of a run with ``lifecycle.enabled``: the terminal table's customer columns and the
report's "Customers, not first adoptions" section in both languages, with the numbers of
summary.csv. A lifecycle-off run shows none of it (tests/test_report.py and
tests/test_cli.py keep its output as before).

A village of 300 people for 20 days, 4 replicates: about a second per run.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from simulator.cli import main
from simulator.views.i18n import TEXT, number

QUICK = ["--set", "population.size=300", "--set", "simulation.steps=20", "--replicates", "4"]
LIFECYCLE = ["--set", "lifecycle.enabled=true"]
OFF = ["--set", "lifecycle.enabled=false"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Lifecycle-on runs in English and Spanish (same seed), and the English table."""
    root = tmp_path_factory.mktemp("customers")
    for lang in ("en", "es"):
        assert main(["run", *QUICK, *LIFECYCLE, "--quiet", "--lang", lang,
                     "--out", str(root / lang)]) == 0  # fmt: skip
    return root


def _section(page: str) -> str:
    start = page.index('data-section="customers"')
    return page[start : page.index("</section>", start)]


def _cell(row, key: str, digits: int, lang: str, scale: float = 1.0) -> str:
    """A table cell as the report writes it, from summary.csv's row."""
    values = [row[f"{key}{s}"] * scale for s in ("", "_low", "_high")]
    shown = [number(v, lang, digits) for v in values]
    if values[0] != values[0]:  # NaN: a newspaper run with no customer has no CAC
        return TEXT["na"][lang]
    if values[1] != values[1]:
        return shown[0]
    return f'{shown[0]} <span class="interval">[{shown[1]}, {shown[2]}]</span>'


def test_terminal_table_has_the_customer_columns(capsys):
    assert main(["run", *QUICK, *LIFECYCLE]) == 0
    out = capsys.readouterr().out
    for title in ("customers", "revenue (€)", "lifetime", "€ per", "return"):
        assert title in out, title
    assert "multiplier" in out  # the first table is a lifecycle-off run's
    assert max(len(line) for line in out.splitlines()) <= 100


def test_lifecycle_off_table_has_no_customer_columns(capsys):
    assert main(["run", *QUICK, *OFF]) == 0
    out = capsys.readouterr().out
    assert "CLV" not in out and "customers (" not in out and "ROI" not in out


@pytest.mark.parametrize("lang", ["en", "es"])
def test_report_section_states_the_numbers_of_summary_csv(runs, lang):
    page = (runs / lang / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(runs / lang / "summary.csv")
    section = _section(page)
    assert TEXT["customers_section"][lang] in section
    other = "es" if lang == "en" else "en"
    assert TEXT["customers_section"][other] not in page
    assert section.count('data-figure="') == 3  # active customers, purchases, retention curve
    for _, row in summary.iterrows():
        for key, digits, scale in (
            ("customers", 1, 1.0),
            ("active_customers", 1, 1.0),
            ("purchases", 0, 1.0),
            ("revenue", 0, 1.0),
            ("clv", 0, 1.0),
            ("customer_acquisition_cost", 2, 1.0),
            ("roi", 0, 100.0),
        ):
            assert _cell(row, key, digits, lang, scale) in section, (row["strategy"], key)
    # the paragraph: the sample trials of the strategy with most of them, and what became of them
    sampler = summary.loc[summary["trials"].idxmax()]
    story = section[section.index('data-story="customers"') :]
    story = story[: story.index("</div>")]
    trials, converted = sampler["trials"], sampler["trial_customers"]
    shown = lambda v: number(v, lang, 0 if float(v).is_integer() else 1)  # noqa: E731
    assert shown(trials) in story and shown(converted) in story
    assert f"({shown(100 * sampler['trial_conversion_rate'])} %)" in story
    best = summary.loc[summary["customers"].idxmax()]
    assert shown(best["active_customers"]) in story
    assert number(best["revenue"], lang, 0) in story


def test_report_with_customers_stays_offline_with_plotly_once(runs):
    page = (runs / "en" / "report.html").read_text(encoding="utf-8")
    assert page.count("* plotly.js v") == 1
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?https?:""", page)
    figures = int(re.search(r'data-figures="(\d+)"', page).group(1))
    assert page.count('class="plotly-graph-div"') == figures
    # plotly.js comes before the first figure that needs it
    assert page.index("* plotly.js v") < page.index('id="figure-1"')
    assert ".scroll { overflow-x: auto" in page  # wide tables scroll on a phone


def test_lifecycle_off_report_has_no_customer_section(tmp_path):
    assert main(["run", *QUICK, *OFF, "--quiet", "--out", str(tmp_path / "off")]) == 0
    page = (tmp_path / "off" / "report.html").read_text(encoding="utf-8")
    assert 'data-section="customers"' not in page and 'data-table="customers"' not in page
    assert TEXT["customers_section"]["en"] not in page
