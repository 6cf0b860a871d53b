"""``wom attribute``: the lab's folder, the page in both languages, and bad input (exit 2)."""

from __future__ import annotations

import pandas as pd
import pytest

from simulator import attribute, default_scenario
from simulator.cli import main
from simulator.views.attribution import render_attribution

QUICK = [
    "--set", "simulation.steps=30", "--set", "population.size=800",
    "--set", "lifecycle.enabled=false", "--replicates", "3",
]  # fmt: skip


def test_attribute_writes_every_file(tmp_path, capsys):
    out = tmp_path / "lab"
    assert main(["attribute", "--out", str(out), "--lang", "es", *QUICK]) == 0
    assert {p.name for p in out.iterdir()} == {
        "attribution.csv",
        "verdict.csv",
        "wom.csv",
        "paths.parquet",
        "referrals.parquet",
        "attribution.html",
        "manifest.json",
    }
    table = pd.read_csv(out / "attribution.csv")
    assert set(table["rule"]) == {
        "last_touch", "first_touch", "linear", "time_decay", "position_based", "markov",
        "shapley_paths",
    }  # fmt: skip
    # every rule credits each replicate's conversions once; Shapley adds up to them too
    sums = table.groupby("rule")[["credited", "truth"]].sum()
    assert sums["credited"].to_numpy() == pytest.approx(sums["truth"].to_numpy())
    referrals = pd.read_parquet(out / "referrals.parquet")
    paths = pd.read_parquet(out / "paths.parquet")
    assert len(referrals) == pytest.approx(sums["truth"].iloc[0] * 3)
    assert set(paths["channel"].astype(str)) <= {*default_scenario().channels, "word of mouth"}
    page = (out / "attribution.html").read_text(encoding="utf-8")
    assert "¿Qué regla de atribución dice la verdad?" in page
    assert page.count('class="plotly-graph-div"') == 2 and '<script src="http' not in page
    assert "last_touch" in capsys.readouterr().out
    # the same folder again: refused without --overwrite, replaced with it
    assert main(["attribute", "--out", str(out), "--quiet", *QUICK]) == 2
    assert main(["attribute", "--out", str(out), "--quiet", "--overwrite", *QUICK]) == 0


def test_page_in_english_names_every_rule():
    scenario = default_scenario().model_copy(
        update={
            "population": default_scenario().population.model_copy(update={"size": 500}),
            "simulation": default_scenario().simulation.model_copy(
                update={"steps": 15, "replicates": 2, "block_size": 2}
            ),
        }
    )
    lab = attribute(scenario, "newspaper")
    page = render_attribution(lab, lang="en")
    for label in ("last touch", "Markov removal effect", "Shapley on paths", "K-factor"):
        assert label in page


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--depth", "0"], "depth must be a whole number from 1 to 1000; got 0"),
        (["--strategy", "nope"], "strategy must be one of the scenario's strategies"),
        (["--permutations", "0"], "permutations must be a whole number from 1 to 10000; got 0"),
        (["--set", "population.size=-3"], "population.size"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "never"
    assert main(["attribute", "--out", str(out), *QUICK, *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
