"""Sweeps: same bytes on every executor, resumable after Ctrl-C or a kill, failures stay local."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator import config as cfg
from simulator import metrics
from simulator.cli import main
from simulator.config.toml import scenario_to_toml
from simulator.engine.run import simulate
from simulator.errors import SimulatorError
from simulator.studies import (
    Study,
    Sweep,
    latin_hypercube,
    load_study,
    run_sweep,
    simulate_cell,
    study_cells,
    study_hash,
)
from simulator.views.sweep_figures import sweep_heatmap, sweep_lines

GRID = '[sweep]\ngrid = { "trust.word_of_mouth" = [0.4, 0.9] }\n'
ZIP = 'zip = { "channels.free_samples.budget" = [100, 400], "channels.newspaper.budget" = [100, 400] }\n'


def tiny(**simulation) -> cfg.Scenario:
    """A village of 200 people, ten days, two strategies: a cell takes a fraction of a second."""
    data = cfg.default_scenario().model_dump()
    data["population"]["size"] = 200
    data["layers"]["facebook"]["follows"] = 10
    data["layers"]["instagram"]["follows"] = 10
    data["strategies"] = [
        s for s in data["strategies"] if s["name"] in ("word of mouth", "newspaper")
    ]
    data["simulation"].update({"steps": 10, "replicates": 4, "block_size": 2, **simulation})
    return cfg.validate_scenario(data)


def write_study(path, sweep: str = GRID + ZIP, **simulation):
    path.write_text(scenario_to_toml(tiny(**simulation), comments=False) + "\n" + sweep)
    return path


def cells_on_disk(out) -> list[str]:
    return sorted(p.name for p in (out / "cells").glob("*.parquet") if ".summary" not in p.name)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The 4-cell study run in this process (one worker), uninterrupted."""
    folder = tmp_path_factory.mktemp("reference")
    config = write_study(folder / "study.toml")
    result = run_sweep(load_study(config), folder / "out", workers=1)
    assert result.ok and result.computed == 4
    return config, folder / "out"


def test_table_has_a_row_per_cell_strategy_replicate(reference):
    _, out = reference
    table = pd.read_parquet(out / "replicates.parquet")
    assert len(table) == 4 * 2 * 4  # cells x strategies x replicates
    assert table.columns[:6].tolist() == [
        "cell",
        "trust.word_of_mouth",
        "channels.free_samples.budget",
        "channels.newspaper.budget",
        "strategy",
        "replicate",
    ]
    assert table["cell"].is_monotonic_increasing
    assert not table.duplicated(["cell", "strategy", "replicate"]).any()
    first = table[table["cell"] == 1]
    assert first["trust.word_of_mouth"].unique().tolist() == [0.4]
    assert first["channels.newspaper.budget"].unique().tolist() == [400]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["counts"]["done"] == 4
    assert manifest["seed"] == 2026 and len(manifest["study_hash"]) == 16
    assert sorted(p.name for p in (out / "configs").iterdir()) == [f"000{i}.toml" for i in range(4)]
    assert "plotly" in (out / "report.html").read_text()


def test_a_cell_is_the_scenario_run_with_its_overrides(reference):
    # Common random numbers: the cell keeps the study seed; its rows are wom run's rows.
    _, out = reference
    data = tiny().model_dump()
    data["trust"]["word_of_mouth"] = 0.9
    data["channels"]["free_samples"]["budget"] = 400
    data["channels"]["newspaper"]["budget"] = 400
    run = simulate(cfg.validate_scenario(data))
    expected = metrics.replicate_table(run)
    table = pd.read_parquet(out / "cells" / "0003.parquet")
    pd.testing.assert_frame_equal(
        table.drop(columns=table.columns[:4]).reset_index(drop=True), expected, check_dtype=False
    )
    summary = pd.read_parquet(out / "cells" / "0003.summary.parquet")
    for (_, row), strategy in zip(summary.iterrows(), run.strategies, strict=True):
        for name, value in metrics.strategy_summary(strategy, run.days).items():
            assert row[name] == value or (np.isnan(row[name]) and np.isnan(value)), name
    with pytest.warns(cfg.ScenarioWarning, match="no strategy runs it"):  # tiny() drops three
        loaded = cfg.load_scenario(out / "configs" / "0003.toml")
    assert loaded == cfg.validate_scenario(data)


