"""The control panel's numbers and tables in each language, checked without a browser: a
Spanish float slider shows a decimal comma beside it (after a move and after a reset), an
integer slider that reaches 1,000 a thousands point, English panels keep the sliders' own
readouts, and tables write every number as the language does."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator.views.controls import READOUT_CLASS, lab_panel, readout_text
from simulator.views.tables import number_table

widgets = pytest.importorskip("ipywidgets")


def _rows(panel):
    """The panel's rows above the reset bar: a control, or a control with its label."""
    return panel.children[0].children[:-1]


def _reset(panel):
    panel.children[0].children[-1].children[0].click()


def test_a_spanish_float_slider_shows_a_decimal_comma_after_a_move_and_a_reset():
    chatter = widgets.FloatSlider(0.05, min=0.0, max=0.5, step=0.01)
    seen = []
    panel = lab_panel([chatter], [], lambda: seen.append(chatter.value), lang="es")
    (row,) = _rows(panel)
    slider, label = row.children
    assert slider is chatter and chatter.readout is False
    assert READOUT_CLASS in label._dom_classes
    assert label.value == "0,05"
    chatter.value = 0.3
    assert label.value == "0,30" and seen[-1] == 0.3
    _reset(panel)
    assert chatter.value == 0.05 and label.value == "0,05" and seen[-1] == 0.05


def test_digits_follow_the_sliders_format():
    p = widgets.FloatSlider(0.03, min=0.005, max=0.1, step=0.005, readout_format=".3f")
    trust = widgets.FloatSlider(1.0, min=0.5, max=1.5, step=0.1)  # ipywidgets' ".2f"
    odd = widgets.FloatSlider(0.25, min=0.0, max=1.0, step=0.05, readout_format=".2g")
    assert readout_text(p, "es") == "0,030"
    assert readout_text(trust, "es") == "1,00"
    assert readout_text(odd, "es") == "0,25"  # not ".Nf": as many decimals as the step


def test_integer_sliders_get_a_thousands_point_only_when_they_reach_1000():
    people = widgets.IntSlider(1500, min=200, max=5000, step=100)
    budget = widgets.IntSlider(300, min=50, max=600, step=50)
    panel = lab_panel([people, budget], [], lambda: None, lang="es")
    first, second = _rows(panel)
    assert first.children[0] is people and first.children[1].value == "1.500"
    people.value = 2300
    assert first.children[1].value == "2.300"
    assert second is budget and budget.readout is True  # 300 needs no separator
    _reset(panel)
    assert first.children[1].value == "1.500"


def test_english_panels_keep_the_sliders_own_readouts():
    chatter = widgets.FloatSlider(0.05, min=0.0, max=0.5, step=0.01)
    people = widgets.IntSlider(1500, min=200, max=5000)
    panel = lab_panel([chatter, people], [], lambda: None, lang="en")
    assert list(_rows(panel)) == [chatter, people]
    assert chatter.readout is True and people.readout is True


def test_other_controls_are_left_alone_in_spanish():
    layer = widgets.ToggleButtons(options=["a", "b"])
    tick = widgets.Checkbox(value=True)
    panel = lab_panel([layer, tick], [], lambda: None, lang="es")
    assert list(_rows(panel)) == [layer, tick]


def test_the_label_row_keeps_the_sliders_width_and_fits_a_phone():
    chatter = widgets.FloatSlider(0.05, min=0.0, max=0.5, step=0.01)
    chatter.layout.width = "520px"
    (row,) = _rows(lab_panel([chatter], [], lambda: None, lang="es"))
    assert row.layout.width == "520px" and row.layout.max_width == "100%"
    assert chatter.layout.width == "auto" and chatter.layout.min_width == "0"
    assert row.children[1].layout.flex == "0 0 auto"  # the slider narrows, not its value


def test_tables_write_numbers_as_the_language_does():
    frame = pd.DataFrame(
        {"spent (€)": [1234.4, 300.0], "customers": [12.34, float("nan")], "name": ["a", "b"]},
        index=["radio", "samples"],
    )
    digits = {"spent (€)": 0, "customers": 1}
    spanish = number_table(frame, "es", digits).to_html()
    english = number_table(frame, "en", digits).to_html()
    for text in (">1.234<", ">300<", ">12,3<", ">n/d<"):
        assert text in spanish, (text, spanish)
    for text in (">1,234<", ">12.3<", ">n/a<"):
        assert text in english, (text, english)
    assert number_table(frame, "es", digits).data is frame  # the values are kept
    assert spanish == number_table(frame, "es", digits).to_html()  # no random ids


def test_tables_refuse_bad_digits_and_languages():
    frame = pd.DataFrame({"customers": [1.0]})
    with pytest.raises(ValueError, match="missing: 'customers'"):
        number_table(frame, "es", {"cost": 1})
    with pytest.raises(ValueError, match="lang must be one of"):
        number_table(frame, "fr", 1)
