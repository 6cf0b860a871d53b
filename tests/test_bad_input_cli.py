"""One bad input of every class through the ``wom`` command, as a user would type it.

Each case must exit 2 with one ``wom: error:`` line naming what is wrong, print no
traceback, create no output folder and leave every file around ``--out`` in place
(tests/refusal.py). The finer cases of each class are tested in-process in
test_bad_input_config.py, test_bad_input_graphs.py and test_sweep_reliability.py.
"""

from __future__ import annotations

import pytest

from simulator.config import default_scenario
from simulator.config.toml import scenario_to_toml
from tests.refusal import refuse_and_keep

CASES = {
    # unknown key at every level
    "unknown top-level key": (["--set", "titel=x"], "titel"),
    "unknown simulation key": (["--set", "simulation.stpes=3"], "simulation.stpes"),
    "unknown segment key": (["--set", "population.segments.0.intrest=1"], "intrest"),
    "unknown medium": (["--set", "population.segments.0.media.facebok=0.5"], "facebok"),
    "unknown layer key": (["--set", "layers.market.friends=3"], "layers.market.friends"),
    "unknown channel": (["--set", "channels.tv.budget=3"], "channels.tv"),
    "unknown channel key": (["--set", "channels.radio.budgte=3"], "budgte"),
    "unknown strategy key": (["--set", "strategies.0.chanels=[]"], "chanels"),
    "unknown trust key": (["--set", "trust.friends=0.5"], "trust.friends"),
    "unknown list index": (["--set", "strategies.9.name=x"], "strategies.9"),
    # wrong type
    "steps = true": (["--set", "simulation.steps=true"], "simulation.steps"),
    "budget as text": (["--set", 'channels.newspaper.budget="500"'], "budget"),
    "reciprocal as text": (["--set", 'layers.facebook.reciprocal="yes"'], "reciprocal"),
    "section as a value": (["--set", "simulation=5"], "'simulation' is a section"),
    # non-finite
    "budget = inf": (["--set", "channels.newspaper.budget=inf"], "finite"),
    "dt = nan": (["--set", "simulation.dt=nan"], "simulation.dt"),
    "interest_alpha = inf": (["--set", "population.segments.0.interest_alpha=inf"], "finite"),
    # out of range
    "negative budget": (["--set", "channels.radio.budget=-5"], "channels.radio.budget"),
    "probability above 1": (["--set", "trust.word_of_mouth=1.5"], "trust.word_of_mouth"),
    "cpm = 0": (["--set", "channels.newspaper.cpm=0"], "cpm"),
    "empty strategy name": (["--set", 'strategies.0.name=""'], "strategies.0.name"),
    "strategy set out of range": (
        ["--set", "strategies.1.set={'channels.newspaper.budget' = -1}"],
        "strategy 'newspaper'",
    ),
    "zero workers": (["--workers", "0"], "--workers"),
    "1000 workers": (["--workers", "1000"], "--workers 1000"),
    "not a number": (["--replicates", "many"], "--replicates"),
    "workers neither a number nor auto": (["--workers", "many"], "--workers"),
    # found while the town is built, with helper processes already starting
    "interest correlation the ties cannot give": (
        ["--workers", "2", "--set", "population.interest_correlation=0.9"],
        "population.interest_correlation",
    ),
    # oversized
    "50 million people": (["--set", "population.size=50000000"], "population.size = 50,000,000"),
    "a billion follows": (["--set", "layers.facebook.follows=1e9"], "follows"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_cleanly(tmp_path, case):
    args, mentions = CASES[case]
    refuse_and_keep(["run", *args, "--out", "out", "--quiet"], tmp_path, mentions=mentions)


@pytest.mark.parametrize(
    ("edit", "mentions"),
    [
        (lambda text: text.replace("[simulation]", "[simulation\n"), "invalid TOML"),
        (lambda text: text.replace("steps = 365", "steps = 365\nsteps = 366"), "invalid TOML"),
        (lambda text: text + "\n[layers.real]\nkind = 'edge_list'\npath = 'no.txt'\n", "no.txt"),
    ],
    ids=["unclosed table", "duplicate key", "missing edge list"],
)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_malformed_file_is_refused_cleanly_by_validate_and_run(tmp_path, edit, mentions, command):
    config = tmp_path / "bakery.toml"
    config.write_text(edit(scenario_to_toml(default_scenario())), encoding="utf-8")
    args = [command, str(config)] + (["--out", "out"] if command == "run" else [])
    refuse_and_keep(args, tmp_path, mentions=mentions)
