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
    "seeding",
}


def test_every_course_question_has_an_experiment():
    assert {path.stem for path in EXPERIMENTS} >= COURSE_QUESTIONS


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_quick_version_runs(path):
    scenario = load_scenario(path, QUICK)
    result = simulate(scenario)
    assert [s.name for s in result.strategies] == [s.name for s in scenario.strategies]
    adopters = [s.series["adopters"][:, -1].mean() for s in result.strategies]
    assert max(adopters) > 0
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
