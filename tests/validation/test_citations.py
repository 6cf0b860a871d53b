"""Every default number carries its source and year, or says it is an assumption."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from simulator import calibration as cal
from simulator.cli import main
from simulator.config import default_scenario

SOURCED = re.compile(r"\b(1[89]|20)\d\d\b")
"""A citation names its year."""
ASSUMPTION = re.compile(r"\[assumption\b|^assumption\b")

# Monte Carlo controls: they change the precision of an estimate, not what the model
# predicts, so they are not claims about the world and need no source.
MONTE_CARLO_CONTROLS = {"simulation.replicates", "simulation.block_size", "simulation.seed"}


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, dict):
        return any(_numeric(item) for item in value.values())
    if isinstance(value, tuple | list):
        return any(_numeric(item) for item in value)
    return False


def _numeric_fields(model: BaseModel, path: str = "") -> Iterator[tuple[str, Any, str]]:
    """(dotted path, value, description) of every numeric setting below ``model``."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        where = f"{path}.{name}" if path else name
        if isinstance(value, BaseModel):
            yield from _numeric_fields(value, where)
        elif (
            isinstance(value, dict)
            and value
            and all(isinstance(item, BaseModel) for item in value.values())
        ):
            for key, item in value.items():
                yield from _numeric_fields(item, f"{where}.{key}")
        elif (
            isinstance(value, tuple)
            and value
            and all(isinstance(item, BaseModel) for item in value)
        ):
            for index, item in enumerate(value):
                yield from _numeric_fields(item, f"{where}.{index}")
        elif _numeric(value):
            yield where, value, field.description or ""


FIELDS = list(_numeric_fields(default_scenario()))


def test_the_walk_finds_the_numbers_that_matter():
    paths = {path for path, _, _ in FIELDS}
    for expected in (
        "trust.word_of_mouth",
        "channels.newspaper.cpm",
        "channels.facebook_page.organic_reach",
        "word_of_mouth.persuasion",
        "layers.market.contact_probability",
        "population.segments.0.media",
    ):
        assert expected in paths
    assert len(FIELDS) > 80


@pytest.mark.parametrize(
    ("path", "value", "description"),
    [field for field in FIELDS if field[0] not in MONTE_CARLO_CONTROLS],
    ids=[path for path, _, _ in FIELDS if path not in MONTE_CARLO_CONTROLS],
)
def test_every_default_number_has_a_source_with_a_year_or_is_an_assumption(
    path, value, description
):
    assert SOURCED.search(description) or ASSUMPTION.search(description), (
        f"{path} = {value!r}: the description {description!r} names no source with a year "
        "and is not marked [assumption]"
    )


def _sourced_constants() -> Iterator[tuple[str, cal.Sourced]]:
    for name, value in vars(cal).items():
        if isinstance(value, cal.Sourced):
            yield name, value
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, cal.Sourced):
                    yield f"{name}[{key!r}]", item


@pytest.mark.parametrize(("name", "sourced"), list(_sourced_constants()))
def test_every_calibration_constant_cites_a_year_or_is_an_assumption(name, sourced):
    assert SOURCED.search(sourced.source) or ASSUMPTION.search(sourced.source), name


def test_cited_values_match_calibration_md():
    # Spot checks against docs/CALIBRATION.md (values, not only citations).
    assert cal.TRUST["word_of_mouth"].value == 0.83  # Nielsen 2015, section 4
    assert cal.TRUST["newspaper_ad"].value == 0.60
    assert cal.TRUST["social_ad"].value == 0.46
    assert (cal.BASS_P.value, cal.BASS_Q.value) == (0.03, 0.38)  # section 1.2
    assert cal.ORGANIC_REACH.value == 0.052  # Hootsuite 2020, section 5.4
    assert cal.CONVERSION_PER_SOCIAL_AD_IMPRESSION.value == pytest.approx(0.009 * 0.0921, rel=0.01)
    assert cal.CPM["newspaper"].value == cal.usd(46.82)  # OAAA / Solomon 2022, section 5.1


def test_show_default_prints_the_citations_as_comments(capsys):
    assert main(["show-default"]) == 0
    text = capsys.readouterr().out
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for citation in (
        "Nielsen Global Trust in Advertising 2015",
        "OAAA / Solomon Partners 2022",
        "Hootsuite 2020",
        "Leskovec, Adamic and Huberman 2007",
        "[assumption]",
    ):
        assert citation in comments.replace("\n# ", " "), citation
