"""Every experiment in experiments/ runs (a quick version), has its README with a measured
answer, and speaks Spanish, so that none of them rots.

Quick version: 300 people, 15 days, 2 replicates (about a second each).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.config import load_scenario
from simulator.engine.run import simulate
from simulator.views.i18n import GLOSSARY, term

EXPERIMENTS_DIR = Path(__file__).resolve().parents[1] / "experiments"
EXPERIMENTS = sorted(EXPERIMENTS_DIR.glob("*.toml"))
QUICK = ["population.size=300", "simulation.replicates=2", "simulation.steps=15"]
COURSE_QUESTIONS = {
    "friends_vs_ads",
    "quality_vs_quantity",
    "right_medium",
    "market_vs_online",
    "reputation",
    "relationships_vs_fans",
    "seeding",
}


def test_every_course_question_has_an_experiment():
    assert {path.stem for path in EXPERIMENTS} >= COURSE_QUESTIONS


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_quick_version_runs(path):
    scenario = load_scenario(path, QUICK)
    result = simulate(scenario)
    assert [s.name for s in result.strategies] == [s.name for s in scenario.strategies]
    # 300 people for 15 days may end with no adopter at all (relationships_vs_fans: 0.5
    # or 0 a run, by the draws); that the campaigns reach people is what must hold
    reached = [s.series["aware"][:, -1].mean() for s in result.strategies]
    assert max(reached) > 0
    for strategy in result.strategies:
        budget = sum(
            scenario.for_strategy(spec).channels[name].budget
            for spec in scenario.strategies
            if spec.name == strategy.name
            for name in spec.channels
        )
        assert (strategy.cost.sum(axis=1) <= budget + 1e-9).all(), strategy.name


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_readme_states_the_measured_answer(path):
    readme = path.with_suffix(".md")
    assert readme.exists(), f"{readme.name} is missing"
    text = readme.read_text(encoding="utf-8")
    scenario = load_scenario(path)
    assert f"wom run experiments/{path.name}" in text
    for heading in ("## Question", "## Design", "## Measured answer", "## Rerun"):
        assert heading in text, heading
    assert f"seed {scenario.simulation.seed}" in text
    assert f"{scenario.simulation.replicates} runs" in text
    # numbers with their 95 % intervals, e.g. "119.1 [117.3, 120.8]"
    assert len(re.findall(r"\d[\d,.]* \[-?\d[\d,.]*, -?\d[\d,.]*\]", text)) >= 3


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_titles_and_strategy_names_have_spanish(path):
    scenario = load_scenario(path)
    assert scenario.title in GLOSSARY
    for strategy in scenario.strategies:
        for part in strategy.name.split(": "):
            assert part in GLOSSARY, part
        assert term(strategy.name, "es")


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_the_first_box_answers_the_experiments_question(path):
    """The report's answer box opens with the TOML's question and the measured paired
    difference it names, in the report's language (numbers as compare() gives them)."""
    from simulator import compare
    from simulator.views.i18n import number
    from simulator.views.question import question_answer

    scenario = load_scenario(path, QUICK)
    question = scenario.question
    assert question is not None, f"{path.name} has no [question]"
    assert question.ask.get("es"), f"{path.name}: the question needs its Spanish text"
    result = simulate(scenario)
    row = compare(result, question.metric, reference=question.against).set_index("strategy")
    row = row.loc[question.strategy]
    for lang in ("en", "es"):
        box = question_answer(result, lang=lang)
        assert question.text(lang).replace("&", "&amp;") in box
        digits = 2 if "cost" in question.metric else 1
        low, high = (number(row[f"difference_{end}"], lang, digits) for end in ("low", "high"))
        # a Spanish interval is [a; b]: its numbers already hold decimal commas
        separator = "; " if lang == "es" else ", "
        assert f"[{low}{separator}{high}]" in box, (lang, box)
        assert ("frente a" in box) == (lang == "es")


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"strategy": "nobody"}, "question.strategy"),
        ({"against": "nobody"}, "question.against"),
        ({"metric": "happiness"}, "question.metric"),
        ({"ask": {"es": "¿solo en español?"}}, "ask.en"),
        ({"against": "free samples"}, "against"),
    ],
)
def test_a_bad_question_is_refused_naming_the_field(change, names):
    from simulator.config import validate_scenario
    from simulator.errors import ConfigError

    data = load_scenario(EXPERIMENTS_DIR / "friends_vs_ads.toml").model_dump(mode="json")
    data["question"].update(change)
    with pytest.raises(ConfigError, match=names.replace(".", r"\.")):
        validate_scenario(data)


def test_the_answer_states_the_spread_of_single_runs():
    """Beside the interval of the mean, the 5-95 % range of the paired run-by-run
    differences (recomputed here from replicates.csv's frame), which is wider."""
    import numpy as np

    from simulator.views.i18n import number
    from simulator.views.question import question_answer

    scenario = load_scenario(EXPERIMENTS_DIR / "friends_vs_ads.toml", QUICK[1:])  # 5,000 people
    result = simulate(scenario)
    q = scenario.question
    runs = result.to_frame("replicates").set_index(["strategy", "replicate"])[q.metric]
    paired = runs.loc[q.strategy].to_numpy() - runs.loc[q.against].to_numpy()
    low, high = np.percentile(paired, [5, 95])
    box = question_answer(result, lang="en")
    assert f"from {number(low, 'en', 1)} to {number(high, 'en', 1)}" in box, box
    assert f"of the {len(paired)} paired runs" in box
