"""The wom command: outputs, reproducibility of files, and bad input (exit 2, one line)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from simulator.cli import main
from simulator.config import default_scenario
from simulator.config.toml import scenario_to_toml

QUICK = ["--set", "simulation.steps=20", "--set", "population.size=800", "--replicates", "4"]


def wom(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--out", str(out), "--quiet", *QUICK]) == 0
    assert {p.name for p in out.iterdir()} == {
        "scenario.toml",
        "summary.csv",
        "replicates.csv",
        "series.csv",
        "series.parquet",
        "manifest.json",
        "report.html",
    }
    summary = pd.read_csv(out / "summary.csv")
    assert summary["strategy"].tolist() == [s.name for s in default_scenario().strategies]
    for column in ("reach", "adopters", "cost", "cost_per_adoption"):
        assert {column, f"{column}_low", f"{column}_high"} <= set(summary.columns)
        ok = summary[column].isna() | (summary[f"{column}_low"] <= summary[column])
        assert ok.all()
    assert (
        len(pd.read_parquet(out / "series.parquet")) == 6 * 4 * 21
    )  # five strategies and the no-campaign baseline


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        assert main(["run", "--out", str(tmp_path / name), "--seed", seed, "--quiet", *QUICK]) == 0
    read = lambda name: (tmp_path / name / "summary.csv").read_bytes()  # noqa: E731
    assert read("a") == read("b")
    assert read("a") != read("c")


def test_two_workers_write_the_same_summary_as_one(tmp_path):
    for name, workers in (("one", "1"), ("two", "2")):
        args = ["run", "--out", str(tmp_path / name), "--seed", "7", "--quiet", *QUICK]
        assert main([*args, "--workers", workers]) == 0
    read = lambda name: (tmp_path / name / "summary.csv").read_bytes()  # noqa: E731
    assert read("one") == read("two")


def test_auto_workers_by_default_one_for_a_short_run(tmp_path):
    """``--workers auto`` (the default) keeps a short run in one process, says so in the
    manifest, and accepts the word itself; anything else is refused by argparse."""
    import json

    assert main(["run", "--out", str(tmp_path / "a"), "--quiet", *QUICK]) == 0
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["workers"] == 1
    args = ["run", "--out", str(tmp_path / "b"), "--quiet", "--workers", "auto", *QUICK]
    assert main(args) == 0
    with pytest.raises(SystemExit) as error:
        main(["run", "--workers", "many", *QUICK])
    assert error.value.code == 2


def test_show_default_and_validate(tmp_path, capsys):
    assert main(["show-default"]) == 0
    text = capsys.readouterr().out
    path = tmp_path / "s.toml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out
    assert text == scenario_to_toml(default_scenario())


def test_default_run_prints_a_table():
    done = wom("run", *QUICK)
    assert done.returncode == 0, done.stderr
    assert "€ per" in done.stdout and "word of mouth" in done.stdout and "Verdict:" in done.stdout


def _bad_toml(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda t: ["run", "--set", "populaton.size=5"], "'populaton.size'"),
        (lambda t: ["run", "--set", "channels.newspaper.budget=-1"], "channels.newspaper.budget"),
        (
            lambda t: ["run", "--set", "layers.market.contact_probability=2"],
            "less than or equal to 1",
        ),
        (lambda t: ["run", str(t / "absent.toml")], "no such file"),
        (lambda t: ["run", _bad_toml(t, "[simulation\nsteps=3")], "invalid TOML"),
        (
            lambda t: [
                "validate",
                _bad_toml(t, scenario_to_toml(default_scenario()) + "\n[extra]\nx = 1\n"),
            ],
            "extra: is not a parameter",
        ),
        (lambda t: ["run", "--replicates", "0"], "simulation.replicates"),
        (lambda t: ["run", "--workers", "0"], "--workers must be at least 1, got 0"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, make_args, message):
    out = tmp_path / "out"
    args = make_args(tmp_path)
    done = wom(*args, "--out", str(out)) if args[0] == "run" else wom(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wom: error: ") and message in lines[0], (
        done.stderr
    )
    assert not out.exists()


def test_bad_edge_list_line(tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_text("# SNAP\n0 1\n1 two\n")
    data = default_scenario().model_dump()
    data["layers"] = {"friends": {"kind": "edge_list", "path": "edges.txt"}}
    for segment in data["population"]["segments"]:  # media must name existing layers
        segment["media"] = {
            k: v for k, v in segment["media"].items() if k not in ("facebook", "instagram")
        }
    data["channels"] = {"s": {"kind": "seeding"}}
    data["strategies"] = [{"name": "s", "channels": ["s"]}]
    from simulator.config import validate_scenario

    (tmp_path / "s.toml").write_text(scenario_to_toml(validate_scenario(data)))
    done = wom("run", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "edges.txt:3: expected two integer node ids 'u v', got '1 two'" in done.stderr
    assert not (tmp_path / "out").exists()


def test_existing_results_are_never_overwritten(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    done = wom("run", "--out", str(out), *QUICK)
    assert done.returncode == 2 and "--overwrite" in done.stderr
    assert (out / "keep.txt").read_text() == "precious"
