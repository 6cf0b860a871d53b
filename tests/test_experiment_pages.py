"""The experiment pages in Spanish (experiments/es/) state the same measured numbers as the
English pages they translate, in the Spanish format (1.234,5 and [a; b]), and are linked
from experiments/README.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"
ENGLISH = sorted(p for p in EXPERIMENTS.glob("*.md") if p.name != "README.md")
CODE = re.compile(r"```.*?```|`[^`\n]*`|\]\([^)]*\)", re.S)
"""Code blocks, inline code and link targets: commands and paths, not measured numbers."""

SECTION = re.compile(r"CALIBRATION\.md(?:, apartado)? \d+(?:\.\d+)*")
"""A section of docs/CALIBRATION.md ("5.1" in either language), not a measured number."""

NUMBER = {
    "en": re.compile(r"(?<![\w.,])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])-?\d+(?:\.\d+)?"),
    "es": re.compile(r"(?<![\w.,])-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|(?<![\w.,])-?\d+(?:,\d+)?"),
}


def numbers(text: str, lang: str) -> set[str]:
    """Every number outside code, written the English way (1234.5), as a set."""
    text = re.sub(
        r"\b[x×](?=\d)", "× ", SECTION.sub(" ", CODE.sub(" ", text))
    )  # x1.5 and ×1,5 are factors
    found = NUMBER[lang].findall(text)
    if lang == "es":
        return {n.replace(".", "").replace(",", ".") for n in found}
    return {n.replace(",", "") for n in found}


def test_numbers_read_each_language_s_format():
    assert numbers("1,234.5 people [2.0, 3] x1.5 in `x=0.5`", "en") == {"1234.5", "2.0", "3", "1.5"}
    assert numbers("1.234,5 personas [2,0; 3] ×1,5 en `x=0.5`", "es") == {
        "1234.5",
        "2.0",
        "3",
        "1.5",
    }


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: p.stem)
def test_spanish_page_states_the_english_page_s_numbers(english):
    spanish = EXPERIMENTS / "es" / english.name
    assert spanish.exists(), f"no Spanish page for {english.name}"
    text = spanish.read_text(encoding="utf-8")
    es, en = numbers(text, "es"), numbers(english.read_text(encoding="utf-8"), "en")
    assert es == en, f"only in Spanish: {sorted(es - en)}; only in English: {sorted(en - es)}"
    # a Spanish page writes intervals [a; b] and decimal commas, never [1.5, 2.5]
    assert not re.search(r"\[-?\d+\.\d+, ", CODE.sub(" ", text)), "an interval in English format"


def test_readme_links_every_spanish_page():
    readme = (EXPERIMENTS / "README.md").read_text(encoding="utf-8")
    for english in ENGLISH:
        assert f"](es/{english.name})" in readme, english.name


@pytest.mark.parametrize("spanish", sorted((EXPERIMENTS / "es").glob("*.md")), ids=lambda p: p.stem)
def test_spanish_pages_keep_the_lesson_s_vocabulary(spanish):
    """Redes sociales are people, medios sociales platforms; euros are €, outside code."""
    text = CODE.sub(" ", spanish.read_text(encoding="utf-8"))
    for banned in ("redes sociales", "anuncios en redes", "EUR", "bigote", "contagio"):
        assert banned not in text, banned