def test_process_pool_and_dask_cluster_give_the_same_bytes(reference, tmp_path):
    config, out = reference
    study = load_study(config)
    pool = run_sweep(study, tmp_path / "pool", executor="local", workers=2, intervals=True)
    dask = run_sweep(study, tmp_path / "dask", executor="dask", workers=2, intervals=True)
    assert pool.computed == dask.computed == 4
    replicates = (out / "replicates.parquet").read_bytes()
    for folder in (tmp_path / "pool", tmp_path / "dask"):
        for cell in cells_on_disk(out):
            assert (folder / "cells" / cell).read_bytes() == (out / "cells" / cell).read_bytes()
    pd.testing.assert_frame_equal(pool.replicates, pd.read_parquet(out / "replicates.parquet"))
    assert (tmp_path / "pool" / "summary.parquet").read_bytes() == (
        tmp_path / "dask" / "summary.parquet"
    ).read_bytes()
    assert replicates == (out / "replicates.parquet").read_bytes()


def test_ctrl_c_then_rerun_computes_only_missing_cells(reference, tmp_path):
    config, out = reference
    study = load_study(config)
    seen = []

    def interrupt_after_two(event):
        if event.cell is not None:
            seen.append(event.cell.id)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(study, tmp_path / "out", workers=1, progress=interrupt_after_two)
    assert cells_on_disk(tmp_path / "out") == ["0000.parquet", "0001.parquet"]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["counts"]["pending"] == 2

    resumed = run_sweep(study, tmp_path / "out", workers=1)
    assert (resumed.reused, resumed.computed) == (2, 2)
    assert (tmp_path / "out" / "replicates.parquet").read_bytes() == (
        out / "replicates.parquet"
    ).read_bytes()


def test_killed_sweep_resumes_with_every_cell_once(reference, tmp_path):
    config, out = reference
    config_copy = write_study(tmp_path / "study.toml")
    assert config_copy.read_text() == config.read_text()
    folder = tmp_path / "out"
    command = [sys.executable, "-m", "simulator.cli", "sweep", str(config_copy)]
    process = subprocess.Popen(
        [*command, "--out", str(folder), "--workers", "1", "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while (folder / "cells").is_dir() is False or len(cells_on_disk(folder)) < 2:
        assert process.poll() is None and time.monotonic() < deadline, "sweep ended too soon"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)  # a lost machine: no clean-up at all
    process.wait()
    killed_with = len(cells_on_disk(folder))
    assert 2 <= killed_with < 4, "the kill must land midway"

    assert main(["sweep", str(config_copy), "--out", str(folder), "--workers", "1", "--quiet"]) == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"] == {
        "total": 4,
        "done": 4,
        "failed": 0,
        "pending": 0,
        "reused": killed_with,
    }
    assert (folder / "replicates.parquet").read_bytes() == (out / "replicates.parquet").read_bytes()
    assert not list((folder / "cells").glob(".*.tmp"))


