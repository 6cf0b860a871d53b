"""``wom run`` prints in the chosen language, within 100 columns, with the town size and a
verdict, for every shipped experiment."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.cli import main
from simulator.views.terminal import WIDTH, cell

EXPERIMENTS = sorted((Path(__file__).resolve().parents[1] / "experiments").glob("*.toml"))
QUICK = ["--set", "population.size=300", "--set", "simulation.steps=10", "--replicates", "3"]


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=lambda p: p.stem)
def test_table_fits_100_columns_in_the_chosen_language(experiment, lang, capsys):
    assert main(["run", str(experiment), "--lang", lang, *QUICK]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= WIDTH, max(lines, key=len)
    if lang == "es":
        assert "Un pueblo de 300 personas" in out and "Veredicto: más clientes con" in out
        for english in ("strategy", "adopters", "Verdict", "runs per", "cost ("):
            assert english not in out, english
    else:
        assert "A town of 300 people" in out and "Verdict: most customers with" in out
        assert "estrategia" not in out


def test_cells_show_half_the_interval_or_the_interval_when_lopsided():
    row = {"x": 1234.5, "x_low": 1200.0, "x_high": 1269.0}
    assert cell(row, "x", 1, "es") == "1.234,5 ±34,5"
    assert cell({"x": 2.0, "x_low": 0.5, "x_high": 9.0}, "x", 1) == "2.0 [0.5, 9.0]"
    assert cell({"x": 900.0, "x_low": 900.0, "x_high": 900.0}, "x", 0) == "900"
    assert cell({"x": float("nan"), "x_low": 0.0, "x_high": 1.0}, "x", 0, "es") == "n/d"