def test_bad_value_fails_its_cell_only(tmp_path, capsys):
    config = write_study(
        tmp_path / "study.toml", '[sweep]\ngrid = { "trust.word_of_mouth" = [0.5, 1.5] }\n'
    )
    assert main(["sweep", str(config), "--workers", "1", "--quiet"]) == 1
    error = capsys.readouterr().err
    assert (
        "cell 0001 [trust.word_of_mouth=1.5]: trust.word_of_mouth: Input should be less than "
        "or equal to 1 (got 1.5)" in error
    )
    assert "Traceback" not in error
    out = tmp_path / "study-sweep"
    assert pd.read_parquet(out / "replicates.parquet")["cell"].unique().tolist() == [0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [c["status"] for c in manifest["cells"]] == ["done", "failed"]
    assert manifest["status"] == "failed cells"


def test_changed_config_refuses_to_resume_unless_fresh(tmp_path, capsys):
    config = write_study(tmp_path / "study.toml", GRID)
    out = str(tmp_path / "out")
    assert main(["sweep", str(config), "--out", out, "--workers", "1", "--quiet"]) == 0
    write_study(config, GRID, steps=12)
    capsys.readouterr()
    assert main(["sweep", str(config), "--out", out, "--workers", "1", "--quiet"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "different study" in error and "--fresh" in error
    assert main(["sweep", str(config), "--out", out, "--workers", "1", "--quiet", "--fresh"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["counts"]["reused"] == 0 and manifest["counts"]["done"] == 2


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    config = write_study(tmp_path / "study.toml", GRID)
    for args in (
        ["--grid", "trust.wom=0.5,0.6"],
        ["--range", "trust.word_of_mouth=0.9:0.1:3"],
        ["--metric", "happiness"],
        ["--scheduler", "tcp://localhost:1"],
        ["--max-replicates", "10"],
    ):
        capsys.readouterr()
        assert main(["sweep", str(config), "--out", str(tmp_path / "o"), *args]) == 2, args
        error = capsys.readouterr().err.strip()
        assert error.startswith("wom: error:") and "\n" not in error, error
    (tmp_path / "notasweep").mkdir()
    (tmp_path / "notasweep" / "notes.txt").write_text("mine")
    assert main(["sweep", str(config), "--out", str(tmp_path / "notasweep"), "--fresh"]) == 2
    assert (tmp_path / "notasweep" / "notes.txt").exists()


def test_cli_axes_and_samples(tmp_path):
    config = write_study(
        tmp_path / "study.toml",
        '[sweep]\nsample = { count = 5, ranges = { "product.quality" = [0.5, 1.0] } }\n',
    )
    # No passives: product.quality is then the whole satisfied share, up to 1.
    config.write_text(config.read_text().replace("passive_share = 0.3", "passive_share = 0.0"))
    study = load_study(
        config,
        grid=["adoption.kind=independent,threshold"],
        ranges=["channels.newspaper.budget=100:500:3"],
        zips=["word_of_mouth.talk_steps=5,10"],
    )
    assert study.sweep.parameters == (
        "adoption.kind",
        "channels.newspaper.budget",
        "word_of_mouth.talk_steps",
        "product.quality",
    )
    cells = study_cells(study)
    assert len(cells) == 2 * 3 * 2 * 5 and all(c.error is None for c in cells)
    assert cells[0].scenario.channels["newspaper"].budget == 100
    assert cells[-1].scenario.adoption.kind == "threshold"
    quality = sorted(c.values["product.quality"] for c in cells[:5])
    assert [int((q - 0.5) / 0.1) for q in quality] == [0, 1, 2, 3, 4]  # one per stratum
    assert study_hash(study, cells) == study_hash(
        load_study(
            config,
            grid=["adoption.kind=independent,threshold"],
            ranges=["channels.newspaper.budget=100:500:3"],
            zips=["word_of_mouth.talk_steps=5,10"],
        ),
        cells,
    )


def test_latin_hypercube_covers_every_stratum_of_every_range():
    points = latin_hypercube(50, {"a": (0.0, 2.0), "b": (-1.0, 1.0)}, rng=11)
    for name, low in (("a", 0.0), ("b", -1.0)):
        strata = np.floor((np.array([p[name] for p in points]) - low) / 2.0 * 50)
        assert sorted(strata.astype(int).tolist()) == list(range(50))
    assert latin_hypercube(5, {"a": (0.0, 1.0)}, rng=3) == latin_hypercube(
        5, {"a": (0.0, 1.0)}, rng=3
    )


def test_target_ci_adds_blocks_and_keeps_earlier_replicates():
    scenario = tiny(replicates=2, block_size=2)
    base = simulate(scenario)
    result, met = simulate_cell(scenario, target_ci=4.0, metric="adopters", max_replicates=12)
    again, _ = simulate_cell(scenario, target_ci=4.0, metric="adopters", max_replicates=12)
    replicates = result.strategies[0].replicates
    assert 2 < replicates <= 12 and replicates % 2 == 0
    for strategy, first in zip(result.strategies, base.strategies, strict=True):
        assert np.array_equal(strategy.series["adopters"][:2], first.series["adopters"])
        assert strategy.replicates == replicates  # strategies grow together: pairs stay paired
    assert np.array_equal(result.strategies[0].direct, again.strategies[0].direct)
    widths = [
        row["adopters_high"] - row["adopters_low"]
        for _, row in metrics.summarize(result).iterrows()
    ]
    assert met == all(w < 4.0 for w in widths)
    assert met or replicates == 12


def test_sweep_figures():
    summary = pd.DataFrame(
        {
            "a": [1, 1, 2, 2] * 2,
            "b": [5, 6, 5, 6] * 2,
            "strategy": ["x"] * 4 + ["y"] * 4,
            "adopters": np.arange(8.0),
            "adopters_low": np.arange(8.0) - 1,
            "adopters_high": np.arange(8.0) + 1,
        }
    )
    lines = sweep_lines(summary, "a", by="b")
    assert len(lines.data) == 2 * 2 * 3  # panels x strategies x (band, band, line)
    assert list(lines.data[2].y) == [0.0, 2.0]  # strategy x, b = 5, sorted by a
    assert sweep_lines(summary, "a").data[0].mode == "markers"  # b varies: error bars
    heatmap = sweep_heatmap(summary, "a", "b")
    assert heatmap.data[1].z.tolist() == [[4.0, 6.0], [5.0, 7.0]]
    with pytest.raises(ValueError, match="several cells"):
        sweep_heatmap(summary.assign(b=5), "a", "b")


def test_study_model_rejects_bad_sweeps():
    scenario = tiny()
    with pytest.raises(ValueError, match="equal lengths"):
        Sweep(zip={"a.b": [1, 2], "c.d": [1]})
    with pytest.raises(ValueError, match="swept twice"):
        Sweep(grid={"a.b": [1]}, zip={"a.b": [2]})
    with pytest.raises(cfg.ConfigError, match="not a parameter"):
        study_cells(Study(scenario=scenario, sweep=Sweep(grid={"trust.friends": [0.5]})))


def test_other_package_versions_are_not_mixed(reference, tmp_path, monkeypatch):
    import dataclasses

    from simulator.studies import worker as sweep

    config, out = reference
    study = load_study(config)
    shutil.copytree(out, tmp_path / "out")
    older = {**sweep.numeric_versions(), "numpy": "1.0.0"}
    monkeypatch.setattr(sweep, "numeric_versions", lambda: older)
    with pytest.raises(SimulatorError, match=r"made with numpy .* \(now 1\.0\.0\).*--fresh"):
        run_sweep(study, tmp_path / "out", workers=1)
    # A worker with other versions fails its cells instead of mixing its numbers in.
    run = sweep.run_cell
    monkeypatch.setattr(
        sweep,
        "run_cell",
        lambda task: dataclasses.replace(run(task), versions={**older, "numpy": "9.9"}),
    )
    result = run_sweep(study, tmp_path / "fresh", workers=1)
    assert len(result.failed) == 4
    assert "has numpy 9.9 (here 1.0.0): install the same versions" in result.failed["0000"]


def test_committed_study_runs_small_and_its_script_reads_it(tmp_path):
    root = Path(__file__).parents[1] / "experiments" / "sweeps"
    out = tmp_path / "out"
    shrink = {
        "population.size": 300,
        "layers.facebook.follows": 10,
        "layers.instagram.follows": 10,
        "simulation.steps": 10,
        "simulation.replicates": 3,
    }
    args = ["sweep", str(root / "newspaper_vs_word_of_mouth.toml"), "--out", str(out)]
    args += ["--workers", "1", "--quiet", "--intervals", "--csv"]
    args += ["--grid", "trust.word_of_mouth=0.5,1.0"]
    for path, value in shrink.items():
        args += ["--set", f"{path}={value}"]
    assert main(args) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 2 * 13 * 2  # trust x budgets (zip) x strategies
    assert (summary["channels.free_samples.budget"] == summary["channels.newspaper.budget"]).all()
    script = subprocess.run(
        [sys.executable, str(root / "crossing.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert script.returncode == 0, script.stderr
    assert "trust in friends 0.5" in script.stdout and "trust in friends 1" in script.stdout


def test_wom_run_points_to_wom_sweep(tmp_path, capsys):
    config = write_study(tmp_path / "study.toml", GRID)
    assert main(["run", str(config), "--quiet"]) == 2
    assert "this file defines a sweep: use wom sweep" in capsys.readouterr().err
